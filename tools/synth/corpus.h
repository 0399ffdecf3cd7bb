#pragma once
// Built-in text corpus: common simplified Chinese, English, numbers, dates, amounts (with the
// full-width yuan sign ￥ U+FFE5, which PP-OCR emits for either yen/yuan glyph). Every string
// comes from the constant tables in corpus.cpp (plus digits and ASCII letters), and the unit test
// checks all of them against the recogniser's dictionary (ppocr_keys_v1.txt).
#include <span>
#include <string>
#include <string_view>

#include "rng.h"

namespace synth::corpus {

// Concatenation of every table and template literal: what the dictionary test checks.
std::string all_table_text();

// Natural running text.
std::string chinese_sentence(Rng& rng);                       // ends with 。 or ！
std::string english_sentence(Rng& rng);                       // ends with .
std::string paragraph(Rng& rng, bool chinese, int sentences);  // sentences joined
std::string common_char_run(Rng& rng, int length);            // random frequent characters

// Headings and titles.
std::string title(Rng& rng);
std::string heading(Rng& rng, int number, bool chinese);  // 一、项目概述 / 2. Background

// Fields.
struct Name {
  std::string hanzi;   // 张伟
  std::string pinyin;  // ZHANG WEI
};
Name person(Rng& rng);
std::string date(Rng& rng, int style);  // 0: 2024-03-15, 1: 2031.05.17, 2: 2024年3月15日, 3: 2024/03/15
std::string clock(Rng& rng, bool seconds);  // 14:32 / 09:05:27
std::string money(double value);            // 1280.50 (two decimals, no grouping)
std::string phone(Rng& rng);                // 010-62345678 or 13912345678
std::string address(Rng& rng);              // 北京市海淀区学院路27号
std::string company(Rng& rng);              // 北京华信科技有限公司
std::string id_code(Rng& rng);              // C12345678
std::string order_code(Rng& rng);           // 20240315-0042
std::string email(Rng& rng);
std::string key_value(Rng& rng, bool chinese);  // 电话：010-62345678 / Phone: 010-62345678
std::string short_line(Rng& rng);               // one self-contained line for the Line kind

// Receipts.
struct Item {
  std::string_view name;
  double price_low;
  double price_high;
};
std::span<const Item> receipt_items();
std::string shop_name(Rng& rng);
std::span<const std::string_view> payment_methods();
std::span<const std::string_view> receipt_footers();

// Screenshots.
std::span<const std::string_view> app_titles();
std::span<const std::string_view> button_labels();
std::span<const std::string_view> menu_items();
std::span<const std::string_view> tab_labels();
std::string list_row(Rng& rng);    // primary text of a list row
std::string row_detail(Rng& rng);  // right-hand detail: time, date, amount or status

// Cards.
struct CardType {
  std::string_view chinese;
  std::string_view english;
};
std::span<const CardType> card_types();
std::span<const std::string_view> departments();

}  // namespace synth::corpus
