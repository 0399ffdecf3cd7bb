#include "server/http_server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/aliyun.h"
#include "api/crypto.h"
#include "api/huawei_v2.h"
#include "api/request_json.h"
#include "api/signature.h"
#include "api/tencent.h"
#include "api/url_fetcher.h"
#include "ocrserve/error.h"
#include "server/connection_threads.h"
#include "server/keep_alive_server.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/routes.h"
#include "server/static_files.h"
#include "server/worker_pool.h"

namespace ocrserve::server {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The three front doors: Huawei (/v2/{project_id}/ocr/{api}), Tencent (POST / with X-TC-Action)
// and Aliyun (POST / with x-acs-action). They differ in how a request names its API, signs itself
// and carries the image, and in how answers and errors are written; admission, limits, the worker
// pool and the extractors are one.
enum class Vendor { Huawei, Tencent, Aliyun };

const char* vendor_name(Vendor v) {
  return v == Vendor::Huawei ? "huawei" : v == Vendor::Tencent ? "tencent" : "aliyun";
}

// 32 hex digits (Huawei's X-Request-Id); Tencent and Aliyun write theirs as a UUID, Aliyun in
// capitals.
std::string new_request_id(Vendor vendor = Vendor::Huawei) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  if (vendor == Vendor::Huawei) return hex;
  std::string id(hex);
  id[12] = '4';                         // a version-4 (random) UUID
  id[16] = "89ab"[(id[16] - '0') & 3];  // its variant bits
  for (const size_t at : {20, 16, 12, 8}) id.insert(at, "-");
  if (vendor == Vendor::Aliyun) {
    for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return id;
}

// What one request did, for the access log and the metrics. Never holds image bytes or results.
struct RequestRecord {
  std::string id;
  std::string vendor = "huawei";
  std::string method;
  std::string api = "-";
  std::string credential = "-";
  int status = 0;
  std::string error_code;
  size_t bytes_in = 0;
  size_t bytes_out = 0;
  double queue_ms = 0, decode_ms = 0, infer_ms = 0, fetch_ms = 0;
  Clock::time_point start = Clock::now();
};

class AccessLog {
 public:
  void write(const RequestRecord& r) {
    const nlohmann::json line = {{"ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()},
                                 {"request_id", r.id},
                                 {"vendor", r.vendor},
                                 {"method", r.method},
                                 {"api", r.api},
                                 {"credential", r.credential},
                                 {"status", r.status},
                                 {"error_code", r.error_code},
                                 {"bytes_in", r.bytes_in},
                                 {"bytes_out", r.bytes_out},
                                 {"fetch_ms", round1(r.fetch_ms)},
                                 {"queue_ms", round1(r.queue_ms)},
                                 {"decode_ms", round1(r.decode_ms)},
                                 {"infer_ms", round1(r.infer_ms)},
                                 {"total_ms", round1(ms_between(r.start, Clock::now()))}};
    const std::string text = line.dump() + "\n";
    std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), stderr);
  }

 private:
  static double round1(double v) { return std::round(v * 10) / 10; }
  std::mutex mutex_;
};

struct Outcome {
  int status = 200;
  std::string body;
  std::string error_code;
  double decode_ms = 0, infer_ms = 0, queue_ms = 0;
};

// An error in the server's own terms (AIS.*, ModelArts.*, APIG*) or already in the vendor's,
// written as that vendor writes errors.
Outcome error_outcome(Vendor vendor, const std::string& code, const std::string& message, const std::string& request_id,
                      const std::string& reason = {}) {
  switch (vendor) {
    case Vendor::Tencent: {
      // Tencent's SDK reads coded errors only from HTTP 200.
      const std::string tc = api::tencent_error_code(code, reason);
      return {200, api::tencent_error_body(tc, message, request_id), tc};
    }
    case Vendor::Aliyun: {
      const api::AliyunError e = api::aliyun_error(code);
      return {e.status, api::aliyun_error_body(e.code, message, request_id), e.code};
    }
    case Vendor::Huawei:
      break;
  }
  return {api::huawei_status_for(code), api::huawei_error_body(code, message), code};
}

Outcome error_outcome(Vendor vendor, const Error& e, const std::string& request_id) {
  return error_outcome(vendor, e.code(), e.what(), request_id, e.reason());
}

std::string success_body(Vendor vendor, nlohmann::json result, const std::string& request_id) {
  switch (vendor) {
    case Vendor::Tencent:
      return api::tencent_success_body(std::move(result), request_id);
    case Vendor::Aliyun:
      return api::aliyun_success_body(result, request_id);
    case Vendor::Huawei:
      break;
  }
  return nlohmann::json{{"result", std::move(result)}}.dump();
}

// A request ready for a worker: the job, and the image as base64, raw bytes or a url to fetch.
struct Work {
  api::RecognitionJob job;
  std::optional<std::string> image_base64;
  std::string image_bytes;
  std::optional<std::string> url;
};

// Why a request was refused before any work: a code in the server's or the vendor's terms.
struct Refusal {
  std::string code;
  std::string message;
};

std::string raw_query(const httplib::Request& req) {
  const size_t q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

api::SignedRequest signed_request(const httplib::Request& req, const std::string& body) {
  api::SignedRequest out{req.method, req.path, raw_query(req), {}, body};
  for (const auto& [name, value] : req.headers) out.headers.emplace_back(name, value);
  return out;
}

class Service {
 public:
  explicit Service(ServerOptions options)
      : options_(std::move(options)),
        pool_(options_.workers, static_cast<size_t>(options_.queue_capacity)),
        fetcher_(api::UrlFetchPolicy{10 * 1024 * 1024, std::chrono::milliseconds(3000),
                                     std::chrono::milliseconds(options_.url_timeout_ms), 3, options_.url_allow}),
        // The running binary, even once its file has been replaced by an upgrade.
        pdf_{"/proc/self/exe", std::chrono::milliseconds(options_.pdf_render_timeout_ms)} {
    for (const auto& c : options_.credentials) {
      if (c.type == "huawei_aksk") keys_.push_back({"huawei", c.id, c.secret});
      if (c.type == "tencent") keys_.push_back({"tencent", c.id, c.secret});
      if (c.type == "aliyun") keys_.push_back({"aliyun", c.id, c.secret});
    }
  }

  void load_engine() {
    const auto t0 = Clock::now();
    EngineOptions eo;
    eo.model_dir = options_.model_dir;
    eo.threads = options_.threads_per_request;
    eo.spin_within_runs = threads_fit_cores(options_.workers, eo.threads);
    engine_ = std::make_unique<OcrEngine>(eo);
    metrics_.set_model_load_seconds(ms_between(t0, Clock::now()) / 1000.0);
    ready_ = true;
  }

  bool ready() const { return ready_; }
  void set_draining() { ready_ = false; }
  Metrics& metrics() { return metrics_; }
  WorkerPool& pool() { return pool_; }
  AccessLog& log() { return log_; }
  const ServerOptions& options() const { return options_; }
  const OcrEngine& engine() const { return *engine_; }
  bool anonymous() const { return options_.credentials.empty(); }

  // Huawei: X-Auth-Token or an SDK-HMAC-SHA256 signature.
  std::optional<Refusal> authenticate_huawei(const httplib::Request& req, const api::HuaweiRoute& route,
                                             const std::string& body, RequestRecord& record) {
    if (anonymous()) return std::nullopt;
    const CredentialConfig* cred = nullptr;
    const std::string token = req.get_header_value("X-Auth-Token");
    const std::string authorization = req.get_header_value("Authorization");
    if (!token.empty()) {
      for (const auto& c : options_.credentials) {
        if (c.type == "token" && api::constant_time_equal(c.id, token)) cred = &c;
      }
      if (!cred)
        return Refusal{api::huawei_codes::kTokenInvalid,
                       "Invalid Token header: the token is not accepted by this server"};
    } else if (authorization.rfind("SDK-HMAC-SHA256", 0) == 0) {
      const api::VerifyResult result =
          api::verify_huawei(signed_request(req, body), lookup(), now(), std::chrono::seconds(options_.auth_window_s));
      if (!result.ok())
        return Refusal{api::huawei_codes::kAuthFailed, "Incorrect IAM authentication information: " + result.message};
      cred = find("huawei_aksk", result.key_id);
    } else {
      return Refusal{api::huawei_codes::kTokenMissing,
                     "Token header cannot be empty: send X-Auth-Token or sign the request with AK/SK"};
    }
    // Tokens are secrets: the log names a token by its place in the config, an AK by itself.
    record.credential =
        cred->type == "token" ? "token#" + std::to_string(cred - options_.credentials.data()) : "ak:" + cred->id;
    if (!listed(cred->projects, route.project_id) || !listed(cred->apis, route.api)) {
      return Refusal{api::huawei_codes::kApiNotEnabled,
                     "Request api error! The API " + route.api + " is not enabled for this credential and project"};
    }
    return admit(*cred);
  }

  // Tencent: TC3-HMAC-SHA256, a window of tencent_auth_window_s.
  std::optional<Refusal> authenticate_tencent(const httplib::Request& req, const std::string& body,
                                              std::string_view action, std::string_view api, RequestRecord& record) {
    if (anonymous()) return std::nullopt;
    const api::VerifyResult result = api::verify_tencent(signed_request(req, body), lookup(), now(),
                                                         std::chrono::seconds(options_.tencent_auth_window_s));
    if (!result.ok()) {
      using F = api::SignatureFailure;
      namespace tc = api::tencent_codes;
      const char* code = result.failure == F::UnknownKey                                  ? tc::kSecretIdNotFound
                         : result.failure == F::Expired                                   ? tc::kSignatureExpire
                         : result.failure == F::Missing || result.failure == F::Malformed ? tc::kInvalidAuthorization
                                                                                          : tc::kSignatureFailure;
      return Refusal{code, "The request signature does not verify: " + result.message};
    }
    return admit_vendor(find("tencent", result.key_id), action, api, record);
  }

  // Aliyun: ACS3-HMAC-SHA256 with the body's hash and a nonce used once.
  std::optional<Refusal> authenticate_aliyun(const httplib::Request& req, const std::string& body,
                                             std::string_view action, std::string_view api, RequestRecord& record) {
    if (anonymous()) return std::nullopt;
    const api::VerifyResult result = api::verify_aliyun(signed_request(req, body), lookup(), nonces_, now(),
                                                        std::chrono::seconds(options_.auth_window_s));
    if (!result.ok()) {
      using F = api::SignatureFailure;
      namespace ac = api::aliyun_codes;
      const char* code = result.failure == F::UnknownKey                                  ? ac::kAccessKeyNotFound
                         : result.failure == F::Expired                                   ? ac::kTimestampExpired
                         : result.failure == F::Replayed                                  ? ac::kNonceUsed
                         : result.failure == F::Missing || result.failure == F::Malformed ? ac::kIncompleteSignature
                                                                                          : ac::kSignatureDoesNotMatch;
      return Refusal{code, "The request signature does not verify: " + result.message};
    }
    return admit_vendor(find("aliyun", result.key_id), action, api, record);
  }

  // Fetches a url when the image is one, then runs decode + recognition on a worker.
  // `client_gone` is asked before work that had to wait in the queue: a client that has gone does
  // not keep the workers from those still waiting.
  Outcome recognize(Vendor vendor, Work work, RequestRecord& record, Clock::time_point deadline,
                    std::function<bool()> client_gone) {
    try {
      if (work.url) {
        const auto t0 = Clock::now();
        std::vector<std::uint8_t> fetched = fetcher_.fetch(*work.url).bytes;
        work.image_bytes.assign(fetched.begin(), fetched.end());
        record.fetch_ms = ms_between(t0, Clock::now());
      }
    } catch (const Error& e) {
      return error_outcome(vendor, e, record.id);
    }
    auto promise = std::make_shared<std::promise<Outcome>>();
    auto future = promise->get_future();
    const auto admitted = Clock::now();
    auto task = [this, vendor, promise, admitted, deadline, client_gone = std::move(client_gone), id = record.id,
                 work = std::move(work)]() mutable {
      Outcome out;
      try {
        if (Clock::now() - admitted > kProbeAfterQueueWait && client_gone()) {
          out = {499, "", "client_closed_request"};  // nobody to answer; the status is for the log
        } else if (Clock::now() >= deadline) {
          out = error_outcome(vendor, api::huawei_codes::kBackendTimeout,
                              "Backend service timeout: the request waited too long", id);
        } else {
          out = run(vendor, work, id);
        }
      } catch (const Error& e) {
        out = error_outcome(vendor, e, id);
      } catch (const std::exception&) {
        out = error_outcome(vendor, codes::kRecognitionFailed, "Recognition failed: internal error", id);
      }
      out.queue_ms = ms_between(admitted, Clock::now()) - out.decode_ms - out.infer_ms;
      promise->set_value(std::move(out));
    };
    if (!pool_.try_submit(std::move(task))) {
      return error_outcome(vendor, api::huawei_codes::kMaxConcurrency,
                           "Max concurrency error: the server is busy, retry later", record.id);
    }
    if (future.wait_until(deadline) != std::future_status::ready) {
      return error_outcome(vendor, api::huawei_codes::kBackendTimeout,
                           "Backend service timeout: recognition did not finish within the deadline", record.id);
    }
    return future.get();
  }

 private:
  Outcome run(Vendor vendor, const Work& work, const std::string& request_id) {
    Outcome out;
    const auto t0 = Clock::now();
    const ImageIntake intake(work.job.limits, pdf_);
    const DecodedImage decoded = work.image_base64
                                     ? intake.from_base64(*work.image_base64, work.job.intake)
                                     : intake.from_bytes(reinterpret_cast<const std::uint8_t*>(work.image_bytes.data()),
                                                         work.image_bytes.size(), work.job.intake);
    const auto t1 = Clock::now();
    nlohmann::json result = work.job.extract(decoded);
    const auto t2 = Clock::now();
    out.body = success_body(vendor, std::move(result), request_id);
    out.decode_ms = ms_between(t0, t1);
    out.infer_ms = ms_between(t1, t2);
    return out;
  }

  static constexpr std::chrono::milliseconds kProbeAfterQueueWait{20};

  static std::chrono::system_clock::time_point now() { return std::chrono::system_clock::now(); }

  api::CredentialLookup lookup() const {
    return [this](std::string_view vendor, std::string_view id) -> const api::Credential* {
      for (const auto& c : keys_) {
        if (c.vendor == vendor && c.id == id) return &c;
      }
      return nullptr;
    };
  }

  const CredentialConfig* find(std::string_view type, std::string_view id) const {
    for (const auto& c : options_.credentials) {
      if (c.type == type && c.id == id) return &c;
    }
    return nullptr;
  }

  // A verified Tencent or Aliyun key: its APIs (by action or by API name), then its rate.
  std::optional<Refusal> admit_vendor(const CredentialConfig* cred, std::string_view action, std::string_view api,
                                      RequestRecord& record) {
    record.credential = "key:" + cred->id;
    if (!listed(cred->apis, std::string(action)) && !listed(cred->apis, std::string(api))) {
      return Refusal{api::huawei_codes::kApiNotEnabled,
                     "The action " + std::string(action) + " is not enabled for this key"};
    }
    return admit(*cred);
  }

  // One rate limiter for the three front doors, keyed by credential.
  std::optional<Refusal> admit(const CredentialConfig& cred) {
    const double rate = cred.rate_limit_rps > 0 ? cred.rate_limit_rps : options_.rate_limit_rps;
    if (!limiter_.allow(cred.type + ":" + cred.id, rate, std::max(1.0, options_.rate_limit_burst))) {
      return Refusal{api::huawei_codes::kThrottled, "The throttling threshold has been reached: slow down"};
    }
    return std::nullopt;
  }

  static bool listed(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), "*") != list.end() ||
           std::find(list.begin(), list.end(), value) != list.end();
  }

  ServerOptions options_;
  WorkerPool pool_;
  api::UrlFetcher fetcher_;
  const PdfRenderPolicy pdf_;  // the server renders PDF pages in a child process (itself)
  std::vector<api::Credential> keys_;
  api::NonceCache nonces_;
  RateLimiter limiter_;
  Metrics metrics_;
  AccessLog log_;
  std::unique_ptr<OcrEngine> engine_;
  std::atomic<bool> ready_{false};
};

void send(httplib::Response& res, const Outcome& out, RequestRecord& record) {
  res.status = out.status;
  res.set_content(out.body, "application/json;charset=UTF-8");
  record.status = out.status;
  record.error_code = out.error_code;
  record.bytes_out = out.body.size();
  record.queue_ms = out.queue_ms;
  record.decode_ms = out.decode_ms;
  record.infer_ms = out.infer_ms;
}

void finish(Service& service, httplib::Response& res, RequestRecord& record) {
  res.set_header("X-Request-Id", record.id);
  service.metrics().record(record.api, record.status, record.error_code,
                           ms_between(record.start, Clock::now()) / 1000.0);
  service.log().write(record);
}

std::string lowercase(std::string v) {
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v;
}

bool is_json_content_type(const std::string& value) {
  return lowercase(value).rfind("application/json", 0) == 0;
}

// The body, read only once its declared length is acceptable; a Refusal (ModelArts.4104) otherwise,
// after which the connection is not to be read on.
std::optional<Refusal> read_body(Service& service, const httplib::Request& req, const httplib::ContentReader& reader,
                                 std::string& body) {
  const long long limit = service.options().max_body_bytes;
  const std::string length = req.get_header_value("Content-Length");
  const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (!chunked) {
    char* end = nullptr;
    const long long n = length.empty() ? -1 : std::strtoll(length.c_str(), &end, 10);
    if (length.empty() || *end != '\0' || n < 0) {
      return Refusal{api::huawei_codes::kContentLength, "Invalid Request Content Length: send a Content-Length header"};
    }
    if (n > limit) {
      return Refusal{api::huawei_codes::kContentLength,
                     "Invalid Request Content Length: the body may not exceed 10 MB of image data"};
    }
  }
  bool too_big = false;
  reader([&](const char* data, size_t n) {
    if (body.size() + n > static_cast<size_t>(limit)) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  if (too_big) {
    return Refusal{api::huawei_codes::kContentLength, "Invalid Request Content Length: the body is larger than 10 MB"};
  }
  return std::nullopt;
}

// What a front door found in a request: the API it names (for logs, metrics and credentials), or
// why it cannot be served, and the work once the body is in.
struct Routed {
  std::string api;
  std::string action;  // the vendor's name for it (Tencent, Aliyun)
  std::optional<Refusal> refusal;
};

Routed route_huawei(const httplib::Request& req) {
  const auto route = api::parse_huawei_path(req.path);
  const api::HuaweiApi* known = route ? api::find_huawei_api(route->api) : nullptr;
  if (!known) {
    return {"-", "",
            Refusal{api::huawei_codes::kNotFound,
                    "The API does not exist: use POST /v2/{project_id}/ocr/<api> with one of the documented "
                    "APIs"}};
  }
  if (!is_json_content_type(req.get_header_value("Content-Type")))
    return {route->api, "", Refusal{codes::kInvalidParameter, "Content-Type must be application/json"}};
  return {route->api, route->api, std::nullopt};
}

Routed route_tencent(const httplib::Request& req) {
  const std::string action = req.get_header_value("X-TC-Action");
  const api::TencentAction* known = api::find_tencent_action(action);
  if (!known) {
    return {"-", action,
            Refusal{api::tencent_codes::kInvalidAction,
                    "The action is not served here: use PermitOCR, MainlandPermitOCR, MLIDPassportOCR or "
                    "GeneralBasicOCR"}};
  }
  const std::string api(known->api);
  if (req.get_header_value("X-TC-Version") != api::kTencentVersion)
    return {api, action, Refusal{api::tencent_codes::kNoSuchVersion, "X-TC-Version must be 2018-11-19"}};
  if (!is_json_content_type(req.get_header_value("Content-Type")))
    return {api, action,
            Refusal{api::tencent_codes::kInvalidParameter, "Content-Type must be application/json (TC3-HMAC-SHA256)"}};
  return {api, action, std::nullopt};
}

Routed route_aliyun(const httplib::Request& req) {
  const std::string action = req.get_header_value("x-acs-action");
  const api::AliyunAction* known = api::find_aliyun_action(action);
  if (!known) {
    return {"-", action,
            Refusal{api::aliyun_codes::kInvalidAction,
                    "Specified api is not found: use RecognizeExitEntryPermitToMainland, "
                    "RecognizeExitEntryPermitToHK, RecognizePassport or RecognizeGeneral"}};
  }
  const std::string api(known->api);
  if (req.get_header_value("x-acs-version") != api::kAliyunVersion)
    return {api, action, Refusal{api::aliyun_codes::kInvalidVersion, "x-acs-version must be 2021-07-07"}};
  return {api, action, std::nullopt};
}

// The body parsed into work by each door's contract.
Work prepare_work(Vendor vendor, const httplib::Request& req, const Routed& routed, std::string body,
                  const OcrEngine& engine) {
  Work work;
  if (vendor == Vendor::Aliyun) {
    const auto query = api::decode_query(raw_query(req));
    if (!query) throw Error(api::aliyun_codes::kInvalidParameter, "The query string has an invalid percent-escape");
    api::AliyunJob job =
        api::prepare_aliyun_job(*api::find_aliyun_action(routed.action), *query, !body.empty(), engine);
    work.job = std::move(job.job);
    work.url = std::move(job.url);
    work.image_bytes = std::move(body);
    return work;
  }
  nlohmann::json json;
  try {
    json = api::parse_request_json(body);
  } catch (const nlohmann::json::exception&) {
    throw Error(api::huawei_codes::kJsonFormat, "The JSON format of the input data is incorrect");
  }
  if (vendor == Vendor::Tencent) {
    api::TencentJob job = api::prepare_tencent_job(*api::find_tencent_action(routed.action), json, engine);
    work.job = std::move(job.job);
    work.image_base64 = std::move(job.image_base64);
    work.url = std::move(job.url);
    return work;
  }
  const api::ImageSource source = api::parse_image_source(json);
  work.job = api::prepare_huawei_job(routed.api, json, engine);
  work.image_base64 = source.image;
  work.url = source.url;
  return work;
}

void handle(Service& service, KeepAliveServer& http, Vendor vendor, const httplib::Request& req, httplib::Response& res,
            const httplib::ContentReader& reader) {
  RequestRecord record;
  record.id = new_request_id(vendor);
  record.vendor = vendor_name(vendor);
  record.method = req.method;
  service.metrics().in_flight()++;
  const auto answer = [&](const Outcome& out) {
    send(res, out, record);
    finish(service, res, record);
    service.metrics().in_flight()--;
  };
  const auto refuse = [&](const Refusal& r) { answer(error_outcome(vendor, r.code, r.message, record.id)); };

  const Routed routed = vendor == Vendor::Huawei    ? route_huawei(req)
                        : vendor == Vendor::Tencent ? route_tencent(req)
                                                    : route_aliyun(req);
  record.api = routed.api;
  // The body is read (within its limit) before any answer, even a refusal: a keep-alive client is
  // still sending it, and httplib would take the unread rest for the next request.
  std::string body;
  if (auto r = read_body(service, req, reader, body)) {
    send(res, error_outcome(vendor, r->code, r->message, record.id), record);
    http.end_after_answer(req, res);
    finish(service, res, record);
    service.metrics().in_flight()--;
    return;
  }
  record.bytes_in = body.size();
  if (routed.refusal) return refuse(*routed.refusal);
  const std::string encoding = req.get_header_value("Content-Encoding");
  if (!encoding.empty() && encoding != "identity")
    return refuse({codes::kInvalidParameter, "Content-Encoding is not supported: send the body uncompressed"});

  std::optional<Refusal> denied;
  if (vendor == Vendor::Huawei) {
    denied = service.authenticate_huawei(req, *api::parse_huawei_path(req.path), body, record);
  } else if (vendor == Vendor::Tencent) {
    denied = service.authenticate_tencent(req, body, routed.action, routed.api, record);
  } else {
    denied = service.authenticate_aliyun(req, body, routed.action, routed.api, record);
  }
  if (denied) return refuse(*denied);
  if (!api::find_huawei_api(routed.api)->built) {
    return refuse({api::huawei_codes::kApiNotEnabled,
                   "Request api error! The API " + routed.api + " is not available on this server yet"});
  }
  if (!service.ready())
    return refuse({api::huawei_codes::kServiceUnavailable, "The service is starting or stopping: retry shortly"});
  Work work;
  try {
    work = prepare_work(vendor, req, routed, std::move(body), service.engine());
  } catch (const Error& e) {
    return answer(error_outcome(vendor, e, record.id));
  }
  const auto deadline = record.start + std::chrono::milliseconds(service.options().deadline_ms);
  answer(service.recognize(
      vendor, std::move(work), record, deadline,
      [&http, connection = KeepAliveServer::connection_of(req)] { return http.client_gone(connection); }));
}

// POST / carries the action in a header: X-TC-Action (Tencent) or x-acs-action (Aliyun).
void handle_root(Service& service, KeepAliveServer& http, const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader) {
  if (req.has_header("X-TC-Action")) return handle(service, http, Vendor::Tencent, req, res, reader);
  if (req.has_header("x-acs-action")) return handle(service, http, Vendor::Aliyun, req, res, reader);
  RequestRecord record;
  record.id = new_request_id();
  record.method = req.method;
  send(res,
       error_outcome(Vendor::Huawei, api::huawei_codes::kNotFound,
                     "POST / needs X-TC-Action (Tencent) or x-acs-action (Aliyun); Huawei APIs are at "
                     "/v2/{project_id}/ocr/<api>",
                     record.id),
       record);
  // Its body is not read: what is left of it must not be taken for the next request.
  http.end_after_answer(req, res);
  finish(service, res, record);
}

// Debian's libcpp-httplib is built with a listen backlog of 5, so a burst of clients waits on SYN
// retries. Linux takes a second listen() on the bound socket as a new backlog; the fd is checked to
// be our listening socket first.
void widen_listen_backlog(int fd, int port) {
  int accepting = 0;
  socklen_t size = sizeof accepting;
  sockaddr_storage address{};
  socklen_t address_size = sizeof address;
  if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) != 0 || !accepting ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_size) != 0)
    return;
  const int bound = address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                                                  : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (bound == port) ::listen(fd, 1024);
}

// SIGTERM/SIGINT are handled by one thread that waits for them: stop accepting, finish what is
// in flight, exit.
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

int run_server(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << server_options_help();
      return 0;
    }
  }
  ServerOptions options;
  try {
    options = load_server_options(args);
  } catch (const std::exception& e) {
    std::cerr << "ocrserve serve: " << e.what() << "\n";
    return 2;
  }
  if (options.workers == 0) options.workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (options.credentials.empty() && !is_loopback_host(options.host)) {
    std::cerr << "ocrserve serve: refusing to bind " << options.host
              << " without credentials: anyone could call the API. Add a \"credentials\" list to the config file, "
                 "or bind 127.0.0.1.\n";
    return 2;
  }
  // glibc gives every thread that allocates its own arena; with dozens of connection threads the
  // freed memory is spread over arenas it never returns from. Two arenas keep RSS flat.
  mallopt(M_ARENA_MAX, 2);
  // A thread and a socket per connection: take every file descriptor the hard limit allows.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // every thread created from here inherits the mask

  std::unique_ptr<Service> service;
  try {
    service = std::make_unique<Service>(options);
  } catch (const std::exception& e) {
    std::cerr << "ocrserve serve: " << e.what() << "\n";
    return 2;
  }
  KeepAliveServer http;
  http.new_task_queue = [n = options.http_threads] {
    return new ConnectionThreads(static_cast<size_t>(n), std::chrono::seconds(30));
  };
  http.set_read_timeout(std::chrono::seconds(20));
  http.set_write_timeout(std::chrono::seconds(20));
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1000);  // the default (5) makes busy clients reconnect constantly
  // An answer leaves in more than one write: with Nagle on, the last waits for the client to
  // acknowledge the first, and a client that delays its ACK adds ~40 ms to every request.
  http.set_tcp_nodelay(true);
  http.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));

  // Every route from the one table that `ocrserve routes` prints (server/routes.h).
  const auto huawei = [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
    handle(*service, http, Vendor::Huawei, req, res, reader);
  };
  for (const Route& route : routes()) {
    switch (route.kind) {
      case RouteKind::Health:
        http.Get(route.pattern, [](const httplib::Request&, httplib::Response& res) {
          res.set_content("{\"status\":\"ok\"}", "application/json");
        });
        break;
      case RouteKind::Ready:
        http.Get(route.pattern, [&](const httplib::Request&, httplib::Response& res) {
          res.status = service->ready() ? 200 : 503;
          res.set_content(service->ready() ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}",
                          "application/json");
        });
        break;
      case RouteKind::Metrics:
        http.Get(route.pattern, [&](const httplib::Request&, httplib::Response& res) {
          res.set_content(service->metrics().render(service->pool().queued(), service->pool().busy()),
                          "text/plain; version=0.0.4");
        });
        break;
      case RouteKind::Huawei:
        http.Post(route.pattern, huawei);
        break;
      case RouteKind::VendorRoot:
        http.Post(route.pattern,
                  [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                    handle_root(*service, http, req, res, reader);
                  });
        break;
      // The console and the OpenAPI document need no credentials: they hold no data, and the calls
      // the console makes carry the token.
      case RouteKind::ConsoleIndex:
        http.Get(route.pattern, [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/console/"); });
        break;
      case RouteKind::ConsoleFile:
        http.Get(route.pattern,
                 [web = options.web_dir + "/console"](const httplib::Request& req, httplib::Response& res) {
                   serve_static(web, req.matches[1].str(), res);
                 });
        break;
      case RouteKind::OpenApi:
        http.Get(route.pattern, [web = options.web_dir](const httplib::Request&, httplib::Response& res) {
          serve_static(web, "openapi.json", res);
        });
        break;
    }
  }
  // Not a route: any other POST under /v2/ is answered APIGW.0101 by the Huawei door without its
  // body being read.
  http.Post(R"(/v2/.*)", huawei);
  // Anything else gets a JSON error, never an HTML page.
  http.set_error_handler([&](const httplib::Request& req, httplib::Response& res) {
    // Our own answer (httplib calls this for any 4xx): one with a body, or a logged one without
    // (499, nobody to answer).
    if (!res.body.empty() || res.content_provider_ || res.has_header("X-Request-Id")) return;
    RequestRecord record;
    record.id = new_request_id();
    record.method = req.method;
    const bool huawei_path = api::parse_huawei_path(req.path).has_value();
    const std::string code = api::huawei_codes::kNotFound;
    const std::string message = huawei_path && res.status == 404
                                    ? "Method " + req.method + " is not allowed here: use POST"
                                    : "Not found: use POST /v2/{project_id}/ocr/<api>";
    const int status = huawei_path && res.status == 404 ? 405 : res.status;
    res.status = status;
    res.set_content(
        api::huawei_error_body(res.status == 413 ? api::huawei_codes::kContentLength : code,
                               res.status == 413 ? "Invalid Request Content Length: the body is too large" : message),
        "application/json;charset=UTF-8");
    record.status = res.status;
    record.error_code = res.status == 413 ? api::huawei_codes::kContentLength : code;
    finish(*service, res, record);
  });
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", new_request_id());
  });
  http.set_exception_handler([&](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(api::huawei_error_body(codes::kRecognitionFailed, "Internal error"), "application/json");
  });

  int listening_fd = -1;
  http.set_socket_options([&listening_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listening_fd = sock;
  });
  const int port = options.port == 0 ? http.bind_to_any_port(options.host)
                                     : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    std::cerr << "ocrserve serve: cannot bind " << options.host << ":" << options.port << "\n";
    return 2;
  }
  widen_listen_backlog(listening_fd, port);
  std::printf("ocrserve listening on http://%s:%d\n", options.host.c_str(), port);
  std::fflush(stdout);

  std::thread loader([&] {
    try {
      service->load_engine();
      std::fprintf(stderr, "{\"event\":\"ready\"}\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "ocrserve serve: cannot load models: %s\n", e.what());
      std::_Exit(3);
    }
  });
  std::atomic<bool> signalled{false}, listen_over{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled = true;
    service->set_draining();
    // httplib acts on stop() only once its accept loop runs: a SIGTERM the moment the listening
    // line is out (a supervisor, the deploy test) could come first and be lost, and the server
    // ran on. Stop once it runs; stop() ends accepting, requests in flight are still answered.
    while (!listen_over) {
      if (http.is_running()) {
        http.stop();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  http.listen_after_bind();
  listen_over = true;
  if (!signalled) kill(getpid(), SIGTERM);  // listen ended on its own: release the waiting thread
  stopper.join();
  loader.join();
  service->pool().shutdown();
  std::fprintf(stderr, "{\"event\":\"stopped\"}\n");
  return 0;
}

}  // namespace ocrserve::server
