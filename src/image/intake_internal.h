#pragma once
// Private to src/image: bounds-checked byte access and the decoders that OpenCV does not provide.
// Every read of untrusted bytes goes through ByteView, which returns nullopt instead of reading
// past the end.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "ocrserve/image_intake.h"

namespace ocrserve::detail {

class ByteView {
 public:
  ByteView() = default;
  ByteView(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // True when [offset, offset + length) lies inside the view (overflow-safe).
  bool has(std::size_t offset, std::size_t length) const { return offset <= size_ && length <= size_ - offset; }

  // The sub-range [offset, offset + length); empty when it does not fit.
  ByteView sub(std::size_t offset, std::size_t length) const {
    return has(offset, length) ? ByteView(data_ + offset, length) : ByteView();
  }
  ByteView from(std::size_t offset) const {
    return offset <= size_ ? ByteView(data_ + offset, size_ - offset) : ByteView();
  }

  std::optional<std::uint8_t> u8(std::size_t offset) const {
    if (!has(offset, 1)) return std::nullopt;
    return data_[offset];
  }
  std::optional<std::uint16_t> u16(std::size_t offset, bool big_endian) const {
    if (!has(offset, 2)) return std::nullopt;
    const unsigned a = data_[offset], b = data_[offset + 1];
    return static_cast<std::uint16_t>(big_endian ? (a << 8 | b) : (b << 8 | a));
  }
  std::optional<std::uint32_t> u24le(std::size_t offset) const {
    if (!has(offset, 3)) return std::nullopt;
    return static_cast<std::uint32_t>(data_[offset]) | static_cast<std::uint32_t>(data_[offset + 1]) << 8 |
           static_cast<std::uint32_t>(data_[offset + 2]) << 16;
  }
  std::optional<std::uint32_t> u32(std::size_t offset, bool big_endian) const {
    if (!has(offset, 4)) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint32_t byte = data_[offset + static_cast<std::size_t>(big_endian ? i : 3 - i)];
      v = v << 8 | byte;
    }
    return v;
  }
  std::optional<std::uint64_t> u64(std::size_t offset, bool big_endian) const {
    const auto a = u32(offset, big_endian), b = u32(offset + 4, big_endian);
    if (!a || !b) return std::nullopt;
    return big_endian ? (std::uint64_t{*a} << 32 | *b) : (std::uint64_t{*b} << 32 | *a);
  }
  std::optional<std::uint16_t> be16(std::size_t offset) const { return u16(offset, true); }
  std::optional<std::uint16_t> le16(std::size_t offset) const { return u16(offset, false); }
  std::optional<std::uint32_t> be32(std::size_t offset) const { return u32(offset, true); }
  std::optional<std::uint32_t> le32(std::size_t offset) const { return u32(offset, false); }

  // True when the bytes at offset equal `literal` (which may contain '\0').
  bool matches(std::size_t offset, std::string_view literal) const {
    if (!has(offset, literal.size())) return false;
    for (std::size_t i = 0; i < literal.size(); ++i) {
      if (data_[offset + i] != static_cast<std::uint8_t>(literal[i])) return false;
    }
    return true;
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

// --- format_sniffer.cpp: structure walkers shared by the probe and the decoders

// First value of `tag` in the first IFD of a TIFF structure (classic or BigTIFF, either byte order).
// Used for TIFF dimensions and for EXIF blocks, which are TIFF structures too.
// `present`, when given, says whether the tag is there at all (readable or not).
std::optional<std::uint64_t> tiff_first_ifd_value(ByteView tiff, std::uint16_t tag, bool* present = nullptr);

// Payload of the first PNG chunk of the given type (e.g. "eXIf"); nullopt if absent or truncated.
std::optional<ByteView> find_png_chunk(ByteView png, std::string_view type);

// ICO: the payload (PNG or headerless BMP) of the largest entry; nullopt if the directory is broken.
std::optional<ByteView> ico_largest_entry(ByteView ico);

// TIFF: bytes per pixel of the buffer OpenCV decodes into (samples of 1, 2, 4 or 8 bytes, at most 4
// channels), from the first IFD's BitsPerSample and SamplesPerPixel (TIFF defaults: 1 and 1).
int tiff_decoded_bytes_per_pixel(ByteView tiff);

// --- image_intake.cpp

// Throws AIS.0103 when width x height breaks the limits. `what` starts the message, e.g. "The image".
void check_dimensions(int width, int height, const IntakeLimits& limits, const std::string& what);

// The decoder's own buffer may hold at most max_pixels pixels of this many bytes: 16-bit RGBA, the
// deepest PNG. Only TIFF goes deeper (32- and 64-bit samples: up to 32 bytes per pixel), where a
// few KB declaring 160 megapixels of float RGBA would make OpenCV allocate 2.5 GB before reading.
inline constexpr int kMaxDecodedBytesPerPixel = 8;

// Throws AIS.0103 when width x height pixels of `bytes_per_pixel` exceed that budget.
void check_decoded_size(int width, int height, int bytes_per_pixel, const IntakeLimits& limits);

// Any OpenCV-decoded Mat (1-4 channels, 8/16-bit or float) -> 8-bit BGR; alpha composited over white.
cv::Mat to_bgr8(const cv::Mat& decoded);

[[noreturn]] void throw_corrupt(const std::string& detail);

// JPEG/PNG/BMP/TIFF/WebP through OpenCV -> 8-bit BGR with orientation applied; AIS.0104 on failure.
cv::Mat decode_raster(ByteView bytes, ImageFormat format);

// --- gif_decoder.cpp: first frame of a GIF, transparent pixels white.
cv::Mat decode_gif(ByteView gif, const IntakeLimits& limits);

// --- legacy_decoders.cpp: formats OpenCV cannot read.
cv::Mat decode_pcx(ByteView pcx, const ImageHeader& header);
cv::Mat decode_ico(ByteView ico);

// --- pdf_renderer.cpp
struct RenderedPdf {
  cv::Mat bgr;
  int page_count = 0;
};
RenderedPdf render_pdf_page(ByteView pdf, std::optional<int> page_number, const IntakeLimits& limits);
// The same, in a child process run by `policy.helper` (pdf_render_process.cpp).
RenderedPdf render_pdf_page_in_child(ByteView pdf, std::optional<int> page_number, const IntakeLimits& limits,
                                     const PdfRenderPolicy& policy);

}  // namespace ocrserve::detail
