#pragma once
// Synthetic travel permits (exit-entry permits for HK/Macao and Taiwan, mainland travel permits for
// HK/Macao and Taiwan residents), front and back, clean or photographed, with the field values the
// API must return and the exact geometry of the card, the portrait and every text line.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "synth.h"

namespace synth {

enum class PermitType { ExitEntryHkMo, ExitEntryTw, MainlandHkMo, MainlandTw };
enum class Side { Front, Back };

// CLI names: exit-entry-hkmo, exit-entry-tw, mainland-hkmo, mainland-tw / front, back.
const char* permit_slug(PermitType type);
bool parse_permit_type(const std::string& name, PermitType& out);
const char* side_name(Side side);
bool parse_side(const std::string& name, Side& out);
// The API's English `type` string (seed 000 / API-NOTES), e.g.
// "Exit-Entry Permit for Traveling to and from Hong Kong and Macao".
const char* permit_api_type(PermitType type);

struct PermitTruth {  // exactly the values the API must return (formats per API-NOTES)
  PermitType type = PermitType::ExitEntryHkMo;
  Side side = Side::Front;
  // Front: name, name_en, sex (M/F), birth_date, number, issuing_authority, valid_period, and per type
  // issue_place, machine_code (exit-entry), issue_times (mainland). Back: endorsement_info_hk.* /
  // endorsement_info_mo.* / endorsement_info_tw.* (exit-entry), id_name, id_number (mainland HK/MO)
  // and machine_code1..3 (mainland). Only fields printed on that side are present.
  std::map<std::string, std::string> fields;
  std::array<cv::Point2f, 4> card_quad{};      // tl, tr, br, bl of the upright card, final-image pixels
  std::array<cv::Point2f, 4> portrait_quad{};  // the photo area (fronts; zeros on backs)
};

struct PermitSample {
  cv::Mat image;  // BGR 8-bit
  PermitTruth truth;
  std::vector<TextLineTruth> lines;  // every drawn text line, reading order of the card
  std::string difficulty;            // "clean" or e.g. "photo:rot=137,persp,glare,jpeg=61"
};

struct PermitOptions {
  PermitType type = PermitType::ExitEntryHkMo;
  Side side = Side::Front;
  std::uint64_t seed = 1;
  bool photographed = false;
};

// Deterministic in (type, side, seed, photographed). The identity depends on (type, seed) only, so
// the front and the back of one seed belong to the same person.
PermitSample render_permit(const PermitOptions& options);

}  // namespace synth
