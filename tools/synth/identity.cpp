#include "identity.h"

#include <algorithm>
#include <cstdio>
#include <span>
#include <stdexcept>

namespace synth::ident {
namespace {

// One character with its romanisations: mainland pinyin, Hong Kong government Cantonese, Taiwan
// Wade-Giles (as printed on travel documents: no tone marks or apostrophes).
struct Syllable {
  std::string_view hanzi, pinyin, hk, wg;
  char sex;  // given-name characters: 'M', 'F' or 'N' (either); surnames 'N'
};

constexpr std::array<Syllable, 60> kSurnames = {{
    {"张", "ZHANG", "CHEUNG", "CHANG", 'N'}, {"王", "WANG", "WONG", "WANG", 'N'},
    {"李", "LI", "LEE", "LI", 'N'},          {"刘", "LIU", "LAU", "LIU", 'N'},
    {"陈", "CHEN", "CHAN", "CHEN", 'N'},     {"杨", "YANG", "YEUNG", "YANG", 'N'},
    {"黄", "HUANG", "WONG", "HUANG", 'N'},   {"赵", "ZHAO", "CHIU", "CHAO", 'N'},
    {"吴", "WU", "NG", "WU", 'N'},           {"周", "ZHOU", "CHOW", "CHOU", 'N'},
    {"徐", "XU", "TSUI", "HSU", 'N'},        {"孙", "SUN", "SUEN", "SUN", 'N'},
    {"马", "MA", "MA", "MA", 'N'},           {"朱", "ZHU", "CHU", "CHU", 'N'},
    {"胡", "HU", "WU", "HU", 'N'},           {"郭", "GUO", "KWOK", "KUO", 'N'},
    {"何", "HE", "HO", "HO", 'N'},           {"高", "GAO", "KO", "KAO", 'N'},
    {"林", "LIN", "LAM", "LIN", 'N'},        {"罗", "LUO", "LAW", "LO", 'N'},
    {"郑", "ZHENG", "CHENG", "CHENG", 'N'},  {"梁", "LIANG", "LEUNG", "LIANG", 'N'},
    {"谢", "XIE", "TSE", "HSIEH", 'N'},      {"宋", "SONG", "SUNG", "SUNG", 'N'},
    {"唐", "TANG", "TONG", "TANG", 'N'},     {"许", "XU", "HUI", "HSU", 'N'},
    {"韩", "HAN", "HON", "HAN", 'N'},        {"冯", "FENG", "FUNG", "FENG", 'N'},
    {"邓", "DENG", "TANG", "TENG", 'N'},     {"曹", "CAO", "TSO", "TSAO", 'N'},
    {"彭", "PENG", "PANG", "PENG", 'N'},     {"曾", "ZENG", "TSANG", "TSENG", 'N'},
    {"萧", "XIAO", "SIU", "HSIAO", 'N'},     {"蔡", "CAI", "CHOI", "TSAI", 'N'},
    {"潘", "PAN", "POON", "PAN", 'N'},       {"叶", "YE", "YIP", "YEH", 'N'},
    {"苏", "SU", "SO", "SU", 'N'},           {"卢", "LU", "LO", "LU", 'N'},
    {"钟", "ZHONG", "CHUNG", "CHUNG", 'N'},  {"江", "JIANG", "KONG", "CHIANG", 'N'},
    {"麦", "MAI", "MAK", "MAI", 'N'},        {"洪", "HONG", "HUNG", "HUNG", 'N'},
    {"袁", "YUAN", "YUEN", "YUAN", 'N'},     {"余", "YU", "YU", "YU", 'N'},
    {"杜", "DU", "TO", "TU", 'N'},           {"程", "CHENG", "CHING", "CHENG", 'N'},
    {"魏", "WEI", "NGAI", "WEI", 'N'},       {"沈", "SHEN", "SHUM", "SHEN", 'N'},
    {"姚", "YAO", "YIU", "YAO", 'N'},        {"方", "FANG", "FONG", "FANG", 'N'},
    {"金", "JIN", "KAM", "CHIN", 'N'},       {"石", "SHI", "SHEK", "SHIH", 'N'},
    {"廖", "LIAO", "LIU", "LIAO", 'N'},      {"范", "FAN", "FAN", "FAN", 'N'},
    {"温", "WEN", "WAN", "WEN", 'N'},        {"庄", "ZHUANG", "CHONG", "CHUANG", 'N'},
    {"游", "YOU", "YAU", "YU", 'N'},         {"简", "JIAN", "KAN", "CHIEN", 'N'},
    {"翁", "WENG", "YUNG", "WENG", 'N'},     {"颜", "YAN", "NGAN", "YEN", 'N'},
}};

constexpr std::array<Syllable, 67> kGiven = {{
    {"伟", "WEI", "WAI", "WEI", 'M'},      {"明", "MING", "MING", "MING", 'N'},
    {"志", "ZHI", "CHI", "CHIH", 'M'},     {"杰", "JIE", "KIT", "CHIEH", 'M'},
    {"俊", "JUN", "CHUN", "CHUN", 'M'},    {"浩", "HAO", "HO", "HAO", 'M'},
    {"宇", "YU", "YU", "YU", 'M'},         {"建", "JIAN", "KIN", "CHIEN", 'M'},
    {"国", "GUO", "KWOK", "KUO", 'M'},     {"华", "HUA", "WAH", "HUA", 'N'},
    {"文", "WEN", "MAN", "WEN", 'N'},      {"强", "QIANG", "KEUNG", "CHIANG", 'M'},
    {"军", "JUN", "KWAN", "CHUN", 'M'},    {"平", "PING", "PING", "PING", 'N'},
    {"东", "DONG", "TUNG", "TUNG", 'M'},   {"海", "HAI", "HOI", "HAI", 'M'},
    {"波", "BO", "PO", "PO", 'M'},         {"辉", "HUI", "FAI", "HUI", 'M'},
    {"德", "DE", "TAK", "TE", 'M'},        {"荣", "RONG", "WING", "JUNG", 'M'},
    {"达", "DA", "TAT", "TA", 'M'},        {"立", "LI", "LAP", "LI", 'M'},
    {"天", "TIAN", "TIN", "TIEN", 'M'},    {"永", "YONG", "WING", "YUNG", 'M'},
    {"家", "JIA", "KA", "CHIA", 'N'},      {"嘉", "JIA", "KA", "CHIA", 'N'},
    {"子", "ZI", "TSZ", "TZU", 'N'},       {"思", "SI", "SZE", "SSU", 'N'},
    {"晓", "XIAO", "HIU", "HSIAO", 'N'},   {"安", "AN", "ON", "AN", 'N'},
    {"宏", "HONG", "WANG", "HUNG", 'M'},   {"铭", "MING", "MING", "MING", 'M'},
    {"耀", "YAO", "YIU", "YAO", 'M'},      {"锦", "JIN", "KAM", "CHIN", 'N'},
    {"兴", "XING", "HING", "HSING", 'M'},  {"基", "JI", "KEI", "CHI", 'M'},
    {"凯", "KAI", "HOI", "KAI", 'M'},      {"翔", "XIANG", "CHEUNG", "HSIANG", 'M'},
    {"清", "QING", "CHING", "CHING", 'N'}, {"君", "JUN", "KWAN", "CHUN", 'N'},
    {"丽", "LI", "LAI", "LI", 'F'},        {"美", "MEI", "MEI", "MEI", 'F'},
    {"玲", "LING", "LING", "LING", 'F'},   {"芳", "FANG", "FONG", "FANG", 'F'},
    {"婷", "TING", "TING", "TING", 'F'},   {"敏", "MIN", "MAN", "MIN", 'F'},
    {"静", "JING", "CHING", "CHING", 'F'}, {"慧", "HUI", "WAI", "HUI", 'F'},
    {"燕", "YAN", "YIN", "YEN", 'F'},      {"霞", "XIA", "HA", "HSIA", 'F'},
    {"秀", "XIU", "SAU", "HSIU", 'F'},     {"英", "YING", "YING", "YING", 'F'},
    {"红", "HONG", "HUNG", "HUNG", 'F'},   {"玉", "YU", "YUK", "YU", 'F'},
    {"珍", "ZHEN", "CHUN", "CHEN", 'F'},   {"欣", "XIN", "YAN", "HSIN", 'F'},
    {"颖", "YING", "WING", "YING", 'F'},   {"琪", "QI", "KEI", "CHI", 'F'},
    {"雅", "YA", "NGA", "YA", 'F'},        {"诗", "SHI", "SZE", "SHIH", 'F'},
    {"怡", "YI", "YEE", "YI", 'F'},        {"佩", "PEI", "PUI", "PEI", 'F'},
    {"淑", "SHU", "SHUK", "SHU", 'F'},     {"惠", "HUI", "WAI", "HUI", 'F'},
    {"雯", "WEN", "MAN", "WEN", 'F'},      {"萍", "PING", "PING", "PING", 'F'},
    {"琳", "LIN", "LAM", "LIN", 'F'},
}};

std::string_view roman(const Syllable& s, Romanization system) {
  switch (system) {
    case Romanization::HongKong:
      return s.hk;
    case Romanization::WadeGiles:
      return s.wg;
    case Romanization::Pinyin:
      break;
  }
  return s.pinyin;
}

// Mainland provinces that issue permits, with the two-digit code that starts their issue info.
struct Province {
  std::string_view name;
  int code;
};
constexpr std::array<Province, 25> kProvinces = {{
    {"广东", 44}, {"北京", 11}, {"上海", 31}, {"浙江", 33}, {"江苏", 32}, {"福建", 35}, {"湖南", 43},
    {"湖北", 42}, {"四川", 51}, {"山东", 37}, {"河南", 41}, {"河北", 13}, {"辽宁", 21}, {"陕西", 61},
    {"安徽", 34}, {"江西", 36}, {"广西", 45}, {"云南", 53}, {"重庆", 50}, {"天津", 12}, {"黑龙江", 23},
    {"吉林", 22}, {"山西", 14}, {"贵州", 52}, {"海南", 46},
}};

template <class T, std::size_t N>
const T& pick(Rng& rng, const std::array<T, N>& items) {
  return rng.pick(std::span<const T>(items));
}

std::string digits(Rng& rng, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += static_cast<char>('0' + rng.range(0, 9));
  return out;
}

std::string two_digits(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
int month_days(int y, int m) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

Date random_date(Rng& rng, Date from, Date to) {
  return civil_from_days(rng.range(days_from_civil(from), days_from_civil(to)));
}

// --- names -------------------------------------------------------------------------------------

struct Name {
  std::string hanzi;
  const Syllable* surname;
  std::vector<const Syllable*> given;
};

Name random_name(Rng& rng, char sex) {
  Name n;
  n.surname = &pick(rng, kSurnames);
  const int count = rng.chance(0.8) ? 2 : 1;
  while (static_cast<int>(n.given.size()) < count) {
    const Syllable& s = pick(rng, kGiven);
    if (s.sex != 'N' && s.sex != sex) continue;
    if (!n.given.empty() && n.given.back() == &s) continue;  // no 明明
    n.given.push_back(&s);
  }
  n.hanzi = std::string(n.surname->hanzi);
  for (const Syllable* s : n.given) n.hanzi += s->hanzi;
  return n;
}

// --- numbers -----------------------------------------------------------------------------------

// Exit-entry HK/Macao card: "C" + 8 digits; from 2018-12 the second character became a letter
// (I and O excepted) + 7 digits, starting at CA0000001 (NIA notice of 2018-12-10).
std::string exit_entry_hkmo_number(Rng& rng, Date issue) {
  if (days_from_civil(issue) < days_from_civil({2018, 12, 10}) || rng.chance(0.3)) return "C" + digits(rng, 8);
  constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  const char second = kLetters[static_cast<std::size_t>(rng.range(0, static_cast<int>(kLetters.size()) - 1))];
  return std::string("C") + second + digits(rng, 7);
}

std::string hkid_number(Rng& rng) {
  const char letter = static_cast<char>('A' + rng.range(0, 25));
  const std::string body = std::string(1, letter) + digits(rng, 6);
  return body + "(" + hkid_check(body) + ")";
}

std::string macao_id_number(Rng& rng) {
  constexpr std::array<char, 3> kFirst = {'1', '5', '7'};
  return std::string(1, kFirst[static_cast<std::size_t>(rng.range(0, 2))]) + digits(rng, 6) + "(" + digits(rng, 1) +
         ")";
}

// --- endorsements ------------------------------------------------------------------------------

struct EndorsementKind {
  std::string_view type;
  std::array<int, 2> months;  // possible validity lengths
  std::array<std::string_view, 2> trips;
  int stay_days;
};

constexpr std::array<EndorsementKind, 5> kHkMoEndorsements = {{
    {"个人旅游(G)", {3, 12}, {"一次", "二次"}, 7},
    {"团队旅游(L)", {3, 12}, {"一次", "二次"}, 7},
    {"探亲(T)", {3, 3}, {"一次", "多次"}, 14},
    {"商务(S)", {3, 12}, {"一次", "多次"}, 7},
    {"其他(Q)", {3, 12}, {"一次", "二次"}, 14},
}};

constexpr std::array<EndorsementKind, 6> kTwEndorsements = {{
    {"团队旅游(L)", {6, 6}, {"一次", "一次"}, 10},
    {"个人旅游(G)", {6, 6}, {"一次", "一次"}, 15},
    {"探亲(T)", {6, 12}, {"一次", "多次"}, 30},
    {"应邀(Y)", {6, 12}, {"一次", "多次"}, 30},
    {"商务(F)", {6, 12}, {"一次", "多次"}, 30},
    {"其他(Q)", {6, 6}, {"一次", "一次"}, 30},
}};

// region: "港" / "澳" / "台"; letter: H / M / T in the issue info.
template <std::size_t N>
Endorsement random_endorsement(Rng& rng, const std::array<EndorsementKind, N>& kinds, const Identity& id,
                               std::string_view region, char letter) {
  const EndorsementKind& kind = pick(rng, kinds);
  const int months = kind.months[static_cast<std::size_t>(rng.range(0, 1))];
  const std::string_view trips = kind.trips[static_cast<std::size_t>(rng.range(0, 1))];
  // Issued while the permit is valid and ending before it expires.
  const Date last_start = add_days(add_months(id.expiry, -months), 1);
  const Date latest = days_from_civil(last_start) < days_from_civil({2025, 12, 31}) ? last_start : Date{2025, 12, 31};
  const Date start =
      days_from_civil(latest) > days_from_civil(id.issue) ? random_date(rng, id.issue, latest) : id.issue;
  const Date end = add_days(add_months(start, months), -1);
  Endorsement e;
  e.type = std::string(kind.type);
  e.trips = std::string(trips);
  e.period = dotted(start) + "-" + dotted(end);
  e.remark = "每次在" + std::string(region) + "逗留不超过" + std::to_string(kind.stay_days) + "天";
  const Province& p = pick(rng, kProvinces);
  e.issue_info = std::to_string(p.code) + two_digits(rng.chance(0.6) ? 0 : rng.range(1, 5)) + "-" + letter + "0" +
                 two_digits(rng.range(1, 40));
  return e;
}

// --- validity ----------------------------------------------------------------------------------

struct TypeRules {
  Date first_issue;  // when this card version started
  int child_age;     // below it the validity is 5 years
  int adult_years;   // validity from child_age on
  Romanization roman;
};

TypeRules rules(PermitType type) {
  switch (type) {
    // Exit-entry cards: 10 years from 16, 5 years below (2014 HK/Macao card; 2017 Taiwan card).
    case PermitType::ExitEntryHkMo:
      return {{2014, 9, 15}, 16, 10, Romanization::Pinyin};
    case PermitType::ExitEntryTw:
      return {{2017, 4, 24}, 16, 10, Romanization::Pinyin};
    // HK/Macao residents: 10 years from 18, 5 years below; Taiwan residents: 5 years for everyone.
    case PermitType::MainlandHkMo:
      return {{2014, 1, 2}, 18, 10, Romanization::HongKong};
    case PermitType::MainlandTw:
      return {{2015, 9, 21}, 0, 5, Romanization::WadeGiles};
  }
  return {{2014, 9, 15}, 16, 10, Romanization::Pinyin};
}

}  // namespace

// --- dates (Howard Hinnant's civil calendar algorithms) -----------------------------------------

int days_from_civil(Date date) {
  const int y = date.y - (date.m <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (date.m + (date.m > 2 ? -3 : 9)) + 2) / 5 + date.d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(int days) {
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp + (mp < 10 ? 3 : -9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

Date add_days(Date date, int days) {
  return civil_from_days(days_from_civil(date) + days);
}

Date add_months(Date date, int months) {
  const int index = date.y * 12 + (date.m - 1) + months;
  Date out{index / 12, index % 12 + 1, date.d};
  out.d = std::min(out.d, month_days(out.y, out.m));
  return out;
}

Date add_years(Date date, int years) {
  return add_months(date, 12 * years);
}

int age_on(Date birth, Date when) {
  int age = when.y - birth.y;
  if (when.m < birth.m || (when.m == birth.m && when.d < birth.d)) --age;
  return age;
}

std::string dotted(Date date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d.%02d.%02d", date.y, date.m, date.d);
  return buf;
}

std::string yymmdd(Date date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", date.y % 100, date.m, date.d);
  return buf;
}

// --- names -------------------------------------------------------------------------------------

std::string romanize(std::string_view hanzi, Romanization system) {
  for (const Syllable& s : kSurnames)
    if (s.hanzi == hanzi) return std::string(roman(s, system));
  for (const Syllable& s : kGiven)
    if (s.hanzi == hanzi) return std::string(roman(s, system));
  return {};
}

std::string format_name_en(const std::string& surname, const std::vector<std::string>& given, Romanization system) {
  const char* joint = system == Romanization::HongKong ? " " : system == Romanization::WadeGiles ? "-" : "";
  std::string out = surname + ", ";
  for (std::size_t i = 0; i < given.size(); ++i) out += (i ? joint : "") + given[i];
  return out;
}

std::string all_name_characters() {
  std::string out;
  for (const Syllable& s : kSurnames) out += s.hanzi;
  for (const Syllable& s : kGiven) out += s.hanzi;
  return out;
}

// --- machine codes -----------------------------------------------------------------------------

int check_digit(std::string_view data) {
  constexpr std::array<int, 3> kWeights = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    int v = 0;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'A' && c <= 'Z')
      v = c - 'A' + 10;
    else if (c != '<')
      throw std::invalid_argument("synth: character outside the MRZ alphabet");
    sum += v * kWeights[i % 3];
  }
  return sum % 10;
}

char check_char(std::string_view data) {
  return static_cast<char>('0' + check_digit(data));
}

namespace {
std::string padded(std::string_view s, std::size_t width) {
  std::string out(s.substr(0, width));
  out.resize(width, '<');
  return out;
}
}  // namespace

std::string exit_entry_machine_code(std::string_view code, std::string_view number, Date expiry, Date birth) {
  const std::string num = padded(number, 9);
  const std::string num_part = num + check_char(num);
  const std::string exp_part = yymmdd(expiry) + check_char(yymmdd(expiry));
  const std::string dob_part = yymmdd(birth) + check_char(yymmdd(birth));
  const std::string composite = num_part + exp_part + dob_part;
  return std::string(code) + num_part + "<" + exp_part + "<" + dob_part + "<" + check_char(composite);
}

std::array<std::string, 3> mainland_machine_code(std::string_view code, std::string_view number,
                                                 std::string_view issue_times, Date birth, char sex, Date expiry,
                                                 const std::string& surname, const std::vector<std::string>& given) {
  const std::string num = padded(number, 9);
  const std::string line1 = padded(std::string(code) + "CHN" + num + check_char(num) + std::string(issue_times), 30);
  std::string line2 =
      yymmdd(birth) + check_char(yymmdd(birth)) + sex + yymmdd(expiry) + check_char(yymmdd(expiry)) + "CHN";
  line2 = padded(line2, 29);
  const std::string composite = line1.substr(5) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  line2 += check_char(composite);
  std::string names = surname + "<<";
  for (std::size_t i = 0; i < given.size(); ++i) names += (i ? "<" : "") + given[i];
  return {line1, line2, padded(names, 30)};
}

char hkid_check(std::string_view id) {
  // Value 36 stands for the blank before a one-letter prefix; letters A-Z are 10-35.
  const std::string full = id.size() == 7 ? " " + std::string(id) : std::string(id);
  int sum = 0;
  for (std::size_t i = 0; i < full.size(); ++i) {
    const char c = full[i];
    const int v = c == ' ' ? 36 : (c >= 'A' && c <= 'Z') ? c - 'A' + 10 : c - '0';
    sum += v * static_cast<int>(9 - i);
  }
  const int check = (11 - sum % 11) % 11;
  return check == 10 ? 'A' : static_cast<char>('0' + check);
}

// --- identities --------------------------------------------------------------------------------

Identity make_identity(PermitType type, Rng& rng) {
  const TypeRules r = rules(type);
  Identity id;
  id.type = type;
  id.sex = rng.chance(0.5) ? 'M' : 'F';
  const Name name = random_name(rng, id.sex);
  id.name = name.hanzi;
  id.surname_roman = std::string(roman(*name.surname, r.roman));
  for (const Syllable* s : name.given) id.given_roman.emplace_back(roman(*s, r.roman));
  id.name_en = format_name_en(id.surname_roman, id.given_roman, r.roman);

  id.issue = random_date(rng, r.first_issue, {2025, 6, 30});
  const int age = rng.chance(0.15) ? rng.range(1, 15) : rng.range(16, 82);
  id.birth = add_days(add_years(id.issue, -age), -rng.range(0, 364));
  id.validity_years = age_on(id.birth, id.issue) < r.child_age ? 5 : r.adult_years;
  id.expiry = add_days(add_years(id.issue, id.validity_years), -1);
  // The Ministry's Exit and Entry Administration became the National Immigration Administration in 2018.
  id.authority = days_from_civil(id.issue) < days_from_civil({2018, 4, 2}) ? "公安部出入境管理局" : "国家移民管理局";

  switch (type) {
    case PermitType::ExitEntryHkMo:
      id.number = exit_entry_hkmo_number(rng, id.issue);
      id.issue_place = std::string(pick(rng, kProvinces).name);
      id.machine_code = exit_entry_machine_code("CS", id.number, id.expiry, id.birth);
      break;
    case PermitType::ExitEntryTw:
      id.number = "L" + digits(rng, 8);
      id.issue_place = std::string(pick(rng, kProvinces).name);
      id.machine_code = exit_entry_machine_code("CD", id.number, id.expiry, id.birth);
      break;
    case PermitType::MainlandHkMo: {
      const bool macao = rng.chance(0.25);
      id.number = (macao ? "M" : "H") + digits(rng, 8);
      id.issue_times = two_digits(rng.chance(0.5) ? 1 : rng.range(2, 5));
      id.id_name = id.name;
      id.id_number = macao ? macao_id_number(rng) : hkid_number(rng);
      id.machine_lines = mainland_machine_code("CR", id.number, id.issue_times, id.birth, id.sex, id.expiry,
                                               id.surname_roman, id.given_roman);
      break;
    }
    case PermitType::MainlandTw: {
      id.number = digits(rng, 8);
      id.issue_times = two_digits(rng.chance(0.5) ? 1 : rng.range(2, 5));
      constexpr std::array<std::string_view, 6> kPlaces = {"福建", "福建", "上海", "北京", "广东", "江苏"};
      id.issue_place = std::string(pick(rng, kPlaces));
      id.machine_lines = mainland_machine_code("CT", id.number, id.issue_times, id.birth, id.sex, id.expiry,
                                               id.surname_roman, id.given_roman);
      break;
    }
  }

  // Back of the exit-entry cards: HK and Macao endorsements (sometimes only one), or Taiwan.
  if (type == PermitType::ExitEntryHkMo) {
    const double roll = rng.uniform(0, 1);
    if (roll < 0.9) id.hk = random_endorsement(rng, kHkMoEndorsements, id, "港", 'H');
    if (roll > 0.1) id.mo = random_endorsement(rng, kHkMoEndorsements, id, "澳", 'M');
  } else if (type == PermitType::ExitEntryTw) {
    id.tw = random_endorsement(rng, kTwEndorsements, id, "台", 'T');
  }
  return id;
}

}  // namespace synth::ident
