#include "text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace synth {
namespace {

int round_26_6(long v) { return static_cast<int>((v + 32) >> 6); }

// Characters that must not begin a line (Chinese typesetting rule, and ASCII punctuation).
bool is_closing(char32_t c) {
  constexpr std::u32string_view kClosing = U"，。、；：！？）》”’】,.;:!?)]%";
  return kClosing.find(c) != std::u32string_view::npos;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Alpha-blends a coverage bitmap in `color` with its top-left corner at (x, y), clipped.
void blend(cv::Mat& canvas, const cv::Mat& alpha, int x, int y, const cv::Scalar& color) {
  const cv::Rect area = cv::Rect(x, y, alpha.cols, alpha.rows) & cv::Rect(0, 0, canvas.cols, canvas.rows);
  for (int r = area.y; r < area.y + area.height; ++r) {
    const auto* a = alpha.ptr<unsigned char>(r - y);
    auto* px = canvas.ptr<cv::Vec3b>(r);
    for (int c = area.x; c < area.x + area.width; ++c) {
      const int k = a[c - x];
      if (k == 0) continue;
      for (int ch = 0; ch < 3; ++ch) {
        const int dst = px[c][ch];
        const int src = static_cast<int>(color[ch]);
        px[c][ch] = static_cast<unsigned char>(dst + ((src - dst) * k + 127) / 255);
      }
    }
  }
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    int extra = 0;
    char32_t c = b;
    if (b >= 0xF0) {
      extra = 3;
      c = b & 0x07;
    } else if (b >= 0xE0) {
      extra = 2;
      c = b & 0x0F;
    } else if (b >= 0xC0) {
      extra = 1;
      c = b & 0x1F;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size() && extra > 0)
      throw std::runtime_error("synth: truncated UTF-8 text");
    for (int k = 1; k <= extra; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]) & 0x3F);
    out += c;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
         c == 0x201C || c == 0x201D;  // curly quotes: Chinese-context punctuation here
}

bool has_cjk(std::string_view text) {
  const std::u32string cps = decode_utf8(text);
  return std::any_of(cps.begin(), cps.end(), is_cjk);
}

const FontInfo* Writer::primary_font(const TextStyle& style, std::string_view text) const {
  // Latin-only fonts never draw lines that contain CJK text.
  return (has_cjk(text) || style.font == nullptr) ? style.fallback : style.font;
}

int Writer::typical_px() const {
  if (sizes_.empty()) return 0;
  std::vector<int> sorted = sizes_;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2), sorted.end());
  return sorted[sorted.size() / 2];
}

std::string Writer::fonts_used() const {
  std::string out;
  for (const std::string& f : families_) out += (out.empty() ? "" : " + ") + f;
  return out;
}

std::vector<Writer::Placed> Writer::shape(const TextStyle& style, std::string_view text, long& advance) {
  const FontInfo* primary = primary_font(style, text);
  std::vector<Placed> placed;
  long pen = 0;
  const FontInfo* prev_font = nullptr;
  unsigned prev_index = 0;
  for (char32_t c : decode_utf8(text)) {
    const FontInfo* font = primary;
    const Glyph* g = fonts_.glyph(*font, style.px, c);
    if (g == nullptr && style.fallback != nullptr) {
      font = style.fallback;
      g = fonts_.glyph(*font, style.px, c);
    }
    if (g == nullptr) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "synth: no installed font has U+%04X", static_cast<unsigned>(c));
      throw std::runtime_error(buf);
    }
    if (font == prev_font) pen += fonts_.kerning(*font, style.px, prev_index, g->index);
    placed.push_back({g, pen});
    pen += g->advance;
    prev_font = font;
    prev_index = g->index;
  }
  advance = pen;
  return placed;
}

int Writer::width(const TextStyle& style, std::string_view text) {
  long advance = 0;
  shape(style, text, advance);
  return round_26_6(advance);
}

void Writer::draw(const TextStyle& style, std::string_view text, int x, int baseline) {
  long advance = 0;
  const std::vector<Placed> placed = shape(style, text, advance);
  // Truth box: pen start..pen end, ascent..descent, grown to cover every inked pixel.
  double x0 = x;
  double x1 = x + round_26_6(advance);
  double y0 = baseline - kAscent * style.px;
  double y1 = baseline + kDescent * style.px;
  for (const Placed& p : placed) {
    const Glyph& g = *p.glyph;
    if (g.alpha.empty()) continue;
    const int gx = x + round_26_6(p.pen) + g.left;
    const int gy = baseline - g.top;
    blend(canvas_, g.alpha, gx, gy, style.color);
    x0 = std::min<double>(x0, gx);
    x1 = std::max<double>(x1, gx + g.alpha.cols);
    y0 = std::min<double>(y0, gy);
    y1 = std::max<double>(y1, gy + g.alpha.rows);
  }
  TextLineTruth truth;
  truth.text = std::string(text);
  const auto fx0 = static_cast<float>(x0), fx1 = static_cast<float>(x1);
  const auto fy0 = static_cast<float>(y0), fy1 = static_cast<float>(y1);
  truth.quad = {cv::Point2f(fx0, fy0), cv::Point2f(fx1, fy0), cv::Point2f(fx1, fy1), cv::Point2f(fx0, fy1)};
  lines_.push_back(std::move(truth));
  sizes_.push_back(style.px);
  const std::string& family = primary_font(style, text)->family;
  if (std::find(families_.begin(), families_.end(), family) == families_.end()) families_.push_back(family);
}

void Writer::draw_centered(const TextStyle& style, std::string_view text, int center_x, int baseline) {
  draw(style, text, center_x - width(style, text) / 2, baseline);
}

void Writer::draw_right(const TextStyle& style, std::string_view text, int right_x, int baseline) {
  draw(style, text, right_x - width(style, text), baseline);
}

std::vector<std::string> Writer::wrap(const TextStyle& style, std::string_view text, int first_width,
                                      int width_limit) {
  // Tokens: one CJK character, or a run of non-space non-CJK characters (a word).
  std::vector<std::string> lines;
  std::string current;
  std::string token;
  bool space_before = false;
  bool token_space_before = false;
  auto flush_token = [&]() {
    if (token.empty()) return;
    const std::string candidate = current + (token_space_before && !current.empty() ? " " : "") + token;
    const int limit = lines.empty() ? first_width : width_limit;
    const bool closing = is_closing(decode_utf8(token).front());
    if (current.empty() || closing || width(style, candidate) <= limit) {
      current = candidate;
    } else {
      lines.push_back(current);
      current = token;
    }
    token.clear();
  };
  for (char32_t c : decode_utf8(text)) {
    if (c == U' ') {
      flush_token();
      space_before = true;
      continue;
    }
    if (is_cjk(c)) flush_token();
    if (token.empty()) {
      token_space_before = space_before;
      space_before = false;
    }
    append_utf8(token, c);
    if (is_cjk(c)) flush_token();
  }
  flush_token();
  if (!current.empty()) lines.push_back(current);
  return lines;
}

}  // namespace synth
