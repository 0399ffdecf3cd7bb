// Request signatures (Huawei SDK-HMAC-SHA256, Tencent TC3-HMAC-SHA256, Aliyun ACS3-HMAC-SHA256)
// against requests captured from the official SDKs (tests/fixtures/compat): every vector verifies,
// the canonical strings equal the ones recomputed from the SDK, and each kind of tampering fails
// with the right reason. Plus the crypto helpers, the parsers under hostile input, the replay cache.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/crypto.h"
#include "api/signature.h"
#include "ocrserve/image_intake.h"

namespace ocrserve::api {
namespace {

using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;
using F = SignatureFailure;

// ---------------------------------------------------------------------------------------------
// Vectors

struct Vector {
  std::string name;    // file name without .json
  std::string vendor;  // huawei | tencent | aliyun
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Credential credential;
  time_point time;  // the vector's own timestamp, from its date header
  seconds window{0};
  std::string canonical_request, string_to_sign, signature;

  // The request as the HTTP layer would hand it over; the body views this vector's bytes.
  SignedRequest request() const { return SignedRequest{method, path, query, headers, body}; }
};

std::string decode_body(const std::string& base64) {
  if (base64.empty()) return {};  // decode_base64_strict rejects empty input
  const auto bytes = decode_base64_strict(base64);
  return {bytes.begin(), bytes.end()};
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string first_header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (iequal(n, name)) return v;
  return {};
}

// Line `index` (0-based) of a canonical request.
std::string split_line(const std::string& text, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) start = text.find('\n', start) + 1;
  return text.substr(start, text.find('\n', start) - start);
}

Vector load_vector(const std::filesystem::path& file) {
  std::ifstream in(file);
  const auto j = nlohmann::json::parse(in);
  Vector v;
  v.name = file.stem().string();
  v.vendor = j.at("vendor").get<std::string>();
  const auto& r = j.at("request");
  v.method = r.at("method").get<std::string>();
  v.path = r.at("path").get<std::string>();
  v.query = r.at("query").is_null() ? "" : r.at("query").get<std::string>();
  for (const auto& h : r.at("raw_headers"))
    v.headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
  const auto& body = r.at("body");
  v.body = decode_body(body.at("base64").is_null() ? "" : body.at("base64").get<std::string>());
  EXPECT_EQ(v.body.size(), body.at("length").get<std::size_t>()) << v.name;
  const auto& c = j.at("credentials");
  const auto& derived = j.at("signature").at("derived");
  v.canonical_request = derived.at("canonical_request").get<std::string>();
  v.string_to_sign = derived.at("string_to_sign").get<std::string>();
  v.signature = derived.at("signature").get<std::string>();
  std::optional<std::chrono::sys_seconds> t;
  if (v.vendor == "huawei") {
    v.credential = {"huawei", c.at("ak").get<std::string>(), c.at("sk").get<std::string>()};
    t = parse_huawei_date(first_header(v.headers, "x-sdk-date"));
    v.window = std::chrono::minutes(15);
  } else if (v.vendor == "tencent") {
    v.credential = {"tencent", c.at("secretId").get<std::string>(), c.at("secretKey").get<std::string>()};
    t = parse_tencent_timestamp(first_header(v.headers, "x-tc-timestamp"));
    v.window = std::chrono::minutes(5);
  } else {
    v.credential = {"aliyun", c.at("accessKeyId").get<std::string>(), c.at("accessKeySecret").get<std::string>()};
    t = parse_aliyun_date(first_header(v.headers, "x-acs-date"));
    v.window = std::chrono::minutes(15);
  }
  EXPECT_TRUE(t.has_value()) << v.name;
  v.time = t.value_or(std::chrono::sys_seconds{});
  return v;
}

// Top-level *.json only (errors/ holds response shapes, not requests), sorted by name.
const std::vector<Vector>& vectors() {
  static const std::vector<Vector> all = [] {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(OCRSERVE_COMPAT_VECTORS))
      if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::vector<Vector> out;
    for (const auto& f : files) out.push_back(load_vector(f));
    return out;
  }();
  return all;
}

const Vector& vector_named(const std::string& name) {
  for (const auto& v : vectors())
    if (v.name == name) return v;
  throw std::runtime_error("no vector " + name);
}

std::vector<std::string> vector_names() {
  std::vector<std::string> names;
  for (const auto& v : vectors()) names.push_back(v.name);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Verifying

CredentialLookup lookup_of(std::vector<Credential> credentials) {
  return [credentials = std::move(credentials)](std::string_view vendor, std::string_view id) -> const Credential* {
    for (const auto& c : credentials)
      if (c.vendor == vendor && c.id == id) return &c;
    return nullptr;
  };
}

VerifyResult verify_with(const Vector& v, const SignedRequest& r, time_point now, const CredentialLookup& lookup,
                         NonceCache* cache = nullptr) {
  if (v.vendor == "huawei") return verify_huawei(r, lookup, now, v.window);
  if (v.vendor == "tencent") return verify_tencent(r, lookup, now, v.window);
  NonceCache fresh;
  return verify_aliyun(r, lookup, cache ? *cache : fresh, now, v.window);
}

VerifyResult verify(const Vector& v, const SignedRequest& r, time_point now, NonceCache* cache = nullptr) {
  return verify_with(v, r, now, lookup_of({v.credential}), cache);
}

std::vector<std::string> signed_headers_of(const Vector& v) {
  const auto auth = first_header(v.headers, "authorization");
  if (v.vendor == "huawei") return parse_huawei_authorization(auth).value().signed_headers;
  if (v.vendor == "tencent") return parse_tencent_authorization(auth).value().signed_headers;
  return parse_aliyun_authorization(auth).value().signed_headers;
}

std::string& header_ref(SignedRequest& r, std::string_view name) {
  for (auto& [n, v] : r.headers)
    if (iequal(n, name)) return v;
  throw std::runtime_error("no header " + std::string(name));
}

void set_authorization(SignedRequest& r, std::string value) {
  header_ref(r, "authorization") = std::move(value);
}

// One second later, still a valid date: bumps (or lowers, for 9) the last digit.
std::string bump_last_digit(std::string text) {
  for (auto it = text.rbegin(); it != text.rend(); ++it) {
    if (*it >= '0' && *it <= '9') {
      *it = *it == '9' ? '8' : static_cast<char>(*it + 1);
      break;
    }
  }
  return text;
}

std::string sanitize(std::string name) {
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class SignatureVectorTest : public ::testing::TestWithParam<std::string> {
 protected:
  const Vector& v() const { return vector_named(GetParam()); }
  void expect_failure(const SignedRequest& r, F expected, const std::string& what, time_point now) const {
    const auto result = verify(v(), r, now);
    EXPECT_EQ(to_string(result.failure), to_string(expected)) << what << ": " << result.message;
    if (expected != F::None) {
      EXPECT_FALSE(result.message.empty()) << what;
    }
  }
  void expect_failure(const SignedRequest& r, F expected, const std::string& what) const {
    expect_failure(r, expected, what, v().time);
  }
};

TEST(SignatureVectors, AllFourteenCapturedRequestsLoad) {
  ASSERT_EQ(vectors().size(), 14u);
  int per_vendor[3] = {};
  for (const auto& v : vectors()) ++per_vendor[v.vendor == "huawei" ? 0 : v.vendor == "tencent" ? 1 : 2];
  EXPECT_EQ(per_vendor[0], 4);
  EXPECT_EQ(per_vendor[1], 5);
  EXPECT_EQ(per_vendor[2], 5);
}

TEST_P(SignatureVectorTest, Verifies) {
  const auto result = verify(v(), v().request(), v().time);
  EXPECT_TRUE(result.ok()) << to_string(result.failure) << ": " << result.message;
  EXPECT_EQ(result.key_id, v().credential.id);
  EXPECT_TRUE(result.message.empty());
}

TEST_P(SignatureVectorTest, CanonicalRequestAndStringToSignMatchTheSdk) {
  const auto r = v().request();
  const auto names = signed_headers_of(v());
  std::string error;
  std::optional<std::string> canonical;
  std::string string_to_sign, signature;
  if (v().vendor == "huawei") {
    canonical = huawei_canonical_request(r, names, &error);
    ASSERT_TRUE(canonical) << error;
    string_to_sign = huawei_string_to_sign(first_header(v().headers, "x-sdk-date"), *canonical);
    signature = hex(hmac_sha256(v().credential.secret, string_to_sign));
  } else if (v().vendor == "tencent") {
    canonical = tencent_canonical_request(r, names, &error);
    ASSERT_TRUE(canonical) << error;
    const auto auth = parse_tencent_authorization(first_header(v().headers, "authorization")).value();
    string_to_sign =
        tencent_string_to_sign(first_header(v().headers, "x-tc-timestamp"), auth.date, auth.service, *canonical);
    signature = tencent_signature(v().credential.secret, auth.date, auth.service, string_to_sign);
  } else {
    canonical = aliyun_canonical_request(r, names, &error);
    ASSERT_TRUE(canonical) << error;
    string_to_sign = aliyun_string_to_sign(*canonical);
    signature = hex(hmac_sha256(v().credential.secret, string_to_sign));
  }
  EXPECT_EQ(*canonical, v().canonical_request);
  EXPECT_EQ(string_to_sign, v().string_to_sign);
  EXPECT_EQ(signature, v().signature);
}

TEST_P(SignatureVectorTest, OneChangedBodyByteFails) {
  std::string body = v().body.empty() ? std::string("x") : v().body;
  body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x01);
  auto r = v().request();
  r.body = body;
  // Aliyun checks the declared payload hash first; the others sign the body hash directly.
  expect_failure(r, v().vendor == "aliyun" ? F::PayloadHashMismatch : F::BadSignature, "body byte");
}

TEST_P(SignatureVectorTest, ChangedPathFails) {
  auto r = v().request();
  if (v().vendor == "huawei") {
    // Another API on the same project.
    const auto api = r.path.rfind('/');
    r.path = r.path.substr(0, api) + (r.path.substr(api) == "/passport" ? "/general-text" : "/passport");
    expect_failure(r, F::BadSignature, "api name");
    // Another project, consistently in the path and X-Project-Id.
    r = v().request();
    const std::string pid = huawei_project_id_from_path(r.path), other(pid.size(), 'f');
    r.path.replace(r.path.find(pid), pid.size(), other);
    header_ref(r, "x-project-id") = other;
    expect_failure(r, F::BadSignature, "project id");
  } else {
    r.path = "/v2";
    expect_failure(r, F::BadSignature, "path");
  }
}

TEST_P(SignatureVectorTest, ChangedQueryFails) {
  auto r = v().request();
  r.raw_query = r.raw_query.empty() ? "Action=Other" : r.raw_query + "&Extra=1";
  expect_failure(r, F::BadSignature, "query added");
  if (v().name == "aliyun-RecognizeExitEntryPermitToHK-url-query") {
    r = v().request();
    r.raw_query.replace(r.raw_query.find("OutputFigure=true"), 17, "OutputFigure=fals");
    expect_failure(r, F::BadSignature, "query value");
    r = v().request();
    r.raw_query.replace(r.raw_query.find("(1)"), 3, "(2)");
    expect_failure(r, F::BadSignature, "url in query");
  }
}

TEST_P(SignatureVectorTest, EachChangedSignedHeaderFails) {
  const auto names = signed_headers_of(v());
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    auto r = v().request();
    auto& value = header_ref(r, name);
    F expected = F::BadSignature;
    if (name == "x-sdk-date" || name == "x-acs-date") {
      value = bump_last_digit(value);  // one second later: still fresh, no longer signed
    } else {
      value = "x" + value;  // a prefix, so even the port-less Tencent host changes
      if (name == "x-acs-content-sha256") expected = F::PayloadHashMismatch;
      if (name == "x-project-id") expected = F::Malformed;  // contradicts the (signed) path first
    }
    expect_failure(r, expected, "signed header " + name);
  }
}

TEST_P(SignatureVectorTest, UnsignedHeadersMayChange) {
  auto r = v().request();
  header_ref(r, "user-agent") = "something else";
  header_ref(r, "accept") = "text/plain";
  expect_failure(r, F::None, "unsigned headers");
}

TEST_P(SignatureVectorTest, HeaderNamesAreCaseInsensitive) {
  auto upper = v().request();
  for (auto& [name, value] : upper.headers)
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  expect_failure(upper, F::None, "upper-case names");
  auto lower = v().request();
  for (auto& [name, value] : lower.headers)
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  expect_failure(lower, F::None, "lower-case names");
}

TEST_P(SignatureVectorTest, WrongSecretFails) {
  Credential wrong = v().credential;
  wrong.secret += "x";
  const auto result = verify_with(v(), v().request(), v().time, lookup_of({wrong}));
  EXPECT_EQ(result.failure, F::BadSignature) << result.message;
  EXPECT_EQ(result.key_id, v().credential.id);
  EXPECT_EQ(result.message.find(v().credential.secret), std::string::npos);
  EXPECT_EQ(result.message.find(v().signature), std::string::npos);
}

TEST_P(SignatureVectorTest, UnknownKeyIdFails) {
  Credential other = v().credential;
  other.id = "SOMEONEELSE";
  auto result = verify_with(v(), v().request(), v().time, lookup_of({other}));
  EXPECT_EQ(result.failure, F::UnknownKey) << result.message;
  EXPECT_EQ(result.key_id, v().credential.id);
  // A lookup that ignores the vendor must not hand another vendor's key over.
  Credential foreign = v().credential;
  foreign.vendor = v().vendor == "huawei" ? "aliyun" : "huawei";
  result = verify_with(v(), v().request(), v().time,
                       [&](std::string_view, std::string_view) -> const Credential* { return &foreign; });
  EXPECT_EQ(result.failure, F::UnknownKey) << result.message;
  result = verify_with(v(), v().request(), v().time, CredentialLookup{});
  EXPECT_EQ(result.failure, F::UnknownKey) << result.message;
}

TEST_P(SignatureVectorTest, OutsideTheWindowIsExpired) {
  const auto w = v().window;
  expect_failure(v().request(), F::Expired, "now + window + 1s", v().time + w + seconds(1));
  expect_failure(v().request(), F::Expired, "now - window - 1s", v().time - w - seconds(1));
  expect_failure(v().request(), F::Expired, "now + window + 1ms", v().time + w + std::chrono::milliseconds(1));
  expect_failure(v().request(), F::Expired, "ten years later", v().time + std::chrono::hours(24 * 3650));
}

TEST_P(SignatureVectorTest, InsideTheWindowVerifies) {
  const auto w = v().window;
  expect_failure(v().request(), F::None, "now + window - 1s", v().time + w - seconds(1));
  expect_failure(v().request(), F::None, "now - window + 1s", v().time - w + seconds(1));
  expect_failure(v().request(), F::None, "now + window", v().time + w);
  expect_failure(v().request(), F::None, "now - window", v().time - w);
}

TEST_P(SignatureVectorTest, MissingAuthorizationIsMissing) {
  auto r = v().request();
  std::erase_if(r.headers, [](const auto& h) { return iequal(h.first, "authorization"); });
  expect_failure(r, F::Missing, "no Authorization");
}

TEST_P(SignatureVectorTest, RepeatedAuthorizationIsMalformed) {
  auto r = v().request();
  r.headers.emplace_back("Authorization", first_header(v().headers, "authorization"));
  expect_failure(r, F::Malformed, "two Authorization headers");
}

TEST_P(SignatureVectorTest, ChangedSignatureFails) {
  auto r = v().request();
  auto auth = first_header(v().headers, "authorization");
  auto& last = auth.back();
  last = last == '0' ? '1' : '0';
  set_authorization(r, auth);
  expect_failure(r, F::BadSignature, "signature digit");
  // Upper-case hex is the same signature.
  auth = first_header(v().headers, "authorization");
  const auto at = auth.find("Signature=") + 10;
  std::transform(auth.begin() + static_cast<std::ptrdiff_t>(at), auth.end(),
                 auth.begin() + static_cast<std::ptrdiff_t>(at), [](unsigned char c) { return std::toupper(c); });
  set_authorization(r, auth);
  expect_failure(r, F::None, "upper-case signature");
}

TEST_P(SignatureVectorTest, MangledAuthorizationNeverCrashes) {
  // A cheap in-test fuzz: random byte edits, insertions and truncations of the real header.
  const auto original = first_header(v().headers, "authorization");
  std::mt19937 rng(12345);
  for (int i = 0; i < 300; ++i) {
    std::string mangled = original;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !mangled.empty(); ++e) {
      const auto at = rng() % mangled.size();
      switch (rng() % 3) {
        case 0:
          mangled[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          mangled.insert(mangled.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng() % 256));
          break;
        default:
          mangled.resize(at);
          break;
      }
    }
    auto r = v().request();
    set_authorization(r, mangled);
    const auto result = verify(v(), r, v().time);
    if (mangled != original) {
      EXPECT_FALSE(result.ok() && mangled.find("Signature=") == std::string::npos) << mangled;
    }
    if (!result.ok()) {
      EXPECT_FALSE(result.message.empty());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Compat, SignatureVectorTest, ::testing::ValuesIn(vector_names()),
                         [](const auto& info) { return sanitize(info.param); });

// ---------------------------------------------------------------------------------------------
// Hostile Authorization headers

struct MalformedCase {
  std::string vendor;
  std::string authorization;
};

std::vector<std::string> malformed_authorizations(const std::string& algorithm, const std::string& id_part,
                                                  const std::string& id_name) {
  const std::string sig(64, 'a');
  const std::string good_rest = id_name + "=" + id_part + ", SignedHeaders=content-type;host, Signature=" + sig;
  std::vector<std::string> cases = {
      "",
      " ",
      "garbage",
      algorithm,
      algorithm + " ",
      algorithm + "  ,,,",
      "Bearer abc",
      "HMAC-SHA256 " + good_rest,                                          // wrong algorithm
      algorithm + "," + good_rest,                                         // no space after the algorithm
      algorithm + " " + id_name + "=",                                     // empty value
      algorithm + " " + id_name + "=" + id_part,                           // missing fields
      algorithm + " SignedHeaders=host, Signature=" + sig,                 // no key id
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host",  // no signature
      algorithm + " " + good_rest + ", Signature=" + sig,                  // duplicate field
      algorithm + " " + good_rest + ", Extra=1",                           // unknown field
      algorithm + " " + good_rest + ",",                                   // trailing comma
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host, Signature=" + sig.substr(1),  // short
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host, Signature=" + sig + "a",      // long
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host, Signature=" + std::string(64, 'g'),
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=Host, Signature=" + sig,  // upper case
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host;;content-type, Signature=" + sig,
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host;host, Signature=" + sig,
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=ho st, Signature=" + sig,
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=host\n, Signature=" + sig,
      algorithm + " " + id_name + "=" + std::string(5000, 'A') + ", SignedHeaders=host, Signature=" + sig,
      algorithm + " " + std::string(1 << 20, 'A'),  // huge
      std::string(1 << 20, ','),
      algorithm + " " + id_name + "=" + id_part + ", SignedHeaders=" +
          [] {
            std::string many;
            for (int i = 0; i < 65; ++i) many += (i ? ";h" : "h") + std::to_string(i);
            return many;
          }() +
          ", Signature=" + sig,
      std::string("SDK-HMAC-SHA256\0 Access=a", 25),
      algorithm + " " + id_name + "=\xe8\xaf\x81, SignedHeaders=host, Signature=" + sig,  // non-ASCII id
  };
  return cases;
}

TEST(SignatureMalformed, HostileAuthorizationHeadersAreMalformed) {
  struct VendorCase {
    const char* vector;
    std::string algorithm, id_part, id_name;
  };
  const VendorCase vendors[] = {
      {"huawei-RecognizePassport", "SDK-HMAC-SHA256", "HWAKEXAMPLE", "Access"},
      {"tencent-PermitOCR", "TC3-HMAC-SHA256", "AKIDEXAMPLE/2026-11-21/127/tc3_request", "Credential"},
      {"aliyun-RecognizePassport", "ACS3-HMAC-SHA256", "LTAIEXAMPLE", "Credential"},
  };
  for (const auto& vendor : vendors) {
    const auto& v = vector_named(vendor.vector);
    for (const auto& auth : malformed_authorizations(vendor.algorithm, vendor.id_part, vendor.id_name)) {
      auto r = v.request();
      set_authorization(r, auth);
      const auto result = verify(v, r, v.time);
      EXPECT_EQ(to_string(result.failure), "Malformed") << vendor.vector << ": " << auth.substr(0, 120);
      EXPECT_FALSE(result.message.empty());
      EXPECT_LT(result.message.size(), 300u) << "messages must not echo hostile input";
    }
  }
}

TEST(SignatureMalformed, TencentCredentialScopeMustBeWellFormed) {
  const std::string sig(64, 'a');
  for (const std::string credential :
       {"AKID/2026-11-21/127", "AKID/2026-11-21/127/tc3_request/x", "AKID/2026-11-21/127/tc3",
        "/2026-11-21/127/tc3_request", "AKID/2026-1-21/127/tc3_request", "AKID/20261121/127/tc3_request",
        "AKID/2026-11-21//tc3_request"}) {
    std::string error;
    EXPECT_FALSE(parse_tencent_authorization(
        "TC3-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=content-type;host, Signature=" + sig, &error))
        << credential;
    EXPECT_FALSE(error.empty());
  }
}

TEST(SignatureMalformed, ParsersAcceptTheSdkFormats) {
  const std::string sig(64, 'b');
  const auto huawei =
      parse_huawei_authorization("SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host, Signature=" + sig);
  ASSERT_TRUE(huawei);
  EXPECT_EQ(huawei->access_key, "AK");
  EXPECT_EQ(huawei->signed_headers, (std::vector<std::string>{"content-type", "host"}));
  EXPECT_EQ(huawei->signature, sig);
  const auto tencent = parse_tencent_authorization(
      "TC3-HMAC-SHA256 Credential=AKID/2026-11-21/localhost:8080/tc3_request, "
      "SignedHeaders=content-type;host, Signature=" +
      sig);
  ASSERT_TRUE(tencent);
  EXPECT_EQ(tencent->secret_id, "AKID");
  EXPECT_EQ(tencent->date, "2026-11-21");
  EXPECT_EQ(tencent->service, "localhost:8080");  // the Node SDK's endpoint.split(".")[0]
  const auto aliyun = parse_aliyun_authorization(
      "ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host;x-acs-date,Signature=" + std::string(64, 'B'));
  ASSERT_TRUE(aliyun);
  EXPECT_EQ(aliyun->access_key_id, "LTAI");
  EXPECT_EQ(aliyun->signature, sig);  // kept lowercase
}

// ---------------------------------------------------------------------------------------------
// Vendor specifics

TEST(SignatureTencent, AllFourActionsShareOneSignatureBecauseXTcActionIsUnsigned) {
  const auto& permit = vector_named("tencent-PermitOCR");
  for (const char* other : {"tencent-MainlandPermitOCR", "tencent-MLIDPassportOCR", "tencent-GeneralBasicOCR"})
    EXPECT_EQ(vector_named(other).signature, permit.signature) << other;
  // Vendor behaviour, documented: a changed X-TC-Action (or version, region) still verifies.
  auto r = permit.request();
  header_ref(r, "x-tc-action") = "GeneralBasicOCR";
  header_ref(r, "x-tc-version") = "2017-01-01";
  header_ref(r, "x-tc-region") = "ap-beijing";
  EXPECT_TRUE(verify(permit, r, permit.time).ok());
}

TEST(SignatureTencent, TimestampIsCoveredThroughTheStringToSign) {
  const auto& v = vector_named("tencent-PermitOCR");
  auto r = v.request();
  header_ref(r, "x-tc-timestamp") = bump_last_digit(first_header(v.headers, "x-tc-timestamp"));
  EXPECT_EQ(verify(v, r, v.time).failure, F::BadSignature);
  header_ref(r, "x-tc-timestamp") = "1795379561";  // one day later: the scope date no longer matches
  EXPECT_EQ(verify(v, r, v.time + std::chrono::hours(24)).failure, F::Malformed);
  for (const char* bad : {"", "-1795293161", "1795293161.5", "17952931610000", "0x1"}) {
    header_ref(r, "x-tc-timestamp") = bad;
    EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed) << bad;
  }
  std::erase_if(r.headers, [](const auto& h) { return h.first == "X-TC-Timestamp"; });
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureTencent, HostPortIsNotSignedButTheHostnameIs) {
  const auto& v = vector_named("tencent-PermitOCR-hostname");
  auto r = v.request();
  header_ref(r, "host") = "ocr.example.test:8080";
  EXPECT_TRUE(verify(v, r, v.time).ok());
  header_ref(r, "host") = "ocr.example.test";
  EXPECT_TRUE(verify(v, r, v.time).ok());
  header_ref(r, "host") = "ocr.example.org:46513";
  EXPECT_EQ(verify(v, r, v.time).failure, F::BadSignature);
}

TEST(SignatureTencent, ScopeServiceIsSignedAndContentTypeAndHostAreRequired) {
  const auto& v = vector_named("tencent-PermitOCR");
  auto r = v.request();
  auto auth = first_header(v.headers, "authorization");
  auth.replace(auth.find("/127/"), 5, "/ocr/");
  set_authorization(r, auth);
  EXPECT_EQ(verify(v, r, v.time).failure, F::BadSignature);
  auth = first_header(v.headers, "authorization");
  auth.replace(auth.find("content-type;host"), 17, "host");
  set_authorization(r, auth);
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureTencent, RepeatedSignedHeaderIsMalformed) {
  const auto& v = vector_named("tencent-PermitOCR");
  auto r = v.request();
  r.headers.emplace_back("Content-Type", "application/json");
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
  r = v.request();
  std::erase_if(r.headers, [](const auto& h) { return h.first == "Host"; });
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureAliyun, SameRequestTwiceIsReplayed) {
  const auto& v = vector_named("aliyun-RecognizePassport");
  NonceCache cache;
  EXPECT_TRUE(verify(v, v.request(), v.time, &cache).ok());
  const auto second = verify(v, v.request(), v.time + seconds(1), &cache);
  EXPECT_EQ(second.failure, F::Replayed) << second.message;
  // Other requests (other nonces) are unaffected.
  const auto& general = vector_named("aliyun-RecognizeGeneral");
  EXPECT_TRUE(verify(general, general.request(), general.time, &cache).ok());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(SignatureAliyun, OnlyVerifiedRequestsConsumeTheirNonce) {
  const auto& v = vector_named("aliyun-RecognizeGeneral");
  NonceCache cache;
  auto forged = v.request();
  forged.raw_query = "Url=https://evil.test/";
  EXPECT_EQ(verify(v, forged, v.time, &cache).failure, F::BadSignature);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(verify(v, v.request(), v.time, &cache).ok());
}

TEST(SignatureAliyun, DeclaredPayloadHashMustMatchTheBody) {
  const auto& v = vector_named("aliyun-RecognizeGeneral");
  auto r = v.request();
  header_ref(r, "x-acs-content-sha256") = sha256_hex("another body");
  EXPECT_EQ(verify(v, r, v.time).failure, F::PayloadHashMismatch);
  r = v.request();
  r.body = {};
  EXPECT_EQ(verify(v, r, v.time).failure, F::PayloadHashMismatch);
  // The body-less vector declares the hash of nothing.
  const auto& empty = vector_named("aliyun-RecognizeExitEntryPermitToHK-url-query");
  EXPECT_EQ(first_header(empty.headers, "x-acs-content-sha256"), sha256_hex(""));
}

TEST(SignatureAliyun, CanonicalQueryReEncodesWithRfc3986) {
  const auto& v = vector_named("aliyun-RecognizeExitEntryPermitToHK-url-query");
  const auto canonical = aliyun_canonical_query(v.query);
  ASSERT_TRUE(canonical);
  EXPECT_EQ(*canonical, split_line(v.canonical_request, 2));
  // Sorted by key; keys are encoded too; pieces without '=' are empty values.
  EXPECT_EQ(aliyun_canonical_query("b=2&a=%20x&c&&a%2Fb=1").value(), "a=%20x&a%2Fb=1&b=2&c=");
  EXPECT_EQ(aliyun_canonical_query("x=a+b*").value(), "x=a%2Bb%2A");
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "%g0=1"}) {
    std::string error;
    EXPECT_FALSE(aliyun_canonical_query(bad, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
}

TEST(SignatureAliyun, RepeatedHeadersAreSortedAndJoined) {
  SignedRequest r{"POST", "/", "", {{"x-acs-b", " 2 "}, {"Host", "h:1"}, {"X-Acs-B", "1"}}, {}};
  const auto canonical = aliyun_canonical_request(r, {"host", "x-acs-b"});
  ASSERT_TRUE(canonical);
  EXPECT_EQ(*canonical, "POST\n/\n\nhost:h:1\nx-acs-b:1,2\n\nhost;x-acs-b\n" + sha256_hex(""));
}

TEST(SignatureAliyun, EveryXAcsHeaderMustBeSigned) {
  const auto& v = vector_named("aliyun-RecognizeGeneral");
  auto r = v.request();
  r.headers.emplace_back("X-Acs-Security-Token", "sneaked in");
  const auto result = verify(v, r, v.time);
  EXPECT_EQ(result.failure, F::Malformed);
  EXPECT_NE(result.message.find("x-acs-security-token"), std::string::npos) << result.message;
  // Removing the nonce from SignedHeaders (keeping the signature) is refused before any crypto.
  r = v.request();
  auto auth = first_header(v.headers, "authorization");
  auth.replace(auth.find("x-acs-signature-nonce;"), 22, "");
  set_authorization(r, auth);
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureAliyun, BadDatesAndNoncesAreMalformed) {
  const auto& v = vector_named("aliyun-RecognizeGeneral");
  for (const char* date : {"2026-11-21 20:32:41Z", "2026-11-21T20:32:41", "2026-02-30T20:32:41Z",
                           "2026-11-21T24:00:00Z", "20261121T203241Z", ""}) {
    auto r = v.request();
    header_ref(r, "x-acs-date") = date;
    EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed) << date;
  }
  auto r = v.request();
  header_ref(r, "x-acs-signature-nonce") = std::string(kMaxNonceLength + 1, 'a');
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
  r = v.request();
  r.headers.emplace_back("x-acs-signature-nonce", "second");
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureHuawei, ProjectIdHeaderMustMatchThePath) {
  const auto& v = vector_named("huawei-RecognizePassport");
  auto r = v.request();
  header_ref(r, "x-project-id") = std::string(32, 'f');
  auto result = verify(v, r, v.time);
  EXPECT_EQ(result.failure, F::Malformed);
  EXPECT_NE(result.message.find("X-Project-Id"), std::string::npos);
  r = v.request();
  const auto pid = huawei_project_id_from_path(r.path);
  r.path.replace(r.path.find(pid), pid.size(), std::string(32, 'f'));
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureHuawei, ProjectIdFromPath) {
  EXPECT_EQ(huawei_project_id_from_path("/v2/0123456789abcdef0123456789abcdef/ocr/passport"),
            "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(huawei_project_id_from_path("/v2/pid"), "pid");
  EXPECT_EQ(huawei_project_id_from_path("/v2//ocr/passport"), "");
  EXPECT_EQ(huawei_project_id_from_path("/v1/pid/ocr/passport"), "");
  EXPECT_EQ(huawei_project_id_from_path(""), "");
  EXPECT_EQ(huawei_project_id_from_path("/v2/a%20b/x"), "a%20b");  // as sent, not decoded
}

TEST(SignatureHuawei, CanonicalUriEncodesSegmentsAsSentAndEndsWithSlash) {
  EXPECT_EQ(huawei_canonical_uri("/v2/pid/ocr/passport"), "/v2/pid/ocr/passport/");
  EXPECT_EQ(huawei_canonical_uri("/v2/pid/ocr/passport/"), "/v2/pid/ocr/passport/");
  EXPECT_EQ(huawei_canonical_uri("/a b/%41/\xe8\xaf\x81"), "/a%20b/%2541/%E8%AF%81/");
  EXPECT_EQ(huawei_canonical_uri("/"), "/");
  EXPECT_EQ(huawei_canonical_uri(""), "/");
  EXPECT_EQ(huawei_canonical_query("b=2&a=z&a=y&c").value(), "a=y&a=z&b=2&c=");
}

TEST(SignatureHuawei, SdkDateIsRequiredAndStrict) {
  const auto& v = vector_named("huawei-RecognizePassport");
  for (const char* date : {"2026-11-21T20:32:41Z", "20261121T203241", "20261321T203241Z", "20261121T236000Z", ""}) {
    auto r = v.request();
    header_ref(r, "x-sdk-date") = date;
    EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed) << date;
  }
  auto r = v.request();
  r.headers.emplace_back("X-Sdk-Date", first_header(v.headers, "x-sdk-date"));
  EXPECT_EQ(verify(v, r, v.time).failure, F::Malformed);
}

TEST(SignatureHuawei, DeclaredContentHashReplacesTheBodyHash) {
  // No vector carries X-Sdk-Content-Sha256: sign one ourselves with the verified pieces.
  const auto& v = vector_named("huawei-RecognizePassport");
  const auto sign = [&](SignedRequest& r) {
    const std::vector<std::string> names = {"content-type", "host", "x-project-id", "x-sdk-date"};
    const auto canonical = huawei_canonical_request(r, names, nullptr).value();
    const auto sig =
        hex(hmac_sha256(v.credential.secret, huawei_string_to_sign(first_header(r.headers, "x-sdk-date"), canonical)));
    set_authorization(r,
                      "SDK-HMAC-SHA256 Access=HWAKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
                      "Signature=" +
                          sig);
  };
  auto r = v.request();
  r.headers.emplace_back("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
  sign(r);
  EXPECT_TRUE(verify(v, r, v.time).ok());
  r.body = "another body";  // vendor behaviour: the body is not covered
  EXPECT_TRUE(verify(v, r, v.time).ok());
  r = v.request();
  r.headers.emplace_back("X-Sdk-Content-Sha256", sha256_hex(v.body));
  sign(r);
  EXPECT_TRUE(verify(v, r, v.time).ok());
  r.body = "another body";
  EXPECT_EQ(verify(v, r, v.time).failure, F::PayloadHashMismatch);
}

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST(SignatureTime, ParsersAgreeOnTheCaptureSecond) {
  const std::chrono::sys_seconds capture{seconds{1795293161}};  // 2026-11-21T20:32:41Z
  EXPECT_EQ(parse_huawei_date("20261121T203241Z"), capture);
  EXPECT_EQ(parse_aliyun_date("2026-11-21T20:32:41Z"), capture);
  EXPECT_EQ(parse_tencent_timestamp("1795293161"), capture);
  EXPECT_EQ(parse_huawei_date("19700101T000000Z"), std::chrono::sys_seconds{});
  EXPECT_EQ(parse_aliyun_date("2024-02-29T23:59:59Z"),
            std::chrono::sys_days{std::chrono::year{2024} / 3 / 1} - seconds{1});
  EXPECT_FALSE(parse_aliyun_date("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_aliyun_date("2026-11-21T20:32:60Z"));
  EXPECT_FALSE(parse_huawei_date("20261121T203241z"));
  EXPECT_FALSE(parse_huawei_date("20261121T20324\xff"));
  EXPECT_FALSE(parse_tencent_timestamp(""));
  EXPECT_FALSE(parse_tencent_timestamp("+1"));
  EXPECT_FALSE(parse_tencent_timestamp("999999999999"));
  EXPECT_EQ(parse_tencent_timestamp("99999999999"), std::chrono::sys_seconds{seconds{99999999999}});
}

TEST(SignatureTime, WindowIsInclusiveToTheNanosecond) {
  const std::chrono::sys_seconds t{seconds{1795293161}};
  const seconds w{300};
  EXPECT_TRUE(within_window(t, t, w));
  EXPECT_TRUE(within_window(t, t + w, w));
  EXPECT_FALSE(within_window(t, t + w + std::chrono::nanoseconds(1), w));
  EXPECT_TRUE(within_window(t, t - w, w));
  EXPECT_TRUE(within_window(t, t - w + std::chrono::nanoseconds(1), w));
  EXPECT_FALSE(within_window(t, t - w - std::chrono::nanoseconds(1), w));
  // Dates far from any real clock must not overflow.
  EXPECT_FALSE(within_window(parse_aliyun_date("9999-12-31T23:59:59Z").value(), t, w));
  EXPECT_FALSE(within_window(parse_aliyun_date("0000-01-01T00:00:00Z").value(), t, w));
}

// ---------------------------------------------------------------------------------------------
// Crypto helpers

TEST(SignatureCrypto, Sha256AndHmacKnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(hmac_sha256(std::string(200, 'k'), "long keys are hashed first").size(), 32u);
  EXPECT_EQ(hex(std::string("\x00\x7f\x80\xff", 4)), "007f80ff");
}

TEST(SignatureCrypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// ---------------------------------------------------------------------------------------------
// NonceCache

TEST(SignatureNonceCache, ForgetsExpiredEntries) {
  NonceCache cache;
  const time_point t0{seconds{1795293161}};
  EXPECT_TRUE(cache.remember("id", "n1", t0 + seconds(10), t0));
  EXPECT_FALSE(cache.remember("id", "n1", t0 + seconds(20), t0 + seconds(10)));  // still valid at its expiry
  EXPECT_TRUE(cache.remember("id", "n1", t0 + seconds(30), t0 + seconds(11)));   // expired: a new request
  EXPECT_TRUE(cache.remember("id", "n2", t0 + seconds(12), t0 + seconds(11)));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.remember("id", "n3", t0 + seconds(100), t0 + seconds(50)));
  EXPECT_EQ(cache.size(), 1u);  // n1 and n2 evicted
}

TEST(SignatureNonceCache, KeyIdAndNonceDoNotCollide) {
  NonceCache cache;
  const time_point t0{};
  EXPECT_TRUE(cache.remember("a", "bc", t0 + seconds(1), t0));
  EXPECT_TRUE(cache.remember("ab", "c", t0 + seconds(1), t0));
  EXPECT_TRUE(cache.remember("other", "bc", t0 + seconds(1), t0));
  EXPECT_FALSE(cache.remember("a", "bc", t0 + seconds(1), t0));
}

TEST(SignatureNonceCache, CapacityBoundsMemory) {
  NonceCache cache(3);
  const time_point t0{};
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(cache.remember("id", std::to_string(i), t0 + seconds(100 + i), t0));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.remember("id", "9", t0 + seconds(200), t0));  // the latest entries are kept
}

TEST(SignatureNonceCache, ConcurrentDuplicatesAdmitExactlyOne) {
  NonceCache cache;
  const time_point t0{};
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int n = 0; n < 500; ++n)
        if (cache.remember("id", std::to_string(n), t0 + seconds(60), t0)) ++admitted;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 500);
  EXPECT_EQ(cache.size(), 500u);
}

}  // namespace
}  // namespace ocrserve::api
