#pragma once
// Synthetic passport data pages (ID-3, 125 x 88 mm): a Chinese e-passport (bilingual labels, Chinese
// name with its pinyin, places, authority) and plain foreign pages of many countries (hyphenated,
// long and truncated names, '<' fillers, sex M/F/X), each with a two-line TD3 machine-readable zone
// whose check digits hold; clean or photographed. Every identity is invented.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "synth.h"

namespace synth {

enum class PassportKind { China, Foreign };

// CLI names: chn, foreign.
const char* passport_slug(PassportKind kind);
bool parse_passport_kind(const std::string& name, PassportKind& out);

struct PassportTruth {  // the values of the passport API (API-NOTES; seed 002), dates YYYY-MM-DD
  PassportKind kind = PassportKind::China;
  // country_code, passport_number, surname, given_name, sex, date_of_birth, date_of_expiry,
  // machine_code, machine_code2; China also passport_type, nationality ("CHINESE"), date_of_issue,
  // place_of_birth, place_of_issue, issuing_authority (English) and
  // extra_info.local_language.{name, place_of_birth, place_of_issue, issuing_authority} (Chinese).
  std::map<std::string, std::string> fields;
  std::array<cv::Point2f, 4> page_quad{};  // tl, tr, br, bl of the page, final-image pixels
  std::array<cv::Point2f, 4> portrait_quad{};
  std::array<cv::Point2f, 4> mrz_quad{};  // the two machine lines' zone
};

struct PassportSample {
  cv::Mat image;  // BGR 8-bit
  PassportTruth truth;
  std::vector<TextLineTruth> lines;
  std::string difficulty;  // "clean" or the photograph's description
};

struct PassportOptions {
  PassportKind kind = PassportKind::China;
  std::uint64_t seed = 1;
  bool photographed = false;
};

// Deterministic in (kind, seed, photographed).
PassportSample render_passport(const PassportOptions& options);

}  // namespace synth
