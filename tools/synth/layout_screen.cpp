// Screen-like images: an application screenshot (header bar, optional sidebar and tabs, list rows,
// buttons) and single text-line crops.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include <opencv2/imgproc.hpp>

#include "corpus.h"
#include "layout.h"

namespace synth {
namespace {

constexpr int kScreenWidth = 1280;
constexpr int kScreenHeight = 720;

// Brand colours of common UI kits (BGR); white text on them stays readable.
constexpr std::array<std::array<int, 3>, 7> kPrimaries = {{
    {255, 119, 22},  // blue
    {96, 160, 7},    // green
    {193, 66, 111},  // purple
    {47, 41, 36},    // near black
    {62, 54, 217},   // red
    {110, 118, 15},  // teal
    {12, 88, 224},   // orange
}};

cv::Scalar mix(cv::Scalar a, cv::Scalar b, double t) { return a * (1 - t) + b * t; }

// Baseline that centres a line box of size px vertically on `centre_y`.
int centred_baseline(int centre_y, int px) {
  return centre_y + static_cast<int>(std::lround((kAscent - kDescent) / 2 * px));
}

struct Screen {
  cv::Mat& image;
  Writer& w;
  const FontPlan& fonts;
  cv::Scalar primary;
  bool chinese;  // UI language
};

// Distinct picks from a list in random order, preferring the UI language (an English UI can
// still show Chinese content in its rows).
std::vector<std::string> distinct(Rng& rng, std::span<const std::string_view> items, int count, bool chinese) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<std::size_t>(rng.range(0, static_cast<int>(i) - 1))]);
  std::stable_partition(order.begin(), order.end(), [&](std::size_t k) { return has_cjk(items[k]) == chinese; });
  std::vector<std::string> out;
  for (int i = 0; i < count && i < static_cast<int>(order.size()); ++i)
    out.emplace_back(items[order[static_cast<std::size_t>(i)]]);
  return out;
}

int draw_header(Rng& rng, Screen& s) {
  const int height = rng.range(56, 72);
  cv::rectangle(s.image, cv::Rect(0, 0, kScreenWidth, height), s.primary, cv::FILLED);
  int x = 24;
  if (rng.chance(0.5)) {  // app logo: a plain disc (a hamburger icon would read as "三")
    cv::circle(s.image, {37, height / 2}, 13, cv::Scalar(255, 255, 255), cv::FILLED, cv::LINE_AA);
    x = 64;
  }
  const int title_px = rng.range(22, 28);
  const std::string title = distinct(rng, corpus::app_titles(), 1, s.chinese).front();
  s.w.draw(s.fonts.style(title_px, cv::Scalar(255, 255, 255), true), title, x, centred_baseline(height / 2, title_px));
  const int user_px = rng.range(18, 20);
  const std::string user = rng.chance(0.6) ? corpus::person(rng).hanzi : "Admin";
  const TextStyle user_style = s.fonts.style(user_px, cv::Scalar(255, 255, 255));
  const int user_x = kScreenWidth - 24 - s.w.width(user_style, user);
  cv::circle(s.image, {user_x - 26, height / 2}, 15, mix(s.primary, cv::Scalar(255, 255, 255), 0.6), cv::FILLED,
             cv::LINE_AA);
  s.w.draw(user_style, user, user_x, centred_baseline(height / 2, user_px));
  return height;
}

int draw_sidebar(Rng& rng, Screen& s, int top) {
  const int width = rng.range(200, 240);
  const bool dark = rng.chance(0.4);
  const cv::Scalar fill = dark ? grey(rng.range(36, 56)) : grey(rng.range(238, 246));
  cv::rectangle(s.image, cv::Rect(0, top, width, kScreenHeight - top), fill, cv::FILLED);
  const int px = rng.range(18, 21);
  const int row = rng.range(48, 56);
  const std::vector<std::string> items = distinct(rng, corpus::menu_items(), rng.range(5, 8), s.chinese);
  const int selected = rng.range(0, static_cast<int>(items.size()) - 1);
  int y = top + 16;
  for (int i = 0; i < static_cast<int>(items.size()); ++i) {
    cv::Scalar colour = dark ? grey(215) : grey(70);
    if (i == selected) {
      const cv::Scalar band = dark ? s.primary : mix(s.primary, cv::Scalar(255, 255, 255), 0.85);
      cv::rectangle(s.image, cv::Rect(8, y, width - 16, row - 6), band, cv::FILLED);
      colour = dark ? cv::Scalar(255, 255, 255) : s.primary;
    }
    s.w.draw(s.fonts.style(px, colour, i == selected), items[static_cast<std::size_t>(i)], 32,
             centred_baseline(y + (row - 6) / 2, px));
    y += row;
  }
  return width;
}

int draw_tabs(Rng& rng, Screen& s, int left, int right, int top) {
  const int px = rng.range(18, 20);
  const std::vector<std::string> tabs = distinct(rng, corpus::tab_labels(), rng.range(3, 5), s.chinese);
  const int selected = rng.range(0, static_cast<int>(tabs.size()) - 1);
  const int height = 52;
  int x = left;
  for (int i = 0; i < static_cast<int>(tabs.size()); ++i) {
    const bool on = i == selected;
    const TextStyle style = s.fonts.style(px, on ? s.primary : grey(100), on);
    const int width = s.w.width(style, tabs[static_cast<std::size_t>(i)]);
    s.w.draw(style, tabs[static_cast<std::size_t>(i)], x, centred_baseline(top + height / 2, px));
    if (on) cv::rectangle(s.image, cv::Rect(x, top + height - 4, width, 3), s.primary, cv::FILLED);
    x += width + 40;
  }
  cv::line(s.image, {left, top + height - 1}, {right, top + height - 1}, grey(225), 1);
  if (rng.chance(0.5) && x + 300 < right) {  // search box with placeholder text
    const cv::Rect box(right - 280, top + 7, 280, 38);
    stroke_rounded_rect(s.image, box, 8, grey(200), 1);
    const int ph_px = 17;
    s.w.draw(s.fonts.style(ph_px, grey(150)), s.chinese ? "搜索" : "Search", box.x + 14,
             centred_baseline(box.y + box.height / 2, ph_px));
  }
  return height;
}

void draw_rows(Rng& rng, Screen& s, cv::Rect area) {
  const int px = rng.range(19, 23);
  const int detail_px = rng.range(16, 18);
  const int row = rng.range(54, 68);
  const cv::Scalar text = grey(rng.range(35, 70));
  const cv::Scalar detail_colour = grey(rng.range(115, 140));
  for (int y = area.y; y + row <= area.y + area.height; y += row) {
    const std::string detail = corpus::row_detail(rng);
    const TextStyle detail_style = s.fonts.style(detail_px, detail_colour);
    const int detail_width = s.w.width(detail_style, detail);
    int x = area.x + 16;
    if (rng.chance(0.35)) {  // avatar / icon
      cv::circle(s.image, {x + 16, y + row / 2}, 16, mix(s.primary, cv::Scalar(255, 255, 255), 0.7), cv::FILLED,
                 cv::LINE_AA);
      x += 46;
    }
    const TextStyle style = s.fonts.style(px, text);
    std::string primary = corpus::list_row(rng);
    for (int tries = 0; tries < 4 && s.w.width(style, primary) > area.width - (x - area.x) - detail_width - 60; ++tries)
      primary = corpus::list_row(rng);
    if (s.w.width(style, primary) <= area.width - (x - area.x) - detail_width - 60)
      s.w.draw(style, primary, x, centred_baseline(y + row / 2, px));
    s.w.draw_right(detail_style, detail, area.x + area.width - 16, centred_baseline(y + row / 2, detail_px));
    cv::line(s.image, {area.x, y + row - 1}, {area.x + area.width, y + row - 1}, grey(232), 1);
  }
}

void draw_buttons(Rng& rng, Screen& s, int right, int centre_y) {
  const std::vector<std::string> labels = distinct(rng, corpus::button_labels(), rng.range(2, 3), s.chinese);
  const int px = rng.range(17, 20);
  const int height = rng.range(40, 44);
  const int pad = rng.range(22, 28);
  int x = right;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const bool filled = i == 0;  // primary action sits rightmost
    const TextStyle style = s.fonts.style(px, filled ? cv::Scalar(255, 255, 255) : grey(60));
    const int width = s.w.width(style, labels[i]) + 2 * pad;
    const cv::Rect box(x - width, centre_y - height / 2, width, height);
    if (filled)
      fill_rounded_rect(s.image, box, 6, s.primary);
    else
      stroke_rounded_rect(s.image, box, 6, grey(190), 1);
    s.w.draw(style, labels[i], box.x + pad, centred_baseline(centre_y, px));
    x = box.x - 16;
  }
}

}  // namespace

Layout layout_screenshot(Rng& rng, FontSession& fonts) {
  Layout out;
  const int bg = rng.range(242, 250);
  out.image = cv::Mat(kScreenHeight, kScreenWidth, CV_8UC3, grey(bg));
  out.table = grey(rng.range(20, 35));  // monitor bezel when "photographed"
  const FontPlan plan = choose_fonts(rng, {.serif = 0.0, .mono = 0.0, .latin = 0.5});
  const auto& p = kPrimaries[static_cast<std::size_t>(rng.range(0, static_cast<int>(kPrimaries.size()) - 1))];
  Writer w(fonts, out.image, out.lines);
  Screen s{out.image, w, plan, cv::Scalar(p[0], p[1], p[2]), rng.chance(0.65)};

  const int header = draw_header(rng, s);
  const int sidebar = rng.chance(0.55) ? draw_sidebar(rng, s, header) : 0;
  const int left = sidebar + 28, right = kScreenWidth - 28;
  int top = header + 16;
  if (rng.chance(0.6)) top += draw_tabs(rng, s, left, right, top) + 12;
  const int buttons_centre = kScreenHeight - 44;
  const cv::Rect panel(left, top, right - left, buttons_centre - 34 - top);
  fill_rounded_rect(out.image, panel, 8, cv::Scalar(255, 255, 255));
  draw_rows(rng, s, cv::Rect(panel.x, panel.y + 4, panel.width, panel.height - 8));
  draw_buttons(rng, s, right, buttons_centre);
  out.font = w.fonts_used();
  out.text_px = w.typical_px();
  return out;
}

Layout layout_line(Rng& rng, FontSession& fonts) {
  Layout out;
  const std::string text = corpus::short_line(rng);
  const int height = rng.range(32, 64);
  const int max_px = static_cast<int>((height - 2) / (kAscent + kDescent));
  const int px = std::min(max_px, static_cast<int>(std::lround(height * rng.uniform(0.55, 0.72))));
  const FontPlan plan = choose_fonts(rng, {.serif = 0.25, .mono = 0.15, .latin = 0.4});
  cv::Scalar bg, ink;
  if (rng.chance(0.85)) {
    const int b = rng.range(225, 255);
    bg = cv::Scalar(b, b, b);
    bg[0] -= rng.range(0, 12);  // slightly warm paper; one draw per statement for a fixed order
    bg[1] -= rng.range(0, 8);
    ink = grey(rng.range(0, 70));
    if (rng.chance(0.2)) ink = cv::Scalar(rng.range(60, 140), 40, 20);  // dark blue
  } else {  // light text on a dark band
    const int level = rng.range(30, 70);
    bg = cv::Scalar(level + 20, level, level - 10);
    ink = grey(rng.range(225, 255));
  }
  const TextStyle style = plan.style(px, ink, rng.chance(0.2));
  Writer w(fonts, out.image, out.lines);
  const int pad_left = rng.range(4, 24), pad_right = rng.range(4, 24);
  out.image = cv::Mat(height, w.width(style, text) + pad_left + pad_right, CV_8UC3, bg);
  const int box = ascent_px(px) + descent_px(px);
  const int slack = height - box;
  w.draw(style, text, pad_left, rng.range(slack / 3, slack - slack / 3) + ascent_px(px));
  out.table = bg;
  out.gentle = true;
  out.font = w.fonts_used();
  out.text_px = w.typical_px();
  return out;
}

}  // namespace synth
