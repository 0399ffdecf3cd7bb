// Card pipeline: outline, rectification and orientation of synthetic cards photographed on a
// cluttered background at various rotations and sizes.
#include "ocrserve/card.h"

#include <algorithm>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "engine/geometry.h"
#include "permit_test_support.h"
#include "test_support.h"

namespace ocrserve {
namespace {

struct Photo {
  cv::Mat image;
  Quad card;  // truth: corners of the card as printed (tl, tr, br, bl)
};

// A card placed on a textured desk: `coverage` of the frame's area, turned `degrees`, with a little
// perspective.
Photo photograph(const cv::Mat& card, double coverage, double degrees, std::uint64_t seed) {
  cv::RNG rng(seed);
  Photo photo;
  photo.image.create(1200, 1600, CV_8UC3);
  cv::randu(photo.image, cv::Scalar(40, 50, 60), cv::Scalar(140, 130, 120));
  cv::GaussianBlur(photo.image, photo.image, cv::Size(0, 0), 3);
  for (int i = 0; i < 12; ++i) {  // clutter: lines and blobs
    cv::line(photo.image, {rng.uniform(0, 1600), rng.uniform(0, 1200)}, {rng.uniform(0, 1600), rng.uniform(0, 1200)},
             cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)), rng.uniform(1, 6));
  }
  const double area = coverage * 1600 * 1200;
  const double w = std::sqrt(area * card.cols / card.rows), h = area / w;
  const double a = degrees * CV_PI / 180, c = std::cos(a), s = std::sin(a);
  const cv::Point2f centre(800, 600);
  const cv::Point2f half_w(static_cast<float>(c * w / 2), static_cast<float>(s * w / 2));
  const cv::Point2f half_h(static_cast<float>(-s * h / 2), static_cast<float>(c * h / 2));
  photo.card = {centre - half_w - half_h, centre + half_w - half_h, centre + half_w + half_h, centre - half_w + half_h};
  for (auto& p : photo.card)
    p += cv::Point2f(rng.uniform(-0.02f, 0.02f) * static_cast<float>(w),
                     rng.uniform(-0.02f, 0.02f) * static_cast<float>(h));
  const cv::Point2f src[4] = {{0, 0},
                              {static_cast<float>(card.cols), 0},
                              {static_cast<float>(card.cols), static_cast<float>(card.rows)},
                              {0, static_cast<float>(card.rows)}};
  const cv::Point2f dst[4] = {photo.card[0], photo.card[1], photo.card[2], photo.card[3]};
  cv::warpPerspective(card, photo.image, cv::getPerspectiveTransform(src, dst), photo.image.size(), cv::INTER_LINEAR,
                      cv::BORDER_TRANSPARENT);
  return photo;
}

double worst_corner_error(const Quad& found, const Quad& truth) {
  double worst = 0;
  for (int i = 0; i < 4; ++i) worst = std::max(worst, cv::norm(found[i] - truth[i]));
  return worst;
}

// A corner-order-independent comparison (the outline alone does not know which way is up).
double worst_corner_error_any_turn(const Quad& found, const Quad& truth) {
  double best = 1e9;
  for (int t = 0; t < 4; ++t) {
    const Quad turned = {found[t], found[(t + 1) % 4], found[(t + 2) % 4], found[(t + 3) % 4]};
    best = std::min(best, worst_corner_error(turned, truth));
  }
  return best;
}

class CardPipeline : public test::EngineTest, public ::testing::WithParamInterface<std::tuple<double, double>> {};

TEST_P(CardPipeline, FindsRectifiesAndTurnsTheCardUpright) {
  const auto [coverage, degrees] = GetParam();
  const auto sample = test::render(synth::Kind::Card, 40 + static_cast<std::uint64_t>(degrees));
  const Photo photo = photograph(sample.image, coverage, degrees, 7);
  const double diagonal = cv::norm(photo.card[0] - photo.card[2]);

  const auto outline = find_card_outline(photo.image);
  ASSERT_TRUE(outline.has_value());
  EXPECT_LT(worst_corner_error_any_turn(outline->quad, photo.card), 0.03 * diagonal);

  const UprightCard card = rectify_card(photo.image, engine());
  EXPECT_EQ(card.image.size(), cv::Size(kCardWidth, kCardHeight));
  EXPECT_LT(worst_corner_error(card.location.quad, photo.card), 0.03 * diagonal) << "corners in reading order";
  // The rectified card reads like the original card.
  std::vector<bench::TruthLine> truth;
  const double sx = static_cast<double>(kCardWidth) / sample.image.cols,
               sy = static_cast<double>(kCardHeight) / sample.image.rows;
  for (const auto& l : sample.lines) {
    Quad q = l.quad;
    for (auto& p : q) p = cv::Point2f(static_cast<float>(p.x * sx), static_cast<float>(p.y * sy));
    truth.push_back({l.text, q});
  }
  EXPECT_GE(bench::score_page(truth, card.text.lines).char_accuracy(), 0.95);
  // Upright-card points map back onto the photo.
  const Quad whole = {cv::Point2f(0, 0), cv::Point2f(kCardWidth, 0), cv::Point2f(kCardWidth, kCardHeight),
                      cv::Point2f(0, kCardHeight)};
  EXPECT_LT(worst_corner_error(card_to_photo(card, whole), photo.card), 0.03 * diagonal);
}

// (coverage, degrees) pairs where the whole card stays inside the 1600x1200 frame.
INSTANTIATE_TEST_SUITE_P(CoverageAndRotation, CardPipeline,
                         ::testing::Values(std::tuple{0.3, 0.0}, std::tuple{0.3, 25.0}, std::tuple{0.3, 90.0},
                                           std::tuple{0.3, 185.0}, std::tuple{0.3, 290.0}, std::tuple{0.6, 0.0},
                                           std::tuple{0.6, 180.0}, std::tuple{0.42, 90.0}, std::tuple{0.5, 10.0}));

TEST_F(CardPipeline, AFrameFillingCardIsTakenWhole) {
  const auto sample = test::render(synth::Kind::Card, 3);
  cv::Mat big;
  cv::resize(sample.image, big, cv::Size(1600, 1009));
  const UprightCard card = rectify_card(big, engine());
  EXPECT_FALSE(card.location.from_edges);
  EXPECT_GE(card.text.lines.size(), sample.lines.size() - 2);
}

// How many of `again`'s lines are `first`'s own readings (same text and the very same confidence),
// i.e. were carried over rather than recognized anew.
size_t carried_over(const UprightCard& first, const UprightCard& again) {
  size_t n = 0;
  for (const auto& a : again.text.lines) {
    n += std::any_of(first.text.lines.begin(), first.text.lines.end(),
                     [&](const TextLine& f) { return f.text == a.text && f.confidence == a.confidence; });
  }
  return n;
}

// A card photo and its truth, the lines in rectified-card pixels.
struct CardReadingCase {
  Photo photo;
  std::vector<bench::TruthLine> truth;
};

CardReadingCase card_reading_case() {
  const auto sample = test::render(synth::Kind::Card, 41);
  CardReadingCase c{photograph(sample.image, 0.5, 8.0, 11), {}};
  const double sx = static_cast<double>(kCardWidth) / sample.image.cols,
               sy = static_cast<double>(kCardHeight) / sample.image.rows;
  for (const auto& l : sample.lines) {
    Quad q = l.quad;
    for (auto& p : q) p = cv::Point2f(static_cast<float>(p.x * sx), static_cast<float>(p.y * sy));
    c.truth.push_back({l.text, q});
  }
  return c;
}

// The outline moved by `right` of the card's width at its right side (negative: cut short).
CardLocation stretched(const Quad& card, float right) {
  CardLocation loc;
  loc.quad = card;
  loc.quad[1] += (card[1] - card[0]) * right;
  loc.quad[2] += (card[2] - card[3]) * right;
  return loc;
}

TEST_F(CardPipeline, ReadingAgainAtACorrectedOutlineKeepsTheLinesReadWhole) {
  const CardReadingCase c = card_reading_case();
  CardLocation truth;
  truth.quad = c.photo.card;
  // The first outline cut the card's right half off: the title and the dates were read in part.
  const UprightCard first = rectify_card(c.photo.image, stretched(c.photo.card, -0.45f), engine());
  const UprightCard again = reread_card(c.photo.image, first, truth, engine());
  const UprightCard fresh = rectify_card(c.photo.image, truth, engine());
  EXPECT_GE(carried_over(first, again), again.text.lines.size() / 3) << "lines read whole are not read again";
  EXPECT_LT(carried_over(first, again), again.text.lines.size()) << "lines cut by the first outline are";
  EXPECT_GE(bench::score_page(c.truth, again.text.lines).char_accuracy(),
            bench::score_page(c.truth, fresh.text.lines).char_accuracy() - 0.01);
  EXPECT_LT(worst_corner_error(again.location.quad, c.photo.card), 1.0);
}

TEST_F(CardPipeline, ReadingAgainAtAnOutlineThatEnlargesThePrintReadsEverything) {
  const CardReadingCase c = card_reading_case();
  CardLocation truth;
  truth.quad = c.photo.card;
  // The first outline took in 1.7 times the card's width and height: its print was read at 60%.
  CardLocation wide;
  const cv::Point2f centre = (c.photo.card[0] + c.photo.card[2]) * 0.5f;
  for (int i = 0; i < 4; ++i) wide.quad[i] = centre + (c.photo.card[i] - centre) * 1.7f;
  const UprightCard first = rectify_card(c.photo.image, wide, engine());
  const UprightCard again = reread_card(c.photo.image, first, truth, engine());
  EXPECT_EQ(carried_over(first, again), 0u);
  EXPECT_GE(bench::score_page(c.truth, again.text.lines).char_accuracy(), 0.95);
}

TEST_F(CardPipeline, LinesDeclinedAreHandedBackUprightToBeReadLater) {
  const CardReadingCase c = card_reading_case();
  // Upside down: the declined lines must come back in the turned card's pixels.
  const auto sample = test::render(synth::Kind::Card, 41);
  const Photo photo = photograph(sample.image, 0.5, 185.0, 11);
  std::vector<Quad> unread;
  // Quads come in reading direction, in the card as first rectified (here upside down).
  const auto label_column = [](const Quad& q) {
    const float mid = (q[0].x + q[1].x) / 2;
    return (q[1].x > q[0].x ? mid : kCardWidth - mid) < 0.18f * kCardWidth;
  };
  CardReading values_only;
  values_only.read_line = [&](const Quad& q) { return !label_column(q); };
  const UprightCard card = rectify_card(photo.image, engine(), values_only, &unread);
  ASSERT_FALSE(unread.empty());
  ASSERT_FALSE(card.text.lines.empty());
  PageText whole = card.text;
  for (TextLine& line : engine().read_lines(card.image, unread, {})) whole.lines.push_back(std::move(line));
  EXPECT_GE(bench::score_page(c.truth, whole.lines).char_accuracy(), 0.95);
  // The labels (left) were declined, the values (right of them) read; the declined lines are where
  // the labels are on the upright card, in reading direction.
  EXPECT_LT(bench::score_page(c.truth, card.text.lines).char_accuracy(), 0.9);
  for (const Quad& q : unread) {
    EXPECT_LT((q[0].x + q[1].x) / 2, 0.18f * kCardWidth);
    EXPECT_LT(q[0].x, q[1].x);
  }
}

// Where the photographer put the card's corners: the perspective that takes four far-apart line
// corners of the clean card (the text's extremes along both diagonals) to the photographed card's.
Quad card_corners_in_photo(const synth::PermitSample& clean, const synth::PermitSample& photo) {
  std::vector<cv::Point2f> from, to;
  for (size_t i = 0; i < clean.lines.size() && i < photo.lines.size(); ++i) {
    from.insert(from.end(), clean.lines[i].quad.begin(), clean.lines[i].quad.end());
    to.insert(to.end(), photo.lines[i].quad.begin(), photo.lines[i].quad.end());
  }
  size_t pick[4] = {0, 0, 0, 0};  // min x+y, max x-y, max x+y, min x-y
  for (size_t i = 0; i < from.size(); ++i) {
    const cv::Point2f p = from[i];
    if (p.x + p.y < from[pick[0]].x + from[pick[0]].y) pick[0] = i;
    if (p.x - p.y > from[pick[1]].x - from[pick[1]].y) pick[1] = i;
    if (p.x + p.y > from[pick[2]].x + from[pick[2]].y) pick[2] = i;
    if (p.x - p.y < from[pick[3]].x - from[pick[3]].y) pick[3] = i;
  }
  const Quad a = {from[pick[0]], from[pick[1]], from[pick[2]], from[pick[3]]};
  const Quad b = {to[pick[0]], to[pick[1]], to[pick[2]], to[pick[3]]};
  const float w = static_cast<float>(clean.image.cols), h = static_cast<float>(clean.image.rows);
  const Quad card = {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
  return engine::transform_quad(card, engine::perspective_between(a, b));
}

// The outline of a photographed mainland-hkmo front is found, each corner within 2% of the card's
// diagonal of where the photographer put it.
void expect_outline_found(std::uint64_t seed) {
  const auto photo = test::permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Front, seed, true);
  const auto clean = test::permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Front, seed, false);
  const Quad truth = card_corners_in_photo(clean, photo);
  const auto outline = find_card_outline(photo.image);
  ASSERT_TRUE(outline.has_value());
  EXPECT_LT(worst_corner_error_any_turn(outline->quad, truth), 0.02 * cv::norm(truth[0] - truth[2]));
}

TEST(CardOutline, RoundedCornersAndADoubleRimAreFittedByTheSides) {
  // A permit on a dark desk in perspective: its rounded corners and its rim (edge and shadow) put
  // every candidate quad's sides 10-20 px (work scale) off the card's, out of a narrow fit's reach.
  expect_outline_found(20261124);
}

TEST(CardOutline, ADimWashedOutPhotoIsSearchedAtLowerEdgeThresholds) {
  // A light card on light paper, dark, glared and blurred: at the usual thresholds its rim leaves
  // no edge at all.
  expect_outline_found(153020);
}

TEST_F(CardPipeline, ACardPlacedByItsTextIsTakenAlongItsLinesAndReadOnce) {
  // A card on end, light on paper and blurred: no outline in its edges, so its text's extent places
  // it. It is read once, upright.
  const synth::PermitSample s = test::permit_sample(synth::PermitType::MainlandTw, synth::Side::Back, 20262031, true);
  ASSERT_FALSE(find_card_outline(s.image).has_value());
  size_t offered = 0;
  CardReading counting;
  counting.read_line = [&](const Quad&) {
    ++offered;
    return true;
  };
  const UprightCard card = rectify_card(s.image, engine(), counting);
  EXPECT_TRUE(card.text.direction < 5.f || card.text.direction > 355.f) << card.text.direction;
  ASSERT_GE(card.text.lines.size(), 5u);
  EXPECT_LE(offered, card.text.lines.size() + 3) << "read once, not again after turning the outline";
  EXPECT_TRUE(std::any_of(card.text.lines.begin(), card.text.lines.end(),
                          [](const TextLine& l) { return l.text.find("CTCHN") != std::string::npos; }));
}

TEST(CardOutline, NothingCardLikeInNoise) {
  cv::Mat noise(600, 800, CV_8UC3);
  cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(255));
  EXPECT_FALSE(find_card_outline(noise).has_value());
}

}  // namespace
}  // namespace ocrserve
