#include "server/routes.h"

#include <cctype>
#include <string_view>

#include "api/huawei_v2.h"

namespace ocrserve::server {

namespace {

// API names are path segments of letters, digits and '-': nothing to escape for the regex, but a
// name with anything else is escaped rather than trusted.
std::string regex_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') out += '\\';
    out += c;
  }
  return out;
}

std::vector<Route> build_routes() {
  std::vector<Route> table = {
      {"GET", "/healthz", "/healthz", RouteKind::Health, "", ""},
      {"GET", "/readyz", "/readyz", RouteKind::Ready, "", ""},
      {"GET", "/metrics", "/metrics", RouteKind::Metrics, "", ""},
  };
  // Every API answers, built or not (the others with ModelArts.4204).
  for (const auto& api : api::huawei_apis()) {
    const std::string name(api.name);
    table.push_back(
        {"POST", "/v2/{project_id}/ocr/" + name, "/v2/[^/]+/ocr/" + regex_escape(name), RouteKind::Huawei, name, ""});
  }
  table.push_back({"POST", "/", "/", RouteKind::VendorRoot, "", "Tencent (X-TC-Action) and Aliyun (x-acs-action)"});
  table.push_back({"GET", "/console", "/console", RouteKind::ConsoleIndex, "", ""});
  table.push_back({"GET", "/console/{file}", "/console/(.*)", RouteKind::ConsoleFile, "", ""});
  table.push_back({"GET", "/openapi.json", "/openapi\\.json", RouteKind::OpenApi, "", ""});
  return table;
}

}  // namespace

const std::vector<Route>& routes() {
  static const std::vector<Route> table = build_routes();
  return table;
}

nlohmann::json routes_json() {
  nlohmann::json out = nlohmann::json::array();
  for (const Route& r : routes()) {
    nlohmann::json entry = {{"method", r.method}, {"path", r.path}};
    if (!r.note.empty()) entry["note"] = r.note;
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace ocrserve::server
