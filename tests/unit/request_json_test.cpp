// parse_request_json must give exactly what nlohmann::json::parse gives, on any body.
#include "api/request_json.h"

#include <gtest/gtest.h>

#include <string>

namespace ocrserve::api {
namespace {

std::string base64_like(std::size_t n, char seed) {
  std::string s;
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < n; ++i) s += alphabet[(i * 7 + static_cast<std::size_t>(seed)) % alphabet.size()];
  return s + "==";
}

void expect_same_as_nlohmann(const std::string& body) {
  nlohmann::json expected;
  bool expected_throws = false;
  try {
    expected = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    expected_throws = true;
  }
  if (expected_throws) {
    EXPECT_THROW(parse_request_json(body), nlohmann::json::exception) << body.substr(0, 80);
  } else {
    EXPECT_EQ(parse_request_json(body), expected) << body.substr(0, 80);
  }
}

TEST(RequestJson, LargeImagesComeBackWhereTheyWere) {
  const std::string image = base64_like(200000, 1), other = base64_like(5000, 2);
  const std::string body = "{\"image\": \"" + image + "\", \"side\":\"front\", \"nested\": {\"list\": [1, \"" + other +
                           "\", null]}, \"return_portrait_image\": true}";
  const nlohmann::json value = parse_request_json(body);
  EXPECT_EQ(value["image"], image);
  EXPECT_EQ(value["nested"]["list"][1], other);
  expect_same_as_nlohmann(body);
}

TEST(RequestJson, AgreesWithNlohmannOnOddBodies) {
  const std::string image = base64_like(10000, 3);
  for (const std::string& body : {
           "{\"image\":\"" + image + "\"}",
           "\"" + image + "\"",                        // a bare string
           "{\"" + image + "\": \"key, not value\"}",  // a long key stays
           "{\"" + image + "\"  :  1}",
           "{\"image\":\"" + image + "\\n" + image + "\"}",  // an escape: parsed as usual
           "{\"image\":\"" + image + "\\u00e9\"}",
           "{\"image\":\"" + image + "é\"}",                                      // non-ASCII: parsed as usual
           "{\"image\":\"" + image + "\", \"x\": \"\\u0000ocrserve-lifted-0\"}",  // the stand-in itself
           "{\"a\": \"\\u0000ocrserve-lifted-0\", \"image\":\"" + image + "\"}",
           "{\"image\":\"" + image + "\"",    // unterminated object
           "{\"image\":\"" + image,           // unterminated string
           "{\"image\":\"" + image + "\",}",  // trailing comma
           "{\"image\":" + image + "}",       // unquoted
           "[\"" + image + "\", \"" + image + "\"]",
           "{\"a\":\"" + image + "\", \"a\":\"short\"}",  // duplicate key: last wins
           std::string("{\"image\":\"abc\"}"),
           std::string(""),
       }) {
    expect_same_as_nlohmann(body);
  }
}

TEST(RequestJson, AControlCharacterInsideAStringIsStillRefused) {
  std::string image = base64_like(10000, 4);
  image[5000] = '\n';  // raw newline: invalid JSON
  EXPECT_THROW(parse_request_json("{\"image\":\"" + image + "\"}"), nlohmann::json::exception);
}

}  // namespace
}  // namespace ocrserve::api
