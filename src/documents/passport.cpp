// Passport data page: the TD3 machine zone decides the identity fields; a Chinese passport's visual
// zone adds the issue date, places and authority, found under their bilingual labels.
//
// The page is found and rectified by the card pipeline (an ID-3 page is card-shaped enough); its
// template coordinates below are those of the rectified 1000 x 631 image.
#include "ocrserve/passport.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "card_fields.h"
#include "label_lines.h"
#include "ocrserve/card.h"
#include "ocrserve/error.h"
#include "ocrserve/mrz.h"
#include "permit_common.h"
#include "request_fields.h"

namespace ocrserve {

namespace {

using card_fields::Box;
using card_fields::CardText;
using card_fields::Label;
using card_fields::Reading;

// --- the machine zone -----------------------------------------------------------------------------

// Characters other than spaces (the recognizer's word gaps).
size_t visible_characters(const std::string& text) {
  size_t n = 0;
  for (char32_t c : card_fields::to_u32(text)) n += c != U' ';
  return n;
}

// Whether two boxes stand on one text row: they overlap by more than half the shorter one's height.
bool same_row(const Box& a, const Box& b) {
  return std::min(a.y1, b.y1) - std::max(a.y0, b.y0) > 0.5f * std::min(a.height(), b.height());
}

// The rows `pieces` stand on (pieces of one row joined into one box), top to bottom.
std::vector<Box> text_rows(const std::vector<Box>& pieces) {
  std::vector<Box> rows;
  for (const Box& b : pieces) {
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const Box& r) { return same_row(r, b); });
    if (row == rows.end()) {
      rows.push_back(b);
    } else {
      *row = row->united(b);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Box& a, const Box& b) { return a.y0 < b.y0; });
  return rows;
}

// Lines that look machine-readable: mostly A-Z 0-9 <, long enough, with fillers or (a second line
// the detector cut before its filler run) many digits.
bool machine_like(const TextLine& line) {
  const std::string m = card_fields::machine_chars(line.text);
  const size_t letters = visible_characters(line.text);
  const auto digits = std::count_if(m.begin(), m.end(), [](char c) { return c >= '0' && c <= '9'; });
  return m.size() >= 16 && m.size() * 10 >= letters * 9 &&
         (std::count(m.begin(), m.end(), '<') >= 2 || (m.size() >= 20 && digits >= 8));
}

std::optional<Box> machine_zone(const CardText& t) {
  std::optional<Box> zone;
  for (const auto& line : t.page().lines) {
    if (!machine_like(line)) continue;
    const Box b = card_fields::box_of(line.quad);
    zone = zone ? zone->united(b) : b;
  }
  if (!zone) return std::nullopt;
  // The whole width: fillers at either end are where the detector stops short.
  return Box{0, zone->y0 - 8, static_cast<float>(kCardWidth), zone->y1 + 8};
}

size_t machine_line_count(const CardText& t, const Box& zone) {
  const auto lines = t.lines_in(zone);
  return static_cast<size_t>(
      std::count_if(lines.begin(), lines.end(), [](const TextLine* l) { return machine_like(*l); }));
}

// A piece of a machine line the detector cut short: machine characters only, a dozen or more, with a
// filler or a digit (which a visual-zone line in capitals has not).
bool machine_piece(const TextLine& line) {
  const std::string m = card_fields::machine_chars(line.text);
  const size_t letters = visible_characters(line.text);
  const bool marked = std::any_of(m.begin(), m.end(), [](char c) { return c == '<' || (c >= '0' && c <= '9'); });
  const bool fillers = m.size() >= 5 && std::all_of(m.begin(), m.end(), [](char c) { return c == '<'; });
  return (m.size() >= 12 && m.size() * 10 >= letters * 9 && marked) || fillers;
}

// `text` with the band around a zone of one machine line read again: at the card's detection scale a
// line that is mostly fillers can stay under the box threshold, and the zone then has one line
// where a passport has two. The band is detected on its own near full resolution; the pieces that
// look machine-made are put in rows, the two lowest rows are widened to their common extent (a TD3
// zone's lines are equally long and start at the same place; the detector drops filler runs at
// either end) and read whole.
PageText with_machine_band_reread(const cv::Mat& page, const PageText& text, const Box& zone, const OcrEngine& engine) {
  const float margin = 1.5f * (zone.y1 - zone.y0);
  const int y0 = std::max(0, static_cast<int>(zone.y0 - margin));
  const int y1 = std::min(page.rows, static_cast<int>(std::ceil(zone.y1 + margin)));
  if (y1 - y0 < 16) return text;
  std::vector<Quad> quads = engine.detect(page(cv::Rect(0, y0, page.cols, y1 - y0)));
  for (Quad& q : quads) {
    for (cv::Point2f& p : q) p.y += static_cast<float>(y0);
  }
  RecognizeOptions o;
  o.with_chars = true;
  std::vector<TextLine> pieces = engine.read_lines(page, quads, o);
  for (const TextLine& line : text.lines) {
    if (machine_like(line)) pieces.push_back(line);
  }
  std::vector<Box> boxes;
  for (const TextLine& piece : pieces) {
    if (!machine_piece(piece)) continue;
    const Box b = card_fields::box_of(piece.quad);
    if (b.y1 >= static_cast<float>(y0) && b.y0 <= static_cast<float>(y1)) boxes.push_back(b);
  }
  std::vector<Box> rows = text_rows(boxes);
  if (rows.size() < 2) return text;
  rows.erase(rows.begin(), rows.end() - 2);
  const float x0 = std::min(rows[0].x0, rows[1].x0), x1 = std::max(rows[0].x1, rows[1].x1);
  std::vector<Quad> whole;
  for (const Box& r : rows) {
    whole.push_back(card_fields::quad_of({x0, r.y0, x1, r.y1}));
  }
  PageText out;
  out.direction = text.direction;
  for (const TextLine& line : text.lines) {
    const float middle = (line.quad[0].y + line.quad[2].y) / 2.f;
    if (middle < rows[0].y0 || middle > rows[1].y1) out.lines.push_back(line);
  }
  for (TextLine& line : engine.read_lines(page, whole, o)) out.lines.push_back(std::move(line));
  std::stable_sort(out.lines.begin(), out.lines.end(), [](const TextLine& a, const TextLine& b) {
    return std::tie(a.quad[0].y, a.quad[0].x) < std::tie(b.quad[0].y, b.quad[0].x);
  });
  return out;
}

// A segment of a machine row: a little over a third of its width from `x0`, as far as the row goes.
struct Segment {
  Quad quad;
  bool cut_left = false, cut_right = false;  // an end inside the row (else at its end)
};

constexpr float kSegmentShare = 0.36f;  // of the row's width

Segment row_segment(const cv::Mat& page, const Box& row, float x0) {
  x0 = std::clamp(x0, row.x0, std::max(row.x0, row.x1 - 16.f));  // never empty, whatever x0 was estimated as
  const float x1 = std::min(row.x1, x0 + kSegmentShare * (row.x1 - row.x0));
  const cv::Rect r = cv::Rect(cv::Point(static_cast<int>(x0), static_cast<int>(row.y0) - 2),
                              cv::Point(static_cast<int>(std::ceil(x1)), static_cast<int>(std::ceil(row.y1)) + 2)) &
                     cv::Rect(0, 0, page.cols, page.rows);
  const Box b{static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.x + r.width),
              static_cast<float>(r.y + r.height)};
  return {card_fields::quad_of(b), x0 > row.x0, x1 < row.x1};
}

// The segments read side by side. A character a cut runs through is read as another (half an H as
// I) or not at all, often with confidence, and the neighbouring segment has it whole: characters
// centred within a quarter of the line's height of a cut are left out (a whole glyph's centre
// stands half a pitch, about 0.4 of the height, in).
std::vector<TextLine> read_segments(const cv::Mat& page, const std::vector<Segment>& segments,
                                    const OcrEngine& engine) {
  std::vector<Quad> quads;
  for (const Segment& s : segments) quads.push_back(s.quad);
  RecognizeOptions o;
  o.with_chars = true;
  std::vector<TextLine> lines = engine.read_lines(page, quads, o);
  size_t k = 0;
  for (TextLine& line : lines) {
    while (k < segments.size() && segments[k].quad[0] != line.quad[0]) ++k;
    if (k == segments.size()) break;
    const Box b = card_fields::box_of(segments[k].quad);
    const float margin = 0.25f * b.height();
    std::erase_if(line.chars, [&](const CharBox& c) {
      const float x = card_fields::box_of(c.quad).cx();
      return (segments[k].cut_left && x < b.x0 + margin) || (segments[k].cut_right && x > b.x1 - margin);
    });
  }
  return lines;
}

// A machine row's four overlapping segments, left to right.
std::array<Segment, 4> row_segments(const cv::Mat& page, const Box& row) {
  std::array<Segment, 4> out;
  for (int k = 0; k < 4; ++k) out[k] = row_segment(page, row, row.x0 + (0.25f * k - 0.06f) * (row.x1 - row.x0));
  return out;
}

// Rows of a machine zone (one box per line), each cut into four overlapping segments, all read side
// by side; in card pixels.
// `across`: every row over the zone's whole extent instead of its own: the lines of a TD3 zone are
// equally long, and the detector can stop both short of their filler runs and final check digit
// (the zone sits about centred on the page, so its right end mirrors its left).
PageText segment_reading(const cv::Mat& page, const std::vector<Box>& lines, const OcrEngine& engine, bool across) {
  float left = static_cast<float>(kCardWidth), right = 0.f;
  for (const Box& b : lines) {
    left = std::min(left, b.x0);
    right = std::max(right, b.x1);
  }
  right = std::min(static_cast<float>(kCardWidth), std::max(right, static_cast<float>(kCardWidth) - left));
  std::vector<Segment> segments;
  for (Box b : lines) {
    if (across) {
      b.x0 = left;
      b.x1 = right;
    }
    for (const Segment& s : row_segments(page, b)) {
      const Box r = card_fields::box_of(s.quad);
      if (r.x1 - r.x0 >= 16 && r.height() >= 8) segments.push_back(s);
    }
  }
  PageText out;
  out.lines = read_segments(page, segments, engine);
  return out;
}

// Each row's segments joined where their texts overlap (each segment starts ~5 characters before
// the previous one ends): a reading of the row that does not depend on where the recognizer put
// each character, which a page rectified loosely can shift by a column. Nothing when a row's
// neighbouring segments share no 3 characters.
std::vector<std::string> merged_segment_rows(const PageText& segments) {
  std::vector<std::vector<const TextLine*>> rows;
  for (const TextLine& s : segments.lines) {
    const Box b = card_fields::box_of(s.quad);
    auto row = std::find_if(rows.begin(), rows.end(), [&](const auto& r) {
      return std::abs(card_fields::box_of(r.front()->quad).cy() - b.cy()) < b.height() / 2;
    });
    if (row == rows.end()) {
      rows.emplace_back();
      row = rows.end() - 1;
    }
    row->push_back(&s);
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return card_fields::box_of(a.front()->quad).cy() < card_fields::box_of(b.front()->quad).cy();
  });
  std::vector<std::string> out;
  for (auto& row : rows) {
    std::sort(row.begin(), row.end(), [](const TextLine* a, const TextLine* b) { return a->quad[0].x < b->quad[0].x; });
    std::string joined = card_fields::machine_chars(row.front()->text);
    for (size_t i = 1; i < row.size() && !joined.empty(); ++i) {
      const std::string next = card_fields::machine_chars(row[i]->text);
      size_t overlap = 0;
      for (size_t k = std::min(joined.size(), next.size()); k >= 3 && overlap == 0; --k) {
        if (joined.compare(joined.size() - k, k, next, 0, k) == 0) overlap = k;
      }
      joined = overlap == 0 ? std::string() : joined + next.substr(overlap);
    }
    out.push_back(joined);
  }
  // Two rows of some length (the corrector puts back trailing fillers and, when all else checks, the
  // composite digit), the first a passport's: a first line has no check digit to catch a row that
  // began at a later segment.
  const bool whole = out.size() == 2 && out[0].size() >= 20 && out[1].size() >= 20 && out[0][0] == 'P';
  return whole ? out : std::vector<std::string>{};
}

struct MachineZone {
  std::vector<std::string> lines;
  mrz::CorrectionResult correction;
  float confidence = 0.f;
  bool valid = false;
  std::optional<cv::Point2f> first_line_at;  // top-left of the first line's print, when read from its rows
};

MachineZone read_machine_zone(const CardText& t, const Box& zone, const cv::Mat& page,
                              const std::vector<std::string>& merged = {}) {
  MachineZone z;
  // The characters on their 44-column grid (fillers the detector dropped come back), the lines as
  // recognized, then `merged` (merged_segment_rows); the first whose check digits hold wins.
  const std::vector<std::string> grid = t.machine_grid(zone, 44, 2, 17.f, 26.f, page);
  std::vector<std::string> rows = t.machine_rows(zone, 20);
  if (rows.size() > 2) rows.erase(rows.begin(), rows.end() - 2);
  for (const TextLine* line : t.lines_in(zone)) z.confidence += line->confidence;
  z.confidence /= std::max<size_t>(1, t.lines_in(zone).size());
  z.lines = grid.size() == 2 ? grid : rows;
  for (const auto& candidate : {grid, rows, merged}) {
    if (candidate.size() != 2) continue;
    const mrz::CorrectionResult c = mrz::correct(candidate, mrz::Format::Td3, permits::today());
    if (c.status == mrz::CorrectionStatus::Valid || c.status == mrz::CorrectionStatus::Corrected) {
      z.correction = c;
      z.lines = c.lines;
      z.valid = true;
      return z;
    }
  }
  if (z.lines.size() == 2) z.correction.parsed = mrz::parse(z.lines, mrz::Format::Td3, permits::today());
  z.confidence *= 0.5f;
  return z;
}

std::string trimmed(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

// --- the Chinese visual zone ------------------------------------------------------------------------

const Label kName{"姓名", "Name", {300, 169}};
const Label kSex{"性别", "Sex", {300, 266}};
const Label kBirthPlace{"出生地点", "Place of birth", {480, 266}};
const Label kBirthDate{"出生日期", "Date of birth", {300, 327}};
const Label kIssueDate{"签发日期", "Date of issue", {630, 327}};
const Label kIssuePlace{"签发地点", "Place of issue", {300, 386}};
const Label kExpiry{"有效期至", "Date of expiry", {630, 386}};
const Label kAuthority{"签发机关", "Authority", {300, 445}};

constexpr Box kNameValue{290, 180, 700, 214};
constexpr Box kBirthPlaceValue{470, 276, 995, 312};
constexpr Box kIssueDateValue{620, 337, 995, 373};
constexpr Box kIssuePlaceValue{290, 396, 615, 432};
constexpr Box kAuthorityValue{290, 455, 995, 491};
// Print the machine zone repeats (the name in pinyin, sex, birth and expiry dates), where a line
// that stands wholly inside one is not read (nor are those fields' labels).
constexpr Box kRepeated[] = {{285, 212, 720, 256}, {285, 272, 465, 316}, {285, 333, 620, 377}, {615, 392, 1000, 436}};

// The two authorities that issue Chinese passports, as the API names them in English.
const std::vector<std::pair<std::string_view, std::string_view>> kAuthorities = {
    {"国家移民管理局", "NATIONAL IMMIGRATION ADMINISTRATION, PRC"},
    {"公安部出入境管理局", "EXIT & ENTRY ADMINISTRATION, MPS"}};

// "18 SEP 1985" (month in English, as printed after the Chinese) -> "1985-09-18"; "" otherwise.
std::string iso_from_printed(const std::string& text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  std::string letters, digits, compact;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if (c >= U'A' && c <= U'Z')
      letters += static_cast<char>(c);
    else if (c >= U'0' && c <= U'9')
      digits += static_cast<char>(c);
    if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9')) compact += static_cast<char>(c);
  }
  // "01 0CT 2021": a month's O read as a zero. Day, month, year stand in that order, so the three
  // characters after the day are the month, whatever they were read as.
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (compact.size() == 9 && std::all_of(compact.begin(), compact.begin() + 2, is_digit) &&
      std::all_of(compact.begin() + 5, compact.end(), is_digit)) {
    letters = compact.substr(2, 3);
    for (char& c : letters) {
      static constexpr std::string_view kDigits = "012568", kLetters = "OIZSGB";
      if (const size_t at = kDigits.find(c); at != std::string_view::npos) c = kLetters[at];
    }
    digits = compact.substr(0, 2) + compact.substr(5);
  }
  if (digits.size() != 6) return "";
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (letters.find(kMonths[i]) != std::string::npos) month = static_cast<int>(i) + 1;
  }
  if (month == 0) return "";
  const std::string dotted = card_fields::date_dotted(digits.substr(2, 4) + (month < 10 ? "0" : "") +
                                                      std::to_string(month) + digits.substr(0, 2));
  if (dotted.empty()) return "";
  return dotted.substr(0, 4) + "-" + dotted.substr(5, 2) + "-" + dotted.substr(8, 2);
}

// "北京/BEIJING" -> {"北京", "BEIJING"}.
std::pair<std::string, std::string> bilingual(const std::string& text) {
  std::string latin;
  for (char32_t c : card_fields::fold_width(card_fields::to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if (c >= U'A' && c <= U'Z') latin += static_cast<char>(c);
  }
  std::string zh = card_fields::cjk_only(text);
  if (auto s = card_fields::snap(zh, permits::kPlaces, 1)) zh = *s;
  return {zh, latin};
}

void put(PassportResult& r, const std::string& name, const std::string& value, float confidence) {
  r.fields.emplace_back(name, PassportField{value, value.empty() ? 0.f : confidence});
}

void read_chinese_visual_zone(const CardText& t, PassportResult& r) {
  using namespace card_fields;
  const card_fields::Placement place =
      t.placement({kName, kSex, kBirthPlace, kBirthDate, kIssueDate, kIssuePlace, kExpiry, kAuthority});
  const Reading issue_date = t.read(value_region(t, kIssueDate, kIssueDateValue, place));
  const Reading birth_place = t.read(value_region(t, kBirthPlace, kBirthPlaceValue, place));
  const Reading issue_place = t.read(value_region(t, kIssuePlace, kIssuePlaceValue, place));
  const Reading authority = t.read(value_region(t, kAuthority, kAuthorityValue, place));
  const Reading name = t.read(value_region(t, kName, kNameValue, place));
  const auto [birth_zh, birth_en] = bilingual(birth_place.text);
  const auto [issue_zh, issue_en] = bilingual(issue_place.text);
  std::string authority_zh = cjk_only(authority.text), authority_en;
  std::vector<std::string_view> names;
  for (const auto& [zh, en] : kAuthorities) names.push_back(zh);
  if (auto s = snap(authority_zh, names, 3)) authority_zh = *s;
  for (const auto& [zh, en] : kAuthorities) {
    if (authority_zh == zh) authority_en = en;
  }
  put(r, "date_of_issue", iso_from_printed(issue_date.text), issue_date.confidence);
  put(r, "place_of_birth", birth_en, birth_place.confidence);
  put(r, "place_of_issue", issue_en, issue_place.confidence);
  put(r, "issuing_authority", authority_en, authority.confidence);
  put(r, "extra_info.local_language.name", cjk_only(name.text), name.confidence);
  put(r, "extra_info.local_language.place_of_birth", birth_zh, birth_place.confidence);
  put(r, "extra_info.local_language.place_of_issue", issue_zh, issue_place.confidence);
  put(r, "extra_info.local_language.issuing_authority", authority_zh, authority.confidence);
}

}  // namespace

PassportRequest parse_passport_request(const nlohmann::json& body) {
  if (!body.is_object()) throw Error(codes::kInvalidParameter, "The request body must be a JSON object");
  PassportRequest r;
  if (const auto it = body.find("country_code"); it != body.end() && !it->is_null()) {
    const std::string code = it->is_string() ? it->get<std::string>() : std::string("?");
    const bool alpha3 =
        code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!alpha3 && code != "GENERAL" && !code.empty()) {
      throw Error(codes::kInvalidParameter,
                  "The parameter country_code must be GENERAL, CHN or another ISO 3166 alpha-3 code in capitals");
    }
    r.country_code = code;
  }
  return r;
}

IntakeLimits passport_limits() {
  return permit_limits();
}

const PassportField* PassportResult::field(const std::string& name) const {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

namespace {

// Whether a line runs across the page (reading direction p0->p1 nearer level than upright).
bool runs_across(const Quad& q) {
  const cv::Point2f along = q[1] - q[0];
  return std::abs(along.x) >= std::abs(along.y);
}

// The lower part of the upright page (pixels), where the machine zone and a Chinese page's issue
// place and authority are.
bool in_lower_page(const Quad& q) {
  return card_fields::box_of(q).cy() > 0.65f * kCardHeight;
}

// Below every visual-zone line: where a TD3 zone's two lines stand on a page placed by its outline
// (ICAO 9303 keeps the page's lower quarter for the zone).
bool in_machine_band(const Quad& q) {
  return card_fields::box_of(q).cy() > 0.8f * kCardHeight;
}

// Where the first machine line's print starts when a Chinese page's labels stand where the template
// puts them.
const cv::Point2f kFirstMachineLineAt{39.f, 542.f};

// Where (card x) a row of the machine grid has a cell no segment put a character in, beside a letter
// or digit: one the recognizer dropped (a dropped filler among fillers comes back right as '<'). One
// place for a run of such cells.
std::vector<float> dropped_at(const std::string& grid_row, const card_fields::GridCells& cells) {
  const auto printed = [&](size_t i) { return i < grid_row.size() && grid_row[i] != '<' && grid_row[i] != '?'; };
  std::vector<float> out;
  for (size_t i = 0; i < grid_row.size(); ++i) {
    if (grid_row[i] != '?' || !((i > 0 && printed(i - 1)) || printed(i + 1))) continue;
    const float x = cells.centre(i);
    if (out.empty() || x - out.back() > 4 * cells.pitch) out.push_back(x);
  }
  return out;
}

// The machine zone read from the upright page's lower band straight away, in segments: its two
// lowest rows of print (pieces of a row joined), unread so far. Not valid when the band holds no
// two such rows or their check digits fail.
MachineZone read_machine_band(const cv::Mat& page, const std::vector<Quad>& unread, const OcrEngine& engine,
                              PageText& segments) {
  std::vector<Box> pieces;
  for (const Quad& q : unread) {
    if (in_machine_band(q)) pieces.push_back(card_fields::box_of(q));
  }
  std::vector<Box> rows = text_rows(pieces);
  std::erase_if(rows, [](const Box& r) { return r.x1 - r.x0 < 0.3f * kCardWidth; });
  if (rows.size() < 2) return {};
  rows.erase(rows.begin(), rows.end() - 2);
  const Box zone{0, rows[0].y0 - 8, static_cast<float>(kCardWidth), rows[1].y1 + 8};
  // The first line's last two segments only when its name runs on into them: they hold fillers
  // otherwise, and a cell of the grid that no segment read is a filler.
  const std::array<Segment, 4> first = row_segments(page, rows[0]), second = row_segments(page, rows[1]);
  std::vector<Segment> now = {first[0], first[1]};
  now.insert(now.end(), second.begin(), second.end());
  segments.lines = read_segments(page, now, engine);
  const auto name_end = std::find_if(segments.lines.begin(), segments.lines.end(),
                                     [&](const TextLine& l) { return l.quad[0] == first[1].quad[0]; });
  if (name_end == segments.lines.end() || !card_fields::machine_chars(name_end->text).ends_with("<<<")) {
    for (TextLine& line : read_segments(page, {first[2], first[3]}, engine)) segments.lines.push_back(std::move(line));
  }
  const std::vector<std::string> merged = merged_segment_rows(segments);
  // Where a character was dropped (the first line has no check digit to notice), a segment ending
  // four and a half characters after the gap is read as well: the recognizer drops a name's last
  // letters into a run of fillers after them, and reads them with the name before them and few
  // fillers after.
  card_fields::GridCells cells;
  const std::vector<std::string> grid = CardText(segments).machine_grid(zone, 44, 2, 17.f, 26.f, page, '?', &cells);
  std::vector<Segment> around;
  for (size_t i = 0; i < grid.size() && grid.size() == rows.size(); ++i) {
    const float width = rows[i].x1 - rows[i].x0;
    for (const float x : dropped_at(grid[i], cells))
      around.push_back(row_segment(page, rows[i], x + 4.5f * cells.pitch - kSegmentShare * width));
  }
  if (!around.empty()) {
    // Over its span (but for half a character at either cut) the new segment replaces the others: the
    // segment that dropped a character misplaced its neighbours.
    std::vector<TextLine> again = read_segments(page, around, engine);
    for (const TextLine& a : again) {
      const Box span = card_fields::box_of(a.quad);
      const float margin = 0.5f * span.height();
      for (TextLine& line : segments.lines) {
        if (!same_row(card_fields::box_of(line.quad), span)) continue;
        std::erase_if(line.chars, [&](const CharBox& c) {
          const float x = card_fields::box_of(c.quad).cx();
          return x > span.x0 + margin && x < span.x1 - margin;
        });
      }
    }
    for (TextLine& line : again) segments.lines.push_back(std::move(line));
  }
  MachineZone z = read_machine_zone(CardText(segments), zone, page, merged);
  z.first_line_at = cv::Point2f(rows[0].x0, rows[0].y0);
  return z;
}

// The machine zone the long way, for a page whose band alone did not give a valid zone: the lower
// page read whole (all of it when no zone is there), a band with one machine line detected again,
// the zone's rows in segments, over their own extent and then the zone's, then as read whole.
// Adds what it reads to `reading` and takes it out of `unread`. Throws AIS.0104 when no passport's
// zone is found.
MachineZone read_machine_zone_thoroughly(const cv::Mat& page, PageText& reading, std::vector<Quad>& unread,
                                         const PageText& band, const OcrEngine& engine) {
  const auto read = [&](const std::function<bool(const Quad&)>& which) {
    std::vector<Quad> now;
    std::erase_if(unread, [&](const Quad& q) { return which(q) ? (now.push_back(q), true) : false; });
    RecognizeOptions o;
    o.with_chars = true;
    for (TextLine& line : engine.read_lines(page, now, o)) reading.lines.push_back(std::move(line));
  };
  read(in_lower_page);
  std::optional<Box> zone = machine_zone(CardText(reading));
  if (!zone && !unread.empty()) {  // the page placed so loosely that the zone is not in its lower part
    read([](const Quad&) { return true; });
    zone = machine_zone(CardText(reading));
  }
  if (zone && machine_line_count(CardText(reading), *zone) < 2) {
    reading = with_machine_band_reread(page, reading, *zone, engine);
    zone = machine_zone(CardText(reading));
  }
  const CardText text(reading);
  if (!zone) {
    throw Error(codes::kImageNotSupported,
                "No passport machine-readable zone was found in the image: send a photo or scan of the passport's "
                "data page, the two lines of <<< at its foot in view");
  }
  std::vector<Box> pieces;
  for (const TextLine* line : text.lines_in(*zone)) {
    if (machine_like(*line)) pieces.push_back(card_fields::box_of(line->quad));
  }
  const std::vector<Box> rows = text_rows(pieces);
  // Each machine line again in overlapping segments of about a dozen characters: read whole, a
  // 44-character line loses letters (OCR-B's C and X most of all); the grid keeps, per cell, the
  // likeliest of the readings that cover it.
  const auto read_zone = [&](bool across) {
    PageText segments = segment_reading(page, rows, engine, across);
    const std::vector<std::string> merged = merged_segment_rows(segments);
    for (const auto& line : text.lines_in(*zone)) segments.lines.push_back(*line);
    return read_machine_zone(CardText(segments), *zone, page, merged);
  };
  // The band's segments (read_machine_band), if any, with the lines read whole; then the rows again.
  MachineZone z;
  if (!band.lines.empty()) {
    PageText both = band;
    for (const auto& line : text.lines_in(*zone)) both.lines.push_back(*line);
    z = read_machine_zone(CardText(both), *zone, page);
  }
  if (!z.valid) z = read_zone(false);
  if (!z.valid) {
    if (MachineZone again = read_zone(true); again.valid) z = std::move(again);
  }
  if (!z.valid) {
    if (MachineZone first = read_machine_zone(text, *zone, page); first.valid) z = std::move(first);
  }
  // Two rows of 44: a permit's three rows of 30 (or one) are not a passport's zone. Check digits that
  // hold as TD3 settle it; without them the rows as detected must be about 44 long (the detector
  // drops trailing fillers, so a valid zone is not held to this).
  const std::vector<std::string> rows_read = text.machine_rows(*zone, 20);
  const size_t longest =
      rows_read.empty() ? 0 : std::max_element(rows_read.begin(), rows_read.end(), [](const auto& a, const auto& b) {
                                return a.size() < b.size();
                              })->size();
  if (z.lines.size() != 2 || (!z.valid && (rows_read.size() != 2 || longest < 38))) {
    throw Error(codes::kImageNotSupported,
                "The machine-readable zone is not a passport's (two lines of 44 characters): a travel permit or an "
                "identity card goes to its own API");
  }
  return z;
}

// The lines of a Chinese page's visual zone that its fields need (`unread`, upright page pixels),
// added to `reading`: from the name down to the machine zone (the title, and the type, code and
// number above the name, repeat the machine zone, as do the values of kRepeated), the labels by
// their Chinese words. `shift`: where the page's print stands against the template.
void read_visual_zone_lines(const cv::Mat& page, std::vector<Quad> unread, cv::Point2f shift, PageText& reading,
                            const OcrEngine& engine) {
  const auto shifted = [&](std::initializer_list<Label> labels) {
    std::vector<Label> out;
    for (const Label& l : labels) out.push_back({l.zh, l.en, l.at + shift});
    return out;
  };
  const LabelCutter repeated_labels(shifted({kSex, kBirthDate, kExpiry}));
  std::erase_if(unread, [&](const Quad& q) {
    const Box b = card_fields::box_of(q).moved(-shift);
    const auto inside = [&](const Box& r) { return b.x0 >= r.x0 && b.y0 >= r.y0 && b.x1 <= r.x1 && b.y1 <= r.y1; };
    return b.cy() < kName.at.y - 25.f || in_machine_band(q) ||
           std::any_of(std::begin(kRepeated), std::end(kRepeated), inside) || repeated_labels.label_at(q);
  });
  LabelCutter cut(shifted({kName, kBirthPlace, kIssueDate, kIssuePlace, kAuthority}));
  for (Quad& q : unread) q = cut(q);
  RecognizeOptions o;
  o.with_chars = true;
  std::vector<TextLine> lines = engine.read_lines(page, unread, o);
  cut.mend(page, lines, engine);
  for (TextLine& line : lines) reading.lines.push_back(std::move(line));
}

}  // namespace

PassportResult PassportExtractor::extract(const cv::Mat& bgr, const PassportRequest& request) const {
  // Turned upright unread (bar lines running up or down): which lines are worth reading is known
  // once the page is upright.
  std::vector<Quad> unread;
  CardReading turn_only;
  turn_only.read_line = [](const Quad& q) { return !runs_across(q); };
  const UprightCard page = rectify_card(bgr, engine_, turn_only, &unread);
  PageText reading = page.text;
  PageText band;
  MachineZone z = read_machine_band(page.image, unread, engine_, band);
  if (!z.valid) z = read_machine_zone_thoroughly(page.image, reading, unread, band, engine_);
  const mrz::MrzResult& m = z.correction.parsed;
  PassportResult r;
  r.machine_zone_valid = z.valid;
  r.machine_zone_corrected = z.valid && z.correction.status == mrz::CorrectionStatus::Corrected;
  r.chinese = request.country_code == "CHN" || (request.country_code.empty() && m.issuing_state == "CHN");
  const float c = z.confidence;
  if (r.chinese) put(r, "passport_type", m.document_code.substr(0, 1), c);
  put(r, "country_code", m.issuing_state, c);
  put(r, "passport_number", m.document_number, c);
  if (r.chinese) put(r, "nationality", m.nationality == "CHN" ? "CHINESE" : m.nationality, c);
  put(r, "surname", trimmed(m.surname), c);
  put(r, "given_name", trimmed(m.given_names), c);
  put(r, "sex", m.sex, c);
  put(r, "date_of_birth", m.birth_date, c);
  put(r, "date_of_expiry", m.expiry_date, c);
  put(r, "machine_code", z.lines[0], c);
  put(r, "machine_code2", z.lines[1], c);
  if (r.chinese) {
    // Where the print stands: by the authority label when the lower page was read, else by the
    // machine zone.
    const cv::Point2f by_zone = z.first_line_at ? *z.first_line_at - kFirstMachineLineAt : cv::Point2f();
    const cv::Point2f shift = CardText(reading).find(kAuthority).value_or(kAuthority.at + by_zone) - kAuthority.at;
    read_visual_zone_lines(page.image, unread, shift, reading, engine_);
    read_chinese_visual_zone(CardText(reading), r);
  }
  return r;
}

nlohmann::json to_json(const PassportResult& result) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json confidence = nlohmann::json::object();
  out["extra_info"] = nlohmann::json::object();
  for (const auto& [name, v] : result.fields) {
    if (name.rfind("extra_info.", 0) == 0) {
      const std::string rest = name.substr(11);
      const size_t dot = rest.find('.');
      out["extra_info"][rest.substr(0, dot)][rest.substr(dot + 1)] = v.value;
      continue;
    }
    out[name] = v.value;
    confidence[name] = request_fields::round4(v.confidence);
  }
  out["confidence"] = confidence;
  return out;
}

}  // namespace ocrserve
