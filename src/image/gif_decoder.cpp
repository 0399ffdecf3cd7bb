// GIF via giflib (OpenCV 4.6 has no GIF reader). Only the first frame is decoded, record by record:
// DGifSlurp would decode every frame of an animation, which a hostile file can make enormous.
#include <algorithm>
#include <cstring>
#include <memory>

#include <gif_lib.h>

#include "image/intake_internal.h"

namespace ocrserve::detail {
namespace {

struct MemoryReader {
  ByteView bytes;
  std::size_t pos = 0;
};

int read_from_memory(GifFileType* gif, GifByteType* out, int wanted) {
  auto* reader = static_cast<MemoryReader*>(gif->UserData);
  if (wanted <= 0) return 0;
  const std::size_t take = std::min(static_cast<std::size_t>(wanted), reader->bytes.size() - reader->pos);
  if (take > 0) std::memcpy(out, reader->bytes.data() + reader->pos, take);
  reader->pos += take;
  return static_cast<int>(take);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int error = 0;
    DGifCloseFile(gif, &error);
  }
};
using GifPtr = std::unique_ptr<GifFileType, GifCloser>;

[[noreturn]] void gif_error(const char* what) {
  throw_corrupt(std::string("the GIF ") + what + ".");
}

// Consumes one extension; returns the transparent colour index if it is a graphics control block.
std::optional<int> read_extension(GifFileType* gif) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) gif_error("extension block is truncated");
  std::optional<int> transparent;
  if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr) {
    GraphicsControlBlock gcb{};
    if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_OK && gcb.TransparentColor != NO_TRANSPARENT_COLOR) {
      transparent = gcb.TransparentColor;
    }
  }
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) gif_error("extension block is truncated");
  }
  return transparent;
}

// Rows of an interlaced frame arrive in four passes: every 8th from 0, every 8th from 4, every 4th
// from 2, every 2nd from 1.
std::vector<int> row_order(int height, bool interlaced) {
  std::vector<int> rows;
  rows.reserve(static_cast<std::size_t>(height));
  if (!interlaced) {
    for (int y = 0; y < height; ++y) rows.push_back(y);
    return rows;
  }
  constexpr int kStart[] = {0, 4, 2, 1};
  constexpr int kStep[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    for (int y = kStart[pass]; y < height; y += kStep[pass]) rows.push_back(y);
  }
  return rows;
}

// Draws the current image descriptor's pixels onto a white canvas of the logical screen size.
cv::Mat read_first_frame(GifFileType* gif, std::optional<int> transparent, const IntakeLimits& limits) {
  if (DGifGetImageDesc(gif) == GIF_ERROR) gif_error("image descriptor is truncated");
  const GifImageDesc& desc = gif->Image;
  const ColorMapObject* colors = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
  if (colors == nullptr || colors->Colors == nullptr) gif_error("has no colour table");
  if (desc.Width < 0 || desc.Height < 0 || std::int64_t{desc.Width} * desc.Height > limits.max_pixels) {
    gif_error("frame is larger than the allowed image size");
  }
  cv::Mat canvas(gif->SHeight, gif->SWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  std::vector<GifPixelType> line(static_cast<std::size_t>(std::max(desc.Width, 1)));
  for (const int row : row_order(desc.Height, desc.Interlace)) {
    if (DGifGetLine(gif, line.data(), desc.Width) == GIF_ERROR) gif_error("image data is truncated or corrupt");
    const int y = desc.Top + row;
    if (y < 0 || y >= canvas.rows) continue;  // frames may overhang the screen: clip
    auto* out = canvas.ptr<cv::Vec3b>(y);
    for (int col = 0; col < desc.Width; ++col) {
      const int x = desc.Left + col;
      const int index = line[static_cast<std::size_t>(col)];
      if (x < 0 || x >= canvas.cols || (transparent && index == *transparent)) continue;
      if (index >= colors->ColorCount) continue;  // index outside the table: leave the paper white
      const GifColorType c = colors->Colors[index];
      out[x] = cv::Vec3b(c.Blue, c.Green, c.Red);
    }
  }
  return canvas;
}

}  // namespace

cv::Mat decode_gif(ByteView bytes, const IntakeLimits& limits) {
  MemoryReader reader{bytes, 0};
  int error = 0;
  GifPtr gif(DGifOpen(&reader, read_from_memory, &error));
  if (!gif) gif_error("header is corrupt");
  if (gif->SWidth <= 0 || gif->SHeight <= 0) gif_error("logical screen is empty");

  std::optional<int> transparent;  // from the graphics control block preceding the frame
  while (true) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &type) == GIF_ERROR) gif_error("data is truncated before the first frame");
    switch (type) {
      case EXTENSION_RECORD_TYPE:
        if (auto t = read_extension(gif.get())) transparent = t;
        break;
      case IMAGE_DESC_RECORD_TYPE:
        return read_first_frame(gif.get(), transparent, limits);
      case TERMINATE_RECORD_TYPE:
        gif_error("contains no image");
      default:
        gif_error("contains an unknown record");
    }
  }
}

}  // namespace ocrserve::detail
