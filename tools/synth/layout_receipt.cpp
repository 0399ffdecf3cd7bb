// Thermal till receipt: shop name, address/phone, order data, item table (name, qty, amount),
// totals, payment and a footer, with thin rules between the blocks.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "corpus.h"
#include "layout.h"

namespace synth {
namespace {

constexpr int kReceiptWidth = 600;
constexpr int kMinHeight = 900;
constexpr int kMaxHeight = 1400;

struct Receipt {
  Writer& w;
  TextStyle text;
  int left;
  int right;
  int gap;
  int y;  // baseline of the next line

  void line(const std::string& s) {
    w.draw(text, s, left, y);
    y += gap;
  }
  // Label on the left, value flush right.
  void pair(const std::string& label, const std::string& value, const TextStyle* value_style = nullptr) {
    w.draw(text, label, left, y);
    w.draw_right(value_style ? *value_style : text, value, right, y);
    y += gap;
  }
  // A thin printed rule between blocks: solid, so it is not mistaken for a row of dashes.
  void rule(cv::Mat& image, cv::Scalar colour) {
    y += gap / 4;
    const int at = y - ascent_px(text.px) - gap / 3;
    cv::line(image, {left, at}, {right, at}, colour, 1, cv::LINE_AA);
    y += gap / 4;
  }
};

struct Bought {
  std::string name;
  int qty;
  double amount;
};

std::vector<Bought> pick_items(Rng& rng, int count) {
  const auto items = corpus::receipt_items();
  std::vector<Bought> out;
  std::vector<bool> used(items.size(), false);
  for (int i = 0; i < count; ++i) {
    auto k = static_cast<std::size_t>(rng.range(0, static_cast<int>(items.size()) - 1));
    while (used[k]) k = (k + 1) % items.size();  // each product once, as tills aggregate
    used[k] = true;
    const corpus::Item& item = items[k];
    const int qty = rng.chance(0.65) ? 1 : rng.range(2, 4);
    const double unit = std::round(rng.uniform(item.price_low, item.price_high) * 10) / 10;
    out.push_back({std::string(item.name), qty, unit * qty});
  }
  return out;
}

void header(Rng& rng, Receipt& r, const FontPlan& plan, cv::Scalar ink) {
  TextStyle shop = plan.style(r.text.px + rng.range(6, 10), ink, true);
  const std::string name = corpus::shop_name(rng);
  while (r.w.width(shop, name) > r.right - r.left && shop.px > r.text.px) shop.px -= 2;
  r.y += ascent_px(shop.px) - ascent_px(r.text.px);
  r.w.draw_centered(shop, name, kReceiptWidth / 2, r.y);
  r.y += r.gap + r.gap / 2;
  for (const std::string& s : r.w.wrap(r.text, "地址：" + corpus::address(rng), r.right - r.left, r.right - r.left))
    r.line(s);
  r.line("电话：" + corpus::phone(rng));
}

void order_info(Rng& rng, Receipt& r) {
  r.line("单号：" + corpus::order_code(rng));
  const std::string day = corpus::date(rng, rng.chance(0.7) ? 0 : 3);
  r.line("日期：" + day + " " + corpus::clock(rng, true));
  if (rng.chance(0.7)) r.line("收银员：" + corpus::person(rng).hanzi);
}

double item_table(Receipt& r, const std::vector<Bought>& items) {
  const int qty_x = r.left + (r.right - r.left) * 62 / 100;  // centre of the quantity column
  auto row = [&](const std::string& name, const std::string& qty, const std::string& amount) {
    r.w.draw(r.text, name, r.left, r.y);
    r.w.draw_centered(r.text, qty, qty_x, r.y);
    r.w.draw_right(r.text, amount, r.right, r.y);
    r.y += r.gap;
  };
  row("品名", "数量", "金额");
  double total = 0;
  for (const Bought& b : items) {
    row(b.name, std::to_string(b.qty), corpus::money(b.amount));
    total += b.amount;
  }
  return total;
}

void totals(Rng& rng, Receipt& r, double total, const TextStyle& bold) {
  r.pair("合计", "￥" + corpus::money(total), &bold);
  if (rng.chance(0.35)) {
    const double off = std::min(total / 2, static_cast<double>(rng.range(1, 20)));
    std::string discount = "-";
    discount += corpus::money(off);
    r.pair("优惠", discount);
    total -= off;
  }
  const auto methods = corpus::payment_methods();
  const std::string method(rng.pick(methods));
  if (method == "现金") {
    const double paid = std::ceil(total / 50) * 50;
    r.pair("实收", corpus::money(paid));
    r.pair("找零", corpus::money(paid - total));
  } else {
    r.pair(method, corpus::money(total));
  }
}

}  // namespace

Layout layout_receipt(Rng& rng, FontSession& fonts) {
  Layout out;
  const int paper = rng.range(236, 250);
  out.image = cv::Mat(kMaxHeight, kReceiptWidth, CV_8UC3, cv::Scalar(paper - rng.range(2, 8), paper - 2, paper));
  out.table = desk_colour(rng);
  const FontPlan plan = choose_fonts(rng, {.serif = 0.0, .mono = 0.5, .latin = 0.0});
  const cv::Scalar ink = grey(rng.range(15, 70));  // thermal print is rarely pure black
  const int px = rng.range(22, 26);
  const int margin = rng.range(26, 40);

  Writer w(fonts, out.image, out.lines);
  Receipt r{w, plan.style(px, ink), margin, kReceiptWidth - margin,
            static_cast<int>(std::lround(px * rng.uniform(1.4, 1.65))), rng.range(40, 70) + ascent_px(px)};
  const cv::Scalar rule_colour = grey(std::min(160, rng.range(15, 70) + 60));
  header(rng, r, plan, ink);
  r.rule(out.image, rule_colour);
  order_info(rng, r);
  r.rule(out.image, rule_colour);

  // Leave room below the items for ~10 lines of totals and footer within the maximum height.
  const int room = (kMaxHeight - r.y - 11 * r.gap - margin) / r.gap;
  const std::vector<Bought> items = pick_items(rng, std::clamp(rng.range(4, 14), 1, std::max(1, room)));
  const double total = item_table(r, items);
  r.rule(out.image, rule_colour);
  totals(rng, r, total, plan.style(px, ink, true));
  r.rule(out.image, rule_colour);
  const auto footers = corpus::receipt_footers();
  const std::size_t first = static_cast<std::size_t>(rng.range(0, static_cast<int>(footers.size()) - 1));
  const int footer_lines = rng.range(1, 2);
  for (int i = 0; i < footer_lines; ++i) {  // consecutive entries: never the same footer twice
    w.draw_centered(r.text, std::string(footers[(first + static_cast<std::size_t>(i)) % footers.size()]),
                    kReceiptWidth / 2, r.y);
    r.y += r.gap;
  }
  const int height = std::clamp(r.y - r.gap + descent_px(px) + margin + rng.range(10, 60), kMinHeight, kMaxHeight);
  out.image = out.image.rowRange(0, height).clone();
  out.font = w.fonts_used();
  out.text_px = w.typical_px();
  return out;
}

}  // namespace synth
