#pragma once
// PP-OCR 0/180 text-line direction classifier.
#include <vector>

#include <opencv2/core.hpp>
#include "engine/onnx_model.h"

namespace ocrserve::engine {

struct Direction {
  bool flipped = false;  // the line reads upside down
  float confidence = 0;
};

class LineClassifier {
 public:
  LineClassifier(const std::string& model_path, int threads, bool spin);
  std::vector<Direction> classify(const std::vector<cv::Mat>& crops) const;

 private:
  OnnxModel model_;
};

}  // namespace ocrserve::engine
