// Synthetic travel permits: determinism, field formats, machine codes re-checked independently,
// validity rules, romanised names, and the geometry of the card, the portrait and the text lines.
#ifdef OCRSERVE_HAVE_SYNTH

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "identity.h"
#include "permit.h"
#include "text.h"

namespace {

using synth::PermitSample;
using synth::PermitType;
using synth::Side;

constexpr std::array<PermitType, 4> kTypes = {PermitType::ExitEntryHkMo, PermitType::ExitEntryTw,
                                              PermitType::MainlandHkMo, PermitType::MainlandTw};
constexpr std::array<Side, 2> kSides = {Side::Front, Side::Back};

bool exit_entry(PermitType t) {
  return t == PermitType::ExitEntryHkMo || t == PermitType::ExitEntryTw;
}

// Renders are slow-ish (a photograph ~0.25 s): tests share one cache.
const PermitSample& sample(PermitType type, Side side, std::uint64_t seed, bool photo) {
  static std::map<std::tuple<int, int, std::uint64_t, bool>, PermitSample> cache;
  const auto key = std::make_tuple(static_cast<int>(type), static_cast<int>(side), seed, photo);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, synth::render_permit({type, side, seed, photo})).first;
  return it->second;
}

std::string field(const PermitSample& s, const std::string& key) {
  const auto it = s.truth.fields.find(key);
  return it == s.truth.fields.end() ? std::string("<missing " + key + ">") : it->second;
}

// ICAO 9303 7-3-1 check digit, written here independently of the generator.
int icao(std::string_view s) {
  static constexpr int kWeights[3] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const int v = c == '<' ? 0 : (c >= '0' && c <= '9') ? c - '0' : c - 'A' + 10;
    sum += v * kWeights[i % 3];
  }
  return sum % 10;
}
char icao_char(std::string_view s) {
  return static_cast<char>('0' + icao(s));
}

using std::chrono::year_month_day;

year_month_day parse_dotted(const std::string& s) {  // YYYY.MM.DD
  EXPECT_EQ(s.size(), 10u) << s;
  EXPECT_EQ(s[4], '.') << s;
  EXPECT_EQ(s[7], '.') << s;
  const year_month_day d{std::chrono::year(std::stoi(s.substr(0, 4))),
                         std::chrono::month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
                         std::chrono::day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
  EXPECT_TRUE(d.ok()) << s;
  return d;
}

std::pair<year_month_day, year_month_day> parse_period(const std::string& s) {  // YYYY.MM.DD-YYYY.MM.DD
  EXPECT_EQ(s.size(), 21u) << s;
  EXPECT_EQ(s[10], '-') << s;
  return {parse_dotted(s.substr(0, 10)), parse_dotted(s.substr(11))};
}

std::string yymmdd(const year_month_day& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02u%02u", static_cast<int>(d.year()) % 100, static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

// start + n years - 1 day; a Feb 29 start ends on Feb 27 or 28 (the anniversary is clamped to Feb 28).
year_month_day validity_end(const year_month_day& start, int years) {
  year_month_day anniversary = start + std::chrono::years(years);
  if (!anniversary.ok()) anniversary = anniversary.year() / anniversary.month() / std::chrono::last;
  return year_month_day{std::chrono::sys_days(anniversary) - std::chrono::days(1)};
}

int age_on(const year_month_day& birth, const year_month_day& when) {
  int age = static_cast<int>(when.year()) - static_cast<int>(birth.year());
  if (std::make_pair(when.month(), when.day()) < std::make_pair(birth.month(), birth.day())) --age;
  return age;
}

double quad_area(const std::array<cv::Point2f, 4>& q) {
  double a = 0;
  for (std::size_t i = 0; i < 4; ++i)
    a += static_cast<double>(q[i].x) * q[(i + 1) % 4].y - static_cast<double>(q[(i + 1) % 4].x) * q[i].y;
  return std::abs(a) / 2;
}

bool same_sample(const PermitSample& a, const PermitSample& b) {
  if (a.image.size() != b.image.size() || cv::norm(a.image, b.image, cv::NORM_INF) != 0) return false;
  if (a.truth.fields != b.truth.fields || a.truth.card_quad != b.truth.card_quad ||
      a.truth.portrait_quad != b.truth.portrait_quad || a.difficulty != b.difficulty ||
      a.lines.size() != b.lines.size())
    return false;
  for (std::size_t i = 0; i < a.lines.size(); ++i)
    if (a.lines[i].text != b.lines[i].text || a.lines[i].quad != b.lines[i].quad) return false;
  return true;
}

bool printed(const PermitSample& s, const std::string& text) {
  for (const auto& line : s.lines)
    if (line.text == text) return true;
  return false;
}

std::vector<std::string> expected_keys(PermitType t, Side side) {
  if (side == Side::Front) {
    std::vector<std::string> keys = {"name",   "name_en",           "sex",         "birth_date",
                                     "number", "issuing_authority", "valid_period"};
    if (exit_entry(t))
      keys.insert(keys.end(), {"issue_place", "machine_code"});
    else
      keys.push_back("issue_times");
    if (t == PermitType::MainlandTw) keys.push_back("issue_place");
    return keys;
  }
  if (t == PermitType::MainlandHkMo) return {"id_name", "id_number", "machine_code1", "machine_code2", "machine_code3"};
  if (t == PermitType::MainlandTw) return {"machine_code1", "machine_code2", "machine_code3"};
  if (t == PermitType::ExitEntryTw)
    return {"endorsement_info_tw.endorsement_type", "endorsement_info_tw.valid_round_trips",
            "endorsement_info_tw.endorsement_valid_period", "endorsement_info_tw.remark",
            "endorsement_info_tw.issue_info"};
  return {};  // HK/Macao back: one or both blocks, checked separately
}

const std::string kDictionaryPath = OCRSERVE_TEST_FIXTURES "/../../third_party/models/ppocr_keys_v1.txt";

}  // namespace

TEST(SynthPermit, NamesRoundTrip) {
  for (PermitType t : kTypes) {
    PermitType parsed = PermitType::MainlandTw;
    ASSERT_TRUE(synth::parse_permit_type(synth::permit_slug(t), parsed));
    EXPECT_EQ(parsed, t);
  }
  PermitType unused{};
  EXPECT_FALSE(synth::parse_permit_type("passport", unused));
  Side side = Side::Front;
  EXPECT_TRUE(synth::parse_side("back", side));
  EXPECT_EQ(side, Side::Back);
  EXPECT_FALSE(synth::parse_side("left", side));
  EXPECT_STREQ(synth::permit_api_type(PermitType::ExitEntryHkMo),
               "Exit-Entry Permit for Traveling to and from Hong Kong and Macao");
}

TEST(SynthPermit, SameSeedGivesIdenticalOutput) {
  for (PermitType t : kTypes)
    for (Side side : kSides) {
      const bool photo = (static_cast<int>(t) + static_cast<int>(side)) % 2 == 1;  // half of them photographed
      const PermitSample a = synth::render_permit({t, side, 5, photo});
      const PermitSample b = synth::render_permit({t, side, 5, photo});
      EXPECT_TRUE(same_sample(a, b)) << synth::permit_slug(t) << " " << synth::side_name(side) << " photo=" << photo;
    }
}

TEST(SynthPermit, DifferentSeedsDiffer) {
  for (PermitType t : kTypes) {
    const PermitSample& a = sample(t, Side::Front, 1, false);
    const PermitSample& b = sample(t, Side::Front, 2, false);
    EXPECT_NE(a.truth.fields, b.truth.fields) << synth::permit_slug(t);
    EXPECT_FALSE(same_sample(a, b)) << synth::permit_slug(t);
  }
}

TEST(SynthPermit, EveryTypeAndSideRendersItsFields) {
  for (PermitType t : kTypes)
    for (Side side : kSides)
      for (std::uint64_t seed = 1; seed <= 6; ++seed) {
        const PermitSample& s = sample(t, side, seed, false);
        const std::string what =
            std::string(synth::permit_slug(t)) + " " + synth::side_name(side) + " seed " + std::to_string(seed);
        EXPECT_EQ(s.image.size(), cv::Size(1000, 630)) << what;
        EXPECT_EQ(s.image.type(), CV_8UC3) << what;
        EXPECT_EQ(s.difficulty, "clean") << what;
        EXPECT_EQ(s.truth.type, t);
        EXPECT_EQ(s.truth.side, side);
        EXPECT_GE(s.lines.size(), 5u) << what;
        for (const std::string& key : expected_keys(t, side))
          EXPECT_TRUE(s.truth.fields.contains(key)) << what << " " << key;
        // Every value is printed as one text line (sex as 男/M or 女/F).
        for (const auto& [key, value] : s.truth.fields) {
          EXPECT_FALSE(value.empty()) << what << " " << key;
          if (key == "sex") {
            EXPECT_TRUE(value == "M" || value == "F") << what;
            EXPECT_TRUE(printed(s, value == "M" ? "男/M" : "女/F")) << what;
          } else {
            EXPECT_TRUE(printed(s, value)) << what << " " << key << " = " << value;
          }
        }
        if (t == PermitType::ExitEntryHkMo && side == Side::Back) {
          EXPECT_TRUE(s.truth.fields.contains("endorsement_info_hk.endorsement_type") ||
                      s.truth.fields.contains("endorsement_info_mo.endorsement_type"))
              << what;
        }
        if (side == Side::Front) {
          EXPECT_GT(quad_area(s.truth.portrait_quad), 150.0 * 200.0) << what;
        } else {
          for (const auto& p : s.truth.portrait_quad) EXPECT_EQ(p, cv::Point2f(0, 0)) << what;
        }
      }
}

TEST(SynthPermit, NumbersFollowTheirPatterns) {
  for (std::uint64_t seed = 1; seed <= 25; ++seed) {
    const std::string hkmo = field(sample(PermitType::ExitEntryHkMo, Side::Front, seed, false), "number");
    ASSERT_EQ(hkmo.size(), 9u) << hkmo;
    EXPECT_EQ(hkmo[0], 'C') << hkmo;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(hkmo[1])) ||
                (hkmo[1] >= 'A' && hkmo[1] <= 'Z' && hkmo[1] != 'I' && hkmo[1] != 'O'))
        << hkmo;
    for (std::size_t i = 2; i < 9; ++i) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(hkmo[i]))) << hkmo;

    const std::string tw = field(sample(PermitType::ExitEntryTw, Side::Front, seed, false), "number");
    ASSERT_EQ(tw.size(), 9u) << tw;
    EXPECT_EQ(tw[0], 'L') << tw;

    const PermitSample& home = sample(PermitType::MainlandHkMo, Side::Front, seed, false);
    const std::string h = field(home, "number");
    ASSERT_EQ(h.size(), 9u) << h;
    EXPECT_TRUE(h[0] == 'H' || h[0] == 'M') << h;
    const std::string times = field(home, "issue_times");
    ASSERT_EQ(times.size(), 2u);
    EXPECT_GE(times, "01");
    EXPECT_LE(times, "05");

    const std::string taiwan = field(sample(PermitType::MainlandTw, Side::Front, seed, false), "number");
    ASSERT_EQ(taiwan.size(), 8u) << taiwan;
    for (char c : taiwan) EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c))) << taiwan;
  }
}

TEST(SynthPermit, ExitEntryMachineCodeChecksAndAgreesWithTheFields) {
  for (PermitType t : {PermitType::ExitEntryHkMo, PermitType::ExitEntryTw})
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
      const PermitSample& s = sample(t, Side::Front, seed, false);
      const std::string mc = field(s, "machine_code");
      ASSERT_EQ(mc.size(), 30u) << mc;
      EXPECT_EQ(mc.substr(0, 2), t == PermitType::ExitEntryHkMo ? "CS" : "CD") << mc;
      EXPECT_EQ(mc.substr(2, 9), field(s, "number")) << mc;
      EXPECT_EQ(mc[11], icao_char(mc.substr(2, 9))) << mc;
      EXPECT_EQ(mc[12], '<');
      EXPECT_EQ(mc[19], icao_char(mc.substr(13, 6))) << mc;
      EXPECT_EQ(mc[20], '<');
      EXPECT_EQ(mc[27], icao_char(mc.substr(21, 6))) << mc;
      EXPECT_EQ(mc[28], '<');
      EXPECT_EQ(mc[29], icao_char(mc.substr(2, 10) + mc.substr(13, 7) + mc.substr(21, 7))) << mc;
      const auto [from, to] = parse_period(field(s, "valid_period"));
      EXPECT_EQ(mc.substr(13, 6), yymmdd(to)) << mc;
      EXPECT_EQ(mc.substr(21, 6), yymmdd(parse_dotted(field(s, "birth_date")))) << mc;
    }
}

TEST(SynthPermit, MainlandMachineCodeChecksAndAgreesWithTheFront) {
  for (PermitType t : {PermitType::MainlandHkMo, PermitType::MainlandTw})
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const PermitSample& front = sample(t, Side::Front, seed, false);
      const PermitSample& back = sample(t, Side::Back, seed, false);
      const std::string l1 = field(back, "machine_code1"), l2 = field(back, "machine_code2"),
                        l3 = field(back, "machine_code3");
      ASSERT_EQ(l1.size(), 30u) << l1;
      ASSERT_EQ(l2.size(), 30u) << l2;
      ASSERT_EQ(l3.size(), 30u) << l3;
      EXPECT_EQ(l1.substr(0, 5), t == PermitType::MainlandHkMo ? "CRCHN" : "CTCHN") << l1;
      std::string number = field(front, "number");
      number.resize(9, '<');
      EXPECT_EQ(l1.substr(5, 9), number) << l1;
      EXPECT_EQ(l1[14], icao_char(number)) << l1;
      EXPECT_EQ(l1.substr(15, 2), field(front, "issue_times")) << l1;
      EXPECT_EQ(l1.substr(17), std::string(13, '<')) << l1;
      EXPECT_EQ(l2.substr(0, 6), yymmdd(parse_dotted(field(front, "birth_date")))) << l2;
      EXPECT_EQ(l2[6], icao_char(l2.substr(0, 6))) << l2;
      EXPECT_EQ(l2.substr(7, 1), field(front, "sex")) << l2;
      EXPECT_EQ(l2.substr(8, 6), yymmdd(parse_period(field(front, "valid_period")).second)) << l2;
      EXPECT_EQ(l2[14], icao_char(l2.substr(8, 6))) << l2;
      EXPECT_EQ(l2.substr(15, 3), "CHN") << l2;
      EXPECT_EQ(l2[29], icao_char(l1.substr(5) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11))) << l2;
      // Line 3: SURNAME<<GIVEN<NAMES from the printed Latin name.
      std::string expected;
      const std::string en = field(front, "name_en");
      const std::size_t comma = en.find(", ");
      ASSERT_NE(comma, std::string::npos) << en;
      expected = en.substr(0, comma) + "<<";
      for (char c : en.substr(comma + 2)) expected += (c == ' ' || c == '-') ? '<' : c;
      expected.resize(30, '<');
      EXPECT_EQ(l3, expected);
    }
}

TEST(SynthPermit, ValidityFollowsTheIssueDateAndTheAge) {
  for (PermitType t : kTypes)
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const PermitSample& s = sample(t, Side::Front, seed, false);
      const auto [from, to] = parse_period(field(s, "valid_period"));
      const year_month_day birth = parse_dotted(field(s, "birth_date"));
      ASSERT_LT(birth, from);
      const int age = age_on(birth, from);
      int years = 10;
      if (t == PermitType::MainlandTw)
        years = 5;
      else if (age < (t == PermitType::MainlandHkMo ? 18 : 16))
        years = 5;
      EXPECT_EQ(to, validity_end(from, years))
          << synth::permit_slug(t) << " " << field(s, "valid_period") << " age " << age;
      const year_month_day first{std::chrono::year(2014), std::chrono::January, std::chrono::day(1)};
      const year_month_day last{std::chrono::year(2025), std::chrono::December, std::chrono::day(31)};
      EXPECT_GE(from, first);
      EXPECT_LE(from, last);
      const std::string authority = field(s, "issuing_authority");
      EXPECT_TRUE(authority == "公安部出入境管理局" || authority == "国家移民管理局") << authority;
    }
}

TEST(SynthPermit, EndorsementsLieWithinThePermitValidity) {
  for (PermitType t : {PermitType::ExitEntryHkMo, PermitType::ExitEntryTw})
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
      const auto [from, to] = parse_period(field(sample(t, Side::Front, seed, false), "valid_period"));
      const PermitSample& back = sample(t, Side::Back, seed, false);
      int blocks = 0;
      for (const char* block : {"endorsement_info_hk", "endorsement_info_mo", "endorsement_info_tw"}) {
        const std::string key = std::string(block) + ".endorsement_valid_period";
        if (!back.truth.fields.contains(key)) continue;
        ++blocks;
        const auto [start, end] = parse_period(back.truth.fields.at(key));
        EXPECT_LE(from, start) << key;
        EXPECT_LT(start, end) << key;
        EXPECT_LE(end, to) << key;
        const std::string trips = back.truth.fields.at(std::string(block) + ".valid_round_trips");
        EXPECT_TRUE(trips == "一次" || trips == "二次" || trips == "多次") << trips;
        const std::string info = back.truth.fields.at(std::string(block) + ".issue_info");
        ASSERT_EQ(info.size(), 9u) << info;  // 4400-H001
        EXPECT_EQ(info[4], '-') << info;
        EXPECT_EQ(info[5], std::string(block).back() == 'k'   ? 'H'
                           : std::string(block).back() == 'o' ? 'M'
                                                              : 'T')
            << info;
      }
      EXPECT_GE(blocks, 1);
      if (t == PermitType::ExitEntryTw) {
        EXPECT_EQ(blocks, 1);
      }
    }
}

TEST(SynthPermit, NameEnIsTheRomanisedName) {
  using synth::ident::Romanization;
  // Spot checks of the table itself against the three systems.
  EXPECT_EQ(synth::ident::romanize("张", Romanization::Pinyin), "ZHANG");
  EXPECT_EQ(synth::ident::romanize("张", Romanization::HongKong), "CHEUNG");
  EXPECT_EQ(synth::ident::romanize("张", Romanization::WadeGiles), "CHANG");
  EXPECT_EQ(synth::ident::romanize("陈", Romanization::HongKong), "CHAN");
  EXPECT_EQ(synth::ident::romanize("志", Romanization::WadeGiles), "CHIH");
  EXPECT_EQ(synth::ident::romanize("謝", Romanization::Pinyin), "");  // not in the tables
  for (PermitType t : kTypes)
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      const PermitSample& s = sample(t, Side::Front, seed, false);
      const std::u32string hanzi = synth::decode_utf8(field(s, "name"));
      ASSERT_GE(hanzi.size(), 2u);
      ASSERT_LE(hanzi.size(), 3u);
      const Romanization system = t == PermitType::MainlandHkMo ? Romanization::HongKong
                                  : t == PermitType::MainlandTw ? Romanization::WadeGiles
                                                                : Romanization::Pinyin;
      const char* joint = system == Romanization::HongKong ? " " : system == Romanization::WadeGiles ? "-" : "";
      auto syllable = [&](std::size_t i) {
        const std::string one = field(s, "name").substr(i * 3, 3);  // the name tables hold 3-byte characters
        const std::string r = synth::ident::romanize(one, system);
        EXPECT_FALSE(r.empty()) << one;
        return r;
      };
      std::string expected = syllable(0) + ", ";
      for (std::size_t i = 1; i < hanzi.size(); ++i) expected += (i > 1 ? joint : "") + syllable(i);
      EXPECT_EQ(field(s, "name_en"), expected) << synth::permit_slug(t);
    }
}

TEST(SynthPermit, FrontAndBackShareTheHolder) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const PermitSample& front = sample(PermitType::MainlandHkMo, Side::Front, seed, false);
    const PermitSample& back = sample(PermitType::MainlandHkMo, Side::Back, seed, false);
    EXPECT_EQ(field(back, "id_name"), field(front, "name"));
    const std::string id = field(back, "id_number");
    if (field(front, "number")[0] == 'H') {
      // Hong Kong identity card: letter, six digits, check digit (0-9 or A) in brackets.
      ASSERT_EQ(id.size(), 10u) << id;
      int sum = 36 * 9 + (id[0] - 'A' + 10) * 8;
      for (int i = 1; i <= 6; ++i) sum += (id[static_cast<std::size_t>(i)] - '0') * (8 - i);
      const int check = (11 - sum % 11) % 11;
      EXPECT_EQ(id[8], check == 10 ? 'A' : static_cast<char>('0' + check)) << id;
    } else {
      ASSERT_EQ(id.size(), 10u) << id;  // Macao: 1234567(8)
      EXPECT_EQ(id[7], '(') << id;
    }
  }
}

TEST(SynthPermit, QuadsLieInsideTheImageAndTheCard) {
  for (PermitType t : kTypes)
    for (Side side : kSides)
      for (std::uint64_t seed = 1; seed <= 3; ++seed)
        for (bool photo : {false, true}) {
          if (photo && seed > 2) continue;
          const PermitSample& s = sample(t, side, seed, photo);
          const std::string what = std::string(synth::permit_slug(t)) + " " + synth::side_name(side) + " seed " +
                                   std::to_string(seed) + (photo ? " photo" : "");
          const auto w = static_cast<float>(s.image.cols), h = static_cast<float>(s.image.rows);
          auto inside_image = [&](const cv::Point2f& p) {
            return p.x >= -0.01f && p.y >= -0.01f && p.x <= w + 0.01f && p.y <= h + 0.01f;
          };
          std::vector<cv::Point2f> card(s.truth.card_quad.begin(), s.truth.card_quad.end());
          for (const auto& p : card) EXPECT_TRUE(inside_image(p)) << what;
          auto inside_card = [&](const cv::Point2f& p) { return cv::pointPolygonTest(card, p, true) >= -0.5; };
          for (const auto& line : s.lines)
            for (const auto& p : line.quad) {
              EXPECT_TRUE(inside_image(p)) << what << " " << line.text;
              EXPECT_TRUE(inside_card(p)) << what << " " << line.text;
            }
          if (side == Side::Front) {
            for (const auto& p : s.truth.portrait_quad) EXPECT_TRUE(inside_card(p)) << what;
          }
          // The card corners stay clockwise from the card's own top-left.
          const cv::Point2f a = card[1] - card[0], b = card[2] - card[1];
          EXPECT_GT(a.x * b.y - a.y * b.x, 0.0f) << what;
        }
}

TEST(SynthPermit, PhotographsKeepTheCardCoverageAndTheContent) {
  int seed_index = 0;
  for (PermitType t : kTypes)
    for (Side side : kSides)
      for (std::uint64_t seed = 1; seed <= 2; ++seed, ++seed_index) {
        const PermitSample& photo = sample(t, side, seed, true);
        const PermitSample& clean = sample(t, side, seed, false);
        const std::string what = std::string(synth::permit_slug(t)) + " " + synth::side_name(side) + " seed " +
                                 std::to_string(seed) + " " + photo.difficulty;
        EXPECT_TRUE(photo.image.size() == cv::Size(1600, 1200) || photo.image.size() == cv::Size(1200, 1600)) << what;
        EXPECT_EQ(photo.difficulty.rfind("photo:", 0), 0u) << what;
        const double coverage =
            quad_area(photo.truth.card_quad) / (static_cast<double>(photo.image.cols) * photo.image.rows);
        EXPECT_GE(coverage, 0.25 - 1e-3) << what;
        EXPECT_LE(coverage, 1.0) << what;
        EXPECT_EQ(photo.truth.fields, clean.truth.fields) << what;
        ASSERT_EQ(photo.lines.size(), clean.lines.size()) << what;
        for (std::size_t i = 0; i < clean.lines.size(); ++i) EXPECT_EQ(photo.lines[i].text, clean.lines[i].text);
      }
}

TEST(SynthPermit, PrintedCharactersAreInTheRecognizerDictionary) {
  std::ifstream in(kDictionaryPath);
  if (!in) GTEST_SKIP() << "missing " << kDictionaryPath;
  std::set<char32_t> dict = {U' '};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (char32_t c : synth::decode_utf8(line)) dict.insert(c);
  }
  std::set<char32_t> missing;
  for (char32_t c : synth::decode_utf8(synth::ident::all_name_characters()))
    if (!dict.contains(c)) missing.insert(c);
  for (PermitType t : kTypes)
    for (Side side : kSides)
      for (std::uint64_t seed = 1; seed <= 6; ++seed)
        for (const auto& line : sample(t, side, seed, false).lines)
          for (char32_t c : synth::decode_utf8(line.text))
            if (!dict.contains(c)) missing.insert(c);
  std::string listed;
  for (char32_t c : missing) listed += std::to_string(static_cast<unsigned>(c)) + " ";
  EXPECT_TRUE(missing.empty()) << "code points not in ppocr_keys_v1.txt: " << listed;
}

#endif  // OCRSERVE_HAVE_SYNTH
