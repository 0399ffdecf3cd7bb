#pragma once
// Per-kind layouts: each draws a clean image and its truth lines in reading order.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "fonts.h"
#include "rng.h"
#include "synth.h"
#include "text.h"

namespace synth {

// Fonts of one sample: a CJK SC family (always) and optionally a Latin family that draws the
// lines without CJK characters.
struct FontPlan {
  const FontInfo* cjk = nullptr;
  const FontInfo* cjk_bold = nullptr;
  const FontInfo* latin = nullptr;
  const FontInfo* latin_bold = nullptr;

  TextStyle style(int px, cv::Scalar color, bool bold = false) const;
};

struct FontOdds {
  double serif = 0.0;  // CJK serif instead of sans
  double mono = 0.0;   // CJK mono instead of sans
  double latin = 0.0;  // a Latin-only family for the non-CJK lines
};
FontPlan choose_fonts(Rng& rng, const FontOdds& odds);

struct Layout {
  cv::Mat image;                     // BGR 8-bit
  std::vector<TextLineTruth> lines;  // reading order
  std::string font;
  cv::Scalar table{128, 128, 128};   // surroundings shown when the degraded photo is rotated
  int text_px = 20;                  // typical (median) text pixel size
  bool gentle = false;               // single-line crop: milder geometry
};

Layout layout_page(Rng& rng, FontSession& fonts);
Layout layout_receipt(Rng& rng, FontSession& fonts);
Layout layout_screenshot(Rng& rng, FontSession& fonts);
Layout layout_line(Rng& rng, FontSession& fonts);
Layout layout_card(Rng& rng, FontSession& fonts);

// Shared helpers.
int ascent_px(int px);   // ceil(kAscent * px)
int descent_px(int px);  // ceil(kDescent * px)
cv::Scalar grey(int level);
cv::Scalar desk_colour(Rng& rng);
void fill_rounded_rect(cv::Mat& image, cv::Rect rect, int radius, cv::Scalar colour);
void stroke_rounded_rect(cv::Mat& image, cv::Rect rect, int radius, cv::Scalar colour, int thickness);

}  // namespace synth
