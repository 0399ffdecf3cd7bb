#include "server/static_files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "api/huawei_v2.h"

namespace ocrserve::server {

namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;

const char* content_type_for(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".png") return "image/png";
  if (ext == ".svg") return "image/svg+xml";
  return nullptr;
}

// The file `relative` names under `root`, or nullopt: no "..", "." or hidden segments, and the
// canonical path (symlinks resolved) must still lie inside the canonical root.
std::optional<fs::path> resolve(const std::string& root, std::string relative) {
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  if (relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos) return std::nullopt;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view segment(relative.data() + start, end - start);
    if (!segment.empty() && segment.front() == '.') return std::nullopt;  // "..", "." and hidden files
    start = end + 1;
  }
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  const fs::path file = fs::canonical(base / fs::path(relative).relative_path(), ec);
  if (ec) return std::nullopt;
  const std::string prefix = base.string() + "/";
  if (file.string().compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (!fs::is_regular_file(file, ec) || ec) return std::nullopt;
  return file;
}

void set_security_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
}

}  // namespace

void serve_static(const std::string& root, const std::string& relative, httplib::Response& res) {
  set_security_headers(res);
  const std::optional<fs::path> file = resolve(root, relative);
  const char* type = file ? content_type_for(*file) : nullptr;
  std::error_code ec;
  const std::uintmax_t size = type ? fs::file_size(*file, ec) : 0;
  std::ifstream in;
  if (type && !ec && size <= kMaxFileBytes) in.open(*file, std::ios::binary);
  if (!in.is_open()) {
    res.status = 404;
    res.set_content(api::huawei_error_body(api::huawei_codes::kNotFound, "Not found: no such file is served here"),
                    "application/json;charset=UTF-8");
    return;
  }
  res.set_header("Cache-Control", "max-age=60");
  res.set_content(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()), type);
}

}  // namespace ocrserve::server
