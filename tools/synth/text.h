#pragma once
// Text drawing with FreeType glyphs: measuring, alpha-blended drawing, line wrapping, and the
// ground-truth box of every drawn line.
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "fonts.h"
#include "synth.h"

namespace synth {

// Truth box of a line, relative to the baseline, as fractions of the pixel size: the em box of CJK
// glyphs (top ~0.88) and Latin descenders (~0.21) both fit; the box also grows to the actual ink.
inline constexpr double kAscent = 0.90;
inline constexpr double kDescent = 0.22;

struct TextStyle {
  const FontInfo* font = nullptr;      // primary font (may be Latin-only)
  const FontInfo* fallback = nullptr;  // CJK font: used for lines with CJK text and missing glyphs
  int px = 24;                         // pixel size (em height)
  cv::Scalar color{0, 0, 0};           // BGR
};

std::u32string decode_utf8(std::string_view text);
bool is_cjk(char32_t c);  // CJK ideographs and full-width punctuation
bool has_cjk(std::string_view text);

class Writer {
 public:
  Writer(FontSession& fonts, cv::Mat& canvas, std::vector<TextLineTruth>& lines)
      : fonts_(fonts), canvas_(canvas), lines_(lines) {}

  // Advance width of the text in pixels.
  int width(const TextStyle& style, std::string_view text);

  // Draws the text with its pen starting at x on the baseline, and records its truth line.
  void draw(const TextStyle& style, std::string_view text, int x, int baseline);
  void draw_centered(const TextStyle& style, std::string_view text, int center_x, int baseline);
  void draw_right(const TextStyle& style, std::string_view text, int right_x, int baseline);

  // Greedy wrap: CJK breaks between any characters, Latin at spaces; closing punctuation never
  // starts a line (it may overhang the width by one character instead).
  std::vector<std::string> wrap(const TextStyle& style, std::string_view text, int first_width,
                                int width);

  // Median pixel size of the drawn lines (0 when nothing was drawn): the "typical text height"
  // that bounds blur and downscaling.
  int typical_px() const;
  // Families that drew lines, in first-use order, joined by " + " (for per-font reports).
  std::string fonts_used() const;

 private:
  struct Placed {
    const Glyph* glyph;
    long pen;  // 26.6 offset from the line start
  };
  std::vector<Placed> shape(const TextStyle& style, std::string_view text, long& advance);
  const FontInfo* primary_font(const TextStyle& style, std::string_view text) const;

  FontSession& fonts_;
  cv::Mat& canvas_;
  std::vector<TextLineTruth>& lines_;
  std::vector<int> sizes_;  // pixel size of every drawn line
  std::vector<std::string> families_;
};

}  // namespace synth
