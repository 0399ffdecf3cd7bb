// PCX and ICO: formats OpenCV cannot read but which are small enough to decode here. Both work on
// dimensions that from_bytes has already checked against the limits, and bounds-check every read.
#include <array>
#include <cstring>

#include "image/intake_internal.h"

namespace ocrserve::detail {
namespace {

// --- PCX: 128-byte header, then run-length encoded scan lines, each split into colour planes.

// Run-length stream: a byte with the two top bits set is a repeat count for the next byte.
class PcxRunReader {
 public:
  explicit PcxRunReader(ByteView data) : data_(data), pos_(128) {}

  std::uint8_t next() {
    while (run_ == 0) {
      const auto c = data_.u8(pos_++);
      if (!c) throw_corrupt("the PCX pixel data is truncated.");
      if ((*c & 0xC0) == 0xC0) {
        const auto value = data_.u8(pos_++);
        if (!value) throw_corrupt("the PCX pixel data is truncated.");
        run_ = *c & 0x3F;
        value_ = *value;
      } else {
        run_ = 1;
        value_ = *c;
      }
    }
    --run_;
    return value_;
  }

 private:
  ByteView data_;
  std::size_t pos_;
  int run_ = 0;
  std::uint8_t value_ = 0;
};

struct PcxLayout {
  int bits;    // per pixel per plane
  int planes;  // colour planes per scan line
  int bytes_per_line;
};

cv::Vec3b pcx_header_colour(ByteView pcx, int index) {
  const std::size_t at = 16 + static_cast<std::size_t>(index) * 3;  // 16-colour palette in the header
  return cv::Vec3b(pcx.u8(at + 2).value_or(0), pcx.u8(at + 1).value_or(0), pcx.u8(at).value_or(0));
}

// The 256-colour palette follows the pixel data: a 0x0C marker then 768 bytes of RGB.
std::optional<ByteView> pcx_vga_palette(ByteView pcx) {
  if (pcx.size() < 128 + 769 || pcx.u8(pcx.size() - 769) != 0x0C) return std::nullopt;
  return pcx.sub(pcx.size() - 768, 768);
}

void decode_pcx_row(const std::vector<std::uint8_t>& line, const PcxLayout& layout, ByteView pcx,
                    const std::optional<ByteView>& vga, cv::Vec3b* out, int width) {
  const std::size_t bpl = static_cast<std::size_t>(layout.bytes_per_line);
  for (int x = 0; x < width; ++x) {
    const std::size_t ux = static_cast<std::size_t>(x);
    if (layout.bits == 8 && layout.planes == 1) {
      const std::uint8_t i = line[ux];
      out[x] = vga ? cv::Vec3b(vga->data()[i * 3 + 2], vga->data()[i * 3 + 1], vga->data()[i * 3]) : cv::Vec3b(i, i, i);
    } else if (layout.bits == 8) {  // 3 or 4 planes: R, G, B (, alpha ignored)
      out[x] = cv::Vec3b(line[2 * bpl + ux], line[bpl + ux], line[ux]);
    } else {  // 1 bit per plane, 1 or 4 planes: index bits gathered across planes
      int index = 0;
      for (int p = 0; p < layout.planes; ++p) {
        const int bit = line[static_cast<std::size_t>(p) * bpl + ux / 8] >> (7 - x % 8) & 1;
        index |= bit << p;
      }
      out[x] =
          layout.planes == 1 ? (index ? cv::Vec3b(255, 255, 255) : cv::Vec3b(0, 0, 0)) : pcx_header_colour(pcx, index);
    }
  }
}

// --- ICO: the largest entry is either a PNG or a BMP without its 14-byte file header.

// 32-bit icon bitmaps carry real alpha, which OpenCV's BMP reader drops: read them directly.
cv::Mat decode_ico_bgra(ByteView dib, std::uint32_t header_size, int width, int height) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 4;
  if (!dib.has(header_size, row_bytes * static_cast<std::size_t>(height)))
    throw_corrupt("the ICO bitmap is truncated.");
  cv::Mat bgra(height, width, CV_8UC4);
  bool any_alpha = false;
  for (int y = 0; y < height; ++y) {  // rows are stored bottom-up
    const std::uint8_t* src = dib.data() + header_size + row_bytes * static_cast<std::size_t>(height - 1 - y);
    std::memcpy(bgra.ptr(y), src, row_bytes);
    for (std::size_t i = 3; i < row_bytes && !any_alpha; i += 4) any_alpha = src[i] != 0;
  }
  if (!any_alpha) bgra.forEach<cv::Vec4b>([](cv::Vec4b& p, const int*) { p[3] = 255; });  // pre-alpha icon
  return to_bgr8(bgra);
}

// Other depths: prepend a BMP file header, halve the height (the AND mask follows the colour rows).
cv::Mat decode_ico_dib(ByteView dib) {
  const auto header_size = dib.le32(0), w = dib.le32(4), h = dib.le32(8);
  const auto bpp = dib.le16(14);
  const auto compression = dib.le32(16), colours_used = dib.le32(32);
  if (!header_size || *header_size < 40 || !w || !h || !bpp || !compression || !colours_used) {
    throw_corrupt("the ICO bitmap header is truncated.");
  }
  const int width = static_cast<int>(*w), height = static_cast<int>(*h) / 2;
  if (*bpp == 32 && *compression == 0) return decode_ico_bgra(dib, *header_size, width, height);

  std::uint64_t palette = *colours_used != 0 ? *colours_used : (*bpp <= 8 ? (1u << *bpp) : 0);
  if (*compression == 3 && *header_size == 40) palette += 3;  // BI_BITFIELDS masks follow the header
  const std::uint64_t pixel_offset = 14 + std::uint64_t{*header_size} + palette * 4;
  if (pixel_offset > dib.size() + 14) throw_corrupt("the ICO bitmap palette is truncated.");

  std::vector<std::uint8_t> bmp(14 + dib.size());
  const std::uint32_t file_size = static_cast<std::uint32_t>(bmp.size());
  const std::uint32_t offset = static_cast<std::uint32_t>(pixel_offset);
  const std::uint32_t half_height = static_cast<std::uint32_t>(height);
  bmp[0] = 'B';
  bmp[1] = 'M';
  for (int i = 0; i < 4; ++i) {
    bmp[2 + i] = static_cast<std::uint8_t>(file_size >> (8 * i));
    bmp[10 + i] = static_cast<std::uint8_t>(offset >> (8 * i));
  }
  std::memcpy(bmp.data() + 14, dib.data(), dib.size());
  for (int i = 0; i < 4; ++i) bmp[14 + 8 + i] = static_cast<std::uint8_t>(half_height >> (8 * i));
  return decode_raster(ByteView(bmp.data(), bmp.size()), ImageFormat::Bmp);
}

}  // namespace

cv::Mat decode_pcx(ByteView pcx, const ImageHeader& header) {
  const auto bits = pcx.u8(3), planes = pcx.u8(65);
  const auto bpl = pcx.le16(66);
  if (!bits || !planes || !bpl) throw_corrupt("the PCX header is truncated.");
  const PcxLayout layout{*bits, *planes, *bpl};
  const bool supported = (layout.bits == 8 && (layout.planes == 1 || layout.planes == 3 || layout.planes == 4)) ||
                         (layout.bits == 1 && (layout.planes == 1 || layout.planes == 4));
  if (!supported) {
    throw Error(codes::kFormatNotSupported, "This PCX variant (" + std::to_string(layout.bits) + " bits x " +
                                                std::to_string(layout.planes) +
                                                " planes) is not supported; send PNG or JPEG instead.");
  }
  // Each plane line must hold the row, with at most a little padding (bounds what we read per row).
  const std::int64_t needed = (std::int64_t{header.width} * layout.bits + 7) / 8;
  if (layout.bytes_per_line < needed || layout.bytes_per_line > needed + 16) {
    throw_corrupt("the PCX bytes-per-line field does not match the image width.");
  }
  const std::optional<ByteView> vga = layout.planes == 1 && layout.bits == 8 ? pcx_vga_palette(pcx) : std::nullopt;

  cv::Mat out(header.height, header.width, CV_8UC3);
  std::vector<std::uint8_t> line(static_cast<std::size_t>(layout.planes) *
                                 static_cast<std::size_t>(layout.bytes_per_line));
  PcxRunReader runs(pcx);
  for (int y = 0; y < header.height; ++y) {
    for (auto& byte : line) byte = runs.next();
    decode_pcx_row(line, layout, pcx, vga, out.ptr<cv::Vec3b>(y), header.width);
  }
  return out;
}

cv::Mat decode_ico(ByteView ico) {
  const auto payload = ico_largest_entry(ico);
  if (!payload) throw_corrupt("the ICO directory is broken.");
  if (payload->matches(0, std::string_view("\x89PNG\r\n\x1a\n", 8))) return decode_raster(*payload, ImageFormat::Png);
  return decode_ico_dib(*payload);
}

}  // namespace ocrserve::detail
