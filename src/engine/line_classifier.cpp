#include "engine/line_classifier.h"

#include "engine/tensor_prep.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

namespace {
constexpr int kHeight = 48, kWidth = 192, kBatch = 8;
}

LineClassifier::LineClassifier(const std::string& model_path, int threads, bool spin)
    : model_(model_path, threads, spin) {}

std::vector<Direction> LineClassifier::classify(const std::vector<cv::Mat>& crops) const {
  std::vector<Direction> out(crops.size());
  for (size_t begin = 0; begin < crops.size(); begin += kBatch) {
    const size_t end = std::min(crops.size(), begin + kBatch);
    const int n = static_cast<int>(end - begin);
    std::vector<float> input(static_cast<size_t>(n) * 3 * kHeight * kWidth, 0.f);
    for (int b = 0; b < n; ++b) {
      const cv::Mat& crop = crops[begin + b];
      const int w = std::min(kWidth, std::max(1, static_cast<int>(std::ceil(kHeight * crop.cols / double(crop.rows)))));
      cv::Mat resized;
      cv::resize(crop, resized, cv::Size(w, kHeight));
      write_planar(resized, input.data() + static_cast<size_t>(b) * 3 * kHeight * kWidth, kWidth, kUnitScale,
                   kUnitOffset);
    }
    const Tensor result = model_.run(input.data(), {n, 3, kHeight, kWidth});
    for (int b = 0; b < n; ++b) {
      const float p0 = result.data[b * 2], p180 = result.data[b * 2 + 1];
      out[begin + b] = {p180 > p0, std::max(p0, p180)};
    }
  }
  return out;
}

}  // namespace ocrserve::engine
