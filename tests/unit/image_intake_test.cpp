// ImageIntake on real inputs: images encoded by OpenCV in the test, hand-built GIF/PCX/ICO/PDF/TIFF
// bytes, and truncated, forged and mutated data. Nothing is read from or written to disk.
#include <chrono>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "image_bytes.h"
#include "ocrserve/image_intake.h"
#include "pdf_builder.h"

namespace ocrserve {
namespace {

using test::append;
using test::Bytes;
using test::jpeg_exif_segment;
using test::lzw_encode;
using test::make_ico;
using test::patch_tiff;
using test::PdfPage;
using test::png_chunk;
using test::put_be16;
using test::put_be32;
using test::put_le16;
using test::put_le32;
using test::with_png_exif_orientation;

// ============================================================ helpers: pixels and errors

const cv::Vec3b kRed(0, 0, 255), kGreen(0, 255, 0), kBlue(255, 0, 0), kWhite(255, 255, 255), kBlack(0, 0, 0);

// Four solid quadrants, red | green over blue | white: orientation checks read the corners.
cv::Mat quadrants(int width, int height) {
  cv::Mat m(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  m(cv::Rect(0, 0, width / 2, height / 2)).setTo(cv::Scalar(0, 0, 255));
  m(cv::Rect(width / 2, 0, width - width / 2, height / 2)).setTo(cv::Scalar(0, 255, 0));
  m(cv::Rect(0, height / 2, width / 2, height - height / 2)).setTo(cv::Scalar(255, 0, 0));
  return m;
}

struct Corners {
  cv::Vec3b top_left, top_right, bottom_left, bottom_right;
};

// Colours sampled well inside each quadrant (away from compression ringing at the edges).
Corners corners(const cv::Mat& m) {
  const int x0 = m.cols / 8, x1 = m.cols - 1 - m.cols / 8, y0 = m.rows / 8, y1 = m.rows - 1 - m.rows / 8;
  return {m.at<cv::Vec3b>(y0, x0), m.at<cv::Vec3b>(y0, x1), m.at<cv::Vec3b>(y1, x0), m.at<cv::Vec3b>(y1, x1)};
}

::testing::AssertionResult near_colour(const cv::Vec3b& actual, const cv::Vec3b& expected, int tolerance = 40) {
  for (int k = 0; k < 3; ++k) {
    if (std::abs(actual[k] - expected[k]) > tolerance) {
      return ::testing::AssertionFailure() << "BGR " << actual << " is not close to " << expected;
    }
  }
  return ::testing::AssertionSuccess();
}

void expect_quadrants(const cv::Mat& m, const Corners& expected, int tolerance = 40) {
  const Corners c = corners(m);
  EXPECT_TRUE(near_colour(c.top_left, expected.top_left, tolerance)) << "top left";
  EXPECT_TRUE(near_colour(c.top_right, expected.top_right, tolerance)) << "top right";
  EXPECT_TRUE(near_colour(c.bottom_left, expected.bottom_left, tolerance)) << "bottom left";
  EXPECT_TRUE(near_colour(c.bottom_right, expected.bottom_right, tolerance)) << "bottom right";
}

const Corners kUpright{kRed, kGreen, kBlue, kWhite};

void expect_bgr8(const DecodedImage& d, int width, int height) {
  EXPECT_EQ(d.bgr.type(), CV_8UC3);
  EXPECT_EQ(d.bgr.cols, width);
  EXPECT_EQ(d.bgr.rows, height);
}

// Runs `fn`, which must throw ocrserve::Error with `code` and a message containing `expected`.
template <typename Fn>
void expect_error(Fn&& fn, const char* code, const std::string& expected) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected " << code << " containing \"" << expected << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << "message: " << e.what();
  }
}

Bytes encode(const std::string& ext, const cv::Mat& m, const std::vector<int>& params = {}) {
  std::vector<uchar> buf;
  if (!cv::imencode(ext, m, buf, params)) throw std::runtime_error("imencode failed for " + ext);
  return Bytes(buf.begin(), buf.end());
}

Bytes bytes_of(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// A PNG that is only a signature and an IHDR: what an attacker sends to make us allocate.
Bytes forged_png_header(std::uint32_t width, std::uint32_t height) {
  Bytes png = bytes_of(std::string("\x89PNG\r\n\x1a\n", 8));
  Bytes ihdr;
  put_be32(ihdr, width);
  put_be32(ihdr, height);
  append(ihdr, Bytes{8, 2, 0, 0, 0});
  append(png, png_chunk("IHDR", ihdr));
  return png;
}

// Inserts an APP1 "Exif" segment after SOI (and after JFIF APP0 if present).
Bytes with_jpeg_exif_orientation(Bytes jpeg, int orientation) {
  const Bytes segment = jpeg_exif_segment(orientation);
  std::size_t at = 2;
  if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) at = 4 + (std::size_t{jpeg[4]} << 8 | jpeg[5]);
  jpeg.insert(jpeg.begin() + static_cast<std::ptrdiff_t>(at), segment.begin(), segment.end());
  return jpeg;
}

// Expected corners of quadrants() after EXIF orientation n has been applied.
Corners oriented_quadrants(int n) {
  cv::Mat m = quadrants(64, 48), out;
  switch (n) {
    case 2:
      cv::flip(m, out, 1);
      break;
    case 3:
      cv::rotate(m, out, cv::ROTATE_180);
      break;
    case 4:
      cv::flip(m, out, 0);
      break;
    case 5:
      cv::transpose(m, out);
      break;
    case 6:
      cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE);
      cv::flip(out, out, 0);
      break;
    case 8:
      cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      out = m;
      break;
  }
  return corners(out);
}

// ============================================================ helpers: hand-built formats

struct Rgb {
  std::uint8_t r, g, b;
};

struct GifFrame {
  int left = 0, top = 0, width = 0, height = 0;
  std::vector<std::uint8_t> indices;  // row-major, width x height
  std::vector<Rgb> local_palette;     // empty: use the global table
  bool interlaced = false;
  int transparent = -1;
};

int palette_bits(std::size_t colours) {
  int bits = 1;
  while ((std::size_t{1} << bits) < colours) ++bits;
  return bits;
}

void put_palette(Bytes& b, std::vector<Rgb> palette) {
  palette.resize(std::size_t{1} << palette_bits(palette.size()), Rgb{0, 0, 0});
  for (const Rgb& c : palette) append(b, Bytes{c.r, c.g, c.b});
}

Bytes make_gif(int screen_w, int screen_h, const std::vector<Rgb>& global, const std::vector<GifFrame>& frames) {
  Bytes b = bytes_of("GIF89a");
  put_le16(b, static_cast<unsigned>(screen_w));
  put_le16(b, static_cast<unsigned>(screen_h));
  b.push_back(global.empty() ? 0x70 : static_cast<std::uint8_t>(0xF0 | (palette_bits(global.size()) - 1)));
  append(b, Bytes{0, 0});
  if (!global.empty()) put_palette(b, global);
  for (const GifFrame& f : frames) {
    if (f.transparent >= 0) append(b, Bytes{0x21, 0xF9, 4, 0x01, 0, 0, static_cast<std::uint8_t>(f.transparent), 0});
    b.push_back(0x2C);
    for (int v : {f.left, f.top, f.width, f.height}) put_le16(b, static_cast<unsigned>(v));
    std::uint8_t packed = f.interlaced ? 0x40 : 0;
    if (!f.local_palette.empty())
      packed |= static_cast<std::uint8_t>(0x80 | (palette_bits(f.local_palette.size()) - 1));
    b.push_back(packed);
    if (!f.local_palette.empty()) put_palette(b, f.local_palette);
    // Interlaced frames store rows in pass order.
    std::vector<std::uint8_t> stream;
    std::vector<int> rows;
    if (f.interlaced) {
      for (auto [start, step] : {std::pair{0, 8}, {4, 8}, {2, 4}, {1, 2}}) {
        for (int y = start; y < f.height; y += step) rows.push_back(y);
      }
    } else {
      for (int y = 0; y < f.height; ++y) rows.push_back(y);
    }
    for (int y : rows) {
      const auto row = f.indices.begin() + static_cast<std::ptrdiff_t>(y) * f.width;
      stream.insert(stream.end(), row, row + f.width);
    }
    const std::size_t colours = f.local_palette.empty() ? global.size() : f.local_palette.size();
    const int min_code = std::max(2, palette_bits(colours));
    b.push_back(static_cast<std::uint8_t>(min_code));
    const Bytes data = lzw_encode(stream, min_code);
    for (std::size_t i = 0; i < data.size(); i += 255) {
      const std::size_t n = std::min<std::size_t>(255, data.size() - i);
      b.push_back(static_cast<std::uint8_t>(n));
      b.insert(b.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
               data.begin() + static_cast<std::ptrdiff_t>(i + n));
    }
    b.push_back(0);
  }
  b.push_back(0x3B);
  return b;
}

const std::vector<Rgb> kGifPalette{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};

// Quadrant indices (red, green, blue, white) for a GIF frame.
std::vector<std::uint8_t> quadrant_indices(int w, int h) {
  std::vector<std::uint8_t> px(static_cast<std::size_t>(w * h));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x)
      px[static_cast<std::size_t>(y * w + x)] = static_cast<std::uint8_t>((y >= h / 2) * 2 + (x >= w / 2));
  }
  return px;
}

Bytes quadrant_gif(int w, int h, bool interlaced = false) {
  GifFrame f{0, 0, w, h, quadrant_indices(w, h), {}, interlaced, -1};
  return make_gif(w, h, kGifPalette, {f});
}

// RLE-encoded PCX. 8 bits per plane: 3 planes (RGB) or 1 plane with the trailing 256-colour
// palette; 1 bit per plane: 1 plane (black/white) or 4 planes indexing the 16-colour header palette.
// `sample` returns the byte (8-bit) or the bit (1-bit) of a pixel in a plane.
Bytes make_pcx(int w, int h, int planes, const std::function<std::uint8_t(int x, int y, int plane)>& sample,
               const std::vector<Rgb>& vga_palette = {}, int bits = 8, const std::vector<Rgb>& header_palette = {}) {
  const int bpl = ((w * bits + 7) / 8 + 1) / 2 * 2;  // even, as the format requires
  Bytes b{0x0A, 5, 1, static_cast<std::uint8_t>(bits)};
  for (int v : {0, 0, w - 1, h - 1, 72, 72}) put_le16(b, static_cast<unsigned>(v));
  for (std::size_t i = 0; i < 16; ++i) {
    const Rgb c = i < header_palette.size() ? header_palette[i] : Rgb{0, 0, 0};
    append(b, Bytes{c.r, c.g, c.b});
  }
  b.push_back(0);
  b.push_back(static_cast<std::uint8_t>(planes));
  put_le16(b, static_cast<unsigned>(bpl));
  put_le16(b, 1);
  b.resize(128, 0);
  for (int y = 0; y < h; ++y) {
    Bytes line;
    for (int p = 0; p < planes; ++p) {
      Bytes plane(static_cast<std::size_t>(bpl), 0);
      for (int x = 0; x < w; ++x) {
        if (bits == 8) {
          plane[static_cast<std::size_t>(x)] = sample(x, y, p);
        } else if (sample(x, y, p)) {
          plane[static_cast<std::size_t>(x / 8)] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
        }
      }
      append(line, plane);
    }
    for (std::size_t i = 0; i < line.size();) {  // runs of up to 63 equal bytes
      std::size_t run = 1;
      while (i + run < line.size() && run < 63 && line[i + run] == line[i]) ++run;
      if (run > 1 || line[i] >= 0xC0) b.push_back(static_cast<std::uint8_t>(0xC0 | run));
      b.push_back(line[i]);
      i += run;
    }
  }
  if (!vga_palette.empty()) {
    b.push_back(0x0C);
    for (std::size_t i = 0; i < 256; ++i) {
      const Rgb c = i < vga_palette.size() ? vga_palette[i] : Rgb{0, 0, 0};
      append(b, Bytes{c.r, c.g, c.b});
    }
  }
  return b;
}

// 32-bit icon bitmap (BITMAPINFOHEADER, doubled height, bottom-up BGRA rows, then the AND mask).
Bytes ico_dib32(const cv::Mat& bgra) {
  Bytes b;
  for (std::uint32_t v : {40u, static_cast<std::uint32_t>(bgra.cols), static_cast<std::uint32_t>(bgra.rows * 2)})
    put_le32(b, v);
  put_le16(b, 1);
  put_le16(b, 32);
  for (int i = 0; i < 6; ++i) put_le32(b, 0);
  for (int y = bgra.rows - 1; y >= 0; --y) b.insert(b.end(), bgra.ptr(y), bgra.ptr(y) + bgra.cols * 4);
  b.resize(b.size() + static_cast<std::size_t>((bgra.cols + 31) / 32 * 4 * bgra.rows), 0);
  return b;
}

struct TiffPage {
  int width, height;
  int bits = 8;         // 8 (grey) or 1 (bilevel, MSB first)
  int photometric = 1;  // 0 WhiteIsZero (fax), 1 BlackIsZero
  int orientation = 1;
  std::function<std::uint8_t(int x, int y)> pixel;  // 1-bit pages: non-zero sets the bit
};

// Uncompressed single-strip TIFF, one IFD per page, in either byte order.
Bytes make_tiff(const std::vector<TiffPage>& pages, bool big_endian = false) {
  Bytes b;
  auto p16 = [&](unsigned v) { big_endian ? put_be16(b, v) : put_le16(b, v); };
  auto p32 = [&](std::uint32_t v) { big_endian ? put_be32(b, v) : put_le32(b, v); };
  append(b, big_endian ? "MM" : "II");
  p16(42);
  std::size_t next_field = b.size();  // where the offset of the next IFD goes
  p32(0);
  for (const TiffPage& page : pages) {
    if (b.size() % 2) b.push_back(0);  // IFDs start on a word boundary
    const auto ifd = static_cast<std::uint32_t>(b.size());
    for (int i = 0; i < 4; ++i) {
      const int shift = big_endian ? 24 - 8 * i : 8 * i;
      b[next_field + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ifd >> shift);
    }
    const std::uint32_t row_bytes = static_cast<std::uint32_t>((page.width * page.bits + 7) / 8);
    const std::uint32_t entries = 9, data_at = ifd + 2 + entries * 12 + 4;
    const std::uint32_t es[][3] = {{256, 4, static_cast<std::uint32_t>(page.width)},
                                   {257, 3, static_cast<std::uint32_t>(page.height)},
                                   {258, 3, static_cast<std::uint32_t>(page.bits)},
                                   {259, 3, 1},
                                   {262, 3, static_cast<std::uint32_t>(page.photometric)},
                                   {273, 4, data_at},
                                   {274, 3, static_cast<std::uint32_t>(page.orientation)},
                                   {278, 3, static_cast<std::uint32_t>(page.height)},
                                   {279, 4, row_bytes * static_cast<std::uint32_t>(page.height)}};
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
    next_field = b.size();
    p32(0);
    for (int y = 0; y < page.height; ++y) {
      Bytes row(row_bytes, 0);
      for (int x = 0; x < page.width; ++x) {
        const std::uint8_t v = page.pixel(x, y);
        if (page.bits == 8) {
          row[static_cast<std::size_t>(x)] = v;
        } else if (v != 0) {
          row[static_cast<std::size_t>(x / 8)] |= static_cast<std::uint8_t>(0x80 >> (x % 8));
        }
      }
      append(b, row);
    }
  }
  return b;
}

Bytes make_grey_tiff(int w, int h, int orientation, bool big_endian, const std::function<std::uint8_t(int, int)>& px) {
  return make_tiff({{w, h, 8, 1, orientation, px}}, big_endian);
}

Bytes make_pdf(const std::vector<PdfPage>& pages, bool encrypt = false) {
  return bytes_of(build_pdf(pages, encrypt));
}

// 200 x 100 pt page: left half red, right half white.
const PdfPage kHalfRedPage{200, 100, "1 0 0 rg 0 0 100 100 re f"};

IntakeLimits all_formats() {
  IntakeLimits limits;
  limits.formats = {ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Bmp, ImageFormat::Tiff, ImageFormat::Gif,
                    ImageFormat::Webp, ImageFormat::Pdf, ImageFormat::Pcx, ImageFormat::Ico,  ImageFormat::Psd};
  return limits;
}

// ============================================================ sniffing

TEST(FormatSniff, RecognisesEveryMagic) {
  const std::pair<std::string, ImageFormat> cases[] = {
      {std::string("\xFF\xD8\xFF\xE0", 4), ImageFormat::Jpeg},
      {std::string("\x89PNG\r\n\x1a\n", 8), ImageFormat::Png},
      {"BM\x36\x00", ImageFormat::Bmp},
      {std::string("II*\0", 4), ImageFormat::Tiff},
      {std::string("MM\0*", 4), ImageFormat::Tiff},
      {std::string("II+\0", 4), ImageFormat::Tiff},
      {"GIF87a", ImageFormat::Gif},
      {"GIF89a", ImageFormat::Gif},
      {std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16), ImageFormat::Webp},
      {"%PDF-1.7", ImageFormat::Pdf},
      {std::string("\x0A\x05\x01\x08", 4), ImageFormat::Pcx},
      {std::string("\x0A\x00\x01\x01", 4), ImageFormat::Pcx},
      {std::string("\0\0\1\0\1\0", 6), ImageFormat::Ico},
      {std::string("8BPS\x00\x01", 6), ImageFormat::Psd},
  };
  for (const auto& [magic, format] : cases) {
    const Bytes b = bytes_of(magic);
    EXPECT_EQ(sniff_format(b.data(), b.size()), format) << format_name(format);
  }
}

TEST(FormatSniff, RejectsNearMissesAndShortInput) {
  for (const std::string& s :
       {std::string(), std::string("\xFF"), std::string("\xFF\xD8"), std::string("GIF88a"),
        std::string("RIFF\x10\x00\x00\x00WAVE", 12), std::string("%PDF"), std::string("\x0A\x01\x01", 3),
        std::string("\x0A\x05\x00", 3), std::string("{\"image\":1}"), std::string("\x89PNG")}) {
    const Bytes b = bytes_of(s);
    EXPECT_EQ(sniff_format(b.data(), b.size()), ImageFormat::Unknown) << s;
  }
  EXPECT_EQ(sniff_format(nullptr, 0), ImageFormat::Unknown);
}

TEST(FormatSniff, NamesEveryFormat) {
  EXPECT_EQ(format_name(ImageFormat::Jpeg), "JPEG");
  EXPECT_EQ(format_name(ImageFormat::Webp), "WebP");
  EXPECT_EQ(format_name(ImageFormat::Pdf), "PDF");
  EXPECT_EQ(format_name(ImageFormat::Unknown), "unknown");
}

// ============================================================ header probes

void expect_probe(const Bytes& b, ImageFormat format, int width, int height) {
  const auto h = probe_header(b.data(), b.size());
  ASSERT_TRUE(h.has_value()) << format_name(format);
  EXPECT_EQ(h->format, format);
  EXPECT_EQ(h->width, width) << format_name(format);
  EXPECT_EQ(h->height, height) << format_name(format);
}

TEST(HeaderProbe, MatchesEncoderDimensionsForOpenCvFormats) {
  const cv::Mat m = quadrants(123, 45);
  expect_probe(encode(".jpg", m), ImageFormat::Jpeg, 123, 45);
  expect_probe(encode(".jpg", m, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}), ImageFormat::Jpeg, 123, 45);
  expect_probe(encode(".png", m), ImageFormat::Png, 123, 45);
  expect_probe(encode(".bmp", m), ImageFormat::Bmp, 123, 45);
  expect_probe(encode(".tiff", m), ImageFormat::Tiff, 123, 45);
  expect_probe(encode(".webp", m, {cv::IMWRITE_WEBP_QUALITY, 80}), ImageFormat::Webp, 123, 45);   // VP8
  expect_probe(encode(".webp", m, {cv::IMWRITE_WEBP_QUALITY, 101}), ImageFormat::Webp, 123, 45);  // VP8L
}

TEST(HeaderProbe, JpegSkipsSegmentsAndFillBytesBeforeTheFrameHeader) {
  Bytes jpeg = with_jpeg_exif_orientation(encode(".jpg", quadrants(77, 33)), 6);
  // Fill bytes (extra 0xFF) before the first marker after SOI are legal.
  jpeg.insert(jpeg.begin() + 2, {0xFF, 0xFF, 0xFF});
  expect_probe(jpeg, ImageFormat::Jpeg, 77, 33);  // header dimensions are pre-rotation
}

TEST(HeaderProbe, JpegWithoutFrameHeaderOrWithBadLengthIsUnreadable) {
  const Bytes eoi_only{0xFF, 0xD8, 0xFF, 0xD9};
  EXPECT_FALSE(probe_header(eoi_only.data(), eoi_only.size()));
  const Bytes bad_length{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01};
  EXPECT_FALSE(probe_header(bad_length.data(), bad_length.size()));
  const Bytes huge_length{0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00};
  EXPECT_FALSE(probe_header(huge_length.data(), huge_length.size()));
}

TEST(HeaderProbe, BmpTopDownAndCoreHeader) {
  Bytes bmp = encode(".bmp", quadrants(40, 20));
  const std::int32_t top_down = -20;
  std::memcpy(bmp.data() + 22, &top_down, 4);  // little-endian host
  expect_probe(bmp, ImageFormat::Bmp, 40, 20);

  Bytes core = bytes_of("BM");
  put_le32(core, 0);
  put_le32(core, 0);
  put_le32(core, 26);
  put_le32(core, 12);
  put_le16(core, 300);
  put_le16(core, 200);
  expect_probe(core, ImageFormat::Bmp, 300, 200);
}

TEST(HeaderProbe, TiffBothByteOrdersShortAndLong) {
  auto px = [](int, int) -> std::uint8_t { return 0; };
  expect_probe(make_grey_tiff(70, 30, 1, false, px), ImageFormat::Tiff, 70, 30);
  expect_probe(make_grey_tiff(70, 30, 1, true, px), ImageFormat::Tiff, 70, 30);
  Bytes bad_ifd = make_grey_tiff(70, 30, 1, false, px);
  bad_ifd[4] = 0xF0;  // IFD offset beyond the end
  EXPECT_FALSE(probe_header(bad_ifd.data(), bad_ifd.size()));
}

TEST(HeaderProbe, GifPcxIcoPsdAndVp8x) {
  expect_probe(quadrant_gif(31, 17), ImageFormat::Gif, 31, 17);
  expect_probe(make_pcx(41, 23, 3, [](int, int, int) -> std::uint8_t { return 9; }), ImageFormat::Pcx, 41, 23);
  expect_probe(
      make_ico({{16, 16, 32, encode(".png", quadrants(16, 16))}, {48, 40, 32, encode(".png", quadrants(48, 40))}}),
      ImageFormat::Ico, 48, 40);
  cv::Mat bgra(20, 24, CV_8UC4, cv::Scalar(0, 0, 0, 255));
  expect_probe(make_ico({{24, 20, 32, ico_dib32(bgra)}}), ImageFormat::Ico, 24, 20);

  Bytes psd = bytes_of("8BPS");
  put_be16(psd, 1);
  psd.resize(12, 0);
  put_be16(psd, 3);
  put_be32(psd, 600);  // height
  put_be32(psd, 800);  // width
  expect_probe(psd, ImageFormat::Psd, 800, 600);

  Bytes vp8x = bytes_of("RIFF");
  put_le32(vp8x, 22);
  append(vp8x, "WEBPVP8X");
  put_le32(vp8x, 10);
  append(vp8x, Bytes{0x10, 0, 0, 0, 0x3F, 0x1F, 0x00, 0x0F, 0x27, 0x00});  // 8000 x 10000
  expect_probe(vp8x, ImageFormat::Webp, 8000, 10000);
}

TEST(HeaderProbe, PdfAndUnknownHaveNoHeaderDimensions) {
  const Bytes pdf = make_pdf({kHalfRedPage});
  EXPECT_FALSE(probe_header(pdf.data(), pdf.size()));
  const Bytes text = bytes_of("hello, world");
  EXPECT_FALSE(probe_header(text.data(), text.size()));
}

TEST(HeaderProbe, ZeroDimensionsAreUnreadable) {
  const Bytes png = forged_png_header(0, 100);
  EXPECT_FALSE(probe_header(png.data(), png.size()));
  const Bytes huge = forged_png_header(0x80000000u, 100);  // beyond the PNG limit of 2^31-1
  EXPECT_FALSE(probe_header(huge.data(), huge.size()));
}

// Every prefix of every header must be handled without reading out of bounds.
TEST(HeaderProbe, EveryPrefixOfEverySampleIsSafe) {
  const cv::Mat m = quadrants(40, 30);
  const std::vector<Bytes> samples = {encode(".jpg", m),
                                      encode(".png", m),
                                      encode(".bmp", m),
                                      encode(".tiff", m),
                                      encode(".webp", m),
                                      make_grey_tiff(20, 20, 1, true, [](int, int) -> std::uint8_t { return 1; }),
                                      quadrant_gif(20, 20),
                                      make_pcx(20, 20, 1, [](int, int, int) -> std::uint8_t { return 1; }),
                                      make_ico({{16, 16, 32, encode(".png", quadrants(16, 16))}}),
                                      with_jpeg_exif_orientation(encode(".jpg", m), 3)};
  for (const Bytes& sample : samples) {
    const std::size_t limit = std::min<std::size_t>(sample.size(), 700);
    for (std::size_t n = 0; n <= limit; ++n) {
      const Bytes prefix(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(n));
      const auto h = probe_header(prefix.data(), prefix.size());
      if (h) {
        EXPECT_GT(h->width, 0);
        EXPECT_GT(h->height, 0);
      }
    }
  }
}

// ============================================================ decoding, format by format

TEST(ImageIntake, DecodesJpeg) {
  const DecodedImage d = ImageIntake().from_bytes(encode(".jpg", quadrants(64, 48), {cv::IMWRITE_JPEG_QUALITY, 95}));
  EXPECT_EQ(d.format, ImageFormat::Jpeg);
  EXPECT_EQ(d.page_count, 1);
  expect_bgr8(d, 64, 48);
  expect_quadrants(d.bgr, kUpright);
}

TEST(ImageIntake, DecodesPngLosslessly) {
  const cv::Mat src = quadrants(64, 48);
  const DecodedImage d = ImageIntake().from_bytes(encode(".png", src));
  EXPECT_EQ(d.format, ImageFormat::Png);
  expect_bgr8(d, 64, 48);
  EXPECT_EQ(cv::norm(d.bgr, src, cv::NORM_INF), 0);
}

TEST(ImageIntake, DecodesBmpIncludingTopDown) {
  const cv::Mat src = quadrants(64, 48);
  const DecodedImage d = ImageIntake().from_bytes(encode(".bmp", src));
  EXPECT_EQ(d.format, ImageFormat::Bmp);
  expect_bgr8(d, 64, 48);
  EXPECT_EQ(cv::norm(d.bgr, src, cv::NORM_INF), 0);

  // Top-down: negative height, rows stored first-to-last.
  Bytes bmp = encode(".bmp", src);
  const std::int32_t top_down = -48;
  std::memcpy(bmp.data() + 22, &top_down, 4);
  const DecodedImage flipped = ImageIntake().from_bytes(bmp);
  expect_bgr8(flipped, 64, 48);
  expect_quadrants(flipped.bgr, {kBlue, kWhite, kRed, kGreen}, 0);  // the stored rows read the other way
}

TEST(ImageIntake, DecodesTiffAndWebp) {
  const cv::Mat src = quadrants(64, 48);
  const DecodedImage tiff = ImageIntake().from_bytes(encode(".tiff", src));
  EXPECT_EQ(tiff.format, ImageFormat::Tiff);
  expect_bgr8(tiff, 64, 48);
  EXPECT_EQ(cv::norm(tiff.bgr, src, cv::NORM_INF), 0);

  const DecodedImage lossless = ImageIntake().from_bytes(encode(".webp", src, {cv::IMWRITE_WEBP_QUALITY, 101}));
  EXPECT_EQ(lossless.format, ImageFormat::Webp);
  expect_bgr8(lossless, 64, 48);
  EXPECT_EQ(cv::norm(lossless.bgr, src, cv::NORM_INF), 0);

  const DecodedImage lossy = ImageIntake().from_bytes(encode(".webp", src, {cv::IMWRITE_WEBP_QUALITY, 90}));
  expect_bgr8(lossy, 64, 48);
  expect_quadrants(lossy.bgr, kUpright);
}

TEST(ImageIntake, DecodesBigEndianGreyTiff) {
  const auto px = [](int x, int y) -> std::uint8_t { return (x < 30) == (y < 10) ? 0 : 255; };
  const DecodedImage d = ImageIntake().from_bytes(make_grey_tiff(60, 20, 1, true, px));
  expect_bgr8(d, 60, 20);
  EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(2, 2), kBlack, 0));
  EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(2, 50), kWhite, 0));
}

TEST(ImageIntake, DecodesBilevelFaxStyleTiff) {
  // WhiteIsZero 1-bit, as scanners and fax software write: set bits are black ink.
  const auto ink = [](int x, int y) -> std::uint8_t { return x < 16 && y < 10; };
  const DecodedImage d = ImageIntake().from_bytes(make_tiff({{50, 20, 1, 0, 1, ink}}));
  expect_bgr8(d, 50, 20);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(5, 5), kBlack);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(5, 30), kWhite);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(15, 5), kWhite);
}

TEST(ImageIntake, MultiPageTiffYieldsTheFirstPage) {
  const Bytes tiff = make_tiff({{40, 20, 8, 1, 1, [](int, int) -> std::uint8_t { return 30; }},
                                {90, 70, 8, 1, 1, [](int, int) -> std::uint8_t { return 220; }}},
                               true);
  expect_probe(tiff, ImageFormat::Tiff, 40, 20);
  const DecodedImage d = ImageIntake().from_bytes(tiff);
  expect_bgr8(d, 40, 20);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(10, 10), cv::Vec3b(30, 30, 30));
}

TEST(ImageIntake, GreyAnd16BitImagesBecome8BitBgr) {
  cv::Mat grey(30, 40, CV_8UC1, cv::Scalar(77));
  const DecodedImage g = ImageIntake().from_bytes(encode(".png", grey));
  expect_bgr8(g, 40, 30);
  EXPECT_TRUE(near_colour(g.bgr.at<cv::Vec3b>(5, 5), cv::Vec3b(77, 77, 77), 0));

  cv::Mat deep(30, 40, CV_16UC3, cv::Scalar(65535, 32896, 0));
  for (const char* ext : {".png", ".tiff"}) {
    const DecodedImage d = ImageIntake().from_bytes(encode(ext, deep));
    expect_bgr8(d, 40, 30);
    EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(5, 5), cv::Vec3b(255, 128, 0), 1)) << ext;
  }
  cv::Mat deep_grey(30, 40, CV_16UC1, cv::Scalar(257 * 200));
  const DecodedImage dg = ImageIntake().from_bytes(encode(".png", deep_grey));
  expect_bgr8(dg, 40, 30);
  EXPECT_TRUE(near_colour(dg.bgr.at<cv::Vec3b>(5, 5), cv::Vec3b(200, 200, 200), 1));
}

TEST(ImageIntake, TransparentPixelsBecomeWhitePaper) {
  // Black text on a transparent background, as screenshots and exported logos often are: the
  // hidden colour under alpha 0 is black, which without compositing would erase the text.
  cv::Mat bgra(30, 40, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  bgra(cv::Rect(0, 0, 20, 30)).setTo(cv::Scalar(0, 0, 0, 255));
  bgra(cv::Rect(20, 0, 10, 30)).setTo(cv::Scalar(0, 0, 255, 128));  // half-transparent red
  for (const char* ext : {".png", ".webp", ".tiff"}) {
    std::vector<int> params;
    if (std::string(ext) == ".webp") params = {cv::IMWRITE_WEBP_QUALITY, 101};
    const DecodedImage d = ImageIntake().from_bytes(encode(ext, bgra, params));
    expect_bgr8(d, 40, 30);
    EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(10, 5), kBlack, 2)) << ext;
    EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(10, 25), cv::Vec3b(127, 127, 255), 3)) << ext;
    EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(10, 35), kWhite, 0)) << ext;
  }
}

TEST(ImageIntake, DecodesGifFirstFrameWithColourTable) {
  const DecodedImage d = ImageIntake().from_bytes(quadrant_gif(64, 48));
  EXPECT_EQ(d.format, ImageFormat::Gif);
  expect_bgr8(d, 64, 48);
  expect_quadrants(d.bgr, kUpright, 0);

  const DecodedImage interlaced = ImageIntake().from_bytes(quadrant_gif(64, 48, true));
  EXPECT_EQ(cv::norm(interlaced.bgr, d.bgr, cv::NORM_INF), 0);
}

// The 10x10 sample from "What's In A GIF" (Matthew Flickinger), byte for byte: a file produced by
// someone else's encoder, so the decoder is not only checked against our own test encoder.
const Bytes kFlickingerGif{0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x0A, 0x00, 0x0A, 0x00, 0x91, 0x00, 0x00, 0xFF,
                           0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04,
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0x0A, 0x00,
                           0x00, 0x02, 0x16, 0x8C, 0x2D, 0x99, 0x87, 0x2A, 0x1C, 0xDC, 0x33, 0xA0, 0x02, 0x75,
                           0xEC, 0x95, 0xFA, 0xA8, 0xDE, 0x60, 0x8C, 0x04, 0x91, 0x4C, 0x01, 0x00, 0x3B};
const char* const kFlickingerPixels[] = {"1111122222", "1111122222", "1111122222", "1110000222", "1110000222",
                                         "2220000111", "2220000111", "2222211111", "2222211111", "2222211111"};

TEST(ImageIntake, DecodesAThirdPartyGifByteForByte) {
  IntakeLimits limits;
  limits.min_side = 1;
  const DecodedImage d = ImageIntake(limits).from_bytes(kFlickingerGif);
  expect_bgr8(d, 10, 10);
  const cv::Vec3b colours[] = {kWhite, kRed, kBlue, kBlack};
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      EXPECT_EQ(d.bgr.at<cv::Vec3b>(y, x), colours[kFlickingerPixels[y][x] - '0']) << x << "," << y;
    }
  }
  // Our test encoder follows giflib's code-width schedule: it must reproduce the same LZW bytes.
  std::vector<std::uint8_t> indices;
  for (const char* row : kFlickingerPixels) {
    for (int x = 0; x < 10; ++x) indices.push_back(static_cast<std::uint8_t>(row[x] - '0'));
  }
  const Bytes lzw(kFlickingerGif.begin() + 45, kFlickingerGif.begin() + 45 + 22);
  EXPECT_EQ(lzw_encode(indices, 2), lzw);
}

TEST(ImageIntake, GifTransparencyLocalPaletteAndFrameOffset) {
  // A 20x16 frame at (30, 20) on a 64x48 screen, local palette, index 1 transparent.
  std::vector<std::uint8_t> px(20 * 16, 0);
  for (int y = 0; y < 16; ++y) {
    for (int x = 10; x < 20; ++x) px[static_cast<std::size_t>(y * 20 + x)] = 1;
  }
  GifFrame frame{30, 20, 20, 16, px, {{0, 0, 255}, {0, 255, 0}}, false, 1};
  GifFrame second{0, 0, 64, 48, std::vector<std::uint8_t>(64 * 48, 0), {}, false, -1};  // must be ignored
  const DecodedImage d = ImageIntake().from_bytes(make_gif(64, 48, kGifPalette, {frame, second}));
  expect_bgr8(d, 64, 48);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(5, 5), kWhite);    // outside the frame: paper
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(25, 35), kBlue);   // local palette index 0
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(25, 45), kWhite);  // transparent index 1
}

TEST(ImageIntake, GifFrameOverhangingTheScreenIsClipped) {
  GifFrame frame{40, 30, 40, 30, std::vector<std::uint8_t>(40 * 30, 2), {}, false, -1};
  const DecodedImage d = ImageIntake().from_bytes(make_gif(64, 48, kGifPalette, {frame}));
  expect_bgr8(d, 64, 48);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(47, 63), kBlue);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(10, 10), kWhite);
}

TEST(ImageIntake, DecodesPcxWhenTheApiAcceptsIt) {
  const cv::Mat src = quadrants(63, 40);  // odd width: scan lines are padded
  const Bytes rgb = make_pcx(63, 40, 3, [&](int x, int y, int plane) { return src.at<cv::Vec3b>(y, x)[2 - plane]; });
  const DecodedImage d = ImageIntake(all_formats()).from_bytes(rgb);
  EXPECT_EQ(d.format, ImageFormat::Pcx);
  expect_bgr8(d, 63, 40);
  EXPECT_EQ(cv::norm(d.bgr, src, cv::NORM_INF), 0);

  const std::vector<Rgb> palette{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
  const auto indices = quadrant_indices(63, 40);
  const Bytes indexed = make_pcx(
      63, 40, 1, [&](int x, int y, int) { return indices[static_cast<std::size_t>(y * 63 + x)]; }, palette);
  EXPECT_EQ(cv::norm(ImageIntake(all_formats()).from_bytes(indexed).bgr, src, cv::NORM_INF), 0);
}

TEST(ImageIntake, DecodesOneBitPcxMonochromeAndEga) {
  const auto mono = make_pcx(
      37, 20, 1, [](int x, int, int) -> std::uint8_t { return x >= 20; }, {}, 1);
  const DecodedImage m = ImageIntake(all_formats()).from_bytes(mono);
  expect_bgr8(m, 37, 20);
  EXPECT_EQ(m.bgr.at<cv::Vec3b>(10, 5), kBlack);
  EXPECT_EQ(m.bgr.at<cv::Vec3b>(10, 30), kWhite);

  // 4 planes of 1 bit: colour index = plane bits; quadrant indices 0..3 look up the header palette.
  const auto indices = quadrant_indices(40, 30);
  const auto ega = make_pcx(
      40, 30, 4,
      [&](int x, int y, int p) -> std::uint8_t { return indices[static_cast<std::size_t>(y * 40 + x)] >> p & 1; }, {},
      1, kGifPalette);
  const DecodedImage e = ImageIntake(all_formats()).from_bytes(ega);
  expect_bgr8(e, 40, 30);
  expect_quadrants(e.bgr, kUpright, 0);
}

TEST(ImageIntake, DecodesIcoLargestEntryPngAndBitmap) {
  const cv::Mat src = quadrants(48, 32);
  const Bytes ico = make_ico({{16, 16, 32, encode(".png", quadrants(16, 16))}, {48, 32, 32, encode(".png", src)}});
  const DecodedImage d = ImageIntake(all_formats()).from_bytes(ico);
  EXPECT_EQ(d.format, ImageFormat::Ico);
  expect_bgr8(d, 48, 32);
  EXPECT_EQ(cv::norm(d.bgr, src, cv::NORM_INF), 0);

  cv::Mat bgra;
  cv::cvtColor(src, bgra, cv::COLOR_BGR2BGRA);
  bgra(cv::Rect(24, 0, 24, 16)).setTo(cv::Scalar(0, 0, 0, 0));  // green quadrant made transparent
  const DecodedImage bitmap = ImageIntake(all_formats()).from_bytes(make_ico({{48, 32, 32, ico_dib32(bgra)}}));
  expect_bgr8(bitmap, 48, 32);
  expect_quadrants(bitmap.bgr, {kRed, kWhite, kBlue, kWhite}, 0);
}

TEST(ImageIntake, RendersPdfFirstPageByDefault) {
  const DecodedImage d = ImageIntake().from_bytes(make_pdf({kHalfRedPage, {100, 200, "0 0 1 rg 0 0 100 200 re f"}}));
  EXPECT_EQ(d.format, ImageFormat::Pdf);
  EXPECT_EQ(d.page_count, 2);
  EXPECT_EQ(d.bgr.type(), CV_8UC3);
  EXPECT_NEAR(d.bgr.cols, 200 * 150 / 72.0, 1.0);  // 150 dpi default
  EXPECT_NEAR(d.bgr.rows, 100 * 150 / 72.0, 1.0);
  EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(d.bgr.rows / 2, d.bgr.cols / 4), kRed, 2));
  EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(d.bgr.rows / 2, d.bgr.cols * 3 / 4), kWhite, 0));
}

TEST(ImageIntake, RendersTheRequestedPdfPageAtTheConfiguredDpi) {
  IntakeLimits limits;
  limits.pdf_render_dpi = 72;
  IntakeOptions options;
  options.pdf_page_number = 2;
  const Bytes pdf = make_pdf({kHalfRedPage, {100, 200, "0 0 1 rg 0 0 100 200 re f"}, {300, 300, ""}});
  const DecodedImage d = ImageIntake(limits).from_bytes(pdf, options);
  EXPECT_EQ(d.page_count, 3);
  expect_bgr8(d, 100, 200);
  EXPECT_TRUE(near_colour(d.bgr.at<cv::Vec3b>(100, 50), kBlue, 2));
}

TEST(ImageIntake, RotatedPdfPageSwapsSides) {
  IntakeLimits limits;
  limits.pdf_render_dpi = 72;
  PdfPage page = kHalfRedPage;
  page.rotate = 90;
  const DecodedImage d = ImageIntake(limits).from_bytes(make_pdf({page}));
  expect_bgr8(d, 100, 200);
}

TEST(ImageIntake, PdfCropBoxDefinesThePageSize) {
  IntakeLimits limits;
  limits.pdf_render_dpi = 72;
  const PdfPage page{400, 400, "0 0 1 rg 0 0 400 400 re f", 0, "/CropBox [0 0 200 100]"};
  expect_bgr8(ImageIntake(limits).from_bytes(make_pdf({page})), 200, 100);
  // The size check uses the crop box too: a huge media box cropped to a small page is fine.
  const PdfPage huge{14400, 14400, "", 0, "/CropBox [0 0 300 200]"};
  expect_bgr8(ImageIntake().from_bytes(make_pdf({huge})), 625, 417);
}

// ============================================================ PDF rendered in a child process

PdfRenderPolicy child_renderer(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return {OCRSERVE_BINARY, timeout};
}

TEST(PdfInChildProcess, RendersTheSamePixelsAsInProcess) {
  IntakeLimits limits;
  limits.pdf_render_dpi = 72;
  PdfPage rotated = kHalfRedPage;
  rotated.rotate = 90;
  const Bytes pdf = make_pdf({kHalfRedPage, {100, 200, "0 0 1 rg 0 0 100 200 re f"}, rotated});
  for (const int page : {1, 2, 3}) {
    IntakeOptions options;
    options.pdf_page_number = page;
    const DecodedImage here = ImageIntake(limits).from_bytes(pdf, options);
    const DecodedImage child = ImageIntake(limits, child_renderer()).from_bytes(pdf, options);
    EXPECT_EQ(child.format, ImageFormat::Pdf);
    EXPECT_EQ(child.page_count, 3);
    expect_bgr8(child, here.bgr.cols, here.bgr.rows);
    EXPECT_EQ(cv::norm(here.bgr, child.bgr, cv::NORM_INF), 0) << "page " << page;
  }
  // At the default 150 dpi too (a page larger than one socket buffer).
  const DecodedImage big =
      ImageIntake({}, child_renderer()).from_bytes(make_pdf({{595, 842, "1 0 0 rg 0 0 100 100 re f"}}));
  expect_bgr8(big, 1240, 1754);
  EXPECT_TRUE(near_colour(big.bgr.at<cv::Vec3b>(big.bgr.rows - 20, 20), kRed, 2));
}

TEST(PdfInChildProcess, ErrorsAreTheInProcessErrors) {
  const Bytes two = make_pdf({kHalfRedPage, kHalfRedPage});
  IntakeOptions options;
  options.pdf_page_number = 3;
  expect_error([&] { ImageIntake({}, child_renderer()).from_bytes(two, options); }, codes::kInvalidParameter,
               "pdf_page_number 3 is out of range: the document has 2 pages.");
  expect_error([] { ImageIntake({}, child_renderer()).from_bytes(make_pdf({kHalfRedPage}, true)); },
               codes::kImageNotSupported, "password-protected");
  expect_error(
      [] {
        ImageIntake({}, child_renderer()).from_bytes(make_pdf({{14400, 14400, ""}}));
      },
      codes::kImageSizeOutOfRange, "PDF page 1 rendered at 150 dpi is 30000x30000 pixels");
  expect_error([] { ImageIntake({}, child_renderer()).from_bytes(bytes_of("%PDF-1.4\nthis is not really a PDF\n")); },
               codes::kImageNotSupported, "PDF");
}

// poppler cannot be interrupted: thousands of wide dashed strokes over an A4 page keep it busy for
// minutes. The child is killed at the timeout and the caller gets its answer then.
TEST(PdfInChildProcess, APageThatRendersForMinutesIsStoppedAtTheTimeout) {
  std::string strokes = "60 w 1 J [3 2] 0 d ";
  for (int i = 0; i < 3000; ++i) strokes += "0 0 m 595 842 l 595 0 l 0 842 l S ";
  const Bytes pdf = make_pdf({{595, 842, strokes}});
  const auto t0 = std::chrono::steady_clock::now();
  expect_error([&] { ImageIntake({}, child_renderer(std::chrono::milliseconds(1500))).from_bytes(pdf); },
               codes::kImageNotSupported, "The PDF page took longer than 1.5 s to render");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(4000));
}

// A renderer that dies at once (false) or answers nonsense (cat echoes the PDF): an unreadable
// document, never a crash or a hang.
TEST(PdfInChildProcess, ARendererThatDiesOrBabblesIsAnUnreadableDocument) {
  const Bytes small = make_pdf({kHalfRedPage});
  std::string filler(100 * 1024, ' ');
  const Bytes large = make_pdf({{200, 100, "1 0 0 rg 0 0 100 100 re f" + filler}});
  for (const char* helper : {"/bin/false", "/bin/cat"}) {
    for (const Bytes* pdf : {&small, &large}) {
      expect_error(
          [&] {
            ImageIntake({}, PdfRenderPolicy{helper, std::chrono::seconds(10)}).from_bytes(*pdf);
          },
          codes::kImageNotSupported, "The PDF document could not be read");
    }
  }
}

// ============================================================ orientation

TEST(ImageIntake, JpegExifOrientation6IsRotatedClockwise) {
  const Bytes jpeg = with_jpeg_exif_orientation(encode(".jpg", quadrants(64, 48), {cv::IMWRITE_JPEG_QUALITY, 95}), 6);
  const DecodedImage d = ImageIntake().from_bytes(jpeg);
  expect_bgr8(d, 48, 64);  // a W x H source comes out H x W
  expect_quadrants(d.bgr, {kBlue, kRed, kWhite, kGreen});
}

TEST(ImageIntake, JpegEveryExifOrientation) {
  for (int n = 1; n <= 8; ++n) {
    const Bytes jpeg = with_jpeg_exif_orientation(encode(".jpg", quadrants(64, 48), {cv::IMWRITE_JPEG_QUALITY, 95}), n);
    const DecodedImage d = ImageIntake().from_bytes(jpeg);
    SCOPED_TRACE("orientation " + std::to_string(n));
    expect_bgr8(d, n >= 5 ? 48 : 64, n >= 5 ? 64 : 48);
    expect_quadrants(d.bgr, oriented_quadrants(n));
  }
}

TEST(ImageIntake, PngExifOrientationIsAppliedLikeJpeg) {
  for (int n = 1; n <= 8; ++n) {
    const DecodedImage d = ImageIntake().from_bytes(with_png_exif_orientation(encode(".png", quadrants(64, 48)), n));
    SCOPED_TRACE("orientation " + std::to_string(n));
    expect_bgr8(d, n >= 5 ? 48 : 64, n >= 5 ? 64 : 48);
    expect_quadrants(d.bgr, oriented_quadrants(n), 0);
  }
}

TEST(ImageIntake, TiffOrientationTagIsApplied) {
  const auto px = [](int x, int y) -> std::uint8_t { return (x < 20 && y < 15) ? 0 : 255; };
  const DecodedImage d = ImageIntake().from_bytes(make_grey_tiff(40, 30, 6, false, px));
  expect_bgr8(d, 30, 40);
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(5, 25), kBlack);  // the dark top-left block is now top-right
  EXPECT_EQ(d.bgr.at<cv::Vec3b>(5, 5), kWhite);
}

// ============================================================ base64 entry point

TEST(ImageIntake, FromBase64DecodesWrappedText) {
  const Bytes png = encode(".png", quadrants(64, 48));
  std::string text = encode_base64(png.data(), png.size());
  for (std::size_t i = 76; i < text.size(); i += 78) text.insert(i, "\r\n");  // MIME line breaks
  const DecodedImage d = ImageIntake().from_base64(text);
  expect_bgr8(d, 64, 48);
  expect_quadrants(d.bgr, kUpright, 0);
}

TEST(ImageIntake, Base64OverTheLimitIsRejectedBeforeDecoding) {
  IntakeLimits limits;
  limits.max_base64_bytes = 1024 * 1024;
  // Invalid characters throughout: a 0103 (not 0102) proves the size check runs first.
  const std::string text(limits.max_base64_bytes + 1, '*');
  expect_error([&] { ImageIntake(limits).from_base64(text); }, codes::kImageSizeOutOfRange, "the limit is 1 MB");
  expect_error([&] { ImageIntake().from_base64(std::string(10 * 1024 * 1024 + 4, 'A')); }, codes::kImageSizeOutOfRange,
               "the limit is 10 MB");
}

TEST(ImageIntake, Base64ErrorsAreFormatErrors) {
  expect_error([] { ImageIntake().from_base64("data:image/png;base64,iVBORw0KGgo="); }, codes::kFormatNotSupported,
               "without the prefix");
  expect_error([] { ImageIntake().from_base64("iVBO#w0KGgo="); }, codes::kFormatNotSupported, "offset 4");
  expect_error([] { ImageIntake().from_base64("iVBORw0KGgo"); }, codes::kFormatNotSupported, "multiple of 4");
  expect_error([] { ImageIntake().from_base64(""); }, codes::kFormatNotSupported, "empty");
}

// ============================================================ AIS.0102: format

TEST(ImageIntake, UnknownFormatListsTheSupportedOnes) {
  expect_error([] { ImageIntake().from_bytes(bytes_of("just some text, not an image")); }, codes::kFormatNotSupported,
               "Supported formats are JPEG, PNG, BMP, TIFF, GIF, WebP and PDF.");
  expect_error([] { ImageIntake().from_bytes(Bytes{}); }, codes::kFormatNotSupported, "The image is empty");
  const Bytes png = encode(".png", quadrants(20, 20));
  const std::string twice = encode_base64(png.data(), png.size());
  expect_error([&] { ImageIntake().from_bytes(bytes_of(twice)); }, codes::kFormatNotSupported, "encoded twice");
}

TEST(ImageIntake, KnownFormatOutsideTheApiIsRejectedByName) {
  IntakeLimits limits;
  limits.formats = {ImageFormat::Jpeg, ImageFormat::Png};
  expect_error([&] { ImageIntake(limits).from_bytes(encode(".bmp", quadrants(20, 20))); }, codes::kFormatNotSupported,
               "The image format BMP is not accepted by this API. Supported formats are JPEG and PNG.");
  expect_error([] { ImageIntake().from_bytes(make_pcx(20, 20, 3, [](int, int, int) -> std::uint8_t { return 0; })); },
               codes::kFormatNotSupported, "PCX");
  expect_error([] { ImageIntake().from_bytes(make_pdf({kHalfRedPage}).data(), 0); }, codes::kFormatNotSupported,
               "empty");
}

TEST(ImageIntake, PsdAndAnimatedWebpAreHonestlyUnsupported) {
  Bytes psd = bytes_of("8BPS");
  put_be16(psd, 1);
  psd.resize(12, 0);
  put_be16(psd, 3);
  put_be32(psd, 60);
  put_be32(psd, 80);
  expect_error([&] { ImageIntake(all_formats()).from_bytes(psd); }, codes::kFormatNotSupported,
               "PSD decoding is not supported by this server");

  Bytes anim = bytes_of("RIFF");
  put_le32(anim, 22);
  append(anim, "WEBPVP8X");
  put_le32(anim, 10);
  append(anim, Bytes{0x02, 0, 0, 0, 63, 0, 0, 47, 0, 0});
  expect_error([&] { ImageIntake().from_bytes(anim); }, codes::kFormatNotSupported, "Animated WebP");
}

// ============================================================ AIS.0103: size

TEST(ImageIntake, TooSmallSideIsRejectedWithTheActualSize) {
  expect_error([] { ImageIntake().from_bytes(encode(".png", quadrants(10, 10))); }, codes::kImageSizeOutOfRange,
               "The image is 10x10 pixels; each side must be between 15 and 30000 pixels.");
  expect_error([] { ImageIntake().from_bytes(encode(".jpg", quadrants(200, 14))); }, codes::kImageSizeOutOfRange,
               "200x14");
}

TEST(ImageIntake, TooLargeSideIsRejected) {
  IntakeLimits limits;
  limits.max_side = 100;
  expect_error([&] { ImageIntake(limits).from_bytes(encode(".png", quadrants(101, 50))); }, codes::kImageSizeOutOfRange,
               "The image is 101x50 pixels; each side must be between 15 and 100 pixels.");
}

TEST(ImageIntake, ForgedHeadersAreRejectedBeforeAnyDecode) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  // 200 million pixels, each side within the limits: only the pixel budget catches it.
  expect_error([] { ImageIntake().from_bytes(forged_png_header(20000, 10000)); }, codes::kImageSizeOutOfRange,
               "The image is 20000x10000 pixels (200000000 pixels); at most 160000000 pixels are allowed.");
  IntakeLimits wide;
  wide.max_side = 50000;
  expect_error([&] { ImageIntake(wide).from_bytes(forged_png_header(40000, 5000)); }, codes::kImageSizeOutOfRange,
               "40000x5000");
  expect_error([] { ImageIntake().from_bytes(forged_png_header(100000, 100000)); }, codes::kImageSizeOutOfRange,
               "100000x100000");
  // A GIF screen of 65535 x 65535 with no image data at all.
  const Bytes gif{'G', 'I', 'F', '8', '9', 'a', 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0x3B};
  expect_error([&] { ImageIntake().from_bytes(gif); }, codes::kImageSizeOutOfRange, "65535x65535");
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_LT(elapsed.count(), 500) << "forged headers must not trigger allocation or decoding";
}

// OpenCV decodes a TIFF into samples of its own depth: 160 megapixels of float RGBA is a 2.5 GB
// buffer, allocated before any strip is read, from a file of a few KB (found by
// fuzz/image_intake_fuzzer.cpp). Pixels deeper than 16-bit RGBA count against the pixel budget.
TEST(ImageIntake, DeepTiffSamplesCountAgainstThePixelBudget) {
  cv::Mat float_rgba, rgba16;
  cv::cvtColor(quadrants(16, 16), float_rgba, cv::COLOR_BGR2BGRA);
  float_rgba.convertTo(rgba16, CV_16U, 257);
  float_rgba.convertTo(float_rgba, CV_32F, 1.0 / 255);
  const Bytes deep = encode(".tiff", float_rgba);  // 4 x 32 bits: 16 bytes per pixel
  expect_bgr8(ImageIntake().from_bytes(deep), 16, 16);

  // Sides and pixel count within the limits, 2.5 GB of samples: refused on the header.
  const Bytes forged = patch_tiff(deep, {{256, 12649}, {257, 12649}, {278, 12649}});
  expect_error([&] { ImageIntake().from_bytes(forged); }, codes::kImageSizeOutOfRange,
               "The image is 12649x12649 pixels of 16 bytes each");

  // 8 bytes per pixel (16-bit RGBA, the deepest PNG) use the budget as it is; 16 bytes halve it.
  IntakeLimits small;
  small.max_pixels = 300;  // 16 x 16 = 256 pixels
  expect_bgr8(ImageIntake(small).from_bytes(encode(".tiff", rgba16)), 16, 16);
  expect_error([&] { ImageIntake(small).from_bytes(deep); }, codes::kImageSizeOutOfRange,
               "at this depth at most 150 pixels are allowed");
  // A BitsPerSample this reader cannot read (BYTE: libtiff takes it) counts as the deepest.
  const Bytes odd_type = patch_tiff(encode(".tiff", rgba16), {}, {{258, 1}});
  expect_error([&] { ImageIntake(small).from_bytes(odd_type); }, codes::kImageSizeOutOfRange, "32 bytes each");
}

TEST(ImageIntake, OversizedPdfPageIsRejectedBeforeRendering) {
  const auto start = std::chrono::steady_clock::now();
  expect_error(
      [] {
        ImageIntake().from_bytes(make_pdf({{14400, 14400, "0 0 0 rg 0 0 14400 14400 re f"}}));
      },
      codes::kImageSizeOutOfRange, "PDF page 1 rendered at 150 dpi is 30000x30000 pixels");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 2000);
}

// ============================================================ AIS.0104: unreadable

TEST(ImageIntake, TruncatedImagesAreCorrupt) {
  const cv::Mat src = quadrants(64, 48);
  const std::pair<const char*, Bytes> cases[] = {
      {"JPEG", encode(".jpg", src)},
      {"PNG", encode(".png", src)},
      {"BMP", encode(".bmp", src)},
      {"TIFF", encode(".tiff", src)},
      {"WebP", encode(".webp", src, {cv::IMWRITE_WEBP_QUALITY, 90})},
      {"GIF", quadrant_gif(64, 48)},
  };
  for (const auto& [name, full] : cases) {
    const Bytes half(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(full.size() / 2));
    SCOPED_TRACE(name);
    expect_error([&] { ImageIntake().from_bytes(half); }, codes::kImageNotSupported, "");
  }
  const Bytes jpeg = encode(".jpg", src);
  expect_error([&] { ImageIntake().from_bytes(jpeg.data(), jpeg.size() - 2); }, codes::kImageNotSupported,
               "end-of-image marker");
}

TEST(ImageIntake, UnreadableHeaderIsCorrupt) {
  Bytes png = encode(".png", quadrants(20, 20));
  png[12] = 'X';  // IHDR renamed
  expect_error([&] { ImageIntake().from_bytes(png); }, codes::kImageNotSupported,
               "The image data is corrupt or truncated: the PNG header could not be read.");
  expect_error([] { ImageIntake().from_bytes(Bytes{0xFF, 0xD8, 0xFF}); }, codes::kImageNotSupported, "JPEG header");
}

TEST(ImageIntake, CorruptPixelDataIsCorrupt) {
  Bytes png = encode(".png", quadrants(64, 48));
  for (std::size_t i = 41; i < png.size() - 12; ++i) png[i] ^= 0x5A;  // scramble IDAT
  expect_error([&] { ImageIntake().from_bytes(png); }, codes::kImageNotSupported, "could not be decoded");
}

TEST(ImageIntake, BrokenAndLockedPdfsAreCorrupt) {
  expect_error([] { ImageIntake().from_bytes(bytes_of("%PDF-1.4\nthis is not really a PDF\n")); },
               codes::kImageNotSupported, "PDF");
  const Bytes pdf = make_pdf({kHalfRedPage});
  expect_error([&] { ImageIntake().from_bytes(pdf.data(), pdf.size() / 3); }, codes::kImageNotSupported, "PDF");
  expect_error([] { ImageIntake().from_bytes(make_pdf({kHalfRedPage}, true)); }, codes::kImageNotSupported,
               "password-protected");
}

// ============================================================ AIS.0101: parameters

TEST(ImageIntake, PdfPageNumberOutOfRange) {
  const Bytes pdf = make_pdf({kHalfRedPage, kHalfRedPage});
  for (int page : {0, 3, -1}) {
    IntakeOptions options;
    options.pdf_page_number = page;
    expect_error([&] { ImageIntake().from_bytes(pdf, options); }, codes::kInvalidParameter,
                 "pdf_page_number " + std::to_string(page) + " is out of range: the document has 2 pages.");
  }
}

TEST(ImageIntake, PdfPageNumberIsIgnoredForImages) {
  IntakeOptions options;
  options.pdf_page_number = 5;
  expect_bgr8(ImageIntake().from_bytes(encode(".png", quadrants(20, 20)), options), 20, 20);
}

// ============================================================ hostile input

// Mutated samples of every format: the only acceptable outcomes are an image or an ocrserve::Error.
TEST(ImageIntake, MutatedInputsFailCleanly) {
  const cv::Mat src = quadrants(40, 30);
  const std::vector<Bytes> samples = {
      encode(".jpg", src),
      encode(".png", src),
      encode(".bmp", src),
      encode(".tiff", src),
      encode(".webp", src, {cv::IMWRITE_WEBP_QUALITY, 90}),
      quadrant_gif(40, 30, true),
      make_pcx(40, 30, 3, [](int x, int, int p) -> std::uint8_t { return static_cast<std::uint8_t>(x * p); }),
      make_ico({{40, 30, 32, encode(".png", src)}}),
      make_pdf({kHalfRedPage})};
  IntakeLimits limits = all_formats();
  limits.pdf_render_dpi = 36;
  const ImageIntake intake(limits);
  std::mt19937 rng(1234);
  for (const Bytes& sample : samples) {
    for (int round = 0; round < 60; ++round) {
      Bytes b = sample;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        // Mostly early bytes: that is where headers and lengths live.
        const std::size_t at = rng() % std::min<std::size_t>(b.size(), (rng() % 2) ? 64 : b.size());
        b[at] = static_cast<std::uint8_t>(rng());
      }
      if (rng() % 4 == 0) b.resize(rng() % b.size());
      try {
        const DecodedImage d = intake.from_bytes(b);
        EXPECT_EQ(d.bgr.type(), CV_8UC3);
      } catch (const Error& e) {
        EXPECT_FALSE(std::string(e.what()).empty());
      }
    }
  }
}

}  // namespace
}  // namespace ocrserve

namespace ocrserve {
namespace {

TEST(ImageIntakeRawBytes, MeasuredAsTheyWouldBeSentInBase64) {
  // 7.9 MB of raw bytes is 10.5 MB of base64: over the 10 MB contract limit.
  std::vector<std::uint8_t> bytes(7'900'000, 0);
  bytes[0] = 0x89;
  try {
    ImageIntake().from_bytes(bytes);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::kImageSizeOutOfRange);
    EXPECT_NE(std::string(e.what()).find("base64"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ocrserve
