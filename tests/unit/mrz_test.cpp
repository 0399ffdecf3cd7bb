// MRZ: check digits, the ICAO 9303 specimens, the Chinese permit codes, date resolution, and the
// corrector under systematic OCR-style corruption (it may restore or refuse, never invent).
#include "ocrserve/mrz.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ocrserve::mrz {
namespace {

using Lines = std::vector<std::string>;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr year_month_day kToday{year{2026}, month{11}, day{21}};

// ICAO 9303 Part 4 (TD3), Part 5 (TD1) and Part 6 (TD2) specimens of the fictional "Utopia".
const Lines kTd3 = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"};
const Lines kTd1 = {"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
                    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
const Lines kTd2 = {"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"};
// Huawei's exit-entry permit example (seed 000), digits masked by Huawei.
const std::string kSeedEep = "CSCA3xxxxxxx<290xxxx<810xxxx<2";

char digit_char(const std::string& s) {
  return static_cast<char>('0' + check_digit(s));
}

// The 30-character exit-entry permit line, check digits computed.
std::string eep_line(const std::string& number, const std::string& expiry, const std::string& birth) {
  const std::string n = number + digit_char(number), e = expiry + digit_char(expiry), b = birth + digit_char(birth);
  return "CS" + n + "<" + e + "<" + b + "<" + digit_char(n + e + b);
}

// A TD1-shaped zone with check digits computed (also the assumed mainland-permit layout).
Lines td1_lines(const std::string& code_state, const std::string& number, const std::string& opt1,
                const std::string& birth, char sex, const std::string& expiry, const std::string& nationality,
                const std::string& name) {
  auto pad = [](std::string s, size_t n) { return s.append(n - s.size(), '<'); };
  const std::string l1 = code_state + number + digit_char(number) + pad(opt1, 15);
  std::string l2 = birth + digit_char(birth) + sex + expiry + digit_char(expiry) + nationality + pad("", 11);
  l2 += digit_char(l1.substr(5) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11));
  return {l1, l2, pad(name, 30)};
}

const Lines kEep = {eep_line("CA3123456", "290103", "810803")};
const Lines kMtp = td1_lines("C<CHN", "H12345678", "01", "900215", 'M', "330214", "CHN", "ZHANG<<SAN");

std::string field(const MrzResult& r, const std::string& name) {
  for (const MrzField& f : r.fields)
    if (f.name == name) return f.value;
  return "<missing>";
}

bool check_passed(const MrzResult& r, const std::string& name) {
  for (const Check& c : r.checks)
    if (c.name == name) return c.passed;
  ADD_FAILURE() << "no check " << name;
  return false;
}

// ---------------------------------------------------------------------------------------------

TEST(MrzCheckDigit, IcaoWorkedValues) {
  EXPECT_EQ(check_digit("L898902C3"), 6);
  EXPECT_EQ(check_digit("740812"), 2);
  EXPECT_EQ(check_digit("120415"), 9);
  EXPECT_EQ(check_digit("D23145890"), 7);
  EXPECT_EQ(check_digit("ZE184226B<<<<<"), 1);
  EXPECT_EQ(check_digit("<<<<"), 0);
  EXPECT_EQ(check_digit(""), 0);
  EXPECT_EQ(check_digit("AZ"), (10 * 7 + 35 * 3) % 10);
}

TEST(MrzCheckDigit, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(check_digit("l898902c3"), -1);
  EXPECT_EQ(check_digit("12 34"), -1);
  EXPECT_EQ(check_digit("12-34"), -1);
}

TEST(MrzDetect, ByLineCountLengthAndPrefix) {
  EXPECT_EQ(detect_format(kTd3), Format::Td3);
  EXPECT_EQ(detect_format(kTd2), Format::Td2);
  EXPECT_EQ(detect_format(kTd1), Format::Td1);
  EXPECT_EQ(detect_format({kSeedEep}), Format::ExitEntryPermitCard);
  EXPECT_EQ(detect_format(kMtp), Format::MainlandTravelPermit);
  EXPECT_EQ(detect_format({"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<10"}),
            Format::Td3);  // a few fillers short
  EXPECT_EQ(detect_format({"hello"}), Format::Unknown);
  EXPECT_EQ(detect_format({}), Format::Unknown);
}

TEST(MrzParse, Td3Specimen) {
  const MrzResult r = parse(kTd3, kToday);
  EXPECT_EQ(r.format, Format::Td3);
  EXPECT_TRUE(r.well_formed);
  EXPECT_EQ(r.document_code, "P");
  EXPECT_EQ(r.issuing_state, "UTO");
  EXPECT_EQ(r.surname, "ERIKSSON");
  EXPECT_EQ(r.given_names, "ANNA MARIA");
  EXPECT_EQ(r.document_number, "L898902C3");
  EXPECT_EQ(r.nationality, "UTO");
  EXPECT_EQ(r.birth_date_raw, "740812");
  EXPECT_EQ(r.birth_date, "1974-08-12");
  EXPECT_EQ(r.sex, "F");
  EXPECT_EQ(r.expiry_date_raw, "120415");
  EXPECT_EQ(r.expiry_date, "2012-04-15");
  EXPECT_EQ(r.optional_data, "ZE184226B");
  EXPECT_EQ(field(r, "name"), "ERIKSSON, ANNA MARIA");
  EXPECT_EQ(field(r, "composite_check"), "0");
  EXPECT_EQ(r.checks.size(), 7u);  // 4 field checks, composite, 2 date validities
  for (const Check& c : r.checks) EXPECT_TRUE(c.passed) << c.name;
  EXPECT_TRUE(r.all_checks_passed);
}

TEST(MrzParse, Td1Specimen) {
  const MrzResult r = parse(kTd1, kToday);
  EXPECT_EQ(r.format, Format::Td1);
  EXPECT_EQ(r.document_code, "I");
  EXPECT_EQ(r.issuing_state, "UTO");
  EXPECT_EQ(r.document_number, "D23145890");
  EXPECT_EQ(r.birth_date, "1974-08-12");
  EXPECT_EQ(r.sex, "F");
  EXPECT_EQ(r.expiry_date, "2012-04-15");
  EXPECT_EQ(r.nationality, "UTO");
  EXPECT_EQ(r.surname, "ERIKSSON");
  EXPECT_EQ(r.given_names, "ANNA MARIA");
  EXPECT_EQ(r.optional_data, "");
  EXPECT_EQ(r.optional_data_2, "");
  EXPECT_EQ(r.checks.size(), 6u);
  for (const Check& c : r.checks) EXPECT_TRUE(c.passed) << c.name;
  EXPECT_TRUE(r.all_checks_passed);
}

TEST(MrzParse, Td2Specimen) {
  const MrzResult r = parse(kTd2, kToday);
  EXPECT_EQ(r.format, Format::Td2);
  EXPECT_EQ(r.document_code, "I");
  EXPECT_EQ(r.issuing_state, "UTO");
  EXPECT_EQ(r.surname, "ERIKSSON");
  EXPECT_EQ(r.given_names, "ANNA MARIA");
  EXPECT_EQ(r.document_number, "D23145890");
  EXPECT_EQ(r.nationality, "UTO");
  EXPECT_EQ(r.birth_date, "1974-08-12");
  EXPECT_EQ(r.sex, "F");
  EXPECT_EQ(r.expiry_date, "2012-04-15");
  EXPECT_EQ(r.checks.size(), 6u);
  for (const Check& c : r.checks) EXPECT_TRUE(c.passed) << c.name;
  EXPECT_TRUE(r.all_checks_passed);
}

TEST(MrzParse, SeedExitEntryPermitLayout) {
  // Huawei masks digits with 'x': the layout must still line up (CS, number, dates, fillers).
  const MrzResult r = parse({kSeedEep}, kToday);
  EXPECT_EQ(r.format, Format::ExitEntryPermitCard);
  EXPECT_TRUE(r.well_formed);
  EXPECT_EQ(r.document_code, "CS");
  EXPECT_EQ(r.document_number, "CA3XXXXXX");
  EXPECT_EQ(r.expiry_date_raw, "290XXX");
  EXPECT_EQ(r.birth_date_raw, "810XXX");
  EXPECT_EQ(field(r, "filler_1"), "<");
  EXPECT_EQ(field(r, "filler_2"), "<");
  EXPECT_EQ(field(r, "filler_3"), "<");
  EXPECT_EQ(field(r, "composite_check"), "2");
  EXPECT_FALSE(r.all_checks_passed);
  // Masked digits cannot be recovered: the corrector refuses rather than guessing.
  const CorrectionResult c = correct({kSeedEep}, Format::Unknown, kToday);
  EXPECT_EQ(c.status, CorrectionStatus::Invalid);
  EXPECT_EQ(c.lines, Lines{kSeedEep});
}

TEST(MrzParse, SynthesizedExitEntryPermit) {
  const MrzResult r = parse(kEep, kToday);
  EXPECT_EQ(kEep[0].size(), 30u);
  EXPECT_EQ(r.format, Format::ExitEntryPermitCard);
  EXPECT_EQ(r.document_number, "CA3123456");
  EXPECT_EQ(r.expiry_date, "2029-01-03");
  EXPECT_EQ(r.birth_date, "1981-08-03");
  EXPECT_EQ(r.checks.size(), 6u);
  EXPECT_TRUE(r.all_checks_passed);
  EXPECT_EQ(correct(kEep, Format::Unknown, kToday).status, CorrectionStatus::Valid);
  // The older all-digit numbering (C + 8 digits) is the same layout.
  EXPECT_TRUE(parse({eep_line("C12345678", "260103", "700101")}, kToday).all_checks_passed);
}

TEST(MrzParse, SynthesizedMainlandTravelPermit) {
  const MrzResult r = parse(kMtp, kToday);
  EXPECT_EQ(r.format, Format::MainlandTravelPermit);
  EXPECT_EQ(r.document_code, "C");
  EXPECT_EQ(r.issuing_state, "CHN");
  EXPECT_EQ(r.document_number, "H12345678");
  EXPECT_EQ(r.optional_data, "01");
  EXPECT_EQ(r.birth_date, "1990-02-15");
  EXPECT_EQ(r.sex, "M");
  EXPECT_EQ(r.expiry_date, "2033-02-14");
  EXPECT_EQ(r.surname, "ZHANG");
  EXPECT_EQ(r.given_names, "SAN");
  EXPECT_TRUE(r.all_checks_passed);
}

TEST(MrzParse, SeedPassportExample) {
  // Huawei's passport example (seed 002): spaces inside the name line, number masked with X.
  const Lines seed = {"P<ETFHUZHAO<< ZHAOMIN <DESALEGN<<<<<<<<<<<<<<<", "EP435XXXX7ETF8509185M2201155<<<<<<<<<<<<<<08"};
  const MrzResult r = parse(seed, kToday);
  EXPECT_EQ(r.format, Format::Td3);
  EXPECT_EQ(r.surname, "HUZHAO");
  EXPECT_EQ(r.given_names, "ZHAOMIN DESALEGN");
  EXPECT_EQ(r.birth_date, "1985-09-18");
  EXPECT_EQ(r.expiry_date, "2022-01-15");
  EXPECT_EQ(r.sex, "M");
  EXPECT_TRUE(check_passed(r, "birth_date_check"));
  EXPECT_TRUE(check_passed(r, "expiry_date_check"));
  EXPECT_TRUE(check_passed(r, "optional_data_check"));
  EXPECT_FALSE(check_passed(r, "document_number_check"));  // masked
  EXPECT_NE(correct(seed, Format::Unknown, kToday).status, CorrectionStatus::Corrected);
}

TEST(MrzParse, SexFillerIsX) {
  Lines l = kTd3;
  l[1][20] = '<';
  const MrzResult r = parse(l, kToday);
  EXPECT_EQ(r.sex, "X");
  EXPECT_TRUE(r.all_checks_passed);  // sex is outside every check
}

TEST(MrzParse, OptionalCheckMayBeFillerWhenDataIsEmpty) {
  // TD3 line 2 with no personal number: both '0' and '<' are allowed in position 43.
  std::string l2 = "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<";
  for (char c : {'0', '<'}) {
    std::string s = l2 + c;
    s += digit_char(s.substr(0, 10) + s.substr(13, 7) + s.substr(21, 22));
    EXPECT_TRUE(parse({kTd3[0], s}, kToday).all_checks_passed) << s;
  }
}

TEST(MrzParse, WrongShapeIsNotWellFormed) {
  const MrzResult r = parse({kTd3[0], kTd3[1].substr(0, 40)}, Format::Td3, kToday);
  EXPECT_FALSE(r.well_formed);
  EXPECT_FALSE(r.all_checks_passed);
  EXPECT_TRUE(r.fields.empty());
}

// ---------------------------------------------------------------------------------------------
// Dates

std::string birth_of(const std::string& yymmdd, year_month_day today = kToday) {
  return parse({eep_line("C12345678", "300101", yymmdd)}, today).birth_date;
}
std::string expiry_of(const std::string& yymmdd, year_month_day today = kToday) {
  return parse({eep_line("C12345678", yymmdd, "800101")}, today).expiry_date;
}

TEST(MrzDates, BirthTakesTheLatestYearNotAfterToday) {
  EXPECT_EQ(birth_of("000101"), "2000-01-01");
  EXPECT_EQ(birth_of("260101"), "2026-01-01");
  EXPECT_EQ(birth_of("261121"), "2026-11-21");  // today
  EXPECT_EQ(birth_of("261122"), "1926-11-22");  // tomorrow: a century ago
  EXPECT_EQ(birth_of("270101"), "1927-01-01");
  EXPECT_EQ(birth_of("991231"), "1999-12-31");
  EXPECT_EQ(birth_of("740812", year_month_day{year{2099}, month{1}, day{1}}), "2074-08-12");
}

TEST(MrzDates, ExpiryTakesTheLatestYearUpToTwentyYearsAhead) {
  EXPECT_EQ(expiry_of("310101"), "2031-01-01");
  EXPECT_EQ(expiry_of("120415"), "2012-04-15");  // the ICAO specimen: expired, not 2112
  EXPECT_EQ(expiry_of("161121"), "2016-11-21");
  EXPECT_EQ(expiry_of("461121"), "2046-11-21");
  EXPECT_EQ(expiry_of("461122"), "1946-11-22");
  EXPECT_EQ(expiry_of("990101"), "1999-01-01");
}

TEST(MrzDates, CalendarValidity) {
  EXPECT_EQ(birth_of("000229"), "2000-02-29");
  EXPECT_EQ(birth_of("040229"), "2004-02-29");
  EXPECT_EQ(birth_of("290229"), "");  // resolves to 1929: not a leap year
  EXPECT_EQ(birth_of("000230"), "");
  EXPECT_EQ(birth_of("001301"), "");
  EXPECT_EQ(birth_of("000100"), "");
  const MrzResult bad = parse({eep_line("C12345678", "300101", "001301")}, kToday);
  EXPECT_TRUE(check_passed(bad, "birth_date_check"));
  EXPECT_FALSE(check_passed(bad, "birth_date_valid"));
  EXPECT_FALSE(bad.all_checks_passed);
}

TEST(MrzDates, UnknownPartsAreFillers) {
  const MrzResult r = parse({eep_line("C12345678", "300101", "74<<<<")}, kToday);
  EXPECT_EQ(r.birth_date_raw, "74<<<<");
  EXPECT_EQ(r.birth_date, "");
  EXPECT_TRUE(check_passed(r, "birth_date_valid"));
}

// ---------------------------------------------------------------------------------------------
// Corrector: targeted cases

CorrectionResult fix(const Lines& lines, Format format = Format::Unknown) {
  return correct(lines, format, kToday);
}

TEST(MrzCorrect, SpecimensAreValid) {
  for (const Lines* l : {&kTd3, &kTd1, &kTd2, &kEep, &kMtp}) {
    const CorrectionResult r = fix(*l);
    EXPECT_EQ(r.status, CorrectionStatus::Valid) << (*l)[0] << " " << r.detail;
    EXPECT_EQ(r.lines, *l);
    EXPECT_TRUE(r.substitutions.empty());
    EXPECT_TRUE(r.all_checks_passed);
  }
}

TEST(MrzCorrect, NormalizesWhitespaceCaseAndLookAlikes) {
  const Lines messy = {"p<uto ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                       "L898902C36UTO7408122F1204159ZE184226B\xC2\xAB<<<<\xEF\xBC\x91\xEF\xBC\x90"};  // «, １０
  const CorrectionResult r = fix(messy);
  EXPECT_EQ(r.status, CorrectionStatus::Valid) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
}

TEST(MrzCorrect, GrammarPutsDigitsAndLettersWhereTheyBelong) {
  const Lines in = {"P<UT0ER1KSSON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<", "L898902C36UT07408I22F12O4I59ZE184226B<<<<<IO"};
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  EXPECT_EQ(r.substitutions.size(), 9u);
}

TEST(MrzCorrect, LetterInsideTheDigitRunOfTheNumber) {
  Lines in = kTd3;
  in[1][3] = 'B';  // L89B902C3
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  ASSERT_EQ(r.substitutions.size(), 1u);
  EXPECT_EQ(r.substitutions[0].line, 1);
  EXPECT_EQ(r.substitutions[0].column, 3);
  EXPECT_EQ(r.substitutions[0].from, 'B');
  EXPECT_EQ(r.substitutions[0].to, '8');
}

// OCR-B's O and 0 are nearly the same glyph; where a number's letters meet its digits only the
// check digit can tell them apart (real misreads of the passport bench's synthetic pages).
TEST(MrzCorrect, OAndZeroWhereANumbersLettersMeetItsDigits) {
  const Lines truths[] = {
      {"P<UTOMORROW<<ASTRID<<<<<<<<<<<<<<<<<<<<<<<<<", "JO45701839UTO8601300M3308165<<<<<<<<<<<<<<<0"},
      {"P<GBRBAKER<<TOM<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "OW74818491GBR6711160<2905062<<<<<<<<<<<<<<<6"},
      {"P<UTOMORROW<<ASTRID<<<<<<<<<<<<<<<<<<<<<<<<<", "J045701837UTO8601300M3308165<<<<<<<<<<<<<<<4"},
  };
  for (const Lines& truth : truths) {
    ASSERT_TRUE(parse(truth, kToday).all_checks_passed) << truth[1];
    Lines in = truth;
    const size_t at = truth[1][0] == 'O' ? 0 : 1;
    in[1][at] = truth[1][at] == 'O' ? '0' : 'O';
    const CorrectionResult r = fix(in);
    EXPECT_EQ(r.status, CorrectionStatus::Corrected) << in[1] << ": " << r.detail;
    EXPECT_EQ(r.lines, truth) << in[1];
  }
}

TEST(MrzCorrect, StrayKInFillerTails) {
  Lines in = kTd3;
  in[0][30] = 'K';  // name tail
  in[1][40] = 'K';  // personal number tail
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
}

TEST(MrzCorrect, FillerReadAsLetterInOptionalData) {
  Lines in = kTd3;
  in[1][38] = 'S';  // ZE184226B<S<<<: the check digit fails, the tail shows where
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
}

TEST(MrzCorrect, ExitEntryPermitNumberGrammar) {
  // Digits 3-9 of the number can only be digits, and the second letter is never I or O.
  std::string s = kEep[0];  // CSCA3123456...
  s[5] = 'I';               // 1 -> I
  s[6] = 'Z';               // 2 -> Z
  s[9] = 'S';               // 5 -> S
  s[1] = '5';               // CS -> C5
  s[12] = 'K';              // filler
  const CorrectionResult r = fix({s});
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kEep);
}

TEST(MrzCorrect, DigitMisreadAsDigitIsFlagged) {
  // 740812 read as 740312 leaves no trace in the text: the checks fail, nothing points at the 3.
  Lines in = kTd3;
  in[1][16] = '3';
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Invalid) << r.detail;
  EXPECT_EQ(r.lines, in);
  EXPECT_FALSE(r.all_checks_passed);
}

TEST(MrzCorrect, UnreadableDateDigitFromTwoChecks) {
  // An unreadable character in a date: its own check digit and the composite (which weighs the
  // date differently) both have to agree on the one digit that fits.
  Lines in = kTd3;
  in[1][15] = '#';  // 74?812
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  // In the document number the composite repeats the number's own check: no second opinion.
  in = kTd3;
  in[1][4] = '#';
  EXPECT_EQ(fix(in).status, CorrectionStatus::Invalid);
  EXPECT_NE(fix(in).detail, "");
}

TEST(MrzCorrect, AFillerBesideADateDigitIsAnUnreadDigit) {
  // The mainland permit's birth date 900215 read as 90021<: the date's check and the composite
  // agree on the 5. A whole unknown day (9002<<) is how the document writes it: left alone.
  Lines in = kMtp;
  in[1][5] = '<';
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kMtp);
  const Lines unknown_day = td1_lines("C<CHN", "H12345678", "01", "9002<<", 'M', "330214", "CHN", "ZHANG<<SAN");
  EXPECT_EQ(fix(unknown_day).status, CorrectionStatus::Valid);
}

TEST(MrzCorrect, MisreadCompositeDigitWhenEverythingElseChecks) {
  Lines in = kTd3;
  in[1][43] = '?';
  const CorrectionResult r = fix(in);
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
}

TEST(MrzCorrect, LengthRepairs) {
  // Trailing fillers dropped by OCR.
  CorrectionResult r = fix({kTd3[0].substr(0, 30), kTd3[1]});
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  // One filler missing inside a run (the line then ends with the check digits).
  r = fix({kTd3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<10"});
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  // One filler too many inside a run.
  r = fix({kTd3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<<10"});
  EXPECT_EQ(r.status, CorrectionStatus::Corrected) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
  // One zone read as a single line: split, nothing else to do.
  r = fix({kTd3[0] + kTd3[1]}, Format::Td3);
  EXPECT_EQ(r.status, CorrectionStatus::Valid) << r.detail;
  EXPECT_EQ(r.lines, kTd3);
}

TEST(MrzCorrect, WrongLengthsThatAreNotFillersAreInvalid) {
  const Lines cases[] = {
      {kTd3[0], kTd3[1].substr(1)},                      // a character lost at the start
      {kTd3[0], kTd3[1].substr(0, 20)},                  // half a line
      {kTd3[0], kTd3[1] + "123"},                        // junk appended
      {kTd3[0]},                                         // a line missing
      {"L898902C36UTO7408122F120459ZE184226B<<<<<<10"},  // a digit lost, a filler gained
  };
  for (const Lines& in : cases) {
    const CorrectionResult r = fix(in, Format::Td3);
    EXPECT_EQ(r.status, CorrectionStatus::Invalid) << in.back() << " " << r.detail;
    EXPECT_EQ(r.lines, in);
    EXPECT_FALSE(r.detail.empty());
  }
}

TEST(MrzCorrect, AmbiguousKeepsTheInputAndSaysWhy) {
  // Blind single errors that two different substitutions explain equally well.
  int ambiguous = 0;
  for (size_t pos = 0; pos < kTd3[1].size(); ++pos) {
    for (char to : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
      Lines in = kTd3;
      if (in[1][pos] == to) continue;
      in[1][pos] = to;
      const CorrectionResult r = fix(in);
      if (r.status != CorrectionStatus::Ambiguous) continue;
      ++ambiguous;
      EXPECT_EQ(r.lines, in);
      EXPECT_NE(r.detail.find(" or "), std::string::npos) << r.detail;
      EXPECT_TRUE(r.substitutions.empty());
    }
  }
  EXPECT_GT(ambiguous, 0);
}

// ---------------------------------------------------------------------------------------------
// Corrector: systematic corruption

struct Tally {
  int restored = 0;    // the original came back
  int undetected = 0;  // (part of) the corruption is check-valid: K for '<', 6/G, L/1, the name line
  int flagged = 0;     // Ambiguous or Invalid, input unchanged
};

// Never a third identity: every returned character is the original one or the one as read (a
// check-invisible corruption such as 6->G may stay), and a claimed correction passes every check.
bool only_reverts(const Lines& original, const Lines& corrupted, const Lines& returned) {
  if (returned.size() != original.size()) return false;
  for (size_t l = 0; l < original.size(); ++l) {
    if (returned[l].size() != original[l].size()) return false;
    for (size_t i = 0; i < original[l].size(); ++i)
      if (returned[l][i] != original[l][i] && returned[l][i] != corrupted[l][i]) return false;
  }
  return true;
}

void expect_safe(const Lines& original, const Lines& corrupted, const CorrectionResult& r, Tally& t,
                 const std::string& what) {
  const std::string context = what + "\n  original  " + original.back() + "\n  corrupted " + corrupted.back() +
                              "\n  returned  " + r.lines.back() + " (" + std::string(status_name(r.status)) + ")";
  if (r.lines == original) {
    ++t.restored;
    EXPECT_TRUE(r.status == CorrectionStatus::Corrected || r.status == CorrectionStatus::Valid) << context;
    return;
  }
  if (r.status == CorrectionStatus::Ambiguous || r.status == CorrectionStatus::Invalid) {
    ++t.flagged;
    EXPECT_EQ(r.lines, corrupted) << context;
    return;
  }
  ++t.undetected;  // Valid as read, or corrected only where the corruption was visible
  EXPECT_TRUE(only_reverts(original, corrupted, r.lines)) << context;
  EXPECT_TRUE(r.all_checks_passed) << context;
}

const std::pair<char, char> kConfusions[] = {{'0', 'O'}, {'O', '0'}, {'1', 'I'}, {'I', '1'}, {'5', 'S'}, {'S', '5'},
                                             {'8', 'B'}, {'B', '8'}, {'2', 'Z'}, {'Z', '2'}, {'<', 'K'}};

struct Specimen {
  const char* name;
  const Lines* lines;
};
const Specimen kSpecimens[] = {{"TD3", &kTd3}, {"TD1", &kTd1}, {"TD2", &kTd2}, {"EEP", &kEep}, {"MTP", &kMtp}};

TEST(MrzCorruption, EverySingleConfusableSubstitution) {
  Tally total;
  for (const Specimen& s : kSpecimens) {
    Tally t;
    for (size_t line = 0; line < s.lines->size(); ++line) {
      for (size_t col = 0; col < (*s.lines)[line].size(); ++col) {
        for (const auto& [from, to] : kConfusions) {
          if ((*s.lines)[line][col] != from) continue;
          Lines in = *s.lines;
          in[line][col] = to;
          const std::string what = std::string(s.name) + " line " + std::to_string(line) + " col " +
                                   std::to_string(col) + " " + from + "->" + to;
          expect_safe(*s.lines, in, fix(in), t, what);
        }
      }
    }
    std::printf("[ mrz ] %s single substitutions: %d restored, %d undetectable (check-valid), %d flagged\n", s.name,
                t.restored, t.undetected, t.flagged);
    total.restored += t.restored;
    total.undetected += t.undetected;
    total.flagged += t.flagged;
  }
  std::printf("[ mrz ] all single substitutions: %d restored, %d undetectable, %d flagged\n", total.restored,
              total.undetected, total.flagged);
  EXPECT_GT(total.restored, 4 * (total.undetected + total.flagged));
}

TEST(MrzCorruption, TwoNumericConfusionsInTheDocumentNumber) {
  const std::pair<char, char> numeric[] = {{'0', 'O'}, {'1', 'I'}, {'5', 'S'}, {'8', 'B'}, {'2', 'Z'}, {'6', 'G'}};
  struct Target {
    const char* name;
    const Lines* lines;
    int line, start;
  };
  const Target targets[] = {
      {"TD3", &kTd3, 1, 0}, {"TD1", &kTd1, 0, 5}, {"TD2", &kTd2, 1, 0}, {"EEP", &kEep, 0, 2}, {"MTP", &kMtp, 0, 5}};
  Tally total;
  for (const Target& tg : targets) {
    Tally t;
    const std::string& line = (*tg.lines)[static_cast<size_t>(tg.line)];
    for (int a = tg.start; a < tg.start + 9; ++a) {
      for (int b = a + 1; b < tg.start + 9; ++b) {
        for (const auto& [fa, ta] : numeric) {
          for (const auto& [fb, tb] : numeric) {
            if (line[static_cast<size_t>(a)] != fa || line[static_cast<size_t>(b)] != fb) continue;
            Lines in = *tg.lines;
            in[static_cast<size_t>(tg.line)][static_cast<size_t>(a)] = ta;
            in[static_cast<size_t>(tg.line)][static_cast<size_t>(b)] = tb;
            const std::string what = std::string(tg.name) + " " + in[static_cast<size_t>(tg.line)];
            const CorrectionResult r = fix(in);
            expect_safe(*tg.lines, in, r, t, what);
            // Both letters inside the digit run (not the second character, which may be a letter of a
            // two-letter prefix, and not a check-invisible 6->G): the evidence is on the page.
            // Pairs whose errors cancel in the check digit pass every check as read: undetectable.
            const bool in_run = a >= tg.start + 2 && ta != 'G' && tb != 'G' && !parse(in, kToday).all_checks_passed;
            if (in_run) {
              EXPECT_EQ(r.lines, *tg.lines) << what << ": " << status_name(r.status) << " " << r.detail;
            }
          }
        }
      }
    }
    std::printf("[ mrz ] %s two numeric confusions in the number: %d restored, %d undetectable, %d flagged\n", tg.name,
                t.restored, t.undetected, t.flagged);
    total.restored += t.restored;
    total.undetected += t.undetected;
    total.flagged += t.flagged;
  }
  EXPECT_GT(total.restored, 0);
}

// Random identities, every single substitution from the confusion table at every position: the
// corrector must never hand back a third identity.
TEST(MrzCorruption, RandomIdentitiesNeverGetAThirdIdentity) {
  std::mt19937 rng(20261121);
  auto pick = [&](const std::string& alphabet) { return alphabet[rng() % alphabet.size()]; };
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += pick("0123456789");
    return s;
  };
  auto date = [&](int yy) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d%02u%02u", yy, static_cast<unsigned>(1 + rng() % 12),
                  static_cast<unsigned>(1 + rng() % 28));
    return std::string(buf);
  };
  const std::pair<char, char> table[] = {{'0', 'O'}, {'O', '0'}, {'0', 'D'}, {'D', '0'}, {'1', 'I'}, {'I', '1'},
                                         {'5', 'S'}, {'S', '5'}, {'8', 'B'}, {'B', '8'}, {'2', 'Z'}, {'Z', '2'},
                                         {'<', 'K'}, {'<', 'S'}, {'<', 'C'}, {'6', 'G'}, {'1', 'L'}};
  Tally t;
  for (int doc = 0; doc < 40; ++doc) {
    // A TD3 with a letter prefix, digits, sometimes a letter among them, and a personal number.
    std::string number = std::string(1, pick("ABCDEGHKLPSZ")) + digits(8);
    if (doc % 3 == 0) number[static_cast<size_t>(2 + rng() % 7)] = pick("BDGIOQSZ");
    std::string personal = doc % 2 ? digits(10) + "<<<<" : std::string(14, '<');
    std::string l2 = number + digit_char(number) + "CHN";
    const std::string birth = date(static_cast<int>(rng() % 100)), expiry = date(static_cast<int>(rng() % 40));
    l2 += birth + digit_char(birth) + pick("MF") + expiry + digit_char(expiry) + personal + digit_char(personal);
    l2 += digit_char(l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22));
    const Lines original = {"P<CHNZHANG<<SAN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", l2};
    for (size_t col = 0; col < l2.size(); ++col) {
      for (const auto& [from, to] : table) {
        if (l2[col] != from) continue;
        Lines in = original;
        in[1][col] = to;
        expect_safe(original, in, fix(in), t, in[1]);
      }
    }
  }
  std::printf("[ mrz ] random TD3 single substitutions: %d restored, %d undetectable, %d flagged\n", t.restored,
              t.undetected, t.flagged);
}

TEST(MrzCorruption, GarbageIsInvalidAndFast) {
  std::mt19937 rng(7);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<<<<<";
  auto garbage = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  struct Shape {
    Format format;
    size_t lines, length;
  };
  const Shape shapes[] = {{Format::Td3, 2, 44},
                          {Format::Td2, 2, 36},
                          {Format::Td1, 3, 30},
                          {Format::ExitEntryPermitCard, 1, 30},
                          {Format::MainlandTravelPermit, 3, 30}};
  int not_invalid = 0, calls = 0;
  double worst_ms = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const Shape& s : shapes) {
    for (int k = 0; k < 300; ++k) {
      Lines in;
      const size_t length = k % 10 == 9 ? s.length - 1 - rng() % 5 : s.length;  // some short lines
      for (size_t i = 0; i < s.lines; ++i) in.push_back(garbage(length));
      const auto t0 = std::chrono::steady_clock::now();
      const CorrectionResult r = correct(in, s.format, kToday);
      worst_ms =
          std::max(worst_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ++calls;
      if (r.status != CorrectionStatus::Invalid) {
        ++not_invalid;
        ADD_FAILURE() << format_name(s.format) << " " << in.back() << ": " << status_name(r.status);
      }
      EXPECT_EQ(r.lines, in);
    }
  }
  const double total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ mrz ] %d garbage zones: %d not Invalid, %.1f ms total, worst %.2f ms\n", calls, not_invalid, total_ms,
              worst_ms);
  EXPECT_LT(worst_ms, 200.0);
}

TEST(MrzCorruption, RandomBytesNeverCrash) {
  // Arbitrary bytes (invalid UTF-8, control characters, odd line counts and lengths).
  std::mt19937 rng(99);
  const Format formats[] = {Format::Unknown,
                            Format::Td1,
                            Format::Td2,
                            Format::Td3,
                            Format::ExitEntryPermitCard,
                            Format::MainlandTravelPermit};
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < 3000; ++k) {
    Lines in(rng() % 5);
    for (std::string& line : in) {
      const size_t n = k % 50 == 0 ? 2000 : rng() % 50;
      for (size_t i = 0; i < n; ++i)
        line += k % 2 ? static_cast<char>(rng() % 256) : "<<<<<0123456789OSBZIKC"[rng() % 22];
    }
    const CorrectionResult r = correct(in, formats[rng() % 6], kToday);
    if (r.status == CorrectionStatus::Valid || r.status == CorrectionStatus::Corrected) {
      EXPECT_TRUE(r.all_checks_passed);
    } else {
      EXPECT_EQ(r.lines, in);
    }
    (void)parse(in, kToday);
    (void)detect_format(in);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ mrz ] 3000 random byte inputs in %.1f ms\n", ms);
}

TEST(MrzCorruption, WorstCaseSearchIsBounded) {
  // Every character confusable, every check failing: the search must cap itself, not explode.
  // (Whatever comes out is either the input or a zone that passes every check.)
  const Lines nasty = {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "O0D0O0B8S7UTO7408122F1204159<S<C<S<C<S<C<S40"};
  const Lines td1 = {"I<UTO0O0O0O8B8S<S<C<S<C<S<C<S<", "7408122F1204159UTO<S<C<S<C<S<C",
                     "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
  for (const Lines& in : {nasty, td1}) {
    const auto t0 = std::chrono::steady_clock::now();
    const CorrectionResult r = fix(in);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ mrz ] worst case %s: %s in %.2f ms\n", format_name(r.format).data(), status_name(r.status).data(),
                ms);
    EXPECT_LT(ms, 500.0);
    EXPECT_TRUE(r.lines == in || r.all_checks_passed);
  }
}

}  // namespace
}  // namespace ocrserve::mrz
