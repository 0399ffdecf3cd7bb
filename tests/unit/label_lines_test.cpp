// LabelCutter: bilingual labels read by their Chinese word, on a synthetic exit-entry permit front.
#include "documents/label_lines.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

// Where the exit-entry permit front prints two of its labels (the template's Label::at).
const card_fields::Label kBirth{"出生日期", "Date of birth", {285, 265}};
const card_fields::Label kValidity{"有效期限", "Period of validity", {285, 335}};

const TextLine* line_with(const UprightCard& card, const std::string& word) {
  const auto it = std::find_if(card.text.lines.begin(), card.text.lines.end(),
                               [&](const TextLine& l) { return l.text.find(word) != std::string::npos; });
  return it == card.text.lines.end() ? nullptr : &*it;
}

float length(const Quad& q) {
  return static_cast<float>(cv::norm(q[1] - q[0]));
}

UprightCard read_cut(const cv::Mat& image, LabelCutter& cut) {
  CardReading how;
  how.read_part = [&](const Quad& q) { return cut(q); };
  UprightCard card = rectify_card(image, test::SharedEngine::get(), how);
  cut.mend(card, test::SharedEngine::get());
  return card;
}

class LabelCutterTest : public test::EngineTest, public ::testing::WithParamInterface<bool> {};

TEST_P(LabelCutterTest, ReadsALabelByItsChineseWordAndEveryOtherLineWhole) {
  const synth::PermitSample s = test::permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 11, false);
  cv::Mat image = s.image.clone();
  if (GetParam()) cv::rotate(image, image, cv::ROTATE_180);  // read_part sees the lines before the turn
  const UprightCard whole = rectify_card(image, engine());
  LabelCutter cut({kBirth, kValidity});
  const UprightCard card = read_cut(image, cut);

  for (const std::string word : {"出生日期", "有效期限"}) {
    const TextLine* before = line_with(whole, word);
    const TextLine* after = line_with(card, word);
    ASSERT_NE(before, nullptr) << word;
    ASSERT_NE(after, nullptr) << word;
    EXPECT_LT(length(after->quad), 0.6f * length(before->quad)) << word;
    EXPECT_EQ(after->text.find("of"), std::string::npos) << after->text;
    EXPECT_LT(after->quad[0].x, after->quad[1].x) << "upright, in reading direction";
  }
  // The values under the labels, and the lines of the other labels, are read as before.
  for (const std::string key : {"birth_date", "valid_period", "issuing_authority", "name_en"}) {
    const std::string value = s.truth.fields.at(key);
    EXPECT_NE(line_with(card, value.substr(0, value.size() / 2)), nullptr) << key << ": " << value;
  }
  ASSERT_NE(line_with(card, "签发机关"), nullptr);
  EXPECT_NE(line_with(card, "签发机关")->text.find("uthority"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(UprightAndUpsideDown, LabelCutterTest, ::testing::Bool());

TEST_F(LabelCutterTest, APartThatDoesNotShowItsWordIsReadWhole) {
  const synth::PermitSample s = test::permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 11, false);
  // The word expected where the birth date's label stands is not the one printed there.
  LabelCutter cut({{"签注种类", "Date of birth", kBirth.at}});
  const UprightCard card = read_cut(s.image, cut);
  const TextLine* label = line_with(card, "出生日期");
  ASSERT_NE(label, nullptr);
  EXPECT_NE(label->text.find("birth"), std::string::npos) << label->text;
  EXPECT_EQ(std::count_if(card.text.lines.begin(), card.text.lines.end(),
                          [](const TextLine& l) { return l.text.find("出生") != std::string::npos; }),
            1);
}

TEST(LabelCutter, CutsOnlyLinesShapedLikeTheLabel) {
  const LabelCutter cut({kBirth});
  const auto line = [](cv::Point2f start, float length, float height) {
    const cv::Point2f top = start - cv::Point2f(0, height / 2);
    return Quad{top, top + cv::Point2f(length, 0), top + cv::Point2f(length, height), top + cv::Point2f(0, height)};
  };
  // "出生日期/Date of birth" as detected on a rectified card: 182 x 22 px.
  EXPECT_TRUE(cut.label_at(line(kBirth.at, 182, 22)).has_value());
  EXPECT_TRUE(cut.label_at(line(kBirth.at + cv::Point2f(20, -10), 182, 22)).has_value());
  // Too far from where the label is printed: read whole.
  EXPECT_FALSE(cut.label_at(line(kBirth.at + cv::Point2f(45, 0), 182, 22)).has_value());
  EXPECT_FALSE(cut.label_at(line(kBirth.at + cv::Point2f(0, 20), 182, 22)).has_value());
  // The label run into its value: the value would be cut off.
  EXPECT_FALSE(cut.label_at(line(kBirth.at, 320, 22)).has_value());
  // No longer than the Chinese part: nothing to leave out.
  EXPECT_FALSE(cut.label_at(line(kBirth.at, 80, 22)).has_value());
}

}  // namespace
}  // namespace ocrserve
