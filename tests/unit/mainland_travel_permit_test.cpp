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
