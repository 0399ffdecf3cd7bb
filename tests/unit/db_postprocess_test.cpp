#include "engine/db_postprocess.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "engine/geometry.h"

namespace ocrserve::engine {
namespace {

cv::Mat blank_map(int w = 200, int h = 100) { return cv::Mat::zeros(h, w, CV_32F); }

TEST(DbPostprocess, FindsOneRectangleAndUnclipsIt) {
  cv::Mat map = blank_map();
  cv::rectangle(map, cv::Rect(40, 40, 100, 10), cv::Scalar(0.95), cv::FILLED);
  const auto boxes = db_boxes(map, DbParams{}, map.size());
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes[0].score, 0.95f, 0.01f);
  // Region 100x10 (minAreaRect of pixel contour ~99x9): grown by area*1.5/perimeter ≈ 6.2 px per side.
  const Quad& q = boxes[0].quad;
  EXPECT_NEAR(q[0].x, 40 - 6.2, 1.5);
  EXPECT_NEAR(q[0].y, 40 - 6.2, 1.5);
  EXPECT_NEAR(q[2].x, 139 + 6.2, 1.5);
  EXPECT_NEAR(q[2].y, 49 + 6.2, 1.5);
  EXPECT_LT(q[0].x, q[1].x);  // ordered tl, tr, br, bl
  EXPECT_LT(q[1].y, q[2].y);
}

TEST(DbPostprocess, ScalesBoxesToTheSourceImage) {
  cv::Mat map = blank_map();
  cv::rectangle(map, cv::Rect(40, 40, 100, 10), cv::Scalar(0.9), cv::FILLED);
  const auto boxes = db_boxes(map, DbParams{}, cv::Size(400, 200));
  ASSERT_EQ(boxes.size(), 1u);
  EXPECT_NEAR(boxes[0].quad[0].x, 2 * (40 - 6.2), 3);
  EXPECT_NEAR(boxes[0].quad[2].y, 2 * (49 + 6.2), 3);
}

TEST(DbPostprocess, DropsLowScoreAndTinyRegions) {
  cv::Mat map = blank_map();
  cv::rectangle(map, cv::Rect(10, 10, 50, 10), cv::Scalar(0.45), cv::FILLED);  // above threshold, below box score
  cv::rectangle(map, cv::Rect(100, 60, 2, 2), cv::Scalar(0.99), cv::FILLED);   // speck
  EXPECT_TRUE(db_boxes(map, DbParams{}, map.size()).empty());
}

TEST(DbPostprocess, KeepsRotatedBoxes) {
  cv::Mat map = blank_map(300, 300);
  const cv::RotatedRect rect(cv::Point2f(150, 150), cv::Size2f(160, 14), 30);
  cv::Point2f pts[4];
  rect.points(pts);
  std::vector<cv::Point> poly(pts, pts + 4);
  cv::fillConvexPoly(map, poly, cv::Scalar(0.9));
  const auto boxes = db_boxes(map, DbParams{}, map.size());
  ASSERT_EQ(boxes.size(), 1u);
  const Quad& q = boxes[0].quad;
  const cv::Point2f top = q[1] - q[0];
  EXPECT_NEAR(std::atan2(top.y, top.x) * 180 / CV_PI, 30, 2);
}

TEST(DbPostprocess, SeparatesTwoLines) {
  cv::Mat map = blank_map();
  cv::rectangle(map, cv::Rect(20, 20, 150, 12), cv::Scalar(0.9), cv::FILLED);
  cv::rectangle(map, cv::Rect(20, 60, 120, 12), cv::Scalar(0.9), cv::FILLED);
  EXPECT_EQ(db_boxes(map, DbParams{}, map.size()).size(), 2u);
}

TEST(DbPostprocess, UnclipGrowsByAreaOverPerimeter) {
  const cv::RotatedRect r(cv::Point2f(0, 0), cv::Size2f(100, 10), 0);
  const cv::RotatedRect g = unclip(r, 1.5f);
  const float d = 100.f * 10.f * 1.5f / 220.f;
  EXPECT_NEAR(g.size.width, 100 + 2 * d, 1e-3);
  EXPECT_NEAR(g.size.height, 10 + 2 * d, 1e-3);
}

TEST(DbPostprocess, PolygonScoreIsMeanInside) {
  cv::Mat map = blank_map();
  map(cv::Rect(0, 0, 100, 100)).setTo(0.8);
  EXPECT_NEAR(polygon_score(map, {{10, 10}, {50, 10}, {50, 50}, {10, 50}}), 0.8f, 1e-4);
  EXPECT_NEAR(polygon_score(map, {{80, 10}, {119, 10}, {119, 50}, {80, 50}}), 0.4f, 0.03);
}

TEST(Geometry, ReadingRotationAndSlices) {
  const Quad q = {cv::Point2f(0, 0), cv::Point2f(100, 0), cv::Point2f(100, 20), cv::Point2f(0, 20)};
  const Quad half = quad_slice(q, 0.5f, 1.f);
  EXPECT_FLOAT_EQ(half[0].x, 50);
  EXPECT_FLOAT_EQ(half[2].x, 100);
  const Quad flipped = rotate_reading(q, 2);
  EXPECT_EQ(flipped[0], q[2]);
  EXPECT_EQ(rotate_reading(flipped, 2)[0], q[0]);
  cv::Mat img(20, 100, CV_8UC3, cv::Scalar(255, 255, 255));
  img(cv::Rect(0, 0, 10, 20)).setTo(cv::Scalar(0, 0, 0));  // dark left edge
  const cv::Mat upside = crop_quad(img, flipped);
  EXPECT_EQ(upside.size(), cv::Size(100, 20));
  EXPECT_LT(upside.at<cv::Vec3b>(10, 95)[0], 50);   // the dark edge is now on the right
  EXPECT_GT(upside.at<cv::Vec3b>(10, 5)[0], 200);
}

TEST(Geometry, RotateExpandedKeepsEverythingAndMapsPoints) {
  cv::Mat img(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::Matx23d fwd;
  const cv::Mat rotated = rotate_expanded(img, 90, fwd);
  EXPECT_NEAR(rotated.cols, 100, 1);
  EXPECT_NEAR(rotated.rows, 200, 1);
  const Quad q = {cv::Point2f(0, 0), cv::Point2f(200, 0), cv::Point2f(200, 100), cv::Point2f(0, 100)};
  const Quad back = transform_quad(transform_quad(q, fwd), invert_affine(fwd));
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(cv::norm(back[i] - q[i]), 0, 1e-3);
}

}  // namespace
}  // namespace ocrserve::engine
