// Writes the image_intake seed corpus (fuzz/corpus/image_intake/): a tiny valid file of every
// format ImageIntake decodes, a few variants that reach other decoder paths (EXIF orientation,
// alpha, 16-bit, interlaced GIF, palette PCX, bitmap ICO, rotated PDF), and forged headers that
// declare huge images and must be refused by the header check (AIS.0103) before any allocation.
// Deterministic: re-running it rewrites the same bytes.
//   build-fuzz/fuzz/make_image_seeds fuzz/corpus/image_intake
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "image_bytes.h"

namespace {

using ocrserve::test::append;
using ocrserve::test::Bytes;
using ocrserve::test::jpeg_exif_segment;
using ocrserve::test::lzw_encode;
using ocrserve::test::make_ico;
using ocrserve::test::patch_tiff;
using ocrserve::test::png_chunk;
using ocrserve::test::put_be16;
using ocrserve::test::put_be32;
using ocrserve::test::put_le16;
using ocrserve::test::put_le32;
using ocrserve::test::with_png_exif_orientation;

// ------------------------------------------------------------------ helpers

// 16 x 16 in four colours: small, but above the minimum side of 15.
cv::Mat quadrants(int w = 16, int h = 16, int type = CV_8UC3) {
  cv::Mat m(h, w, type, cv::Scalar::all(255));
  m(cv::Rect(0, 0, w / 2, h / 2)).setTo(cv::Scalar(0, 0, 255, 255));
  m(cv::Rect(w / 2, 0, w - w / 2, h / 2)).setTo(cv::Scalar(0, 255, 0, 128));
  m(cv::Rect(0, h / 2, w / 2, h - h / 2)).setTo(cv::Scalar(255, 0, 0, 0));
  return m;
}

Bytes encode(const std::string& ext, const cv::Mat& m, const std::vector<int>& params = {}) {
  std::vector<uchar> buf;
  if (!cv::imencode(ext, m, buf, params)) throw std::runtime_error("imencode failed for " + ext);
  return Bytes(buf.begin(), buf.end());
}

// ------------------------------------------------------------------ PNG

// A real 16x16 PNG whose IHDR (CRC fixed up) declares another size: the header check must refuse
// it before libpng allocates rows for the declared size.
Bytes png_with_size(std::uint32_t width, std::uint32_t height) {
  Bytes png = encode(".png", quadrants());
  Bytes ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  ihdr.insert(ihdr.end(), png.begin() + 24, png.begin() + 29);  // depth, colour type, methods
  const Bytes chunk = png_chunk("IHDR", ihdr);
  std::copy(chunk.begin(), chunk.end(), png.begin() + 8);
  return png;
}

// ------------------------------------------------------------------ JPEG

Bytes jpeg_with_exif(int orientation) {
  Bytes jpeg = encode(".jpg", quadrants(), {cv::IMWRITE_JPEG_QUALITY, 50});
  const Bytes segment = jpeg_exif_segment(orientation);
  jpeg.insert(jpeg.begin() + 2, segment.begin(), segment.end());
  return jpeg;
}

// Patches the first SOFn frame size.
Bytes jpeg_with_size(unsigned width, unsigned height) {
  Bytes jpeg = encode(".jpg", quadrants(), {cv::IMWRITE_JPEG_QUALITY, 50});
  for (std::size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && (jpeg[i + 1] == 0xC0 || jpeg[i + 1] == 0xC2)) {
      jpeg[i + 5] = static_cast<std::uint8_t>(height >> 8);
      jpeg[i + 6] = static_cast<std::uint8_t>(height);
      jpeg[i + 7] = static_cast<std::uint8_t>(width >> 8);
      jpeg[i + 8] = static_cast<std::uint8_t>(width);
      return jpeg;
    }
  }
  throw std::runtime_error("no SOF in the encoded JPEG");
}

// ------------------------------------------------------------------ BMP

Bytes bmp_with_size(std::int32_t width, std::int32_t height) {
  Bytes bmp = encode(".bmp", quadrants());
  for (int i = 0; i < 4; ++i) {
    bmp[18 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(width) >> (8 * i));
    bmp[22 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(height) >> (8 * i));
  }
  return bmp;
}

// 8-bit RLE-compressed BMP (BI_RLE8), 16 x 16, four-entry palette: runs, an absolute run, end of
// line, a delta and end of bitmap, so the decompressor's paths are all in the corpus.
Bytes bmp_rle8() {
  Bytes pixels;
  for (int y = 0; y < 16; ++y) {
    if (y == 10) {
      append(pixels, Bytes{0, 2, 0, 2});  // delta: 2 rows down
      y += 2;
    }
    append(pixels, Bytes{8, static_cast<std::uint8_t>(y < 8 ? 0 : 2)});
    append(pixels, Bytes{0, 4, 1, 3, 1, 3});  // absolute run of 4 (even length: no padding)
    append(pixels, Bytes{4, static_cast<std::uint8_t>(y < 8 ? 1 : 3)});
    append(pixels, Bytes{0, 0});  // end of line
  }
  append(pixels, Bytes{0, 1});  // end of bitmap
  const std::uint32_t offset = 14 + 40 + 4 * 4;
  Bytes b;
  append(b, "BM");
  put_le32(b, offset + static_cast<std::uint32_t>(pixels.size()));
  put_le32(b, 0);
  put_le32(b, offset);
  for (std::uint32_t v : {40u, 16u, 16u}) put_le32(b, v);
  put_le16(b, 1);
  put_le16(b, 8);
  put_le32(b, 1);  // BI_RLE8
  put_le32(b, static_cast<std::uint32_t>(pixels.size()));
  for (std::uint32_t v : {2835u, 2835u, 4u, 0u}) put_le32(b, v);
  for (std::uint32_t bgr : {0x0000FFu, 0x00FF00u, 0xFF0000u, 0xFFFFFFu}) put_le32(b, bgr);
  append(b, pixels);
  return b;
}

// ------------------------------------------------------------------ TIFF

// Uncompressed single-strip 8-bit grey TIFF in either byte order (orientation tag included).
Bytes grey_tiff(std::uint32_t width, std::uint32_t height, bool big_endian, int orientation = 1) {
  Bytes b;
  auto p16 = [&](unsigned v) { big_endian ? put_be16(b, v) : put_le16(b, v); };
  auto p32 = [&](std::uint32_t v) { big_endian ? put_be32(b, v) : put_le32(b, v); };
  append(b, big_endian ? "MM" : "II");
  p16(42);
  p32(8);
  const std::uint32_t entries = 9, data_at = 8 + 2 + entries * 12 + 4;
  const std::uint32_t pixel_bytes = 16 * 16;  // the strip holds 16 x 16 whatever the header says
  const std::uint32_t es[][3] = {{256, 4, width},
                                 {257, 4, height},
                                 {258, 3, 8},
                                 {259, 3, 1},
                                 {262, 3, 1},
                                 {273, 4, data_at},
                                 {274, 3, static_cast<std::uint32_t>(orientation)},
                                 {278, 4, height},
                                 {279, 4, pixel_bytes}};
  p16(entries);
  for (const auto& e : es) {
    p16(e[0]);
    p16(e[1]);
    p32(1);
    if (e[1] == 3) {
      p16(e[2]);
      p16(0);
    } else {
      p32(e[2]);
    }
  }
  p32(0);
  for (std::uint32_t i = 0; i < pixel_bytes; ++i) b.push_back(static_cast<std::uint8_t>(i % 16 < 8 ? 0 : 255));
  return b;
}

// ------------------------------------------------------------------ GIF

struct GifOptions {
  unsigned screen_w = 16, screen_h = 16;
  unsigned frame_w = 16, frame_h = 16;
  bool interlaced = false;
  bool transparent = false;
  bool local_palette = false;
};

Bytes gif(const GifOptions& o) {
  Bytes b;
  append(b, "GIF89a");
  put_le16(b, o.screen_w);
  put_le16(b, o.screen_h);
  append(b, Bytes{0xF1, 0, 0});  // global table of 4 colours
  const Bytes palette{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  append(b, palette);
  if (o.transparent) append(b, Bytes{0x21, 0xF9, 4, 0x01, 0, 0, 3, 0});
  append(b, Bytes{0x21, 0xFE, 4, 'f', 'u', 'z', 'z', 0});  // a comment extension
  b.push_back(0x2C);
  for (unsigned v : {0u, 0u, o.frame_w, o.frame_h}) put_le16(b, v);
  b.push_back(static_cast<std::uint8_t>((o.interlaced ? 0x40 : 0) | (o.local_palette ? 0x81 : 0)));
  if (o.local_palette) append(b, palette);
  Bytes indices;
  for (unsigned y = 0; y < 16; ++y)
    for (unsigned x = 0; x < 16; ++x) indices.push_back(static_cast<std::uint8_t>((y >= 8) * 2 + (x >= 8)));
  b.push_back(2);
  const Bytes data = lzw_encode(indices, 2);
  b.push_back(static_cast<std::uint8_t>(data.size()));
  append(b, data);
  b.push_back(0);
  b.push_back(0x3B);
  return b;
}

// ------------------------------------------------------------------ PCX

Bytes pcx(int planes, int bits, bool vga_palette, unsigned xmax = 15, unsigned ymax = 15) {
  const int bpl = ((16 * bits + 7) / 8 + 1) / 2 * 2;
  Bytes b{0x0A, 5, 1, static_cast<std::uint8_t>(bits)};
  for (unsigned v : {0u, 0u, xmax, ymax, 72u, 72u}) put_le16(b, v);
  for (int i = 0; i < 16; ++i)
    append(b, Bytes{static_cast<std::uint8_t>(i * 16), 0, static_cast<std::uint8_t>(255 - i * 16)});
  b.push_back(0);
  b.push_back(static_cast<std::uint8_t>(planes));
  put_le16(b, static_cast<unsigned>(bpl));
  put_le16(b, 1);
  b.resize(128, 0);
  for (int y = 0; y < 16; ++y) {
    for (int p = 0; p < planes; ++p) {
      const std::uint8_t value = static_cast<std::uint8_t>(bits == 8 ? (y * 16 + p * 40) : (y < 8 ? 0xFF : 0x0F));
      b.push_back(static_cast<std::uint8_t>(0xC0 | bpl));  // one run covers the plane line
      b.push_back(value);
    }
  }
  if (vga_palette) {
    b.push_back(0x0C);
    for (int i = 0; i < 256; ++i) append(b, Bytes{static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(255 - i), 0});
  }
  return b;
}

// ------------------------------------------------------------------ ICO

// Headerless bitmap (doubled height: colour rows then the AND mask), 32-bit BGRA or 8-bit.
Bytes ico_dib(int bpp, std::uint32_t width = 16, std::uint32_t height = 16) {
  Bytes b;
  for (std::uint32_t v : {40u, width, height * 2}) put_le32(b, v);
  put_le16(b, 1);
  put_le16(b, static_cast<unsigned>(bpp));
  for (int i = 0; i < 6; ++i) put_le32(b, 0);
  if (bpp == 8) {
    for (int i = 0; i < 256; ++i) put_le32(b, static_cast<std::uint32_t>(i * 0x010101));
  }
  const int bytes_per_pixel = bpp / 8;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16 * bytes_per_pixel; ++x) b.push_back(static_cast<std::uint8_t>(y < 8 ? 0x40 : 0xC0));
  b.resize(b.size() + 16 * 4, 0);  // AND mask, rows padded to 32 bits
  return b;
}

// ------------------------------------------------------------------ PDF, PSD, WebP

Bytes pdf(const std::string& media_box, int rotate = 0) {
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  auto object = [&](const std::string& body) {
    offsets.push_back(out.size());
    out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  const std::string content = "1 0 0 rg 0 0 8 8 re f BT /F1 6 Tf 1 10 Td (Hi) Tj ET";
  object("<< /Type /Catalog /Pages 2 0 R >>");
  object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  object("<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box + "] /Rotate " + std::to_string(rotate) +
         " /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> /Contents 4 0 R >>");
  object("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (const std::size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return Bytes(out.begin(), out.end());
}

Bytes psd() {
  Bytes b;
  append(b, "8BPS");
  put_be16(b, 1);
  b.resize(12, 0);
  put_be16(b, 3);
  put_be32(b, 16);
  put_be32(b, 16);
  put_be16(b, 8);
  put_be16(b, 3);
  return b;
}

// Extended WebP header (VP8X) with a 16M x 16M canvas and nothing behind it.
Bytes webp_vp8x_huge() {
  Bytes b;
  append(b, "RIFF");
  put_le32(b, 22);
  append(b, "WEBPVP8X");
  put_le32(b, 10);
  append(b, Bytes{0x00, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  cv::Mat grey16(16, 16, CV_16UC1);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) grey16.at<std::uint16_t>(y, x) = static_cast<std::uint16_t>(x * 4096 + y);
  cv::Mat rgba16;
  quadrants(16, 16, CV_8UC4).convertTo(rgba16, CV_16U, 257);
  cv::Mat float32, float_rgba;
  quadrants().convertTo(float32, CV_32F, 1.0 / 255);
  quadrants(16, 16, CV_8UC4).convertTo(float_rgba, CV_32F, 1.0 / 255);

  const std::vector<std::pair<std::string, Bytes>> seeds = {
      // valid, one per format and a few decoder paths
      {"tiny.jpg", encode(".jpg", quadrants(), {cv::IMWRITE_JPEG_QUALITY, 50})},
      {"progressive.jpg", encode(".jpg", quadrants(), {cv::IMWRITE_JPEG_QUALITY, 50, cv::IMWRITE_JPEG_PROGRESSIVE, 1})},
      {"exif6.jpg", jpeg_with_exif(6)},
      {"tiny.png", encode(".png", quadrants())},
      {"rgba.png", encode(".png", quadrants(16, 16, CV_8UC4))},
      {"rgba16.png", encode(".png", rgba16)},
      {"grey16.png", encode(".png", grey16)},
      {"exif8.png", with_png_exif_orientation(encode(".png", quadrants()), 8)},
      {"tiny.bmp", encode(".bmp", quadrants())},
      {"grey.bmp", encode(".bmp", quadrants(16, 16, CV_8UC1))},
      {"topdown.bmp", bmp_with_size(16, -16)},
      {"rle8.bmp", bmp_rle8()},
      {"tiny.tiff", encode(".tiff", quadrants())},
      {"rgba16.tiff", encode(".tiff", rgba16)},
      {"float.tiff", encode(".tiff", float32)},
      {"grey-le.tiff", grey_tiff(16, 16, false, 6)},
      {"grey-be.tiff", grey_tiff(16, 16, true)},
      {"lossy.webp", encode(".webp", quadrants(), {cv::IMWRITE_WEBP_QUALITY, 50})},
      {"lossless.webp", encode(".webp", quadrants(16, 16, CV_8UC4), {cv::IMWRITE_WEBP_QUALITY, 101})},
      {"tiny.gif", gif({})},
      {"interlaced-transparent.gif", gif({.interlaced = true, .transparent = true, .local_palette = true})},
      {"overhang.gif", gif({.screen_w = 15, .screen_h = 15})},
      {"rgb.pcx", pcx(3, 8, false)},
      {"vga.pcx", pcx(1, 8, true)},
      {"ega.pcx", pcx(4, 1, false)},
      {"png.ico", make_ico({{16, 16, 32, encode(".png", quadrants())}})},
      {"bgra.ico", make_ico({{16, 16, 32, ico_dib(32)}})},
      {"palette.ico", make_ico({{16, 16, 8, ico_dib(8)}})},
      {"tiny.pdf", pdf("0 0 20 20")},
      {"rotated.pdf", pdf("0 0 30 20", 90)},
      {"tiny.psd", psd()},
      // forged headers: each must be AIS.0103 before any decode
      {"huge-60000x60000.png", png_with_size(60000, 60000)},
      {"huge-20000x10000.png", png_with_size(20000, 10000)},  // sides fine, 200 megapixels
      {"huge-65535x65535.jpg", jpeg_with_size(65535, 65535)},
      {"huge-width.bmp", bmp_with_size(1000000, 16)},
      {"huge-topdown.bmp", bmp_with_size(16, -1000000)},
      {"huge-100000x100000.tiff", grey_tiff(100000, 100000, false)},
      {"huge-float-rgba.tiff",
       patch_tiff(encode(".tiff", float_rgba), {{256, 12649}, {257, 12649}, {278, 12649}})},  // 2.5 GB of samples
      {"huge-screen.gif", gif({.screen_w = 65535, .screen_h = 65535})},
      {"huge-frame.gif", gif({.frame_w = 65535, .frame_h = 65535})},  // screen fine, frame not
      {"huge-65535x65535.pcx", pcx(3, 8, false, 65535, 65535)},
      {"huge-png.ico", make_ico({{16, 16, 32, png_with_size(60000, 60000)}})},
      {"huge-dib.ico", make_ico({{16, 16, 32, ico_dib(32, 100000, 100000)}})},
      {"huge-vp8x.webp", webp_vp8x_huge()},
      {"huge-page.pdf", pdf("0 0 1000000 1000000")},
  };
  for (const auto& [name, bytes] : seeds) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
      return 1;
    }
  }
  std::printf("%zu seeds in %s\n", seeds.size(), dir.c_str());
  return 0;
}
