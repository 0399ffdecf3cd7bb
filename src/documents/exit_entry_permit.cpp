// Exit-Entry Permit for Travelling to and from Hong Kong and Macao / Taiwan (card type), seed 000.
//
// Front: fields under their bilingual labels, the red number top right, the 30-character machine
// code at the bottom, which decides the number, birth date and expiry whenever its check digits
// hold. Back: one endorsement block per region (Hong Kong and Macao, or Taiwan), each with five
// labelled values.
//
// Template coordinates are those of a 1000 x 631 upright card; every value region is placed
// relative to its label where the label was read.
#include <algorithm>

#include <opencv2/imgproc.hpp>

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

const Label kName{"姓名", "Name", {285, 145}};
const Label kBirth{"出生日期", "Date of birth", {285, 265}};
const Label kSex{"性别", "Sex", {595, 265}};
const Label kValidity{"有效期限", "Period of validity", {285, 335}};
const Label kAuthority{"签发机关", "Issuing authority", {285, 405}};
const Label kPlace{"签发地点", "Place of issue", {625, 405}};

constexpr Box kNameValue{272, 160, 800, 207};
constexpr Box kNameEnValue{272, 207, 800, 250};
constexpr Box kBirthValue{272, 281, 585, 320};
constexpr Box kSexValue{588, 281, 800, 320};
constexpr Box kValidityValue{272, 351, 995, 390};
constexpr Box kAuthorityValue{272, 421, 615, 460};
constexpr Box kPlaceValue{618, 421, 995, 460};
constexpr Box kNumberValue{640, 108, 998, 166};  // red, right-aligned, no label
constexpr Box kMachineCode{0, 530, 1000, 631};
constexpr Box kPortrait{50, 130, 250, 392};

// Letter, a letter (not I/O) or digit, 7 digits: "C08180179", "CA3123456", "L86610943".
std::string normalize_number(const std::string& text) {
  std::string s = card_fields::machine_chars(text);
  s.erase(std::remove(s.begin(), s.end(), '<'), s.end());
  if (s.size() != 9) return s;
  for (size_t i = 2; i < 9; ++i) {
    if (const char d = card_fields::digit_for(static_cast<char32_t>(s[i]))) s[i] = d;
  }
  if (s[0] == '0') s[0] = 'C';
  return s;
}

std::string yymmdd(const std::string& dotted) {
  return dotted.size() == 10 ? dotted.substr(2, 2) + dotted.substr(5, 2) + dotted.substr(8, 2) : "";
}

std::string dotted_from_iso(const std::string& iso) {  // "YYYY-MM-DD" -> "YYYY.MM.DD"
  if (iso.size() != 10) return "";
  std::string d = iso;
  d[4] = d[7] = '.';
  return d;
}

// A printed date against the machine code's YYMMDD: the printed one when they agree; otherwise the
// machine code's, keeping the printed century when its last two digits agree.
std::string reconcile_date(const std::string& printed, const std::string& mrz_iso, bool& overruled) {
  const std::string from_mrz = dotted_from_iso(mrz_iso);
  overruled = false;
  if (from_mrz.empty() || yymmdd(printed) == yymmdd(from_mrz)) return printed.empty() ? from_mrz : printed;
  overruled = true;
  if (printed.size() == 10 && printed.substr(2, 2) == from_mrz.substr(2, 2))
    return printed.substr(0, 5) + from_mrz.substr(5);
  return from_mrz;
}

struct FrontReading {
  Reading name, name_en, birth, sex, validity, authority, place, number, machine;
};

// The machine code holds only the expiry; a permit runs from the day after the expiry, 5 or 10
// years earlier. When the printed end disagrees, the end comes from the machine code and the start
// is the printed one if it is a date, else the candidate the printed digits resemble.
void reconcile_period(std::string& period, const std::string& printed_text, const std::string& expiry,
                      bool& overruled) {
  overruled = false;
  const auto end = card_fields::parse_dotted(expiry);
  if (!end || (period.size() == 21 && period.substr(11) == expiry)) return;
  const std::string digits = card_fields::digits_of(printed_text);
  const std::string printed_start = digits.substr(0, std::min<size_t>(8, digits.size()));
  std::string start = card_fields::date_dotted(printed_start);
  if (start.empty()) {
    int best_distance = 4;
    const std::chrono::year_month_day after(std::chrono::sys_days(*end) + std::chrono::days(1));
    for (int years : {10, 5}) {
      std::chrono::year_month_day s = (after.year() - std::chrono::years(years)) / after.month() / after.day();
      if (!s.ok()) s = s.year() / s.month() / std::chrono::last;
      const std::string candidate = card_fields::dotted(s);
      const int d = card_fields::edit_distance(card_fields::to_u32(card_fields::digits_of(candidate)),
                                               card_fields::to_u32(printed_start));
      if (d < best_distance) {
        best_distance = d;
        start = candidate;
      }
    }
  }
  if (start.empty()) return;
  period = start + "-" + expiry;
  overruled = true;
}

PermitResult read_front(const CardText& t, const UprightCard& card, const cv::Mat& photo, const PermitRequest& request,
                        const OcrEngine& engine) {
  using namespace card_fields;
  const card_fields::Placement place = t.placement({kName, kBirth, kSex, kValidity, kAuthority, kPlace});
  FrontReading r;
  r.name = t.read(value_region(t, kName, kNameValue, place));
  r.name_en = reread_latin_alone(t.read(value_region(t, kName, kNameEnValue, place)), card.image, engine);
  r.birth = t.read(value_region(t, kBirth, kBirthValue, place));
  r.sex = t.read(value_region(t, kSex, kSexValue, place));
  r.validity = t.read(value_region(t, kValidity, kValidityValue, place));
  r.authority = t.read(value_region(t, kAuthority, kAuthorityValue, place));
  r.place = t.read(value_region(t, kPlace, kPlaceValue, place));
  r.number = t.read(place.map(kNumberValue));
  r.machine = t.read(place.map(kMachineCode));

  PermitResult result;
  std::string number = normalize_number(r.number.text);
  std::string birth = normalize_date(r.birth.text);
  std::string period = normalize_period(r.validity.text);
  float number_conf = r.number.confidence, birth_conf = r.birth.confidence, period_conf = r.validity.confidence;

  // The machine code: corrected by its check digits, then the judge of number and dates.
  const Box machine_zone = place.map(kMachineCode);
  const std::string machine_raw = machine_chars(r.machine.text);
  std::string machine_code = machine_raw;
  float machine_conf = r.machine.confidence;
  // As recognized, then the characters on their grid (a dropped '<' comes back).
  mrz::CorrectionResult mc;
  std::vector<std::string> grid = t.machine_grid(machine_zone, 30, 1, 26.f, 33.f, card.image);
  for (const auto& candidate : {std::vector<std::string>{machine_raw}, grid}) {
    if (candidate.size() != 1) continue;
    mc = mrz::correct(candidate, mrz::Format::ExitEntryPermitCard, permits::today());
    if (mc.status == mrz::CorrectionStatus::Valid || mc.status == mrz::CorrectionStatus::Corrected) break;
  }
  if (mc.status == mrz::CorrectionStatus::Valid || mc.status == mrz::CorrectionStatus::Corrected) {
    result.machine_code_valid = true;
    machine_code = mc.lines[0];
    if (mc.status == mrz::CorrectionStatus::Corrected) machine_conf *= 0.9f;
    if (mc.parsed.document_number != number) {
      number = mc.parsed.document_number;
      number_conf = std::min(number_conf, 0.8f) * 0.9f;
      result.corrected_by_machine_code.push_back("number");
    }
    bool overruled = false;
    birth = reconcile_date(birth, mc.parsed.birth_date, overruled);
    if (overruled) {
      birth_conf = std::min(birth_conf, 0.8f) * 0.9f;
      result.corrected_by_machine_code.push_back("birth_date");
    }
    reconcile_period(period, r.validity.text, dotted_from_iso(mc.parsed.expiry_date), overruled);
    if (overruled) {
      period_conf = std::min(period_conf, 0.8f) * 0.9f;
      result.corrected_by_machine_code.push_back("valid_period");
    }
  } else {
    machine_conf *= 0.5f;
  }

  std::string authority = cjk_only(r.authority.text);
  if (auto s = snap(authority, permits::kAuthorities, 3)) authority = *s;
  std::string issue_place = cjk_only(r.place.text);
  if (auto s = snap(issue_place, permits::kPlaces, 1)) issue_place = *s;

  permits::put(result, "name", cjk_only(r.name.text), r.name.confidence, r.name, card);
  permits::put(result, "name_en", normalize_latin_name(with_word_gaps(card.image, r.name_en)), r.name_en.confidence,
               r.name_en, card);
  permits::put(result, "sex", normalize_sex(r.sex.text), r.sex.confidence, r.sex, card);
  permits::put(result, "birth_date", birth, birth_conf, r.birth, card);
  permits::put(result, "number", number, number_conf, r.number, card);
  permits::put(result, "issuing_authority", authority, r.authority.confidence, r.authority, card);
  permits::put(result, "issue_place", issue_place, r.place.confidence, r.place, card);
  permits::put(result, "valid_period", period, period_conf, r.validity, card);
  permits::put(result, "machine_code", machine_code, machine_conf, r.machine, card);

  // The face search costs ~10 ms: only for an answer that shows the portrait.
  if (request.return_portrait_image || request.return_portrait_location)
    permits::put_portrait(result, t, kName, kPortrait, place, card, photo, request.return_portrait_image);
  return result;
}

// --- back -----------------------------------------------------------------------------------------

struct Block {
  const char* prefix;  // endorsement_info_hk / _mo / _tw
  Label header;
  float top;  // template top of the block
};

// Labels of an endorsement block, relative to the block's top.
const Label kTypeLabel{"签注种类", "Type", {55, 77}};
const Label kTripsLabel{"有效次数", "Entries", {530, 77}};
const Label kEndorsementValidity{"有效期限", "Validity", {55, 119}};
const Label kRemark{"备注", "Remarks", {55, 161}};
const Label kIssued{"签发", "Issued by", {55, 203}};

const std::vector<std::string_view> kEndorsementTypes = {"个人旅游(G)", "团队旅游(L)", "探亲(T)", "商务(S)",
                                                         "其他(Q)",     "逗留(D)",     "应邀(Y)", "商务(F)",
                                                         "定居(J)",     "学习(X)",     "就业(Z)"};
const std::vector<std::string_view> kTrips = {"一次", "二次", "多次"};

std::string normalize_endorsement_type(const std::string& text) {
  std::u32string out;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (card_fields::is_cjk(c) || c == U'(' || c == U')' || (c >= U'A' && c <= U'Z')) out.push_back(c);
  }
  std::string s = card_fields::to_utf8(out);
  if (auto v = card_fields::snap(s, kEndorsementTypes, 2)) return *v;
  return s;
}

std::string normalize_remark(const std::string& text) {
  std::u32string out;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (card_fields::is_cjk(c) || (c >= U'0' && c <= U'9')) out.push_back(c);
  }
  return card_fields::to_utf8(out);
}

// "4400-H001": four digits, a hyphen, the region letter, three digits.
std::string normalize_issue_info(const std::string& text, char region_letter) {
  std::string s;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'-') s += static_cast<char>(c);
  }
  const size_t dash = s.find('-');
  if (dash == std::string::npos || s.size() != 9 || dash != 4) return s;
  for (size_t i : {0u, 1u, 2u, 3u, 6u, 7u, 8u}) {
    if (const char d = card_fields::digit_for(static_cast<char32_t>(s[i]))) s[i] = d;
  }
  if (card_fields::digit_for(static_cast<char32_t>(s[5])) != 0 || s[5] != region_letter) s[5] = region_letter;
  return s;
}

const Block kHongKongBlock{"endorsement_info_hk", {"香港", "HONG KONG", {55, 62}}, 40};
const Block kMacaoBlock{"endorsement_info_mo", {"澳门", "MACAO", {55, 352}}, 330};
const Block kTaiwanBlock{"endorsement_info_tw", {"台湾", "TAIWAN", {55, 82}}, 60};

Label at_top(const Label& l, float top) {
  return Label{l.zh, l.en, {l.at.x, l.at.y + top}};
}

// The count before 次 is where the recognizer slips: a lone thin stroke is dropped ("一次" -> "次") or
// two become another character ("二次" -> "之次"). Count the horizontal ink bands in the glyph-sized
// space left of 次: one is 一, two are 二, more is 多.
std::string restore_count(const cv::Mat& card_image, const Reading& r) {
  if (!r.extent || r.xs.empty()) return "";
  const card_fields::Box e = *r.extent;
  const float h = e.height();
  const float ci = r.xs.back() - 0.45f * h;  // where 次, the last character, begins
  const cv::Rect box = cv::Rect(cv::Point(static_cast<int>(ci - 1.1f * h), static_cast<int>(e.y0)),
                                cv::Point(static_cast<int>(ci - 0.05f * h), static_cast<int>(e.y1))) &
                       cv::Rect(0, 0, card_image.cols, card_image.rows);
  if (box.width < 4 || box.height < 6) return "";
  cv::Mat gray;
  cv::cvtColor(card_image(box), gray, cv::COLOR_BGR2GRAY);
  std::vector<uchar> values(gray.begin<uchar>(), gray.end<uchar>());
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
  const int dark = values[values.size() / 2] - 60;
  int bands = 0, gap = 2;
  for (int y = 0; y < gray.rows; ++y) {
    int ink = 0;
    for (int x = 0; x < gray.cols; ++x) ink += gray.at<uchar>(y, x) < dark;
    if (ink >= std::max(3, gray.cols / 4)) {
      if (gap >= 2) ++bands;
      gap = 0;
    } else {
      ++gap;
    }
  }
  return bands == 1 ? "一次" : bands == 2 ? "二次" : bands > 2 ? "多次" : "";
}

// The count's value read straight from where it stands, for a block whose count the detector did
// not find: "一次" is a lone thin stroke and one character, and scores under the box threshold.
Reading read_count_region(const cv::Mat& card_image, const card_fields::Box& region, const OcrEngine& engine) {
  const card_fields::Box r{std::max(0.f, region.x0), std::max(0.f, region.y0),
                           std::min(static_cast<float>(card_image.cols), region.x1),
                           std::min(static_cast<float>(card_image.rows), region.y1)};
  if (r.x1 - r.x0 < 16 || r.y1 - r.y0 < 8) return {};
  RecognizeOptions o;
  o.with_chars = true;
  PageText page;
  page.lines = engine.read_lines(card_image, {card_fields::quad_of(r)}, o);
  return CardText(page).read(r);
}

void read_block(const CardText& t, const cv::Mat& card_image, const Block& b, const card_fields::Placement& card_place,
                const OcrEngine& engine, PermitResult& result) {
  using namespace card_fields;
  const float top = b.top;
  const cv::Point2f expected = card_place.map(b.header.at);
  const card_fields::Placement place =
      card_place.moved(t.find(b.header, expected - b.header.at, 80).value_or(expected) - expected);
  const Label type = at_top(kTypeLabel, top), trips = at_top(kTripsLabel, top),
              validity = at_top(kEndorsementValidity, top), remark = at_top(kRemark, top),
              issued = at_top(kIssued, top);
  const Reading r_type = t.read(value_region(t, type, {225, top + 56, 522, top + 94}, place));
  const card_fields::Box trips_region = value_region(t, trips, {672, top + 56, 998, top + 94}, place);
  Reading r_trips = t.read(trips_region);
  const Reading r_validity = t.read(value_region(t, validity, {225, top + 98, 998, top + 136}, place));
  const Reading r_remark = t.read(value_region(t, remark, {225, top + 140, 998, top + 178}, place));
  const Reading r_issued = t.read(value_region(t, issued, {225, top + 182, 998, top + 220}, place));
  const std::string p = std::string(b.prefix) + ".";
  const char letter = p.find("_hk") != std::string::npos ? 'H' : p.find("_mo") != std::string::npos ? 'M' : 'T';
  if (r_trips.empty() && !r_type.empty()) r_trips = read_count_region(card_image, trips_region, engine);
  std::string trips_value = cjk_only(r_trips.text);
  const bool known = std::find(kTrips.begin(), kTrips.end(), trips_value) != kTrips.end();
  if (!known && card_fields::to_u32(trips_value).size() <= 2 && trips_value.ends_with("次")) {
    if (std::string restored = restore_count(card_image, r_trips); !restored.empty()) trips_value = restored;
  } else if (auto s = snap(trips_value, kTrips, 1)) {
    trips_value = *s;
  }
  permits::put(result, p + "endorsement_type", normalize_endorsement_type(r_type.text), r_type.confidence);
  permits::put(result, p + "valid_round_trips", trips_value, r_trips.confidence);
  permits::put(result, p + "endorsement_valid_period", normalize_period(r_validity.text), r_validity.confidence);
  permits::put(result, p + "remark", normalize_remark(r_remark.text), r_remark.confidence);
  permits::put(result, p + "issue_info", r_issued.empty() ? "" : normalize_issue_info(r_issued.text, letter),
               r_issued.confidence);
}

// Every label of the blocks, for one placement of the whole side.
std::vector<Label> block_labels(std::initializer_list<Block> blocks) {
  std::vector<Label> labels;
  for (const Block& b : blocks) {
    labels.push_back(b.header);
    for (const Label* l : {&kTypeLabel, &kTripsLabel, &kEndorsementValidity, &kRemark, &kIssued}) {
      labels.push_back(at_top(*l, b.top));
    }
  }
  return labels;
}

PermitResult read_back(const CardText& t, const cv::Mat& card_image, Kind kind, const OcrEngine& engine) {
  PermitResult result;
  if (kind == Kind::ExitEntryTw) {
    read_block(t, card_image, kTaiwanBlock, t.placement(block_labels({kTaiwanBlock})), engine, result);
  } else {
    const card_fields::Placement place = t.placement(block_labels({kHongKongBlock, kMacaoBlock}));
    read_block(t, card_image, kHongKongBlock, place, engine, result);
    read_block(t, card_image, kMacaoBlock, place, engine, result);
  }
  return result;
}

}  // namespace

PermitResult ExitEntryPermitExtractor::extract(const cv::Mat& bgr, const PermitRequest& request) const {
  const auto labels = [](Kind kind, permits::Side side) -> std::vector<Label> {
    if (side == permits::Side::Front) return {kName, kBirth, kSex, kValidity, kAuthority, kPlace};
    return kind == Kind::ExitEntryTw ? block_labels({kTaiwanBlock}) : block_labels({kHongKongBlock, kMacaoBlock});
  };
  const auto read = [&](const CardText& text, const UprightCard& card, Kind kind, permits::Side side) {
    return side == permits::Side::Front ? read_front(text, card, bgr, request, engine_)
                                        : read_back(text, card.image, kind, engine_);
  };
  // Not the count's label: its value follows it closely enough to be read as one line with it.
  std::vector<Label> cut = {kName, kBirth, kSex, kValidity, kAuthority, kPlace};
  for (const Block& b : {kHongKongBlock, kMacaoBlock, kTaiwanBlock}) {
    cut.push_back(b.header);
    for (const Label* l : {&kTypeLabel, &kEndorsementValidity, &kRemark, &kIssued}) cut.push_back(at_top(*l, b.top));
  }
  return permits::extract_permit(bgr, engine_, true,
                                 permits::label_words({kName, kBirth, kSex, kValidity, kAuthority, kPlace, kTypeLabel,
                                                       kTripsLabel, kEndorsementValidity, kRemark, kIssued}),
                                 cut, labels, read);
}

}  // namespace ocrserve
