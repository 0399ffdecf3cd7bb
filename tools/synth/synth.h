#pragma once
// Synthetic document generator: renders text images with exact ground truth, clean or with
// photo-like degradations. Deterministic for a given (kind, seed, degrade).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace synth {

enum class Kind { Page, Receipt, Screenshot, Line, Card };

const char* kind_name(Kind k);
bool parse_kind(const std::string& name, Kind& out);

struct TextLineTruth {
  std::string text;                    // UTF-8, exactly what was drawn
  std::array<cv::Point2f, 4> quad{};   // tl, tr, br, bl in final-image pixels (after degradation)
  // Corners are named after the text, not the image: after rotate_quadrants quad[0] is still the
  // text's top-left corner (clockwise order). Pixel (i, j) covers [i, i+1) x [j, j+1).
};

struct Sample {
  cv::Mat image;                       // BGR 8-bit
  std::vector<TextLineTruth> lines;    // in reading order (top-to-bottom, left-to-right)
  Kind kind = Kind::Page;
  bool degraded = false;
  std::string font;                    // font family name used (for per-font reports)
  std::vector<std::string> degradations;  // what degrade applied, e.g. "rotate(-3.1deg)", "jpeg(57)"
};

struct RenderOptions {
  Kind kind = Kind::Page;
  std::uint64_t seed = 1;
  bool degrade = false;        // rotation (small), perspective, blur, noise, JPEG, uneven light
  int rotate_quadrants = 0;    // 0..3: final image rotated by 90°*n counter-clockwise (truth quads follow)
};

Sample render(const RenderOptions& options);

inline Sample render(Kind kind, std::uint64_t seed, bool degrade = false, int rotate_quadrants = 0) {
  return render(RenderOptions{kind, seed, degrade, rotate_quadrants});
}

}  // namespace synth
