// The real ocrserve binary over HTTP: the Huawei v2 contract, auth, limits, shutdown.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <atomic>
#include <ctime>
#include <fstream>
#include <future>
#include <thread>

#include "api/crypto.h"
#include "api/signature.h"
#include "http_support.h"
#include "ocrserve/image_intake.h"
#include "server_process.h"

namespace ocrserve::test {
namespace {

const std::string kProject = "0123456789abcdef0123456789abcdef";
const std::string kPath = "/v2/" + kProject + "/ocr/general-text";

std::string file_base64(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return encode_base64(bytes.data(), bytes.size());
}

const std::string& sample_base64() {
  static const std::string b64 = file_base64(std::string(OCRSERVE_TEST_FIXTURES) + "/sample_receipt.png");
  return b64;
}

const nlohmann::json kCredentials = {
    {"credentials",
     {{{"type", "token"}, {"token", "good-token"}},
      {{"type", "token"}, {"token", "other-project-token"}, {"projects", {"someone-else"}}},
      {{"type", "huawei_aksk"}, {"ak", "HWAKEXAMPLE"}, {"sk", "HWSKEXAMPLE"}, {"projects", {kProject}}}}}};

struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string request_id;
};

Reply post(const ServerProcess& server, const std::string& path, const std::string& body,
           httplib::Headers headers = {{"X-Auth-Token", "good-token"}}, const char* type = "application/json") {
  auto c = server.client();
  const auto r = c.Post(path.c_str(), headers, body, type);
  Reply reply;
  if (!r) return reply;
  reply.status = r->status;
  reply.body = nlohmann::json::parse(r->body, nullptr, false);
  reply.request_id = r->get_header_value("X-Request-Id");
  return reply;
}

std::string code(const Reply& r) {
  return r.body.is_object() ? r.body.value("error_code", "") : "?";
}

class Server : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({"--config", config_file(kCredentials)}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};
ServerProcess* Server::server_ = nullptr;

TEST_F(Server, GeneralTextWithTokenReturnsTheResult) {
  ASSERT_GT(server_->port(), 0);
  const Reply r =
      post(*server_, kPath, nlohmann::json{{"image", sample_base64()}, {"return_markdown_result", true}}.dump());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_FALSE(r.request_id.empty());
  EXPECT_GT(r.body["result"]["words_block_count"].get<int>(), 20);
  EXPECT_NE(r.body["result"]["markdown_result"].get<std::string>().find("合计"), std::string::npos);
}

TEST_F(Server, EveryResponseCarriesARequestId) {
  auto c = server_->client();
  for (const char* path : {"/healthz", "/readyz", "/nowhere"}) {
    const auto r = c.Get(path);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->get_header_value("X-Request-Id").empty()) << path;
  }
  EXPECT_FALSE(post(*server_, kPath, "{").request_id.empty());
}

TEST_F(Server, TokenErrors) {
  const std::string body = nlohmann::json{{"image", sample_base64()}}.dump();
  Reply r = post(*server_, kPath, body, {});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code(r), "ModelArts.4101");
  r = post(*server_, kPath, body, {{"X-Auth-Token", "wrong"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code(r), "ModelArts.4103");
  r = post(*server_, kPath, body, {{"X-Auth-Token", "other-project-token"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "ModelArts.4204");
}

TEST_F(Server, ParameterErrors) {
  EXPECT_EQ(code(post(*server_, kPath, "{}")), "AIS.0101");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"aGVsbG8=","url":"http://example.com/a.png"})")), "AIS.0101");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":123})")), "AIS.0101");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"aGVsbG8=","detect_direction":"yes"})")), "AIS.0101");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"aGVsbG8=","language":"xx"})")), "AIS.0101");
  const Reply bad_json = post(*server_, kPath, R"({"image": )");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(code(bad_json), "ModelArts.4105");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"x"})", {{"X-Auth-Token", "good-token"}}, "text/plain")),
            "AIS.0101");
}

TEST_F(Server, ImageErrors) {
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"data:image/png;base64,iVBORw0KGgo="})")), "AIS.0102");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"!!!not base64!!!"})")), "AIS.0102");
  EXPECT_EQ(code(post(*server_, kPath, R"({"image":"aGVsbG8gd29ybGQ="})")), "AIS.0102");  // "hello world"
  std::vector<uchar> tiny;
  cv::imencode(".png", cv::Mat(10, 10, CV_8UC3, cv::Scalar(255, 255, 255)), tiny);
  const Reply small = post(*server_, kPath, nlohmann::json{{"image", encode_base64(tiny.data(), tiny.size())}}.dump());
  EXPECT_EQ(small.status, 400);
  EXPECT_EQ(code(small), "AIS.0103");
}

TEST_F(Server, UnknownApiWrongMethodAndUnbuiltApi) {
  Reply r = post(*server_, "/v2/" + kProject + "/ocr/no-such-api", "{}");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(code(r), "APIGW.0101");
  auto c = server_->client();
  const auto get = c.Get(kPath.c_str());
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(nlohmann::json::parse(get->body)["error_code"], "APIGW.0101");
  r = post(*server_, "/v2/" + kProject + "/ocr/web-image", nlohmann::json{{"image", sample_base64()}}.dump());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "ModelArts.4204");
}

TEST_F(Server, ContentLengthIsCheckedBeforeTheBodyIsRead) {
  // Declare 50 MB and send nothing: the answer must come at once, not after a read timeout.
  httplib::Client c("127.0.0.1", server_->port());
  c.set_read_timeout(std::chrono::seconds(5));
  const auto t0 = std::chrono::steady_clock::now();
  httplib::Request req;
  req.method = "POST";
  req.path = kPath;
  req.headers = {{"X-Auth-Token", "good-token"}, {"Content-Type", "application/json"}, {"Content-Length", "52428800"}};
  auto r = c.send(req);
  ASSERT_TRUE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(nlohmann::json::parse(r->body)["error_code"], "ModelArts.4104");
}

TEST_F(Server, UrlInputRefusesInternalTargets) {
  for (const std::string& url : {"http://127.0.0.1:" + std::to_string(server_->port()) + "/healthz",
                                 std::string("http://169.254.169.254/latest/meta-data/"),
                                 std::string("file:///etc/passwd"), std::string("http://[::1]/")}) {
    const Reply r = post(*server_, kPath, nlohmann::json{{"url", url}}.dump());
    EXPECT_EQ(r.status, 400) << url;
    EXPECT_EQ(code(r), "ModelArts.4601") << url;
  }
}

// --- AK/SK, signed the way the official SDK signs (fresh date, so the server's clock applies)

std::string sdk_date(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

httplib::Headers signed_headers(const std::string& path, const std::string& body, int port, const std::string& sk,
                                std::time_t when = std::time(nullptr)) {
  const std::string date = sdk_date(when);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  api::SignedRequest req{
      "POST",
      path,
      "",
      {{"Content-Type", "application/json"}, {"X-Project-Id", kProject}, {"X-Sdk-Date", date}, {"host", host}},
      body};
  const std::vector<std::string> names = {"content-type", "host", "x-project-id", "x-sdk-date"};
  const auto canonical = api::huawei_canonical_request(req, names);
  const std::string signature = api::hex(api::hmac_sha256(sk, api::huawei_string_to_sign(date, canonical.value())));
  return {{"X-Project-Id", kProject},
          {"X-Sdk-Date", date},
          {"Host", host},
          {"Authorization",
           "SDK-HMAC-SHA256 Access=HWAKEXAMPLE, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
           "Signature=" +
               signature}};
}

TEST_F(Server, AkSkSignatureAcceptedAndTamperingRefused) {
  const std::string body = nlohmann::json{{"image", sample_base64()}}.dump();
  const int port = server_->port();
  Reply r = post(*server_, kPath, body, signed_headers(kPath, body, port, "HWSKEXAMPLE"));
  EXPECT_EQ(r.status, 200) << r.body.dump();
  // Tampered body, path, signed header, secret, stale date.
  std::string other = body;
  other[other.size() - 3] ^= 1;
  EXPECT_EQ(code(post(*server_, kPath, other, signed_headers(kPath, body, port, "HWSKEXAMPLE"))), "APIGW.0301");
  const std::string other_path = "/v2/" + kProject + "/ocr/web-image";
  EXPECT_EQ(code(post(*server_, other_path, body, signed_headers(kPath, body, port, "HWSKEXAMPLE"))), "APIGW.0301");
  auto headers = signed_headers(kPath, body, port, "HWSKEXAMPLE");
  headers.erase("X-Sdk-Date");
  headers.emplace("X-Sdk-Date", sdk_date(std::time(nullptr) - 60));
  EXPECT_EQ(code(post(*server_, kPath, body, headers)), "APIGW.0301");
  EXPECT_EQ(code(post(*server_, kPath, body, signed_headers(kPath, body, port, "WRONGSECRET"))), "APIGW.0301");
  const Reply stale =
      post(*server_, kPath, body, signed_headers(kPath, body, port, "HWSKEXAMPLE", std::time(nullptr) - 3600));
  EXPECT_EQ(stale.status, 401);
  EXPECT_EQ(code(stale), "APIGW.0301");
}

TEST_F(Server, MetricsAndAccessLogKeepNoRecognizedText) {
  post(*server_, kPath, nlohmann::json{{"image", sample_base64()}}.dump());
  auto c = server_->client();
  const auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("ocrserve_requests_total{api=\"general-text\",status=\"200\",code=\"\"}"), std::string::npos);
  EXPECT_NE(m->body.find("ocrserve_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m->body.find("ocrserve_model_load_seconds"), std::string::npos);
  const std::string log = server_->log();
  EXPECT_NE(log.find("\"api\":\"general-text\""), std::string::npos);
  for (const char* value : {"合计", "百佳", "385.00", "iVBORw0KGgo", "good-token"}) {
    EXPECT_EQ(log.find(value), std::string::npos) << value << " must not be logged";
  }
  EXPECT_NE(log.find("\"credential\":\"token#0\""), std::string::npos);
}

TEST(ServerLifecycle, RefusesToBindPubliclyWithoutCredentials) {
  ServerProcess server({"--host", "0.0.0.0"}, false);
  EXPECT_EQ(server.wait_exit(), 2);
  EXPECT_NE(server.log().find("without credentials"), std::string::npos);
}

TEST(ServerLifecycle, ASigtermTheMomentItSaysItListensStopsIt) {
  // A supervisor may stop the server as soon as it prints its listening line, before its accept
  // loop has started (httplib ignores a stop until then). The deploy test did, and the server ran
  // on until the test timed out. Five tries: the window is a few hundred microseconds wide.
  for (int i = 0; i < 5; ++i) {
    ServerProcess server({}, false);
    ASSERT_GT(server.port(), 0);
    server.signal(SIGTERM);
    int status = -1;
    for (int k = 0; k < 400 && status < 0; ++k) {
      status = server.exit_status_if_exited();
      if (status < 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(status, 0) << "try " << i << ": still running 20 s after SIGTERM";
  }
}

TEST(ServerLifecycle, FullQueueAnswers429) {
  ServerProcess server({"--workers", "1", "--queue_capacity", "0"});
  ASSERT_GT(server.port(), 0);
  const std::string body = nlohmann::json{{"image", sample_base64()}}.dump();
  std::vector<std::future<Reply>> replies;
  for (int i = 0; i < 6; ++i) {
    replies.push_back(std::async(std::launch::async, [&] { return post(server, kPath, body, {}); }));
  }
  int ok = 0, busy = 0;
  for (auto& f : replies) {
    const Reply r = f.get();
    if (r.status == 200) ++ok;
    if (r.status == 429 && code(r) == "ModelArts.4401") ++busy;
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(ok + busy, 6);
}

TEST(ServerLifecycle, SigtermFinishesRequestsInFlight) {
  ServerProcess server({});
  ASSERT_GT(server.port(), 0);
  const std::string body = nlohmann::json{{"image", sample_base64()}}.dump();
  auto in_flight = std::async(std::launch::async, [&] { return post(server, kPath, body, {}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(server.stop(SIGTERM), 0);
  const Reply r = in_flight.get();
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace ocrserve::test

namespace ocrserve::test {
namespace {

TEST(ServerLimits, RateLimitPerCredentialAnswersApig0308) {
  const nlohmann::json config = {
      {"rate_limit_rps", 0.2}, {"rate_limit_burst", 1}, {"credentials", {{{"type", "token"}, {"token", "t"}}}}};
  ServerProcess server({"--config", config_file(config)});
  const std::string body = R"({"image":"aGVsbG8="})";  // rejected after admission checks: cheap
  const Reply first = post(server, kPath, body, {{"X-Auth-Token", "t"}});
  EXPECT_EQ(code(first), "AIS.0102");
  const Reply second = post(server, kPath, body, {{"X-Auth-Token", "t"}});
  EXPECT_EQ(second.status, 429);
  EXPECT_EQ(code(second), "APIG.0308");
}

TEST(ServerLimits, DeadlineAnswersModelArts4402) {
  ServerProcess server({"--deadline_ms", "100"});
  const Reply r = post(server, kPath, nlohmann::json{{"image", sample_base64()}}.dump(), {});
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(code(r), "ModelArts.4402");
}

TEST(ServerLimits, UrlFetchFailureAnswersModelArts4603AndAllowListedUrlWorks) {
  // The server fetches from itself: loopback is allow-listed for its own port only.
  ServerProcess images({});
  ServerProcess server({"--url_allow", "127.0.0.1/32:" + std::to_string(images.port())});
  const std::string base = "http://127.0.0.1:" + std::to_string(images.port());
  const Reply missing = post(server, kPath, nlohmann::json{{"url", base + "/no-such-image.png"}}.dump(), {});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(code(missing), "ModelArts.4603");
  EXPECT_NE(missing.body.value("error_msg", "").find("404"), std::string::npos) << missing.body.dump();
  // /healthz answers JSON, not an image: fetched fine, then refused by intake.
  const Reply not_image = post(server, kPath, nlohmann::json{{"url", base + "/healthz"}}.dump(), {});
  EXPECT_EQ(code(not_image), "AIS.0102");
}

}  // namespace
}  // namespace ocrserve::test

namespace ocrserve::test {
namespace {

// The requests the official Huawei SDK sent (shared/compat vectors), replayed byte for byte. Their
// dates are in the past, so the server is told to accept a clock difference that covers them.
Reply replay(const ServerProcess& server, const nlohmann::json& v, std::string body, std::string path = "") {
  httplib::Headers headers;
  for (const auto& h : v["request"]["raw_headers"]) {
    const std::string key = h[0];
    if (key == "Content-Length" || key == "Connection" || key == "Accept-Encoding" || key == "Content-Type") continue;
    headers.emplace(key, h[1].get<std::string>());
  }
  if (path.empty()) path = v["request"]["path"];
  return post(server, path, body, headers, "application/json");
}

TEST(HuaweiSdkVectors, CapturedRequestsVerifyAndTamperedOnesDoNot) {
  const auto v = compat_vector("huawei-RecognizeGeneralText.json");
  const long age = seconds_since(vector_header(v, "x-sdk-date"), "%Y%m%dT%H%M%SZ");
  const nlohmann::json config = {
      {"credentials", {{{"type", "huawei_aksk"}, {"ak", v["credentials"]["ak"]}, {"sk", v["credentials"]["sk"]}}}}};
  ServerProcess server(
      {"--config", config_file(config), "--auth_window_s", std::to_string(std::max(900L, age + 3600))});
  const std::string body = v["request"]["body"]["text"];

  const Reply ok = replay(server, v, body);
  EXPECT_EQ(ok.status, 200) << ok.body.dump();
  EXPECT_TRUE(ok.body["result"].contains("words_block_list"));

  std::string tampered = body;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(code(replay(server, v, tampered)), "APIGW.0301");
  const std::string other_path = "/v2/" + v["credentials"]["projectId"].get<std::string>() + "/ocr/web-image";
  EXPECT_EQ(code(replay(server, v, body, other_path)), "APIGW.0301");

  // The other APIs' captures authenticate too, then meet the extractor (the SDK's sample image is
  // neither a permit nor a passport: AIS.0104), never an auth error.
  for (const auto& [name, expected] : {std::pair{"huawei-RecognizeExitEntryPermit.json", "AIS.0104"},
                                       std::pair{"huawei-RecognizeMainlandTravelPermit.json", "AIS.0104"},
                                       std::pair{"huawei-RecognizePassport.json", "AIS.0104"}}) {
    const auto other = compat_vector(name);
    const Reply r = replay(server, other, other["request"]["body"]["text"]);
    EXPECT_EQ(code(r), expected) << name << " " << r.body.dump();
  }
}

TEST(HuaweiSdkVectors, CapturedRequestsAreStaleForTheDefaultWindow) {
  const auto v = compat_vector("huawei-RecognizeGeneralText.json");
  const nlohmann::json config = {
      {"credentials", {{{"type", "huawei_aksk"}, {"ak", v["credentials"]["ak"]}, {"sk", v["credentials"]["sk"]}}}}};
  ServerProcess server({"--config", config_file(config)});
  const Reply r = replay(server, v, v["request"]["body"]["text"]);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(code(r), "APIGW.0301");
}

}  // namespace
}  // namespace ocrserve::test
