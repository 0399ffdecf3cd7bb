#pragma once
// General Text (Huawei seed 004 §4.5): request flags, the extractor, the result schema.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core.hpp>

#include "ocrserve/engine.h"
#include "ocrserve/image_intake.h"

namespace ocrserve {

struct GeneralTextRequest {
  bool detect_direction = false;
  bool quick_mode = false;
  bool character_mode = false;
  bool single_orientation_mode = false;
  bool return_markdown_result = false;
  std::string language;                // empty: Chinese and English
  std::optional<int> pdf_page_number;  // 1-based
};

// Validates the flags of a request body (types, enums, ranges): Error(AIS.0101) names the field.
// `image`/`url` are the caller's business.
GeneralTextRequest parse_general_text_request(const nlohmann::json& body);

// The intake limits of this API.
IntakeLimits general_text_limits();

struct GeneralTextResult {
  float direction = -1.f;
  std::vector<TextLine> blocks;  // reading order
  bool with_chars = false;
  std::optional<std::string> markdown;  // blocks of a row joined by \t, rows by \n
};

class GeneralTextExtractor {
 public:
  explicit GeneralTextExtractor(const OcrEngine& engine) : engine_(engine) {}
  GeneralTextResult extract(const cv::Mat& bgr, const GeneralTextRequest& request,
                            EngineTimings* timings = nullptr) const;

 private:
  const OcrEngine& engine_;
};

// {"direction", "words_block_count", "words_block_list", ["markdown_result"]} as in the seed.
nlohmann::json to_json(const GeneralTextResult& result);

// Quad as four integer [x, y] points.
nlohmann::json quad_json(const Quad& quad);

}  // namespace ocrserve
