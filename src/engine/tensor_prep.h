#pragma once
// HWC u8 BGR image -> planar float tensor rows, value * scale[c] + offset[c] per channel.
#include <array>

#include <opencv2/core.hpp>

namespace ocrserve::engine {

// Writes the image into `dst` laid out as 3 planes of `image.rows` rows of `row_stride` floats
// (row_stride >= image.cols; the rest of each row is left as it is: padding).
inline void write_planar(const cv::Mat& image, float* dst, int row_stride, const std::array<float, 3>& scale,
                         const std::array<float, 3>& offset) {
  cv::Mat channel;
  for (int c = 0; c < 3; ++c) {
    cv::extractChannel(image, channel, c);
    cv::Mat plane(image.rows, image.cols, CV_32F, dst + static_cast<size_t>(c) * image.rows * row_stride,
                  static_cast<size_t>(row_stride) * sizeof(float));
    channel.convertTo(plane, CV_32F, scale[c], offset[c]);
  }
}

// PP-OCR's detector input: ImageNet mean/std, in the channel order PP-OCR trained with (BGR as read).
inline constexpr std::array<float, 3> kDetectorScale = {1 / (255.f * 0.229f), 1 / (255.f * 0.224f),
                                                        1 / (255.f * 0.225f)};
inline constexpr std::array<float, 3> kDetectorOffset = {-0.485f / 0.229f, -0.456f / 0.224f, -0.406f / 0.225f};

// PP-OCR's recognizer and classifier input: x / 127.5 - 1.
inline constexpr std::array<float, 3> kUnitScale = {1 / 127.5f, 1 / 127.5f, 1 / 127.5f};
inline constexpr std::array<float, 3> kUnitOffset = {-1.f, -1.f, -1.f};

}  // namespace ocrserve::engine
