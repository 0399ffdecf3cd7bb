#pragma once
// The largest frontal face in part of an image: OpenCV's Haar cascade from Debian's opencv-data.
// Confirms (and, when the layout was placed loosely, re-centres) the portrait area of a card.
#include <optional>

#include <opencv2/core.hpp>

namespace ocrserve {

// nullopt when no face is found there, or when the cascade file is not installed.
std::optional<cv::Rect> find_face(const cv::Mat& bgr, const cv::Rect& region);

}  // namespace ocrserve
