// text_axis: the direction detected lines run in, which the engine's straightening and the card's
// text outline turn by.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ocrserve/engine.h"

namespace ocrserve {
namespace {

// A line `length` long and `height` high whose reading direction p0->p1 runs at `degrees`
// (image y down, so a positive angle leans down to the right), centred on (500, 500).
Quad line_at(double degrees, float length, float height = 20.f) {
  const double a = degrees * CV_PI / 180.0;
  const cv::Point2f along(static_cast<float>(std::cos(a)), static_cast<float>(std::sin(a)));
  const cv::Point2f across(-along.y, along.x);
  const cv::Point2f c(500.f, 500.f);
  const cv::Point2f half_l = along * (length / 2), half_h = across * (height / 2);
  return {c - half_l - half_h, c + half_l - half_h, c + half_l + half_h, c - half_l + half_h};
}

// How far apart two axes are, in degrees: 90 and -90 are one axis.
double axis_gap(double a, double b) {
  const double d = std::fmod(std::abs(a - b), 180.0);
  return std::min(d, 180.0 - d);
}

// The same quad read the other way round (p0->p1 reversed), as an upside-down line is detected.
Quad reversed(const Quad& q) {
  return {q[2], q[3], q[0], q[1]};
}

TEST(TextAxis, IsTheAngleOfALineWhicheverWayItReads) {
  for (const double degrees : {0.0, 12.5, -30.0, 60.0}) {
    EXPECT_NEAR(text_axis({line_at(degrees, 300)}), degrees, 0.01) << degrees;
    EXPECT_NEAR(text_axis({reversed(line_at(degrees, 300))}), degrees, 0.01) << degrees;
    EXPECT_NEAR(text_axis({line_at(degrees + 180, 300)}), degrees, 0.01) << degrees;
  }
}

TEST(TextAxis, TellsALineRunningUpOrDownByItsLongSide) {
  // A column of text, its quad starting on a long side or on a short one.
  const Quad column = line_at(90, 300);
  const double axis = text_axis({column});
  EXPECT_GT(axis, -90);
  EXPECT_LE(axis, 90);
  EXPECT_LT(axis_gap(axis, 90), 0.01);
  const Quad short_first = {column[1], column[2], column[3], column[0]};
  EXPECT_LT(axis_gap(text_axis({short_first}), 90), 0.01);
  EXPECT_NEAR(text_axis({line_at(-70, 300, 40)}), -70, 0.01);
}

TEST(TextAxis, LeavesOutBoxesTooSquareToTell) {
  EXPECT_EQ(text_axis({}), 0);
  EXPECT_EQ(text_axis({line_at(40, 28, 20)}), 0);  // a single character
  EXPECT_NEAR(text_axis({line_at(40, 28, 20), line_at(-15, 200)}), -15, 0.01);
}

TEST(TextAxis, WeighsLongLinesMore) {
  // Two lines 4 degrees apart, one three times the other's length: the axis is nearer the long one.
  const double axis = text_axis({line_at(10, 600), line_at(14, 200)});
  EXPECT_GT(axis, 10);
  EXPECT_LT(axis, 12);
  // Opposite leans of equal length cancel, across the +-90 degree seam too.
  EXPECT_NEAR(text_axis({line_at(5, 300), line_at(-5, 300)}), 0, 0.01);
  EXPECT_LT(axis_gap(text_axis({line_at(85, 300), line_at(-85, 300)}), 90), 0.01);
}

}  // namespace
}  // namespace ocrserve
