#include "server/options.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ocrserve::server {

namespace {

struct Option {
  const char* name;  // --name and the config-file key
  const char* env;
  const char* help;
  std::function<void(ServerOptions&, const std::string&)> set;
  std::function<std::string(const ServerOptions&)> show;
};

int to_int(const std::string& name, const std::string& v, int lo, int hi) {
  try {
    size_t used = 0;
    const long long n = std::stoll(v, &used);
    if (used != v.size() || n < lo || n > hi) throw std::out_of_range(v);
    return static_cast<int>(n);
  } catch (const std::exception&) {
    throw std::invalid_argument("option " + name + " must be an integer in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "], got '" + v + "'");
  }
}

double to_double(const std::string& name, const std::string& v) {
  try {
    size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size() || d < 0) throw std::out_of_range(v);
    return d;
  } catch (const std::exception&) {
    throw std::invalid_argument("option " + name + " must be a non-negative number, got '" + v + "'");
  }
}

std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream in(v);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

#define INT_OPTION(field, lo, hi)                                                      \
  [](ServerOptions& o, const std::string& v) { o.field = to_int(#field, v, lo, hi); }, \
      [](const ServerOptions& o) { return std::to_string(o.field); }

const std::vector<Option>& option_table() {
  static const std::vector<Option> table = {
      {"config", "OCRSERVE_CONFIG", "JSON config file (options by name, plus \"credentials\")",
       [](ServerOptions& o, const std::string& v) { o.config_file = v; },
       [](const ServerOptions& o) { return o.config_file; }},
      {"host", "OCRSERVE_HOST", "address to bind", [](ServerOptions& o, const std::string& v) { o.host = v; },
       [](const ServerOptions& o) { return o.host; }},
      {"port", "OCRSERVE_PORT", "port to bind (0: any free port, printed at start)", INT_OPTION(port, 0, 65535)},
      {"workers", "OCRSERVE_WORKERS", "recognitions run at once (0: one per core)", INT_OPTION(workers, 0, 256)},
      {"threads_per_request", "OCRSERVE_THREADS_PER_REQUEST", "threads one recognition may use",
       INT_OPTION(threads_per_request, 1, 64)},
      {"queue_capacity", "OCRSERVE_QUEUE_CAPACITY", "requests waiting for a worker before answering 429",
       INT_OPTION(queue_capacity, 0, 100000)},
      {"http_threads", "OCRSERVE_HTTP_THREADS",
       "connections served at once (a thread each, made on demand; more wait for one)",
       INT_OPTION(http_threads, 2, 16384)},
      {"deadline_ms", "OCRSERVE_DEADLINE_MS", "per-request deadline (ModelArts.4402 past it)",
       INT_OPTION(deadline_ms, 100, 3600000)},
      {"max_body_bytes", "OCRSERVE_MAX_BODY_BYTES", "largest request body accepted (checked on Content-Length)",
       [](ServerOptions& o, const std::string& v) { o.max_body_bytes = to_int("max_body_bytes", v, 1024, 1 << 30); },
       [](const ServerOptions& o) { return std::to_string(o.max_body_bytes); }},
      {"rate_limit_rps", "OCRSERVE_RATE_LIMIT_RPS", "requests per second per credential (0: unlimited)",
       [](ServerOptions& o, const std::string& v) { o.rate_limit_rps = to_double("rate_limit_rps", v); },
       [](const ServerOptions& o) { return std::to_string(o.rate_limit_rps); }},
      {"rate_limit_burst", "OCRSERVE_RATE_LIMIT_BURST", "token-bucket size of the rate limit",
       [](ServerOptions& o, const std::string& v) { o.rate_limit_burst = to_double("rate_limit_burst", v); },
       [](const ServerOptions& o) { return std::to_string(o.rate_limit_burst); }},
      {"auth_window_s", "OCRSERVE_AUTH_WINDOW_S", "how far a signed request's date may be from the server's clock",
       INT_OPTION(auth_window_s, 1, 366 * 24 * 3600)},
      {"tencent_auth_window_s", "OCRSERVE_TENCENT_AUTH_WINDOW_S",
       "how far a Tencent request's X-TC-Timestamp may be from the server's clock",
       INT_OPTION(tencent_auth_window_s, 1, 366 * 24 * 3600)},
      {"url_timeout_ms", "OCRSERVE_URL_TIMEOUT_MS", "total time allowed to fetch an image url",
       INT_OPTION(url_timeout_ms, 100, 600000)},
      {"pdf_render_timeout_ms", "OCRSERVE_PDF_RENDER_TIMEOUT_MS",
       "time allowed to render a PDF page (in a child process, killed past it: AIS.0104)",
       INT_OPTION(pdf_render_timeout_ms, 100, 600000)},
      {"url_allow", "OCRSERVE_URL_ALLOW",
       "comma-separated CIDRs (optionally :port) that url may reach although private",
       [](ServerOptions& o, const std::string& v) { o.url_allow = split_list(v); },
       [](const ServerOptions& o) { return join(o.url_allow); }},
      {"model_dir", "OCRSERVE_MODEL_DIR", "directory of the ONNX models (default: third_party/models)",
       [](ServerOptions& o, const std::string& v) { o.model_dir = v; },
       [](const ServerOptions& o) { return o.model_dir; }},
      {"web_dir", "OCRSERVE_WEB_DIR",
       "directory served at /console/ (its console/ folder) and /openapi.json (default: <executable's dir>/../web "
       "if present, else ./web)",
       [](ServerOptions& o, const std::string& v) { o.web_dir = v; },
       [](const ServerOptions& o) { return o.web_dir.empty() ? default_web_dir() : o.web_dir; }},
  };
  return table;
}
#undef INT_OPTION

const Option* find_option(const std::string& name) {
  for (const auto& o : option_table()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string scalar(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

void apply_config_file(ServerOptions& o, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read config file " + path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument("config file " + path + " is not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw std::invalid_argument("config file " + path + " must hold a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key == "credentials") {
      for (const auto& c : value) {
        CredentialConfig cred;
        cred.type = c.value("type", "");
        if (cred.type == "token") {
          cred.id = c.value("token", "");
        } else if (cred.type == "huawei_aksk") {
          cred.id = c.value("ak", "");
          cred.secret = c.value("sk", "");
        } else if (cred.type == "tencent") {
          cred.id = c.value("secret_id", "");
          cred.secret = c.value("secret_key", "");
        } else if (cred.type == "aliyun") {
          cred.id = c.value("access_key_id", "");
          cred.secret = c.value("access_key_secret", "");
        } else {
          throw std::invalid_argument(
              "credential type must be \"token\", \"huawei_aksk\", \"tencent\" or \"aliyun\", got \"" + cred.type +
              "\"");
        }
        if (cred.id.empty() || (cred.type != "token" && cred.secret.empty())) {
          throw std::invalid_argument("a " + cred.type +
                                      " credential needs its token, ak and sk, secret_id and secret_key, or "
                                      "access_key_id and access_key_secret");
        }
        if (c.contains("projects")) cred.projects = c["projects"].get<std::vector<std::string>>();
        if (c.contains("apis")) cred.apis = c["apis"].get<std::vector<std::string>>();
        cred.rate_limit_rps = c.value("rate_limit_rps", 0.0);
        o.credentials.push_back(std::move(cred));
      }
    } else if (key == "url_allow" && value.is_array()) {
      o.url_allow = value.get<std::vector<std::string>>();
    } else if (const Option* opt = find_option(key); opt && key != "config") {
      opt->set(o, scalar(value));
    } else {
      throw std::invalid_argument("config file " + path + ": unknown option \"" + key + "\"");
    }
  }
}

}  // namespace

ServerOptions load_server_options(const std::vector<std::string>& args) {
  ServerOptions o;
  // Flags parsed first (to find --config), applied last.
  std::vector<std::pair<const Option*, std::string>> flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + a + "'");
    a = a.substr(2);
    std::string value;
    if (const size_t eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) throw std::invalid_argument("option --" + a + " needs a value");
      value = args[++i];
    }
    for (auto& c : a) c = c == '-' ? '_' : c;
    const Option* opt = find_option(a);
    if (!opt) throw std::invalid_argument("unknown option --" + a + " (see ocrserve serve --help)");
    flags.emplace_back(opt, value);
  }
  std::string config = std::getenv("OCRSERVE_CONFIG") ? std::getenv("OCRSERVE_CONFIG") : "";
  for (const auto& [opt, v] : flags) {
    if (std::string(opt->name) == "config") config = v;
  }
  if (!config.empty()) {
    apply_config_file(o, config);
    o.config_file = config;
  }
  for (const auto& opt : option_table()) {
    if (const char* env = std::getenv(opt.env); env && std::string(opt.name) != "config") opt.set(o, env);
  }
  for (const auto& [opt, v] : flags) opt->set(o, v);
  if (o.web_dir.empty()) o.web_dir = default_web_dir();
  return o;
}

std::string server_options_help() {
  const ServerOptions defaults;
  std::string out = "usage: ocrserve serve [--option value]...\n\n";
  for (const auto& o : option_table()) {
    out += "  --" + std::string(o.name) + "  (env " + o.env + ", default '" + o.show(defaults) + "')\n      " + o.help +
           "\n";
  }
  return out;
}

std::string default_web_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path beside = exe.parent_path().parent_path() / "web";
    if (std::filesystem::is_directory(beside, ec)) return beside.string();
  }
  return "web";
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace ocrserve::server
