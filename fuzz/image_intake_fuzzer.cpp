// ImageIntake::from_bytes on arbitrary bytes, every format it decodes accepted (JPEG, PNG, BMP,
// TIFF, GIF, WebP, PDF, PCX, ICO; PSD is refused by name) under the General Text limits the
// server applies. Only ocrserve::Error may escape; what decodes is 8-bit BGR within the limits.
// A header declaring more than the limits must be refused before the decoder allocates: run with
// -rss_limit_mb / -malloc_limit_mb (scripts/fuzz) so that a decompression bomb is a crash.
#include <cstdint>
#include <cstdlib>

#include <opencv2/core.hpp>

#include "ocrserve/image_intake.h"

namespace {

using namespace ocrserve;

IntakeLimits fuzz_limits() {
  IntakeLimits limits;  // General Text's: sides 15..30000, 160 megapixels, 10 MB of base64
  limits.formats = {ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Bmp, ImageFormat::Tiff, ImageFormat::Gif,
                    ImageFormat::Webp, ImageFormat::Pdf, ImageFormat::Pcx, ImageFormat::Ico,  ImageFormat::Psd};
  return limits;
}

const ImageIntake intake(fuzz_limits());

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto header = probe_header(data, size);
  try {
    const DecodedImage image = intake.from_bytes(data, size);
    const IntakeLimits& limits = intake.limits();
    if (image.bgr.type() != CV_8UC3 || image.bgr.cols < limits.min_side || image.bgr.rows < limits.min_side ||
        image.bgr.cols > limits.max_side || image.bgr.rows > limits.max_side) {
      std::abort();
    }
    // The header check comes first: nothing whose header breaks the limits may decode.
    if (header && (header->width > limits.max_side || header->height > limits.max_side ||
                   std::int64_t{header->width} * header->height > limits.max_pixels)) {
      std::abort();
    }
  } catch (const Error&) {
  }
  return 0;
}
