// PDF pages rendered with poppler-cpp. The page size in pixels is computed from the crop box before
// rendering, so an oversized page is refused without allocating its bitmap.
#include <bit>
#include <climits>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <poppler-document.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <opencv2/imgproc.hpp>

#include "image/intake_internal.h"

namespace ocrserve::detail {
namespace {

static_assert(std::endian::native == std::endian::little, "ARGB32 -> BGRA byte order assumes little-endian");

[[noreturn]] void pdf_corrupt(const std::string& detail) {
  throw Error(codes::kImageNotSupported, "The PDF document could not be read: " + detail);
}

int checked_page_number(std::optional<int> requested, int page_count) {
  const int number = requested.value_or(1);
  if (number < 1 || number > page_count) {
    throw Error(codes::kInvalidParameter, "pdf_page_number " + std::to_string(number) +
                                              " is out of range: the document has " + std::to_string(page_count) +
                                              (page_count == 1 ? " page." : " pages."));
  }
  return number;
}

// Rendered size of the page: crop box at `dpi`, sides swapped for pages rotated by 90 or 270 degrees.
// Rounded up, so the check is never more lenient than the renderer.
cv::Size rendered_size(const poppler::page& page, int dpi) {
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  double w = std::abs(box.width()) * dpi / 72.0;
  double h = std::abs(box.height()) * dpi / 72.0;
  if (!std::isfinite(w) || !std::isfinite(h) || w < 0.5 || h < 0.5) pdf_corrupt("the page has an empty page box.");
  const auto o = page.orientation();
  if (o == poppler::page::landscape || o == poppler::page::seascape) std::swap(w, h);
  const double cap = static_cast<double>(INT_MAX);
  return cv::Size(static_cast<int>(std::min(std::ceil(w), cap)), static_cast<int>(std::min(std::ceil(h), cap)));
}

}  // namespace

RenderedPdf render_pdf_page(ByteView pdf, std::optional<int> page_number, const IntakeLimits& limits) {
  if (pdf.size() > static_cast<std::size_t>(INT_MAX)) pdf_corrupt("the document is larger than 2 GB.");
  // poppler reads the caller's buffer in place; `pdf` outlives the document object below.
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(reinterpret_cast<const char*>(pdf.data()), static_cast<int>(pdf.size())));
  if (!doc) pdf_corrupt("the file is corrupt, truncated or password-protected.");
  if (doc->is_locked()) pdf_corrupt("the document is password-protected.");

  RenderedPdf result;
  result.page_count = doc->pages();
  if (result.page_count <= 0) pdf_corrupt("the document has no pages.");
  const int number = checked_page_number(page_number, result.page_count);
  const std::unique_ptr<poppler::page> page(doc->create_page(number - 1));
  if (!page) pdf_corrupt("page " + std::to_string(number) + " cannot be opened.");

  const int dpi = limits.pdf_render_dpi;
  if (dpi <= 0) throw std::invalid_argument("IntakeLimits::pdf_render_dpi must be positive");
  const cv::Size size = rendered_size(*page, dpi);
  check_dimensions(size.width, size.height, limits,
                   "PDF page " + std::to_string(number) + " rendered at " + std::to_string(dpi) + " dpi");

  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_argb32);
  const poppler::image image = renderer.render_page(page.get(), dpi, dpi);
  if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
    pdf_corrupt("page " + std::to_string(number) + " could not be rendered.");
  }
  // ARGB32 is a native-endian 32-bit word: B, G, R, A in memory on little-endian hosts. The paper
  // is opaque white, so alpha carries nothing.
  const cv::Mat bgra(image.height(), image.width(), CV_8UC4, const_cast<char*>(image.const_data()),
                     static_cast<std::size_t>(image.bytes_per_row()));
  cv::cvtColor(bgra, result.bgr, cv::COLOR_BGRA2BGR);
  return result;
}

}  // namespace ocrserve::detail
