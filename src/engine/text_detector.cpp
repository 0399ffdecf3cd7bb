#include "engine/text_detector.h"

#include "engine/tensor_prep.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

TextDetector::TextDetector(const std::string& model_path, int threads, bool spin, int max_side, DbParams params)
    : model_(model_path, threads, spin), max_side_(max_side), params_(params) {}

namespace {
int round_to_32(double v) {
  return std::max(32, static_cast<int>(std::lround(v / 32.0)) * 32);
}
}  // namespace

std::vector<ScoredQuad> TextDetector::detect(const cv::Mat& bgr, int max_side, float box_threshold) const {
  const int cap = max_side > 0 ? max_side : max_side_;
  const int longest = std::max(bgr.cols, bgr.rows);
  const double ratio = longest > cap ? static_cast<double>(cap) / longest : 1.0;
  const int w = round_to_32(bgr.cols * ratio), h = round_to_32(bgr.rows * ratio);
  cv::Mat resized;
  cv::resize(bgr, resized, cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
  std::vector<float> input(static_cast<size_t>(3) * h * w);
  write_planar(resized, input.data(), w, kDetectorScale, kDetectorOffset);
  const Tensor out = model_.run(input.data(), {1, 3, h, w});
  const int map_h = static_cast<int>(out.shape[2]), map_w = static_cast<int>(out.shape[3]);
  const cv::Mat probability(map_h, map_w, CV_32F, const_cast<float*>(out.data.data()));
  DbParams params = params_;
  if (box_threshold > 0) params.box_threshold = box_threshold;
  return db_boxes(probability, params, bgr.size());
}

}  // namespace ocrserve::engine
