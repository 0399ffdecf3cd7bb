#include "engine/text_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

TextDetector::TextDetector(const std::string& model_path, int threads, int max_side, DbParams params)
    : model_(model_path, threads), max_side_(max_side), params_(params) {}

namespace {
int round_to_32(double v) { return std::max(32, static_cast<int>(std::lround(v / 32.0)) * 32); }

// HWC BGR u8 -> CHW float normalized with ImageNet mean/std (the order PP-OCR trained with).
std::vector<float> to_chw(const cv::Mat& bgr) {
  static constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
  static constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};
  const int h = bgr.rows, w = bgr.cols;
  std::vector<float> out(static_cast<size_t>(3) * h * w);
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        out[(static_cast<size_t>(c) * h + y) * w + x] = (row[x * 3 + c] / 255.f - kMean[c]) / kStd[c];
      }
    }
  }
  return out;
}
}  // namespace

std::vector<ScoredQuad> TextDetector::detect(const cv::Mat& bgr) const {
  const int longest = std::max(bgr.cols, bgr.rows);
  const double ratio = longest > max_side_ ? static_cast<double>(max_side_) / longest : 1.0;
  const int w = round_to_32(bgr.cols * ratio), h = round_to_32(bgr.rows * ratio);
  cv::Mat resized;
  cv::resize(bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  const std::vector<float> input = to_chw(resized);
  const Tensor out = model_.run(input.data(), {1, 3, h, w});
  const int map_h = static_cast<int>(out.shape[2]), map_w = static_cast<int>(out.shape[3]);
  const cv::Mat probability(map_h, map_w, CV_32F, const_cast<float*>(out.data.data()));
  return db_boxes(probability, params_, bgr.size());
}

}  // namespace ocrserve::engine
