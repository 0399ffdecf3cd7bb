#pragma once
// What the two permit extractors share: telling the four permits and their sides apart, and
// filling a PermitResult field from a reading.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "card_fields.h"
#include "ocrserve/permit.h"

namespace ocrserve::permits {

enum class Kind { ExitEntryHkMo, ExitEntryTw, MainlandHkMo, MainlandTw };
enum class Side { Front, Back };

struct Classification {
  Kind kind = Kind::ExitEntryHkMo;
  Side side = Side::Front;
  float kind_confidence = 0.f, side_confidence = 0.f;
  bool found = false;  // some permit cue was read at all
  // Side and kind each rest on cues worth a label and a machine code, and outweigh the runner-up
  // at least twice: reading more of the card (its titles, its notes) would not change them.
  bool settled = false;
};

// From the printed titles, labels, notes and machine-code prefixes of the card.
Classification classify(const card_fields::CardText& text);

bool is_exit_entry(Kind kind);
const char* api_type(Kind kind);
// The Chinese name of the permit an English `type` string names (the cloud's Chinese documentation).
std::string chinese_type(const std::string& english);
// What the caller should do with the other family's permit.
std::string wrong_api_message(Kind kind, Side side);

// The labels a side of a permit prints, and the reader of its fields.
using SideLabels = std::function<std::vector<card_fields::Label>(Kind, Side)>;
using SideReader = std::function<PermitResult(const card_fields::CardText&, const UprightCard&, Kind, Side)>;

// What both extractors do: find, rectify and read the card; classify it; refuse the other family's
// permit and anything else (AIS.0104); when the labels show the card far from where its outline put
// it (the outline was missed and the frame or the text extent stood in), rectify again where the
// labels put it and read again; then read the side's fields and fill type and side. `cut_labels`:
// labels of any side of the family whose lines are read by their Chinese words only (no value
// shares their line).
PermitResult extract_permit(const cv::Mat& bgr, const OcrEngine& engine, bool exit_entry_family,
                            const std::vector<std::string>& label_words,
                            const std::vector<card_fields::Label>& cut_labels, const SideLabels& labels,
                            const SideReader& read);

// Today's date in UTC, for two-digit years of machine codes.
std::chrono::year_month_day today();

// The printed words of labels ("出生日期", "/Date of birth"), never part of a value.
std::vector<std::string> label_words(const std::vector<card_fields::Label>& labels);

void put(PermitResult& result, const std::string& name, const std::string& value, float confidence);
// The same, with where the value stands in the photo (the reading's extent) for the answers that
// give positions.
void put(PermitResult& result, const std::string& name, const std::string& value, float confidence,
         const card_fields::Reading& from, const UprightCard& card);

// The photo area of a front: `portrait` on the template, moved as `anchor` (the name label) moved.
void put_portrait(PermitResult& result, const card_fields::CardText& text, const card_fields::Label& anchor,
                  const card_fields::Box& portrait, const card_fields::Placement& place, const UprightCard& card,
                  const cv::Mat& photo, bool with_image);

// Authorities that issue the permits (the Ministry's bureau until April 2018, then the NIA).
inline const std::vector<std::string_view> kAuthorities = {"公安部出入境管理局", "国家移民管理局"};
// Provincial-level divisions, as an issue place is printed.
inline const std::vector<std::string_view> kPlaces = {
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南",   "湖北", "湖南", "广东",   "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西",   "甘肃", "青海", "宁夏",   "新疆"};

}  // namespace ocrserve::permits
