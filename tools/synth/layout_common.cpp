#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "layout.h"

namespace synth {

TextStyle FontPlan::style(int px, cv::Scalar color, bool bold) const {
  TextStyle s;
  s.fallback = bold ? cjk_bold : cjk;
  s.font = bold ? latin_bold : latin;
  if (s.font == nullptr) s.font = s.fallback;
  s.px = px;
  s.color = color;
  return s;
}


namespace {

std::vector<const FontInfo*> regular_fonts(bool cjk, bool serif, bool mono) {
  std::vector<const FontInfo*> out;
  for (const auto& f : font_catalog())
    if (f.cjk == cjk && !f.bold && f.serif == serif && f.mono == mono) out.push_back(&f);
  return out;
}

const FontInfo* bold_of(const FontInfo* regular) {
  const FontInfo* bold = find_font(regular->family, true);
  return bold ? bold : regular;
}

}  // namespace

FontPlan choose_fonts(Rng& rng, const FontOdds& odds) {
  // Draw every choice up front so the random stream does not depend on which fonts exist.
  const double style_roll = rng.uniform(0, 1);
  const bool want_latin = rng.chance(odds.latin);
  const std::uint64_t latin_roll = rng.next();

  bool serif = style_roll < odds.serif;
  bool mono = !serif && style_roll < odds.serif + odds.mono;
  std::vector<const FontInfo*> cjk = regular_fonts(true, serif, mono);
  if (cjk.empty()) {
    serif = mono = false;
    cjk = regular_fonts(true, false, false);
  }
  if (cjk.empty())  // only unusual SC faces installed: take any
    for (const auto& f : font_catalog())
      if (f.cjk) cjk.push_back(&f);

  FontPlan plan;
  plan.cjk = cjk.front();
  plan.cjk_bold = bold_of(plan.cjk);
  if (want_latin) {
    // Same style family as the CJK face so a document looks typeset by one hand.
    const std::vector<const FontInfo*> latin = regular_fonts(false, serif, mono);
    if (!latin.empty()) {
      plan.latin = latin[static_cast<std::size_t>(latin_roll % latin.size())];
      plan.latin_bold = bold_of(plan.latin);
    }
  }
  return plan;
}

int ascent_px(int px) { return static_cast<int>(std::ceil(kAscent * px)); }
int descent_px(int px) { return static_cast<int>(std::ceil(kDescent * px)); }

cv::Scalar grey(int level) { return cv::Scalar(level, level, level); }

cv::Scalar desk_colour(Rng& rng) {
  constexpr std::array<std::array<int, 3>, 6> kDesks = {{
      {62, 94, 136},    // wood
      {110, 112, 115},  // grey desk
      {40, 40, 44},     // dark table
      {160, 170, 178},  // light laminate
      {90, 120, 150},   // light wood
      {70, 60, 55},     // dark blue-grey cloth
  }};
  const auto& d = kDesks[static_cast<std::size_t>(rng.range(0, static_cast<int>(kDesks.size()) - 1))];
  const int jitter = rng.range(-12, 12);
  return cv::Scalar(d[0] + jitter, d[1] + jitter, d[2] + jitter);
}

void fill_rounded_rect(cv::Mat& image, cv::Rect rect, int radius, cv::Scalar colour) {
  radius = std::min({radius, rect.width / 2, rect.height / 2});
  cv::rectangle(image, cv::Rect(rect.x + radius, rect.y, rect.width - 2 * radius, rect.height), colour, cv::FILLED);
  cv::rectangle(image, cv::Rect(rect.x, rect.y + radius, rect.width, rect.height - 2 * radius), colour, cv::FILLED);
  const int r = radius;
  for (cv::Point c : {cv::Point(rect.x + r, rect.y + r), cv::Point(rect.x + rect.width - 1 - r, rect.y + r),
                      cv::Point(rect.x + r, rect.y + rect.height - 1 - r),
                      cv::Point(rect.x + rect.width - 1 - r, rect.y + rect.height - 1 - r)})
    cv::circle(image, c, r, colour, cv::FILLED, cv::LINE_AA);
}

void stroke_rounded_rect(cv::Mat& image, cv::Rect rect, int radius, cv::Scalar colour, int thickness) {
  radius = std::min({radius, rect.width / 2, rect.height / 2});
  const int r = radius;
  const int x0 = rect.x, y0 = rect.y, x1 = rect.x + rect.width - 1, y1 = rect.y + rect.height - 1;
  cv::line(image, {x0 + r, y0}, {x1 - r, y0}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x0 + r, y1}, {x1 - r, y1}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x0, y0 + r}, {x0, y1 - r}, colour, thickness, cv::LINE_AA);
  cv::line(image, {x1, y0 + r}, {x1, y1 - r}, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x0 + r, y0 + r}, {r, r}, 0, 180, 270, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x1 - r, y0 + r}, {r, r}, 0, 270, 360, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x1 - r, y1 - r}, {r, r}, 0, 0, 90, colour, thickness, cv::LINE_AA);
  cv::ellipse(image, {x0 + r, y1 - r}, {r, r}, 0, 90, 180, colour, thickness, cv::LINE_AA);
}

}  // namespace synth
