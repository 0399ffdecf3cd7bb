#pragma once
// Text detection: PP-OCR DB model + post-processing.
#include <vector>

#include "engine/db_postprocess.h"
#include "engine/onnx_model.h"

namespace ocrserve::engine {

class TextDetector {
 public:
  TextDetector(const std::string& model_path, int threads, bool spin, int max_side, DbParams params);
  // `max_side` > 0 overrides the configured input cap for this call, `box_threshold` > 0 the
  // configured DbParams::box_threshold.
  std::vector<ScoredQuad> detect(const cv::Mat& bgr, int max_side = 0, float box_threshold = 0) const;

 private:
  OnnxModel model_;
  int max_side_;
  DbParams params_;
};

}  // namespace ocrserve::engine
