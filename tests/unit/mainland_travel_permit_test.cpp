// MainlandTravelPermitExtractor on synthetic permits (both types, both sides).
#include <gtest/gtest.h>

#include "ocrserve/error.h"
#include "ocrserve/mrz.h"
#include "ocrserve/permit.h"
#include "permit.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

using test::permit_sample;
using test::wrong_fields;

TEST(MainlandTravelPermit, FrontsOfBothTypes) {
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  for (const auto type : {synth::PermitType::MainlandHkMo, synth::PermitType::MainlandTw}) {
    const synth::PermitSample s = permit_sample(type, synth::Side::Front, 31, false);
    const PermitResult r = extractor.extract(s.image, {});
    EXPECT_EQ(r.type, synth::permit_api_type(type));
    EXPECT_EQ(r.side, "front");
    EXPECT_EQ(wrong_fields(r, s), 0);
    ASSERT_NE(r.field("issue_times"), nullptr);
    EXPECT_EQ(r.field("issue_times")->value.size(), 2u);
  }
}

TEST(MainlandTravelPermit, BacksGiveThreeCheckedMachineLines) {
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  for (const auto type : {synth::PermitType::MainlandHkMo, synth::PermitType::MainlandTw}) {
    const synth::PermitSample s = permit_sample(type, synth::Side::Back, 32, false);
    const PermitResult r = extractor.extract(s.image, {});
    EXPECT_EQ(r.side, "back");
    EXPECT_TRUE(r.machine_code_valid);
    EXPECT_EQ(wrong_fields(r, s), 0);
    const std::vector<std::string> lines = {r.field("machine_code1")->value, r.field("machine_code2")->value,
                                            r.field("machine_code3")->value};
    const mrz::MrzResult parsed = mrz::parse(lines, mrz::Format::MainlandTravelPermit,
                                             {std::chrono::year(2026), std::chrono::month(11), std::chrono::day(22)});
    EXPECT_TRUE(parsed.all_checks_passed);
    EXPECT_EQ(parsed.issuing_state, "CHN");
    EXPECT_EQ(r.field("id_number") != nullptr, type == synth::PermitType::MainlandHkMo);
  }
}

// The name line's I's (a lone stem the recognizer drops into the spacing or reads as H) and the
// letters it dropped beside them: "LIU<<HIU<YEE" read as "LHU<<H?U<?EE", "TO<<MEI<KEI" as
// "TO<<ME?<KEI" before the cells were checked and the name read again. On 63013 the second line's
// last digit went undetected, so only the lines as recognized pass their checks; the name still
// comes from the grid ("MA<<YIU<ON", not the shifted "MA<<YU<N" of the recognized line).
TEST(MainlandTravelPermit, NameLineKeepsItsIsAndDroppedLetters) {
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  for (const std::uint64_t seed : {20292798u, 777u, 63013u}) {
    const synth::PermitSample s = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, seed, false);
    const PermitResult r = extractor.extract(s.image, {});
    ASSERT_NE(r.field("machine_code3"), nullptr);
    EXPECT_EQ(r.field("machine_code3")->value, s.truth.fields.at("machine_code3")) << seed;
  }
}

TEST(MainlandTravelPermit, AHongKongIdNumberReadWithADigitForItsLetterIsPutRight) {
  // "I006563(8)" read "1006563(8)", which would be a Macao number; the checked machine code says the
  // holder is a Hong Kong resident (H), whose number starts with a letter.
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 121344, true);
  const PermitResult r = extractor.extract(s.image, {});
  ASSERT_NE(r.field("id_number"), nullptr);
  EXPECT_EQ(r.field("id_number")->value, s.truth.fields.at("id_number")) << s.difficulty;
}

TEST(MainlandTravelPermit, PhotographedBack) {
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Back, 33, true);
  const PermitResult r = extractor.extract(s.image, {});
  EXPECT_EQ(r.type, synth::permit_api_type(synth::PermitType::MainlandHkMo));
  EXPECT_LE(wrong_fields(r, s), 1) << s.difficulty;
}

TEST(MainlandTravelPermit, ExitEntryPermitsAreRefusedWithAis0104) {
  const MainlandTravelPermitExtractor extractor(test::SharedEngine::get());
  const synth::PermitSample s = permit_sample(synth::PermitType::ExitEntryTw, synth::Side::Front, 3, false);
  try {
    extractor.extract(s.image, {});
    FAIL() << "an exit-entry permit was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::kImageNotSupported);
    EXPECT_NE(std::string(e.what()).find("exit-entry-permit"), std::string::npos);
  }
}

}  // namespace
}  // namespace ocrserve
