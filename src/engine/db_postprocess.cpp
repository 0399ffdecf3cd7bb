#include "engine/db_postprocess.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "engine/geometry.h"

namespace ocrserve::engine {

float polygon_score(const cv::Mat& probability, const std::vector<cv::Point2f>& polygon) {
  const cv::Rect bounds = cv::boundingRect(polygon) & cv::Rect(0, 0, probability.cols, probability.rows);
  if (bounds.empty()) return 0.f;
  cv::Mat mask = cv::Mat::zeros(bounds.size(), CV_8U);
  std::vector<cv::Point> shifted;
  shifted.reserve(polygon.size());
  for (const auto& p : polygon) {
    shifted.emplace_back(static_cast<int>(std::lround(p.x)) - bounds.x, static_cast<int>(std::lround(p.y)) - bounds.y);
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{shifted}, cv::Scalar(1));
  if (cv::countNonZero(mask) == 0) return 0.f;
  return static_cast<float>(cv::mean(probability(bounds), mask)[0]);
}

cv::RotatedRect unclip(const cv::RotatedRect& rect, float ratio) {
  const float w = rect.size.width, h = rect.size.height;
  const float perimeter = 2.f * (w + h);
  if (perimeter <= 0.f) return rect;
  const float distance = w * h * ratio / perimeter;
  return cv::RotatedRect(rect.center, cv::Size2f(w + 2 * distance, h + 2 * distance), rect.angle);
}

std::vector<ScoredQuad> db_boxes(const cv::Mat& probability, const DbParams& params, cv::Size source_size) {
  CV_Assert(probability.type() == CV_32F);
  cv::Mat bitmap = probability > params.threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);

  const float sx = static_cast<float>(source_size.width) / probability.cols;
  const float sy = static_cast<float>(source_size.height) / probability.rows;
  std::vector<ScoredQuad> boxes;
  const size_t count = std::min(contours.size(), static_cast<size_t>(params.max_candidates));
  for (size_t i = 0; i < count; ++i) {
    if (contours[i].size() < 3) continue;
    const cv::RotatedRect rect = cv::minAreaRect(contours[i]);
    if (std::min(rect.size.width, rect.size.height) < params.min_size) continue;
    const Quad tight = ordered_box(rect);
    const float score = polygon_score(probability, {tight.begin(), tight.end()});
    if (score < params.box_threshold) continue;
    const cv::RotatedRect grown = unclip(rect, params.unclip_ratio);
    if (std::min(grown.size.width, grown.size.height) < params.min_size + 2) continue;
    Quad quad = ordered_box(grown);
    for (auto& p : quad) {
      p.x = std::clamp(std::round(p.x * sx), 0.f, static_cast<float>(source_size.width - 1));
      p.y = std::clamp(std::round(p.y * sy), 0.f, static_cast<float>(source_size.height - 1));
    }
    boxes.push_back({quad, score});
  }
  return boxes;
}

}  // namespace ocrserve::engine
