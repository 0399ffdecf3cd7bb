#include "engine/tesseract_recognizer.h"

#include <filesystem>

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

namespace {
std::string default_tessdata() {
  for (const char* dir :
       {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"}) {
    if (std::filesystem::exists(dir)) return dir;
  }
  return {};
}
}  // namespace

bool tesseract_has_language(const std::string& tessdata_dir, const std::string& tess_language) {
  const std::string dir = tessdata_dir.empty() ? default_tessdata() : tessdata_dir;
  size_t start = 0;
  while (start <= tess_language.size()) {
    const size_t plus = tess_language.find('+', start);
    const std::string one = tess_language.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
    if (!std::filesystem::exists(dir + "/" + one + ".traineddata")) return false;
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  return true;
}

TesseractRecognizer::TesseractRecognizer(std::string tessdata_dir, std::string languages)
    : tessdata_dir_(tessdata_dir.empty() ? default_tessdata() : std::move(tessdata_dir)),
      languages_(std::move(languages)) {}

TesseractRecognizer::~TesseractRecognizer() {
  for (auto& api : idle_) api->End();
}

std::unique_ptr<tesseract::TessBaseAPI> TesseractRecognizer::acquire() const {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto api = std::move(idle_.back());
      idle_.pop_back();
      return api;
    }
  }
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  if (api->Init(tessdata_dir_.c_str(), languages_.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    throw std::runtime_error("Tesseract could not load language '" + languages_ + "' from " + tessdata_dir_);
  }
  api->SetPageSegMode(tesseract::PSM_SINGLE_LINE);
  return api;
}

void TesseractRecognizer::release(std::unique_ptr<tesseract::TessBaseAPI> api) const {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(api));
}

std::vector<LineReading> TesseractRecognizer::read(const std::vector<cv::Mat>& crops, const std::string&,
                                                   double) const {
  std::vector<LineReading> out(crops.size());
  auto api = acquire();
  try {
    for (size_t i = 0; i < crops.size(); ++i) {
      cv::Mat gray;
      cv::cvtColor(crops[i], gray, cv::COLOR_BGR2GRAY);
      // Tesseract reads best with text ~30 px high and some margin.
      const double scale = gray.rows < 32 ? 32.0 / gray.rows : 1.0;
      if (scale != 1.0) cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_CUBIC);
      const int pad = 8;
      cv::copyMakeBorder(gray, gray, pad, pad, pad, pad, cv::BORDER_REPLICATE);
      api->SetImage(gray.data, gray.cols, gray.rows, 1, static_cast<int>(gray.step));
      if (api->Recognize(nullptr) != 0) continue;
      LineReading& reading = out[i];
      std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
      float sum = 0;
      if (it) {
        // Words in order; a space between words as PP-OCR would read it.
        do {
          if (it->IsAtBeginningOf(tesseract::RIL_WORD) && !reading.chars.empty()) reading.text += ' ';
          std::unique_ptr<char[]> symbol(it->GetUTF8Text(tesseract::RIL_SYMBOL));
          if (!symbol) continue;
          int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
          it->BoundingBox(tesseract::RIL_SYMBOL, &x0, &y0, &x1, &y1);
          const float conf = it->Confidence(tesseract::RIL_SYMBOL) / 100.f;
          const auto to_crop = [&](int x) { return static_cast<float>((x - pad) / scale); };
          reading.chars.push_back({symbol.get(), to_crop(x0), to_crop(x1), conf});
          reading.text += symbol.get();
          sum += conf;
        } while (it->Next(tesseract::RIL_SYMBOL));
      }
      reading.confidence = reading.chars.empty() ? 0.f : sum / reading.chars.size();
    }
  } catch (...) {
    release(std::move(api));
    throw;
  }
  release(std::move(api));
  return out;
}

}  // namespace ocrserve::engine
