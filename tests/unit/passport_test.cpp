// PassportExtractor on synthetic data pages: the machine zone's fields, the Chinese visual zone, the
// modes of country_code, and what is not a passport.
#include "ocrserve/passport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ocrserve/error.h"
#include "passport.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

int wrong(const PassportResult& r, const synth::PassportSample& s) {
  int n = 0;
  for (const auto& [name, want] : s.truth.fields) {
    const PassportField* got = r.field(name);
    if (!got || got->value != want) {
      ++n;
      ADD_FAILURE() << name << ": want '" << want << "' got '" << (got ? got->value : "<none>") << "'";
    }
  }
  return n;
}

// Each page (kind, seed, photographed) read with its machine zone valid and every field right.
void expect_read_right(std::initializer_list<synth::PassportOptions> pages) {
  const PassportExtractor extractor(test::SharedEngine::get());
  for (const synth::PassportOptions& page : pages) {
    const synth::PassportSample s = synth::render_passport(page);
    const PassportResult r = extractor.extract(s.image, {});
    EXPECT_TRUE(r.machine_zone_valid) << s.truth.fields.at("passport_number");
    EXPECT_EQ(wrong(r, s), 0) << s.truth.fields.at("passport_number");
  }
}

TEST(Passport, ChinesePageGivesEveryFieldWithTheMachineZoneChecked) {
  const synth::PassportSample s = synth::render_passport({synth::PassportKind::China, 2, false});
  const PassportResult r = PassportExtractor(test::SharedEngine::get()).extract(s.image, {});
  EXPECT_TRUE(r.chinese);
  EXPECT_TRUE(r.machine_zone_valid);
  EXPECT_EQ(wrong(r, s), 0);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["nationality"], "CHINESE");
  EXPECT_TRUE(j["extra_info"]["local_language"].is_object());
  EXPECT_TRUE(j["confidence"]["passport_number"].is_number());
}

TEST(Passport, ForeignPageAndGeneralModeReadTheMachineZoneOnly) {
  const synth::PassportSample s = synth::render_passport({synth::PassportKind::Foreign, 5, false});
  const PassportExtractor extractor(test::SharedEngine::get());
  const PassportResult r = extractor.extract(s.image, {});
  EXPECT_FALSE(r.chinese);
  EXPECT_EQ(wrong(r, s), 0);
  EXPECT_EQ(r.field("nationality"), nullptr);  // seed 004: Chinese passports only
  EXPECT_TRUE(to_json(r)["extra_info"].empty());

  const synth::PassportSample chn = synth::render_passport({synth::PassportKind::China, 3, false});
  PassportRequest general;
  general.country_code = "GENERAL";
  const PassportResult g = extractor.extract(chn.image, general);
  EXPECT_FALSE(g.chinese);
  EXPECT_EQ(g.field("date_of_issue"), nullptr);
  ASSERT_NE(g.field("passport_number"), nullptr);
  EXPECT_EQ(g.field("passport_number")->value, chn.truth.fields.at("passport_number"));
}

// Pages of the passport bench that once failed: a photo whose first machine line the detector missed
// at the card's scale (the band is detected again), a clean page whose second line lost its filler
// tail (its check digits hold: still a passport), O and 0 at the start of a number, a photo whose
// grid slipped a column (its segments joined where they overlap read right).
TEST(Passport, MachineZonesTheCardReadingCutShort) {
  expect_read_right({{synth::PassportKind::China, 20714287, true},
                     {synth::PassportKind::Foreign, 20506611, false},
                     {synth::PassportKind::Foreign, 20379907, false},
                     {synth::PassportKind::China, 20587583, true}});
}

// A clean Chinese page printed "01 OCT 2021", read "01 0CT 2021"; and a clean foreign page whose
// two machine lines the detector both stopped short (the second without a single filler).
TEST(Passport, MonthsReadWithAZeroAndZonesCutShortOnBothLines) {
  const PassportExtractor extractor(test::SharedEngine::get());
  const synth::PassportSample october = synth::render_passport({synth::PassportKind::China, 20332394, false});
  const PassportResult r = extractor.extract(october.image, {});
  ASSERT_NE(r.field("date_of_issue"), nullptr);
  EXPECT_EQ(r.field("date_of_issue")->value, october.truth.fields.at("date_of_issue"));
  const synth::PassportSample cut = synth::render_passport({synth::PassportKind::Foreign, 20633316, false});
  const PassportResult c = extractor.extract(cut.image, {});
  EXPECT_TRUE(c.machine_zone_valid);
  EXPECT_EQ(wrong(c, cut), 0);
}

// Pages whose machine zone, read in segments alone, lost a character: a name's last letter dropped
// into the filler run after it (HUGO, HUILI) or a middle one (ANAN), and a digit whose segment then
// misplaced its neighbours. The segment read again around the gap puts them back.
TEST(Passport, ACharacterTheSegmentsDroppedIsReadAgainAroundTheGap) {
  expect_read_right({{synth::PassportKind::Foreign, 20577882, false},
                     {synth::PassportKind::China, 20706368, true},
                     {synth::PassportKind::Foreign, 20738044, true}});
  const PassportExtractor extractor(test::SharedEngine::get());
  const synth::PassportSample digit = synth::render_passport({synth::PassportKind::China, 20714288, true});
  const PassportResult r = extractor.extract(digit.image, {});
  EXPECT_TRUE(r.machine_zone_valid);
  ASSERT_NE(r.field("machine_code2"), nullptr);
  EXPECT_EQ(r.field("machine_code2")->value, digit.truth.fields.at("machine_code2"));
}

TEST(Passport, APermitOrABlankImageIsNotAPassport) {
  const PassportExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample permit = test::permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 4, false);
  try {
    extractor.extract(permit.image, {});
    FAIL() << "a travel permit was read as a passport";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::kImageNotSupported);
  }
  EXPECT_THROW(extractor.extract(cv::Mat(500, 700, CV_8UC3, cv::Scalar(230, 230, 230)), {}), Error);
}

TEST(PassportRequest, CountryCodeModes) {
  EXPECT_EQ(parse_passport_request(nlohmann::json::object()).country_code, "");
  EXPECT_EQ(parse_passport_request({{"country_code", "GENERAL"}}).country_code, "GENERAL");
  EXPECT_EQ(parse_passport_request({{"country_code", "CHN"}}).country_code, "CHN");
  for (const nlohmann::json& bad : {nlohmann::json{{"country_code", "china"}}, nlohmann::json{{"country_code", 156}},
                                    nlohmann::json{{"country_code", "CHINA"}}}) {
    try {
      parse_passport_request(bad);
      FAIL() << bad.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), codes::kInvalidParameter);
      EXPECT_NE(std::string(e.what()).find("country_code"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace ocrserve
