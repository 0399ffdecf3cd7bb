// Strict RFC 4648 base64: the standard alphabet only, '=' padding only at the end, ASCII whitespace
// (line breaks from MIME-style encoders) ignored. Anything else is rejected with a message that
// tells the caller what to fix, because a lenient decoder turns client bugs into garbage images.
#include <array>
#include <cstdio>
#include <string>

#include "ocrserve/image_intake.h"

namespace ocrserve {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::int8_t kInvalid = -1;
constexpr std::int8_t kPad = -2;
constexpr std::int8_t kSpace = -3;

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> t{};
  t.fill(kInvalid);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  t['='] = kPad;
  for (char c : {' ', '\t', '\r', '\n'}) t[static_cast<unsigned char>(c)] = kSpace;
  return t;
}
constexpr std::array<std::int8_t, 256> kTable = make_table();

[[noreturn]] void fail(const std::string& detail) {
  throw Error(codes::kFormatNotSupported, "The image is not valid base64: " + detail);
}

// A printable character is quoted; anything else is shown as a hex code (never raw bytes).
std::string describe_char(unsigned char c) {
  char buf[32];
  if (c >= 0x20 && c < 0x7f) {
    std::snprintf(buf, sizeof buf, "'%c'", c);
  } else {
    std::snprintf(buf, sizeof buf, "byte 0x%02X", c);
  }
  return buf;
}

bool has_data_uri_prefix(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && kTable[static_cast<unsigned char>(text[i])] == kSpace) ++i;
  constexpr std::string_view kPrefix = "data:";
  if (text.size() - i < kPrefix.size()) return false;
  for (std::size_t k = 0; k < kPrefix.size(); ++k) {
    const char c = text[i + k];
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kPrefix[k]) return false;
  }
  return true;
}

[[noreturn]] void fail_invalid_char(unsigned char c, std::size_t offset) {
  std::string msg = "invalid character " + describe_char(c) + " at offset " + std::to_string(offset) + ".";
  if (c == '-' || c == '_') {
    msg +=
        " This looks like the URL-safe alphabet ('-' and '_'); only the standard alphabet (A-Z a-z 0-9 + /) "
        "is accepted.";
  } else {
    msg += " Only the standard alphabet (A-Z a-z 0-9 + /), '=' padding and whitespace are allowed.";
  }
  fail(msg);
}

// Pass 1: validates every character and the padding layout; returns the count of non-space characters.
std::size_t validate(std::string_view text) {
  std::size_t count = 0;
  std::size_t first_pad = std::string_view::npos;  // index among non-space characters
  std::size_t first_pad_offset = 0;                // its offset in `text`, for the message
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::int8_t v = kTable[c];
    if (v == kSpace) continue;
    if (v == kInvalid) fail_invalid_char(c, i);
    if (v == kPad) {
      if (first_pad == std::string_view::npos) {
        first_pad = count;
        first_pad_offset = i;
      }
    } else if (first_pad != std::string_view::npos) {
      fail("padding '=' at offset " + std::to_string(first_pad_offset) +
           " is followed by more data; '=' may only appear at the end.");
    }
    ++count;
  }
  if (count == 0) fail("the image field is empty.");
  if (count % 4 != 0) {
    fail("its length without whitespace (" + std::to_string(count) +
         ") is not a multiple of 4; "
         "the data is truncated or its '=' padding is missing.");
  }
  if (first_pad != std::string_view::npos && count - first_pad > 2) {
    fail("too much '=' padding at the end (at most two '=' are allowed).");
  }
  return count;
}

}  // namespace

std::vector<std::uint8_t> decode_base64_strict(std::string_view text) {
  if (has_data_uri_prefix(text)) {
    fail("it starts with a data URI prefix (\"data:...;base64,\"). Send the bare base64 text without the prefix.");
  }
  const std::size_t count = validate(text);
  std::vector<std::uint8_t> out;
  out.reserve(count / 4 * 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char ch : text) {
    const std::int8_t v = kTable[static_cast<unsigned char>(ch)];
    if (v < 0) continue;  // whitespace and padding were validated above
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

std::string encode_base64(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16 | std::uint32_t{data[i + 1]} << 8 | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[v >> shift & 63]);
  }
  const std::size_t rest = size - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    if (rest == 2) v |= std::uint32_t{data[i + 1]} << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(rest == 2 ? kAlphabet[v >> 6 & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace ocrserve
