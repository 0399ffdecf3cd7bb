#include "server/http_server.h"

#include <malloc.h>
#include <signal.h>
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

#include "api/crypto.h"
#include "api/huawei_v2.h"
#include "api/signature.h"
#include "api/url_fetcher.h"
#include "ocrserve/error.h"
#include "server/metrics.h"
#include "server/options.h"
#include "server/worker_pool.h"

namespace ocrserve::server {

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

// What one request did, for the access log and the metrics. Never holds image bytes or results.
struct RequestRecord {
  std::string id;
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

Outcome error_outcome(const std::string& code, const std::string& message) {
  return {api::huawei_status_for(code), api::huawei_error_body(code, message), code};
}

class Service {
 public:
  explicit Service(ServerOptions options)
      : options_(std::move(options)),
        pool_(options_.workers, static_cast<size_t>(options_.queue_capacity)),
        fetcher_(api::UrlFetchPolicy{10 * 1024 * 1024, std::chrono::milliseconds(3000),
                                     std::chrono::milliseconds(options_.url_timeout_ms), 3, options_.url_allow}) {
    for (const auto& c : options_.credentials) {
      if (c.type == "huawei_aksk") aksk_.push_back({"huawei", c.id, c.secret});
    }
  }

  void load_engine() {
    const auto t0 = Clock::now();
    EngineOptions eo;
    eo.model_dir = options_.model_dir;
    eo.threads = options_.threads_per_request;
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

  // Auth: token, AK/SK signature, or anonymous when no credentials are configured.
  std::optional<Outcome> authenticate(const httplib::Request& req, const api::HuaweiRoute& route,
                                      const std::string& body, RequestRecord& record) {
    if (options_.credentials.empty()) return std::nullopt;
    const CredentialConfig* cred = nullptr;
    const std::string token = req.get_header_value("X-Auth-Token");
    const std::string authorization = req.get_header_value("Authorization");
    if (!token.empty()) {
      for (const auto& c : options_.credentials) {
        if (c.type == "token" && api::constant_time_equal(c.id, token)) cred = &c;
      }
      if (!cred)
        return error_outcome(api::huawei_codes::kTokenInvalid,
                             "Invalid Token header: the token is not accepted by this server");
    } else if (authorization.rfind("SDK-HMAC-SHA256", 0) == 0) {
      api::SignedRequest signed_request{req.method, req.path, raw_query(req), {}, body};
      for (const auto& [name, value] : req.headers) signed_request.headers.emplace_back(name, value);
      const auto lookup = [this](std::string_view vendor, std::string_view id) -> const api::Credential* {
        for (const auto& c : aksk_) {
          if (c.vendor == vendor && c.id == id) return &c;
        }
        return nullptr;
      };
      const api::VerifyResult result = api::verify_huawei(signed_request, lookup, std::chrono::system_clock::now(),
                                                          std::chrono::seconds(options_.auth_window_s));
      if (!result.ok())
        return error_outcome(api::huawei_codes::kAuthFailed,
                             "Incorrect IAM authentication information: " + result.message);
      for (const auto& c : options_.credentials) {
        if (c.type == "huawei_aksk" && c.id == result.key_id) cred = &c;
      }
    } else {
      return error_outcome(api::huawei_codes::kTokenMissing,
                           "Token header cannot be empty: send X-Auth-Token or sign the request with AK/SK");
    }
    // Tokens are secrets: the log names a token by its place in the config, an AK by itself.
    record.credential =
        cred->type == "token" ? "token#" + std::to_string(cred - options_.credentials.data()) : "ak:" + cred->id;
    if (!listed(cred->projects, route.project_id) || !listed(cred->apis, route.api)) {
      return error_outcome(api::huawei_codes::kApiNotEnabled, "Request api error! The API " + route.api +
                                                                  " is not enabled for this credential and project");
    }
    const double rate = cred->rate_limit_rps > 0 ? cred->rate_limit_rps : options_.rate_limit_rps;
    if (!limiter_.allow(cred->type + ":" + cred->id, rate, std::max(1.0, options_.rate_limit_burst))) {
      return error_outcome(api::huawei_codes::kThrottled, "The throttling threshold has been reached: slow down");
    }
    return std::nullopt;
  }

  // Parses and validates, fetches a url, then runs decode + recognition on a worker.
  Outcome recognize(const std::string& api, const std::string& body, RequestRecord& record,
                    Clock::time_point deadline) {
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
      return error_outcome(api::huawei_codes::kJsonFormat, "The JSON format of the input data is incorrect");
    }
    api::HuaweiJob job;
    api::ImageSource source;
    std::vector<std::uint8_t> fetched;
    try {
      source = api::parse_image_source(json);
      job = api::prepare_huawei_job(api, json, *engine_);
      if (source.url) {
        const auto t0 = Clock::now();
        fetched = fetcher_.fetch(*source.url).bytes;
        record.fetch_ms = ms_between(t0, Clock::now());
      }
    } catch (const Error& e) {
      return error_outcome(e.code(), e.what());
    }
    auto promise = std::make_shared<std::promise<Outcome>>();
    auto future = promise->get_future();
    const auto admitted = Clock::now();
    auto task = [this, promise, admitted, deadline, job = std::move(job), image = std::move(source.image),
                 bytes = std::move(fetched)]() mutable {
      Outcome out;
      try {
        if (Clock::now() >= deadline) {
          out =
              error_outcome(api::huawei_codes::kBackendTimeout, "Backend service timeout: the request waited too long");
        } else {
          out = run(job, image, bytes);
        }
      } catch (const Error& e) {
        out = error_outcome(e.code(), e.what());
      } catch (const std::exception&) {
        out = error_outcome(codes::kRecognitionFailed, "Recognition failed: internal error");
      }
      out.queue_ms = ms_between(admitted, Clock::now()) - out.decode_ms - out.infer_ms;
      promise->set_value(std::move(out));
    };
    if (!pool_.try_submit(std::move(task))) {
      return error_outcome(api::huawei_codes::kMaxConcurrency,
                           "Max concurrency error: the server is busy, retry later");
    }
    if (future.wait_until(deadline) != std::future_status::ready) {
      return error_outcome(api::huawei_codes::kBackendTimeout,
                           "Backend service timeout: recognition did not finish within the deadline");
    }
    return future.get();
  }

 private:
  Outcome run(const api::HuaweiJob& job, const std::optional<std::string>& image,
              const std::vector<std::uint8_t>& bytes) {
    Outcome out;
    const auto t0 = Clock::now();
    const ImageIntake intake(job.limits);
    const DecodedImage decoded = image ? intake.from_base64(*image, job.intake) : intake.from_bytes(bytes, job.intake);
    const auto t1 = Clock::now();
    const nlohmann::json result = job.extract(decoded.bgr);
    const auto t2 = Clock::now();
    out.body = nlohmann::json{{"result", result}}.dump();
    out.decode_ms = ms_between(t0, t1);
    out.infer_ms = ms_between(t1, t2);
    return out;
  }

  static std::string raw_query(const httplib::Request& req) {
    const size_t q = req.target.find('?');
    return q == std::string::npos ? std::string() : req.target.substr(q + 1);
  }

  static bool listed(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), "*") != list.end() ||
           std::find(list.begin(), list.end(), value) != list.end();
  }

  ServerOptions options_;
  WorkerPool pool_;
  api::UrlFetcher fetcher_;
  std::vector<api::Credential> aksk_;
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

bool is_json_content_type(const std::string& value) {
  std::string v;
  for (char c : value) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v.rfind("application/json", 0) == 0;
}

void handle_huawei(Service& service, const httplib::Request& req, httplib::Response& res,
                   const httplib::ContentReader& reader) {
  RequestRecord record;
  record.id = new_request_id();
  record.method = req.method;
  service.metrics().in_flight()++;
  const auto leave = [&] {
    finish(service, res, record);
    service.metrics().in_flight()--;
  };
  const auto route = api::parse_huawei_path(req.path);
  const api::HuaweiApi* known = route ? api::find_huawei_api(route->api) : nullptr;
  if (known) record.api = route->api;
  if (!known) {
    send(res,
         error_outcome(api::huawei_codes::kNotFound,
                       "The API does not exist: use POST /v2/{project_id}/ocr/<api> with one of the documented APIs"),
         record);
    return leave();
  }
  if (req.get_header_value("Content-Encoding") != "" && req.get_header_value("Content-Encoding") != "identity") {
    send(res,
         error_outcome(codes::kInvalidParameter, "Content-Encoding is not supported: send the JSON body uncompressed"),
         record);
    return leave();
  }
  if (!is_json_content_type(req.get_header_value("Content-Type"))) {
    send(res, error_outcome(codes::kInvalidParameter, "Content-Type must be application/json"), record);
    return leave();
  }
  // Content-Length is checked before a byte of the body is read.
  const std::string length = req.get_header_value("Content-Length");
  const bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (!chunked) {
    char* end = nullptr;
    const long long n = length.empty() ? -1 : std::strtoll(length.c_str(), &end, 10);
    if (length.empty() || *end != '\0' || n < 0) {
      send(res,
           error_outcome(api::huawei_codes::kContentLength,
                         "Invalid Request Content Length: send a Content-Length header"),
           record);
      res.set_header("Connection", "close");
      return leave();
    }
    if (n > service.options().max_body_bytes) {
      send(res,
           error_outcome(api::huawei_codes::kContentLength,
                         "Invalid Request Content Length: the body may not exceed 10 MB of base64 image data"),
           record);
      res.set_header("Connection", "close");
      return leave();
    }
  }
  std::string body;
  bool too_big = false;
  reader([&](const char* data, size_t n) {
    if (body.size() + n > static_cast<size_t>(service.options().max_body_bytes)) {
      too_big = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  record.bytes_in = body.size();
  if (too_big) {
    send(res,
         error_outcome(api::huawei_codes::kContentLength,
                       "Invalid Request Content Length: the body is larger than 10 MB"),
         record);
    res.set_header("Connection", "close");
    return leave();
  }
  if (auto denied = service.authenticate(req, *route, body, record)) {
    send(res, *denied, record);
    return leave();
  }
  if (!known->built) {
    send(res,
         error_outcome(api::huawei_codes::kApiNotEnabled,
                       "Request api error! The API " + route->api + " is not available on this server yet"),
         record);
    return leave();
  }
  if (!service.ready()) {
    send(res,
         error_outcome(api::huawei_codes::kServiceUnavailable, "The service is starting or stopping: retry shortly"),
         record);
    return leave();
  }
  const auto deadline = record.start + std::chrono::milliseconds(service.options().deadline_ms);
  send(res, service.recognize(route->api, body, record, deadline), record);
  leave();
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
  const sigset_t signals = termination_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // every thread created from here inherits the mask

  std::unique_ptr<Service> service;
  try {
    service = std::make_unique<Service>(options);
  } catch (const std::exception& e) {
    std::cerr << "ocrserve serve: " << e.what() << "\n";
    return 2;
  }
  httplib::Server http;
  http.new_task_queue = [n = options.http_threads] { return new httplib::ThreadPool(static_cast<size_t>(n)); };
  http.set_read_timeout(std::chrono::seconds(20));
  http.set_write_timeout(std::chrono::seconds(20));
  http.set_keep_alive_timeout(5);
  http.set_keep_alive_max_count(1000);  // the default (5) makes busy clients reconnect constantly
  http.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  http.Get("/readyz", [&](const httplib::Request&, httplib::Response& res) {
    res.status = service->ready() ? 200 : 503;
    res.set_content(service->ready() ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}", "application/json");
  });
  http.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(service->metrics().render(service->pool().queued(), service->pool().busy()),
                    "text/plain; version=0.0.4");
  });
  http.Post(R"(/v2/.*)", [&](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) { handle_huawei(*service, req, res, reader); });
  // Anything else gets a JSON error, never an HTML page.
  http.set_error_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
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

  const int port = options.port == 0 ? http.bind_to_any_port(options.host)
                                     : (http.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    std::cerr << "ocrserve serve: cannot bind " << options.host << ":" << options.port << "\n";
    return 2;
  }
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
  std::atomic<bool> signalled{false};
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled = true;
    service->set_draining();
    http.stop();  // stops accepting; requests in flight are answered before listen returns
  });
  http.listen_after_bind();
  if (!signalled) kill(getpid(), SIGTERM);  // listen ended on its own: release the waiting thread
  stopper.join();
  loader.join();
  service->pool().shutdown();
  std::fprintf(stderr, "{\"event\":\"stopped\"}\n");
  return 0;
}

}  // namespace ocrserve::server
