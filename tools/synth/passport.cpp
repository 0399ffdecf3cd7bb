#include "passport.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <opencv2/imgproc.hpp>

#include "degrade.h"
#include "identity.h"
#include "layout.h"
#include "permit_draw.h"
#include "text.h"

namespace synth {
namespace {

using ident::Date;

constexpr int kPageW = 1000, kPageH = 704;  // ID-3 (125 x 88 mm) at 8 px/mm
constexpr std::uint64_t kIdentitySalt = 0x9A55, kPageSalt = 0x9A9E, kPhotoSalt = 0x9F07;

struct Place {
  std::string_view zh, en;
};
constexpr std::array<Place, 12> kProvinces = {{{"湖北", "HUBEI"},
                                               {"广东", "GUANGDONG"},
                                               {"北京", "BEIJING"},
                                               {"上海", "SHANGHAI"},
                                               {"浙江", "ZHEJIANG"},
                                               {"江苏", "JIANGSU"},
                                               {"福建", "FUJIAN"},
                                               {"四川", "SICHUAN"},
                                               {"山东", "SHANDONG"},
                                               {"河南", "HENAN"},
                                               {"湖南", "HUNAN"},
                                               {"辽宁", "LIAONING"}}};

struct Country {
  std::string_view code, name;
  std::array<std::string_view, 5> surnames, given;
};
// ICAO codes; names invented from common ones of each country. Hyphens and apostrophes included on
// purpose (the machine zone writes them as '<' or drops them).
constexpr std::array<Country, 8> kCountries = {{
    {"UTO",
     "UTOPIA",
     {"ERIKSSON", "STORM", "VAN DER BERG", "OLSEN-HALE", "MORROW"},
     {"ANNA MARIA", "ERIK", "LIV", "JON-PAUL", "ASTRID"}},
    {"GBR",
     "UNITED KINGDOM",
     {"SMITH", "O'BRIEN", "TAYLOR-WOOD", "WILLIAMS", "HUGHES"},
     {"OLIVER", "AMELIA GRACE", "HARRY", "ISLA", "GEORGE WILLIAM"}},
    {"DEU",
     "GERMANY",
     {"MUELLER", "SCHMIDT", "SCHNEIDER-FISCHER", "WAGNER", "BECKER"},
     {"LUKAS", "ANNA LENA", "FELIX", "MARIE", "JONAS"}},
    {"FRA",
     "FRANCE",
     {"MARTIN", "BERNARD", "DUBOIS", "LEFEVRE", "MOREAU"},
     {"JEAN-PIERRE", "CHLOE", "LOUIS", "MARIE CLAIRE", "HUGO"}},
    {"USA",
     "UNITED STATES OF AMERICA",
     {"JOHNSON", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ"},
     {"JAMES", "MARY ELLEN", "ROBERT", "EMMA", "MICHAEL JOHN"}},
    {"JPN",
     "JAPAN",
     {"TANAKA", "SUZUKI", "TAKAHASHI", "WATANABE", "YAMAMOTO"},
     {"HARUTO", "YUI", "SOTA", "AOI", "REN"}},
    {"THA",
     "THAILAND",
     {"SUKSAWAT", "CHAIYAPORN", "WONGSAKUL", "SRISUK", "PHROMMA"},
     {"SOMCHAI", "MALEE", "ANAN", "KANYA", "NIRAN"}},
    {"SGP", "SINGAPORE", {"TAN", "LIM", "NG", "WONG", "GOH"}, {"WEI LING", "JUN JIE", "HUI MIN", "KAI", "XIN YI"}},
}};

std::string iso(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.y, d.m, d.d);
  return buf;
}

std::string printed(Date d) {  // 18 SEP 1985
  static constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d %s %04d", d.d, kMonths[static_cast<std::size_t>(d.m - 1)].data(), d.y);
  return buf;
}

// Name as the machine zone spells it: letters kept, spaces and hyphens '<', apostrophes dropped.
std::string mrz_name_part(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z')
      out += c;
    else if (c == ' ' || c == '-')
      out += '<';
  }
  return out;
}

// The same as the API reports it from the machine zone: fillers read as single spaces.
std::string spaced(std::string_view name) {
  std::string out;
  for (char c : mrz_name_part(name)) out += c == '<' ? ' ' : c;
  return out;
}

std::string padded(std::string s, std::size_t width) {
  s.resize(width, '<');
  return s;
}

struct Holder {
  PassportKind kind = PassportKind::China;
  std::string country, country_name, number, surname, given, name_zh;
  char sex = 'M';  // 'X' unspecified (foreign pages only)
  Date birth, issue, expiry;
  Place birth_place{}, issue_place{};
  std::string authority_zh, authority_en;
  std::array<std::string, 2> mrz;
};

std::array<std::string, 2> td3(const Holder& h) {
  const std::string line1 = padded("P<" + h.country + mrz_name_part(h.surname) + "<<" + mrz_name_part(h.given), 44);
  const std::string number = padded(h.number, 9);
  const std::string birth = ident::yymmdd(h.birth), expiry = ident::yymmdd(h.expiry);
  const std::string optional(14, '<');
  std::string line2 = number + ident::check_char(number) + h.country + birth + ident::check_char(birth) +
                      (h.sex == 'X' ? '<' : h.sex) + expiry + ident::check_char(expiry) + optional + '<';
  const std::string composite = line2.substr(0, 10) + line2.substr(13, 7) + line2.substr(21, 22);
  line2 += ident::check_char(composite);
  return {line1, line2};
}

Holder make_holder(PassportKind kind, Rng& rng) {
  Holder h;
  h.kind = kind;
  if (kind == PassportKind::China) {
    // A mainland identity from the permit tables: Chinese name and its pinyin, sex, birth.
    const ident::Identity id = ident::make_identity(PermitType::ExitEntryHkMo, rng);
    h.country = "CHN";
    h.country_name = "PEOPLE'S REPUBLIC OF CHINA";
    h.name_zh = id.name;
    h.surname = id.surname_roman;
    for (const auto& g : id.given_roman) h.given += g;  // pinyin given names are one word
    h.sex = id.sex;
    h.birth = id.birth;
    h.number = rng.chance(0.5) ? "E" + std::to_string(rng.range(10000000, 99999999))
                               : std::string("E") + static_cast<char>('A' + rng.range(0, 7)) +
                                     std::to_string(rng.range(1000000, 9999999));
    h.birth_place = rng.pick(std::span<const Place>(kProvinces));
    h.issue_place = rng.chance(0.7) ? h.birth_place : rng.pick(std::span<const Place>(kProvinces));
  } else {
    const Country& c = rng.pick(std::span<const Country>(kCountries));
    h.country = std::string(c.code);
    h.country_name = std::string(c.name);
    h.surname = std::string(rng.pick(std::span<const std::string_view>(c.surnames)));
    h.given = std::string(rng.pick(std::span<const std::string_view>(c.given)));
    const double s = rng.uniform(0, 1);
    h.sex = s < 0.47 ? 'M' : s < 0.94 ? 'F' : 'X';
    h.birth = ident::add_days(Date{1950, 1, 1}, rng.range(0, 365 * 55));
    h.number = rng.chance(0.6)
                   ? std::string(1, static_cast<char>('A' + rng.range(0, 25))) +
                         static_cast<char>('A' + rng.range(0, 25)) + std::to_string(rng.range(1000000, 9999999))
                   : std::to_string(rng.range(10000000, 99999999));  // 8 characters: one filler
  }
  h.issue = ident::add_days(Date{2016, 1, 1}, rng.range(0, 365 * 9));
  const int years = ident::age_on(h.birth, h.issue) < 16 ? 5 : 10;
  h.expiry = ident::add_days(ident::add_years(h.issue, years), -1);
  if (kind == PassportKind::China) {
    const bool nia = ident::days_from_civil(h.issue) >= ident::days_from_civil(Date{2019, 1, 1});
    h.authority_zh = nia ? "国家移民管理局" : "公安部出入境管理局";
    h.authority_en = nia ? "NATIONAL IMMIGRATION ADMINISTRATION, PRC" : "EXIT & ENTRY ADMINISTRATION, MPS";
  } else {
    h.authority_en = "MINISTRY OF FOREIGN AFFAIRS";
  }
  h.mrz = td3(h);
  return h;
}

// Seed 004 §4.7: Chinese passports add type, nationality ("CHINESE"), issue date, places and
// authority in English, and extra_info.local_language in Chinese; other passports give what the
// machine zone holds.
std::map<std::string, std::string> truth_fields(const Holder& h) {
  std::map<std::string, std::string> f = {
      {"country_code", h.country},       {"passport_number", h.number},  {"surname", spaced(h.surname)},
      {"given_name", spaced(h.given)},   {"sex", std::string(1, h.sex)}, {"date_of_birth", iso(h.birth)},
      {"date_of_expiry", iso(h.expiry)}, {"machine_code", h.mrz[0]},     {"machine_code2", h.mrz[1]},
  };
  if (h.kind == PassportKind::China) {
    f["passport_type"] = "P";
    f["nationality"] = "CHINESE";
    f["date_of_issue"] = iso(h.issue);
    f["place_of_birth"] = std::string(h.birth_place.en);
    f["place_of_issue"] = std::string(h.issue_place.en);
    f["issuing_authority"] = h.authority_en;
    f["extra_info.local_language.name"] = h.name_zh;
    f["extra_info.local_language.place_of_birth"] = std::string(h.birth_place.zh);
    f["extra_info.local_language.place_of_issue"] = std::string(h.issue_place.zh);
    f["extra_info.local_language.issuing_authority"] = h.authority_zh;
  }
  return f;
}

cv::Scalar rgb(int r, int g, int b) {
  return {static_cast<double>(b), static_cast<double>(g), static_cast<double>(r)};
}

struct Page {
  cv::Mat image;
  std::vector<TextLineTruth> lines;
  cv::Rect portrait, mrz;
  int text_px = 24;
};

Page draw_page(const Holder& h, Rng& rng, FontSession& fonts) {
  Page page;
  page.image = cv::Mat(kPageH, kPageW, CV_8UC3);
  const bool china = h.kind == PassportKind::China;
  const double j = rng.uniform(-6, 6);
  const cv::Scalar left = china ? rgb(240, 226, 236) : rgb(226, 236, 242),
                   right = china ? rgb(232, 236, 246) : rgb(238, 240, 228);
  paint_security_background(rng, page.image, left + cv::Scalar::all(j), right + cv::Scalar::all(j),
                            china ? rgb(196, 150, 186) : rgb(150, 178, 196));
  const FontPlan plan = choose_fonts(rng, {.serif = 0.2, .mono = 0.0, .latin = 0.5});
  const cv::Scalar ink = grey(rng.range(18, 40)), label_ink = china ? rgb(110, 60, 100) : rgb(50, 80, 110);
  const TextStyle title = plan.style(rng.range(26, 30), label_ink, true),
                  label = plan.style(rng.range(15, 17), label_ink), value = plan.style(rng.range(23, 26), ink),
                  name_zh = plan.style(rng.range(30, 34), ink, true);
  Writer w(fonts, page.image, page.lines);
  const int ox = rng.range(-5, 5), oy = rng.range(-4, 4);
  auto at = [&](const TextStyle& s, const std::string& text, int x, int y) { w.draw(s, text, x + ox, y + oy); };

  w.draw_centered(title, china ? "中华人民共和国  护照" : h.country_name + "  PASSPORT", kPageW / 2 + ox, 58 + oy);
  if (china) w.draw_centered(label, "PEOPLE'S REPUBLIC OF CHINA  PASSPORT", kPageW / 2 + ox, 86 + oy);
  page.portrait = cv::Rect(45 + ox, 130 + oy, 215, 285);
  paint_portrait(rng, page.image, page.portrait);

  const auto lab = [&](const char* zh, const char* en) { return china ? std::string(zh) + "/" + en : std::string(en); };
  const int x0 = 300, x1 = 480, x2 = 690;
  at(label, lab("类型", "Type"), x0, 130);
  at(value, "P", x0, 162);
  at(label, lab("国家码", "Country Code"), x1, 130);
  at(value, h.country, x1, 162);
  at(label, lab("护照号", "Passport No."), x2, 130);
  at(value, h.number, x2, 162);
  if (china) {
    at(label, lab("姓名", "Name"), x0, 196);
    at(name_zh, h.name_zh, x0, 234);
    at(value, h.surname + ", " + h.given, x0, 268);
    at(label, lab("性别", "Sex"), x0, 304);
    at(value, std::string(h.sex == 'M' ? "男" : "女") + "/" + h.sex, x0, 336);
    at(label, lab("出生地点", "Place of birth"), x1, 304);
    at(value, std::string(h.birth_place.zh) + "/" + std::string(h.birth_place.en), x1, 336);
  } else {
    at(label, lab("姓", "Surname"), x0, 196);
    at(value, h.surname, x0, 228);
    at(label, lab("名", "Given names"), x0, 262);
    at(value, h.given, x0, 294);
    at(label, lab("国籍", "Nationality"), x0, 328);
    at(value, h.country_name, x0, 360);
    at(label, lab("性别", "Sex"), x2, 328);
    at(value, std::string(1, h.sex), x2, 360);
  }
  const int r = china ? 372 : 396;
  at(label, lab("出生日期", "Date of birth"), x0, r);
  at(value, printed(h.birth), x0, r + 32);
  at(label, lab("签发日期", "Date of issue"), x2 - 60, r);
  at(value, printed(h.issue), x2 - 60, r + 32);
  at(label, lab("有效期至", "Date of expiry"), x2 - 60, r + 66);
  at(value, printed(h.expiry), x2 - 60, r + 98);
  if (china) {
    at(label, lab("签发地点", "Place of issue"), x0, r + 66);
    at(value, std::string(h.issue_place.zh) + "/" + std::string(h.issue_place.en), x0, r + 98);
    at(label, lab("签发机关", "Authority"), x0, r + 132);
    at(value, h.authority_zh, x0, r + 164);
  } else {
    at(label, lab("签发机关", "Authority"), x0, r + 66);
    at(value, h.authority_en, x0, r + 98);
  }

  // Machine zone: two lines of 44 at the ICAO pitch across ~92% of the page.
  calm_band(page.image, cv::Rect(0, 575 + oy, kPageW, kPageH - 575 - oy));
  TextStyle mrz = plan.style(36, grey(rng.range(15, 35)));
  if (const FontInfo* ocrb = machine_zone_font(); ocrb != nullptr) mrz.font = ocrb;
  const int measured = w.width(mrz, std::string(44, '<'));
  mrz.px = std::max(18, static_cast<int>(std::lround(mrz.px * 920.0 / std::max(1, measured))));
  w.draw_centered(mrz, h.mrz[0], kPageW / 2 + ox, 628 + oy);
  w.draw_centered(mrz, h.mrz[1], kPageW / 2 + ox, 680 + oy);
  page.mrz = cv::Rect(30 + ox, 590 + oy, kPageW - 60, 104);
  page.text_px = w.typical_px();
  return page;
}

}  // namespace

const char* passport_slug(PassportKind kind) {
  return kind == PassportKind::China ? "chn" : "foreign";
}

bool parse_passport_kind(const std::string& name, PassportKind& out) {
  if (name != "chn" && name != "foreign") return false;
  out = name == "chn" ? PassportKind::China : PassportKind::Foreign;
  return true;
}

PassportSample render_passport(const PassportOptions& options) {
  const auto kind_id = static_cast<std::uint64_t>(options.kind);
  Rng identity_rng(mix_seed(options.seed, kIdentitySalt * 4 + kind_id));
  const Holder holder = make_holder(options.kind, identity_rng);
  Rng page_rng(mix_seed(options.seed, kPageSalt * 4 + kind_id));
  FontSession fonts;
  Page page = draw_page(holder, page_rng, fonts);

  PassportSample sample;
  sample.truth.kind = options.kind;
  sample.truth.fields = truth_fields(holder);
  sample.truth.page_quad = rect_corners(cv::Rect(0, 0, kPageW, kPageH));
  sample.truth.portrait_quad = rect_corners(page.portrait);
  sample.truth.mrz_quad = rect_corners(page.mrz);
  sample.lines = std::move(page.lines);
  sample.difficulty = "clean";
  if (!options.photographed) {
    sample.image = page.image;
    return sample;
  }
  Rng photo_rng(mix_seed(options.seed, kPhotoSalt * 4 + kind_id));
  const cv::Mat mask(kPageH, kPageW, CV_8UC1, cv::Scalar(255));
  const PermitPhoto photo = photograph_document(page.image, mask, page.text_px, photo_rng);
  sample.image = photo.image;
  sample.difficulty = photo.difficulty;
  for (auto* q : {&sample.truth.page_quad, &sample.truth.portrait_quad, &sample.truth.mrz_quad})
    for (auto& p : *q) p = map_point(photo.homography, p);
  for (auto& line : sample.lines)
    for (auto& p : line.quad) p = map_point(photo.homography, p);
  return sample;
}

}  // namespace synth
