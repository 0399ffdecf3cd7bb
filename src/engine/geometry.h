#pragma once
// Quad helpers shared by the engine stages.
#include <vector>

#include <opencv2/core.hpp>

#include "ocrserve/engine.h"

namespace ocrserve::engine {

// Points of a rotated rectangle ordered top-left, top-right, bottom-right, bottom-left.
Quad ordered_box(const cv::RotatedRect& rect);

// Perspective crop of `quad` read along p0->p1; output height is the p0p3 edge length.
cv::Mat crop_quad(const cv::Mat& image, const Quad& quad);

// The same quad read starting from another corner: turns = 1 reads it 90° clockwise etc.
Quad rotate_reading(const Quad& quad, int turns);

float edge_length(const cv::Point2f& a, const cv::Point2f& b);

// Sub-quad spanning fractions [f0, f1] of the reading direction.
Quad quad_slice(const Quad& quad, float f0, float f1);

Quad transform_quad(const Quad& quad, const cv::Matx23d& affine);
Quad transform_quad(const Quad& quad, const cv::Matx33d& perspective);

// The perspective taking the corners of `from` to those of `to`.
cv::Matx33d perspective_between(const Quad& from, const Quad& to);

// Image rotated by `degrees` (anticlockwise, OpenCV convention) on a canvas large enough to hold
// it; `forward` maps original -> rotated pixel coordinates.
cv::Mat rotate_expanded(const cv::Mat& image, double degrees, cv::Matx23d& forward);

cv::Matx23d invert_affine(const cv::Matx23d& m);

}  // namespace ocrserve::engine
