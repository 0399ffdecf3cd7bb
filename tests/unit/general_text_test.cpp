// General Text: request validation, and the extractor end to end on synthetic images with
// ground truth (real models, real images).
#include "ocrserve/general_text.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "ocrserve/error.h"
#include "test_support.h"

namespace ocrserve {
namespace {

std::string code_of(const nlohmann::json& body) {
  try {
    parse_general_text_request(body);
  } catch (const Error& e) {
    return e.code();
  }
  return "ok";
}

TEST(GeneralTextRequest, DefaultsWhenAbsent) {
  const GeneralTextRequest r = parse_general_text_request(nlohmann::json::object());
  EXPECT_FALSE(r.detect_direction);
  EXPECT_FALSE(r.quick_mode);
  EXPECT_FALSE(r.character_mode);
  EXPECT_FALSE(r.single_orientation_mode);
  EXPECT_FALSE(r.return_markdown_result);
  EXPECT_TRUE(r.language.empty());
  EXPECT_FALSE(r.pdf_page_number.has_value());
}

TEST(GeneralTextRequest, ReadsEveryFlag) {
  const auto r = parse_general_text_request(
      {{"detect_direction", true}, {"quick_mode", true}, {"character_mode", true}, {"single_orientation_mode", true},
       {"return_markdown_result", true}, {"language", "th"}, {"pdf_page_number", 3}, {"image", "ignored"}});
  EXPECT_TRUE(r.detect_direction && r.quick_mode && r.character_mode && r.single_orientation_mode &&
              r.return_markdown_result);
  EXPECT_EQ(r.language, "th");
  EXPECT_EQ(r.pdf_page_number, 3);
}

TEST(GeneralTextRequest, RejectsWrongTypesAndValuesWithAis0101) {
  EXPECT_EQ(code_of({{"detect_direction", "true"}}), "AIS.0101");
  EXPECT_EQ(code_of({{"quick_mode", 1}}), "AIS.0101");
  EXPECT_EQ(code_of({{"character_mode", "yes"}}), "AIS.0101");
  EXPECT_EQ(code_of({{"language", 5}}), "AIS.0101");
  EXPECT_EQ(code_of({{"language", "klingon"}}), "AIS.0101");
  EXPECT_EQ(code_of({{"pdf_page_number", 0}}), "AIS.0101");
  EXPECT_EQ(code_of({{"pdf_page_number", 1.5}}), "AIS.0101");
  EXPECT_EQ(code_of({{"pdf_page_number", "2"}}), "AIS.0101");
  EXPECT_EQ(code_of(nlohmann::json::array()), "AIS.0101");
  EXPECT_EQ(code_of({{"language", "zh"}, {"pdf_page_number", 2}}), "ok");
}

TEST(GeneralTextRequest, MessageNamesTheField) {
  try {
    parse_general_text_request({{"return_markdown_result", "no"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("return_markdown_result"), std::string::npos);
  }
}

class GeneralTextExtraction : public test::EngineTest {};

TEST_F(GeneralTextExtraction, ReadsAReceiptInReadingOrder) {
  const auto sample = test::render(synth::Kind::Receipt, 11);
  GeneralTextRequest req;
  req.return_markdown_result = true;
  const auto result = GeneralTextExtractor(engine()).extract(sample.image, req);
  EXPECT_EQ(result.direction, -1.f);
  ASSERT_FALSE(result.blocks.empty());
  EXPECT_GE(test::char_accuracy(sample, result.blocks), 0.95);
  for (size_t i = 1; i < result.blocks.size(); ++i) {
    const auto& a = result.blocks[i - 1];
    const auto& b = result.blocks[i];
    if (a.row == b.row) {
      EXPECT_LT(a.quad[0].x, b.quad[0].x) << "left to right within a row";
    } else {
      EXPECT_LT(a.row, b.row);
      EXPECT_LT((a.quad[0].y + a.quad[3].y) / 2, (b.quad[0].y + b.quad[3].y) / 2) << "top to bottom";
    }
  }
  ASSERT_TRUE(result.markdown.has_value());
  int newlines = 0;
  for (char c : *result.markdown) newlines += c == '\n';
  EXPECT_EQ(newlines, result.blocks.back().row - result.blocks.front().row);
  const auto json = to_json(result);
  EXPECT_EQ(json["words_block_count"], result.blocks.size());
  EXPECT_FALSE(json["words_block_list"][0].contains("char_list"));
  EXPECT_EQ(json["words_block_list"][0]["location"].size(), 4u);
}

TEST_F(GeneralTextExtraction, CharacterModeGivesOrderedBoxesInsideTheLine) {
  const auto sample = test::render(synth::Kind::Card, 5);
  GeneralTextRequest req;
  req.character_mode = true;
  const auto result = GeneralTextExtractor(engine()).extract(sample.image, req);
  ASSERT_FALSE(result.blocks.empty());
  for (const auto& line : result.blocks) {
    std::string joined;
    for (const auto& c : line.chars) joined += c.text;
    std::string no_spaces;
    for (char ch : line.text) if (ch != ' ') no_spaces += ch;
    EXPECT_EQ(joined, no_spaces);
    const std::vector<cv::Point2f> poly(line.quad.begin(), line.quad.end());
    float previous = -1;
    for (const auto& c : line.chars) {
      const cv::Point2f centre = (c.quad[0] + c.quad[1] + c.quad[2] + c.quad[3]) * 0.25f;
      EXPECT_GE(cv::pointPolygonTest(poly, centre, true), -1.0) << c.text << " lies inside its line";
      EXPECT_GT(centre.x, previous) << "characters advance along the line";
      previous = centre.x;
      EXPECT_GT(c.confidence, 0.f);
      EXPECT_LE(c.confidence, 1.f);
    }
  }
  const auto json = to_json(result);
  EXPECT_TRUE(json["words_block_list"][0].contains("char_list"));
  EXPECT_EQ(json["words_block_list"][0]["char_list"][0]["char_location"].size(), 4u);
}

TEST_F(GeneralTextExtraction, CharacterBoxesFollowTheInk) {
  // One line of digits: each character box must cover dark pixels of that character.
  cv::Mat img(80, 600, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, "4 0 7 1 9 3 5 8", cv::Point(20, 55), cv::FONT_HERSHEY_SIMPLEX, 1.5, cv::Scalar(0, 0, 0), 3,
              cv::LINE_AA);
  GeneralTextRequest req;
  req.character_mode = true;
  const auto result = GeneralTextExtractor(engine()).extract(img, req);
  ASSERT_EQ(result.blocks.size(), 1u);
  const auto& chars = result.blocks[0].chars;
  ASSERT_EQ(chars.size(), 8u);
  cv::Mat gray;
  cv::cvtColor(img, gray, cv::COLOR_BGR2GRAY);
  for (const auto& c : chars) {
    const cv::Rect r = cv::boundingRect(std::vector<cv::Point2f>(c.quad.begin(), c.quad.end())) &
                       cv::Rect(0, 0, img.cols, img.rows);
    EXPECT_GT(cv::countNonZero(gray(r) < 100), 20) << c.text << " box holds ink";
    EXPECT_LT(r.width, 70) << c.text << " box is one character wide";
  }
}

TEST_F(GeneralTextExtraction, QuickModeReadsASingleLine) {
  const auto sample = test::render(synth::Kind::Line, 3);
  GeneralTextRequest req;
  req.quick_mode = true;
  const auto result = GeneralTextExtractor(engine()).extract(sample.image, req);
  ASSERT_EQ(result.blocks.size(), 1u);
  EXPECT_GE(test::char_accuracy(sample, result.blocks), 0.9);
}

class PageOrientation : public test::EngineTest, public ::testing::WithParamInterface<int> {};

TEST_P(PageOrientation, DetectDirectionFindsTheRotationAndReadsTheText) {
  const int quadrants = GetParam();
  const auto sample = test::render(synth::Kind::Card, 21, false, quadrants);
  GeneralTextRequest req;
  req.detect_direction = true;
  const auto result = GeneralTextExtractor(engine()).extract(sample.image, req);
  const float expected = static_cast<float>((360 - 90 * quadrants) % 360);
  float diff = std::abs(result.direction - expected);
  diff = std::min(diff, 360.f - diff);
  EXPECT_LE(diff, 5.f) << "direction " << result.direction;
  EXPECT_GE(test::char_accuracy(sample, result.blocks), 0.95);
}

INSTANTIATE_TEST_SUITE_P(Quadrants, PageOrientation, ::testing::Values(0, 1, 2, 3));

// `sample` turned `degrees` clockwise on screen about its centre and scaled, on white; `m` the map.
cv::Mat turned(const synth::Sample& sample, double degrees, double scale, cv::Mat& m) {
  cv::Mat out;
  m = cv::getRotationMatrix2D(cv::Point2f(sample.image.cols / 2.f, sample.image.rows / 2.f), -degrees, scale);
  cv::warpAffine(sample.image, out, m, sample.image.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar(255, 255, 255));
  return out;
}

TEST_F(GeneralTextExtraction, ArbitrarySkewIsReported) {
  const auto sample = test::render(synth::Kind::Card, 8);
  cv::Mat m;
  const cv::Mat rotated = turned(sample, 30, 0.8, m);
  GeneralTextRequest req;
  req.detect_direction = true;
  const auto result = GeneralTextExtractor(engine()).extract(rotated, req);
  // Rotated 30° clockwise on screen: lines run down-right at +30° in image coordinates.
  EXPECT_NEAR(result.direction, 30.f, 4.f);
  EXPECT_GE(result.blocks.size(), sample.lines.size() / 2);
}

TEST_F(GeneralTextExtraction, ASlightLeanBelowTheStraighteningThresholdIsReadAsItLeans) {
  const auto sample = test::render(synth::Kind::Card, 8);
  cv::Mat m;
  const cv::Mat rotated = turned(sample, 2.5, 1.0, m);
  synth::Sample leant = sample;  // the truth's lines where the lean put them
  for (auto& line : leant.lines) {
    for (auto& p : line.quad) {
      p = cv::Point2f(static_cast<float>(m.at<double>(0, 0) * p.x + m.at<double>(0, 1) * p.y + m.at<double>(0, 2)),
                      static_cast<float>(m.at<double>(1, 0) * p.x + m.at<double>(1, 1) * p.y + m.at<double>(1, 2)));
    }
  }
  RecognizeOptions straightened, leaning;
  straightened.detect_direction = leaning.detect_direction = true;
  leaning.straighten_above = 3.0;
  const PageText a = engine().recognize(rotated, straightened), b = engine().recognize(rotated, leaning);
  EXPECT_NEAR(a.direction, 2.5f, 1.f);
  EXPECT_NEAR(b.direction, 2.5f, 1.f);
  EXPECT_GE(test::char_accuracy(leant, b.lines), 0.95);
  EXPECT_GE(test::char_accuracy(leant, b.lines), test::char_accuracy(leant, a.lines) - 0.02);
}

TEST_F(GeneralTextExtraction, WithoutDetectDirectionUpsideDownLinesAreStillRead) {
  const auto sample = test::render(synth::Kind::Card, 21, false, 2);
  const auto result = GeneralTextExtractor(engine()).extract(sample.image, {});
  EXPECT_EQ(result.direction, -1.f);
  EXPECT_GE(test::char_accuracy(sample, result.blocks), 0.9);
}

// One line of `text` drawn in a Latin font, read with `language`: every block's text, joined.
std::string read_line(const OcrEngine& engine, const std::string& text, const std::string& language) {
  cv::Mat img(90, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  test::draw_text(img, text, 20, 60, 40);
  GeneralTextRequest req;
  req.language = language;
  std::string all;
  for (const auto& b : GeneralTextExtractor(engine).extract(img, req).blocks) all += b.text + " ";
  return all;
}

TEST_F(GeneralTextExtraction, TesseractLanguagesReadAccentedText) {
  const std::string all = read_line(engine(), "Buenos días, señor García", "es");
  ASSERT_FALSE(all.empty());
  // ñ is outside PP-OCR's dictionary: reading it proves the Spanish model did the work.
  EXPECT_NE(all.find("señor"), std::string::npos) << all;
  EXPECT_NE(all.find("Buenos"), std::string::npos) << all;
}

TEST_F(GeneralTextExtraction, VietnameseIsReadWithItsDiacritics) {
  const std::string all = read_line(engine(), "Xin chào Việt Nam", "vi");
  // ệ and à are outside PP-OCR's dictionary.
  EXPECT_NE(all.find("Việt"), std::string::npos) << all;
  EXPECT_NE(all.find("chào"), std::string::npos) << all;
}

TEST_F(GeneralTextExtraction, UnknownLanguagePackIsAnInvalidParameter) {
  cv::Mat img(60, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  RecognizeOptions o;
  o.language = "xx";
  try {
    engine().recognize(img, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "AIS.0101");
  }
}

TEST_F(GeneralTextExtraction, BlankImageGivesNoBlocks) {
  cv::Mat img(400, 600, CV_8UC3, cv::Scalar(255, 255, 255));
  const auto result = GeneralTextExtractor(engine()).extract(img, {});
  EXPECT_TRUE(result.blocks.empty());
  EXPECT_EQ(to_json(result)["words_block_count"], 0);
}

}  // namespace
}  // namespace ocrserve
