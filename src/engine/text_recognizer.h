#pragma once
// PP-OCR SVTR recognition, batched: crops sorted by width, grouped, padded to the widest of the
// group, one inference per group; groups run on `workers` threads against one shared session.
#include "engine/ctc_decoder.h"
#include "engine/line_recognizer.h"
#include "engine/onnx_model.h"

namespace ocrserve::engine {

struct RecognizerParams {
  int height = 48;
  int batch_size = 8;
  int max_width = 1600;  // crops wider than this at `height` are read in overlapping segments
  bool batching = true;
  double width_scale = 1.0;  // < 1 squeezes lines horizontally: fewer columns, less time
  int workers = 1;           // batches run side by side, each single-threaded (scales better than intra-op)
};

class TextRecognizer : public LineRecognizer {
 public:
  TextRecognizer(const std::string& model_path, const std::string& dictionary_path, RecognizerParams params);
  std::vector<LineReading> read(const std::vector<cv::Mat>& crops, const std::string& alphabet = {},
                                double width_scale = 0) const override;

 private:
  struct Prepared;
  // [begin, end) ranges of `order` that share one inference.
  std::vector<std::pair<size_t, size_t>> plan_groups(const std::vector<Prepared>& items,
                                                     const std::vector<size_t>& order) const;
  void run_batch(const std::vector<Prepared>& items, const std::vector<size_t>& order, size_t begin, size_t end,
                 const std::vector<bool>* allowed, std::vector<LineReading>& out) const;

  OnnxModel model_;
  CtcDecoder decoder_;
  RecognizerParams params_;
};

}  // namespace ocrserve::engine
