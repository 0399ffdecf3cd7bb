#pragma once
// ImageIntake: untrusted bytes -> validated, decoded BGR image. Every failure is an ocrserve::Error
// with AIS.0102 (format), AIS.0103 (size) or AIS.0104 (unreadable image).
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "ocrserve/error.h"

namespace ocrserve {

enum class ImageFormat { Jpeg, Png, Bmp, Tiff, Gif, Webp, Pdf, Pcx, Ico, Psd, Unknown };

std::string_view format_name(ImageFormat f);

// Per-API limits. Defaults are General Text's (seed 004 §4.5).
struct IntakeLimits {
  int min_side = 15;
  int max_side = 30000;
  std::int64_t max_pixels = 160'000'000;
  std::size_t max_base64_bytes = 10 * 1024 * 1024;
  // Formats this API accepts; a recognized format outside this set is AIS.0102.
  std::set<ImageFormat> formats = {ImageFormat::Jpeg, ImageFormat::Png,  ImageFormat::Bmp, ImageFormat::Tiff,
                                   ImageFormat::Gif,  ImageFormat::Webp, ImageFormat::Pdf};
  // Decoding itself is capped too, whatever the API allows (memory safety, not contract).
  int pdf_render_dpi = 150;
};

// Dimensions read from the header only, before any full decode.
struct ImageHeader {
  ImageFormat format = ImageFormat::Unknown;
  int width = 0;
  int height = 0;
};

struct DecodedImage {
  cv::Mat bgr;  // 8-bit, 3 channels, EXIF orientation applied
  ImageFormat format = ImageFormat::Unknown;
  int page_count = 1;  // PDFs: pages in the document
};

struct IntakeOptions {
  std::optional<int> pdf_page_number;  // 1-based; default first page
};

// Strict RFC 4648 base64 (whitespace/newlines tolerated, `data:` prefix rejected) -> bytes.
// Throws Error(AIS.0102) with a message naming the problem.
std::vector<std::uint8_t> decode_base64_strict(std::string_view text);
std::string encode_base64(const std::uint8_t* data, std::size_t size);

ImageFormat sniff_format(const std::uint8_t* data, std::size_t size);

// Header-only dimension probe; nullopt when the header cannot be parsed (caller: AIS.0104/0102).
std::optional<ImageHeader> probe_header(const std::uint8_t* data, std::size_t size);

// Where PDF pages are rendered. poppler cannot be stopped mid-render (a crafted page takes minutes)
// and runs in the caller's address space, so a server renders in a child process: `helper` is an
// executable whose first argument `render-pdf-page` runs pdf_render_helper_main (ocrserve itself);
// the child is killed at `timeout` and a crash in it is an unreadable document, not a dead server.
// An empty `helper` renders in process (the CLI, tests).
struct PdfRenderPolicy {
  std::string helper;
  std::chrono::milliseconds timeout{15000};
};

// The helper's side: reads a PDF on stdin, writes the rendered page (or the error) on stdout.
// `args` follow the subcommand name; returns the exit status.
int pdf_render_helper_main(const std::vector<std::string>& args);

class ImageIntake {
 public:
  explicit ImageIntake(IntakeLimits limits = {}, PdfRenderPolicy pdf = {})
      : limits_(std::move(limits)), pdf_(std::move(pdf)) {}

  // base64 text (as in the JSON `image` field) -> image
  DecodedImage from_base64(std::string_view text, const IntakeOptions& options = {}) const;
  // raw file bytes -> image
  DecodedImage from_bytes(const std::uint8_t* data, std::size_t size, const IntakeOptions& options = {}) const;
  DecodedImage from_bytes(const std::vector<std::uint8_t>& bytes, const IntakeOptions& options = {}) const {
    return from_bytes(bytes.data(), bytes.size(), options);
  }

  const IntakeLimits& limits() const { return limits_; }

 private:
  IntakeLimits limits_;
  PdfRenderPolicy pdf_;
};

}  // namespace ocrserve
