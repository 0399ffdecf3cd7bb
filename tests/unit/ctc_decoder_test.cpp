#include "engine/ctc_decoder.h"

#include <gtest/gtest.h>

namespace ocrserve::engine {
namespace {

// Builds a steps x classes probability matrix where each step puts `p` on one class.
std::vector<float> one_hot(const std::vector<int>& best, int classes, float p = 0.9f) {
  std::vector<float> m(best.size() * classes, (1.f - p) / (classes - 1));
  for (size_t t = 0; t < best.size(); ++t) m[t * classes + best[t]] = p;
  return m;
}

const CtcDecoder kDecoder({"a", "b", "中", " "});  // classes: 0 blank, 1 a, 2 b, 3 中, 4 space

TEST(CtcDecoder, CollapsesRepeatsAndDropsBlanks) {
  const auto m = one_hot({0, 1, 1, 0, 1, 2, 2, 0, 3}, 5);
  const CtcResult r = kDecoder.decode(m.data(), 9, 5);
  EXPECT_EQ(r.text, "aab中");
  ASSERT_EQ(r.chars.size(), 4u);
  EXPECT_EQ(r.chars[0].first_step, 1);
  EXPECT_EQ(r.chars[0].last_step, 2);
  EXPECT_EQ(r.chars[1].first_step, 4);
  EXPECT_EQ(r.chars[2].first_step, 5);
  EXPECT_EQ(r.chars[2].last_step, 6);
  EXPECT_EQ(r.chars[3].text, "中");
  EXPECT_NEAR(r.confidence, 0.9f, 1e-5);
}

TEST(CtcDecoder, AnAlphabetKeepsTheLikeliestAllowedClass) {
  // Step 1: 中 (0.6) over b (0.3); step 3: 中 (0.9) over blank. Allowed: a, b.
  std::vector<float> m = one_hot({1, 3, 0, 3}, 5);
  m[1 * 5 + 2] = 0.3f;
  m[1 * 5 + 3] = 0.6f;
  const std::vector<bool> allowed = kDecoder.mask_for("ab");
  ASSERT_EQ(allowed.size(), 5u);
  EXPECT_TRUE(allowed[0] && allowed[1] && allowed[2] && !allowed[3] && !allowed[4]);
  EXPECT_EQ(kDecoder.decode(m.data(), 4, 5).text, "a中中");
  const CtcResult r = kDecoder.decode(m.data(), 4, 5, &allowed);
  EXPECT_EQ(r.text, "ab");  // step 3's 中 falls back to blank, the likeliest allowed class there
  EXPECT_NEAR(r.chars[1].confidence, 0.3f, 1e-5);
}

TEST(CtcDecoder, RepeatWithoutBlankIsOneCharacter) {
  const auto m = one_hot({2, 2, 2}, 5);
  EXPECT_EQ(kDecoder.decode(m.data(), 3, 5).text, "b");
}

TEST(CtcDecoder, AllBlankIsEmptyWithZeroConfidence) {
  const auto m = one_hot({0, 0, 0, 0}, 5);
  const CtcResult r = kDecoder.decode(m.data(), 4, 5);
  EXPECT_TRUE(r.text.empty());
  EXPECT_EQ(r.confidence, 0.f);
}

TEST(CtcDecoder, ConfidenceIsMeanOfCharacterRuns) {
  std::vector<float> m = one_hot({1, 1, 0, 2}, 5);
  m[1 * 5 + 1] = 0.5f;  // second step of "a" is unsure
  const CtcResult r = kDecoder.decode(m.data(), 4, 5);
  ASSERT_EQ(r.chars.size(), 2u);
  EXPECT_NEAR(r.chars[0].confidence, 0.7f, 1e-5);
  EXPECT_NEAR(r.confidence, 0.8f, 1e-5);
}

TEST(CtcAlignment, SpansSplitHalfwayBetweenRunsAndStayInside) {
  const auto m = one_hot({0, 1, 0, 0, 2, 2, 0, 3, 0, 0}, 5);
  const CtcResult r = kDecoder.decode(m.data(), 10, 5);
  const auto spans = char_spans(r.chars, 8.f, 80.f);
  ASSERT_EQ(spans.size(), 3u);
  // "a" at step 1 [8,16), "b" steps 4-5 [32,48), "中" step 7 [56,64).
  EXPECT_FLOAT_EQ(spans[0].x0, 0.f);
  EXPECT_FLOAT_EQ(spans[0].x1, 24.f);
  EXPECT_FLOAT_EQ(spans[1].x0, 24.f);
  EXPECT_FLOAT_EQ(spans[1].x1, 52.f);
  EXPECT_FLOAT_EQ(spans[2].x0, 52.f);
  EXPECT_FLOAT_EQ(spans[2].x1, 72.f);
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_LT(spans[i].x0, spans[i].x1);
    if (i > 0) {
      EXPECT_FLOAT_EQ(spans[i - 1].x1, spans[i].x0);
    }
  }
}

TEST(CtcAlignment, ClampsToWidth) {
  const auto m = one_hot({1, 0, 2}, 5);
  const CtcResult r = kDecoder.decode(m.data(), 3, 5);
  const auto spans = char_spans(r.chars, 8.f, 20.f);  // padding beyond 20 px
  EXPECT_FLOAT_EQ(spans[0].x0, 0.f);
  EXPECT_FLOAT_EQ(spans[1].x1, 20.f);
}

TEST(Utf8, SplitsMultibyteCharacters) {
  const auto parts = split_utf8("a中€😀b");
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[1], "中");
  EXPECT_EQ(parts[2], "€");
  EXPECT_EQ(parts[3], "😀");
}

}  // namespace
}  // namespace ocrserve::engine
