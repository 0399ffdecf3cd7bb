#include "ocrserve/general_text.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ocrserve/error.h"
#include "request_fields.h"

namespace ocrserve {

using request_fields::optional_bool;
using request_fields::round4;

IntakeLimits general_text_limits() {
  return IntakeLimits{};
}

GeneralTextRequest parse_general_text_request(const nlohmann::json& body) {
  if (!body.is_object()) throw Error(codes::kInvalidParameter, "The request body must be a JSON object");
  GeneralTextRequest r;
  r.detect_direction = optional_bool(body, "detect_direction");
  r.quick_mode = optional_bool(body, "quick_mode");
  r.character_mode = optional_bool(body, "character_mode");
  r.single_orientation_mode = optional_bool(body, "single_orientation_mode");
  r.return_markdown_result = optional_bool(body, "return_markdown_result");
  if (const auto it = body.find("language"); it != body.end() && !it->is_null()) {
    if (!it->is_string())
      throw Error(codes::kInvalidParameter, "The parameter language must be a string such as \"zh\"");
    r.language = it->get<std::string>();
    const bool known = r.language == "zh" || r.language == "auto" ||
                       std::any_of(tesseract_languages().begin(), tesseract_languages().end(),
                                   [&](const auto& p) { return p.first == r.language; });
    if (!known) {
      throw Error(
          codes::kInvalidParameter,
          "The parameter language has an unsupported value; use auto, zh or one of the documented codes "
          "(ms, uk, hi, ru, vi, id, th, ar, de, la, fr, it, es, pt, ro, pl, am, ja, ko, tr, no, da, sv, km, he)");
    }
  }
  if (const auto it = body.find("pdf_page_number"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer())
      throw Error(codes::kInvalidParameter, "The parameter pdf_page_number must be an integer");
    const auto page = it->get<long long>();
    if (page < 1 || page > 100000)
      throw Error(codes::kInvalidParameter, "The parameter pdf_page_number must be 1 or greater");
    r.pdf_page_number = static_cast<int>(page);
  }
  return r;
}

GeneralTextResult GeneralTextExtractor::extract(const cv::Mat& bgr, const GeneralTextRequest& request,
                                                EngineTimings* timings) const {
  RecognizeOptions options;
  options.detect_direction = request.detect_direction;
  options.single_line = request.quick_mode;
  options.per_line_orientation = !request.single_orientation_mode;
  options.with_chars = request.character_mode;
  options.language = request.language;
  PageText page = engine_.recognize(bgr, options, timings);

  GeneralTextResult result;
  result.direction = page.direction;
  result.with_chars = request.character_mode;
  result.blocks = std::move(page.lines);
  if (request.return_markdown_result) {
    std::string md;
    for (size_t i = 0; i < result.blocks.size(); ++i) {
      if (i > 0) md += result.blocks[i].row == result.blocks[i - 1].row ? "\t" : "\n";
      md += result.blocks[i].text;
    }
    result.markdown = std::move(md);
  }
  return result;
}

nlohmann::json quad_json(const Quad& quad) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : quad) points.push_back({std::lround(p.x), std::lround(p.y)});
  return points;
}

nlohmann::json to_json(const GeneralTextResult& result) {
  nlohmann::json blocks = nlohmann::json::array();
  for (const auto& line : result.blocks) {
    nlohmann::json block = {
        {"words", line.text}, {"confidence", round4(line.confidence)}, {"location", quad_json(line.quad)}};
    if (result.with_chars) {
      nlohmann::json chars = nlohmann::json::array();
      for (const auto& c : line.chars) {
        chars.push_back(
            {{"char", c.text}, {"char_location", quad_json(c.quad)}, {"char_confidence", round4(c.confidence)}});
      }
      block["char_list"] = std::move(chars);
    }
    blocks.push_back(std::move(block));
  }
  nlohmann::json out = {{"direction", result.direction},
                        {"words_block_count", result.blocks.size()},
                        {"words_block_list", std::move(blocks)}};
  if (result.markdown) out["markdown_result"] = *result.markdown;
  return out;
}

}  // namespace ocrserve
