// ID/member card (1000x630): tinted background with a faint security pattern, a title stripe, an
// optional photo box, and label/value rows (姓名 张伟, 出生日期 2031.05.17, 证件号码 C12345678 ...).
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include <opencv2/imgproc.hpp>

#include "corpus.h"
#include "layout.h"

namespace synth {
namespace {

constexpr int kCardWidth = 1000;
constexpr int kCardHeight = 630;
constexpr double kTwoPi = 6.28318530717958647692;

constexpr std::array<std::array<int, 3>, 6> kTints = {{
    {250, 238, 225},  // light blue
    {230, 245, 232},  // light green
    {222, 238, 250},  // beige
    {240, 232, 250},  // light pink
    {246, 241, 236},  // grey blue
    {250, 234, 242},  // lavender
}};

// Faint guilloche waves or a rosette of circles, a little darker than the background.
void draw_pattern(Rng& rng, cv::Mat& image, cv::Scalar bg) {
  const cv::Scalar ink = bg * rng.uniform(0.9, 0.94);
  if (rng.chance(0.6)) {
    const double wavelength = rng.uniform(120, 260), amplitude = rng.uniform(10, 30);
    const int spacing = rng.range(14, 24);
    for (int k = -2; k * spacing < kCardHeight + 40; ++k) {
      std::vector<cv::Point> pts;
      const double phase = k * 0.35;
      for (int x = 0; x <= kCardWidth; x += 4)
        pts.emplace_back(x, static_cast<int>(k * spacing + amplitude * std::sin(kTwoPi * x / wavelength + phase)));
      cv::polylines(image, pts, false, ink, 1, cv::LINE_AA);
    }
  } else {
    const int cx = rng.range(200, 800);
    const cv::Point centre(cx, rng.range(150, 480));
    for (int r = 20; r < 900; r += rng.range(14, 22)) cv::circle(image, centre, r, ink, 1, cv::LINE_AA);
  }
}

void draw_photo(Rng& rng, cv::Mat& image, cv::Rect box) {
  const int fill = rng.range(214, 228);
  cv::rectangle(image, box, grey(fill), cv::FILLED);
  const cv::Scalar figure = grey(fill - rng.range(18, 28));
  const cv::Point head(box.x + box.width / 2, box.y + box.height * 2 / 5);
  cv::circle(image, head, box.width / 5, figure, cv::FILLED, cv::LINE_AA);
  cv::ellipse(image, cv::Point(head.x, box.y + box.height), cv::Size(box.width * 2 / 5, box.height * 2 / 5), 0, 180,
              360, figure, cv::FILLED, cv::LINE_AA);
  cv::rectangle(image, box, grey(fill - 25), 1);
}

struct Field {
  std::string label;
  std::string value;
};

std::vector<Field> pick_fields(Rng& rng, const corpus::Name& name) {
  const std::array<std::function<Field()>, 8> optional = {
      [&] { return Field{"性别", rng.chance(0.5) ? "男" : "女"}; },
      [&] { return Field{"出生日期", corpus::date(rng, 1)}; },
      [&] { return Field{"有效期至", corpus::date(rng, 1)}; },
      [&] { return Field{"签发日期", corpus::date(rng, 1)}; },
      [&] { return Field{"部门", std::string(rng.pick(corpus::departments()))}; },
      [&] { return Field{"电话", corpus::phone(rng)}; },
      [&] {
        const std::string from = corpus::date(rng, 1);
        return Field{"有效期", from + "-" + corpus::date(rng, 1)};
      },
      [&] { return Field{"发证单位", corpus::company(rng)}; },
  };
  std::vector<Field> fields{{"姓名", name.hanzi}};
  if (rng.chance(0.7)) fields.push_back({"Name", name.pinyin});
  std::array<bool, optional.size()> used{};
  const int extra = rng.range(2, 3);
  for (int i = 0; i < extra;) {
    const auto k = static_cast<std::size_t>(rng.range(0, static_cast<int>(optional.size()) - 1));
    if (used[k]) continue;
    used[k] = true;
    fields.push_back(optional[k]());
    ++i;
  }
  fields.push_back({rng.chance(0.5) ? "证件号码" : "编号", corpus::id_code(rng)});
  return fields;
}

}  // namespace

Layout layout_card(Rng& rng, FontSession& fonts) {
  Layout out;
  const auto& t = kTints[static_cast<std::size_t>(rng.range(0, static_cast<int>(kTints.size()) - 1))];
  const int j = rng.range(-6, 4);
  const cv::Scalar bg(std::min(255, t[0] + j), std::min(255, t[1] + j), std::min(255, t[2] + j));
  out.image = cv::Mat(kCardHeight, kCardWidth, CV_8UC3, bg);
  out.table = desk_colour(rng);
  draw_pattern(rng, out.image, bg);
  const FontPlan plan = choose_fonts(rng, {.serif = 0.25, .mono = 0.0, .latin = 0.3});
  Writer w(fonts, out.image, out.lines);

  // Title stripe.
  const int stripe = rng.range(100, 120);
  cv::rectangle(out.image, cv::Rect(0, 0, kCardWidth, stripe), bg * rng.uniform(0.8, 0.86), cv::FILLED);
  constexpr std::array<std::array<int, 3>, 3> kTitleInks = {{{110, 40, 10}, {30, 30, 140}, {40, 40, 40}}};
  const auto& ti = kTitleInks[static_cast<std::size_t>(rng.range(0, 2))];
  const cv::Scalar title_ink(ti[0], ti[1], ti[2]);
  const corpus::CardType& type = rng.pick(corpus::card_types());
  const TextStyle title = plan.style(rng.range(36, 42), title_ink, true);
  const TextStyle subtitle = plan.style(rng.range(18, 22), title_ink);
  const int title_base = (stripe - ascent_px(subtitle.px) - descent_px(subtitle.px) - 8) / 2 + ascent_px(title.px) / 2 + 6;
  const int sub_base = title_base + descent_px(title.px) + 8 + ascent_px(subtitle.px);
  if (rng.chance(0.5)) {
    w.draw(title, std::string(type.chinese), 50, title_base);
    w.draw(subtitle, std::string(type.english), 52, sub_base);
  } else {
    w.draw_centered(title, std::string(type.chinese), kCardWidth / 2, title_base);
    w.draw_centered(subtitle, std::string(type.english), kCardWidth / 2, sub_base);
  }

  const bool photo = rng.chance(0.75);
  if (photo) draw_photo(rng, out.image, cv::Rect(760, stripe + 40, 180, 220));
  const int right_limit = photo ? 730 : kCardWidth - 50;

  const std::vector<Field> fields = pick_fields(rng, corpus::person(rng));
  const int label_px = rng.range(20, 23);
  const TextStyle label = plan.style(label_px, grey(rng.range(80, 110)));
  const int value_px = rng.range(24, 30);
  const TextStyle value = plan.style(value_px, grey(rng.range(10, 40)));
  const int value_x = 60 + rng.range(150, 180);
  const int top = stripe + 30 + ascent_px(value.px);
  const int step = std::min(72, (kCardHeight - 40 - top) / std::max(1, static_cast<int>(fields.size()) - 1));
  int y = top;
  for (const Field& f : fields) {
    if (value_x + w.width(value, f.value) > right_limit) continue;  // a long company name beside the photo
    w.draw(label, f.label, 60, y);
    w.draw(value, f.value, value_x, y);
    y += step;
  }
  out.font = w.fonts_used();
  out.text_px = w.typical_px();
  return out;
}

}  // namespace synth
