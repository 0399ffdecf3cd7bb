#include "degrade.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string describe(const char* format, double a, double b = 0.0) {
  char buf[96];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

cv::Matx33d translation(double dx, double dy) { return {1, 0, dx, 0, 1, dy, 0, 0, 1}; }

void map_quads(std::vector<TextLineTruth>& lines, const cv::Matx33d& m) {
  for (auto& line : lines)
    for (auto& p : line.quad) p = map_point(m, p);
}

// Random perspective: every corner moves independently by up to `jitter` of the image size.
cv::Matx33d perspective(Rng& rng, cv::Size size, double jitter) {
  const auto w = static_cast<float>(size.width), h = static_cast<float>(size.height);
  const std::array<cv::Point2f, 4> src = {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
  std::array<cv::Point2f, 4> dst = src;
  for (auto& p : dst) {
    p.x += static_cast<float>(rng.uniform(-jitter, jitter) * w);
    p.y += static_cast<float>(rng.uniform(-jitter, jitter) * h);
  }
  return cv::Matx33d(cv::getPerspectiveTransform(src.data(), dst.data()));
}

cv::Matx33d rotation(cv::Size size, double degrees) {
  const cv::Mat r = cv::getRotationMatrix2D(cv::Point2f(size.width / 2.0f, size.height / 2.0f), degrees, 1.0);
  return {r.at<double>(0, 0), r.at<double>(0, 1), r.at<double>(0, 2),
          r.at<double>(1, 0), r.at<double>(1, 1), r.at<double>(1, 2),
          0, 0, 1};
}

// Rotation and/or perspective, with the canvas grown (and a border of "table" added) so the
// whole page stays visible, like a phone photo of a sheet lying on a desk.
void warp_geometry(Rng& rng, cv::Mat& image, std::vector<TextLineTruth>& lines,
                   const DegradeSettings& s, bool rotate, bool tilt, std::vector<std::string>& log) {
  cv::Matx33d m = cv::Matx33d::eye();
  if (tilt) {
    const double jitter = s.gentle ? rng.uniform(0.003, 0.012) : rng.uniform(0.01, 0.04);
    m = perspective(rng, image.size(), jitter);
    log.push_back(describe("perspective(%.1f%%)", jitter * 100));
  }
  if (rotate) {
    const double limit = s.gentle ? 3.0 : 8.0;
    const double degrees = rng.uniform(-limit, limit);
    m = rotation(image.size(), degrees) * m;
    log.push_back(describe("rotate(%.1fdeg)", degrees));
  }
  const auto w = static_cast<float>(image.cols), h = static_cast<float>(image.rows);
  float min_x = 1e9f, min_y = 1e9f, max_x = -1e9f, max_y = -1e9f;
  for (cv::Point2f c : {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)}) {
    const cv::Point2f p = map_point(m, c);
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
  const double margin = s.gentle ? 2.0 : rng.uniform(0.01, 0.05) * std::max(w, h);
  m = translation(margin - std::floor(min_x), margin - std::floor(min_y)) * m;
  const cv::Size out(static_cast<int>(std::ceil(max_x) - std::floor(min_x) + 2 * margin),
                     static_cast<int>(std::ceil(max_y) - std::floor(min_y) + 2 * margin));
  // OpenCV samples at pixel centres: conjugate by the half-pixel shift of our convention.
  const cv::Matx33d centred = translation(-0.5, -0.5) * m * translation(0.5, 0.5);
  cv::Mat warped;
  cv::warpPerspective(image, warped, cv::Mat(centred), out, cv::INTER_LINEAR, cv::BORDER_CONSTANT, s.table);
  image = warped;
  map_quads(lines, m);
}

// Uneven illumination: a linear light gradient in a random direction, a vignette and a slight
// colour cast (white balance), all multiplicative. The light field is smooth, so it is computed on
// a coarse grid and interpolated up (a full-resolution loop costs ~10x more on a page).
void lighting(Rng& rng, cv::Mat& f, std::vector<std::string>& log) {
  const double angle = rng.uniform(0, 2 * kPi);
  const double gradient = rng.uniform(0.08, 0.3);
  const double vignette = rng.uniform(0.0, 0.2);
  cv::Vec3f cast;  // one draw per statement keeps the order independent of the compiler
  cast[0] = static_cast<float>(rng.uniform(0.93, 1.03));
  cast[1] = static_cast<float>(rng.uniform(0.96, 1.02));
  cast[2] = static_cast<float>(rng.uniform(0.95, 1.05));
  constexpr int kCell = 8;
  const cv::Size coarse((f.cols + kCell - 1) / kCell + 1, (f.rows + kCell - 1) / kCell + 1);
  cv::Mat field(coarse, CV_32FC3);
  const double cx = f.cols / 2.0, cy = f.rows / 2.0;
  const double half_diag = std::hypot(cx, cy);
  const double ux = std::cos(angle), uy = std::sin(angle);
  for (int gy = 0; gy < coarse.height; ++gy) {
    auto* row = field.ptr<cv::Vec3f>(gy);
    for (int gx = 0; gx < coarse.width; ++gx) {
      const double dx = gx * kCell - cx, dy = gy * kCell - cy;
      const double t = ((dx * ux + dy * uy) / half_diag + 1.0) / 2.0;  // 0..1 along the light
      const double r2 = (dx * dx + dy * dy) / (half_diag * half_diag);
      const auto k = static_cast<float>((1.0 - gradient * t) * (1.0 - vignette * r2));
      row[gx] = cv::Vec3f(k * cast[0], k * cast[1], k * cast[2]);
    }
  }
  // Grid node i sits at pixel i * kCell: resize the covered span, then crop to the image.
  cv::Mat full;
  cv::resize(field, full, cv::Size((coarse.width - 1) * kCell + 1, (coarse.height - 1) * kCell + 1), 0, 0,
             cv::INTER_LINEAR);
  cv::multiply(f, full(cv::Rect(0, 0, f.cols, f.rows)), f);
  log.push_back(describe("light(gradient %.2f, vignette %.2f)", gradient, vignette));
}

void contrast(Rng& rng, cv::Mat& f, std::vector<std::string>& log) {
  const double c = rng.uniform(0.75, 0.92);
  const double level = rng.uniform(110, 150);
  f.convertTo(f, CV_32FC3, c, level * (1 - c));
  log.push_back(describe("contrast(%.2f)", c));
}

void gaussian_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log) {
  const double max_sigma = std::clamp(0.055 * text_px, 0.5, 1.2);
  const double sigma = rng.uniform(0.4, max_sigma);
  cv::GaussianBlur(f, f, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
  log.push_back(describe("gaussian_blur(%.2f)", sigma));
}

// Hand shake: a short straight motion kernel in a random direction.
void motion_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log) {
  const double max_len = std::clamp(0.12 * text_px, 2.0, 4.0);
  const double length = rng.uniform(1.5, max_len);
  const double angle = rng.uniform(0, kPi);
  const int size = 2 * static_cast<int>(std::ceil(length / 2)) + 1;
  cv::Mat kernel(size, size, CV_32FC1, cv::Scalar(0));
  const double c = size / 2.0 - 0.5;
  const int steps = 64;
  for (int i = 0; i <= steps; ++i) {
    const double t = length * (static_cast<double>(i) / steps - 0.5);
    const double x = c + t * std::cos(angle), y = c + t * std::sin(angle);
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const double fx = x - x0, fy = y - y0;
    // Bilinear splat keeps sub-pixel lengths smooth.
    const std::array<std::array<double, 3>, 4> taps = {{{0, 0, (1 - fx) * (1 - fy)},
                                                        {1, 0, fx * (1 - fy)},
                                                        {0, 1, (1 - fx) * fy},
                                                        {1, 1, fx * fy}}};
    for (const auto& tap : taps) {
      const int kx = x0 + static_cast<int>(tap[0]), ky = y0 + static_cast<int>(tap[1]);
      if (kx >= 0 && ky >= 0 && kx < size && ky < size) kernel.at<float>(ky, kx) += static_cast<float>(tap[2]);
    }
  }
  kernel /= cv::sum(kernel)[0];
  cv::filter2D(f, f, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REFLECT);
  log.push_back(describe("motion_blur(%.1fpx, %.0fdeg)", length, angle * 180 / kPi));
}

// Low-resolution camera / messenger recompression: shrink and enlarge back to the same size.
void resample(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log) {
  const double low = std::max(0.6, 13.0 / std::max(text_px, 1));
  if (low >= 0.9) return;
  const double scale = rng.uniform(low, 0.9);
  cv::Mat small;
  cv::resize(f, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::resize(small, f, f.size(), 0, 0, cv::INTER_LINEAR);
  log.push_back(describe("resample(%.2f)", scale));
}

// Sensor noise: mostly luminance, plus weaker chroma noise that is blotchy (half resolution), as
// in phone pictures after demosaicing.
void noise(Rng& rng, cv::Mat& f, std::vector<std::string>& log) {
  const double sigma = rng.uniform(2.0, 8.0);
  cv::RNG cvrng(rng.next());
  cv::Mat luma(f.size(), CV_32FC1), chroma_small((f.rows + 1) / 2, (f.cols + 1) / 2, CV_32FC3), chroma;
  cvrng.fill(luma, cv::RNG::NORMAL, 0, sigma);
  cvrng.fill(chroma_small, cv::RNG::NORMAL, 0, sigma * 0.35);
  cv::resize(chroma_small, chroma, f.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat luma3;
  cv::merge(std::vector<cv::Mat>{luma, luma, luma}, luma3);
  f += luma3 + chroma;
  log.push_back(describe("noise(%.1f)", sigma));
}

void jpeg(Rng& rng, cv::Mat& image, std::vector<std::string>& log) {
  const int quality = rng.range(40, 90);
  std::vector<unsigned char> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  log.push_back(describe("jpeg(%.0f)", quality));
}

}  // namespace

void photo_lighting(Rng& rng, cv::Mat& f, std::vector<std::string>& log) { lighting(rng, f, log); }
void photo_gaussian_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log) {
  gaussian_blur(rng, f, text_px, log);
}
void photo_motion_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log) {
  motion_blur(rng, f, text_px, log);
}
void photo_noise(Rng& rng, cv::Mat& f, std::vector<std::string>& log) { noise(rng, f, log); }

cv::Point2f map_point(const cv::Matx33d& m, cv::Point2f p) {
  const cv::Vec3d v = m * cv::Vec3d(p.x, p.y, 1.0);
  return {static_cast<float>(v[0] / v[2]), static_cast<float>(v[1] / v[2])};
}

std::vector<std::string> degrade(Rng& rng, cv::Mat& image, std::vector<TextLineTruth>& lines,
                                 const DegradeSettings& settings) {
  // Choose the subset first so strengths never shift which operations are picked.
  bool rotate = rng.chance(0.7), tilt = rng.chance(0.5), light = rng.chance(0.7);
  bool flatten = rng.chance(0.45), grain = rng.chance(0.6), compress = rng.chance(0.7);
  // At most one softening step (they compound): Gaussian 40%, motion 15%, resample 25%, none 20%.
  const double soften = rng.uniform(0, 1);
  const bool gauss = soften < 0.4, motion = soften >= 0.4 && soften < 0.55, shrink = soften >= 0.55 && soften < 0.8;
  const int chosen = rotate + tilt + light + flatten + grain + compress + (soften < 0.8);
  if (chosen < 2) {
    grain = true;
    compress = true;
  }
  std::vector<std::string> log;
  if (rotate || tilt) warp_geometry(rng, image, lines, settings, rotate, tilt, log);

  cv::Mat f;
  image.convertTo(f, CV_32FC3);
  if (light) lighting(rng, f, log);
  if (flatten) contrast(rng, f, log);
  if (gauss) gaussian_blur(rng, f, settings.text_px, log);
  if (motion) motion_blur(rng, f, settings.text_px, log);
  if (shrink) resample(rng, f, settings.text_px, log);
  if (grain) noise(rng, f, log);
  f.convertTo(image, CV_8UC3);  // saturates to 0..255
  if (compress) jpeg(rng, image, log);
  return log;
}

void rotate_quadrants(cv::Mat& image, std::vector<TextLineTruth>& lines, int n) {
  n = ((n % 4) + 4) % 4;
  for (int i = 0; i < n; ++i) {
    // Counter-clockwise quarter turn: column x becomes row (W - x), row y becomes column y.
    const auto w = static_cast<float>(image.cols);
    cv::Mat turned;
    cv::rotate(image, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    image = turned;
    for (auto& line : lines)
      for (auto& p : line.quad) p = cv::Point2f(p.y, w - p.x);
  }
}

}  // namespace synth
