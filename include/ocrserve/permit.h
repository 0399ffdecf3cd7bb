#pragma once
// Travel permits: the Exit-Entry Permit for Hong Kong/Macao and for Taiwan (seed 000) and the
// Mainland Travel Permit for Hong Kong/Macao and for Taiwan residents (API-NOTES; Aliyun seed 003),
// front and back. Both read a rectified card (card.h), locate fields by their printed labels, check
// them against the machine code and answer in the Huawei result schema.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>

#include "ocrserve/engine.h"
#include "ocrserve/image_intake.h"

namespace ocrserve {

struct PermitRequest {
  bool return_portrait_image = false;
  bool return_portrait_location = false;
  // "en" (default): `type` as seed 000 writes it; "zh": the Chinese name of the permit
  // (往来港澳通行证, 往来台湾通行证, 港澳居民来往内地通行证, 台湾居民来往大陆通行证).
  std::string type_language = "en";
};

// Validates the flags of a request body (types): Error(AIS.0101) names the field.
PermitRequest parse_permit_request(const nlohmann::json& body);

// Seed 000: PNG, JPG, BMP or TIFF; sides 15..8192; 10 MB of base64.
IntakeLimits permit_limits();

struct FieldValue {
  std::string value;  // as printed, normalized to the documented format; empty when not found
  float confidence = 0.f;
  std::optional<Quad> location;  // where it stands in the photo, when it was read from one place
};

struct PermitResult {
  std::string type;  // the API's English type string
  std::string side;  // "front" or "back"
  float type_confidence = 0.f, side_confidence = 0.f;
  // Result fields in schema order. Nested objects use dotted names: "endorsement_info_hk.remark".
  std::vector<std::pair<std::string, FieldValue>> fields;
  Quad card_location{};                     // the card's corners in the photo
  std::optional<Quad> portrait_location;    // photo pixels; fronts only
  std::vector<std::uint8_t> portrait_jpeg;  // filled when return_portrait_image and a portrait exists
  // Not part of the schema, for benchmarks and logs: whether the machine code was read with every
  // check digit valid, whether a face confirmed the portrait, which printed fields the machine code
  // overruled (names).
  bool machine_code_valid = false;
  bool portrait_confirmed = false;  // a face was found in the photo area
  std::vector<std::string> corrected_by_machine_code;

  const FieldValue* field(const std::string& name) const;
};

// Exit-Entry Permit (往来港澳通行证 / 往来台湾通行证), card type, front and back.
// Throws Error(AIS.0104) when the image shows no such permit.
class ExitEntryPermitExtractor {
 public:
  explicit ExitEntryPermitExtractor(const OcrEngine& engine) : engine_(engine) {}
  PermitResult extract(const cv::Mat& bgr, const PermitRequest& request) const;

 private:
  const OcrEngine& engine_;
};

// Mainland Travel Permit (港澳居民来往内地通行证 / 台湾居民来往大陆通行证), front and back.
// Throws Error(AIS.0104) when the image shows no such permit.
class MainlandTravelPermitExtractor {
 public:
  explicit MainlandTravelPermitExtractor(const OcrEngine& engine) : engine_(engine) {}
  PermitResult extract(const cv::Mat& bgr, const PermitRequest& request) const;

 private:
  const OcrEngine& engine_;
};

// The Chinese name of the permit a PermitResult::type names (往来港澳通行证 ...); the type itself
// for another.
std::string chinese_permit_type(const std::string& english_type);

// {"result" body}: fields (nested for endorsements), type, side, portrait_* when asked, and
// "confidence" with one float per field (an object per endorsement block) as in seed 000.
nlohmann::json to_json(const PermitResult& result, const PermitRequest& request);

}  // namespace ocrserve
