// A phone photograph of a permit lying on a desk: procedural desk texture, the card at any angle
// with some perspective and a soft shadow, then light, glare, darkness, blur, noise and JPEG.
// The card-to-photo homography is returned so every truth quad maps exactly.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "degrade.h"
#include "permit_draw.h"

namespace synth {
namespace {

constexpr double kPi = 3.14159265358979323846;

cv::Matx33d translation(double dx, double dy) {
  return {1, 0, dx, 0, 1, dy, 0, 0, 1};
}
cv::Matx33d scaling(double sx, double sy) {
  return {sx, 0, 0, 0, sy, 0, 0, 0, 1};
}

// Counter-clockwise as seen on screen (image y points down).
cv::Matx33d rotation(double degrees) {
  const double a = degrees * kPi / 180, c = std::cos(a), s = std::sin(a);
  return {c, s, 0, -s, c, 0, 0, 0, 1};
}

double polygon_area(const std::array<cv::Point2f, 4>& q) {
  double a = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const cv::Point2f p = q[i], n = q[(i + 1) % 4];
    a += static_cast<double>(p.x) * n.y - static_cast<double>(n.x) * p.y;
  }
  return std::abs(a) / 2;
}

std::array<cv::Point2f, 4> card_corners(cv::Size size) {
  const auto w = static_cast<float>(size.width), h = static_cast<float>(size.height);
  return {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
}

std::array<cv::Point2f, 4> mapped(const cv::Matx33d& m, const std::array<cv::Point2f, 4>& q) {
  std::array<cv::Point2f, 4> out;
  for (std::size_t i = 0; i < 4; ++i) out[i] = map_point(m, q[i]);
  return out;
}

// --- desks -------------------------------------------------------------------------------------

// Smooth random field in [0, 1): coarse uniform noise interpolated up.
cv::Mat smooth_noise(cv::RNG& r, cv::Size size, int cell) {
  cv::Mat coarse(size.height / cell + 3, size.width / cell + 3, CV_32FC1);
  r.fill(coarse, cv::RNG::UNIFORM, 0.0, 1.0);
  cv::Mat full;
  cv::resize(coarse, full, cv::Size(coarse.cols * cell, coarse.rows * cell), 0, 0, cv::INTER_CUBIC);
  return full(cv::Rect(cell, cell, size.width, size.height)).clone();
}

cv::Mat gaussian_field(cv::RNG& r, cv::Size size, double sigma) {
  cv::Mat n(size, CV_32FC1);
  r.fill(n, cv::RNG::NORMAL, 0.0, sigma);
  return n;
}

// Multiplies a base colour by a per-pixel brightness field, adding grain.
cv::Mat tinted(cv::Scalar base, const cv::Mat& brightness, const cv::Mat& grain) {
  cv::Mat out(brightness.size(), CV_32FC3);
  for (int y = 0; y < out.rows; ++y) {
    const auto* b = brightness.ptr<float>(y);
    const auto* g = grain.ptr<float>(y);
    auto* o = out.ptr<cv::Vec3f>(y);
    for (int x = 0; x < out.cols; ++x)
      for (int c = 0; c < 3; ++c) o[x][c] = static_cast<float>(base[c] * b[x] + g[x]);
  }
  return out;
}

// Planks with long grain streaks (noise stretched along the grain), faint rings and seams.
cv::Mat wood(Rng& rng, cv::RNG& r, cv::Size size) {
  const cv::Scalar base(rng.uniform(35, 70), rng.uniform(65, 100), rng.uniform(105, 150));
  const bool vertical = rng.chance(0.5);
  const cv::Size s = vertical ? cv::Size(size.height, size.width) : size;  // grain runs along x of s
  auto streaks = [&](int along, int across) {
    cv::Mat small(s.height / across + 2, s.width / along + 2, CV_32FC1), full;
    r.fill(small, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::resize(small, full, s, 0, 0, cv::INTER_CUBIC);
    return full;
  };
  const cv::Mat fine = streaks(40, 2), coarse = streaks(160, 14), warp = smooth_noise(r, s, 220);
  const double period = rng.uniform(30, 70);
  const int plank = rng.range(180, 340), offset = rng.range(0, plank);
  cv::Mat bright(s, CV_32FC1);
  for (int y = 0; y < s.height; ++y) {
    const auto* f = fine.ptr<float>(y);
    const auto* c = coarse.ptr<float>(y);
    const auto* w = warp.ptr<float>(y);
    auto* b = bright.ptr<float>(y);
    const bool seam = (y + offset) % plank < 2;
    for (int x = 0; x < s.width; ++x) {
      const double ring = std::sin(2 * kPi * (y + 45.0 * w[x]) / period);
      b[x] = static_cast<float>((1.0 + 0.12 * (f[x] - 0.5) + 0.22 * (c[x] - 0.5) + 0.05 * ring) * (seam ? 0.65 : 1.0));
    }
  }
  if (vertical) cv::transpose(bright, bright);
  return tinted(base, bright, gaussian_field(r, size, 2.0));
}

cv::Mat fabric(Rng& rng, cv::RNG& r, cv::Size size) {
  constexpr std::array<std::array<int, 3>, 5> kCloth = {
      {{120, 70, 40}, {90, 90, 95}, {50, 90, 60}, {50, 50, 130}, {140, 120, 110}}};
  const auto& c = kCloth[static_cast<std::size_t>(rng.range(0, static_cast<int>(kCloth.size()) - 1))];
  const cv::Scalar base(c[0], c[1], c[2]);
  const double period = rng.uniform(3.5, 7.0);
  const cv::Mat folds = smooth_noise(r, size, 260);
  cv::Mat bright(size, CV_32FC1);
  for (int y = 0; y < size.height; ++y) {
    const auto* f = folds.ptr<float>(y);
    auto* b = bright.ptr<float>(y);
    for (int x = 0; x < size.width; ++x)
      b[x] = static_cast<float>(1.0 + 0.09 * std::sin(2 * kPi * x / period) * std::sin(2 * kPi * y / period) +
                                0.22 * (f[x] - 0.5));
  }
  return tinted(base, bright, gaussian_field(r, size, 5.0));
}

cv::Mat paper(Rng& rng, cv::RNG& r, cv::Size size) {
  const double level = rng.uniform(205, 240);
  const cv::Scalar base(level - rng.uniform(0, 14), level - rng.uniform(0, 6), level);
  const cv::Mat blotch = smooth_noise(r, size, 300);
  cv::Mat bright = 1.0 + 0.06 * (blotch - 0.5);
  return tinted(base, bright, gaussian_field(r, size, 2.5));
}

cv::Mat dark(Rng& rng, cv::RNG& r, cv::Size size) {
  const double level = rng.uniform(18, 45);
  const cv::Mat tone = smooth_noise(r, size, 350);
  cv::Mat bright = 1.0 + 0.35 * (tone - 0.5);
  return tinted(cv::Scalar(level, level, level * rng.uniform(0.95, 1.1)), bright, gaussian_field(r, size, 4.0));
}

cv::Mat stone(Rng& rng, cv::RNG& r, cv::Size size) {
  const double level = rng.uniform(110, 175);
  cv::Mat speckle = gaussian_field(r, size, 16.0);
  cv::GaussianBlur(speckle, speckle, cv::Size(0, 0), 0.9);
  const cv::Mat tone = smooth_noise(r, size, 220);
  cv::Mat bright = 1.0 + 0.15 * (tone - 0.5);
  return tinted(cv::Scalar(level, level * 1.01, level * 1.03), bright, speckle);
}

cv::Mat desk(Rng& rng, cv::Size size, std::string& name) {
  cv::RNG r(rng.next());
  const int style = rng.range(0, 4);
  switch (style) {
    case 0:
      name = "wood";
      return wood(rng, r, size);
    case 1:
      name = "fabric";
      return fabric(rng, r, size);
    case 2:
      name = "paper";
      return paper(rng, r, size);
    case 3:
      name = "dark";
      return dark(rng, r, size);
    default:
      name = "stone";
      return stone(rng, r, size);
  }
}

// --- placement ---------------------------------------------------------------------------------

struct Placement {
  cv::Matx33d h;  // card -> frame
  double degrees = 0, coverage = 0, scale = 1;
  bool tilted = false;
};

// Perspective in card space, rotation about the card centre, then the scale that gives the
// drawn coverage (card area / frame area) and a position that keeps the card in the frame.
Placement place(Rng& rng, cv::Size frame, cv::Size card, double degrees, bool tilt, double coverage_roll,
                double position_x, double position_y) {
  Placement p;
  p.tilted = tilt;
  p.degrees = degrees;
  const auto corners = card_corners(card);
  cv::Matx33d persp = cv::Matx33d::eye();
  if (tilt) {
    const double j = rng.uniform(0.02, 0.07);
    std::array<cv::Point2f, 4> dst = corners;
    for (auto& c : dst) {
      c.x += static_cast<float>(rng.uniform(-j, j) * card.width);
      c.y += static_cast<float>(rng.uniform(-j, j) * card.height);
    }
    persp = cv::Matx33d(cv::getPerspectiveTransform(corners.data(), dst.data()));
  }
  const cv::Matx33d m1 = rotation(p.degrees) * translation(-card.width / 2.0, -card.height / 2.0) * persp;
  const auto q = mapped(m1, corners);
  float min_x = 1e9f, min_y = 1e9f, max_x = -1e9f, max_y = -1e9f;
  for (const auto& c : q) {
    min_x = std::min(min_x, c.x);
    max_x = std::max(max_x, c.x);
    min_y = std::min(min_y, c.y);
    max_y = std::max(max_y, c.y);
  }
  const double margin = 0.02 * std::min(frame.width, frame.height);
  const double frame_area = static_cast<double>(frame.width) * frame.height;
  const double fit =
      std::min((frame.width - 2 * margin) / (max_x - min_x), (frame.height - 2 * margin) / (max_y - min_y));
  const double area1 = polygon_area(q);
  const double c_max = std::min(0.95, fit * fit * area1 / frame_area), c_min = 0.25;
  p.coverage = c_max <= c_min ? c_max : c_min + coverage_roll * (c_max - c_min);
  p.scale = std::sqrt(p.coverage * frame_area / area1);
  const double lo_x = margin - p.scale * min_x, hi_x = frame.width - margin - p.scale * max_x;
  const double lo_y = margin - p.scale * min_y, hi_y = frame.height - margin - p.scale * max_y;
  p.h = translation(lo_x + position_x * std::max(0.0, hi_x - lo_x), lo_y + position_y * std::max(0.0, hi_y - lo_y)) *
        scaling(p.scale, p.scale) * m1;
  return p;
}

// Warps a card-sized image into the frame, shrinking it first (area filter) when the card gets
// smaller so fine print does not alias.
cv::Mat warp_card(const cv::Mat& src, const cv::Matx33d& h, double scale, cv::Size frame, int interpolation) {
  cv::Mat from = src;
  cv::Matx33d m = h;
  if (scale < 0.95) {
    cv::resize(src, from, cv::Size(), scale, scale, cv::INTER_AREA);
    m = h * scaling(static_cast<double>(src.cols) / from.cols, static_cast<double>(src.rows) / from.rows);
  }
  // OpenCV samples at pixel centres: conjugate by the half-pixel shift of the quad convention.
  const cv::Matx33d centred = translation(-0.5, -0.5) * m * translation(0.5, 0.5);
  cv::Mat out;
  cv::warpPerspective(from, out, cv::Mat(centred), frame, interpolation, cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

// --- light -------------------------------------------------------------------------------------

// A bright elliptical highlight on the glossy card (weaker on the matte desk).
void glare(Rng& rng, cv::Mat& f, const cv::Mat& card_alpha, const cv::Matx33d& h, cv::Size card) {
  const cv::Point2f centre = map_point(h, cv::Point2f(static_cast<float>(rng.uniform(0.1, 0.9) * card.width),
                                                      static_cast<float>(rng.uniform(0.1, 0.9) * card.height)));
  const double a = rng.uniform(0.06, 0.22) * std::min(f.cols, f.rows), b = a * rng.uniform(0.3, 0.8);
  const double angle = rng.uniform(0, kPi), strength = rng.uniform(0.55, 0.95);
  const double ca = std::cos(angle), sa = std::sin(angle);
  const int reach = static_cast<int>(3 * a);
  const cv::Rect box = cv::Rect(cvRound(centre.x) - reach, cvRound(centre.y) - reach, 2 * reach, 2 * reach) &
                       cv::Rect(0, 0, f.cols, f.rows);
  for (int y = box.y; y < box.y + box.height; ++y) {
    auto* px = f.ptr<cv::Vec3f>(y);
    const auto* m = card_alpha.ptr<float>(y);
    for (int x = box.x; x < box.x + box.width; ++x) {
      const double dx = x + 0.5 - centre.x, dy = y + 0.5 - centre.y;
      const double u = (dx * ca + dy * sa) / a, v = (-dx * sa + dy * ca) / b;
      const double k = strength * std::min(1.0, 1.6 * std::exp(-1.2 * (u * u + v * v))) * (0.25 + 0.75 * m[x]);
      for (int c = 0; c < 3; ++c) px[x][c] += static_cast<float>((255.0 - px[x][c]) * k);
    }
  }
}

}  // namespace

PermitPhoto photograph_permit(const PermitCard& card, Rng& rng) {
  return photograph_document(card.image, permit_card_mask(), card.text_px, rng);
}

PermitPhoto photograph_document(const cv::Mat& document, const cv::Mat& coverage_mask, int text_px_printed, Rng& rng) {
  // Choose the subset first so strengths never shift which steps are picked.
  // Mostly near a quarter turn (a hand-held phone), sometimes any angle.
  const double quarter = 90.0 * rng.range(0, 3) * (rng.chance(0.5) ? 0 : 1);
  const double degrees =
      rng.chance(0.65) ? std::fmod(quarter + rng.uniform(-12, 12) + 360.0, 360.0) : rng.uniform(0, 360);
  // The phone is usually turned to match the card; not always.
  const double rad = degrees * kPi / 180;
  const bool card_upright = std::abs(std::sin(rad)) > std::abs(std::cos(rad));
  const bool portrait_frame = rng.chance(0.85) ? card_upright : !card_upright;
  const bool tilt = rng.chance(0.55), light = rng.chance(0.7), shine = rng.chance(0.45);
  const bool dim = rng.chance(0.25), grain = dim || rng.chance(0.65), compress = rng.chance(0.8);
  const double soften = rng.uniform(0, 1);
  // sqrt leans towards the larger coverages that real card photos have.
  const double coverage_roll = std::sqrt(rng.uniform(0, 1)), position_x = rng.uniform(0, 1),
               position_y = rng.uniform(0, 1);
  const cv::Size frame = portrait_frame ? cv::Size(1200, 1600) : cv::Size(1600, 1200);

  PermitPhoto photo;
  std::string desk_name;
  cv::Mat f = desk(rng, frame, desk_name);
  const Placement p = place(rng, frame, document.size(), degrees, tilt, coverage_roll, position_x, position_y);
  photo.homography = p.h;

  cv::Mat mask;
  coverage_mask.convertTo(mask, CV_32FC1, 1.0 / 255);
  const cv::Mat alpha = warp_card(mask, p.h, p.scale, frame, cv::INTER_LINEAR);
  // Soft shadow: the card's outline, offset and blurred, darkens the desk.
  cv::Mat shadow =
      warp_card(mask, translation(rng.uniform(-14, 14), rng.uniform(4, 22)) * p.h, p.scale, frame, cv::INTER_LINEAR);
  const double shadow_sigma = rng.uniform(6, 18), shadow_depth = rng.uniform(0.2, 0.45);
  cv::GaussianBlur(shadow, shadow, cv::Size(0, 0), shadow_sigma);
  cv::Mat card_f;
  warp_card(document, p.h, p.scale, frame, cv::INTER_LINEAR).convertTo(card_f, CV_32FC3);
  for (int y = 0; y < frame.height; ++y) {
    auto* d = f.ptr<cv::Vec3f>(y);
    const auto* c = card_f.ptr<cv::Vec3f>(y);
    const auto* a = alpha.ptr<float>(y);
    const auto* s = shadow.ptr<float>(y);
    for (int x = 0; x < frame.width; ++x) {
      const float keep = 1.0f - static_cast<float>(shadow_depth) * s[x];
      d[x] = d[x] * keep * (1.0f - a[x]) + c[x] * a[x];
    }
  }

  std::vector<std::string> log;  // the building blocks' own descriptions (unused here)
  const int text_px = std::max(8, static_cast<int>(text_px_printed * p.scale));
  if (light) photo_lighting(rng, f, log);
  if (shine) glare(rng, f, alpha, p.h, document.size());
  if (dim) f *= rng.uniform(0.35, 0.65);
  const bool blur = soften < 0.35, motion = soften >= 0.35 && soften < 0.5;
  if (blur) photo_gaussian_blur(rng, f, text_px, log);
  if (motion) photo_motion_blur(rng, f, text_px, log);
  if (grain) photo_noise(rng, f, log);
  f.convertTo(photo.image, CV_8UC3);
  int quality = 0;
  if (compress) {
    quality = rng.range(40, 95);
    std::vector<unsigned char> bytes;
    cv::imencode(".jpg", photo.image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
    photo.image = cv::imdecode(bytes, cv::IMREAD_COLOR);
  }

  char head[96];
  std::snprintf(head, sizeof head, "photo:bg=%s,rot=%.0f,cov=%.2f", desk_name.c_str(), p.degrees, p.coverage);
  photo.difficulty = head;
  if (tilt) photo.difficulty += ",persp";
  if (light) photo.difficulty += ",light";
  if (shine) photo.difficulty += ",glare";
  if (dim) photo.difficulty += ",dark";
  if (blur) photo.difficulty += ",blur";
  if (motion) photo.difficulty += ",motion";
  if (grain) photo.difficulty += ",noise";
  if (compress) photo.difficulty += ",jpeg=" + std::to_string(quality);
  return photo;
}

}  // namespace synth
