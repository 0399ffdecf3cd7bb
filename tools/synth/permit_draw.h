#pragma once
// Internals of render_permit: drawing one side of a card, and photographing it on a desk.
#include <array>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "fonts.h"
#include "identity.h"
#include "permit.h"
#include "rng.h"

namespace synth {

inline constexpr int kPermitWidth = 1000;  // ID-1 (85.6 x 54 mm) at ~297 dpi
inline constexpr int kPermitHeight = 630;
inline constexpr int kPermitCornerRadius = 37;  // 3.18 mm

struct PermitCard {
  cv::Mat image;                     // kPermitWidth x kPermitHeight, BGR; outside the rounded corners white
  std::vector<TextLineTruth> lines;  // card pixels
  cv::Rect portrait;                 // empty on backs
  int text_px = 24;                  // typical text size (bounds blur in the photograph)
};

PermitCard draw_permit_card(const ident::Identity& id, Side side, Rng& rng, FontSession& fonts);

// Corners of a rectangle as a truth quad: tl, tr, br, bl.
inline std::array<cv::Point2f, 4> rect_corners(cv::Rect r) {
  const auto x0 = static_cast<float>(r.x), y0 = static_cast<float>(r.y);
  const auto x1 = static_cast<float>(r.x + r.width), y1 = static_cast<float>(r.y + r.height);
  return {cv::Point2f(x0, y0), cv::Point2f(x1, y0), cv::Point2f(x1, y1), cv::Point2f(x0, y1)};
}

// The permits' printing, for other documents drawn the same way (passport data pages): a tinted
// gradient under guilloche lines, a head-and-shoulders portrait, OCR-B for machine zones, a lightened
// clear zone behind them.
void paint_security_background(Rng& rng, cv::Mat& image, cv::Scalar left, cv::Scalar right, cv::Scalar ink);
void paint_portrait(Rng& rng, cv::Mat& image, cv::Rect box);
const FontInfo* machine_zone_font();
void calm_band(cv::Mat& image, cv::Rect band);

// Anti-aliased rounded-card coverage mask (CV_8UC1, 255 inside).
cv::Mat permit_card_mask();

struct PermitPhoto {
  cv::Mat image;           // the photograph, BGR
  cv::Matx33d homography;  // card pixel-corner coordinates -> photograph pixel-corner coordinates
  std::string difficulty;  // "photo:bg=wood,rot=137,cov=0.52,persp,glare,jpeg=61"
};

// Lays the card on a desk (wood, fabric, paper, dark, stone) covering 25-95% of a 1600x1200 or
// 1200x1600 frame at any angle, with perspective, shadow, light, glare, blur, noise and JPEG.
PermitPhoto photograph_permit(const PermitCard& card, Rng& rng);

// The same for any flat document: `coverage_mask` (CV_8UC1, the document's size, 255 inside) shapes
// its outline; `text_px` is its typical print size in document pixels.
PermitPhoto photograph_document(const cv::Mat& document, const cv::Mat& coverage_mask, int text_px, Rng& rng);

}  // namespace synth
