#include "api/aliyun.h"

#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "api/vendor_fields.h"
#include "ocrserve/error.h"
#include "ocrserve/general_text.h"
#include "ocrserve/passport.h"
#include "ocrserve/permit.h"

namespace ocrserve::api {

namespace {

using nlohmann::json;

const std::array<AliyunAction, 4> kActions = {{
    {"RecognizeExitEntryPermitToMainland", "mainland-travel-permit"},
    {"RecognizeExitEntryPermitToHK", "exit-entry-permit"},
    {"RecognizePassport", "passport"},
    {"RecognizeGeneral", "general-text"},
}};

// Seed 003: PNG, JPG, BMP, GIF, TIFF, WebP; sides 15..8192; the file itself at most 10 MB.
IntakeLimits aliyun_limits(IntakeLimits base) {
  constexpr std::size_t kMaxFileBytes = 10 * 1024 * 1024;
  base.max_base64_bytes = (kMaxFileBytes + 2) / 3 * 4;  // intake measures files as base64
  base.min_side = 16;                                   // "大于15像素"
  base.max_side = 8191;                                 // "小于8192像素"
  base.formats = {ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Bmp,
                  ImageFormat::Gif, ImageFormat::Tiff, ImageFormat::Webp};
  return base;
}

int percent(float confidence) { return static_cast<int>(std::lround(std::clamp(confidence, 0.f, 1.f) * 100)); }

json point(const cv::Point2f& p) { return {{"x", std::lround(p.x)}, {"y", std::lround(p.y)}}; }

json points(const Quad& q) {
  json out = json::array();
  for (const auto& p : q) out.push_back(point(p));
  return out;
}

json sizes(json data, const DecodedImage& image) {
  // Nothing is warped into a new image the caller sees: the "corrected" size is the image's own.
  data["ftype"] = 0;
  data["height"] = image.bgr.rows;
  data["width"] = image.bgr.cols;
  data["orgHeight"] = image.bgr.rows;
  data["orgWidth"] = image.bgr.cols;
  return data;
}

json face_figure(const Quad& q) {
  const cv::Rect r = cv::boundingRect(std::vector<cv::Point2f>(q.begin(), q.end()));
  const cv::RotatedRect box = cv::minAreaRect(std::vector<cv::Point2f>(q.begin(), q.end()));
  return {{"type", "face"},
          {"x", r.x},
          {"y", r.y},
          {"w", r.width},
          {"h", r.height},
          {"box",
           {{"x", std::lround(box.center.x)},
            {"y", std::lround(box.center.y)},
            {"w", std::lround(box.size.width)},
            {"h", std::lround(box.size.height)},
            {"angle", std::lround(box.angle)}}},
          {"points", points(q)}};
}

// Seed 003's Data: data (key -> value), figure (on OutputFigure), prism_keyValueInfo with the
// positions of the values in the photo, sliceRect (the card in the photo), sizes.
json permit_data(const PermitResult& r, const DecodedImage& image, bool mainland, bool output_figure) {
  if (r.side != "front")
    throw Error(codes::kImageNotSupported,
                "The image shows the back of the permit; this API reads the front (the side with the portrait)");
  const VendorPermitFields f(r);
  // Aliyun key, Huawei field ("" for values that are not a field of their own).
  std::vector<std::pair<std::string, std::string>> keys = {
      {"permitType", ""},         {"nameCn", "name"},    {"nameEn", "name_en"},
      {"birthDate", "birth_date"}, {"sex", "sex"},        {"validPeriod", "valid_period"},
      {"issueAuthority", "issuing_authority"}, {"issuePlace", "issue_place"}, {"permitNumber", "number"}};
  keys.emplace_back(mainland ? "issueCount" : "mrzCode", mainland ? "issue_times" : "machine_code");
  json data = json::object(), info = json::array();
  for (const auto& [key, field] : keys) {
    std::string value = key == "permitType" ? f.chinese_type()
                        : key == "nameEn"   ? f.latin_name_compact()
                        : key == "sex"      ? f.sex_chinese()
                                            : f.text(field);
    json kv = {{"key", key}, {"keyProb", 100}, {"value", value}};
    const FieldValue* v = field.empty() ? nullptr : r.field(field);
    if (v && v->location) kv["valuePos"] = points(*v->location);
    kv["valueProb"] = key == "permitType" ? percent(r.type_confidence) : v ? percent(v->confidence) : 0;
    data[key] = std::move(value);
    info.push_back(std::move(kv));
  }
  json out = {{"data", std::move(data)}, {"prism_keyValueInfo", std::move(info)}};
  if (output_figure) {
    out["figure"] = json::array();
    if (r.portrait_location) out["figure"].push_back(face_figure(*r.portrait_location));
  }
  const Quad& c = r.card_location;
  out["sliceRect"] = {{"x0", std::lround(c[0].x)}, {"y0", std::lround(c[0].y)}, {"x1", std::lround(c[1].x)},
                      {"y1", std::lround(c[1].y)}, {"x2", std::lround(c[2].x)}, {"y2", std::lround(c[2].y)},
                      {"x3", std::lround(c[3].x)}, {"y3", std::lround(c[3].y)}};
  return sizes(std::move(out), image);
}

json passport_data(const PassportResult& r, const DecodedImage& image) {
  const VendorPassportFields f(r);
  const std::string surname = f.text("surname"), given = f.text("given_name");
  json data = {{"passportType", f.document_type()},
               {"countryCode", f.text("country_code")},
               {"passportNumber", f.text("passport_number")},
               {"nameEn", given.empty() ? surname : surname + " " + given},
               {"name", f.text("extra_info.local_language.name")},
               {"sex", f.text("sex")},
               {"birthPlace", f.text("extra_info.local_language.place_of_birth")},
               {"nationality", f.mrz_nationality()},
               {"issuePlace", f.text("extra_info.local_language.place_of_issue")},
               {"issueAuthority", f.text("issuing_authority")},
               {"birthDate", f.compact_date("date_of_birth")},
               {"validToDate", f.compact_date("date_of_expiry")},
               {"issueDate", f.compact_date("date_of_issue")},
               {"mrzLine1", f.text("machine_code")},
               {"mrzLine2", f.text("machine_code2")}};
  return sizes({{"data", std::move(data)}}, image);
}

json general_data(const GeneralTextResult& r, const DecodedImage& image) {
  json words = json::array();
  std::string content;
  for (const TextLine& line : r.blocks) {
    const cv::Rect box = cv::boundingRect(std::vector<cv::Point2f>(line.quad.begin(), line.quad.end()));
    const cv::Point2f top = line.quad[1] - line.quad[0];
    const long angle = std::lround(std::atan2(top.y, top.x) * 180.0 / CV_PI);
    words.push_back({{"word", line.text},
                     {"prob", percent(line.confidence)},
                     {"angle", angle},
                     {"direction", 0},
                     {"x", box.x},
                     {"y", box.y},
                     {"width", box.width},
                     {"height", box.height},
                     {"pos", points(line.quad)}});
    content += (content.empty() ? "" : " ") + line.text;
  }
  json data = {{"content", content},
               {"prism_version", "1.0.9"},
               {"prism_wnum", words.size()},
               {"prism_wordsInfo", std::move(words)}};
  return sizes(std::move(data), image);
}

std::optional<std::string> query_value(const std::vector<std::pair<std::string, std::string>>& query,
                                       std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace

const AliyunAction* find_aliyun_action(std::string_view action) {
  for (const auto& a : kActions) {
    if (a.action == action) return &a;
  }
  return nullptr;
}

AliyunJob prepare_aliyun_job(const AliyunAction& action, const std::vector<std::pair<std::string, std::string>>& query,
                             bool has_body, const OcrEngine& engine) {
  AliyunJob out;
  out.url = query_value(query, "Url");
  if (out.url && out.url->empty()) out.url.reset();
  if (out.url && has_body)
    throw Error(aliyun_codes::kInvalidParameter, "Send the image either as the body or as Url, not both");
  if (!out.url && !has_body)
    throw Error(aliyun_codes::kMissingParameter, "Send the image file as the request body, or its address as Url");
  if (out.url && out.url->size() > 2048)
    throw Error(aliyun_codes::kInvalidParameter, "Url may be at most 2048 characters long");
  bool output_figure = false;
  if (const auto v = query_value(query, "OutputFigure")) {
    if (*v != "true" && *v != "false")
      throw Error(aliyun_codes::kInvalidParameter, "OutputFigure must be true or false");
    output_figure = *v == "true";
  }
  const OcrEngine* e = &engine;
  RecognitionJob& job = out.job;
  PermitRequest permit_request;
  permit_request.return_portrait_location = output_figure;  // the figure is the portrait's place
  if (action.action == "RecognizeExitEntryPermitToMainland") {
    job.limits = aliyun_limits(permit_limits());
    job.extract = [e, output_figure, permit_request](const DecodedImage& image) {
      return permit_data(MainlandTravelPermitExtractor(*e).extract(image.bgr, permit_request), image, true,
                         output_figure);
    };
  } else if (action.action == "RecognizeExitEntryPermitToHK") {
    job.limits = aliyun_limits(permit_limits());
    job.extract = [e, output_figure, permit_request](const DecodedImage& image) {
      return permit_data(ExitEntryPermitExtractor(*e).extract(image.bgr, permit_request), image, false,
                         output_figure);
    };
  } else if (action.action == "RecognizePassport") {
    job.limits = aliyun_limits(passport_limits());
    job.extract = [e](const DecodedImage& image) {
      return passport_data(PassportExtractor(*e).extract(image.bgr, PassportRequest{}), image);
    };
  } else {
    GeneralTextRequest request;
    request.detect_direction = true;  // documented: rotated images are straightened automatically
    job.limits = aliyun_limits(general_text_limits());
    job.extract = [e, request](const DecodedImage& image) {
      return general_data(GeneralTextExtractor(*e).extract(image.bgr, request), image);
    };
  }
  return out;
}

AliyunError aliyun_error(std::string_view code) {
  using namespace aliyun_codes;
  if (code == codes::kInvalidParameter) return {400, kInvalidParameter};
  if (code == codes::kFormatNotSupported) return {400, kIllegalImageContent};
  if (code == codes::kImageSizeOutOfRange) return {400, kIllegalImageSize};
  if (code == codes::kImageNotSupported) return {400, kUnmatchedImageType};
  if (code == codes::kRecognitionFailed) return {500, kInternalError};
  if (code == "ModelArts.4601" || code == "ModelArts.4603") return {400, kIllegalImageUrl};
  if (code == "ModelArts.4104") return {400, kIllegalImageSize};
  if (code == "ModelArts.4401") return {429, kThrottlingApi};
  if (code == "APIG.0308") return {429, kThrottlingUser};
  if (code == "ModelArts.4402") return {504, kServiceTimeout};
  if (code == "ModelArts.4403") return {503, kServiceUnavailable};
  if (code == "ModelArts.4204") return {403, kNoPermission};
  if (code == kAccessKeyNotFound || code == kInvalidAction) return {404, std::string(code)};
  if (code.starts_with("AIS.") || code.starts_with("ModelArts.") || code.starts_with("APIG"))
    return {500, kInternalError};
  return {400, std::string(code)};
}

std::string aliyun_error_body(std::string_view code, std::string_view message, std::string_view request_id) {
  return json{{"RequestId", request_id}, {"Code", code}, {"Message", message}}.dump();
}

std::string aliyun_success_body(const nlohmann::json& data, std::string_view request_id) {
  return json{{"RequestId", request_id}, {"Data", data.dump()}}.dump();
}

}  // namespace ocrserve::api
