#pragma once
// The Tencent Cloud OCR contract (API 3.0, version 2018-11-19), without sockets: the actions this
// server answers, their request fields, the response shapes and the error codes. The extractors
// are the same as behind the Huawei routes; only the names and formats of the fields change.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/recognition_job.h"
#include "ocrserve/engine.h"

namespace ocrserve::api {

inline constexpr std::string_view kTencentVersion = "2018-11-19";

struct TencentAction {
  std::string_view action;  // X-TC-Action
  std::string_view api;     // the Huawei API doing the work (credentials and metrics use it)
};
// PermitOCR, MainlandPermitOCR, MLIDPassportOCR, GeneralBasicOCR; nullptr for any other.
const TencentAction* find_tencent_action(std::string_view action);

namespace tencent_codes {
inline constexpr const char* kInvalidAction = "InvalidAction";
inline constexpr const char* kNoSuchVersion = "NoSuchVersion";
inline constexpr const char* kInvalidParameter = "InvalidParameter";
inline constexpr const char* kInvalidParameterValue = "InvalidParameterValue.InvalidParameterValueLimit";
inline constexpr const char* kUnknownParameter = "UnknownParameter";
inline constexpr const char* kImageDecodeFailed = "FailedOperation.ImageDecodeFailed";
inline constexpr const char* kDownloadError = "FailedOperation.DownLoadError";
inline constexpr const char* kOcrFailed = "FailedOperation.OcrFailed";
inline constexpr const char* kUnknownError = "FailedOperation.UnKnowError";
inline constexpr const char* kTooLargeFile = "LimitExceeded.TooLargeFileError";
inline constexpr const char* kInvalidAuthorization = "AuthFailure.InvalidAuthorization";
inline constexpr const char* kSecretIdNotFound = "AuthFailure.SecretIdNotFound";
inline constexpr const char* kSignatureExpire = "AuthFailure.SignatureExpire";
inline constexpr const char* kSignatureFailure = "AuthFailure.SignatureFailure";
inline constexpr const char* kUnauthorizedOperation = "AuthFailure.UnauthorizedOperation";
inline constexpr const char* kRequestLimitExceeded = "RequestLimitExceeded";
inline constexpr const char* kInternalError = "InternalError";
inline constexpr const char* kServiceUnavailable = "ResourceUnavailable";
}  // namespace tencent_codes

// A request body turned into work: the image source (ImageUrl wins over ImageBase64, as
// documented) and the job whose result is the Response object without RequestId.
struct TencentJob {
  std::optional<std::string> image_base64;
  std::optional<std::string> url;
  RecognitionJob job;
};
// Throws Error with a Tencent code (UnknownParameter, InvalidParameter...) or an AIS code for a
// field value the extractor refuses; tencent_error_code() maps either.
TencentJob prepare_tencent_job(const TencentAction& action, const nlohmann::json& body, const OcrEngine& engine);

// The Tencent code for an error raised anywhere in the server (AIS.*, ModelArts.*, APIG*) or
// already in Tencent's terms (passed through).
std::string tencent_error_code(std::string_view code, std::string_view reason = {});

// Tencent answers errors with HTTP 200 and {"Response": {"Error": {...}, "RequestId"}}.
std::string tencent_error_body(std::string_view code, std::string_view message, std::string_view request_id);
std::string tencent_success_body(nlohmann::json response, std::string_view request_id);

}  // namespace ocrserve::api
