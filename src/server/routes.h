#pragma once
// Every route `ocrserve serve` answers, in one table: run_server registers its handlers from it and
// `ocrserve routes` prints it, so the list cannot drift from what is served.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ocrserve::server {

enum class RouteKind {
  Health,        // GET /healthz
  Ready,         // GET /readyz
  Metrics,       // GET /metrics
  Huawei,        // POST /v2/{project_id}/ocr/<api>, one per API of api::huawei_apis()
  VendorRoot,    // POST /: Tencent (X-TC-Action) and Aliyun (x-acs-action)
  ConsoleIndex,  // GET /console: redirects to /console/
  ConsoleFile,   // GET /console/{file}: web_dir/console/, index.html for /console/
  OpenApi,       // GET /openapi.json: web_dir/openapi.json
};

struct Route {
  std::string method;   // "GET" | "POST"
  std::string path;     // as documented, parameters in braces: /v2/{project_id}/ocr/general-text
  std::string pattern;  // the cpp-httplib (std::regex) pattern the handler is registered with
  RouteKind kind;
  std::string api;   // Huawei routes: the API's path segment
  std::string note;  // printed when not empty
};

const std::vector<Route>& routes();

// [{"method": "GET", "path": "/healthz"}, ..., {"method": "POST", "path": "/", "note": "..."}]
nlohmann::json routes_json();

}  // namespace ocrserve::server
