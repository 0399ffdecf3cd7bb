#include "api/tencent.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <set>

#include "api/vendor_fields.h"
#include "ocrserve/error.h"
#include "ocrserve/general_text.h"
#include "ocrserve/passport.h"
#include "ocrserve/permit.h"

namespace ocrserve::api {

namespace {

using nlohmann::json;

const std::array<TencentAction, 4> kActions = {{
    {"PermitOCR", "exit-entry-permit"},
    {"MainlandPermitOCR", "mainland-travel-permit"},
    {"MLIDPassportOCR", "passport"},
    {"GeneralBasicOCR", "general-text"},
}};

// The request fields each action documents (tencentcloud-sdk-nodejs-ocr 4.1.232 ocr_models.d.ts).
std::set<std::string_view> fields_of(std::string_view action) {
  if (action == "PermitOCR") return {"ImageBase64", "ImageUrl", "CropPortrait"};
  if (action == "MainlandPermitOCR") return {"ImageBase64", "ImageUrl", "RetProfile", "CardSide"};
  if (action == "MLIDPassportOCR") return {"ImageBase64", "ImageUrl", "RetImage"};
  return {"ImageBase64", "ImageUrl", "Scene", "LanguageType", "IsPdf", "PdfPageNumber", "IsWords"};
}

Error invalid(const std::string& message) { return Error(tencent_codes::kInvalidParameter, message); }

std::optional<std::string> string_field(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw invalid(std::string("The parameter ") + name + " must be a string");
  return it->get<std::string>();
}

bool bool_field(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw invalid(std::string("The parameter ") + name + " must be a boolean (true or false)");
  return it->get<bool>();
}

// Tencent's LanguageType -> the General Text language code; Chinese-English modes use the default.
std::string general_text_language(const std::string& type) {
  static const std::vector<std::pair<std::string_view, std::string_view>> table = {
      {"zh", ""},    {"zh_rare", ""}, {"auto", "auto"}, {"mix", "auto"}, {"jap", "ja"}, {"kor", "ko"},
      {"spa", "es"}, {"fre", "fr"},   {"ger", "de"},    {"por", "pt"},   {"vie", "vi"}, {"may", "ms"},
      {"rus", "ru"}, {"ita", "it"},   {"swe", "sv"},    {"dan", "da"},   {"nor", "no"}, {"tha", "th"},
      {"hi", "hi"},  {"ara", "ar"}};
  for (const auto& [tencent, ours] : table) {
    if (type == tencent) return std::string(ours);
  }
  throw Error(tencent_codes::kInvalidParameterValue,
              "The parameter LanguageType has an unsupported value; use zh, auto, mix, jap, kor, spa, fre, ger, por, "
              "vie, may, rus, ita, swe, dan, nor, tha, hi or ara");
}

json coord(const cv::Point2f& p) { return {{"X", std::lround(p.x)}, {"Y", std::lround(p.y)}}; }

json polygon(const Quad& q) {
  json out = json::array();
  for (const auto& p : q) out.push_back(coord(p));
  return out;
}

int percent(float confidence) { return static_cast<int>(std::lround(std::clamp(confidence, 0.f, 1.f) * 100)); }

// Tencent's Angle: the text's rotation in degrees, clockwise positive, in (-180, 180].
double tencent_angle(float direction) {
  if (direction < 0) return 0;
  const double d = std::fmod(direction, 360.0);
  return std::round((d > 180 ? d - 360 : d) * 100) / 100;
}

json general_basic_response(const GeneralTextResult& r, const DecodedImage& image) {
  json detections = json::array();
  int paragraph = 0;
  for (size_t i = 0; i < r.blocks.size(); ++i) {
    const TextLine& line = r.blocks[i];
    if (i == 0 || line.row != r.blocks[i - 1].row) ++paragraph;
    const cv::Rect box = cv::boundingRect(std::vector<cv::Point2f>(line.quad.begin(), line.quad.end()));
    json words = json::array(), points = json::array();
    if (r.with_chars) {
      for (const auto& c : line.chars) {
        words.push_back({{"Confidence", percent(c.confidence)}, {"Character", c.text}});
        points.push_back({{"WordCoordinate", polygon(c.quad)}});
      }
    }
    detections.push_back({{"DetectedText", line.text},
                          {"Confidence", percent(line.confidence)},
                          {"Polygon", polygon(line.quad)},
                          {"AdvancedInfo", json{{"Parag", {{"ParagNo", paragraph}}}}.dump()},
                          {"ItemPolygon", {{"X", box.x}, {"Y", box.y}, {"Width", box.width}, {"Height", box.height}}},
                          {"Words", std::move(words)},
                          {"WordCoordPoint", std::move(points)}});
  }
  const double angle = tencent_angle(r.direction);
  return {{"TextDetections", std::move(detections)},
          {"Language", "zh"},
          {"Angel", angle},
          {"PdfPageSize", image.format == ImageFormat::Pdf ? image.page_count : 0},
          {"Angle", angle}};
}

std::string portrait_base64(const PermitResult& r) {
  return r.portrait_jpeg.empty() ? "" : encode_base64(r.portrait_jpeg.data(), r.portrait_jpeg.size());
}

// PermitOCR and MainlandPermitOCR read a front unless told otherwise: the other side is refused
// with what to send instead.
void require_side(const PermitResult& r, const std::string& side, const char* hint) {
  if (r.side != side)
    throw Error(codes::kImageNotSupported, "The image shows the " + r.side + " of the permit; " + hint);
}

json permit_response(const PermitResult& r) {
  require_side(r, "front", "PermitOCR reads the front (the side with the portrait)");
  const VendorPermitFields f(r);
  return {{"Name", f.text("name")},
          {"EnglishName", f.latin_name_compact()},
          {"Number", f.text("number")},
          {"Sex", f.sex_chinese()},
          {"ValidDate", f.text("valid_period")},
          {"IssueAuthority", f.text("issuing_authority")},
          {"IssueAddress", f.text("issue_place")},
          {"Birthday", f.text("birth_date")},
          {"PortraitImage", portrait_base64(r)},
          {"Type", f.chinese_type()}};
}

json mainland_permit_response(const PermitResult& r, const std::string& card_side) {
  const VendorPermitFields f(r);
  if (card_side == "BACK") {
    require_side(r, "back", "set CardSide to FRONT (the default) for this side");
    return {{"Name", ""},          {"EnglishName", ""},   {"Sex", ""},        {"Birthday", ""},
            {"IssueAuthority", ""}, {"ValidDate", ""},     {"Number", ""},     {"IssueAddress", ""},
            {"IssueNumber", ""},    {"Type", f.chinese_type()}, {"Profile", ""}, {"Nationality", ""},
            {"MainlandTravelPermitBackInfos",
             {{"Type", f.chinese_type()}, {"Name", f.text("id_name")}, {"IDNumber", f.text("id_number")},
              {"HistoryNumber", ""}}}};
  }
  require_side(r, "front", "set CardSide to BACK to read the back");
  return {{"Name", f.text("name")},
          {"EnglishName", f.latin_name_compact()},
          {"Sex", f.sex_chinese()},
          {"Birthday", f.text("birth_date")},
          {"IssueAuthority", f.text("issuing_authority")},
          {"ValidDate", f.text("valid_period")},
          {"Number", f.text("number")},
          {"IssueAddress", f.text("issue_place")},
          {"IssueNumber", f.text("issue_times")},
          {"Type", f.chinese_type()},
          {"Profile", portrait_base64(r)},
          {"Nationality", "中国"},
          {"MainlandTravelPermitBackInfos", nullptr}};
}

json passport_response(const PassportResult& r) {
  const VendorPassportFields f(r);
  const std::string surname = f.text("surname"), given = f.text("given_name");
  const std::string name = given.empty() ? surname : surname + " " + given;
  json visual = {{"Type", ""},       {"IssuingCountry", ""},   {"PassportID", ""},  {"Surname", ""},
                 {"GivenName", ""},  {"Name", ""},             {"Nationality", ""}, {"DateOfBirth", ""},
                 {"Sex", ""},        {"DateOfIssuance", ""},   {"DateOfExpiration", ""}, {"Signature", ""},
                 {"IssuePlace", ""}, {"IssuingAuthority", ""}, {"BirthPlace", ""}};
  if (r.chinese) {  // the visual zone was read under its labels
    visual = {{"Type", f.document_type()},
              {"IssuingCountry", f.text("country_code")},
              {"PassportID", f.text("passport_number")},
              {"Surname", surname},
              {"GivenName", given},
              {"Name", f.text("extra_info.local_language.name")},
              {"Nationality", f.text("nationality")},
              {"DateOfBirth", f.text("date_of_birth")},
              {"Sex", f.text("sex")},
              {"DateOfIssuance", f.text("date_of_issue")},
              {"DateOfExpiration", f.text("date_of_expiry")},
              {"Signature", ""},
              {"IssuePlace", f.text("extra_info.local_language.place_of_issue")},
              {"IssuingAuthority", f.text("extra_info.local_language.issuing_authority")},
              {"BirthPlace", f.text("extra_info.local_language.place_of_birth")}};
  }
  return {{"ID", f.text("passport_number")},
          {"Name", name},
          {"DateOfBirth", f.mrz_birth_date()},
          {"Sex", f.text("sex")},
          {"DateOfExpiration", f.mrz_expiry_date()},
          {"IssuingCountry", f.text("country_code")},
          {"Nationality", f.mrz_nationality()},
          {"Warn", json::array()},
          {"Image", ""},
          {"AdvancedInfo", "1"},
          {"CodeSet", f.text("machine_code")},
          {"CodeCrc", f.text("machine_code2")},
          {"Surname", surname},
          {"GivenName", given},
          {"Type", f.document_type()},
          {"PassportRecognizeInfos", std::move(visual)},
          {"WarnCardInfos", json::array()}};
}

// Tencent's documented size limits: 7 MB of base64 for PermitOCR, 10 MB for the others.
IntakeLimits tencent_limits(std::string_view action, IntakeLimits base) {
  base.max_base64_bytes = action == "PermitOCR" ? 7 * 1024 * 1024 : 10 * 1024 * 1024;
  return base;
}

}  // namespace

const TencentAction* find_tencent_action(std::string_view action) {
  for (const auto& a : kActions) {
    if (a.action == action) return &a;
  }
  return nullptr;
}

TencentJob prepare_tencent_job(const TencentAction& action, const nlohmann::json& body, const OcrEngine& engine) {
  if (!body.is_object()) throw invalid("The request body must be a JSON object");
  const std::set<std::string_view> known = fields_of(action.action);
  for (const auto& [name, value] : body.items()) {
    if (!known.contains(name))
      throw Error(tencent_codes::kUnknownParameter,
                  "The parameter " + name + " is not a parameter of " + std::string(action.action));
  }
  TencentJob out;
  out.url = string_field(body, "ImageUrl");
  out.image_base64 = string_field(body, "ImageBase64");
  if (out.url && out.url->empty()) out.url.reset();
  if (out.url) out.image_base64.reset();  // documented: ImageUrl wins when both are sent
  if (!out.url && (!out.image_base64 || out.image_base64->empty()))
    throw invalid("Send the image as ImageBase64 (base64 of the file) or ImageUrl");

  const OcrEngine* e = &engine;
  RecognitionJob& job = out.job;
  if (action.action == "PermitOCR") {
    PermitRequest request;
    request.return_portrait_image = bool_field(body, "CropPortrait");
    job.limits = tencent_limits(action.action, permit_limits());
    job.extract = [e, request](const DecodedImage& image) {
      return permit_response(ExitEntryPermitExtractor(*e).extract(image.bgr, request));
    };
  } else if (action.action == "MainlandPermitOCR") {
    PermitRequest request;
    request.return_portrait_image = bool_field(body, "RetProfile");
    std::string side = string_field(body, "CardSide").value_or("FRONT");
    if (side != "FRONT" && side != "BACK")
      throw Error(tencent_codes::kInvalidParameterValue, "The parameter CardSide must be FRONT or BACK");
    job.limits = tencent_limits(action.action, permit_limits());
    job.extract = [e, request, side](const DecodedImage& image) {
      return mainland_permit_response(MainlandTravelPermitExtractor(*e).extract(image.bgr, request), side);
    };
  } else if (action.action == "MLIDPassportOCR") {
    bool_field(body, "RetImage");  // validated; the portrait crop of passports is not built (Image stays "")
    job.limits = tencent_limits(action.action, passport_limits());
    job.extract = [e](const DecodedImage& image) {
      return passport_response(PassportExtractor(*e).extract(image.bgr, PassportRequest{}));
    };
  } else {
    GeneralTextRequest request;
    request.detect_direction = true;  // Tencent straightens rotated text and reports Angle
    request.character_mode = bool_field(body, "IsWords");
    string_field(body, "Scene");  // reserved by Tencent
    if (const auto type = string_field(body, "LanguageType")) request.language = general_text_language(*type);
    const bool pdf = bool_field(body, "IsPdf");
    job.limits = tencent_limits(action.action, general_text_limits());
    if (!pdf) job.limits.formats.erase(ImageFormat::Pdf);
    if (const auto it = body.find("PdfPageNumber"); it != body.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 100000)
        throw invalid("The parameter PdfPageNumber must be a page number (an integer from 1)");
      if (pdf) job.intake.pdf_page_number = it->get<int>();
    }
    job.extract = [e, request](const DecodedImage& image) {
      return general_basic_response(GeneralTextExtractor(*e).extract(image.bgr, request), image);
    };
  }
  return out;
}

std::string tencent_error_code(std::string_view code, std::string_view reason) {
  if (code == codes::kInvalidParameter) return tencent_codes::kInvalidParameterValue;
  if (code == codes::kFormatNotSupported) return tencent_codes::kImageDecodeFailed;
  if (code == codes::kImageSizeOutOfRange)
    return reason == reasons::kTooManyBytes ? tencent_codes::kTooLargeFile : tencent_codes::kInvalidParameterValue;
  if (code == codes::kImageNotSupported) return tencent_codes::kOcrFailed;
  if (code == codes::kRecognitionFailed) return tencent_codes::kUnknownError;
  if (code == "ModelArts.4601" || code == "ModelArts.4603") return tencent_codes::kDownloadError;
  if (code == "ModelArts.4105") return tencent_codes::kInvalidParameter;
  if (code == "ModelArts.4104") return tencent_codes::kTooLargeFile;
  if (code == "ModelArts.4401" || code == "APIG.0308") return tencent_codes::kRequestLimitExceeded;
  if (code == "ModelArts.4402") return tencent_codes::kUnknownError;
  if (code == "ModelArts.4403") return tencent_codes::kServiceUnavailable;
  if (code == "ModelArts.4204") return tencent_codes::kUnauthorizedOperation;
  if (code.starts_with("AIS.") || code.starts_with("ModelArts.") || code.starts_with("APIG"))
    return tencent_codes::kInternalError;
  return std::string(code);
}

std::string tencent_error_body(std::string_view code, std::string_view message, std::string_view request_id) {
  return json{{"Response", {{"Error", {{"Code", code}, {"Message", message}}}, {"RequestId", request_id}}}}.dump();
}

std::string tencent_success_body(nlohmann::json response, std::string_view request_id) {
  response["RequestId"] = request_id;
  return json{{"Response", std::move(response)}}.dump();
}

}  // namespace ocrserve::api
