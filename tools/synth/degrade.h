#pragma once
// Photo-like degradations and quarter-turn rotation, with the truth quads carried through every
// geometric transform.
//
// Pixel convention for quads: pixel (i, j) covers [i, i+1) x [j, j+1); OpenCV's warp functions
// put pixel centres on integers, so homographies are conjugated by a half-pixel shift.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "rng.h"
#include "synth.h"

namespace synth {

cv::Point2f map_point(const cv::Matx33d& m, cv::Point2f p);

struct DegradeSettings {
  cv::Scalar table{128, 128, 128};  // what shows around the paper after rotation/perspective
  int text_px = 20;                 // typical text size: caps blur and downscale so text stays legible
  bool gentle = false;              // single-line crops: smaller rotation/perspective, thin border
};

// Applies a random subset (at least two) of photo degradations; returns what was applied,
// e.g. {"rotate(-3.1deg)", "jpeg(57)"}.
std::vector<std::string> degrade(Rng& rng, cv::Mat& image, std::vector<TextLineTruth>& lines,
                                 const DegradeSettings& settings);

// Single steps of degrade() on a CV_32FC3 image, shared with other photo pipelines (permits).
void photo_lighting(Rng& rng, cv::Mat& f, std::vector<std::string>& log);
void photo_gaussian_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log);
void photo_motion_blur(Rng& rng, cv::Mat& f, int text_px, std::vector<std::string>& log);
void photo_noise(Rng& rng, cv::Mat& f, std::vector<std::string>& log);

// Rotates by 90° * n counter-clockwise (n taken modulo 4), truth quads following.
void rotate_quadrants(cv::Mat& image, std::vector<TextLineTruth>& lines, int n);

}  // namespace synth
