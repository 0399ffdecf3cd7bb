#pragma once
// The Huawei Cloud OCR v2 contract, without sockets: which APIs exist, how a request body is
// validated, how errors map to HTTP statuses, how results are enveloped.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "ocrserve/engine.h"
#include "api/recognition_job.h"
#include "ocrserve/image_intake.h"

namespace ocrserve::api {

// Every API of seed 004 plus the two permit APIs, and whether this build serves it.
struct HuaweiApi {
  std::string_view name;  // path segment: general-text, passport, ...
  bool built;
};
const std::vector<HuaweiApi>& huawei_apis();
const HuaweiApi* find_huawei_api(std::string_view name);

// /v2/{project_id}/ocr/{api} -> parts; nullopt when the path has another shape.
struct HuaweiRoute {
  std::string project_id;
  std::string api;
};
std::optional<HuaweiRoute> parse_huawei_path(std::string_view path);

// Error codes outside AIS.01xx that the HTTP layer uses.
namespace huawei_codes {
inline constexpr const char* kTokenMissing = "ModelArts.4101";
inline constexpr const char* kTokenInvalid = "ModelArts.4103";
inline constexpr const char* kContentLength = "ModelArts.4104";
inline constexpr const char* kJsonFormat = "ModelArts.4105";
inline constexpr const char* kApiNotEnabled = "ModelArts.4204";
inline constexpr const char* kMaxConcurrency = "ModelArts.4401";
inline constexpr const char* kBackendTimeout = "ModelArts.4402";
inline constexpr const char* kThrottled = "APIG.0308";
inline constexpr const char* kAuthFailed = "APIGW.0301";
inline constexpr const char* kNotFound = "APIGW.0101";
inline constexpr const char* kServiceUnavailable = "ModelArts.4403";  // "Backend service unavailable"
}  // namespace huawei_codes

// The HTTP status the cloud answers with for an error code.
int huawei_status_for(std::string_view error_code);

std::string huawei_error_body(std::string_view code, std::string_view message);

// The common part of every image API's body: exactly one of `image` / `url`, both strings.
struct ImageSource {
  std::optional<std::string> image;  // base64
  std::optional<std::string> url;
};
// `image_field` is "image" for most APIs ("data" for auto-id-doc-classification).
ImageSource parse_image_source(const nlohmann::json& body, const char* image_field = "image");

// Validates the API's flags (Error AIS.0101 naming the flag); an API this build does not serve is
// Error(ModelArts.4204). `engine` must outlive the job.
// The job of one Huawei API from its request body. Shared by the server and the CLI.
RecognitionJob prepare_huawei_job(std::string_view api, const nlohmann::json& body, const OcrEngine& engine);

}  // namespace ocrserve::api
