// The portrait confirmation: a face where the card's photo is, none on a plain background.
#include "documents/face_finder.h"

#include <gtest/gtest.h>

#include "permit.h"

namespace ocrserve {
namespace {

TEST(FaceFinder, FindsThePortraitOfAPermitAndNothingElsewhere) {
  synth::PermitOptions o;
  o.type = synth::PermitType::MainlandTw;
  o.seed = 8;
  const synth::PermitSample s = synth::render_permit(o);
  const cv::Rect photo(cv::Point(cvRound(s.truth.portrait_quad[0].x), cvRound(s.truth.portrait_quad[0].y)),
                       cv::Point(cvRound(s.truth.portrait_quad[2].x), cvRound(s.truth.portrait_quad[2].y)));
  const auto face = find_face(s.image, photo + cv::Size(40, 40) - cv::Point(20, 20));
  ASSERT_TRUE(face.has_value());
  EXPECT_TRUE(photo.contains((face->tl() + face->br()) / 2));
  EXPECT_FALSE(find_face(s.image, cv::Rect(600, 450, 300, 150)).has_value());  // lettering, no face
  EXPECT_FALSE(find_face(cv::Mat(300, 300, CV_8UC3, cv::Scalar(230, 230, 230)), cv::Rect(0, 0, 300, 300)).has_value());
  EXPECT_FALSE(find_face(s.image, cv::Rect(0, 0, 10, 10)).has_value());  // too small to hold a face
}

}  // namespace
}  // namespace ocrserve
