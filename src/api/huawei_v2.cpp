#include "api/huawei_v2.h"

#include <algorithm>

#include "ocrserve/error.h"
#include "ocrserve/general_text.h"
#include "ocrserve/passport.h"
#include "ocrserve/permit.h"

namespace ocrserve::api {

const std::vector<HuaweiApi>& huawei_apis() {
  static const std::vector<HuaweiApi> apis = {
      {"general-text", true},
      {"general-table", false},
      {"web-image", false},
      {"smart-document-recognizer", false},
      {"id-document", false},
      {"auto-id-doc-classification", false},
      {"passport", true},
      {"exit-entry-permit", true},
      {"mainland-travel-permit", true},
      {"thailand-id-card", false},
      {"colombia-id-card", false},
      {"cambodian-idcard", false},
      {"myanmar-id-card", false},
      {"myanmar-driver-license", false},
      {"chile-id-card", false},
      {"vietnam-id-card", false},
      {"peru-id-card", false},
      {"thailand-license-plate", false},
  };
  return apis;
}

const HuaweiApi* find_huawei_api(std::string_view name) {
  const auto& apis = huawei_apis();
  const auto it = std::find_if(apis.begin(), apis.end(), [&](const HuaweiApi& a) { return a.name == name; });
  return it == apis.end() ? nullptr : &*it;
}

std::optional<HuaweiRoute> parse_huawei_path(std::string_view path) {
  // /v2/<project>/ocr/<api>, no empty segments, nothing after.
  constexpr std::string_view kPrefix = "/v2/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const std::string_view project = path.substr(0, slash);
  path.remove_prefix(slash);
  constexpr std::string_view kOcr = "/ocr/";
  if (path.substr(0, kOcr.size()) != kOcr) return std::nullopt;
  path.remove_prefix(kOcr.size());
  if (path.empty() || path.find('/') != std::string_view::npos) return std::nullopt;
  return HuaweiRoute{std::string(project), std::string(path)};
}

int huawei_status_for(std::string_view code) {
  using namespace huawei_codes;
  if (code == kTokenMissing || code == kTokenInvalid || code == kAuthFailed || code == "ModelArts.4102") return 401;
  if (code == kApiNotEnabled) return 403;
  if (code == kNotFound) return 404;
  if (code == kMaxConcurrency || code == kThrottled) return 429;
  if (code == kBackendTimeout) return 504;
  if (code == kServiceUnavailable) return 503;
  if (code == codes::kRecognitionFailed) return 500;
  return 400;
}

std::string huawei_error_body(std::string_view code, std::string_view message) {
  return nlohmann::json{{"error_code", code}, {"error_msg", message}}.dump();
}

ImageSource parse_image_source(const nlohmann::json& body, const char* image_field) {
  if (!body.is_object()) throw Error(codes::kInvalidParameter, "The request body must be a JSON object");
  ImageSource source;
  const auto read = [&](const char* name) -> std::optional<std::string> {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string())
      throw Error(codes::kInvalidParameter, std::string("The parameter ") + name + " must be a string");
    return it->get<std::string>();
  };
  source.image = read(image_field);
  source.url = read("url");
  if (source.image && source.image->empty()) source.image.reset();
  if (source.url && source.url->empty()) source.url.reset();
  if (source.image && source.url) {
    throw Error(codes::kInvalidParameter, std::string("Set either ") + image_field + " or url, not both");
  }
  if (!source.image && !source.url) {
    throw Error(codes::kInvalidParameter, std::string("Set either ") + image_field + " (base64 image data) or url");
  }
  return source;
}

RecognitionJob prepare_huawei_job(std::string_view api, const nlohmann::json& body, const OcrEngine& engine) {
  RecognitionJob job;
  const OcrEngine* e = &engine;
  if (api == "general-text") {
    const GeneralTextRequest request = parse_general_text_request(body);
    job.limits = general_text_limits();
    job.intake.pdf_page_number = request.pdf_page_number;
    job.extract = [e, request](const DecodedImage& image) { return to_json(GeneralTextExtractor(*e).extract(image.bgr, request)); };
  } else if (api == "exit-entry-permit") {
    const PermitRequest request = parse_permit_request(body);
    job.limits = permit_limits();
    job.extract = [e, request](const DecodedImage& image) {
      return to_json(ExitEntryPermitExtractor(*e).extract(image.bgr, request), request);
    };
  } else if (api == "mainland-travel-permit") {
    const PermitRequest request = parse_permit_request(body);
    job.limits = permit_limits();
    job.extract = [e, request](const DecodedImage& image) {
      return to_json(MainlandTravelPermitExtractor(*e).extract(image.bgr, request), request);
    };
  } else if (api == "passport") {
    const PassportRequest request = parse_passport_request(body);
    job.limits = passport_limits();
    job.extract = [e, request](const DecodedImage& image) { return to_json(PassportExtractor(*e).extract(image.bgr, request)); };
  } else {
    throw Error(huawei_codes::kApiNotEnabled,
                "Request api error! The API " + std::string(api) + " is not available on this server yet");
  }
  return job;
}

}  // namespace ocrserve::api
