// The fused models scripts/setup writes (scripts/fuse_models.py) must compute what the originals
// compute: raw outputs on real inputs, then the whole engine's reading of real pages.
#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "engine/onnx_model.h"
#include "engine/tensor_prep.h"
#include "ocrserve/engine.h"
#include "test_support.h"

namespace ocrserve {
namespace {

const std::string kModels = OCRSERVE_TEST_FIXTURES "/../../third_party/models";

std::string original(const std::string& stem) {
  return kModels + "/" + stem + ".onnx";
}
std::string fused(const std::string& stem) {
  return kModels + "/" + stem + ".fused.onnx";
}

// Largest |a - b| over two outputs of the same shape.
float max_difference(const engine::Tensor& a, const engine::Tensor& b) {
  EXPECT_EQ(a.shape, b.shape);
  float worst = 0;
  for (size_t i = 0; i < std::min(a.data.size(), b.data.size()); ++i)
    worst = std::max(worst, std::abs(a.data[i] - b.data[i]));
  return worst;
}

std::vector<float> planar(const cv::Mat& bgr, const std::array<float, 3>& scale, const std::array<float, 3>& offset) {
  std::vector<float> out(static_cast<size_t>(3) * bgr.rows * bgr.cols);
  engine::write_planar(bgr, out.data(), bgr.cols, scale, offset);
  return out;
}

TEST(FusedModels, SetupWroteAllThree) {
  for (const char* stem : {"ch_PP-OCRv4_det_infer", "ch_PP-OCRv4_rec_infer", "ch_ppocr_mobile_v2.0_cls_infer"}) {
    EXPECT_TRUE(std::filesystem::exists(fused(stem))) << fused(stem) << " missing: run scripts/setup";
  }
}

TEST(FusedModels, DetectorProbabilityMapsAgree) {
  const cv::Mat page = synth::render(synth::Kind::Page, 77, true).image;
  cv::Mat input;
  cv::resize(page, input, cv::Size(640, 896));
  const auto tensor = planar(input, engine::kDetectorScale, engine::kDetectorOffset);
  const engine::OnnxModel a(original("ch_PP-OCRv4_det_infer"), 2), b(fused("ch_PP-OCRv4_det_infer"), 2);
  const auto pa = a.run(tensor.data(), {1, 3, 896, 640}), pb = b.run(tensor.data(), {1, 3, 896, 640});
  float text_pixels = 0;
  for (float p : pa.data) text_pixels += p > 0.3f;
  EXPECT_GT(text_pixels, 0.02f * pa.data.size()) << "the page should have text to compare";
  EXPECT_LT(max_difference(pa, pb), 1e-4f);
}

TEST(FusedModels, RecognizerAndClassifierOutputsAgree) {
  const synth::Sample line = synth::render(synth::Kind::Line, 5, true);
  cv::Mat rec_input, cls_input;
  cv::resize(line.image, rec_input, cv::Size(320, 48));
  cv::resize(line.image, cls_input, cv::Size(192, 48));
  const auto rec_tensor = planar(rec_input, engine::kUnitScale, engine::kUnitOffset);
  const auto cls_tensor = planar(cls_input, engine::kUnitScale, engine::kUnitOffset);
  const engine::OnnxModel ra(original("ch_PP-OCRv4_rec_infer"), 1), rb(fused("ch_PP-OCRv4_rec_infer"), 1);
  EXPECT_LT(max_difference(ra.run(rec_tensor.data(), {1, 3, 48, 320}), rb.run(rec_tensor.data(), {1, 3, 48, 320})),
            1e-4f);
  const engine::OnnxModel ca(original("ch_ppocr_mobile_v2.0_cls_infer"), 1),
      cb(fused("ch_ppocr_mobile_v2.0_cls_infer"), 1);
  EXPECT_LT(max_difference(ca.run(cls_tensor.data(), {1, 3, 48, 192}), cb.run(cls_tensor.data(), {1, 3, 48, 192})),
            1e-4f);
}

TEST(FusedModels, TheEngineReadsPagesAsWithTheOriginals) {
  EngineOptions with, without;
  with.threads = without.threads = 2;
  without.fused_models = false;
  const OcrEngine fast(with), plain(without);
  for (const auto kind : {synth::Kind::Card, synth::Kind::Receipt, synth::Kind::Screenshot}) {
    const cv::Mat image = synth::render(kind, 31, true).image;
    RecognizeOptions options;
    options.detect_direction = true;
    const PageText a = plain.recognize(image, options), b = fast.recognize(image, options);
    ASSERT_EQ(a.lines.size(), b.lines.size());
    EXPECT_NEAR(a.direction, b.direction, 0.1f);
    ASSERT_GT(a.lines.size(), 3u);
    for (size_t i = 0; i < a.lines.size(); ++i) {
      EXPECT_EQ(a.lines[i].text, b.lines[i].text);
      EXPECT_NEAR(a.lines[i].confidence, b.lines[i].confidence, 1e-3f);
      for (int k = 0; k < 4; ++k) EXPECT_LT(cv::norm(a.lines[i].quad[k] - b.lines[i].quad[k]), 1.0);
    }
  }
}

}  // namespace
}  // namespace ocrserve
