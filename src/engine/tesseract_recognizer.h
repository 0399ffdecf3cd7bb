#pragma once
// Tesseract behind the LineRecognizer interface, for the languages PP-OCR does not read.
// TessBaseAPI is not thread-safe: each call borrows an instance from a per-language pool.
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/line_recognizer.h"

namespace tesseract {
class TessBaseAPI;
}

namespace ocrserve::engine {

class TesseractPool;

class TesseractRecognizer : public LineRecognizer {
 public:
  // `languages` in Tesseract's names ("tha", "vie+eng").
  TesseractRecognizer(std::string tessdata_dir, std::string languages);
  ~TesseractRecognizer() override;
  std::vector<LineReading> read(const std::vector<cv::Mat>& crops, const std::string& alphabet = {},
                                double width_scale = 0) const override;

 private:
  std::unique_ptr<tesseract::TessBaseAPI> acquire() const;
  void release(std::unique_ptr<tesseract::TessBaseAPI> api) const;

  std::string tessdata_dir_;
  std::string languages_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<tesseract::TessBaseAPI>> idle_;
};

// True when Tesseract's traineddata for `tess_language` is installed.
bool tesseract_has_language(const std::string& tessdata_dir, const std::string& tess_language);

}  // namespace ocrserve::engine
