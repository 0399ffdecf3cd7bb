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
                        const PermitRequest& request, const OcrEngine& engine) {
  using namespace card_fields;
  const card_fields::Placement place =
      t.placement({kName, kBirth, kSex, kValidity, kAuthority, kPlace, kNumber, kIssueTimes});
  const Reading name = t.read(value_region(t, kName, kNameValue, place));
  const Reading name_en = reread_latin_alone(t.read(value_region(t, kName, kNameEnValue, place)), card.image, engine);
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

// Hong Kong identity card "A123456(7)", Macao resident identity card "1234567(8)". `region`: 'H'
// or 'M' when the checked machine code says whose permit it is (its number's first letter), else 0.
std::string normalize_id_number(const std::string& text, char region) {
  std::string s;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9')) s += static_cast<char>(c);
  }
  if (s.size() < 8) return s;
  // Macao numbers start with 1, 5 or 7; any other leading digit is a Hong Kong prefix letter
  // misread, and on a Hong Kong resident's permit so are those three (I, S, T).
  if (const char c = s[0]; c == '0' || c == '8' || c == '6' || c == '2')
    s[0] = c == '0' ? 'O' : c == '8' ? 'B' : c == '6' ? 'G' : 'Z';
  else if (region == 'H' && (c == '1' || c == '5' || c == '7'))
    s[0] = c == '1' ? 'I' : c == '5' ? 'S' : 'T';
  else if (const char d = card_fields::digit_for(static_cast<char32_t>(c)); region == 'M' && d)
    s[0] = d;
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

// Letters of the name line the first reading dropped (cells no character landed in, beside a
// letter) or misread (as digits, which no name holds): the name's part of the line is read again,
// wider (the default squeeze loses letters into the spacing of monospaced print) and with letters
// and fillers only, and those cells take the letters read on them.
void reread_dropped_letters(std::string& row, size_t r, const card_fields::GridCells& cells, const cv::Mat& card_image,
                            const OcrEngine& engine) {
  const auto letter = [](char c) { return c >= 'A' && c <= 'Z'; };
  const auto lost = [](char c) { return c == '?' || (c >= '0' && c <= '9'); };
  const size_t last = row.find_last_not_of("<?");
  if (last == std::string::npos || r >= cells.rows.size()) return;
  const size_t end = std::min(row.size(), last + 3);
  bool dropped = false;
  for (size_t c = 0; c < end; ++c) {
    dropped =
        dropped || (lost(row[c]) && ((c > 0 && letter(row[c - 1])) || (c + 1 < row.size() && letter(row[c + 1]))));
  }
  if (!dropped) return;
  const auto [y0, y1] = cells.rows[r];
  const float margin = 0.15f * (y1 - y0);
  const Box span{std::max(0.f, cells.start - 0.3f * cells.pitch), std::max(0.f, y0 - margin),
                 std::min(static_cast<float>(card_image.cols), cells.start + static_cast<float>(end) * cells.pitch),
                 std::min(static_cast<float>(card_image.rows), y1 + margin)};
  if (span.x1 - span.x0 < cells.pitch || span.y1 - span.y0 < 8) return;
  RecognizeOptions o;
  o.with_chars = true;
  o.alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
  o.width_scale = 1.0;  // 1.2 and 1.4 did no better on bench/permits' two seeds
  const std::vector<TextLine> again = engine.read_lines(card_image, {card_fields::quad_of(span)}, o);
  if (again.empty()) return;
  for (const CharBox& ch : again[0].chars) {
    if (ch.text.size() != 1 || !letter(ch.text[0])) continue;
    const float u = (card_fields::box_of(ch.quad).cx() - cells.start) / cells.pitch;
    const auto col = static_cast<size_t>(std::max(0.f, std::floor(u)));
    if (col < end && std::abs(u - std::floor(u) - 0.5f) < 0.3f && lost(row[col])) row[col] = ch.text[0];
  }
}

PermitResult read_back(const CardText& t, Kind kind, const cv::Mat& card_image, const OcrEngine& engine) {
  using namespace card_fields;
  PermitResult result;
  // Two readings of the zone: the characters on their grid (fillers the detector dropped come
  // back), and the lines as recognized. The first whose check digits hold wins.
  card_fields::GridCells cells;
  std::vector<std::string> grid = t.machine_grid(kMachineZone, 30, 3, 26.f, 33.f, card_image, '?', &cells);
  if (grid.size() == 3) {
    restore_machine_i(grid[2], 2, card_image, cells);
    reread_dropped_letters(grid[2], 2, cells, card_image, engine);
    restore_machine_i(grid[2], 2, card_image, cells);
  }
  for (std::string& row : grid) std::replace(row.begin(), row.end(), '?', '<');
  if (grid.size() == 3) {
    // Document code (C + R for Hong Kong/Macao, T for Taiwan residents), issuing state and
    // nationality are fixed for the permit the card was classified as; no check digit covers them.
    grid[0].replace(0, 2, kind == Kind::MainlandHkMo ? "CR" : "CT");
    grid[0].replace(2, 3, "CHN");
    grid[1].replace(15, 3, "CHN");
  }
  // The name line comes from the grid whichever reading's check digits hold: no digit covers it,
  // and the grid keeps each letter in its column (the line as recognized shifts after a dropped one).
  std::vector<std::string> as_read = machine_lines(t);
  if (grid.size() == 3 && as_read.size() == 3) as_read[2] = grid[2];
  std::vector<std::string> lines = grid.size() == 3 ? grid : as_read;
  float confidence = 0.f;
  for (const TextLine* line : t.lines_in(kMachineZone)) confidence += line->confidence / 3.f;
  confidence = std::min(confidence, 1.f) * 0.5f;
  for (const auto& candidate : {grid, as_read}) {
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
  if (kind == Kind::MainlandHkMo) {
    const card_fields::Placement place = t.placement({kIdNumber, kIdName});
    const Reading id_name = t.read(value_region(t, kIdName, kIdNameValue, place));
    const Reading id_number = t.read(value_region(t, kIdNumber, kIdNumberValue, place));
    const char region = result.machine_code_valid && lines[0].size() > 5 ? lines[0][5] : 0;
    permits::put(result, "id_name", cjk_only(id_name.text), id_name.confidence);
    permits::put(result, "id_number", normalize_id_number(id_number.text, region), id_number.confidence);
  }
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
    return side == permits::Side::Front ? read_front(text, kind, card, bgr, request, engine_)
                                        : read_back(text, kind, card.image, engine_);
  };
  // Every label of both sides: its words are never a value's, and no value shares its line.
  const std::vector<Label> printed = {kName,  kBirth,  kSex,        kValidity, kAuthority,
                                      kPlace, kNumber, kIssueTimes, kIdNumber, kIdName};
  return permits::extract_permit(bgr, engine_, false, permits::label_words(printed), printed, labels, read);
}

}  // namespace ocrserve
