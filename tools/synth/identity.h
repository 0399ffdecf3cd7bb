#pragma once
// Invented but self-consistent permit holders: names with their romanisation, dates, permit
// numbers, machine-readable codes with ICAO 7-3-1 check digits, and back-side endorsements.
// Independent of the parsers that will read these cards (own check-digit code, own tables).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "permit.h"
#include "rng.h"

namespace synth::ident {

struct Date {
  int y = 2000, m = 1, d = 1;
  friend bool operator==(const Date&, const Date&) = default;
};
int days_from_civil(Date date);  // days since 1970-01-01
Date civil_from_days(int days);
Date add_days(Date date, int days);
Date add_months(Date date, int months);  // day clamped to the month's length (Feb 29 -> Feb 28)
Date add_years(Date date, int years);
int age_on(Date birth, Date when);  // completed years
std::string dotted(Date date);      // 2016.01.04
std::string yymmdd(Date date);      // 160104

// How a permit prints the Latin name: mainland pinyin ("ZHANG, SANFENG"), Hong Kong government
// Cantonese ("CHEUNG, SAN FUNG"), Taiwan Wade-Giles ("CHANG, SAN-FENG").
enum class Romanization { Pinyin, HongKong, WadeGiles };

// Romanised syllable of one character of the name tables; empty when the character is not there.
std::string romanize(std::string_view hanzi, Romanization system);
// "SURNAME, GIVEN" with the given-name syllables joined per system (nothing, space, hyphen).
std::string format_name_en(const std::string& surname, const std::vector<std::string>& given, Romanization system);
// Every character of the surname and given-name tables (for the recogniser-dictionary test).
std::string all_name_characters();

// ICAO 9303 check digit: 0-9 -> 0-9, A-Z -> 10-35, '<' -> 0, weights 7-3-1, modulo 10.
int check_digit(std::string_view data);
char check_char(std::string_view data);

// Exit-entry permits, one 30-character line on the front (API-NOTES, seed 000):
// code(2) number(9) check '<' expiry YYMMDD check '<' birth YYMMDD check '<' composite, where the
// composite covers number+check, expiry+check and birth+check. Code "CS" (HK/Macao), "CD" (Taiwan).
std::string exit_entry_machine_code(std::string_view code, std::string_view number, Date expiry, Date birth);

// Mainland travel permits, three 30-character lines on the back. No public description was found,
// so this layout is designed after ICAO TD1 (documented in the report):
//   line 1: code(2) "CHN" number(9, '<'-padded) check issue_times(2) '<' x 13
//   line 2: birth YYMMDD check sex expiry YYMMDD check "CHN" '<' x 11 composite
//   line 3: SURNAME<<GIVEN<NAMES, '<'-padded (truncated) to 30
// composite = check(line1[5..30) + line2[0..7) + line2[8..15) + line2[18..29)), as TD1.
// Code "CR" (HK/Macao residents), "CT" (Taiwan residents).
std::array<std::string, 3> mainland_machine_code(std::string_view code, std::string_view number,
                                                 std::string_view issue_times, Date birth, char sex, Date expiry,
                                                 const std::string& surname, const std::vector<std::string>& given);

struct Endorsement {
  std::string type;        // 个人旅游(G)
  std::string trips;       // 一次 / 二次 / 多次
  std::string period;      // 2016.03.01-2017.02.28
  std::string remark;      // 每次在港逗留不超过7天
  std::string issue_info;  // 4400-H001
};

struct Identity {
  PermitType type = PermitType::ExitEntryHkMo;
  std::string name;                      // 张三丰
  std::string surname_roman;             // ZHANG
  std::vector<std::string> given_roman;  // SAN, FENG
  std::string name_en;                   // ZHANG, SANFENG
  char sex = 'M';
  Date birth, issue, expiry;  // expiry: the last valid day (issue + N years - 1 day)
  int validity_years = 10;
  std::string number;                        // C12345678 / CA1234567 / L12345678 / H12345678 / 12345678
  std::string issue_times;                   // 01 (mainland permits)
  std::string authority;                     // 公安部出入境管理局 / 国家移民管理局
  std::string issue_place;                   // 广东 (empty on the HK/Macao residents' permit)
  std::string machine_code;                  // exit-entry front line
  std::array<std::string, 3> machine_lines;  // mainland back lines
  std::string id_name, id_number;            // HK/Macao residents' permit back
  std::optional<Endorsement> hk, mo, tw;

  std::string valid_period() const { return dotted(issue) + "-" + dotted(expiry); }
};

Identity make_identity(PermitType type, Rng& rng);

// Hong Kong identity card check digit for "A123456" (one or two letters + six digits): '0'-'9' or 'A'.
char hkid_check(std::string_view id);

}  // namespace synth::ident
