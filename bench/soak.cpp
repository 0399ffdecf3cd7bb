// bench/soak: a real ocrserve (loopback) kept at saturation with a mix of valid and invalid requests
// through the three front doors, for --duration seconds (default 1800). Every --interval seconds
// (default 60) it prints requests, errors by code, p99 latency and the server's RSS, the lowest and
// the highest of the interval's one-second samples: the low one is what the server holds, the high
// one adds the images and tensors of the work in flight at that moment. At the end it compares the
// RSS at the last interval with the RSS at one sixth of the run (minute 30 against minute 5 by
// default), each the interval's low. Exit status 1 on any unexpected answer, a dead server or a
// growth above --max-rss-growth percent (default 5).
//   build/bench/bench_soak [--duration S] [--interval S] [--connections N] [--max-rss-growth P]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "ocrserve/image_intake.h"
#include "passport.h"
#include "permit.h"
#include "synth.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Call {
  std::string name;
  std::string path = "/";
  httplib::Headers headers;
  std::string body;
  std::string content_type = "application/json";
  int status = 200;
  std::string code;  // the expected error code; empty: a success
};

std::string encode(const cv::Mat& image, const char* ext) {
  std::vector<uchar> bytes;
  cv::imencode(ext, image, bytes);
  return {bytes.begin(), bytes.end()};
}

std::string b64(const std::string& bytes) {
  return ocrserve::encode_base64(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

std::vector<Call> request_mix() {
  synth::PermitOptions po;
  po.type = synth::PermitType::ExitEntryHkMo;
  po.seed = 5;
  po.photographed = true;
  const std::string permit = encode(synth::render_permit(po).image, ".jpg");
  po.type = synth::PermitType::MainlandHkMo;
  po.photographed = false;
  const std::string mainland = encode(synth::render_permit(po).image, ".png");
  synth::PassportOptions pp;
  pp.seed = 5;
  const std::string passport = encode(synth::render_passport(pp).image, ".png");
  const std::string card = encode(synth::render(synth::Kind::Card, 5).image, ".png");
  const httplib::Headers tencent = {{"X-TC-Action", "PermitOCR"}, {"X-TC-Version", "2018-11-19"}};
  const auto aliyun = [](const char* action) {
    return httplib::Headers{{"x-acs-action", action}, {"x-acs-version", "2021-07-07"}};
  };
  std::vector<Call> mix = {
      {"huawei general-text",
       "/v2/p/ocr/general-text",
       {},
       json{{"image", b64(card)}}.dump(),
       "application/json",
       200,
       ""},
      {"huawei exit-entry-permit",
       "/v2/p/ocr/exit-entry-permit",
       {},
       json{{"image", b64(permit)}}.dump(),
       "application/json",
       200,
       ""},
      {"huawei passport", "/v2/p/ocr/passport", {}, json{{"image", b64(passport)}}.dump(), "application/json", 200, ""},
      {"tencent PermitOCR", "/", tencent, json{{"ImageBase64", b64(permit)}}.dump(), "application/json", 200, ""},
      {"aliyun ToMainland", "/", aliyun("RecognizeExitEntryPermitToMainland"), mainland, "application/octet-stream",
       200, ""},
      {"aliyun RecognizeGeneral", "/", aliyun("RecognizeGeneral"), card, "application/octet-stream", 200, ""},
      // Invalid ones, each with its documented answer.
      {"bad base64", "/v2/p/ocr/general-text", {}, R"({"image":"***"})", "application/json", 400, "AIS.0102"},
      {"bad json", "/v2/p/ocr/general-text", {}, R"({"image":)", "application/json", 400, "ModelArts.4105"},
      {"unknown api", "/v2/p/ocr/no-such-api", {}, "{}", "application/json", 404, "APIGW.0101"},
      {"wrong family",
       "/v2/p/ocr/mainland-travel-permit",
       {},
       json{{"image", b64(permit)}}.dump(),
       "application/json",
       400,
       "AIS.0104"},
      {"tencent unknown field", "/", tencent, R"({"ImageBase64":"AAAA","Foo":1})", "application/json", 200,
       "UnknownParameter"},
      {"aliyun no image", "/", aliyun("RecognizeGeneral"), "", "application/octet-stream", 400, "MissingParameter"},
  };
  return mix;
}

// The error code of an answer in any door's shape; "" for a success.
std::string code_of(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return "non-json";
  if (j.contains("error_code")) return j["error_code"];
  if (j.contains("Response") && j["Response"].contains("Error")) return j["Response"]["Error"].value("Code", "?");
  if (j.contains("Code")) return j["Code"];
  return "";
}

bool by_design(int status, const std::string& code) {
  return status == 429 || code == "RequestLimitExceeded";  // saturation: the queue is full
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Interval {
  long requests = 0, ok = 0, expected_errors = 0, throttled = 0, unexpected = 0;
  std::map<std::string, long> codes;
  std::vector<double> ms;
};

}  // namespace

int main(int argc, char** argv) {
  int duration = 1800, interval = 60, connections = 8;
  double max_growth = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--duration")
      duration = std::stoi(argv[i + 1]);
    else if (a == "--interval")
      interval = std::stoi(argv[i + 1]);
    else if (a == "--connections")
      connections = std::stoi(argv[i + 1]);
    else if (a == "--max-rss-growth")
      max_growth = std::stod(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_soak [--duration S] [--interval S] [--connections N] [--max-rss-growth P]\n");
      return 2;
    }
  }
  const std::vector<Call> mix = request_mix();

  int out[2];
  if (pipe(out) != 0) return 2;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    if (FILE* null = std::fopen("/dev/null", "w")) dup2(fileno(null), STDERR_FILENO);  // the access log
    close(out[0]);
    const std::string binary = OCRSERVE_BINARY;
    execl(binary.c_str(), binary.c_str(), "serve", "--port", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  char line[256] = {};
  FILE* server_out = fdopen(out[0], "r");
  if (!server_out || !std::fgets(line, sizeof line, server_out)) return 2;
  const std::string started(line);
  const int port = std::atoi(started.c_str() + started.rfind(':') + 1);
  httplib::Client probe("127.0.0.1", port);
  for (int i = 0; i < 600; ++i) {
    if (auto r = probe.Get("/readyz"); r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  std::mutex mutex;
  Interval current;
  std::map<std::string, long> unexpected_detail;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(std::chrono::seconds(60));
      std::mt19937 rng(static_cast<unsigned>(c) * 7919u + 1);
      while (!stop) {
        const Call& call = mix[rng() % mix.size()];
        const auto t0 = Clock::now();
        const auto r = client.Post(call.path, call.headers, call.body, call.content_type);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const int status = r ? r->status : -1;
        const std::string code = r ? code_of(r->body) : "no answer";
        std::lock_guard lock(mutex);
        ++current.requests;
        current.ms.push_back(ms);
        if (status == call.status && code == call.code) {
          (code.empty() ? current.ok : current.expected_errors)++;
          if (!code.empty()) ++current.codes[code];
        } else if (by_design(status, code)) {
          ++current.throttled;
        } else {
          ++current.unexpected;
          ++unexpected_detail[call.name + " -> " + std::to_string(status) + " " + code];
        }
      }
    });
  }

  // RSS per interval: the lowest and the highest of its one-second samples. The low one is what
  // the server holds; the high one adds the images and tensors of the work in flight then.
  std::printf(
      "| minute | requests | rps | ok | expected errors | errors by code | 429 (queue full) | unexpected | p99 ms "
      "| RSS MB (low) | RSS MB (high) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::vector<long> rss;   // one sample per second
  std::vector<long> lows;  // per interval
  long total_unexpected = 0, total = 0;
  bool alive = true;
  const auto start = Clock::now();
  for (int t = interval; t <= duration && alive; t += interval) {
    for (int second = t - interval + 1; second <= t && alive; ++second) {
      std::this_thread::sleep_until(start + std::chrono::seconds(second));
      rss.push_back(rss_kb(pid));
      alive = waitpid(pid, nullptr, WNOHANG) == 0 && rss.back() > 0;
    }
    Interval done;
    {
      std::lock_guard lock(mutex);
      std::swap(done, current);
    }
    std::sort(done.ms.begin(), done.ms.end());
    const double p99 = done.ms.empty() ? 0 : done.ms[std::min(done.ms.size() - 1, done.ms.size() * 99 / 100)];
    total += done.requests;
    total_unexpected += done.unexpected;
    std::string by_code;
    for (const auto& [code, n] : done.codes) by_code += (by_code.empty() ? "" : " ") + code + ":" + std::to_string(n);
    const auto window = rss.end() - std::min<std::ptrdiff_t>(interval, static_cast<std::ptrdiff_t>(rss.size()));
    const long low = *std::min_element(window, rss.end()), high = *std::max_element(window, rss.end());
    lows.push_back(low);
    std::printf("| %.2f | %ld | %.1f | %ld | %ld | %s | %ld | %ld | %.0f | %.1f | %.1f |\n", t / 60.0, done.requests,
                static_cast<double>(done.requests) / interval, done.ok, done.expected_errors, by_code.c_str(),
                done.throttled, done.unexpected, p99, low / 1024.0, high / 1024.0);
    std::fflush(stdout);
  }
  stop = true;
  for (auto& c : clients) c.join();
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  // After warm-up: the interval ending at one sixth of the run (minute 5 of 30); in a short run of
  // a few intervals, the second.
  const size_t intervals = lows.size();
  const size_t warm = intervals >= 12 ? intervals / 6 - 1 : std::min<size_t>(1, intervals > 0 ? intervals - 1 : 0);
  const long at_warm = lows.empty() ? 0L : lows[warm], at_end = lows.empty() ? 0L : lows.back();
  const long peak = rss.empty() ? 0L : *std::max_element(rss.begin(), rss.end());
  const double growth = 100.0 * (at_end - at_warm) / std::max(1L, at_warm);
  std::printf(
      "\n%ld requests, %ld unexpected; RSS %.1f MB at %.2f min -> %.1f MB at the end (%+.2f%%; each the "
      "interval's lowest sample), peak %.1f MB; server %s\n",
      total, total_unexpected, at_warm / 1024.0, (warm + 1) * interval / 60.0, at_end / 1024.0, growth, peak / 1024.0,
      alive ? "alive" : "DEAD");
  for (const auto& [what, n] : unexpected_detail) std::printf("  unexpected: %s (%ld)\n", what.c_str(), n);
  const bool pass = alive && total_unexpected == 0 && growth <= max_growth && total > 0;
  std::printf("%s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
