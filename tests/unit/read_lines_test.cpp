// OcrEngine::read_lines: given line quads read side by side, as recognize() reads detected ones.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "test_support.h"

namespace ocrserve {
namespace {

Quad quad_of(const synth::TextLineTruth& t) {
  return {t.quad[0], t.quad[1], t.quad[2], t.quad[3]};
}

std::string without_spaces(std::string s) {
  std::erase(s, ' ');
  return s;
}

TEST(ReadLines, ReadsTheGivenLinesInTheirOrderAndDropsBlankOnes) {
  const synth::Sample card = test::render(synth::Kind::Card, 8);
  ASSERT_GE(card.lines.size(), 4u);
  // Three printed lines in reverse order, with a blank strip of the margin between them.
  const auto& a = card.lines[3];
  const auto& b = card.lines[1];
  const Quad blank = {cv::Point2f(2, 2), cv::Point2f(60, 2), cv::Point2f(60, 14), cv::Point2f(2, 14)};
  RecognizeOptions options;
  options.with_chars = true;
  const std::vector<TextLine> read =
      test::SharedEngine::get().read_lines(card.image, {quad_of(a), blank, quad_of(b)}, options);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(without_spaces(read[0].text), without_spaces(a.text));  // PP-OCR may drop a space
  EXPECT_EQ(without_spaces(read[1].text), without_spaces(b.text));
  // Each character box lies on its line.
  for (const auto& line : read) {
    const cv::Rect box = cv::boundingRect(std::vector<cv::Point2f>(line.quad.begin(), line.quad.end()));
    ASSERT_FALSE(line.chars.empty());
    for (const auto& c : line.chars) {
      const cv::Point2f centre = (c.quad[0] + c.quad[2]) * 0.5f;
      EXPECT_TRUE(box.contains(cv::Point(centre))) << c.text;
    }
  }
}

TEST(ReadLines, AnAlphabetRestrictsWhatIsRead) {
  const synth::Sample card = test::render(synth::Kind::Card, 8);
  RecognizeOptions options;
  options.alphabet = "0123456789";
  for (const auto& line : test::SharedEngine::get().read_lines(card.image, {quad_of(card.lines[1])}, options)) {
    for (char c : line.text) EXPECT_TRUE(c >= '0' && c <= '9') << line.text;
  }
}

}  // namespace
}  // namespace ocrserve
