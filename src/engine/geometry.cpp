#include "engine/geometry.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

Quad ordered_box(const cv::RotatedRect& rect) {
  cv::Point2f pts[4];
  rect.points(pts);
  std::sort(pts, pts + 4, [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  // The two leftmost give tl/bl, the two rightmost tr/br (ties broken by y).
  cv::Point2f tl = pts[0], bl = pts[1], tr = pts[2], br = pts[3];
  if (tl.y > bl.y) std::swap(tl, bl);
  if (tr.y > br.y) std::swap(tr, br);
  return {tl, tr, br, bl};
}

float edge_length(const cv::Point2f& a, const cv::Point2f& b) {
  return static_cast<float>(cv::norm(a - b));
}

cv::Mat crop_quad(const cv::Mat& image, const Quad& q) {
  const float width = std::max(edge_length(q[0], q[1]), edge_length(q[3], q[2]));
  const float height = std::max(edge_length(q[0], q[3]), edge_length(q[1], q[2]));
  const int w = std::max(1, static_cast<int>(std::lround(width)));
  const int h = std::max(1, static_cast<int>(std::lround(height)));
  const cv::Point2f src[4] = {q[0], q[1], q[2], q[3]};
  const cv::Point2f dst[4] = {
      {0, 0}, {static_cast<float>(w), 0}, {static_cast<float>(w), static_cast<float>(h)}, {0, static_cast<float>(h)}};
  cv::Mat out;
  cv::warpPerspective(image, out, cv::getPerspectiveTransform(src, dst), cv::Size(w, h), cv::INTER_CUBIC,
                      cv::BORDER_REPLICATE);
  return out;
}

Quad rotate_reading(const Quad& q, int turns) {
  const int t = ((turns % 4) + 4) % 4;
  return {q[(0 + t) % 4], q[(1 + t) % 4], q[(2 + t) % 4], q[(3 + t) % 4]};
}

Quad quad_slice(const Quad& q, float f0, float f1) {
  auto lerp = [](const cv::Point2f& a, const cv::Point2f& b, float f) { return a + (b - a) * f; };
  return {lerp(q[0], q[1], f0), lerp(q[0], q[1], f1), lerp(q[3], q[2], f1), lerp(q[3], q[2], f0)};
}

Quad transform_quad(const Quad& q, const cv::Matx23d& m) {
  Quad out;
  for (int i = 0; i < 4; ++i) {
    out[i] = cv::Point2f(static_cast<float>(m(0, 0) * q[i].x + m(0, 1) * q[i].y + m(0, 2)),
                         static_cast<float>(m(1, 0) * q[i].x + m(1, 1) * q[i].y + m(1, 2)));
  }
  return out;
}

Quad transform_quad(const Quad& q, const cv::Matx33d& m) {
  Quad out;
  for (int i = 0; i < 4; ++i) {
    const cv::Vec3d v = m * cv::Vec3d(q[i].x, q[i].y, 1.0);
    out[i] = cv::Point2f(static_cast<float>(v[0] / v[2]), static_cast<float>(v[1] / v[2]));
  }
  return out;
}

cv::Matx33d perspective_between(const Quad& from, const Quad& to) {
  const cv::Point2f a[4] = {from[0], from[1], from[2], from[3]};
  const cv::Point2f b[4] = {to[0], to[1], to[2], to[3]};
  return cv::Matx33d(cv::getPerspectiveTransform(a, b));
}

cv::Mat rotate_expanded(const cv::Mat& image, double degrees, cv::Matx23d& forward) {
  const cv::Point2f center(image.cols / 2.0f, image.rows / 2.0f);
  cv::Mat m = cv::getRotationMatrix2D(center, degrees, 1.0);
  const double c = std::abs(m.at<double>(0, 0)), s = std::abs(m.at<double>(0, 1));
  const int w = static_cast<int>(std::ceil(image.rows * s + image.cols * c));
  const int h = static_cast<int>(std::ceil(image.rows * c + image.cols * s));
  m.at<double>(0, 2) += w / 2.0 - center.x;
  m.at<double>(1, 2) += h / 2.0 - center.y;
  forward = cv::Matx23d(m);
  cv::Mat out;
  cv::warpAffine(image, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return out;
}

cv::Matx23d invert_affine(const cv::Matx23d& m) {
  cv::Mat inv;
  cv::invertAffineTransform(cv::Mat(m), inv);
  return cv::Matx23d(inv);
}

}  // namespace ocrserve::engine
