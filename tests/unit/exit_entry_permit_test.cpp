// ExitEntryPermitExtractor on synthetic permits (both types, both sides, clean and photographed).
#include <gtest/gtest.h>

#include <tuple>

#include "ocrserve/error.h"
#include "ocrserve/permit.h"
#include "permit.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

using test::permit_sample;
using test::wrong_fields;

TEST(ExitEntryPermit, FrontsOfBothTypesReadExactlyAndAgreeWithTheMachineCode) {
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  for (const auto type : {synth::PermitType::ExitEntryHkMo, synth::PermitType::ExitEntryTw}) {
    const synth::PermitSample s = permit_sample(type, synth::Side::Front, 11, false);
    const PermitResult r = extractor.extract(s.image, {});
    EXPECT_EQ(r.type, synth::permit_api_type(type));
    EXPECT_EQ(r.side, "front");
    EXPECT_TRUE(r.machine_code_valid);
    EXPECT_EQ(wrong_fields(r, s), 0);
    // No portrait option asked: no face search, no portrait.
    EXPECT_FALSE(r.portrait_location.has_value());
    EXPECT_TRUE(r.portrait_jpeg.empty());
    for (const auto& [name, v] : r.fields) {
      EXPECT_GT(v.confidence, 0.5f) << name;
      EXPECT_LE(v.confidence, 1.0f) << name;
    }
  }
}

TEST(ExitEntryPermit, BacksCarryTheEndorsementBlocksOfTheirType) {
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample hk = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Back, 12, false);
  const PermitResult r = extractor.extract(hk.image, {});
  EXPECT_EQ(r.side, "back");
  EXPECT_NE(r.field("endorsement_info_hk.remark"), nullptr);
  EXPECT_NE(r.field("endorsement_info_mo.remark"), nullptr);
  EXPECT_EQ(r.field("endorsement_info_tw.remark"), nullptr);
  EXPECT_EQ(wrong_fields(r, hk), 0);
  const synth::PermitSample tw = permit_sample(synth::PermitType::ExitEntryTw, synth::Side::Back, 12, false);
  const PermitResult t = extractor.extract(tw.image, {});
  EXPECT_EQ(t.type, synth::permit_api_type(synth::PermitType::ExitEntryTw));
  EXPECT_EQ(t.field("endorsement_info_hk.remark"), nullptr);
  EXPECT_EQ(wrong_fields(t, tw), 0);
}

TEST(ExitEntryPermit, AOneStrokeCountBesideItsLabelIsFound) {
  // "一次": a lone thin stroke and one character. The detector's mean probability over its box is
  // ~0.5-0.6: at PP-OCR's usual box threshold (0.6) the line was dropped and the count read empty.
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Back, 24534, false);
  const PermitResult r = extractor.extract(s.image, {});
  ASSERT_NE(r.field("endorsement_info_hk.valid_round_trips"), nullptr);
  EXPECT_EQ(r.field("endorsement_info_hk.valid_round_trips")->value, "一次");
  EXPECT_EQ(wrong_fields(r, s), 0);
}

TEST(ExitEntryPermit, ACountTheDetectorMissedIsReadWhereItStands) {
  // A dark, blurred, noisy photo: the detector finds no line right of the Macao block's count label
  // at all, so the count is read from where the labels put it.
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Back, 200534, true);
  const PermitResult r = extractor.extract(s.image, {});
  ASSERT_NE(r.field("endorsement_info_mo.valid_round_trips"), nullptr);
  EXPECT_EQ(r.field("endorsement_info_mo.valid_round_trips")->value, "一次") << s.difficulty;
  EXPECT_EQ(wrong_fields(r, s), 0);
}

TEST(ExitEntryPermit, ALetterTheSqueezeDroppedFromTheLatinNameIsReadBack) {
  // Read with the card's other lines, "WEI, BOKAI" (clean) lost its O and "MAI, PINGYONG"
  // (photographed) its Y; read again alone and wider, both come back whole.
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  for (const auto& [type, seed, photo] : {std::tuple{synth::PermitType::ExitEntryHkMo, 20292798u, false},
                                          std::tuple{synth::PermitType::ExitEntryTw, 124809u, true}}) {
    const synth::PermitSample s = permit_sample(type, synth::Side::Front, seed, photo);
    const PermitResult r = extractor.extract(s.image, {});
    ASSERT_NE(r.field("name_en"), nullptr) << seed;
    EXPECT_EQ(r.field("name_en")->value, s.truth.fields.at("name_en")) << seed << " " << s.difficulty;
  }
}

TEST(ExitEntryPermit, AFrontWhoseMachineCodeIsCoveredIsToldByItsTitle) {
  // The titles are read only when the rest of the card leaves the permit in doubt. Without the
  // machine code's "CD", a front's labels are the same on both kinds: only the title says Taiwan.
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryTw, synth::Side::Front, 11, false);
  const int top = s.image.rows * 86 / 100, bottom = s.image.rows * 97 / 100;
  s.image(cv::Rect(0, top, s.image.cols, bottom - top)).setTo(cv::Scalar(235, 240, 240));
  const PermitResult r = extractor.extract(s.image, {});
  EXPECT_EQ(r.type, synth::permit_api_type(synth::PermitType::ExitEntryTw));
  EXPECT_EQ(r.side, "front");
  EXPECT_FALSE(r.machine_code_valid);
  ASSERT_NE(r.field("name"), nullptr);
  EXPECT_EQ(r.field("name")->value, s.truth.fields.at("name"));
}

TEST(ExitEntryPermit, PhotographedFrontWithPortrait) {
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 21, true);
  PermitRequest request;
  request.return_portrait_image = true;
  const PermitResult r = extractor.extract(s.image, request);
  EXPECT_EQ(r.side, "front");
  EXPECT_LE(wrong_fields(r, s), 1) << s.difficulty;
  ASSERT_TRUE(r.portrait_location.has_value());
  const cv::Point2f centre = ((*r.portrait_location)[0] + (*r.portrait_location)[2]) * 0.5f;
  const cv::Point2f truth = (s.truth.portrait_quad[0] + s.truth.portrait_quad[2]) * 0.5f;
  EXPECT_LT(cv::norm(centre - truth), 0.1 * cv::norm(s.truth.portrait_quad[0] - s.truth.portrait_quad[2]));
  EXPECT_GT(r.portrait_jpeg.size(), 500u);
  EXPECT_TRUE(r.portrait_confirmed);  // the face cascade found the face in the photo area
}

// The machine line read on its own with the recognizer restricted to the MRZ alphabet: only
// A-Z 0-9 < come out, and the line is the one printed.
TEST(ExitEntryPermit, MachineLineReadWithTheMrzAlphabet) {
  const synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 13, false);
  const cv::Mat band = s.image(cv::Rect(0, 540, s.image.cols, 85));
  RecognizeOptions o;
  o.alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
  const PageText page = test::SharedEngine::get().recognize(band, o);
  std::string read;
  for (const auto& line : page.lines) read += line.text;
  read.erase(std::remove(read.begin(), read.end(), ' '), read.end());
  EXPECT_EQ(read.find_first_not_of(o.alphabet), std::string::npos) << read;
  EXPECT_EQ(read, s.truth.fields.at("machine_code"));
}

TEST(ExitEntryPermit, OtherDocumentsAreRefusedWithAis0104) {
  const ExitEntryPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample mainland = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 3, false);
  try {
    extractor.extract(mainland.image, {});
    FAIL() << "a mainland travel permit was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::kImageNotSupported);
    EXPECT_NE(std::string(e.what()).find("mainland-travel-permit"), std::string::npos);
  }
  const cv::Mat blank(600, 900, CV_8UC3, cv::Scalar(200, 210, 220));
  EXPECT_THROW(extractor.extract(blank, {}), Error);
}

}  // namespace
}  // namespace ocrserve
