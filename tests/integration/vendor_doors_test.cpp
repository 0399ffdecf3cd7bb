// The Tencent and Aliyun front doors of the real binary: the requests their official SDKs sent
// (shared/compat vectors) replayed byte for byte, tampering and replays refused, and each door's
// own error shapes and codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "api/signature.h"
#include "http_support.h"
#include "ocrserve/image_intake.h"
#include "permit.h"
#include "permit_test_support.h"
#include "server_process.h"

namespace ocrserve::test {
namespace {

struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string request_id;
};

Reply to_reply(const httplib::Result& r) {
  Reply reply;
  if (!r) return reply;
  reply.status = r->status;
  reply.body = nlohmann::json::parse(r->body, nullptr, false);
  reply.request_id = r->get_header_value("X-Request-Id");
  return reply;
}

// The captured headers, minus those httplib writes itself.
httplib::Headers captured_headers(const nlohmann::json& v) {
  httplib::Headers headers;
  for (const auto& h : v["request"]["raw_headers"]) {
    const std::string key = h[0];
    std::string lower = key;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-length" || lower == "connection" || lower == "accept-encoding" ||
        lower == "content-type" || lower == "transfer-encoding")
      continue;
    headers.emplace(key, h[1].get<std::string>());
  }
  return headers;
}

std::string tencent_code(const Reply& r) {
  return r.body.is_object() && r.body["Response"].contains("Error") ? r.body["Response"]["Error"].value("Code", "")
                                                                     : "";
}

std::string aliyun_code(const Reply& r) { return r.body.is_object() ? r.body.value("Code", "") : "?"; }

Reply tencent_replay(const ServerProcess& server, const nlohmann::json& v, const std::string& body,
                     httplib::Headers headers = {}) {
  if (headers.empty()) headers = captured_headers(v);
  auto c = server.client();
  return to_reply(c.Post("/", headers, body, "application/json"));
}

// The SDK sends the image chunked, without a Content-Length; so does this replay.
Reply aliyun_replay(const ServerProcess& server, const nlohmann::json& v, const std::string& body,
                    std::string target = "") {
  if (target.empty()) target = v["request"]["target"];
  auto c = server.client();
  const httplib::Headers headers = captured_headers(v);
  if (body.empty()) return to_reply(c.Post(target, headers, "", "application/octet-stream"));
  return to_reply(c.Post(
      target, headers,
      [&body](size_t offset, httplib::DataSink& sink) {
        const size_t n = std::min<size_t>(64, body.size() - offset);
        sink.write(body.data() + offset, n);
        if (offset + n == body.size()) sink.done();
        return true;
      },
      "application/octet-stream"));
}

std::string vector_body(const nlohmann::json& v) {
  const auto bytes = decode_base64_strict(v["request"]["body"]["base64"].get<std::string>());
  return {bytes.begin(), bytes.end()};
}

TEST(TencentSdkVectors, CapturedRequestsVerifyAndTamperedOnesDoNot) {
  const auto v = compat_vector("tencent-PermitOCR.json");
  const long age = seconds_since(vector_header(v, "X-TC-Timestamp"), "%s");
  const nlohmann::json config = {{"credentials",
                                  {{{"type", "tencent"},
                                    {"secret_id", v["credentials"]["secretId"]},
                                    {"secret_key", v["credentials"]["secretKey"]}}}}};
  ServerProcess server({"--config", config_file(config), "--tencent_auth_window_s", std::to_string(age + 3600)});

  // Every capture verifies, then meets its extractor: the SDK's sample image is text, no permit.
  for (const char* name : {"tencent-PermitOCR.json", "tencent-PermitOCR-hostname.json",
                           "tencent-MainlandPermitOCR.json", "tencent-MLIDPassportOCR.json"}) {
    const auto capture = compat_vector(name);
    const Reply r = tencent_replay(server, capture, capture["request"]["body"]["text"]);
    EXPECT_EQ(r.status, 200) << name;
    EXPECT_EQ(tencent_code(r), "FailedOperation.OcrFailed") << name << " " << r.body.dump();
  }
  const auto general = compat_vector("tencent-GeneralBasicOCR.json");
  const Reply ok = tencent_replay(server, general, general["request"]["body"]["text"]);
  ASSERT_EQ(ok.status, 200);
  EXPECT_TRUE(ok.body["Response"]["TextDetections"].is_array()) << ok.body.dump();
  EXPECT_EQ(ok.body["Response"]["RequestId"], ok.request_id);

  std::string tampered = v["request"]["body"]["text"];
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(tencent_code(tencent_replay(server, v, tampered)), "AuthFailure.SignatureFailure");

  httplib::Headers other_key = captured_headers(v);
  std::string auth = vector_header(v, "Authorization");
  auth.replace(auth.find("AKIDEXAMPLE"), 11, "AKIDUNKNOWN");
  other_key.erase("Authorization");
  other_key.emplace("Authorization", auth);
  EXPECT_EQ(tencent_code(tencent_replay(server, v, v["request"]["body"]["text"], other_key)),
            "AuthFailure.SecretIdNotFound");

  httplib::Headers later = captured_headers(v);
  later.erase("X-TC-Timestamp");
  later.emplace("X-TC-Timestamp", std::to_string(std::stol(vector_header(v, "X-TC-Timestamp")) + 1));
  EXPECT_EQ(tencent_code(tencent_replay(server, v, v["request"]["body"]["text"], later)),
            "AuthFailure.SignatureFailure");

  // Tencent's scheme does not sign X-TC-Action (shared/compat README): the capture still verifies
  // under another action, which answers as that action.
  httplib::Headers other_action = captured_headers(v);
  other_action.erase("X-TC-Action");
  other_action.emplace("X-TC-Action", "GeneralBasicOCR");
  EXPECT_TRUE(tencent_replay(server, v, v["request"]["body"]["text"], other_action)
                  .body["Response"]
                  .contains("TextDetections"));
}

TEST(TencentSdkVectors, CapturedRequestsAreStaleForTheDocumentedFiveMinutes) {
  const auto v = compat_vector("tencent-GeneralBasicOCR.json");
  const nlohmann::json config = {{"credentials",
                                  {{{"type", "tencent"},
                                    {"secret_id", v["credentials"]["secretId"]},
                                    {"secret_key", v["credentials"]["secretKey"]}}}}};
  ServerProcess server({"--config", config_file(config)});
  const Reply r = tencent_replay(server, v, v["request"]["body"]["text"]);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(tencent_code(r), "AuthFailure.SignatureExpire");
}

TEST(AliyunSdkVectors, CapturedRequestsVerifyOnceAndTamperedOnesDoNot) {
  const auto v = compat_vector("aliyun-RecognizeGeneral.json");
  const long age = seconds_since(vector_header(v, "x-acs-date"), "%Y-%m-%dT%H:%M:%SZ");
  const nlohmann::json config = {{"credentials",
                                  {{{"type", "aliyun"},
                                    {"access_key_id", v["credentials"]["accessKeyId"]},
                                    {"access_key_secret", v["credentials"]["accessKeySecret"]}}}}};
  ServerProcess server({"--config", config_file(config), "--auth_window_s", std::to_string(age + 3600),
                        "--url_timeout_ms", "3000"});

  const Reply ok = aliyun_replay(server, v, vector_body(v));
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  ASSERT_TRUE(ok.body["Data"].is_string());
  EXPECT_TRUE(nlohmann::json::parse(ok.body["Data"].get<std::string>()).contains("prism_wordsInfo"));
  EXPECT_EQ(ok.body["RequestId"], ok.request_id);

  // The same nonce again: a replay.
  const Reply again = aliyun_replay(server, v, vector_body(v));
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(aliyun_code(again), "SignatureNonceUsed");

  for (const char* name : {"aliyun-RecognizeExitEntryPermitToHK.json", "aliyun-RecognizeExitEntryPermitToMainland.json",
                           "aliyun-RecognizePassport.json"}) {
    const auto capture = compat_vector(name);
    const Reply r = aliyun_replay(server, capture, vector_body(capture));
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_EQ(aliyun_code(r), "unmatchedImageType") << name << " " << r.body.dump();
  }
  // The url capture verifies (its query re-encoded as the SDK signed it) and then fails to fetch.
  const auto url = compat_vector("aliyun-RecognizeExitEntryPermitToHK-url-query.json");
  std::string moved = url["request"]["target"];
  moved.replace(moved.find("img.example.test"), 16, "img.example.tesT");
  EXPECT_EQ(aliyun_code(aliyun_replay(server, url, "", moved)), "SignatureDoesNotMatch");
  const Reply fetched = aliyun_replay(server, url, "");
  EXPECT_EQ(aliyun_code(fetched), "illegalImageUrl") << fetched.body.dump();

  // Another body under the captured x-acs-content-sha256.
  const auto mainland = compat_vector("aliyun-RecognizeExitEntryPermitToMainland.json");
  std::string tampered = vector_body(mainland);
  tampered[tampered.size() / 2] ^= 0x01;
  const Reply bad = aliyun_replay(server, mainland, tampered);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(aliyun_code(bad), "SignatureDoesNotMatch");
}

TEST(AliyunSdkVectors, CapturedRequestsAreStaleForTheDefaultWindow) {
  const auto v = compat_vector("aliyun-RecognizePassport.json");
  const nlohmann::json config = {{"credentials",
                                  {{{"type", "aliyun"},
                                    {"access_key_id", v["credentials"]["accessKeyId"]},
                                    {"access_key_secret", v["credentials"]["accessKeySecret"]}}}}};
  ServerProcess server({"--config", config_file(config)});
  const Reply r = aliyun_replay(server, v, vector_body(v));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(aliyun_code(r), "InvalidTimeStamp.Expired");
}

std::string png_of(const cv::Mat& image) {
  std::vector<uchar> bytes;
  cv::imencode(".png", image, bytes);
  return {bytes.begin(), bytes.end()};
}

class VendorDoors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static Reply tencent(const std::string& action, const nlohmann::json& body, const std::string& version = "2018-11-19") {
    auto c = server_->client();
    return to_reply(
        c.Post("/", {{"X-TC-Action", action}, {"X-TC-Version", version}}, body.dump(), "application/json"));
  }
  static Reply aliyun(const std::string& action, const std::string& body, const std::string& query = "") {
    auto c = server_->client();
    return to_reply(c.Post("/" + query, {{"x-acs-action", action}, {"x-acs-version", "2021-07-07"}}, body,
                           "application/octet-stream"));
  }
  static ServerProcess* server_;
};
ServerProcess* VendorDoors::server_ = nullptr;

TEST_F(VendorDoors, TencentErrorsAreHttp200WithTencentCodes) {
  const std::string permit =
      png_of(permit_sample(synth::PermitType::ExitEntryHkMo, synth::Side::Front, 21, false).image);
  const std::string b64 = encode_base64(reinterpret_cast<const std::uint8_t*>(permit.data()), permit.size());
  EXPECT_EQ(tencent_code(tencent("IDCardOCR", {{"ImageBase64", b64}})), "InvalidAction");
  EXPECT_EQ(tencent_code(tencent("PermitOCR", {{"ImageBase64", b64}}, "2017-01-01")), "NoSuchVersion");
  EXPECT_EQ(tencent_code(tencent("PermitOCR", {{"ImageBase64", b64}, {"Side", "FRONT"}})), "UnknownParameter");
  EXPECT_EQ(tencent_code(tencent("PermitOCR", nlohmann::json::object())), "InvalidParameter");
  EXPECT_EQ(tencent_code(tencent("PermitOCR", {{"ImageBase64", "bm90IGFuIGltYWdl"}})),
            "FailedOperation.ImageDecodeFailed");
  const std::string tiny = png_of(cv::Mat(10, 10, CV_8UC3, cv::Scalar(255, 255, 255)));
  EXPECT_EQ(tencent_code(tencent("PermitOCR", {{"ImageBase64", encode_base64(reinterpret_cast<const std::uint8_t*>(
                                                                                 tiny.data()),
                                                                             tiny.size())}})),
            "InvalidParameterValue.InvalidParameterValueLimit");
  EXPECT_EQ(tencent_code(tencent("PermitOCR", {{"ImageUrl", "http://127.0.0.1:1/a.png"}})),
            "FailedOperation.DownLoadError");
  const Reply wrong_family = tencent("MainlandPermitOCR", {{"ImageBase64", b64}});
  EXPECT_EQ(wrong_family.status, 200);
  EXPECT_EQ(tencent_code(wrong_family), "FailedOperation.OcrFailed");
  EXPECT_NE(wrong_family.body["Response"]["Error"]["Message"].get<std::string>().find("exit-entry-permit"),
            std::string::npos);  // says which API reads it
  EXPECT_EQ(wrong_family.body["Response"]["RequestId"], wrong_family.request_id);

  const Reply ok = tencent("PermitOCR", {{"ImageBase64", b64}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_FALSE(ok.body["Response"].contains("Error")) << ok.body.dump();
  EXPECT_EQ(ok.body["Response"]["Type"], "往来港澳通行证");
}

TEST_F(VendorDoors, AliyunErrorsCarryStatusCodeAndRequestId) {
  EXPECT_EQ(aliyun_code(aliyun("RecognizeIdcard", "x")), "InvalidAction.NotFound");
  const Reply missing = aliyun("RecognizeExitEntryPermitToHK", "");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(aliyun_code(missing), "MissingParameter");
  const Reply garbage = aliyun("RecognizeExitEntryPermitToHK", "not an image at all");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(aliyun_code(garbage), "illegalImageContent");
  EXPECT_EQ(aliyun_code(aliyun("RecognizeGeneral", png_of(cv::Mat(10, 10, CV_8UC3, cv::Scalar(255, 255, 255))))),
            "illegalImageSize");
  const Reply both = aliyun("RecognizeGeneral", "x", "?Url=https%3A%2F%2Fexample.com%2Fa.png");
  EXPECT_EQ(aliyun_code(both), "InvalidParameter");
  EXPECT_EQ(aliyun_code(aliyun("RecognizeGeneral", "", "?Url=http%3A%2F%2F127.0.0.1%3A1%2Fa.png")), "illegalImageUrl");
  const Reply text = aliyun("RecognizeExitEntryPermitToHK", png_of(synth::render(synth::Kind::Receipt, 2).image));
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(aliyun_code(text), "unmatchedImageType");
  EXPECT_EQ(text.body["RequestId"], text.request_id);
  // Aliyun writes its request ids as capital UUIDs.
  EXPECT_EQ(text.request_id.size(), 36u);
  EXPECT_EQ(text.request_id, [s = text.request_id]() mutable {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }());

  const Reply ok = aliyun("RecognizeExitEntryPermitToMainland",
                          png_of(permit_sample(synth::PermitType::MainlandHkMo, synth::Side::Front, 22, false).image));
  ASSERT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_EQ(nlohmann::json::parse(ok.body["Data"].get<std::string>())["data"]["permitType"], "港澳居民来往内地通行证");
}

TEST_F(VendorDoors, RootWithoutAVendorActionIsNotFound) {
  auto c = server_->client();
  const Reply r = to_reply(c.Post("/", "{}", "application/json"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.value("error_code", ""), "APIGW.0101");
}

// A request signed now, as the Tencent SDK signs it.
httplib::Headers tencent_signed(int port, const std::string& action, const std::string& body, const std::string& id,
                                const std::string& secret) {
  const std::string host = "127.0.0.1:" + std::to_string(port);
  const std::time_t now = std::time(nullptr);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  const api::SignedRequest request{"POST", "/", "", {{"Content-Type", "application/json"}, {"Host", host}}, body};
  const std::string canonical = *api::tencent_canonical_request(request, {"content-type", "host"});
  const std::string to_sign = api::tencent_string_to_sign(std::to_string(now), date, "127", canonical);
  const std::string signature = api::tencent_signature(secret, date, "127", to_sign);
  return {{"Host", host},
          {"X-TC-Action", action},
          {"X-TC-Version", "2018-11-19"},
          {"X-TC-Timestamp", std::to_string(now)},
          {"Authorization", "TC3-HMAC-SHA256 Credential=" + id + "/" + date +
                                "/127/tc3_request, SignedHeaders=content-type;host, Signature=" + signature}};
}

TEST(VendorAuth, SignedKeysAreLimitedToTheirRateAndUnsignedRequestsRefused) {
  const nlohmann::json config = {
      {"credentials",
       {{{"type", "tencent"}, {"secret_id", "AKIDSLOW"}, {"secret_key", "S1"}, {"rate_limit_rps", 0.001}},
        {{"type", "tencent"}, {"secret_id", "AKIDTEXT"}, {"secret_key", "S2"}, {"apis", {"GeneralBasicOCR"}}},
        {{"type", "aliyun"}, {"access_key_id", "LTAIEXAMPLE"}, {"access_key_secret", "S3"}}}}};
  ServerProcess server({"--config", config_file(config), "--rate_limit_burst", "1"});
  auto c = server.client();
  const std::string body = R"({"ImageBase64":"bm90IGFuIGltYWdl"})";
  const auto call = [&](const std::string& action, const std::string& id, const std::string& secret) {
    return to_reply(c.Post("/", tencent_signed(server.port(), action, body, id, secret), body, "application/json"));
  };
  EXPECT_EQ(tencent_code(call("PermitOCR", "AKIDSLOW", "S1")), "FailedOperation.ImageDecodeFailed");
  EXPECT_EQ(tencent_code(call("PermitOCR", "AKIDSLOW", "S1")), "RequestLimitExceeded");
  EXPECT_EQ(tencent_code(call("PermitOCR", "AKIDSLOW", "wrong")), "AuthFailure.SignatureFailure");
  // A key limited to some actions.
  EXPECT_EQ(tencent_code(call("GeneralBasicOCR", "AKIDTEXT", "S2")), "FailedOperation.ImageDecodeFailed");
  EXPECT_EQ(tencent_code(call("PermitOCR", "AKIDTEXT", "S2")), "AuthFailure.UnauthorizedOperation");

  // Once credentials exist, unsigned requests are refused in each door's terms.
  const Reply unsigned_tencent = to_reply(c.Post(
      "/", {{"X-TC-Action", "PermitOCR"}, {"X-TC-Version", "2018-11-19"}}, body, "application/json"));
  EXPECT_EQ(tencent_code(unsigned_tencent), "AuthFailure.InvalidAuthorization");
  const Reply unsigned_aliyun = to_reply(
      c.Post("/", {{"x-acs-action", "RecognizeGeneral"}, {"x-acs-version", "2021-07-07"}}, "x",
             "application/octet-stream"));
  EXPECT_EQ(unsigned_aliyun.status, 400);
  EXPECT_EQ(aliyun_code(unsigned_aliyun), "IncompleteSignature");
}

}  // namespace
}  // namespace ocrserve::test
