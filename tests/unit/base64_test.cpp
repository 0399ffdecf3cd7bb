// Strict base64: RFC 4648 vectors, tolerated whitespace, and every rejection with its message.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ocrserve/image_intake.h"

namespace ocrserve {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

// Decoding must fail with AIS.0102 and a message containing `expected`.
void expect_rejected(std::string_view text, const std::string& expected) {
  try {
    decode_base64_strict(text);
    ADD_FAILURE() << "accepted: \"" << text << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), codes::kFormatNotSupported) << text;
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << "message: " << e.what();
  }
}

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},       {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    const auto raw = bytes(plain);
    EXPECT_EQ(encode_base64(raw.data(), raw.size()), encoded);
    EXPECT_EQ(decode_base64_strict(encoded), raw) << encoded;
  }
  EXPECT_EQ(encode_base64(nullptr, 0), "");
}

TEST(Base64, RoundTripsEveryLengthAndByteValue) {
  std::mt19937 rng(42);
  for (std::size_t n = 1; n < 300; ++n) {
    std::vector<std::uint8_t> data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    const std::string text = encode_base64(data.data(), data.size());
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(decode_base64_strict(text), data) << "length " << n;
  }
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(decode_base64_strict(encode_base64(all.data(), all.size())), all);
}

TEST(Base64, IgnoresAsciiWhitespaceAndLineBreaks) {
  EXPECT_EQ(decode_base64_strict("Zm9v\r\nYmFy"), bytes("foobar"));
  EXPECT_EQ(decode_base64_strict("  Zm9v YmFy\t\n"), bytes("foobar"));
  EXPECT_EQ(decode_base64_strict("Zm9vYg=\n="), bytes("foob"));  // padding split by a line break
}

TEST(Base64, RejectsDataUriPrefixAndSaysToSendBareBase64) {
  expect_rejected("data:image/png;base64,iVBORw0KGgo=", "without the prefix");
  expect_rejected("  DATA:image/jpeg;base64,/9j/", "data URI prefix");
}

TEST(Base64, RejectsEmptyInput) {
  expect_rejected("", "empty");
  expect_rejected(" \r\n\t ", "empty");
}

TEST(Base64, RejectsInvalidCharacterWithItsOffset) {
  expect_rejected("Zm9v*mFy", "invalid character '*' at offset 4");
  expect_rejected(
      "Zm9v\nY\x01"
      "Fy",
      "byte 0x01 at offset 6");
  expect_rejected("Zm9v\xC3\xA9mFy", "byte 0xC3 at offset 4");  // UTF-8 is not base64
  expect_rejected("Zm9v.mFy", "standard alphabet");
}

TEST(Base64, RejectsUrlSafeAlphabetExplicitly) {
  expect_rejected("Zm9-YmFy", "URL-safe");
  expect_rejected("Zm9_YmFy", "URL-safe");
}

TEST(Base64, RejectsLengthNotMultipleOfFour) {
  expect_rejected("Zm9vYg", "not a multiple of 4");  // padding stripped
  expect_rejected("Zm9vYg=", "not a multiple of 4");
  expect_rejected("Z", "length without whitespace (1) is not a multiple of 4");
}

TEST(Base64, RejectsMisplacedPadding) {
  expect_rejected("Zg==Zm8=", "may only appear at the end");
  expect_rejected("=Zg=", "padding '=' at offset 0");
  expect_rejected("Zg=a", "may only appear at the end");
  expect_rejected("Z===", "too much '=' padding");
  expect_rejected("====", "too much '=' padding");
}

TEST(Base64, MessagesNeverEchoTheInput) {
  const std::string secret = "U2VjcmV0SW1hZ2VEYXRh*";
  try {
    decode_base64_strict(secret);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("U2VjcmV0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ocrserve
