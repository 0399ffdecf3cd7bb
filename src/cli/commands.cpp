#include "cli/commands.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/huawei_v2.h"
#include "ocrserve/error.h"
#include "server/routes.h"

namespace ocrserve::cli {

namespace {

struct CommonArgs {
  EngineOptions engine;
  nlohmann::json body = nlohmann::json::object();  // the API flags, as a request body would carry them
  std::vector<std::string> positional;
  std::string api;
  std::string out;
  int concurrency = 1;
};

// One table of flags: each maps to a request field (so the CLI validates exactly as the API does).
CommonArgs parse(std::vector<std::string> args) {
  CommonArgs a;
  auto value = [&](size_t& i) -> std::string {
    if (i + 1 >= args.size()) throw std::invalid_argument("flag " + args[i] + " needs a value");
    return args[++i];
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& f = args[i];
    if (f == "--detect-direction")
      a.body["detect_direction"] = true;
    else if (f == "--quick-mode")
      a.body["quick_mode"] = true;
    else if (f == "--character-mode")
      a.body["character_mode"] = true;
    else if (f == "--single-orientation-mode")
      a.body["single_orientation_mode"] = true;
    else if (f == "--markdown")
      a.body["return_markdown_result"] = true;
    else if (f == "--language")
      a.body["language"] = value(i);
    else if (f == "--pdf-page-number")
      a.body["pdf_page_number"] = std::stoi(value(i));
    else if (f == "--country-code")
      a.body["country_code"] = value(i);
    else if (f == "--return-portrait-image")
      a.body["return_portrait_image"] = true;
    else if (f == "--return-portrait-location")
      a.body["return_portrait_location"] = true;
    else if (f == "--threads")
      a.engine.threads = std::stoi(value(i));
    else if (f == "--models")
      a.engine.model_dir = value(i);
    else if (f == "--api")
      a.api = value(i);
    else if (f == "--out")
      a.out = value(i);
    else if (f == "--concurrency")
      a.concurrency = std::max(1, std::stoi(value(i)));
    else if (f.rfind("--", 0) == 0)
      throw std::invalid_argument("unknown flag " + f);
    else
      a.positional.push_back(f);
  }
  return a;
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json error_json(const std::string& code, const std::string& message) {
  return {{"error_code", code}, {"error_msg", message}};
}

// One file through intake and the extractor, as the HTTP API would answer it.
nlohmann::json recognize_file(const api::RecognitionJob& job, const std::filesystem::path& path) {
  try {
    const auto bytes = read_file(path);
    const DecodedImage image = ImageIntake(job.limits).from_bytes(bytes, job.intake);
    return {{"result", job.extract(image)}};
  } catch (const Error& e) {
    return error_json(e.code(), e.what());
  }
}

std::string served_apis() {
  std::string list;
  for (const auto& a : api::huawei_apis()) {
    if (a.built) list += (list.empty() ? "" : ", ") + std::string(a.name);
  }
  return list;
}

void require_api(const std::string& name) {
  const api::HuaweiApi* known = api::find_huawei_api(name);
  if (known == nullptr || !known->built) {
    throw std::invalid_argument("unsupported api '" + name + "' (available: " + served_apis() + ")");
  }
}

}  // namespace

int run_recognize(std::vector<std::string> args) {
  if (args.empty()) throw std::invalid_argument("recognize needs an api name and a file");
  const std::string api_name = args[0];
  args.erase(args.begin());
  require_api(api_name);
  CommonArgs a = parse(args);
  if (a.positional.size() != 1) throw std::invalid_argument("recognize needs exactly one file");
  EngineOptions engine_options = a.engine;
  engine_options.spin_within_runs = threads_fit_cores(1, a.engine.threads);
  const OcrEngine engine(engine_options);
  api::RecognitionJob job;
  try {
    job = api::prepare_huawei_job(api_name, a.body, engine);
  } catch (const Error& e) {
    std::cout << error_json(e.code(), e.what()).dump(2) << "\n";
    return 2;
  }
  const nlohmann::json out = recognize_file(job, a.positional[0]);
  std::cout << out.dump(2) << "\n";
  return out.contains("error_code") ? 2 : 0;
}

namespace {

bool is_image_file(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* e : {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".webp", ".pdf"}) {
    if (ext == e) return true;
  }
  return false;
}

void draw_progress(size_t done, size_t total, double seconds) {
  const int width = 30;
  const int filled = total ? static_cast<int>(width * done / total) : width;
  const double rate = seconds > 0 ? done / seconds : 0;
  const double eta = rate > 0 ? (total - done) / rate : 0;
  std::fprintf(stderr, "\r[%s%s] %zu/%zu  %.1f img/s  ETA %.0fs ", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), done, total, rate, eta);
  std::fflush(stderr);
}

}  // namespace

namespace {

// The files an earlier run already wrote to `out` (one JSON line each). A last line cut short by an
// interrupted run is ignored, and a newline is added so that new lines start clean.
std::set<std::string> files_already_in(const std::string& out) {
  std::set<std::string> done;
  std::ifstream in(out, std::ios::binary);
  if (!in) return done;
  std::string line;
  bool ends_with_newline = true;
  while (std::getline(in, line)) {
    ends_with_newline = !in.eof();
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("file") && j["file"].is_string()) done.insert(j["file"].get<std::string>());
  }
  if (!ends_with_newline) std::ofstream(out, std::ios::app) << "\n";
  return done;
}

double percentile_of(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

}  // namespace

int run_batch(std::vector<std::string> args) {
  CommonArgs a = parse(args);
  require_api(a.api);
  if (a.positional.size() != 1 || a.out.empty())
    throw std::invalid_argument("batch needs --api, a directory and --out");
  // Resumable: files already in the output are skipped.
  const std::set<std::string> already = files_already_in(a.out);
  std::vector<std::filesystem::path> files;
  size_t skipped = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(a.positional[0])) {
    if (!entry.is_regular_file() || !is_image_file(entry.path())) continue;
    if (already.contains(entry.path().string())) {
      ++skipped;
    } else {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (skipped > 0) std::fprintf(stderr, "%zu files already in %s: skipped\n", skipped, a.out.c_str());

  EngineOptions engine_options = a.engine;
  engine_options.spin_within_runs = threads_fit_cores(a.concurrency, a.engine.threads);
  const OcrEngine engine(engine_options);
  const api::RecognitionJob job = api::prepare_huawei_job(a.api, a.body, engine);
  std::ofstream out(a.out, std::ios::app);
  if (!out) throw std::runtime_error("cannot write " + a.out);

  std::mutex mutex;
  std::atomic<size_t> next{0};
  size_t done = 0, failed = 0, blocks = 0;
  std::map<std::string, size_t> errors;
  std::vector<double> latencies;
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      const auto t0 = std::chrono::steady_clock::now();
      nlohmann::json result = recognize_file(job, files[i]);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      nlohmann::json line = {{"file", files[i].string()}, {"ms", std::round(ms * 10) / 10}};
      line.update(result);
      std::lock_guard lock(mutex);
      out << line.dump() << "\n" << std::flush;  // a line per file, complete, before the next
      ++done;
      latencies.push_back(ms);
      if (result.contains("error_code")) {
        ++failed;
        ++errors[result["error_code"].get<std::string>()];
      } else if (result["result"].contains("words_block_count")) {
        blocks += result["result"]["words_block_count"].get<size_t>();
      }
      draw_progress(done, files.size(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < a.concurrency; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string by_code;
  for (const auto& [code, n] : errors) by_code += (by_code.empty() ? "" : ", ") + code + " " + std::to_string(n);
  std::fprintf(stderr,
               "\n\n| files | skipped | ok | failed | errors by code | text blocks | p50 ms | p95 ms | seconds | "
               "images/s |\n|---|---|---|---|---|---|---|---|---|---|\n"
               "| %zu | %zu | %zu | %zu | %s | %zu | %.0f | %.0f | %.1f | %.2f |\n",
               files.size() + skipped, skipped, done - failed, failed, by_code.empty() ? "-" : by_code.c_str(), blocks,
               percentile_of(latencies, 0.5), percentile_of(latencies, 0.95), seconds,
               seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
  return failed == 0 ? 0 : 3;
}

int run_routes(const std::vector<std::string>& args) {
  if (!args.empty()) throw std::invalid_argument("routes takes no arguments");
  std::cout << server::routes_json().dump(2) << "\n";
  return 0;
}

}  // namespace ocrserve::cli
