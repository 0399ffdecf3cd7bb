// A4 page: title, optional meta line, sections with headings, wrapped paragraphs, key/value lists
// and sometimes a two-column block; page number at the bottom.
#include <algorithm>
#include <cmath>

#include "corpus.h"
#include "layout.h"

namespace synth {
namespace {

constexpr int kPageWidth = 1240;   // A4 at 150 dpi
constexpr int kPageHeight = 1754;

// Vertical cursor over the text block; refuses lines that would cross the bottom margin.
struct Column {
  Writer& writer;
  int left;
  int right;
  int bottom;
  int y;               // baseline of the next line
  int lines = 0;       // body lines drawn
  int max_lines = 40;  // a page has ~25-40 body lines

  bool fits(int px) const { return y + descent_px(px) <= bottom && lines < max_lines; }
  bool put(const TextStyle& style, const std::string& text, int indent = 0) {
    if (!fits(style.px)) return false;
    writer.draw(style, text, left + indent, y);
    ++lines;
    return true;
  }
};

struct PageStyle {
  FontPlan fonts;
  int body_px;
  int gap;  // baseline-to-baseline distance of body lines
  cv::Scalar ink;
  cv::Scalar accent;  // headings
  bool chinese;
};

void draw_title(Rng& rng, Writer& w, const PageStyle& ps, int& y) {
  std::string text = corpus::title(rng);
  int px = std::min(54, static_cast<int>(std::lround(ps.body_px * rng.uniform(1.4, 1.8))));
  TextStyle style = ps.fonts.style(px, ps.ink, true);
  while (w.width(style, text) > kPageWidth - 260 && style.px > 28) style.px -= 2;
  y += ascent_px(style.px);
  w.draw_centered(style, text, kPageWidth / 2, y);
  y += descent_px(style.px);
  if (rng.chance(0.7)) {
    const int meta_px = std::max(18, ps.body_px - 4);
    const std::string meta = ps.chinese ? "发布日期：" + corpus::date(rng, rng.range(0, 3))
                                        : "Date: " + corpus::date(rng, 0);
    y += meta_px + ascent_px(meta_px);
    w.draw_centered(ps.fonts.style(meta_px, grey(rng.range(70, 110))), meta, kPageWidth / 2, y);
    y += descent_px(meta_px);
  }
}

void draw_paragraph(Rng& rng, Column& col, const PageStyle& ps, bool chinese) {
  const std::string text = corpus::paragraph(rng, chinese, rng.range(2, 6));
  const TextStyle style = ps.fonts.style(ps.body_px, ps.ink);
  const int indent = chinese ? 2 * ps.body_px : 0;  // Chinese paragraphs indent two characters
  const int width = col.right - col.left;
  const std::vector<std::string> lines = col.writer.wrap(style, text, width - indent, width);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!col.put(style, lines[i], i == 0 ? indent : 0)) return;
    col.y += ps.gap;
  }
  col.y += ps.gap / 3;
}

void draw_heading(Rng& rng, Column& col, const PageStyle& ps, int& number, bool chinese) {
  col.y += ps.gap / 3;
  const TextStyle style = ps.fonts.style(ps.body_px + rng.range(0, 4), ps.accent, true);
  const std::string text = corpus::heading(rng, number, chinese);
  // No orphan heading: keep room for at least two body lines below it.
  if (col.y + 2 * ps.gap + descent_px(ps.body_px) > col.bottom || col.lines + 3 > col.max_lines) return;
  if (col.put(style, text)) {
    col.y += ps.gap;
    ++number;
  }
}

void draw_list(Rng& rng, Column& col, const PageStyle& ps, bool chinese) {
  const TextStyle style = ps.fonts.style(ps.body_px, ps.ink);
  const bool numbered = rng.chance(0.5);
  const int count = rng.range(2, 5);
  for (int i = 0; i < count; ++i) {
    std::string text = corpus::key_value(rng, chinese);
    if (numbered) text = std::to_string(i + 1) + ". " + text;
    if (col.writer.width(style, text) > col.right - col.left) continue;
    if (!col.put(style, text, chinese ? 0 : ps.body_px)) return;
    col.y += ps.gap;
  }
  col.y += ps.gap / 3;
}

// Two columns of short key/value pairs, read row by row (left cell, then right cell).
void draw_two_columns(Rng& rng, Column& col, const PageStyle& ps) {
  const TextStyle style = ps.fonts.style(ps.body_px, ps.ink);
  const int gutter = std::max(60, 3 * ps.body_px);
  const int cell = (col.right - col.left - gutter) / 2;
  const int rows = rng.range(2, 4);
  for (int r = 0; r < rows && col.fits(style.px); ++r) {
    for (int c = 0; c < 2; ++c) {
      std::string text;
      for (int attempt = 0; attempt < 8; ++attempt) {
        text = corpus::key_value(rng, rng.chance(0.75));
        if (col.writer.width(style, text) <= cell) break;
        text.clear();
      }
      if (!text.empty()) col.put(style, text, c * (cell + gutter));
    }
    col.y += ps.gap;
  }
  col.y += ps.gap / 3;
}

void draw_page_number(Rng& rng, Writer& w, const PageStyle& ps, int baseline) {
  const int n = rng.range(1, 12);
  const std::string text = ps.chinese ? "第" + std::to_string(n) + "页" : "Page " + std::to_string(n);
  w.draw_centered(ps.fonts.style(std::max(16, ps.body_px - 6), grey(100)), text, kPageWidth / 2, baseline);
}

}  // namespace

Layout layout_page(Rng& rng, FontSession& fonts) {
  Layout out;
  const int paper = rng.range(246, 255);
  out.image = cv::Mat(kPageHeight, kPageWidth, CV_8UC3, cv::Scalar(paper - rng.range(0, 4), paper, paper));
  out.table = desk_colour(rng);

  PageStyle ps;
  ps.fonts = choose_fonts(rng, {.serif = 0.3, .mono = 0.0, .latin = 0.35});
  ps.body_px = rng.range(20, 32);
  // Large type gets tighter leading (as in real documents), keeping ~25-40 lines on the page.
  ps.gap = static_cast<int>(std::lround(ps.body_px * rng.uniform(1.4, 1.8 - 0.02 * (ps.body_px - 20))));
  const int ink = rng.range(0, 45);
  ps.ink = grey(ink);
  ps.accent = rng.chance(0.3) ? cv::Scalar(120, 60, 20) : ps.ink;  // dark blue headings
  ps.chinese = rng.chance(0.75);

  const int margin_x = rng.range(100, 150);
  const int top = rng.range(110, 160);
  const int bottom_margin = rng.range(120, 160);
  Writer w(fonts, out.image, out.lines);
  int y = top;
  draw_title(rng, w, ps, y);

  Column col{w, margin_x, kPageWidth - margin_x, kPageHeight - bottom_margin, y + ps.gap + ascent_px(ps.body_px)};
  const int target = rng.range(25, 40);
  bool two_columns_done = false;
  int section = 1;
  while (col.lines < target && col.fits(ps.body_px)) {
    const bool chinese = rng.chance(ps.chinese ? 0.8 : 0.25);
    if (rng.chance(0.75)) draw_heading(rng, col, ps, section, chinese);
    const int roll = rng.range(0, 9);
    if (roll < 7) {
      draw_paragraph(rng, col, ps, chinese);
      if (rng.chance(0.4)) draw_paragraph(rng, col, ps, chinese);
    } else if (roll < 8 || two_columns_done) {
      draw_list(rng, col, ps, chinese);
    } else {
      draw_two_columns(rng, col, ps);
      two_columns_done = true;
    }
  }
  draw_page_number(rng, w, ps, kPageHeight - bottom_margin / 2);
  out.font = w.fonts_used();
  out.text_px = w.typical_px();
  return out;
}

}  // namespace synth
