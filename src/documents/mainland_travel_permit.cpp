// Mainland Travel Permit for Hong Kong and Macao Residents / for Taiwan Residents (API-NOTES; the
// Aliyun seed 003 is its twin).
//
// Front: fields under their bilingual labels; the red permit number and the issue count share the
// bottom row. Back: the Hong Kong / Macao identity card number and name (HK/Macao permit only), and
// the three 30-character machine lines, corrected by their check digits.
//
// Template coordinates are those of a 1000 x 631 upright card; value regions follow their labels.
#include <algorithm>

#include "card_fields.h"
#include "ocrserve/card.h"
#include "ocrserve/error.h"
#include "ocrserve/mrz.h"
#include "ocrserve/permit.h"
#include "permit_common.h"

namespace ocrserve {

namespace {

using card_fields::Box;
using card_fields::CardText;
using card_fields::Label;
using card_fields::Reading;
using permits::Kind;

// --- front ----------------------------------------------------------------------------------------

const Label kName{"姓名", "Name", {300, 141}};
const Label kBirth{"出生日期", "Date of birth", {300, 257}};
const Label kSex{"性别", "Sex", {600, 257}};
const Label kValidity{"有效期限", "Period of validity", {300, 329}};
const Label kAuthority{"签发机关", "Issuing authority", {300, 401}};
const Label kPlace{"签发地点", "Place of issue", {630, 401}};
const Label kNumber{"证件号码", "Permit No", {300, 473}};
const Label kIssueTimes{"次数", "No. of issues", {634, 473}};  // 换证次数 (HK/Macao), 签发次数 (Taiwan)

constexpr Box kNameValue{288, 155, 800, 201};
constexpr Box kNameEnValue{288, 201, 800, 242};
constexpr Box kBirthValue{288, 273, 590, 312};
constexpr Box kSexValue{592, 273, 800, 312};
constexpr Box kValidityValue{288, 345, 998, 384};
constexpr Box kAuthorityValue{288, 417, 620, 456};
constexpr Box kPlaceValue{622, 417, 998, 456};
constexpr Box kNumberValue{288, 487, 590, 536};
constexpr Box kIssueTimesValue{592, 487, 800, 536};
constexpr Box kPortrait{62, 148, 267, 433};

// H/M + 8 digits (Hong Kong / Macao residents), 8 digits (Taiwan residents).
std::string normalize_number(const std::string& text, Kind kind) {
  std::string s = card_fields::machine_chars(text);
  s.erase(std::remove(s.begin(), s.end(), '<'), s.end());
  const size_t first_digit = kind == Kind::MainlandHkMo ? 1 : 0;
  if (s.size() != first_digit + 8) return s;
  for (size_t i = first_digit; i < s.size(); ++i) {
    if (const char d = card_fields::digit_for(static_cast<char32_t>(s[i]))) s[i] = d;
  }
  return s;
}

std::string two_digits(const std::string& text) {
  const std::string d = card_fields::digits_of(text);
  return d.size() == 2 ? d : d.size() == 1 ? "0" + d : d;
}

PermitResult read_front(const CardText& t, Kind kind, const UprightCard& card, const cv::Mat& photo,
                        const PermitRequest& request) {
  using namespace card_fields;
  const card_fields::Placement place =
      t.placement({kName, kBirth, kSex, kValidity, kAuthority, kPlace, kNumber, kIssueTimes});
  const Reading name = t.read(value_region(t, kName, kNameValue, place));
  const Reading name_en = t.read(value_region(t, kName, kNameEnValue, place));
  const Reading birth = t.read(value_region(t, kBirth, kBirthValue, place));
  const Reading sex = t.read(value_region(t, kSex, kSexValue, place));
  const Reading validity = t.read(value_region(t, kValidity, kValidityValue, place));
  const Reading authority = t.read(value_region(t, kAuthority, kAuthorityValue, place));
  const Reading number = t.read(value_region(t, kNumber, kNumberValue, place));
  const Reading issue_times = t.read(value_region(t, kIssueTimes, kIssueTimesValue, place));

  PermitResult result;
  std::string authority_value = cjk_only(authority.text);
  if (auto s = snap(authority_value, permits::kAuthorities, 3)) authority_value = *s;
  permits::put(result, "name", cjk_only(name.text), name.confidence, name, card);
  permits::put(result, "name_en", normalize_latin_name(with_word_gaps(card.image, name_en)), name_en.confidence,
               name_en, card);
  permits::put(result, "birth_date", normalize_date(birth.text), birth.confidence, birth, card);
  permits::put(result, "sex", normalize_sex(sex.text), sex.confidence, sex, card);
  permits::put(result, "valid_period", normalize_period(validity.text), validity.confidence, validity, card);
  permits::put(result, "issuing_authority", authority_value, authority.confidence, authority, card);
  permits::put(result, "number", normalize_number(number.text, kind), number.confidence, number, card);
  if (kind == Kind::MainlandTw) {
    const Reading issue_place = t.read(value_region(t, kPlace, kPlaceValue, place));
    std::string place_value = cjk_only(issue_place.text);
    if (auto s = snap(place_value, permits::kPlaces, 1)) place_value = *s;
    permits::put(result, "issue_place", place_value, issue_place.confidence, issue_place, card);
  } else {
    permits::put(result, "issue_place", "", 0.f);  // not printed on the Hong Kong / Macao residents' permit
  }
  permits::put(result, "issue_times", two_digits(issue_times.text), issue_times.confidence, issue_times, card);
  // The face search costs ~10 ms: only for an answer that shows the portrait.
  if (request.return_portrait_image || request.return_portrait_location)
    permits::put_portrait(result, t, kName, kPortrait, place, card, photo, request.return_portrait_image);
  return result;
}

// --- back -----------------------------------------------------------------------------------------

const Label kIdNumber{"身份证件号码", "ID card No", {60, 63}};
const Label kIdName{"身份证件姓名", "Name on ID card", {520, 63}};
constexpr Box kIdNumberValue{48, 84, 505, 126};
constexpr Box kIdNameValue{508, 84, 998, 126};
constexpr Box kMachineZone{0, 420, 1000, 631};

// Hong Kong identity card "A123456(7)" (check digit verified when the reading allows), Macao
// resident identity card "1234567(8)".
std::string normalize_id_number(const std::string& text) {
  std::string s;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9')) s += static_cast<char>(c);
  }
  if (s.size() < 8) return s;
  // Macao numbers start with 1, 5 or 7; any other leading digit is a Hong Kong prefix letter misread.
  if (const char c = s[0]; c == '0' || c == '8' || c == '6' || c == '2')
    s[0] = c == '0' ? 'O' : c == '8' ? 'B' : c == '6' ? 'G' : 'Z';
  // Digits after the letter prefix (one or two letters for Hong Kong, none for Macao).
  const size_t letters = std::isdigit(static_cast<unsigned char>(s[0])) ? 0 : (s.size() == 9 ? 2 : 1);
  for (size_t i = letters; i + 1 < s.size(); ++i) {
    if (const char d = card_fields::digit_for(static_cast<char32_t>(s[i]))) s[i] = d;
  }
  return s.substr(0, s.size() - 1) + "(" + s.back() + ")";
}

// Both permits print "CHN" at fixed columns, which no check digit covers; the recognizer tends to
// drop or garble one of its letters. Restore it when the reading is one edit away.
void restore_literal(std::string& line, size_t pos, std::string_view literal) {
  if (line.size() < pos + 2 || line.compare(pos, literal.size(), literal) == 0) return;
  if (line.compare(pos, 2, literal.substr(1)) == 0) {
    line.insert(pos, 1, literal[0]);  // first letter dropped
  } else if (line.compare(pos, 2, literal.substr(0, 2)) == 0 && line.size() < 30) {
    line.insert(pos + 2, 1, literal[2]);  // last letter dropped
  } else if (line.size() >= pos + 3) {
    int same = 0;
    for (size_t i = 0; i < 3; ++i) same += line[pos + i] == literal[i];
    if (same == 2) line.replace(pos, 3, literal);
  }
}

// The machine lines as recognized, the last three rows of the zone.
std::vector<std::string> machine_lines(const CardText& t) {
  std::vector<std::string> out = t.machine_rows(kMachineZone, 15);
  if (out.size() > 3) out.erase(out.begin(), out.end() - 3);
  if (out.size() == 3) {
    restore_literal(out[0], 2, "CHN");   // issuing state
    restore_literal(out[1], 15, "CHN");  // nationality
  }
  return out;
}

PermitResult read_back(const CardText& t, Kind kind, const cv::Mat& card_image) {
  using namespace card_fields;
  PermitResult result;
  if (kind == Kind::MainlandHkMo) {
    const card_fields::Placement place = t.placement({kIdNumber, kIdName});
    const Reading id_name = t.read(value_region(t, kIdName, kIdNameValue, place));
    const Reading id_number = t.read(value_region(t, kIdNumber, kIdNumberValue, place));
    permits::put(result, "id_name", cjk_only(id_name.text), id_name.confidence);
    permits::put(result, "id_number", normalize_id_number(id_number.text), id_number.confidence);
  }
  // Two readings of the zone: the characters on their grid (fillers the detector dropped come
  // back), and the lines as recognized. The first whose check digits hold wins.
  std::vector<std::string> grid = t.machine_grid(kMachineZone, 30, 3, 26.f, 33.f, card_image);
  if (grid.size() == 3) {
    // Document code (C + R for Hong Kong/Macao, T for Taiwan residents), issuing state and
    // nationality are fixed for the permit the card was classified as; no check digit covers them.
    grid[0].replace(0, 2, kind == Kind::MainlandHkMo ? "CR" : "CT");
    grid[0].replace(2, 3, "CHN");
    grid[1].replace(15, 3, "CHN");
  }
  std::vector<std::string> lines = grid.size() == 3 ? grid : machine_lines(t);
  float confidence = 0.f;
  for (const TextLine* line : t.lines_in(kMachineZone)) confidence += line->confidence / 3.f;
  confidence = std::min(confidence, 1.f) * 0.5f;
  for (const auto& candidate : {grid, machine_lines(t)}) {
    if (candidate.size() != 3) continue;
    const mrz::CorrectionResult mc = mrz::correct(candidate, mrz::Format::MainlandTravelPermit, permits::today());
    if (mc.status == mrz::CorrectionStatus::Valid || mc.status == mrz::CorrectionStatus::Corrected) {
      result.machine_code_valid = true;
      lines = mc.lines;
      confidence *= mc.status == mrz::CorrectionStatus::Corrected ? 1.8f : 2.f;
      break;
    }
  }
  lines.resize(3);
  for (size_t i = 0; i < 3; ++i) {
    permits::put(result, "machine_code" + std::to_string(i + 1), lines[i], confidence);
  }
  return result;
}

}  // namespace

PermitResult MainlandTravelPermitExtractor::extract(const cv::Mat& bgr, const PermitRequest& request) const {
  const auto labels = [](Kind kind, permits::Side side) -> std::vector<Label> {
    if (side == permits::Side::Front) return {kName, kBirth, kSex, kValidity, kAuthority, kPlace, kNumber, kIssueTimes};
    // The notes' first words anchor the back too; the Taiwan residents' back has nothing printed
    // right of them, too narrow a base to move the card by.
    if (kind == Kind::MainlandTw) return {};
    return {kIdNumber,
            kIdName,
            {"本证件是持证人", "", {60, 171}},
            {"不得涂改", "", {60, 207}},
            {"持证人在", "", {60, 243}}};
  };
  const auto read = [&](const CardText& text, const UprightCard& card, Kind kind, permits::Side side) {
    return side == permits::Side::Front ? read_front(text, kind, card, bgr, request)
                                        : read_back(text, kind, card.image);
  };
  return permits::extract_permit(
      bgr, engine_, false,
      permits::label_words(
          {kName, kBirth, kSex, kValidity, kAuthority, kPlace, kNumber, kIssueTimes, kIdNumber, kIdName}),
      {kName, kBirth, kSex, kValidity, kAuthority, kPlace, kNumber, kIssueTimes, kIdNumber, kIdName}, labels, read);
}

}  // namespace ocrserve
