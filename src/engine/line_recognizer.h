#pragma once
// The recognizer interface shared by PP-OCR and Tesseract: upright line crops -> readings with
// character spans in crop pixels.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace ocrserve::engine {

struct ReadChar {
  std::string text;
  float x0 = 0, x1 = 0;  // span along the crop width, crop pixels
  float confidence = 0;
};

struct LineReading {
  std::string text;
  float confidence = 0;
  std::vector<ReadChar> chars;
};

class LineRecognizer {
 public:
  virtual ~LineRecognizer() = default;
  // `alphabet` (UTF-8; empty: everything the model knows) restricts what may be read, e.g. the
  // machine-readable zone's A-Z 0-9 <. `width_scale` (> 0) replaces the recognizer's own squeeze of
  // the crops' width. Tesseract ignores both.
  virtual std::vector<LineReading> read(const std::vector<cv::Mat>& crops, const std::string& alphabet = {},
                                        double width_scale = 0) const = 0;
};

}  // namespace ocrserve::engine
