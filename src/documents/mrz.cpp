// MRZ parse, check digits and correction. Layouts and their sources: see ocrserve/mrz.h.
//
// How the corrector decides (all integer costs, deterministic):
//   1. Normalize (whitespace, case, full-width and '«' look-alikes), repair line lengths where
//      the fix is a filler ('<' missing at the end or in a run, or one too many in a run).
//   2. Field grammar: digits where only digits may stand (O->0, I->1 ...), letters where only
//      letters may stand (0->O, 1->I ...), fixed fillers, stray K/S/C/E in the filler tail of a
//      name, a stray K in the filler tail of a number (K is worth 20 = 0 mod 10: no check digit
//      can see it, so only grammar can).
//   3. If a check still fails: search the confusion table (0/O/D/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B,
//      '<'/K/S/C) over the failing checks' fields and digits. Each unit (a field + its check
//      digit) gets a bounded candidate list; a dynamic programme over the composite check's
//      residue (mod 10) keeps the two cheapest complete assignments. The cheapest wins only if
//      the runner-up costs clearly more; otherwise Ambiguous.
//   What counts as evidence. A substitution the text itself points at costs 10: a digit-like
//   letter inside a digit run back to its digit ("L89B902C3": the number more likely lost an 8
//   than gained a B; keeping such a letter costs 8), a letter in a number's filler tail back to
//   '<', O <-> 0 in a document number next to one of its letters. Any other substitution is
//   "blind": only the check digits argue for it. One mod-10 check cannot vouch for a blind guess
//   (a wrong one passes 1 time in 10), so blind substitutions (cost 14, one per unit) and
//   unreadable characters are filled in only where two independent checks cover them: the dates
//   and their check digits (own check + a composite that weighs them differently), and the
//   composite digit when it is the only failing check. Document numbers
//   start at composite offset 0, where the composite repeats their own check: evidence only.
//   A filler followed by a non-filler inside a number costs 6. Runner-up within 3: Ambiguous.
#include "ocrserve/mrz.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <tuple>

namespace ocrserve::mrz {
namespace {

constexpr std::array<int, 3> kWeights{7, 3, 1};
constexpr char kUnknown = '?';  // a character outside the MRZ alphabet, or unreadable

constexpr int kSubCost = 10;         // a substitution the text itself points at (or a filler edit)
constexpr int kBlindCost = 14;       // a substitution only the check digits argue for
constexpr int kSuspiciousCost = 8;   // keeping a digit-like letter inside a digit run
constexpr int kTransitionCost = 6;   // '<' followed by a non-filler inside a number
constexpr int kGrammarCost = 1;      // a grammar fix (only compared across length repairs)
constexpr int kAmbiguityMargin = 3;  // runner-up must cost at least this much more

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return c >= 'A' && c <= 'Z';
}

int char_value(char c) {
  if (is_digit(c)) return c - '0';
  if (is_letter(c)) return c - 'A' + 10;
  if (c == '<') return 0;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Layouts

enum class Kind { Code, Country, Name, DocNumber, EepNumber, Optional, Date, Sex, Check, OptionalCheck, Filler };

struct FieldSpec {
  std::string_view name;
  int offset;  // into the concatenated lines
  int length;
  Kind kind;
};

struct Span {
  int offset;
  int length;
};

// A field covered by its own check digit, or (digit < 0) a field covered only by the composite.
struct Unit {
  int field;
  int digit_field;
};

struct Layout {
  Format format = Format::Unknown;
  int lines = 0;
  int length = 0;
  std::vector<FieldSpec> fields;
  std::vector<Span> composite;
  int composite_field = -1;
  // Derived by finish():
  std::vector<Unit> units;
  std::vector<int> composite_offset;  // per position: offset in the composite string, or -1
};

int field_index(const Layout& l, std::string_view name) {
  for (size_t i = 0; i < l.fields.size(); ++i)
    if (l.fields[i].name == name) return static_cast<int>(i);
  return -1;
}

Layout finish(Format format, int lines, int length, std::vector<FieldSpec> fields, std::vector<Span> composite) {
  Layout l;
  l.format = format;
  l.lines = lines;
  l.length = length;
  l.fields = std::move(fields);
  l.composite = std::move(composite);
  l.composite_offset.assign(static_cast<size_t>(l.lines * l.length), -1);
  int offset = 0;
  for (const Span& s : l.composite)
    for (int i = 0; i < s.length; ++i) l.composite_offset[static_cast<size_t>(s.offset + i)] = offset++;
  l.composite_field = field_index(l, "composite_check");
  for (size_t i = 0; i < l.fields.size(); ++i) {
    const FieldSpec& f = l.fields[i];
    if (f.kind == Kind::Check || f.kind == Kind::OptionalCheck) {
      if (f.name == "composite_check") continue;
      const std::string_view base = f.name.substr(0, f.name.size() - std::string_view("_check").size());
      l.units.push_back({field_index(l, base), static_cast<int>(i)});
    }
  }
  // Fields inside the composite that have no check digit of their own (TD1/TD2 optional data).
  for (size_t i = 0; i < l.fields.size(); ++i) {
    const FieldSpec& f = l.fields[i];
    const bool covered = std::any_of(l.units.begin(), l.units.end(), [&](const Unit& u) {
      return u.field == static_cast<int>(i) || u.digit_field == static_cast<int>(i);
    });
    if (!covered && f.kind != Kind::Check && l.composite_offset[static_cast<size_t>(f.offset)] >= 0)
      l.units.push_back({static_cast<int>(i), -1});
  }
  return l;
}

Layout make_td3() {
  constexpr int n = 44;
  auto at = [](int line, int col) { return line * n + col; };
  return finish(Format::Td3, 2, n,
                {{"document_code", at(0, 0), 2, Kind::Code},
                 {"issuing_state", at(0, 2), 3, Kind::Country},
                 {"name", at(0, 5), 39, Kind::Name},
                 {"document_number", at(1, 0), 9, Kind::DocNumber},
                 {"document_number_check", at(1, 9), 1, Kind::Check},
                 {"nationality", at(1, 10), 3, Kind::Country},
                 {"birth_date", at(1, 13), 6, Kind::Date},
                 {"birth_date_check", at(1, 19), 1, Kind::Check},
                 {"sex", at(1, 20), 1, Kind::Sex},
                 {"expiry_date", at(1, 21), 6, Kind::Date},
                 {"expiry_date_check", at(1, 27), 1, Kind::Check},
                 {"optional_data", at(1, 28), 14, Kind::Optional},
                 {"optional_data_check", at(1, 42), 1, Kind::OptionalCheck},
                 {"composite_check", at(1, 43), 1, Kind::Check}},
                {{at(1, 0), 10}, {at(1, 13), 7}, {at(1, 21), 22}});
}

Layout make_td2() {
  constexpr int n = 36;
  auto at = [](int line, int col) { return line * n + col; };
  return finish(Format::Td2, 2, n,
                {{"document_code", at(0, 0), 2, Kind::Code},
                 {"issuing_state", at(0, 2), 3, Kind::Country},
                 {"name", at(0, 5), 31, Kind::Name},
                 {"document_number", at(1, 0), 9, Kind::DocNumber},
                 {"document_number_check", at(1, 9), 1, Kind::Check},
                 {"nationality", at(1, 10), 3, Kind::Country},
                 {"birth_date", at(1, 13), 6, Kind::Date},
                 {"birth_date_check", at(1, 19), 1, Kind::Check},
                 {"sex", at(1, 20), 1, Kind::Sex},
                 {"expiry_date", at(1, 21), 6, Kind::Date},
                 {"expiry_date_check", at(1, 27), 1, Kind::Check},
                 {"optional_data", at(1, 28), 7, Kind::Optional},
                 {"composite_check", at(1, 35), 1, Kind::Check}},
                {{at(1, 0), 10}, {at(1, 13), 7}, {at(1, 21), 14}});
}

// TD1, and the mainland travel permits' three-line code (assumed TD1, see mrz.h).
Layout make_td1(Format format) {
  constexpr int n = 30;
  auto at = [](int line, int col) { return line * n + col; };
  return finish(format, 3, n,
                {{"document_code", at(0, 0), 2, Kind::Code},
                 {"issuing_state", at(0, 2), 3, Kind::Country},
                 {"document_number", at(0, 5), 9, Kind::DocNumber},
                 {"document_number_check", at(0, 14), 1, Kind::Check},
                 {"optional_data", at(0, 15), 15, Kind::Optional},
                 {"birth_date", at(1, 0), 6, Kind::Date},
                 {"birth_date_check", at(1, 6), 1, Kind::Check},
                 {"sex", at(1, 7), 1, Kind::Sex},
                 {"expiry_date", at(1, 8), 6, Kind::Date},
                 {"expiry_date_check", at(1, 14), 1, Kind::Check},
                 {"nationality", at(1, 15), 3, Kind::Country},
                 {"optional_data_2", at(1, 18), 11, Kind::Optional},
                 {"composite_check", at(1, 29), 1, Kind::Check},
                 {"name", at(2, 0), 30, Kind::Name}},
                {{at(0, 5), 25}, {at(1, 0), 7}, {at(1, 8), 7}, {at(1, 18), 11}});
}

Layout make_eep() {
  return finish(Format::ExitEntryPermitCard, 1, 30,
                {{"document_code", 0, 2, Kind::Code},
                 {"document_number", 2, 9, Kind::EepNumber},
                 {"document_number_check", 11, 1, Kind::Check},
                 {"filler_1", 12, 1, Kind::Filler},
                 {"expiry_date", 13, 6, Kind::Date},
                 {"expiry_date_check", 19, 1, Kind::Check},
                 {"filler_2", 20, 1, Kind::Filler},
                 {"birth_date", 21, 6, Kind::Date},
                 {"birth_date_check", 27, 1, Kind::Check},
                 {"filler_3", 28, 1, Kind::Filler},
                 {"composite_check", 29, 1, Kind::Check}},
                {{2, 10}, {13, 7}, {21, 7}});
}

const Layout* layout_of(Format format) {
  static const Layout td1 = make_td1(Format::Td1);
  static const Layout td2 = make_td2();
  static const Layout td3 = make_td3();
  static const Layout eep = make_eep();
  static const Layout mtp = make_td1(Format::MainlandTravelPermit);
  switch (format) {
    case Format::Td1:
      return &td1;
    case Format::Td2:
      return &td2;
    case Format::Td3:
      return &td3;
    case Format::ExitEntryPermitCard:
      return &eep;
    case Format::MainlandTravelPermit:
      return &mtp;
    case Format::Unknown:
      break;
  }
  return nullptr;
}

std::string field_text(const std::string& flat, const FieldSpec& f) {
  return flat.substr(static_cast<size_t>(f.offset), static_cast<size_t>(f.length));
}

// ---------------------------------------------------------------------------------------------
// Normalization

// Decodes one UTF-8 code point at `i` (advancing it); invalid sequences give U+FFFD.
char32_t next_code_point(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  return cp;
}

// Returns 0 for characters that carry no content (whitespace).
char normalize_char(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\v' || cp == '\f' || cp == 0x3000) return 0;
  if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII
  if (cp >= 'a' && cp <= 'z') cp -= 'a' - 'A';
  if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '<') return static_cast<char>(cp);
  if (cp == 0x00AB || cp == 0x2039 || cp == 0x3008 || cp == 0x2329) return '<';  // « ‹ 〈
  return kUnknown;
}

std::string normalize_line(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    if (const char c = normalize_char(next_code_point(in, i))) out.push_back(c);
  }
  return out;
}

std::vector<std::string> normalize_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    std::string n = normalize_line(l);
    if (!n.empty()) out.push_back(std::move(n));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dates

struct Ymd {
  int y, m, d;
};

bool before_or_equal(const Ymd& a, const Ymd& b) {
  return std::tie(a.y, a.m, a.d) <= std::tie(b.y, b.m, b.d);
}

Ymd to_ymd(std::chrono::year_month_day t) {
  return {static_cast<int>(t.year()), static_cast<int>(static_cast<unsigned>(t.month())),
          static_cast<int>(static_cast<unsigned>(t.day()))};
}

// Birth: the latest year not after today. Expiry: the latest year not more than 20 years after
// today (so the window is the 100 years ending there).
int resolve_year(int yy, int m, int d, bool birth, const Ymd& today) {
  const Ymd limit = birth ? today : Ymd{today.y + 20, today.m, today.d};
  int y = limit.y - ((limit.y % 100 - yy + 100) % 100);
  if (!before_or_equal({y, m, d}, limit)) y -= 100;
  return y;
}

int two_digits(std::string_view s) {
  return (s[0] - '0') * 10 + (s[1] - '0');
}

enum class Part { Known, Unknown, Bad };
Part date_part(std::string_view s) {
  if (s == "<<") return Part::Unknown;
  return is_digit(s[0]) && is_digit(s[1]) ? Part::Known : Part::Bad;
}

// A YYMMDD as the MRZ allows it: digits, or "<<" for an unknown part (ICAO 9303 Part 3).
bool date_ok(std::string_view raw, bool birth, const Ymd& today) {
  if (raw.size() != 6) return false;
  const Part yp = date_part(raw.substr(0, 2)), mp = date_part(raw.substr(2, 2)), dp = date_part(raw.substr(4, 2));
  if (yp == Part::Bad || mp == Part::Bad || dp == Part::Bad) return false;
  const int m = mp == Part::Known ? two_digits(raw.substr(2, 2)) : 1;
  if (m < 1 || m > 12) return false;
  if (dp == Part::Unknown) return true;
  const int d = two_digits(raw.substr(4, 2));
  if (d < 1) return false;
  if (mp == Part::Unknown) return d <= 31;
  const int y = yp == Part::Known ? resolve_year(two_digits(raw), m, d, birth, today) : 2000;  // leap
  using namespace std::chrono;
  return year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}.ok();
}

std::string date_iso(std::string_view raw, bool birth, const Ymd& today) {
  if (!date_ok(raw, birth, today) || raw.find('<') != std::string_view::npos) return {};
  const int m = two_digits(raw.substr(2, 2)), d = two_digits(raw.substr(4, 2));
  const int y = resolve_year(two_digits(raw), m, d, birth, today);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool is_birth(const FieldSpec& f) {
  return f.name == "birth_date";
}

// ---------------------------------------------------------------------------------------------
// Checks

bool all_fillers(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '<'; });
}

// Does `digit` check `field`? An optional-data check may be '<' when the data is all fillers.
bool check_ok(std::string_view field, char digit, bool optional) {
  if (is_digit(digit)) return check_digit(field) == digit - '0';
  return digit == '<' && optional && all_fillers(field);
}

// TD1: a number longer than 9 characters puts '<' in the check position and continues in the
// optional data; the last character before the first filler there is its check digit.
bool td1_extended(const Layout& l, const std::string& flat) {
  if (l.lines != 3) return false;
  return flat[14] == '<' && flat[15] != '<';
}

struct Extended {
  std::string number;
  bool passed = false;
};

Extended td1_extended_number(const std::string& flat) {
  const std::string opt = flat.substr(15, 15);
  const size_t end = std::min(opt.find('<'), opt.size());
  if (end == 0) return {};
  Extended e;
  e.number = flat.substr(5, 9) + opt.substr(0, end - 1);
  e.passed = is_digit(opt[end - 1]) && check_digit(e.number) == opt[end - 1] - '0';
  return e;
}

std::string composite_text(const Layout& l, const std::string& flat) {
  std::string s;
  for (const Span& sp : l.composite) s += flat.substr(static_cast<size_t>(sp.offset), static_cast<size_t>(sp.length));
  return s;
}

bool composite_ok(const Layout& l, const std::string& flat) {
  const char d = flat[static_cast<size_t>(l.fields[static_cast<size_t>(l.composite_field)].offset)];
  return check_ok(composite_text(l, flat), d, false);
}

bool unit_ok(const Layout& l, const Unit& u, const std::string& flat, const Ymd& today) {
  const FieldSpec& f = l.fields[static_cast<size_t>(u.field)];
  const std::string text = field_text(flat, f);
  if (f.kind == Kind::Date && !date_ok(text, is_birth(f), today)) return false;
  if (u.digit_field < 0) return true;
  const FieldSpec& d = l.fields[static_cast<size_t>(u.digit_field)];
  if (f.name == "document_number" && td1_extended(l, flat)) return td1_extended_number(flat).passed;
  return check_ok(text, flat[static_cast<size_t>(d.offset)], d.kind == Kind::OptionalCheck);
}

// ---------------------------------------------------------------------------------------------
// Parse

std::string trim_fillers(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(c == '<' ? ' ' : c);
  const size_t a = out.find_first_not_of(' ');
  if (a == std::string::npos) return {};
  out = out.substr(a, out.find_last_not_of(' ') - a + 1);
  std::string collapsed;
  for (char c : out)
    if (!(c == ' ' && !collapsed.empty() && collapsed.back() == ' ')) collapsed.push_back(c);
  return collapsed;
}

void split_name(std::string_view raw, std::string& surname, std::string& given) {
  const size_t sep = raw.find("<<");
  if (sep == std::string_view::npos) {
    surname = trim_fillers(raw);
    given.clear();
    return;
  }
  surname = trim_fillers(raw.substr(0, sep));
  given = trim_fillers(raw.substr(sep + 2));
}

std::string sex_value(char c) {
  if (c == 'M' || c == 'F' || c == 'X') return std::string(1, c);
  return c == '<' ? "X" : "";
}

MrzResult parse_flat(const Layout& l, const std::string& flat, const Ymd& today) {
  MrzResult r;
  r.format = l.format;
  r.well_formed = true;
  const bool extended = td1_extended(l, flat);
  for (const FieldSpec& f : l.fields) {
    MrzField out{std::string(f.name), field_text(flat, f), {}};
    switch (f.kind) {
      case Kind::Name: {
        split_name(out.raw, r.surname, r.given_names);
        out.value = r.given_names.empty() ? r.surname : r.surname + ", " + r.given_names;
        break;
      }
      case Kind::Date:
        out.value = date_iso(out.raw, is_birth(f), today);
        break;
      case Kind::Sex:
        out.value = sex_value(out.raw[0]);
        break;
      case Kind::Check:
      case Kind::OptionalCheck:
      case Kind::Filler:
        out.value = out.raw;
        break;
      default:
        out.value = trim_fillers(out.raw);
        break;
    }
    if (f.name == "document_number" && extended) out.value = td1_extended_number(flat).number;
    if (f.name == "document_code") r.document_code = out.value;
    if (f.name == "issuing_state") r.issuing_state = out.value;
    if (f.name == "document_number") r.document_number = out.value;
    if (f.name == "nationality") r.nationality = out.value;
    if (f.name == "birth_date") r.birth_date_raw = out.raw, r.birth_date = out.value;
    if (f.name == "expiry_date") r.expiry_date_raw = out.raw, r.expiry_date = out.value;
    if (f.name == "sex") r.sex = out.value;
    if (f.name == "optional_data") r.optional_data = out.value;
    if (f.name == "optional_data_2") r.optional_data_2 = out.value;
    r.fields.push_back(std::move(out));
  }
  for (const Unit& u : l.units) {
    if (u.digit_field < 0) continue;
    const FieldSpec& d = l.fields[static_cast<size_t>(u.digit_field)];
    const FieldSpec& f = l.fields[static_cast<size_t>(u.field)];
    const std::string text = field_text(flat, f);
    bool ok = check_ok(text, flat[static_cast<size_t>(d.offset)], d.kind == Kind::OptionalCheck);
    if (f.name == "document_number" && extended) ok = td1_extended_number(flat).passed;
    r.checks.push_back({std::string(d.name), ok});
  }
  r.checks.push_back({"composite_check", composite_ok(l, flat)});
  for (const FieldSpec& f : l.fields)
    if (f.kind == Kind::Date)
      r.checks.push_back({std::string(f.name) + "_valid", date_ok(field_text(flat, f), is_birth(f), today)});
  r.all_checks_passed = std::all_of(r.checks.begin(), r.checks.end(), [](const Check& c) { return c.passed; });
  return r;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l;
  return s;
}

std::vector<std::string> split(const std::string& flat, int length) {
  std::vector<std::string> out;
  for (size_t i = 0; i < flat.size(); i += static_cast<size_t>(length))
    out.push_back(flat.substr(i, static_cast<size_t>(length)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Grammar

char to_digit(char c) {
  switch (c) {
    case 'O':
    case 'D':
    case 'Q':
      return '0';
    case 'I':
    case 'L':
      return '1';
    case 'Z':
      return '2';
    case 'S':
      return '5';
    case 'G':
      return '6';
    case 'B':
      return '8';
    default:
      return 0;
  }
}

char to_letter(char c) {
  switch (c) {
    case '0':
      return 'O';
    case '1':
      return 'I';
    case '2':
      return 'Z';
    case '5':
      return 'S';
    case '6':
      return 'G';
    case '8':
      return 'B';
    default:
      return 0;
  }
}

char as_digit(char c) {
  if (is_digit(c)) return c;
  const char d = to_digit(c);
  return d ? d : kUnknown;
}

char as_letter_or_filler(char c) {
  if (is_letter(c) || c == '<') return c;
  const char a = to_letter(c);
  return a ? a : kUnknown;
}

// The exit-entry permit number: a letter, then a digit or a letter other than I/O (the 2018 MPS
// numbering rule), then seven digits.
char eep_number_char(int pos, char c) {
  if (pos == 0) return c == '<' ? kUnknown : as_letter_or_filler(c);
  if (pos == 1) {
    if (c == 'I' || c == 'O') return to_digit(c);
    return c == '<' ? kUnknown : c;
  }
  return as_digit(c);
}

char sex_char(char c) {
  switch (c) {
    case 'M':
    case 'F':
    case 'X':
    case '<':
      return c;
    case 'H':
    case 'N':
      return 'M';
    case 'E':
      return 'F';
    case 'K':
      return '<';
    default:
      return kUnknown;
  }
}

// A name is PRIMARY<<SECONDARY with single '<' between components; after that only fillers.
// Letters that OCR often reads for '<' (K, S, C, E) in that tail become fillers again.
void clean_name_tail(std::string& n) {
  const size_t sep = n.find("<<");
  if (sep == std::string::npos || sep == 0) return;
  size_t tail = sep + 2;
  if (tail < n.size() && n[tail] != '<') {
    tail = n.find("<<", tail);
    if (tail == std::string::npos) return;
  }
  const auto filler_like = [](char c) { return c == '<' || c == 'K' || c == 'S' || c == 'C' || c == 'E'; };
  if (!std::all_of(n.begin() + static_cast<std::ptrdiff_t>(tail), n.end(), filler_like)) return;
  std::fill(n.begin() + static_cast<std::ptrdiff_t>(tail), n.end(), '<');
}

// In a number, a K inside the trailing filler run is a misread '<' (checks cannot tell).
void clean_number_tail(std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != 'K') continue;
    const bool rest_fillers = std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.end(),
                                          [](char c) { return c == '<' || c == 'K'; });
    if (rest_fillers && (i == 0 ? all_fillers(std::string_view(s).substr(1)) : s[i - 1] == '<')) s[i] = '<';
  }
}

void apply_field_grammar(const Layout& l, const FieldSpec& f, std::string& flat) {
  std::string s = field_text(flat, f);
  for (size_t i = 0; i < s.size(); ++i) {
    char& c = s[i];
    switch (f.kind) {
      case Kind::Code:
      case Kind::Country:
      case Kind::Name:
        c = as_letter_or_filler(c);
        break;
      case Kind::DocNumber:
      case Kind::Optional:
        break;  // anything of the alphabet
      case Kind::EepNumber:
        c = eep_number_char(static_cast<int>(i), c);
        break;
      case Kind::Date: {
        // An unknown part of a date is a whole YY, MM or DD of fillers; a filler beside a digit of
        // its pair is a digit that was not read (58081< is 58081?, not the 58th of August, 081).
        const char pair = s[i ^ 1];
        c = c != '<' ? as_digit(c) : (pair != '<' ? kUnknown : c);
        break;
      }
      case Kind::Sex:
        c = sex_char(c);
        break;
      case Kind::Filler:
        c = '<';
        break;
      case Kind::Check:
        // TD1's document-number check may be '<' when the number continues (extended number).
        if (c == '<' && f.name == "document_number_check" && l.lines == 3 &&
            flat[static_cast<size_t>(f.offset) + 1] != '<')
          break;
        c = as_digit(c);
        break;
      case Kind::OptionalCheck: {  // TD3 only; its data field ends right before it
        const FieldSpec& data = l.fields[static_cast<size_t>(field_index(l, "optional_data"))];
        const bool empty = all_fillers(field_text(flat, data));
        if (c == '<' || (empty && (c == 'K' || c == 'S' || c == 'C' || c == 'E')))
          c = '<';
        else
          c = as_digit(c);
        if (c == '<' && !empty) c = kUnknown;
        break;
      }
    }
  }
  if (f.kind == Kind::Name) clean_name_tail(s);
  if (f.kind == Kind::DocNumber || f.kind == Kind::Optional) clean_number_tail(s);
  flat.replace(static_cast<size_t>(f.offset), static_cast<size_t>(f.length), s);
}

// ---------------------------------------------------------------------------------------------
// Search

// Confusions OCR makes on OCR-B: letter<->digit and filler<->letter. No digit<->digit pairs: a
// digit misread as another digit leaves no trace in the text, and correcting it from the check
// digits alone miscorrects double errors too often (measured: ~1 wrong per 6 restored).
std::string_view letter_partners(char c) {
  switch (c) {
    case '0':
      return "ODQ";
    case 'O':
      return "0DQ";
    case 'D':
      return "0O";
    case 'Q':
      return "0O";
    case '1':
      return "IL";
    case 'I':
      return "1L";
    case 'L':
      return "1I";
    case '2':
      return "Z";
    case 'Z':
      return "2";
    case '5':
      return "S";
    case 'S':
      return "5<";
    case '6':
      return "G";
    case 'G':
      return "6";
    case '8':
      return "B";
    case 'B':
      return "8";
    case '<':
      return "KSC";
    case 'K':
      return "<";
    case 'C':
      return "<";
    default:
      return "";
  }
}

// A substitution whose value difference is 0 mod 10 changes no check digit (K/<, L/1, G/6):
// the checks cannot choose it, so the search never proposes it.
bool visible(char a, char b) {
  return (char_value(a) - char_value(b)) % 10 != 0;
}

// May `c` stand at position `pos` of a field of this kind (after grammar)?
bool allowed(Kind kind, int pos, char c) {
  switch (kind) {
    case Kind::DocNumber:
    case Kind::Optional:
      return char_value(c) >= 0;
    case Kind::EepNumber:
      if (pos == 0) return is_letter(c);
      if (pos == 1) return is_digit(c) || (is_letter(c) && c != 'I' && c != 'O');
      return is_digit(c);
    case Kind::Date:
    case Kind::Check:
    case Kind::OptionalCheck:
      return is_digit(c);
    default:
      return false;
  }
}

std::string alternatives(Kind kind, int pos, char c) {
  std::string out;
  if (c == kUnknown) {  // an erasure: anything the grammar allows
    for (char a : std::string_view("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
      if (allowed(kind, pos, a)) out.push_back(a);
    return out;
  }
  auto add = [&](std::string_view partners) {
    for (char a : partners)
      if (allowed(kind, pos, a) && visible(a, c) && out.find(a) == std::string::npos) out.push_back(a);
  };
  add(letter_partners(c));
  return out;
}

struct Variant {
  std::string text;
  int subs = 0;
  int blind = 0;  // substitutions without visible evidence (see evidence_targets)
  int cost = 0;
};

struct VariantSet {
  std::vector<Variant> items;
  int truncated_at = INT_MAX;  // substitution count at which candidates were dropped
};

// Letters that read like digits inside a digit run ("L89B902C3"): keeping one costs extra. Only
// while no other digit-like letter (outside a run, e.g. "CZ23D6690") could be the misread one: then
// the text does not say which, and neither is preferred.
std::vector<bool> suspicious_letters(Kind kind, std::string_view s) {
  std::vector<bool> out(s.size(), false);
  if (kind != Kind::DocNumber && kind != Kind::Optional && kind != Kind::EepNumber) return out;
  bool rival = false;
  for (size_t i = 1; i < s.size(); ++i) {
    const bool digit_like = is_letter(s[i]) && to_digit(s[i]);
    out[i] = digit_like && (is_digit(s[i - 1]) || out[i - 1]);
    rival = rival || (digit_like && !out[i]);
  }
  if (rival) std::fill(out.begin(), out.end(), false);
  return out;
}

// Where the observed text itself shows the error, the substitution that undoes it: a digit-like
// letter inside a digit run back to its digit, a letter in a number's filler tail back to '<'.
// Any other substitution is "blind": only the check digits argue for it (see blind_allowed).
std::string evidence_targets(Kind kind, std::string_view s, const std::vector<bool>& suspicious) {
  std::string out(s.size(), '\0');
  if (kind != Kind::DocNumber && kind != Kind::Optional && kind != Kind::EepNumber) return out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (suspicious[i]) out[i] = to_digit(s[i]);
    const bool in_tail =
        i > 0 && s[i - 1] == '<' &&
        std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i) + 1, s.end(), [](char c) { return c == '<'; });
    if (in_tail && (s[i] == 'S' || s[i] == 'C')) out[i] = '<';
    // OCR-B's O and 0 differ by a few percent of their width: where a number's letters meet its
    // digits ("J04570183", "0W7481849") the text cannot say which was printed.
    const bool at_letters = (i > 0 && is_letter(s[i - 1])) || (i + 1 < s.size() && is_letter(s[i + 1]));
    if (kind == Kind::DocNumber && at_letters && !out[i] && (s[i] == '0' || s[i] == 'O'))
      out[i] = s[i] == '0' ? 'O' : '0';
  }
  return out;
}

int prior_cost(Kind kind, std::string_view observed, const std::vector<bool>& suspicious, std::string_view v) {
  if (kind != Kind::DocNumber && kind != Kind::Optional && kind != Kind::EepNumber) return 0;
  int cost = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (suspicious[i] && v[i] == observed[i]) cost += kSuspiciousCost;
    if (i + 1 < v.size() && v[i] == '<' && v[i + 1] != '<') cost += kTransitionCost;
  }
  return cost;
}

struct Enumerator {
  std::string_view observed;
  const std::vector<std::string>& alts;
  std::string_view evidence;
  int max_blind;
  int cap;
  std::vector<Variant>& out;
  std::string buf;
  bool full = false;

  // Emits every variant with exactly `left` more changes from position `i` on.
  void run(size_t i, int left, int subs, int blind) {
    if (full) return;
    if (static_cast<int>(observed.size() - i) < left) return;
    if (i == observed.size()) {
      if (static_cast<int>(out.size()) >= cap) {
        full = true;
        return;
      }
      out.push_back({buf, subs, blind, 0});
      return;
    }
    const bool must = observed[i] == kUnknown;
    if (!must) run(i + 1, left, subs, blind);
    if (left == 0) return;
    for (char a : alts[i]) {
      const int b = blind + (a == evidence[i] ? 0 : 1);
      if (b > max_blind) continue;
      buf[i] = a;
      run(i + 1, left - 1, subs + 1, b);
    }
    buf[i] = observed[i];
  }
};

VariantSet field_variants(std::string_view observed, Kind kind, int max_blind, const CorrectOptions& o,
                          const std::function<bool(std::string_view)>& valid) {
  VariantSet set;
  std::vector<std::string> alts;
  int must = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    alts.push_back(alternatives(kind, static_cast<int>(i), observed[i]));
    if (observed[i] == kUnknown) ++must;
  }
  if (must > o.max_subs_per_field) return set;
  const std::vector<bool> suspicious = suspicious_letters(kind, observed);
  const std::string evidence = evidence_targets(kind, observed, suspicious);
  std::vector<Variant> raw;
  Enumerator e{observed, alts, evidence, max_blind, o.max_variants_per_field, raw, std::string(observed)};
  for (int k = must; k <= o.max_subs_per_field && !e.full; ++k) {
    e.run(0, k, 0, 0);
    if (e.full) set.truncated_at = k;
  }
  for (Variant& v : raw) {
    if (!valid(v.text)) continue;
    v.cost = (v.subs - v.blind) * kSubCost + v.blind * kBlindCost + prior_cost(kind, observed, suspicious, v.text);
    set.items.push_back(std::move(v));
  }
  return set;
}

struct UnitVariant {
  std::string text;  // field characters, then the check digit (if any)
  int subs = 0;
  int blind = 0;
  int cost = 0;
  int residue = 0;  // contribution to the composite check, mod 10
};

struct UnitChoices {
  std::vector<int> positions;
  std::vector<UnitVariant> variants;
  int truncated_at = INT_MAX;
};

int composite_residue(const Layout& l, const std::vector<int>& positions, std::string_view text) {
  int sum = 0;
  for (size_t i = 0; i < positions.size(); ++i) {
    const int off = l.composite_offset[static_cast<size_t>(positions[i])];
    if (off >= 0) sum += std::max(char_value(text[i]), 0) * kWeights[static_cast<size_t>(off % 3)];
  }
  return sum % 10;
}

std::vector<int> positions_of(const FieldSpec& f) {
  std::vector<int> p;
  for (int i = 0; i < f.length; ++i) p.push_back(f.offset + i);
  return p;
}

UnitChoices frozen_choices(const Layout& l, const std::vector<int>& positions, const std::string& flat) {
  UnitChoices c;
  c.positions = positions;
  std::string text;
  for (int p : positions) text.push_back(flat[static_cast<size_t>(p)]);
  c.variants.push_back({text, 0, 0, 0, composite_residue(l, positions, text)});
  return c;
}

// Blind substitutions need two independent constraints: the unit's own check digit and a composite
// that weighs it differently. A unit starting at a composite offset divisible by 3 (every document
// number, TD3's personal number) gets the same weights in both, so the composite adds nothing;
// composite-only fields have one constraint. Only the dates and their check digits qualify.
int blind_allowed(const Layout& l, const Unit& u) {
  if (u.digit_field < 0) return 0;
  const int off = l.composite_offset[static_cast<size_t>(l.fields[static_cast<size_t>(u.field)].offset)];
  return off >= 0 && off % 3 != 0 ? 1 : 0;
}

// Unreadable characters are erasures: fillable only where blind substitutions are (and in the
// composite digit, which the search fills when every field checks out).
bool fillable_unknown(const Layout& l, int position) {
  for (const Unit& u : l.units) {
    for (int idx : {u.field, u.digit_field}) {
      if (idx < 0) continue;
      const FieldSpec& f = l.fields[static_cast<size_t>(idx)];
      if (position >= f.offset && position < f.offset + f.length) return blind_allowed(l, u) > 0;
    }
  }
  return position == l.fields[static_cast<size_t>(l.composite_field)].offset;
}

UnitChoices unit_choices(const Layout& l, const Unit& u, const std::string& flat, const CorrectOptions& o,
                         const Ymd& today) {
  const FieldSpec& f = l.fields[static_cast<size_t>(u.field)];
  UnitChoices c;
  c.positions = positions_of(f);
  const int max_blind = blind_allowed(l, u);
  const auto valid = [&](std::string_view s) { return f.kind != Kind::Date || date_ok(s, is_birth(f), today); };
  const VariantSet fields = field_variants(field_text(flat, f), f.kind, max_blind, o, valid);
  c.truncated_at = fields.truncated_at;
  if (u.digit_field < 0) {
    for (const Variant& v : fields.items)
      c.variants.push_back({v.text, v.subs, v.blind, v.cost, composite_residue(l, c.positions, v.text)});
    return c;
  }
  const FieldSpec& d = l.fields[static_cast<size_t>(u.digit_field)];
  c.positions.push_back(d.offset);
  const VariantSet digits =
      field_variants(field_text(flat, d), d.kind, max_blind, o, [](std::string_view s) { return s[0] != kUnknown; });
  c.truncated_at = std::min(c.truncated_at, digits.truncated_at);
  for (const Variant& v : fields.items) {
    for (const Variant& dv : digits.items) {
      if (v.blind + dv.blind > max_blind) continue;
      if (!check_ok(v.text, dv.text[0], d.kind == Kind::OptionalCheck)) continue;
      const std::string text = v.text + dv.text;
      c.variants.push_back(
          {text, v.subs + dv.subs, v.blind + dv.blind, v.cost + dv.cost, composite_residue(l, c.positions, text)});
    }
  }
  return c;
}

// Two cheapest complete assignments, found by a dynamic programme whose state is the composite
// residue (mod 10) and the number of blind substitutions so far (at most one per failing check).
constexpr int kBlindStates = 4;

struct Entry {
  int cost = 0;
  int subs = 0;
  int prev_state = -1;
  int prev_slot = -1;
  int variant = -1;
};
using Slots = std::array<std::vector<Entry>, 10 * kBlindStates>;

int state_of(int residue, int blind) {
  return residue * kBlindStates + blind;
}

void keep_two(std::vector<Entry>& slot, const Entry& e) {
  auto it = std::find_if(slot.begin(), slot.end(), [&](const Entry& x) { return e.cost < x.cost; });
  slot.insert(it, e);
  if (slot.size() > 2) slot.pop_back();
}

struct Assignment {
  int cost = 0;
  int subs = 0;
  std::string flat;
};

struct SearchOutcome {
  std::vector<Assignment> best;  // up to two, cheapest first
  int truncated_cost = INT_MAX;  // candidates at or above this cost may be missing
};

void track_truncation(SearchOutcome& out, int truncated_at) {
  if (truncated_at != INT_MAX) out.truncated_cost = std::min(out.truncated_cost, truncated_at * kSubCost);
}

SearchOutcome search(const Layout& l, const std::string& flat, const CorrectOptions& o, const Ymd& today) {
  SearchOutcome out;
  const bool composite_passes = composite_ok(l, flat);
  int failing = 0;  // failing field checks; the composite counts only when it fails alone
  std::vector<UnitChoices> units;
  for (const Unit& u : l.units) {
    const bool variable = u.digit_field >= 0 ? !unit_ok(l, u, flat, today) : !composite_passes;
    if (!variable) {
      std::vector<int> pos = positions_of(l.fields[static_cast<size_t>(u.field)]);
      if (u.digit_field >= 0) pos.push_back(l.fields[static_cast<size_t>(u.digit_field)].offset);
      units.push_back(frozen_choices(l, pos, flat));
      continue;
    }
    if (u.digit_field >= 0) ++failing;
    units.push_back(unit_choices(l, u, flat, o, today));
    track_truncation(out, units.back().truncated_at);
  }
  // A field aligned with the composite (the number, at offset 0) fails both checks at once, so
  // the composite is not independent evidence when a field check fails too.
  const int max_blind = std::min(failing > 0 ? failing : (composite_passes ? 0 : 1), kBlindStates - 1);
  const FieldSpec& cf = l.fields[static_cast<size_t>(l.composite_field)];
  VariantSet digits;
  if (composite_passes)
    digits.items.push_back({field_text(flat, cf), 0, 0, 0});
  else  // a misread composite digit is credible only when every field it covers checks out
    digits = field_variants(field_text(flat, cf), Kind::Check, failing == 0 ? 1 : 0, o,
                            [](std::string_view s) { return s[0] != kUnknown; });
  track_truncation(out, digits.truncated_at);

  std::vector<Slots> stages(units.size() + 1);
  stages[0][0].push_back({});
  for (size_t u = 0; u < units.size(); ++u) {
    for (int st = 0; st < 10 * kBlindStates; ++st) {
      const auto& slot = stages[u][static_cast<size_t>(st)];
      for (size_t s = 0; s < slot.size(); ++s) {
        for (size_t v = 0; v < units[u].variants.size(); ++v) {
          const UnitVariant& uv = units[u].variants[v];
          const int blind = st % kBlindStates + uv.blind;
          if (blind > max_blind) continue;
          const Entry e{slot[s].cost + uv.cost, slot[s].subs + uv.subs, st, static_cast<int>(s), static_cast<int>(v)};
          keep_two(stages[u + 1][static_cast<size_t>(state_of((st / kBlindStates + uv.residue) % 10, blind))], e);
        }
      }
    }
  }

  struct Final {
    int cost, subs, state, slot;
    const Variant* digit;
  };
  std::vector<Final> finals;
  for (const Variant& d : digits.items) {
    for (int blind = 0; blind + d.blind <= max_blind; ++blind) {
      const int st = state_of(d.text[0] - '0', blind);
      const auto& slot = stages.back()[static_cast<size_t>(st)];
      for (size_t s = 0; s < slot.size(); ++s)
        finals.push_back({slot[s].cost + d.cost, slot[s].subs + d.subs, st, static_cast<int>(s), &d});
    }
  }
  std::stable_sort(finals.begin(), finals.end(), [](const Final& a, const Final& b) { return a.cost < b.cost; });
  for (size_t k = 0; k < finals.size() && k < 2; ++k) {
    Assignment a{finals[k].cost, finals[k].subs, flat};
    a.flat[static_cast<size_t>(cf.offset)] = finals[k].digit->text[0];
    int st = finals[k].state, slot = finals[k].slot;
    for (size_t u = units.size(); u-- > 0;) {
      const Entry& e = stages[u + 1][static_cast<size_t>(st)][static_cast<size_t>(slot)];
      const UnitVariant& uv = units[u].variants[static_cast<size_t>(e.variant)];
      for (size_t i = 0; i < units[u].positions.size(); ++i)
        a.flat[static_cast<size_t>(units[u].positions[i])] = uv.text[i];
      st = e.prev_state;
      slot = e.prev_slot;
    }
    out.best.push_back(std::move(a));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Correction driver

struct Candidate {
  int cost = 0;
  std::string flat;
  std::vector<Substitution> edits;
  int counted_edits = 0;  // edits that change content (end padding/trimming is free)
};

struct CoreOutcome {
  std::vector<Candidate> candidates;  // up to two, cheapest first
  bool budget = false;                // the search could not rule out a cheaper candidate
  std::string failure;
};

void diff_edits(const Layout& l, const std::string& from, const std::string& to, std::vector<Substitution>& edits) {
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != to[i])
      edits.push_back({static_cast<int>(i) / l.length, static_cast<int>(i) % l.length, from[i], to[i]});
}

bool all_units_pass(const Layout& l, const std::string& flat, const Ymd& today) {
  if (!composite_ok(l, flat)) return false;
  return std::all_of(l.units.begin(), l.units.end(), [&](const Unit& u) { return unit_ok(l, u, flat, today); });
}

// Grammar, then (if a check fails) the search. `flat` has the layout's exact shape.
CoreOutcome correct_flat(const Layout& l, const std::string& flat, const CorrectOptions& o, const Ymd& today) {
  CoreOutcome out;
  std::string g = flat;
  for (const FieldSpec& f : l.fields) apply_field_grammar(l, f, g);
  std::vector<Substitution> grammar;
  diff_edits(l, flat, g, grammar);
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] == kUnknown && !fillable_unknown(l, static_cast<int>(i))) {
      out.failure = "unreadable character at line " + std::to_string(i / static_cast<size_t>(l.length) + 1);
      return out;
    }
  }
  const int grammar_cost = static_cast<int>(grammar.size()) * kGrammarCost;
  if (g.find(kUnknown) == std::string::npos && all_units_pass(l, g, today)) {
    out.candidates.push_back({grammar_cost, g, grammar, static_cast<int>(grammar.size())});
    return out;
  }
  if (td1_extended(l, g)) {
    out.failure = "extended TD1 document number: checks fail and no search is done";
    return out;
  }
  const SearchOutcome s = search(l, g, o, today);
  if (s.best.empty()) {
    out.failure = "no substitution set within the budget passes every check";
    out.budget = s.truncated_cost != INT_MAX;
    return out;
  }
  if (s.best.front().subs > o.max_search_subs) {
    out.failure = "the cheapest correction needs more substitutions than allowed";
    return out;
  }
  out.budget = s.best.front().cost + kAmbiguityMargin > s.truncated_cost;
  for (const Assignment& a : s.best) {
    Candidate c{grammar_cost + a.cost, a.flat, grammar, 0};
    diff_edits(l, g, a.flat, c.edits);
    c.counted_edits = static_cast<int>(c.edits.size());
    out.candidates.push_back(std::move(c));
  }
  return out;
}

struct LineOption {
  std::string text;
  int cost = 0;
  std::vector<Substitution> edits;  // line index filled in by the caller
};

// Fillers missing at the end or in a run, or one too many in a run: anything else is out of scope.
std::vector<LineOption> line_options(const std::string& s, int expected) {
  const int have = static_cast<int>(s.size());
  std::vector<LineOption> out;
  if (have == expected) return {{s, 0, {}}};
  std::vector<std::pair<int, int>> runs;  // start, length of '<' runs
  for (int i = 0; i < have;) {
    if (s[static_cast<size_t>(i)] != '<') {
      ++i;
      continue;
    }
    int j = i;
    while (j < have && s[static_cast<size_t>(j)] == '<') ++j;
    runs.push_back({i, j - i});
    i = j;
  }
  if (have < expected) {
    const int d = expected - have;
    LineOption pad{s + std::string(static_cast<size_t>(d), '<'), 0, {}};
    for (int i = have; i < expected; ++i) pad.edits.push_back({0, i, 0, '<'});
    out.push_back(std::move(pad));
    if (d > 2) return out;
    for (const auto& [start, len] : runs) {
      const int at = start + len;
      if (at == have) continue;  // the end: same as padding
      LineOption o{s.substr(0, static_cast<size_t>(at)) + std::string(static_cast<size_t>(d), '<') +
                       s.substr(static_cast<size_t>(at)),
                   d * kSubCost,
                   {}};
      for (int k = 0; k < d; ++k) o.edits.push_back({0, at + k, 0, '<'});
      out.push_back(std::move(o));
    }
    return out;
  }
  const int d = have - expected;
  if (d > 2) return out;
  if (all_fillers(std::string_view(s).substr(static_cast<size_t>(expected)))) {
    LineOption trim{s.substr(0, static_cast<size_t>(expected)), 0, {}};
    for (int k = 0; k < d; ++k) trim.edits.push_back({0, expected, '<', 0});
    out.push_back(std::move(trim));
  }
  for (const auto& [start, len] : runs) {
    if (len <= d || start + len == have) continue;
    LineOption o{s.substr(0, static_cast<size_t>(start + len - d)) + s.substr(static_cast<size_t>(start + len)),
                 d * kSubCost,
                 {}};
    for (int k = 0; k < d; ++k) o.edits.push_back({0, start + len - d, '<', 0});
    out.push_back(std::move(o));
  }
  return out;
}

std::string differing_fields(const Layout& l, const std::string& a, const std::string& b) {
  std::string out;
  for (const FieldSpec& f : l.fields) {
    const std::string x = field_text(a, f), y = field_text(b, f);
    if (x == y) continue;
    if (!out.empty()) out += ", ";
    out += std::string(f.name) + " " + x + " or " + y;
  }
  return out;
}

CorrectionResult finish_result(CorrectionResult r, const Ymd& today) {
  const Layout* l = layout_of(r.format);
  const std::vector<std::string> norm = normalize_lines(r.lines);
  r.parsed = MrzResult{};
  r.parsed.format = r.format;
  if (l) {
    bool shape = static_cast<int>(norm.size()) == l->lines;
    for (const std::string& s : norm) shape = shape && static_cast<int>(s.size()) == l->length;
    if (shape) r.parsed = parse_flat(*l, join(norm), today);
  }
  r.checks = r.parsed.checks;
  r.all_checks_passed = r.parsed.all_checks_passed;
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

int check_digit(std::string_view text) {
  int sum = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = char_value(text[i]);
    if (v < 0) return -1;
    sum += v * kWeights[i % 3];
  }
  return sum % 10;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Td1:
      return "TD1";
    case Format::Td2:
      return "TD2";
    case Format::Td3:
      return "TD3";
    case Format::ExitEntryPermitCard:
      return "ExitEntryPermitCard";
    case Format::MainlandTravelPermit:
      return "MainlandTravelPermit";
    case Format::Unknown:
      break;
  }
  return "Unknown";
}

std::string_view status_name(CorrectionStatus status) {
  switch (status) {
    case CorrectionStatus::Valid:
      return "Valid";
    case CorrectionStatus::Corrected:
      return "Corrected";
    case CorrectionStatus::Ambiguous:
      return "Ambiguous";
    case CorrectionStatus::Invalid:
      break;
  }
  return "Invalid";
}

Format detect_format(const std::vector<std::string>& lines) {
  const std::vector<std::string> n = normalize_lines(lines);
  const auto near = [](const std::string& s, int len, int slack) {
    return std::abs(static_cast<int>(s.size()) - len) <= slack;
  };
  // The longest line decides: OCR drops trailing fillers far more often than it adds characters.
  std::string longest_line;
  for (const std::string& s : n)
    if (s.size() > longest_line.size()) longest_line = s;
  if (n.size() == 1 && near(n[0], 30, 3) && n[0][0] == 'C') return Format::ExitEntryPermitCard;
  if (n.size() == 2 && near(longest_line, 44, 4)) return Format::Td3;
  if (n.size() == 2 && near(longest_line, 36, 4)) return Format::Td2;
  if (n.size() == 3 && near(longest_line, 30, 4)) {
    const bool chinese_permit = n[0][0] == 'C' && n[0].size() >= 5 && n[0].substr(2, 3) == "CHN";
    return chinese_permit ? Format::MainlandTravelPermit : Format::Td1;
  }
  return Format::Unknown;
}

MrzResult parse(const std::vector<std::string>& lines, Format format, std::chrono::year_month_day today) {
  const std::vector<std::string> n = normalize_lines(lines);
  if (format == Format::Unknown) format = detect_format(n);
  MrzResult r;
  r.format = format;
  const Layout* l = layout_of(format);
  if (!l || static_cast<int>(n.size()) != l->lines) return r;
  for (const std::string& s : n)
    if (static_cast<int>(s.size()) != l->length) return r;
  return parse_flat(*l, join(n), to_ymd(today));
}

MrzResult parse(const std::vector<std::string>& lines, std::chrono::year_month_day today) {
  return parse(lines, Format::Unknown, today);
}

CorrectionResult correct(const std::vector<std::string>& lines, Format format, std::chrono::year_month_day today,
                         const CorrectOptions& options) {
  const Ymd t = to_ymd(today);
  std::vector<std::string> n = normalize_lines(lines);
  if (format == Format::Unknown) format = detect_format(n);
  CorrectionResult r;
  r.format = format;
  r.lines = lines;
  const Layout* l = layout_of(format);
  if (!l) {
    r.detail = "unknown MRZ format";
    return finish_result(std::move(r), t);
  }
  // One line holding the whole zone: split it.
  if (n.size() == 1 && l->lines > 1 && static_cast<int>(n[0].size()) == l->lines * l->length)
    n = split(n[0], l->length);
  if (static_cast<int>(n.size()) != l->lines) {
    r.detail = "expected " + std::to_string(l->lines) + " lines, got " + std::to_string(n.size());
    return finish_result(std::move(r), t);
  }

  // Every combination of line-length repairs (bounded: at most 3 lines x a few runs).
  std::vector<std::vector<LineOption>> options_per_line;
  for (size_t i = 0; i < n.size(); ++i) {
    options_per_line.push_back(line_options(n[i], l->length));
    for (LineOption& o : options_per_line.back())
      for (Substitution& e : o.edits) e.line = static_cast<int>(i);
    if (options_per_line.back().empty()) {
      r.detail = "line " + std::to_string(i + 1) + " has " + std::to_string(n[i].size()) + " characters, expected " +
                 std::to_string(l->length);
      return finish_result(std::move(r), t);
    }
  }
  constexpr size_t kMaxCombos = 32;
  std::vector<Candidate> all;
  bool budget = false;
  std::string failure;
  std::vector<size_t> idx(n.size(), 0);
  for (size_t combo = 0; combo < kMaxCombos; ++combo) {
    std::string flat;
    int cost = 0, counted = 0;
    std::vector<Substitution> edits;
    for (size_t i = 0; i < n.size(); ++i) {
      const LineOption& o = options_per_line[i][idx[i]];
      flat += o.text;
      cost += o.cost;
      if (o.cost > 0) counted += static_cast<int>(o.edits.size());
      edits.insert(edits.end(), o.edits.begin(), o.edits.end());
    }
    CoreOutcome core = correct_flat(*l, flat, options, t);
    budget = budget || core.budget;
    if (failure.empty()) failure = core.failure;
    for (Candidate& c : core.candidates) {
      c.cost += cost;
      c.counted_edits += counted;
      c.edits.insert(c.edits.begin(), edits.begin(), edits.end());
      all.push_back(std::move(c));
    }
    size_t k = 0;  // next combination (odometer)
    while (k < idx.size() && ++idx[k] == options_per_line[k].size()) idx[k++] = 0;
    if (k == idx.size()) break;
  }

  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.cost < b.cost; });
  all.erase(
      std::unique(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.flat == b.flat; }),
      all.end());
  if (all.empty()) {
    r.detail = failure.empty() ? "no candidate" : failure;
    return finish_result(std::move(r), t);
  }
  const Candidate& best = all.front();
  if (all.size() > 1 && all[1].cost - best.cost < kAmbiguityMargin) {
    r.status = CorrectionStatus::Ambiguous;
    r.detail = "competing corrections: " + differing_fields(*l, best.flat, all[1].flat);
    return finish_result(std::move(r), t);
  }
  if (budget) {
    r.detail = "search budget exhausted before a unique correction was established";
    return finish_result(std::move(r), t);
  }
  if (best.counted_edits > options.max_edits) {
    r.detail = std::to_string(best.counted_edits) + " edits needed: too many to trust";
    return finish_result(std::move(r), t);
  }
  r.lines = split(best.flat, l->length);
  r.substitutions = best.edits;
  r.status = best.edits.empty() ? CorrectionStatus::Valid : CorrectionStatus::Corrected;
  r = finish_result(std::move(r), t);
  if (!r.all_checks_passed) {  // cannot happen by construction; never hand out an unchecked zone
    r.status = CorrectionStatus::Invalid;
    r.detail = "internal: corrected zone fails its checks";
    r.lines = lines;
    r.substitutions.clear();
    r = finish_result(std::move(r), t);
  }
  return r;
}

}  // namespace ocrserve::mrz
