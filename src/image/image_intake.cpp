// ImageIntake: the one door for untrusted image bytes. Order matters: cheap checks (size of the
// text, magic bytes, header dimensions) run before anything allocates in proportion to the image.
#include <climits>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image/intake_internal.h"

namespace ocrserve {
namespace {

using detail::ByteView;

std::string format_mb(std::size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s + " MB";
}

std::string format_list(const std::set<ImageFormat>& formats) {
  std::string out;
  std::size_t i = 0;
  for (const ImageFormat f : formats) {
    if (i > 0) out += (i + 1 == formats.size()) ? " and " : ", ";
    out += format_name(f);
    ++i;
  }
  return out.empty() ? "none" : out;
}

// A client that base64-encodes twice sends base64 text as the "image": say so instead of "unknown".
bool looks_like_base64_text(ByteView b) {
  if (b.size() < 16) return false;
  for (std::size_t i = 0; i < 16; ++i) {
    const std::uint8_t c = b.data()[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '+' && c != '/') return false;
  }
  return true;
}

[[noreturn]] void throw_unknown_format(ByteView b, const IntakeLimits& limits) {
  std::string msg =
      "The image format is not supported: the data does not start with the signature of any known "
      "image format";
  if (b.empty()) {
    msg = "The image is empty";
  } else if (looks_like_base64_text(b)) {
    msg += " (it looks like base64 text: was the image encoded twice?)";
  }
  throw Error(codes::kFormatNotSupported, msg + ". Supported formats are " + format_list(limits.formats) + ".");
}

void check_format_accepted(ImageFormat format, const IntakeLimits& limits) {
  if (limits.formats.count(format) != 0) return;
  throw Error(codes::kFormatNotSupported, "The image format " + std::string(format_name(format)) +
                                              " is not accepted by this API. Supported formats are " +
                                              format_list(limits.formats) + ".");
}

// Orientation 1..8 from a PNG eXIf chunk (a TIFF structure, sometimes behind an "Exif\0\0" prefix).
int png_exif_orientation(ByteView png) {
  const auto exif = detail::find_png_chunk(png, "eXIf");
  if (!exif) return 1;
  const ByteView tiff = exif->matches(0, std::string_view("Exif\0\0", 6)) ? exif->from(6) : *exif;
  const auto value = detail::tiff_first_ifd_value(tiff, 0x0112);
  return (value && *value >= 1 && *value <= 8) ? static_cast<int>(*value) : 1;
}

// Same mapping as OpenCV's ApplyExifOrientation, so PNG and JPEG behave alike.
void apply_orientation(cv::Mat& m, int orientation) {
  switch (orientation) {
    case 2:
      cv::flip(m, m, 1);
      break;
    case 3:
      cv::flip(m, m, -1);
      break;
    case 4:
      cv::flip(m, m, 0);
      break;
    case 5:
      cv::transpose(m, m);
      break;
    case 6:
      cv::transpose(m, m);
      cv::flip(m, m, 1);
      break;
    case 7:
      cv::transpose(m, m);
      cv::flip(m, m, -1);
      break;
    case 8:
      cv::transpose(m, m);
      cv::flip(m, m, 0);
      break;
    default:
      break;
  }
}

// libjpeg "decodes" a truncated JPEG by padding it with grey and only warns. Entropy-coded data
// never contains FF D9, so a JPEG without EOI after its first scan is cut off.
bool jpeg_has_end_marker(ByteView b) {
  for (std::size_t i = b.size(); i >= 2; --i) {
    if (b.data()[i - 2] == 0xFF && b.data()[i - 1] == 0xD9) return true;
    if (b.data()[i - 2] == 0xFF && b.data()[i - 1] == 0xDA) return false;  // reached the last scan header
  }
  return false;
}

// Animated WebP (VP8X with the animation flag) is not decodable by OpenCV; say so precisely.
bool is_animated_webp(ByteView b) {
  const auto flags = b.u8(20);
  return b.matches(12, "VP8X") && flags && (*flags & 0x02) != 0;
}

void composite_over_white(const cv::Mat& color, const cv::Mat& alpha, cv::Mat& out) {
  out.create(color.size(), CV_8UC3);
  for (int y = 0; y < color.rows; ++y) {
    const auto* c = color.ptr<cv::Vec3b>(y);
    const auto* a = alpha.ptr<std::uint8_t>(y);
    auto* o = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < color.cols; ++x) {
      const int al = a[x];
      for (int k = 0; k < 3; ++k) o[x][k] = static_cast<std::uint8_t>((c[x][k] * al + 255 * (255 - al) + 127) / 255);
    }
  }
}

cv::Mat to_depth8(const cv::Mat& m) {
  cv::Mat out;
  switch (m.depth()) {
    case CV_8U:
      return m;
    case CV_16U:
      m.convertTo(out, CV_8U, 1.0 / 257.0);
      return out;
    case CV_32F:
    case CV_64F:
      m.convertTo(out, CV_8U, 255.0);
      return out;  // float images are nominally 0..1
    default: {
      // Signed or 32-bit integer samples: no agreed range, so stretch what is there.
      cv::Mat flat = m.reshape(1);
      cv::normalize(flat, out, 0, 255, cv::NORM_MINMAX, CV_8U);
      return out.reshape(m.channels());
    }
  }
}

}  // namespace

namespace detail {

[[noreturn]] void throw_corrupt(const std::string& detail) {
  throw Error(codes::kImageNotSupported, "The image data is corrupt or truncated: " + detail);
}

void check_dimensions(int width, int height, const IntakeLimits& limits, const std::string& what) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width < limits.min_side || height < limits.min_side || width > limits.max_side || height > limits.max_side) {
    throw Error(codes::kImageSizeOutOfRange, what + " is " + size + " pixels; each side must be between " +
                                                 std::to_string(limits.min_side) + " and " +
                                                 std::to_string(limits.max_side) + " pixels.");
  }
  const std::int64_t pixels = std::int64_t{width} * height;
  if (pixels > limits.max_pixels) {
    throw Error(codes::kImageSizeOutOfRange, what + " is " + size + " pixels (" + std::to_string(pixels) +
                                                 " pixels); at most " + std::to_string(limits.max_pixels) +
                                                 " pixels are allowed.");
  }
}

void check_decoded_size(int width, int height, int bytes_per_pixel, const IntakeLimits& limits) {
  if (bytes_per_pixel <= kMaxDecodedBytesPerPixel) return;
  const std::int64_t allowed = limits.max_pixels * kMaxDecodedBytesPerPixel / bytes_per_pixel;
  const std::int64_t pixels = std::int64_t{width} * height;
  if (pixels <= allowed) return;
  throw Error(codes::kImageSizeOutOfRange,
              "The image is " + std::to_string(width) + "x" + std::to_string(height) + " pixels of " +
                  std::to_string(bytes_per_pixel) + " bytes each (deep samples); at this depth at most " +
                  std::to_string(allowed) + " pixels are allowed. Send it with 8 or 16 bits per sample.");
}

cv::Mat to_bgr8(const cv::Mat& decoded) {
  const cv::Mat m = to_depth8(decoded);
  cv::Mat out;
  switch (m.channels()) {
    case 1:
      cv::cvtColor(m, out, cv::COLOR_GRAY2BGR);
      return out;
    case 2: {  // grey + alpha
      cv::Mat planes[2], color;
      cv::split(m, planes);
      cv::cvtColor(planes[0], color, cv::COLOR_GRAY2BGR);
      composite_over_white(color, planes[1], out);
      return out;
    }
    case 3:
      return m;
    case 4: {  // BGRA: transparent areas are white paper, not the (often black) hidden colour
      cv::Mat planes[4], color;
      cv::split(m, planes);
      cv::merge(planes, 3, color);
      composite_over_white(color, planes[3], out);
      return out;
    }
    default:
      throw_corrupt("unsupported number of colour channels (" + std::to_string(m.channels()) + ").");
  }
}

cv::Mat decode_raster(ByteView bytes, ImageFormat format) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) throw_corrupt("the data is larger than 2 GB.");
  if (format == ImageFormat::Jpeg && !jpeg_has_end_marker(bytes)) {
    throw_corrupt("the JPEG data ends before its end-of-image marker.");
  }
  if (format == ImageFormat::Webp && is_animated_webp(bytes)) {
    throw Error(codes::kFormatNotSupported, "Animated WebP images are not supported; send a still image.");
  }
  // JPEG and BMP carry no alpha in OpenCV's readers: IMREAD_COLOR applies EXIF orientation for us.
  // The others may carry alpha, which IMREAD_COLOR would drop (exposing hidden colour), so read them
  // unchanged and convert here; TIFF applies its orientation tag itself, PNG's eXIf is applied below.
  const bool keep_alpha = format != ImageFormat::Jpeg && format != ImageFormat::Bmp;
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<std::uint8_t*>(bytes.data()));
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(buffer, keep_alpha ? cv::IMREAD_UNCHANGED : cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    decoded.release();
  }
  if (decoded.empty()) {
    throw Error(codes::kImageNotSupported,
                "The " + std::string(format_name(format)) + " image could not be decoded (corrupt or truncated data).");
  }
  cv::Mat bgr = to_bgr8(decoded);
  if (format == ImageFormat::Png) apply_orientation(bgr, png_exif_orientation(bytes));
  return bgr;
}

}  // namespace detail

DecodedImage ImageIntake::from_base64(std::string_view text, const IntakeOptions& options) const {
  if (text.size() > limits_.max_base64_bytes) {
    throw Error(codes::kImageSizeOutOfRange, "The base64 image is too large: " + format_mb(text.size()) + " (" +
                                                 std::to_string(text.size()) + " bytes); the limit is " +
                                                 format_mb(limits_.max_base64_bytes) +
                                                 ". Send a smaller or more compressed image.",
                reasons::kTooManyBytes);
  }
  const std::vector<std::uint8_t> bytes = decode_base64_strict(text);
  return from_bytes(bytes, options);
}

DecodedImage ImageIntake::from_bytes(const std::uint8_t* data, std::size_t size, const IntakeOptions& options) const {
  // The contract limits the base64 size; raw bytes (a file, a url download) are measured as they
  // would be sent. Decoded base64 that passed its own check always passes this one.
  const std::size_t encoded = (size + 2) / 3 * 4;
  if (encoded > limits_.max_base64_bytes) {
    throw Error(codes::kImageSizeOutOfRange, "The image is too large: " + format_mb(encoded) +
                                                 " once base64-encoded; the limit is " +
                                                 format_mb(limits_.max_base64_bytes) +
                                                 ". Send a smaller or more compressed image.",
                reasons::kTooManyBytes);
  }
  const ByteView bytes(data, size);
  const ImageFormat format = sniff_format(data, size);
  if (format == ImageFormat::Unknown) throw_unknown_format(bytes, limits_);
  check_format_accepted(format, limits_);

  DecodedImage result;
  result.format = format;
  if (format == ImageFormat::Pdf) {
    detail::RenderedPdf pdf = pdf_.helper.empty()
                                  ? detail::render_pdf_page(bytes, options.pdf_page_number, limits_)
                                  : detail::render_pdf_page_in_child(bytes, options.pdf_page_number, limits_, pdf_);
    result.bgr = std::move(pdf.bgr);
    result.page_count = pdf.page_count;
  } else {
    if (format == ImageFormat::Psd) {
      throw Error(codes::kFormatNotSupported,
                  "PSD decoding is not supported by this server; export the image as PNG or JPEG.");
    }
    const std::optional<ImageHeader> header = probe_header(data, size);
    if (!header) {
      detail::throw_corrupt("the " + std::string(format_name(format)) + " header could not be read.");
    }
    detail::check_dimensions(header->width, header->height, limits_, "The image");
    if (format == ImageFormat::Tiff) {
      detail::check_decoded_size(header->width, header->height, detail::tiff_decoded_bytes_per_pixel(bytes), limits_);
    }
    switch (format) {
      case ImageFormat::Gif:
        result.bgr = detail::decode_gif(bytes, limits_);
        break;
      case ImageFormat::Pcx:
        result.bgr = detail::decode_pcx(bytes, *header);
        break;
      case ImageFormat::Ico:
        result.bgr = detail::decode_ico(bytes);
        break;
      default:
        result.bgr = detail::decode_raster(bytes, format);
        break;
    }
  }
  // Decoders may disagree with the header (EXIF rotation swaps sides): the limits hold for the result.
  detail::check_dimensions(result.bgr.cols, result.bgr.rows, limits_, "The decoded image");
  return result;
}

}  // namespace ocrserve
