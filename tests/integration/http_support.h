#pragma once
// Shared by the HTTP tests: config files for the server under test and the captured SDK requests
// (shared/compat vectors) they replay.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace ocrserve::test {

// Writes `config` to a fresh file and returns its path.
inline std::string config_file(const nlohmann::json& config) {
  static int n = 0;
  const std::string path = "/tmp/ocrserve_it_config_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".json";
  std::ofstream(path) << config.dump();
  return path;
}

inline nlohmann::json compat_vector(const std::string& name) {
  std::ifstream in(std::string(OCRSERVE_TEST_FIXTURES) + "/compat/" + name);
  return nlohmann::json::parse(in);
}

// The value of a captured request's header (name compared case-insensitively); "" when absent.
inline std::string vector_header(const nlohmann::json& v, const std::string& name) {
  const auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  for (const auto& h : v["request"]["raw_headers"]) {
    if (lower(h[0]) == lower(name)) return h[1];
  }
  return {};
}

// Seconds since a UTC time written in `format` (strptime).
inline long seconds_since(const std::string& text, const char* format) {
  std::tm tm{};
  strptime(text.c_str(), format, &tm);
  return static_cast<long>(std::time(nullptr) - timegm(&tm));
}

}  // namespace ocrserve::test
