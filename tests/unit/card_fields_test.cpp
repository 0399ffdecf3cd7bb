// The field-reading helpers shared by the card extractors: normalizers, vocabulary snapping,
// placement of the template from labels.
#include "documents/card_fields.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace ocrserve::card_fields {
namespace {

TEST(CardFields, DatesAcceptSeparatorsAndLookAlikesAndRejectImpossibleDays) {
  EXPECT_EQ(normalize_date("1993.12.10"), "1993.12.10");
  EXPECT_EQ(normalize_date("1993-12-1O"), "1993.12.10");
  EXPECT_EQ(normalize_date("1993 12 10"), "1993.12.10");
  EXPECT_EQ(normalize_date("1993.02.30"), "");
  EXPECT_EQ(normalize_date("1993.12.1"), "");
  EXPECT_EQ(normalize_period("2015.06.19-2025.06.18"), "2015.06.19-2025.06.18");
  EXPECT_EQ(normalize_period("2015.06.19 - 2025.O6.18"), "2015.06.19-2025.06.18");
  EXPECT_EQ(normalize_period("2015.06.19-2025.13.18"), "");
}

TEST(CardFields, SexFromEitherLanguageAndNothingWhenBoth) {
  EXPECT_EQ(normalize_sex("男/M"), "M");
  EXPECT_EQ(normalize_sex("女/F"), "F");
  EXPECT_EQ(normalize_sex("F"), "F");
  EXPECT_EQ(normalize_sex("男/F"), "");
  EXPECT_EQ(normalize_sex(""), "");
}

// Letters drawn one by one, `gap_after[i]` px of paper after letter i (a word gap is wider than a
// third of the glyph height), read as one run without spaces.
std::string spaced_by_the_ink(const std::string& letters, const std::vector<int>& gap_after) {
  cv::Mat card(60, 600, CV_8UC3, cv::Scalar::all(255));
  Reading r;
  int x = 10;
  for (size_t i = 0; i < letters.size(); ++i) {
    int base = 0;
    const cv::Size size = cv::getTextSize(letters.substr(i, 1), cv::FONT_HERSHEY_SIMPLEX, 1.0, 2, &base);
    cv::putText(card, letters.substr(i, 1), cv::Point(x, 45), cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar::all(0), 2);
    r.xs.push_back(static_cast<float>(x) + size.width / 2.f);
    x += size.width - 3 + gap_after[i];  // Hershey glyphs carry side bearings of their own
  }
  r.text = letters;
  r.chars = static_cast<int>(letters.size());
  r.extent = Box{5, 10, static_cast<float>(x), 55};
  return with_word_gaps(card, r);
}

TEST(CardFields, WordGapsFromTheInkButNoShortWordWithoutAVowel) {
  EXPECT_EQ(spaced_by_the_ink("MINGON", {0, 0, 0, 20, 0, 0}), "MING ON");
  EXPECT_EQ(spaced_by_the_ink("NGKALOK", {0, 20, 0, 20, 0, 0, 0}), "NG KA LOK");
  EXPECT_EQ(spaced_by_the_ink("TSZYAN", {0, 0, 20, 0, 0, 0}), "TSZ YAN");
  // Glare opened two gaps inside CHENG: C and CH are no syllables.
  EXPECT_EQ(spaced_by_the_ink("CHENG", {20, 20, 0, 0, 0}), "CHENG");
  EXPECT_EQ(spaced_by_the_ink("CHENG", {0, 0, 0, 20, 0}), "CHENG");
}

TEST(CardFields, LatinNamesGetOneCommaAfterTheSurname) {
  EXPECT_EQ(normalize_latin_name("CAO,WEN"), "CAO, WEN");
  EXPECT_EQ(normalize_latin_name("cao ,  wen"), "CAO, WEN");
  EXPECT_EQ(normalize_latin_name("HO SZE HING"), "HO, SZE HING");  // the comma was not read
  EXPECT_EQ(normalize_latin_name("HUNG, CHING - WEI"), "HUNG, CHING-WEI");
  EXPECT_EQ(normalize_latin_name("ZHANG"), "ZHANG");
}

TEST(CardFields, CjkOnlyAndWidthFolding) {
  EXPECT_EQ(cjk_only("姓名:曹文 1"), "姓名曹文");
  EXPECT_EQ(to_utf8(fold_width(to_u32("（Ｓ）１"))), "(S)1");
}

TEST(CardFields, MachineCharactersFoldChevronLookAlikes) {
  EXPECT_EQ(machine_chars("cs C08 «2506"), "CSC08<2506");
}

TEST(CardFields, SnapNeedsAClearWinnerWithinTheDistance) {
  const std::vector<std::string_view> v = {"一次", "二次", "多次"};
  EXPECT_EQ(snap("一欠", v, 1).value_or(""), "一次");
  EXPECT_FALSE(snap("次", v, 1).has_value());  // equally far from all three
  EXPECT_FALSE(snap("天天天", v, 1).has_value());
  EXPECT_EQ(edit_distance(to_u32("公安部出入境管理局"), to_u32("公安部出人境管理")), 2);
}

TEST(CardFields, DottedDatesRoundTrip) {
  const auto d = parse_dotted("2024.02.29");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(dotted(*d), "2024.02.29");
  EXPECT_FALSE(parse_dotted("2023.02.29").has_value());
}

// A page of lines with per-character boxes, as the engine returns them.
TextLine line(const std::string& text, float x, float y, float char_w, float h) {
  TextLine l;
  l.text = text;
  const std::u32string t = to_u32(text);
  float cx = x;
  for (char32_t c : t) {
    if (c == U' ') {
      cx += char_w;
      continue;
    }
    CharBox b;
    b.text = to_utf8(std::u32string(1, c));
    b.quad = {cv::Point2f(cx, y), cv::Point2f(cx + char_w, y), cv::Point2f(cx + char_w, y + h), cv::Point2f(cx, y + h)};
    b.confidence = 0.9f;
    l.chars.push_back(b);
    cx += char_w;
  }
  l.quad = {cv::Point2f(x, y), cv::Point2f(cx, y), cv::Point2f(cx, y + h), cv::Point2f(x, y + h)};
  l.confidence = 0.9f;
  return l;
}

TEST(CardFields, ValuesAreReadWhereTheLabelsPutThemAndLabelWordsAreLeftOut) {
  // The card as printed sits 30 px right and 20 px lower than the template, and the detector merged
  // a label with its neighbour's value.
  PageText page;
  page.lines.push_back(line("出生日期/Date of birth", 300 + 30, 250 + 20, 12, 18));
  page.lines.push_back(line("1993.12.10", 300 + 30, 285 + 20, 14, 26));
  page.lines.push_back(line("性别/Sex", 600 + 30, 250 + 20, 12, 18));
  page.lines.push_back(line("姓名/Name", 300 + 30, 130 + 20, 12, 18));
  page.lines.push_back(line("有效期限/Period 男/M", 600 + 30, 285 + 20, 14, 26));
  const CardText text(page, {"有效期限", "/Period"});
  const Label birth{"出生日期", "Date of birth", {300, 259}};
  const Label sex{"性别", "Sex", {600, 259}};
  const Label name{"姓名", "Name", {300, 139}};
  const Placement place = text.placement({birth, sex, name});
  EXPECT_NEAR(place.map(cv::Point2f(500, 300)).x, 530, 2);
  EXPECT_NEAR(place.map(cv::Point2f(500, 300)).y, 320, 2);
  EXPECT_EQ(text.read(value_region(text, birth, {290, 280, 590, 315}, place)).text, "1993.12.10");
  EXPECT_EQ(text.read(value_region(text, sex, {590, 280, 900, 315}, place)).text, "男/M");
  EXPECT_TRUE(text.mentions("date of birth"));
  EXPECT_FALSE(text.mentions("签发机关"));
}

TEST(CardFields, LabelAffineSaysWhereACardShrunkInTheFrameReallyIs) {
  // Six labels of a card printed at 0.6 scale, 200 px right and 100 px down.
  const std::vector<Label> labels = {{"姓名", "", {300, 141}},     {"出生日期", "", {300, 257}},
                                     {"性别", "", {600, 257}},     {"有效期限", "", {300, 329}},
                                     {"签发机关", "", {300, 401}}, {"签发地点", "", {630, 401}}};
  PageText page;
  for (const Label& l : labels) page.lines.push_back(line(l.zh, 200 + 0.6f * l.at.x, 100 + 0.6f * l.at.y - 5, 10, 10));
  const CardText text(page);
  const auto m = text.label_affine(labels);
  ASSERT_TRUE(m.has_value());
  EXPECT_NEAR((*m)(0, 0), 0.6, 0.02);
  EXPECT_NEAR((*m)(1, 1), 0.6, 0.02);
  EXPECT_NEAR((*m)(0, 2), 200, 3);
  EXPECT_NEAR((*m)(1, 2), 100, 3);
  // Four labels, or labels all in one column, are too little to say.
  const std::vector<Label> four(labels.begin(), labels.begin() + 4);
  EXPECT_FALSE(text.label_affine(four).has_value());
  const std::vector<Label> column = {labels[0], labels[1], labels[3], labels[4], labels[0]};
  EXPECT_FALSE(text.label_affine(column).has_value());
}

TEST(CardFields, MachineGridPutsDroppedFillersBack) {
  // "CSC08<<25" printed at a 29 px pitch from x = 60; the detector saw "CSC08" and "25" only.
  PageText page;
  page.lines.push_back(line("CSC08", 60, 560, 29, 38));
  page.lines.push_back(line("25", 60 + 7 * 29, 560, 29, 38));
  const CardText text(page);
  const auto grid = text.machine_grid({0, 530, 1000, 631}, 10, 1, 26.f, 33.f);
  ASSERT_EQ(grid.size(), 1u);
  EXPECT_EQ(grid[0], "CSC08<<25<");
}

// Glyphs drawn as OCR-B strokes in 29 px cells from x = 100, 22 px tall.
cv::Mat machine_row_image(const std::string& glyphs) {
  cv::Mat image(120, 400, CV_8UC3, cv::Scalar(235, 230, 225));
  const cv::Scalar ink(40, 35, 30);
  const auto stroke = [&](cv::Point a, cv::Point b) { cv::line(image, a, b, ink, 3, cv::LINE_AA); };
  for (size_t i = 0; i < glyphs.size(); ++i) {
    const int x = 100 + static_cast<int>(i) * 29, cx = x + 14, top = 45, mid = 56, bottom = 67;
    switch (glyphs[i]) {
      case 'I':
        stroke({cx, top}, {cx, bottom}), stroke({cx - 5, top}, {cx + 5, top}),
            stroke({cx - 5, bottom}, {cx + 5, bottom});
        break;
      case 'H':
        stroke({x + 6, top}, {x + 6, bottom}), stroke({x + 22, top}, {x + 22, bottom}),
            stroke({x + 6, mid}, {x + 22, mid});
        break;
      case '<':
        stroke({x + 22, top + 2}, {x + 6, mid}), stroke({x + 6, mid}, {x + 22, bottom - 2});
        break;
      case 'C':
        cv::ellipse(image, {cx, mid}, {9, 11}, 0, 45, 315, ink, 3, cv::LINE_AA);
        break;
      case 'Y':
        stroke({x + 6, top}, {cx, mid}), stroke({x + 22, top}, {cx, mid}), stroke({cx, mid}, {cx, bottom});
        break;
      case 'T':
        stroke({x + 4, top}, {x + 24, top}), stroke({cx, top}, {cx, bottom});
        break;
      case 'L':
        stroke({x + 8, top}, {x + 8, bottom}), stroke({x + 8, bottom}, {x + 22, bottom});
        break;
    }
  }
  return image;
}

TEST(CardFields, AnIComesBackWhereTheCellShowsALoneStem) {
  // Printed "I<HCYLTI"; the recognizer dropped or misread most of it. Only the cells holding an I
  // (dropped, or read as H) become I; a real H, a filler, and the C, Y, L and T it dropped do not.
  const cv::Mat image = machine_row_image("I<HCYLTI");
  GridCells cells{100.f, 29.f, {{40.f, 72.f}}};
  std::string row = "?<H????H";
  restore_machine_i(row, 0, image, cells);
  EXPECT_EQ(row, "I<H????I");
  // Nothing past the cell after the name's last letter, nothing on a row the grid does not have.
  std::string fillers = "<<<<<<<<";
  restore_machine_i(fillers, 0, machine_row_image("<<<<<<<I"), cells);
  EXPECT_EQ(fillers, "<<<<<<<<");
  std::string other = "?<H????H";
  restore_machine_i(other, 1, image, cells);
  EXPECT_EQ(other, "?<H????H");
}

}  // namespace
}  // namespace ocrserve::card_fields
