// Format detection by magic bytes and header-only dimension probes. Nothing here allocates in
// proportion to the declared image size: the point is to reject a 20-byte "100000x100000" PNG before
// any decoder sees it. Every read is bounds-checked through ByteView (inputs are hostile).
#include <algorithm>
#include <climits>
#include <cstdlib>

#include "image/intake_internal.h"

namespace ocrserve {
namespace {

using detail::ByteView;

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

// ImageHeader with dimensions in 1..INT_MAX, else nullopt (zero or absurd sizes mean a broken header).
std::optional<ImageHeader> make_header(ImageFormat format, std::uint64_t width, std::uint64_t height) {
  if (width == 0 || height == 0 || width > INT_MAX || height > INT_MAX) return std::nullopt;
  return ImageHeader{format, static_cast<int>(width), static_cast<int>(height)};
}

std::optional<ImageHeader> probe_png(ByteView b) {
  // The IHDR chunk must come first: length 13, then width and height big-endian.
  if (b.be32(8) != 13u || !b.matches(12, "IHDR")) return std::nullopt;
  const auto w = b.be32(16), h = b.be32(20);
  if (!w || !h) return std::nullopt;
  return make_header(ImageFormat::Png, *w, *h);
}

// SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG extension) and CC (DAC) share the range.
bool is_sof_marker(std::uint8_t m) {
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

std::optional<ImageHeader> probe_jpeg(ByteView b) {
  std::size_t pos = 2;  // after SOI
  while (pos < b.size()) {
    if (b.data()[pos] != 0xFF) {  // stray bytes between segments: libjpeg skips them, so do we
      ++pos;
      continue;
    }
    while (pos < b.size() && b.data()[pos] == 0xFF) ++pos;  // fill bytes
    const auto marker = b.u8(pos++);
    if (!marker) return std::nullopt;
    const std::uint8_t m = *marker;
    if (m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length field
    if (m == 0xD9 || m == 0xDA) return std::nullopt;  // end of image or scan data before any frame header
    const auto length = b.be16(pos);
    if (!length || *length < 2) return std::nullopt;
    if (is_sof_marker(m)) {
      // length(2) precision(1) height(2) width(2) components(1)
      if (*length < 8) return std::nullopt;
      const auto h = b.be16(pos + 3), w = b.be16(pos + 5);
      if (!h || !w) return std::nullopt;
      return make_header(ImageFormat::Jpeg, *w, *h);  // height 0 (DNL-defined) is rejected as unsupported
    }
    pos += *length;
  }
  return std::nullopt;
}

std::optional<ImageHeader> probe_bmp(ByteView b) {
  const auto header_size = b.le32(14);
  if (!header_size) return std::nullopt;
  if (*header_size == 12) {  // BITMAPCOREHEADER (OS/2 1.x): unsigned 16-bit sizes
    const auto w = b.le16(18), h = b.le16(20);
    if (!w || !h) return std::nullopt;
    return make_header(ImageFormat::Bmp, *w, *h);
  }
  if (*header_size < 16) return std::nullopt;
  // BITMAPINFOHEADER and its successors (and OS/2 2.x): signed 32-bit; negative height = top-down.
  const auto w = b.le32(18), h = b.le32(22);
  if (!w || !h) return std::nullopt;
  const auto width = static_cast<std::int32_t>(*w), height = static_cast<std::int32_t>(*h);
  if (width <= 0 || height == INT32_MIN) return std::nullopt;
  return make_header(ImageFormat::Bmp, static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(std::abs(height)));
}

std::optional<ImageHeader> probe_gif(ByteView b) {
  const auto w = b.le16(6), h = b.le16(8);  // logical screen descriptor
  if (!w || !h) return std::nullopt;
  return make_header(ImageFormat::Gif, *w, *h);
}

std::optional<ImageHeader> probe_webp(ByteView b) {
  // RIFF header (12 bytes), then the first chunk: fourcc(4) size(4) payload at 20.
  if (b.matches(12, "VP8 ")) {
    // Lossy: frame tag(3) must be a key frame, then start code 9D 01 2A, then 14-bit sizes.
    const auto tag = b.u8(20);
    if (!tag || (*tag & 1) != 0 || !b.matches(23, "\x9d\x01\x2a")) return std::nullopt;
    const auto w = b.le16(26), h = b.le16(28);
    if (!w || !h) return std::nullopt;
    return make_header(ImageFormat::Webp, *w & 0x3FFFu, *h & 0x3FFFu);
  }
  if (b.matches(12, "VP8L")) {
    // Lossless: signature 0x2F, then width-1 and height-1 as 14-bit little-endian bit fields.
    const auto bits = b.le32(21);
    if (b.u8(20) != 0x2F || !bits) return std::nullopt;
    return make_header(ImageFormat::Webp, (*bits & 0x3FFFu) + 1, (*bits >> 14 & 0x3FFFu) + 1);
  }
  if (b.matches(12, "VP8X")) {
    // Extended: flags(1) reserved(3), canvas width-1 and height-1 as 24-bit little-endian.
    const auto w = b.u24le(24), h = b.u24le(27);
    if (!w || !h) return std::nullopt;
    return make_header(ImageFormat::Webp, std::uint64_t{*w} + 1, std::uint64_t{*h} + 1);
  }
  return std::nullopt;
}

std::optional<ImageHeader> probe_tiff(ByteView b) {
  const auto w = detail::tiff_first_ifd_value(b, 256), h = detail::tiff_first_ifd_value(b, 257);
  if (!w || !h) return std::nullopt;
  return make_header(ImageFormat::Tiff, *w, *h);
}

std::optional<ImageHeader> probe_pcx(ByteView b) {
  const auto xmin = b.le16(4), ymin = b.le16(6), xmax = b.le16(8), ymax = b.le16(10);
  if (!xmin || !ymin || !xmax || !ymax || *xmax < *xmin || *ymax < *ymin) return std::nullopt;
  if (!b.has(0, 128)) return std::nullopt;  // the fixed header is 128 bytes
  return make_header(ImageFormat::Pcx, std::uint64_t{*xmax} - *xmin + 1, std::uint64_t{*ymax} - *ymin + 1);
}

// ICO dimensions come from the payload that will be decoded, not from the (1-byte) directory fields.
std::optional<ImageHeader> probe_ico(ByteView b) {
  const auto payload = detail::ico_largest_entry(b);
  if (!payload) return std::nullopt;
  if (payload->matches(0, kPngSignature)) {
    const auto png = probe_png(*payload);
    if (!png) return std::nullopt;
    return make_header(ImageFormat::Ico, static_cast<std::uint64_t>(png->width),
                       static_cast<std::uint64_t>(png->height));
  }
  // Headerless BMP: BITMAPINFOHEADER whose height covers the colour bitmap plus the AND mask.
  const auto header_size = payload->le32(0), w = payload->le32(4), h = payload->le32(8);
  if (!header_size || *header_size < 40 || !w || !h) return std::nullopt;
  const auto width = static_cast<std::int32_t>(*w), height = static_cast<std::int32_t>(*h);
  if (width <= 0 || height <= 0) return std::nullopt;
  return make_header(ImageFormat::Ico, static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height / 2));
}

std::optional<ImageHeader> probe_psd(ByteView b) {
  const auto version = b.be16(4);
  const auto h = b.be32(14), w = b.be32(18);
  if (!version || (*version != 1 && *version != 2) || !h || !w) return std::nullopt;
  return make_header(ImageFormat::Psd, *w, *h);
}

}  // namespace

namespace detail {

std::optional<std::uint64_t> tiff_first_ifd_value(ByteView tiff, std::uint16_t tag, bool* present) {
  if (present != nullptr) *present = false;
  bool big_endian = false;
  if (tiff.matches(0, "MM")) {
    big_endian = true;
  } else if (!tiff.matches(0, "II")) {
    return std::nullopt;
  }
  const auto version = tiff.u16(2, big_endian);
  if (!version) return std::nullopt;
  const bool big_tiff = *version == 43;
  if (!big_tiff && *version != 42) return std::nullopt;

  // Classic: IFD offset u32 at 4; entries of 12 bytes after a u16 count; values inline if <= 4 bytes.
  // BigTIFF: u16 8, u16 0, IFD offset u64 at 8; entries of 20 bytes after a u64 count; inline <= 8 bytes.
  std::optional<std::uint64_t> ifd;
  if (big_tiff) {
    if (tiff.u16(4, big_endian) != 8) return std::nullopt;
    ifd = tiff.u64(8, big_endian);
  } else if (const auto off = tiff.u32(4, big_endian)) {
    ifd = *off;
  }
  if (!ifd || *ifd > tiff.size()) return std::nullopt;
  const std::size_t count_size = big_tiff ? 8 : 2;
  const std::size_t entry_size = big_tiff ? 20 : 12;
  const std::size_t inline_size = big_tiff ? 8 : 4;
  const auto count = big_tiff ? tiff.u64(*ifd, big_endian) : std::optional<std::uint64_t>(tiff.u16(*ifd, big_endian));
  if (!count || *count > (tiff.size() - *ifd) / entry_size) return std::nullopt;

  for (std::uint64_t i = 0; i < *count; ++i) {
    const std::size_t entry = *ifd + count_size + i * entry_size;
    if (tiff.u16(entry, big_endian) != tag) continue;
    if (present != nullptr) *present = true;
    const auto type = tiff.u16(entry + 2, big_endian);
    const auto n =
        big_tiff ? tiff.u64(entry + 4, big_endian) : std::optional<std::uint64_t>(tiff.u32(entry + 4, big_endian));
    if (!type || !n || *n == 0) return std::nullopt;
    // SHORT=3 (2 bytes), LONG=4 (4 bytes), LONG8=16 (8 bytes, BigTIFF only).
    const std::size_t value_size = *type == 3 ? 2 : *type == 4 ? 4 : (*type == 16 && big_tiff) ? 8 : 0;
    if (value_size == 0) return std::nullopt;
    std::size_t value_at = entry + 4 + (big_tiff ? 8 : 4);
    if (*n > inline_size / value_size) {  // the value field holds an offset to the array
      const auto off =
          big_tiff ? tiff.u64(value_at, big_endian) : std::optional<std::uint64_t>(tiff.u32(value_at, big_endian));
      if (!off || *off > tiff.size()) return std::nullopt;
      value_at = static_cast<std::size_t>(*off);
    }
    if (value_size == 2) {
      const auto v = tiff.u16(value_at, big_endian);
      return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
    }
    if (value_size == 4) {
      const auto v = tiff.u32(value_at, big_endian);
      return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
    }
    return tiff.u64(value_at, big_endian);
  }
  return std::nullopt;
}

int tiff_decoded_bytes_per_pixel(ByteView tiff) {
  // A tag that is there but not readable here (libtiff also takes BYTE and signed types) counts as
  // the deepest value: this check must fail closed.
  const auto read = [&](std::uint16_t tag, std::uint64_t absent, std::uint64_t unreadable) {
    bool present = false;
    const auto value = tiff_first_ifd_value(tiff, tag, &present);
    return value ? *value : present ? unreadable : absent;
  };
  const std::uint64_t bits = read(258, 1, 64), samples = read(277, 1, 4);
  const int sample_bytes = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
  return sample_bytes * static_cast<int>(std::clamp<std::uint64_t>(samples, 1, 4));
}

std::optional<ByteView> find_png_chunk(ByteView png, std::string_view type) {
  std::size_t pos = 8;  // after the signature
  while (true) {
    const auto length = png.be32(pos);
    if (!length || *length > 0x7FFFFFFFu || !png.has(pos + 8, std::size_t{*length} + 4)) return std::nullopt;
    if (png.matches(pos + 4, type)) return png.sub(pos + 8, *length);
    if (png.matches(pos + 4, "IEND")) return std::nullopt;
    pos += 12 + std::size_t{*length};
  }
}

std::optional<ByteView> ico_largest_entry(ByteView ico) {
  // ICONDIR: reserved(2)=0 type(2)=1 count(2); ICONDIRENTRY(16): width(1) height(1) colours(1)
  // reserved(1) planes(2) bit count(2) bytes(4) offset(4). A size byte of 0 means 256.
  const auto count = ico.le16(4);
  if (!count || *count == 0) return std::nullopt;
  std::optional<ByteView> best;
  std::uint64_t best_score = 0;
  for (std::size_t i = 0; i < *count; ++i) {
    const std::size_t entry = 6 + i * 16;
    const auto w = ico.u8(entry), h = ico.u8(entry + 1);
    const auto bpp = ico.le16(entry + 6);
    const auto bytes = ico.le32(entry + 8), offset = ico.le32(entry + 12);
    if (!w || !h || !bpp || !bytes || !offset) return std::nullopt;
    const ByteView payload = ico.sub(*offset, *bytes);
    if (payload.empty()) continue;  // entry pointing outside the file: skip it
    const std::uint64_t side_w = *w ? *w : 256, side_h = *h ? *h : 256;
    const std::uint64_t score = (side_w * side_h) << 16 | *bpp;  // largest, then deepest
    if (!best || score > best_score) {
      best = payload;
      best_score = score;
    }
  }
  return best;
}

}  // namespace detail

std::string_view format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::Jpeg:
      return "JPEG";
    case ImageFormat::Png:
      return "PNG";
    case ImageFormat::Bmp:
      return "BMP";
    case ImageFormat::Tiff:
      return "TIFF";
    case ImageFormat::Gif:
      return "GIF";
    case ImageFormat::Webp:
      return "WebP";
    case ImageFormat::Pdf:
      return "PDF";
    case ImageFormat::Pcx:
      return "PCX";
    case ImageFormat::Ico:
      return "ICO";
    case ImageFormat::Psd:
      return "PSD";
    case ImageFormat::Unknown:
      break;
  }
  return "unknown";
}

ImageFormat sniff_format(const std::uint8_t* data, std::size_t size) {
  const ByteView b(data, size);
  if (b.matches(0, "\xff\xd8\xff")) return ImageFormat::Jpeg;
  if (b.matches(0, kPngSignature)) return ImageFormat::Png;
  if (b.matches(0, "GIF87a") || b.matches(0, "GIF89a")) return ImageFormat::Gif;
  if (b.matches(0, "RIFF") && b.matches(8, "WEBP")) return ImageFormat::Webp;
  if (b.matches(0, "%PDF-")) return ImageFormat::Pdf;
  // TIFF and BigTIFF in both byte orders.
  if (b.matches(0, std::string_view("II*\0", 4)) || b.matches(0, std::string_view("MM\0*", 4)) ||
      b.matches(0, std::string_view("II+\0", 4)) || b.matches(0, std::string_view("MM\0+", 4))) {
    return ImageFormat::Tiff;
  }
  if (b.matches(0, "8BPS")) return ImageFormat::Psd;
  if (b.matches(0, std::string_view("\0\0\1\0", 4))) return ImageFormat::Ico;
  if (b.matches(0, "BM")) return ImageFormat::Bmp;
  const auto version = b.u8(1);
  if (b.u8(0) == 0x0A && version && (*version == 0 || (*version >= 2 && *version <= 5)) && b.u8(2) == 1) {
    return ImageFormat::Pcx;
  }
  return ImageFormat::Unknown;
}

std::optional<ImageHeader> probe_header(const std::uint8_t* data, std::size_t size) {
  const ByteView b(data, size);
  switch (sniff_format(data, size)) {
    case ImageFormat::Jpeg:
      return probe_jpeg(b);
    case ImageFormat::Png:
      return probe_png(b);
    case ImageFormat::Bmp:
      return probe_bmp(b);
    case ImageFormat::Tiff:
      return probe_tiff(b);
    case ImageFormat::Gif:
      return probe_gif(b);
    case ImageFormat::Webp:
      return probe_webp(b);
    case ImageFormat::Pcx:
      return probe_pcx(b);
    case ImageFormat::Ico:
      return probe_ico(b);
    case ImageFormat::Psd:
      return probe_psd(b);
    case ImageFormat::Pdf:  // pages are rendered; their size is checked from the page box
    case ImageFormat::Unknown:
      break;
  }
  return std::nullopt;
}

}  // namespace ocrserve
