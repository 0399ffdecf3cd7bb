#pragma once
// Machine-readable zones: ICAO 9303 TD1/TD2/TD3 and the Chinese permits' machine codes.
// Parse, check digits, and a check-digit-guided corrector for OCR'd lines.
//
// Pure and deterministic: no I/O, no clock (callers pass `today`), no mutable globals.
//
// Layouts (0-based columns):
//   TD3 (ICAO 9303 Part 4), 2 x 44:
//     1: code 0-1, issuing state 2-4, name 5-43
//     2: number 0-8, check 9, nationality 10-12, birth 13-18, check 19, sex 20, expiry 21-26,
//        check 27, optional (personal number) 28-41, check 42 ('<' allowed when 28-41 are all '<'),
//        composite 43 over 0-9, 13-19, 21-42
//   TD2 (Part 6), 2 x 36:
//     1: code 0-1, issuing state 2-4, name 5-35
//     2: number 0-8, check 9, nationality 10-12, birth 13-18, check 19, sex 20, expiry 21-26,
//        check 27, optional 28-34, composite 35 over 0-9, 13-19, 21-34
//   TD1 (Part 5), 3 x 30:
//     1: code 0-1, issuing state 2-4, number 5-13, check 14 ('<' when the number continues into
//        the optional data, whose last used character is then its check digit), optional 15-29
//     2: birth 0-5, check 6, sex 7, expiry 8-13, check 14, nationality 15-17, optional 18-28,
//        composite 29 over line 1 5-29, line 2 0-6, 8-14, 18-28
//     3: name 0-29
//   ExitEntryPermitCard (往来港澳/台湾通行证, card front), 1 x 30:
//     "CS" 0-1, number 2-10, check 11, '<' 12, expiry 13-18, check 19, '<' 20, birth 21-26,
//     check 27, '<' 28, composite 29 over 2-11, 13-19, 21-27.
//     Matches API-NOTES and Huawei's example "CSCA3xxxxxxx<290xxxx<810xxxx<2"; the number grammar
//     (letter, then a letter other than I/O or a digit, then 7 digits) is the MPS numbering rule.
//   MainlandTravelPermit (港澳居民来往内地通行证 / 台湾居民来往大陆通行证), 3 x 30:
//     ASSUMED TD1 layout. GA/T 704.14-2015 says three ICAO-9303-style lines of 30 characters with
//     document code "C<" (1999 edition) and issuing state "CHN"; the rest of that standard is not
//     public, so the TD1 field positions are the most plausible reading, not a verified one.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ocrserve::mrz {

// ICAO 9303 check digit: weights 7-3-1, '<' = 0, 0-9 as is, A-Z = 10..35. -1 for any other char.
int check_digit(std::string_view text);

enum class Format { Unknown, Td1, Td2, Td3, ExitEntryPermitCard, MainlandTravelPermit };
std::string_view format_name(Format format);

// Line count and length (whitespace ignored), plus the leading 'C' of the Chinese permits.
Format detect_format(const std::vector<std::string>& lines);

struct MrzField {
  std::string name;   // e.g. "document_number", "birth_date_check"
  std::string raw;    // characters as they stand in the zone
  std::string value;  // interpreted: fillers trimmed, dates YYYY-MM-DD, sex M/F/X
};

struct Check {
  std::string name;  // "document_number_check", ..., "composite_check", "birth_date_valid"
  bool passed = false;
};

struct MrzResult {
  Format format = Format::Unknown;
  bool well_formed = false;  // line count and lengths match the format
  std::string document_code;
  std::string issuing_state;
  std::string surname;      // primary identifier, fillers as spaces
  std::string given_names;  // secondary identifier
  std::string document_number;
  std::string nationality;
  std::string birth_date_raw;    // YYMMDD
  std::string birth_date;        // YYYY-MM-DD; empty when not a complete valid date
  std::string sex;               // "M", "F", "X" ('<' reads as X); empty when unreadable
  std::string expiry_date_raw;   // YYMMDD
  std::string expiry_date;       // YYYY-MM-DD
  std::string optional_data;     // TD3 personal number, TD1 line 1 / TD2 optional data
  std::string optional_data_2;   // TD1 line 2
  std::vector<MrzField> fields;  // every field of the layout, in zone order
  std::vector<Check> checks;     // check digits and date validity
  bool all_checks_passed = false;
};

// Two-digit years: a birth date takes the latest year not after `today`; an expiry date the
// latest year not more than 20 years after `today` (2031 for "31" in 2026, 2012 for "12").
MrzResult parse(const std::vector<std::string>& lines, Format format, std::chrono::year_month_day today);
MrzResult parse(const std::vector<std::string>& lines, std::chrono::year_month_day today);

enum class CorrectionStatus {
  Valid,      // every check passes as read (after whitespace/case/look-alike normalization)
  Corrected,  // one correction is clearly the cheapest; lines hold it
  Ambiguous,  // competing corrections give different values: lines are the input, unchanged
  Invalid,    // nothing within the search budget passes every check: lines are the input
};
std::string_view status_name(CorrectionStatus status);

// One edit, in the coordinates of the returned lines. `from` == '\0': inserted (length repair);
// `to` == '\0': removed at that column.
struct Substitution {
  int line = 0;
  int column = 0;
  char from = 0;
  char to = 0;
};

struct CorrectionResult {
  CorrectionStatus status = CorrectionStatus::Invalid;
  Format format = Format::Unknown;
  std::vector<std::string> lines;
  std::vector<Substitution> substitutions;  // grammar, length and check-guided edits
  std::vector<Check> checks;                // of the returned lines
  bool all_checks_passed = false;
  MrzResult parsed;    // parse of the returned lines
  std::string detail;  // why Ambiguous/Invalid (which fields compete, what failed)
};

// Bounds of the search; the defaults keep the worst case (44 characters of garbage) in the
// low milliseconds.
struct CorrectOptions {
  int max_subs_per_field = 3;  // check-guided substitutions in one field
  int max_search_subs = 4;     // check-guided substitutions in the whole zone
  int max_edits = 12;          // content edits (grammar, search, fillers inside runs) we still trust
  int max_variants_per_field = 4096;
};

// Field grammar first (digits where digits belong, letters where letters belong, stray 'K's in
// filler runs), then the cheapest set of confusion-table substitutions that makes every check pass.
// A substitution needs evidence in the text (a digit-like letter inside a digit run, a letter in a
// filler tail) unless two independent checks cover it (the dates); digit<->digit misreads are
// flagged, not guessed. `format` Unknown: detect_format. Ambiguous and Invalid return the input
// lines unchanged: a correction is only handed out when it is clearly the cheapest.
CorrectionResult correct(const std::vector<std::string>& lines, Format format, std::chrono::year_month_day today,
                         const CorrectOptions& options = {});

}  // namespace ocrserve::mrz
