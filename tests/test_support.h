#pragma once
// Shared by the unit tests that run the real engine: one engine per test binary (models load
// once), synthetic samples and their accuracy.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "../bench/text_metrics.h"
#include "ocrserve/engine.h"
#include "synth.h"
#include "text.h"

namespace ocrserve::test {

// Owns the engine for the whole test binary and releases it before the process exits (Tesseract's
// own statics must outlive the recognizers that use them).
class SharedEngine : public ::testing::Environment {
 public:
  static const OcrEngine& get() {
    if (!instance()) {
      EngineOptions o;
      o.threads = 2;
      o.spin_within_runs = false;  // ctest -j2 runs two test programs side by side
      instance() = std::make_unique<OcrEngine>(o);
    }
    return *instance();
  }
  void TearDown() override { instance().reset(); }

 private:
  static std::unique_ptr<OcrEngine>& instance() {
    static std::unique_ptr<OcrEngine> engine;
    return engine;
  }
};

inline ::testing::Environment* const shared_engine_environment = ::testing::AddGlobalTestEnvironment(new SharedEngine);

class EngineTest : public ::testing::Test {
 protected:
  static const OcrEngine& engine() { return SharedEngine::get(); }
};

using synth::render;

inline double char_accuracy(const synth::Sample& sample, const std::vector<TextLine>& lines) {
  std::vector<bench::TruthLine> truth;
  for (const auto& l : sample.lines) truth.push_back({l.text, l.quad});
  return bench::score_page(truth, lines).char_accuracy();
}

// Draws UTF-8 text in black with a Latin font (DejaVu Sans), baseline at y.
inline void draw_text(cv::Mat& image, const std::string& text, int x, int baseline, int px) {
  synth::FontSession fonts;
  std::vector<synth::TextLineTruth> truth;
  synth::Writer writer(fonts, image, truth);
  synth::TextStyle style;
  style.font = synth::find_font("DejaVu Sans", false);
  style.fallback = style.font;
  style.px = px;
  writer.draw(style, text, x, baseline);
}

}  // namespace ocrserve::test
