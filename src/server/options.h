#pragma once
// Server configuration: every option declared once (name, environment twin, default, help) and read
// from, in rising precedence, its default, the config file, the environment and the command line.
#include <string>
#include <vector>

namespace ocrserve::server {

struct CredentialConfig {
  std::string type;    // "token" | "huawei_aksk" | "tencent" | "aliyun"
  std::string id;      // the token itself, or the key id (AK, SecretId, AccessKeyId)
  std::string secret;  // the secret key (SK, SecretKey, AccessKeySecret)
  std::vector<std::string> projects = {"*"};
  std::vector<std::string> apis = {"*"};  // Huawei API names; Tencent/Aliyun keys also take actions
  double rate_limit_rps = 0;              // 0: the server-wide default
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int workers = 0;  // 0: one per core
  int threads_per_request = 1;
  int queue_capacity = 16;  // requests waiting for a worker before 429
  int http_threads = 2048;  // connections served at once (threads made on demand)
  int deadline_ms = 30000;
  long long max_body_bytes = 10 * 1024 * 1024 + 64 * 1024;  // 10 MB of base64 plus the JSON around it
  double rate_limit_rps = 0;                                // per credential; 0: unlimited
  double rate_limit_burst = 20;
  int url_timeout_ms = 10000;
  int pdf_render_timeout_ms = 15000;  // a PDF page renders in a child process killed past this
  int auth_window_s = 900;            // accepted clock difference of Huawei and Aliyun signed requests
  int tencent_auth_window_s = 300;    // Tencent's: its documented 5 minutes
  std::vector<std::string> url_allow;
  std::string model_dir;
  std::string web_dir;  // the console's static files and openapi.json (default_web_dir())
  std::string config_file;
  std::vector<CredentialConfig> credentials;
};

// Reads everything; throws std::invalid_argument with a message naming the bad option.
ServerOptions load_server_options(const std::vector<std::string>& args);

std::string server_options_help();

// <directory of the running executable>/../web when it exists (build/ocrserve finds the source
// tree's web/), else "web" relative to the working directory.
std::string default_web_dir();

bool is_loopback_host(const std::string& host);

}  // namespace ocrserve::server
