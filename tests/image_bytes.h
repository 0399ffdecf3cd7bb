#pragma once
// Hand-built image files for tests and fuzz seeds: byte writers, PNG chunks, EXIF orientation,
// GIF LZW, ICO containers and TIFF header patches, shared by tests/unit/image_intake_test.cpp,
// tests/integration/hostile_client_test.cpp and fuzz/make_image_seeds.cpp.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace ocrserve::test {

using Bytes = std::vector<std::uint8_t>;

// ------------------------------------------------------------------ byte writers

inline void append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}
inline void append(Bytes& b, std::string_view s) {
  b.insert(b.end(), s.begin(), s.end());
}
inline void put_le16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
inline void put_le32(Bytes& b, std::uint32_t v) {
  for (int s = 0; s < 32; s += 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}
inline void put_be16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put_be32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// ------------------------------------------------------------------ PNG

// The CRC-32 of PNG chunks (the same as zlib's crc32).
inline std::uint32_t png_crc32(const std::uint8_t* data, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= data[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return c ^ 0xFFFFFFFFu;
}

// Length, type, payload and CRC.
inline Bytes png_chunk(std::string_view type, const Bytes& payload) {
  Bytes chunk;
  chunk.reserve(12 + payload.size());  // also spares GCC 12 -O3 a false -Wstringop-overflow
  put_be32(chunk, static_cast<std::uint32_t>(payload.size()));
  append(chunk, type);
  append(chunk, payload);
  put_be32(chunk, png_crc32(chunk.data() + 4, chunk.size() - 4));
  return chunk;
}

// ------------------------------------------------------------------ EXIF orientation

// Little-endian TIFF structure with one IFD entry: Orientation (0x0112) = `orientation`.
inline Bytes exif_orientation_tiff(int orientation) {
  return Bytes{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, static_cast<std::uint8_t>(orientation),
               0,   0,   0,  0, 0, 0, 0};
}

// Inserts an eXIf chunk right after IHDR.
inline Bytes with_png_exif_orientation(Bytes png, int orientation) {
  const Bytes chunk = png_chunk("eXIf", exif_orientation_tiff(orientation));
  png.insert(png.begin() + 33, chunk.begin(), chunk.end());
  return png;
}

// A JPEG APP1 "Exif" segment (marker included) holding the orientation.
inline Bytes jpeg_exif_segment(int orientation) {
  Bytes payload;
  append(payload, std::string_view("Exif\0\0", 6));
  append(payload, exif_orientation_tiff(orientation));
  Bytes segment{0xFF, 0xE1};
  put_be16(segment, static_cast<unsigned>(payload.size() + 2));
  append(segment, payload);
  return segment;
}

// ------------------------------------------------------------------ GIF LZW

class BitWriter {
 public:
  void write(unsigned code, int bits) {
    acc_ |= static_cast<std::uint64_t>(code) << n_;
    n_ += bits;
    while (n_ >= 8) {
      out_.push_back(static_cast<std::uint8_t>(acc_));
      acc_ >>= 8;
      n_ -= 8;
    }
  }
  Bytes finish() {
    if (n_ > 0) out_.push_back(static_cast<std::uint8_t>(acc_));
    return out_;
  }

 private:
  Bytes out_;
  std::uint64_t acc_ = 0;
  int n_ = 0;
};

// GIF LZW with the same code-width schedule as giflib's encoder (a clear code when the table is full).
inline Bytes lzw_encode(const Bytes& pixels, int min_code_size) {
  const int clear = 1 << min_code_size, eoi = clear + 1;
  int bits = min_code_size + 1, next = eoi + 1, max_code = 1 << bits;
  std::map<std::pair<int, int>, int> table;
  BitWriter w;
  auto output = [&](int code) {
    w.write(static_cast<unsigned>(code), bits);
    if (next >= max_code && code <= 4095) max_code = 1 << ++bits;
  };
  output(clear);
  int current = pixels.at(0);
  for (std::size_t i = 1; i < pixels.size(); ++i) {
    const int k = pixels[i];
    const auto found = table.find({current, k});
    if (found != table.end()) {
      current = found->second;
      continue;
    }
    output(current);
    if (next >= 4095) {
      output(clear);
      next = eoi + 1;
      bits = min_code_size + 1;
      max_code = 1 << bits;
      table.clear();
    } else {
      table[{current, k}] = next++;
    }
    current = k;
  }
  output(current);
  output(eoi);
  return w.finish();
}

// ------------------------------------------------------------------ ICO

struct IcoEntry {
  int width, height, bpp;
  Bytes payload;  // a PNG or a headerless bitmap
};

inline Bytes make_ico(const std::vector<IcoEntry>& entries) {
  Bytes b{0, 0, 1, 0};
  put_le16(b, static_cast<unsigned>(entries.size()));
  std::uint32_t offset = static_cast<std::uint32_t>(6 + 16 * entries.size());
  for (const IcoEntry& e : entries) {
    append(b, Bytes{static_cast<std::uint8_t>(e.width & 0xFF), static_cast<std::uint8_t>(e.height & 0xFF), 0, 0});
    put_le16(b, 1);
    put_le16(b, static_cast<unsigned>(e.bpp));
    put_le32(b, static_cast<std::uint32_t>(e.payload.size()));
    put_le32(b, offset);
    offset += static_cast<std::uint32_t>(e.payload.size());
  }
  for (const IcoEntry& e : entries) append(b, e.payload);
  return b;
}

// ------------------------------------------------------------------ TIFF

// Rewrites entries of the first IFD of a little-endian classic TIFF (as OpenCV writes them):
// `values` replaces an inline SHORT or LONG value, `types` changes an entry's field type.
inline Bytes patch_tiff(Bytes tiff, const std::map<std::uint16_t, std::uint32_t>& values,
                        const std::map<std::uint16_t, std::uint16_t>& types = {}) {
  const auto u16 = [&](std::size_t at) { return static_cast<unsigned>(tiff.at(at) | tiff.at(at + 1) << 8); };
  const std::size_t ifd = u16(4) | static_cast<std::size_t>(u16(6)) << 16;
  for (unsigned i = 0; i < u16(ifd); ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    const unsigned tag = u16(entry);
    if (const auto v = values.find(static_cast<std::uint16_t>(tag)); v != values.end()) {
      const int bytes = u16(entry + 2) == 3 ? 2 : 4;
      for (int k = 0; k < bytes; ++k) tiff.at(entry + 8 + k) = static_cast<std::uint8_t>(v->second >> (8 * k));
    }
    if (const auto t = types.find(static_cast<std::uint16_t>(tag)); t != types.end()) {
      tiff.at(entry + 2) = static_cast<std::uint8_t>(t->second);
      tiff.at(entry + 3) = static_cast<std::uint8_t>(t->second >> 8);
    }
  }
  return tiff;
}

}  // namespace ocrserve::test
