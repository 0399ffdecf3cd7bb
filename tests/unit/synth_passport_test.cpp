// Synthetic passport data pages: the machine zone holds its check digits and agrees with the
// truth fields; rendering is deterministic; photographs keep the quads on the page.
#include <gtest/gtest.h>

#include "ocrserve/mrz.h"
#include "passport.h"

namespace {

const std::chrono::year_month_day kToday{std::chrono::year(2026), std::chrono::month(11), std::chrono::day(22)};

TEST(SynthPassport, MachineZoneChecksAndAgreesWithTheFields) {
  for (const auto kind : {synth::PassportKind::China, synth::PassportKind::Foreign}) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const synth::PassportSample s = synth::render_passport({kind, seed, false});
      const auto& f = s.truth.fields;
      const ocrserve::mrz::MrzResult r =
          ocrserve::mrz::parse({f.at("machine_code"), f.at("machine_code2")}, ocrserve::mrz::Format::Td3, kToday);
      ASSERT_TRUE(r.all_checks_passed) << f.at("machine_code") << " / " << f.at("machine_code2");
      EXPECT_EQ(r.document_number, f.at("passport_number"));
      EXPECT_EQ(r.issuing_state, f.at("country_code"));
      EXPECT_EQ(r.nationality, f.at("country_code"));
      EXPECT_EQ(r.birth_date, f.at("date_of_birth"));
      EXPECT_EQ(r.expiry_date, f.at("date_of_expiry"));
      EXPECT_EQ(r.sex, f.at("sex"));
      EXPECT_EQ(r.surname, f.at("surname"));
      EXPECT_EQ(r.given_names, f.at("given_name"));
      EXPECT_EQ(f.at("machine_code").size(), 44u);
      EXPECT_EQ(f.at("machine_code2").size(), 44u);
      EXPECT_EQ(f.count("extra_info.local_language.name"), kind == synth::PassportKind::China ? 1u : 0u);
      EXPECT_EQ(f.count("nationality"), kind == synth::PassportKind::China ? 1u : 0u);
    }
  }
}

TEST(SynthPassport, ForeignPagesCoverHyphensAndUnspecifiedSex) {
  bool hyphen_or_space = false, unspecified = false;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const auto f = synth::render_passport({synth::PassportKind::Foreign, seed, false}).truth.fields;
    hyphen_or_space |= f.at("given_name").find(' ') != std::string::npos;
    unspecified |= f.at("sex") == "X";
  }
  EXPECT_TRUE(hyphen_or_space);
  EXPECT_TRUE(unspecified);
}

TEST(SynthPassport, SameSeedSameImageAndPhotographsKeepTheQuadsInside) {
  const auto a = synth::render_passport({synth::PassportKind::China, 7, true});
  const auto b = synth::render_passport({synth::PassportKind::China, 7, true});
  ASSERT_EQ(a.image.size(), b.image.size());
  EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
  EXPECT_NE(a.difficulty, "clean");
  const cv::Rect frame(0, 0, a.image.cols, a.image.rows);
  for (const auto* q : {&a.truth.page_quad, &a.truth.portrait_quad, &a.truth.mrz_quad}) {
    for (const auto& p : *q) EXPECT_TRUE(frame.contains(cv::Point(cvFloor(p.x), cvFloor(p.y)))) << p;
  }
}

}  // namespace
