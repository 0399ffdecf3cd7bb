#pragma once
// The Aliyun OCR contract (ocr-api 2021-07-07, RPC style), without sockets: the actions this server
// answers, their query parameters, the Data schema of seed 003 and the error codes. The image is the
// raw request body (or a Url); the extractors are the ones behind the Huawei routes.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/recognition_job.h"
#include "ocrserve/engine.h"

namespace ocrserve::api {

inline constexpr std::string_view kAliyunVersion = "2021-07-07";

struct AliyunAction {
  std::string_view action;  // x-acs-action
  std::string_view api;     // the Huawei API doing the work (credentials and metrics use it)
};
// RecognizeExitEntryPermitToMainland, RecognizeExitEntryPermitToHK, RecognizePassport,
// RecognizeGeneral; nullptr for any other.
const AliyunAction* find_aliyun_action(std::string_view action);

namespace aliyun_codes {
inline constexpr const char* kInvalidAction = "InvalidAction.NotFound";
inline constexpr const char* kInvalidVersion = "InvalidVersion";
inline constexpr const char* kInvalidParameter = "InvalidParameter";
inline constexpr const char* kMissingParameter = "MissingParameter";
inline constexpr const char* kIllegalImageUrl = "illegalImageUrl";
inline constexpr const char* kIllegalImageSize = "illegalImageSize";
inline constexpr const char* kIllegalImageContent = "illegalImageContent";
inline constexpr const char* kUnmatchedImageType = "unmatchedImageType";
inline constexpr const char* kIncompleteSignature = "IncompleteSignature";
inline constexpr const char* kAccessKeyNotFound = "InvalidAccessKeyId.NotFound";
inline constexpr const char* kSignatureDoesNotMatch = "SignatureDoesNotMatch";
inline constexpr const char* kTimestampExpired = "InvalidTimeStamp.Expired";
inline constexpr const char* kNonceUsed = "SignatureNonceUsed";
inline constexpr const char* kNoPermission = "noPermission";
inline constexpr const char* kThrottlingUser = "Throttling.User";
inline constexpr const char* kThrottlingApi = "Throttling.Api";
inline constexpr const char* kInternalError = "InternalError";
inline constexpr const char* kServiceUnavailable = "ServiceUnavailable";
inline constexpr const char* kServiceTimeout = "ServiceTimeout";
}  // namespace aliyun_codes

// A request turned into work. Exactly one of a body (the image bytes) and Url, as documented.
struct AliyunJob {
  std::optional<std::string> url;
  RecognitionJob job;  // its result is the Data object (sent as a JSON string)
};
// Throws Error with an Aliyun code (MissingParameter, InvalidParameter).
AliyunJob prepare_aliyun_job(const AliyunAction& action, const std::vector<std::pair<std::string, std::string>>& query,
                             bool has_body, const OcrEngine& engine);

struct AliyunError {
  int status;
  std::string code;
};
// The HTTP status and Aliyun code for an error raised anywhere in the server (AIS.*,
// ModelArts.*, APIG*) or already in Aliyun's terms.
AliyunError aliyun_error(std::string_view code);

std::string aliyun_error_body(std::string_view code, std::string_view message, std::string_view request_id);
// {"RequestId", "Data": "<the data object as a JSON string>"}: the SDK insists on a string.
std::string aliyun_success_body(const nlohmann::json& data, std::string_view request_id);

}  // namespace ocrserve::api
