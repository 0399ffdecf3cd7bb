// Synthetic document generator: determinism, truth geometry, and corpus/dictionary agreement.
#ifdef OCRSERVE_HAVE_SYNTH

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "corpus.h"
#include "synth.h"
#include "text.h"

namespace {

constexpr std::array<synth::Kind, 5> kAllKinds = {synth::Kind::Page, synth::Kind::Receipt, synth::Kind::Screenshot,
                                                  synth::Kind::Line, synth::Kind::Card};

using synth::render;

bool same_image(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

bool same_truth(const synth::Sample& a, const synth::Sample& b) {
  if (a.lines.size() != b.lines.size()) return false;
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    if (a.lines[i].text != b.lines[i].text) return false;
    for (std::size_t k = 0; k < 4; ++k)
      if (a.lines[i].quad[k] != b.lines[i].quad[k]) return false;
  }
  return true;
}

// Union of the truth quads, grown by `grow` pixels.
cv::Mat quad_mask(const synth::Sample& s, int grow) {
  cv::Mat mask(s.image.size(), CV_8UC1, cv::Scalar(0));
  constexpr int kShift = 4;  // sub-pixel polygon fill
  for (const auto& line : s.lines) {
    std::vector<cv::Point> pts;
    // Quads use pixel-corner coordinates; OpenCV fills around pixel centres.
    for (const auto& p : line.quad)
      pts.emplace_back(cvRound((p.x - 0.5f) * (1 << kShift)), cvRound((p.y - 0.5f) * (1 << kShift)));
    cv::fillConvexPoly(mask, pts, cv::Scalar(255), cv::LINE_8, kShift);
  }
  cv::dilate(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * grow + 1, 2 * grow + 1)));
  return mask;
}

// Fraction of `ink` pixels that fall inside the (grown) truth quads.
double ink_inside(const synth::Sample& s, const cv::Mat& ink, int grow) {
  const int total = cv::countNonZero(ink);
  if (total == 0) return 0.0;
  cv::Mat inside;
  cv::bitwise_and(ink, quad_mask(s, grow), inside);
  return static_cast<double>(cv::countNonZero(inside)) / total;
}

// Smallest share of inked pixels inside a single quad: every quad must sit on drawn text.
double min_ink_per_quad(const synth::Sample& s, const cv::Mat& ink) {
  double least = 1.0;
  for (const auto& line : s.lines) {
    synth::Sample one;
    one.image = s.image;
    one.lines = {line};
    const cv::Mat mask = quad_mask(one, 0);
    cv::Mat inside;
    cv::bitwise_and(ink, mask, inside);
    least = std::min(least, static_cast<double>(cv::countNonZero(inside)) / std::max(1, cv::countNonZero(mask)));
  }
  return least;
}

cv::Mat dark_pixels(const cv::Mat& image) {
  cv::Mat g, ink;
  cv::cvtColor(image, g, cv::COLOR_BGR2GRAY);
  cv::threshold(g, ink, 127, 255, cv::THRESH_BINARY_INV);
  return ink;
}

// Thin dark strokes regardless of lighting: black-hat (closing minus image) above a level.
cv::Mat dark_strokes(const cv::Mat& image) {
  cv::Mat g, hat, ink;
  cv::cvtColor(image, g, cv::COLOR_BGR2GRAY);
  cv::morphologyEx(g, hat, cv::MORPH_BLACKHAT, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(9, 9)));
  cv::threshold(hat, ink, 60, 255, cv::THRESH_BINARY);
  return ink;
}

std::set<char32_t> load_dictionary(const std::string& path) {
  std::set<char32_t> dict;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (char32_t c : synth::decode_utf8(line)) dict.insert(c);
  }
  dict.insert(U' ');  // PP-OCR appends the space class (use_space_char)
  return dict;
}

const std::string kDictionaryPath = OCRSERVE_TEST_FIXTURES "/../../third_party/models/ppocr_keys_v1.txt";

}  // namespace

TEST(Synth, KindNamesRoundTrip) {
  for (synth::Kind k : kAllKinds) {
    synth::Kind parsed = synth::Kind::Page;
    ASSERT_TRUE(synth::parse_kind(synth::kind_name(k), parsed));
    EXPECT_EQ(parsed, k);
  }
  synth::Kind unused = synth::Kind::Page;
  EXPECT_FALSE(synth::parse_kind("poster", unused));
}

TEST(Synth, SameSeedGivesIdenticalOutput) {
  for (synth::Kind k : kAllKinds)
    for (bool degrade : {false, true}) {
      const synth::Sample a = render(k, 42, degrade);
      const synth::Sample b = render(k, 42, degrade);
      EXPECT_TRUE(same_image(a.image, b.image)) << synth::kind_name(k) << " degrade=" << degrade;
      EXPECT_TRUE(same_truth(a, b)) << synth::kind_name(k) << " degrade=" << degrade;
      EXPECT_EQ(a.font, b.font);
      EXPECT_EQ(a.degradations, b.degradations);
    }
}

TEST(Synth, DifferentSeedsDiffer) {
  for (synth::Kind k : kAllKinds) {
    const synth::Sample a = render(k, 1);
    const synth::Sample b = render(k, 2);
    EXPECT_FALSE(same_image(a.image, b.image)) << synth::kind_name(k);
    EXPECT_FALSE(same_truth(a, b)) << synth::kind_name(k);
  }
}

TEST(Synth, DegradedKeepsTheCleanContent) {
  for (synth::Kind k : kAllKinds) {
    const synth::Sample clean = render(k, 7);
    const synth::Sample photo = render(k, 7, true);
    ASSERT_EQ(clean.lines.size(), photo.lines.size()) << synth::kind_name(k);
    for (std::size_t i = 0; i < clean.lines.size(); ++i) EXPECT_EQ(clean.lines[i].text, photo.lines[i].text);
    EXPECT_TRUE(photo.degraded);
    EXPECT_GE(photo.degradations.size(), 2u) << synth::kind_name(k);
  }
}

TEST(Synth, EveryKindRendersTextLines) {
  for (synth::Kind k : kAllKinds)
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const synth::Sample s = render(k, seed);
      ASSERT_FALSE(s.image.empty());
      EXPECT_EQ(s.image.type(), CV_8UC3);
      EXPECT_EQ(s.kind, k);
      EXPECT_FALSE(s.font.empty());
      ASSERT_FALSE(s.lines.empty()) << synth::kind_name(k);
      if (k == synth::Kind::Line) {
        EXPECT_EQ(s.lines.size(), 1u);
      }
      for (const auto& line : s.lines) {
        ASSERT_FALSE(line.text.empty());
        EXPECT_NE(line.text.front(), ' ') << line.text;
        EXPECT_NE(line.text.back(), ' ') << line.text;
        EXPECT_EQ(line.text.find("  "), std::string::npos) << line.text;
        const std::u32string cps = synth::decode_utf8(line.text);
        for (std::size_t i = 1; i + 1 < cps.size(); ++i) {
          if (cps[i] == U' ') {
            EXPECT_FALSE(synth::is_cjk(cps[i - 1]) && synth::is_cjk(cps[i + 1])) << line.text;
          }
        }
      }
    }
}

TEST(Synth, SizesMatchTheKinds) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    EXPECT_EQ(render(synth::Kind::Page, seed).image.size(), cv::Size(1240, 1754));
    EXPECT_EQ(render(synth::Kind::Card, seed).image.size(), cv::Size(1000, 630));
    EXPECT_EQ(render(synth::Kind::Screenshot, seed).image.size(), cv::Size(1280, 720));
    const cv::Mat receipt = render(synth::Kind::Receipt, seed).image;
    EXPECT_EQ(receipt.cols, 600);
    EXPECT_GE(receipt.rows, 900);
    EXPECT_LE(receipt.rows, 1400);
    const cv::Mat line = render(synth::Kind::Line, seed).image;
    EXPECT_GE(line.rows, 32);
    EXPECT_LE(line.rows, 64);
    const synth::Sample page = render(synth::Kind::Page, seed);
    EXPECT_GE(page.lines.size(), 20u);
    EXPECT_LE(page.lines.size(), 45u);
  }
}

TEST(Synth, QuadsLieInsideTheImage) {
  for (synth::Kind k : kAllKinds)
    for (std::uint64_t seed = 1; seed <= 6; ++seed)
      for (bool degrade : {false, true}) {
        const synth::Sample s = render(k, seed, degrade, static_cast<int>(seed % 4));
        const auto w = static_cast<float>(s.image.cols), h = static_cast<float>(s.image.rows);
        for (const auto& line : s.lines)
          for (const auto& p : line.quad) {
            EXPECT_GE(p.x, -0.01f) << synth::kind_name(k) << " seed " << seed << " " << line.text;
            EXPECT_GE(p.y, -0.01f) << synth::kind_name(k) << " seed " << seed << " " << line.text;
            EXPECT_LE(p.x, w + 0.01f) << synth::kind_name(k) << " seed " << seed << " " << line.text;
            EXPECT_LE(p.y, h + 0.01f) << synth::kind_name(k) << " seed " << seed << " " << line.text;
          }
      }
}

TEST(Synth, CleanInkLiesInsideTheQuads) {
  // Kinds whose only dark pixels are text (receipts have printed rules, screenshots dark bars).
  for (synth::Kind k : {synth::Kind::Page, synth::Kind::Card, synth::Kind::Line})
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      const synth::Sample s = render(k, seed);
      cv::Mat ink = dark_pixels(s.image);
      if (k == synth::Kind::Line && 2 * static_cast<std::size_t>(cv::countNonZero(ink)) > ink.total()) cv::bitwise_not(ink, ink);  // light on dark
      EXPECT_GT(ink_inside(s, ink, 3), 0.99) << synth::kind_name(k) << " seed " << seed;
      EXPECT_GT(min_ink_per_quad(s, ink), 0.03) << synth::kind_name(k) << " seed " << seed;
    }
}

TEST(Synth, DegradedInkLiesInsideTheQuads) {
  // After rotation/perspective/lighting the quads must still cover the text strokes.
  for (synth::Kind k : {synth::Kind::Page, synth::Kind::Card})
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      const synth::Sample s = render(k, seed, true);
      const cv::Mat ink = dark_strokes(s.image);
      EXPECT_GT(ink_inside(s, ink, 3), 0.99) << synth::kind_name(k) << " seed " << seed;
      // Faint grey labels under reduced contrast yield few strong strokes; still never none.
      EXPECT_GT(min_ink_per_quad(s, ink), 0.005) << synth::kind_name(k) << " seed " << seed;
    }
}

TEST(Synth, QuarterTurnsSwapSidesAndCarryTheQuads) {
  for (bool degrade : {false, true}) {
    const synth::Sample base = render(synth::Kind::Page, 5, degrade, 0);
    cv::Mat expected = base.image;
    std::vector<synth::TextLineTruth> lines = base.lines;
    for (int q = 1; q <= 3; ++q) {
      // Counter-clockwise quarter turn: (x, y) -> (y, W - x).
      const auto w = static_cast<float>(expected.cols);
      cv::Mat turned;
      cv::rotate(expected, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
      expected = turned;
      for (auto& line : lines)
        for (auto& p : line.quad) p = cv::Point2f(p.y, w - p.x);

      const synth::Sample s = render(synth::Kind::Page, 5, degrade, q);
      if (q % 2 == 1) {
        EXPECT_EQ(s.image.cols, base.image.rows);
        EXPECT_EQ(s.image.rows, base.image.cols);
      }
      EXPECT_TRUE(same_image(s.image, expected)) << "quadrants " << q;
      ASSERT_EQ(s.lines.size(), lines.size());
      for (std::size_t i = 0; i < lines.size(); ++i)
        for (std::size_t k = 0; k < 4; ++k) {
          EXPECT_NEAR(s.lines[i].quad[k].x, lines[i].quad[k].x, 1e-3);
          EXPECT_NEAR(s.lines[i].quad[k].y, lines[i].quad[k].y, 1e-3);
        }
      if (!degrade) {
        EXPECT_GT(ink_inside(s, dark_pixels(s.image), 3), 0.99) << "quadrants " << q;
      }
    }
  }
}

TEST(Synth, CorpusCharactersAreInTheRecognizerDictionary) {
  if (!std::ifstream(kDictionaryPath)) GTEST_SKIP() << "missing " << kDictionaryPath;
  const std::set<char32_t> dict = load_dictionary(kDictionaryPath);
  ASSERT_GT(dict.size(), 6000u);
  std::set<char32_t> missing;
  for (char32_t c : synth::decode_utf8(synth::corpus::all_table_text()))
    if (!dict.contains(c)) missing.insert(c);
  // And what the generators actually drew (templates filled with numbers, names, dates...).
  for (synth::Kind k : kAllKinds)
    for (std::uint64_t seed = 1; seed <= 12; ++seed)
      for (const auto& line : render(k, seed).lines)
        for (char32_t c : synth::decode_utf8(line.text))
          if (!dict.contains(c)) missing.insert(c);
  std::string listed;
  for (char32_t c : missing) listed += std::to_string(static_cast<unsigned>(c)) + " ";
  EXPECT_TRUE(missing.empty()) << "code points not in ppocr_keys_v1.txt: " << listed;
}

#endif  // OCRSERVE_HAVE_SYNTH
