#include "permit.h"

#include <array>
#include <string_view>

#include "degrade.h"
#include "identity.h"
#include "permit_draw.h"

namespace synth {
namespace {

constexpr std::array<std::string_view, 4> kSlugs = {"exit-entry-hkmo", "exit-entry-tw", "mainland-hkmo", "mainland-tw"};
constexpr std::array<std::string_view, 4> kApiTypes = {
    "Exit-Entry Permit for Traveling to and from Hong Kong and Macao",
    "Exit-Entry Permit for Traveling to and from Taiwan",
    "Mainland Travel Permit for Hong Kong and Macao Residents",
    "Mainland Travel Permit for Taiwan Residents",
};

// Salts keep the identity, the drawing and the photograph on independent random streams: the
// identity is shared by both sides, and photographing does not change the card.
constexpr std::uint64_t kIdentitySalt = 0x1D3E;
constexpr std::uint64_t kCardSalt = 0xCA4D;
constexpr std::uint64_t kPhotoSalt = 0xF070;

std::size_t index_of(PermitType type) {
  return static_cast<std::size_t>(type);
}

void add_endorsement(std::map<std::string, std::string>& fields, const std::string& block,
                     const std::optional<ident::Endorsement>& e) {
  if (!e) return;
  fields[block + ".endorsement_type"] = e->type;
  fields[block + ".valid_round_trips"] = e->trips;
  fields[block + ".endorsement_valid_period"] = e->period;
  fields[block + ".remark"] = e->remark;
  fields[block + ".issue_info"] = e->issue_info;
}

// The values printed on this side, keyed by the API's field names.
std::map<std::string, std::string> side_fields(const ident::Identity& id, Side side) {
  std::map<std::string, std::string> f;
  const bool exit_entry = id.type == PermitType::ExitEntryHkMo || id.type == PermitType::ExitEntryTw;
  if (side == Side::Front) {
    f["name"] = id.name;
    f["name_en"] = id.name_en;
    f["sex"] = std::string(1, id.sex);
    f["birth_date"] = ident::dotted(id.birth);
    f["number"] = id.number;
    f["issuing_authority"] = id.authority;
    f["valid_period"] = id.valid_period();
    if (!id.issue_place.empty()) f["issue_place"] = id.issue_place;
    if (exit_entry)
      f["machine_code"] = id.machine_code;
    else
      f["issue_times"] = id.issue_times;
    return f;
  }
  if (exit_entry) {
    add_endorsement(f, "endorsement_info_hk", id.hk);
    add_endorsement(f, "endorsement_info_mo", id.mo);
    add_endorsement(f, "endorsement_info_tw", id.tw);
    return f;
  }
  if (id.type == PermitType::MainlandHkMo) {
    f["id_name"] = id.id_name;
    f["id_number"] = id.id_number;
  }
  for (std::size_t i = 0; i < 3; ++i) f["machine_code" + std::to_string(i + 1)] = id.machine_lines[i];
  return f;
}

}  // namespace

const char* permit_slug(PermitType type) {
  return kSlugs[index_of(type)].data();
}

bool parse_permit_type(const std::string& name, PermitType& out) {
  for (std::size_t i = 0; i < kSlugs.size(); ++i)
    if (name == kSlugs[i]) {
      out = static_cast<PermitType>(i);
      return true;
    }
  return false;
}

const char* side_name(Side side) {
  return side == Side::Front ? "front" : "back";
}

bool parse_side(const std::string& name, Side& out) {
  if (name != "front" && name != "back") return false;
  out = name == "front" ? Side::Front : Side::Back;
  return true;
}

const char* permit_api_type(PermitType type) {
  return kApiTypes[index_of(type)].data();
}

PermitSample render_permit(const PermitOptions& options) {
  const auto type_id = static_cast<std::uint64_t>(options.type);
  const auto side_id = static_cast<std::uint64_t>(options.side);
  Rng identity_rng(mix_seed(options.seed, kIdentitySalt * 8 + type_id));
  const ident::Identity id = ident::make_identity(options.type, identity_rng);

  Rng card_rng(mix_seed(options.seed, kCardSalt * 16 + type_id * 2 + side_id));
  FontSession fonts;
  PermitCard card = draw_permit_card(id, options.side, card_rng, fonts);

  PermitSample sample;
  sample.truth.type = options.type;
  sample.truth.side = options.side;
  sample.truth.fields = side_fields(id, options.side);
  sample.truth.card_quad = rect_corners(cv::Rect(0, 0, kPermitWidth, kPermitHeight));
  if (!card.portrait.empty()) sample.truth.portrait_quad = rect_corners(card.portrait);
  sample.lines = std::move(card.lines);
  sample.difficulty = "clean";
  if (!options.photographed) {
    sample.image = card.image;
    return sample;
  }

  Rng photo_rng(mix_seed(options.seed, kPhotoSalt * 16 + type_id * 2 + side_id));
  PermitPhoto photo = photograph_permit(card, photo_rng);
  sample.image = photo.image;
  sample.difficulty = photo.difficulty;
  for (auto& p : sample.truth.card_quad) p = map_point(photo.homography, p);
  if (!card.portrait.empty())
    for (auto& p : sample.truth.portrait_quad) p = map_point(photo.homography, p);
  for (auto& line : sample.lines)
    for (auto& p : line.quad) p = map_point(photo.homography, p);
  return sample;
}

}  // namespace synth
