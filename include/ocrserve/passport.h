#pragma once
// Passport (Huawei seed 002 and seed 004 §4.7): the data page found and rectified like a card
// (card.h), its TD3 machine-readable zone read, put on its 44-column grid and corrected by its check
// digits (mrz.h); for Chinese passports also the visual zone under its bilingual labels.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>

#include "ocrserve/engine.h"
#include "ocrserve/image_intake.h"

namespace ocrserve {

struct PassportRequest {
  // "" (auto: the machine zone's issuing state decides), "GENERAL" (machine zone only), "CHN" (all
  // fields of a Chinese passport). Other ISO 3166 alpha-3 codes read the machine zone.
  std::string country_code;
};

// Validates the request flags: Error(AIS.0101) names the field.
PassportRequest parse_passport_request(const nlohmann::json& body);

// Seed 004: JPEG/PNG/BMP/TIFF, sides 15..8192, 10 MB of base64.
IntakeLimits passport_limits();

struct PassportField {
  std::string value;
  float confidence = 0.f;
};

struct PassportResult {
  // Schema order; "extra_info.local_language.name" style names for the nested Chinese values.
  std::vector<std::pair<std::string, PassportField>> fields;
  bool chinese = false;             // fields of a Chinese passport (extra_info filled)
  bool machine_zone_valid = false;  // every check digit held (after correction)
  bool machine_zone_corrected = false;
  const PassportField* field(const std::string& name) const;
};

// Throws Error(AIS.0104) when no machine-readable zone of a passport is found.
class PassportExtractor {
 public:
  explicit PassportExtractor(const OcrEngine& engine) : engine_(engine) {}
  PassportResult extract(const cv::Mat& bgr, const PassportRequest& request) const;

 private:
  const OcrEngine& engine_;
};

// The "result" object: fields, "extra_info" (empty object for non-Chinese passports) and
// "confidence".
nlohmann::json to_json(const PassportResult& result);

}  // namespace ocrserve
