// Shared by the permit extractors: request flags, limits, classification, the result schema.
#include <algorithm>
#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "face_finder.h"
#include "label_lines.h"
#include "ocrserve/error.h"
#include "permit_common.h"
#include "request_fields.h"

namespace ocrserve {

using request_fields::optional_bool;
using request_fields::round4;

PermitRequest parse_permit_request(const nlohmann::json& body) {
  if (!body.is_object()) throw Error(codes::kInvalidParameter, "The request body must be a JSON object");
  PermitRequest r;
  r.return_portrait_image = optional_bool(body, "return_portrait_image");
  r.return_portrait_location = optional_bool(body, "return_portrait_location");
  if (const auto it = body.find("type_language"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || (it->get<std::string>() != "en" && it->get<std::string>() != "zh")) {
      throw Error(codes::kInvalidParameter, "The parameter type_language must be \"en\" or \"zh\"");
    }
    r.type_language = it->get<std::string>();
  }
  return r;
}

IntakeLimits permit_limits() {
  IntakeLimits limits;
  limits.min_side = 15;
  limits.max_side = 8192;
  limits.formats = {ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Bmp, ImageFormat::Tiff};
  return limits;
}

const FieldValue* PermitResult::field(const std::string& name) const {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string chinese_permit_type(const std::string& english_type) {
  return permits::chinese_type(english_type);
}

nlohmann::json to_json(const PermitResult& result, const PermitRequest& request) {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json confidence = nlohmann::json::object();
  for (const auto& [name, value] : result.fields) {
    const size_t dot = name.find('.');
    if (dot == std::string::npos) {
      out[name] = value.value;
      confidence[name] = round4(value.confidence);
    } else {
      const std::string block = name.substr(0, dot), key = name.substr(dot + 1);
      out[block][key] = value.value;
      confidence[block][key] = round4(value.confidence);
    }
  }
  out["type"] = request.type_language == "zh" ? permits::chinese_type(result.type) : result.type;
  out["side"] = result.side;
  confidence["type"] = round4(result.type_confidence);
  confidence["side"] = round4(result.side_confidence);
  if (request.return_portrait_image && result.side == "front") {
    out["portrait_image"] = encode_base64(result.portrait_jpeg.data(), result.portrait_jpeg.size());
  }
  if (request.return_portrait_location && result.side == "front") {
    nlohmann::json quad = nlohmann::json::array();
    if (result.portrait_location) {
      for (const auto& p : *result.portrait_location) {
        quad.push_back({static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))});
      }
    }
    out["portrait_location"] = quad;
  }
  out["confidence"] = confidence;
  return out;
}

namespace permits {

namespace {

struct Cue {
  const char* text;
  float weight;
};

float score(const card_fields::CardText& text, std::initializer_list<Cue> cues) {
  float s = 0;
  for (const Cue& c : cues) {
    if (text.mentions(c.text)) s += c.weight;
  }
  return s;
}

// Machine lines starting with a permit's document code ("CS"/"CD" one line, "CR"/"CT" + "CHN").
float code_cue(const card_fields::CardText& text, std::string_view prefix) {
  for (const auto& line : text.page().lines) {
    const std::string m = card_fields::machine_chars(line.text);
    if (m.size() >= 20 && m.compare(0, prefix.size(), prefix) == 0) return 3.f;
  }
  return 0.f;
}

float margin_confidence(float best, float second) {
  if (best <= 0) return 0.f;
  return std::clamp(0.5f + 0.5f * (best - second) / best, 0.f, 0.9999f);
}

}  // namespace

Classification classify(const card_fields::CardText& t) {
  // Family and side together: each permit side has its own title, labels and notes.
  const std::array<float, 4> side_scores = {
      // exit-entry front, exit-entry back, mainland front, mainland back
      score(t, {{"往来港澳通行证", 4},
                {"往来台湾通行证", 4},
                {"EXIT-ENTRY", 2},
                {"TO AND FROM", 2},
                {"姓名", 1},
                {"出生日期", 1},
                {"签发地点", 1}}) +
          code_cue(t, "CS") + code_cue(t, "CD"),
      score(t, {{"签注种类", 3},
                {"有效次数", 3},
                {"Entries", 2},
                {"Remarks", 2},
                {"Issued by", 2},
                {"备注", 1},
                {"HONG KONG", 1},
                {"MACAO", 1},
                {"入台证件", 2},
                {"重复擦写", 2}}),
      score(t, {{"居民来往内地通行证", 4},
                {"居民来往大陆通行证", 4},
                {"MAINLAND TRAVEL", 3},
                {"RESIDENTS", 2},
                {"No. of issues", 2},
                {"次数", 2},
                {"Permit No", 2},
                {"姓名", 1},
                {"出生日期", 1}}),
      score(t, {{"身份证件号码", 3},
                {"身份证件姓名", 3},
                {"旅行证件", 3},
                {"妥善保管", 2},
                {"遵守当地法律", 2},
                {"涂改", 1}}) +
          code_cue(t, "CRCHN") + code_cue(t, "CTCHN"),
  };
  const size_t best =
      static_cast<size_t>(std::max_element(side_scores.begin(), side_scores.end()) - side_scores.begin());
  float second = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (i != best) second = std::max(second, side_scores[i]);
  }
  Classification c;
  c.found = side_scores[best] >= 3;
  c.side = best % 2 == 0 ? Side::Front : Side::Back;
  c.side_confidence = margin_confidence(side_scores[best], second);
  const bool exit_entry = best < 2;
  float hkmo = 0, tw = 0;
  if (exit_entry) {
    hkmo = score(t, {{"往来港澳", 4}, {"HONG KONG", 2}, {"MACAO", 2}, {"香港", 2}, {"澳门", 2}}) + code_cue(t, "CS");
    tw = score(t, {{"往来台湾", 4}, {"TAIWAN", 2}, {"台湾", 2}, {"入台", 2}}) + code_cue(t, "CD");
    c.kind = tw > hkmo ? Kind::ExitEntryTw : Kind::ExitEntryHkMo;
  } else {
    hkmo = score(t, {{"港澳居民", 4},
                     {"HONG KONG", 2},
                     {"MACAO", 2},
                     {"来往内地", 2},
                     {"在内地", 2},
                     {"换证次数", 2},
                     {"身份证件", 2}}) +
           code_cue(t, "CRCHN");
    tw = score(t, {{"台湾居民", 4}, {"TAIWAN", 2}, {"来往大陆", 2}, {"在大陆", 2}, {"签发次数", 2}, {"签发地点", 1}}) +
         code_cue(t, "CTCHN");
    c.kind = tw > hkmo ? Kind::MainlandTw : Kind::MainlandHkMo;
  }
  c.kind_confidence = std::min(c.side_confidence, margin_confidence(std::max(hkmo, tw), std::min(hkmo, tw)));
  if (std::max(hkmo, tw) == 0) c.kind_confidence = 0.5f;
  c.settled = side_scores[best] >= 3 && side_scores[best] >= 2 * second && std::max(hkmo, tw) >= 2 &&
              std::max(hkmo, tw) >= 2 * std::min(hkmo, tw);
  return c;
}

std::string chinese_type(const std::string& english) {
  static const std::pair<Kind, const char*> kNames[] = {{Kind::ExitEntryHkMo, "往来港澳通行证"},
                                                        {Kind::ExitEntryTw, "往来台湾通行证"},
                                                        {Kind::MainlandHkMo, "港澳居民来往内地通行证"},
                                                        {Kind::MainlandTw, "台湾居民来往大陆通行证"}};
  for (const auto& [kind, name] : kNames) {
    if (english == api_type(kind)) return name;
  }
  return english;
}

bool is_exit_entry(Kind kind) {
  return kind == Kind::ExitEntryHkMo || kind == Kind::ExitEntryTw;
}

const char* api_type(Kind kind) {
  switch (kind) {
    case Kind::ExitEntryHkMo:
      return "Exit-Entry Permit for Traveling to and from Hong Kong and Macao";
    case Kind::ExitEntryTw:
      return "Exit-Entry Permit for Traveling to and from Taiwan";
    case Kind::MainlandHkMo:
      return "Mainland Travel Permit for Hong Kong and Macao Residents";
    case Kind::MainlandTw:
      return "Mainland Travel Permit for Taiwan Residents";
  }
  return "";
}

std::string wrong_api_message(Kind kind, Side side) {
  const std::string what = std::string("the ") + (side == Side::Front ? "front" : "back") + " of a " + api_type(kind);
  return is_exit_entry(kind)
             ? "The image shows " + what + ": send it to POST /v2/{project_id}/ocr/exit-entry-permit"
             : "The image shows " + what + ": send it to POST /v2/{project_id}/ocr/mainland-travel-permit";
}

std::chrono::year_month_day today() {
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
}

void put(PermitResult& result, const std::string& name, const std::string& value, float confidence) {
  result.fields.emplace_back(name, FieldValue{value, value.empty() ? 0.f : confidence, std::nullopt});
}

void put(PermitResult& result, const std::string& name, const std::string& value, float confidence,
         const card_fields::Reading& from, const UprightCard& card) {
  put(result, name, value, confidence);
  if (value.empty() || !from.extent) return;
  const card_fields::Box& b = *from.extent;
  result.fields.back().second.location = card_to_photo(card, card_fields::quad_of(b));
}

namespace {

// Where the labels put the card when that is far from where the outline did; nullopt when the card
// is placed well (or too few labels agree to say).
std::optional<CardLocation> relocate(const UprightCard& card, const card_fields::CardText& text,
                                     const std::vector<card_fields::Label>& labels) {
  const auto m = text.label_affine(labels);
  if (!m) return std::nullopt;
  const double sx = std::hypot((*m)(0, 0), (*m)(1, 0)), sy = std::hypot((*m)(0, 1), (*m)(1, 1));
  const bool placed_well = sx > 0.9 && sx < 1.11 && sy > 0.9 && sy < 1.11 && std::abs((*m)(1, 0)) < 0.05 * sx &&
                           std::abs((*m)(0, 1)) < 0.05 * sy;
  if (placed_well || sx < 0.2 || sy < 0.2 || sx > 3 || sy > 3) return std::nullopt;
  card_fields::Placement p;
  p.m = *m;
  const float w = kCardWidth, h = kCardHeight;
  const Quad in_card = {p.map(cv::Point2f(0, 0)), p.map(cv::Point2f(w, 0)), p.map(cv::Point2f(w, h)),
                        p.map(cv::Point2f(0, h))};
  CardLocation location;
  location.quad = card_to_photo(card, in_card);
  return location;
}

// A title or a back's notes: a long line in the card's upper part (upright card pixels).
bool is_upper_long_line(const Quad& upright) {
  const card_fields::Box b = card_fields::box_of(upright);
  return b.x1 - b.x0 >= 0.36f * kCardWidth && b.cy() < 0.45f * kCardHeight;
}

}  // namespace

PermitResult extract_permit(const cv::Mat& bgr, const OcrEngine& engine, bool exit_entry_family,
                            const std::vector<std::string>& label_words,
                            const std::vector<card_fields::Label>& cut_labels, const SideLabels& labels,
                            const SideReader& read) {
  // A frame shaped like the card is a scan or a crop of it: the frame is the card (its edges hold
  // no outline; the guilloche inside the card may look like one). Elsewhere the outline is looked
  // for; the labels correct either when they disagree (relocate below).
  const float w = static_cast<float>(bgr.cols), h = static_cast<float>(bgr.rows);
  const float aspect = std::max(w, h) / std::max(1.f, std::min(w, h));
  const bool frame_is_card = std::abs(aspect / (static_cast<float>(kCardWidth) / kCardHeight) - 1) < 0.1f;
  CardLocation frame;
  frame.quad = {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
  // The English subtitle is not read at all; the titles and a back's notes (the upper part's long
  // lines, a fifth to a third of a card's recognition) only when the rest leaves the permit in
  // doubt, and on an exit-entry back, whose endorsement remarks stand there too. A card placed by
  // its text's extent leans a degree or two: it is read as it leans (the card's lines are short
  // enough).
  const auto reading = [](LabelCutter& cut, bool defer_upper_lines) {
    return CardReading{[defer_upper_lines](const Quad& q) {
                         if (is_long_small_print(q)) return false;
                         const auto up = upright_card_line(q);
                         return !(defer_upper_lines && up && is_upper_long_line(*up));
                       },
                       [&cut](const Quad& q) { return cut(q); }, 3.0};
  };
  LabelCutter cut(cut_labels);
  std::vector<Quad> deferred;
  UprightCard card = frame_is_card ? rectify_card(bgr, frame, engine, reading(cut, true), &deferred)
                                   : rectify_card(bgr, engine, reading(cut, true), &deferred);
  cut.mend(card, engine);
  std::erase_if(deferred, [](const Quad& q) { return is_long_small_print(q) || !is_upper_long_line(q); });
  std::optional<card_fields::CardText> text(std::in_place, card.text, label_words);
  Classification c = classify(*text);
  const bool read_all = !c.settled || (c.side == Side::Back && is_exit_entry(c.kind));
  if (read_all && !deferred.empty()) {
    read_card_lines(card.image, deferred, engine, card.text.lines);
    text.emplace(card.text, label_words);
    c = classify(*text);
  }
  if (!c.found) {
    throw Error(codes::kImageNotSupported,
                std::string("No ") + (exit_entry_family ? "exit-entry permit" : "mainland travel permit") +
                    " was found in the image: send a photo or scan of the card that fills most of the frame");
  }
  if (is_exit_entry(c.kind) != exit_entry_family)
    throw Error(codes::kImageNotSupported, wrong_api_message(c.kind, c.side));
  if (const auto moved = relocate(card, *text, labels(c.kind, c.side))) {
    LabelCutter recut(cut_labels);
    card = reread_card(bgr, card, *moved, engine, reading(recut, !read_all));
    recut.mend(card, engine);
    text.emplace(card.text, label_words);
  }
  PermitResult result = read(*text, card, c.kind, c.side);
  result.type = api_type(c.kind);
  result.side = c.side == Side::Front ? "front" : "back";
  result.type_confidence = c.kind_confidence;
  result.side_confidence = c.side_confidence;
  result.card_location = card.location.quad;
  return result;
}

std::vector<std::string> label_words(const std::vector<card_fields::Label>& labels) {
  std::vector<std::string> words;
  for (const auto& l : labels) {
    if (l.zh.size() >= 6) words.push_back(l.zh);  // two characters or more
    if (!l.en.empty()) words.push_back("/" + l.en);
  }
  return words;
}

void put_portrait(PermitResult& result, const card_fields::CardText& text, const card_fields::Label& anchor,
                  const card_fields::Box& portrait, const card_fields::Placement& place, const UprightCard& card,
                  const cv::Mat& photo, bool with_image) {
  const cv::Point2f expected = place.map(anchor.at);
  const cv::Point2f moved = text.find(anchor, expected - anchor.at, 60).value_or(expected) - expected;
  card_fields::Box b = place.map(portrait).moved(moved);
  // The face confirms the area; where the layout was placed loosely, the face re-centres it (a face
  // sits mid-width, its centre ~44% down the photo).
  const float w = b.x1 - b.x0, h = b.y1 - b.y0;
  const cv::Rect search(static_cast<int>(b.x0 - 0.3f * w), static_cast<int>(b.y0 - 0.2f * h),
                        static_cast<int>(1.6f * w), static_cast<int>(1.4f * h));
  if (const auto face = find_face(card.image, search)) {
    result.portrait_confirmed = true;
    const cv::Point2f centre(static_cast<float>(face->x) + face->width / 2.f,
                             static_cast<float>(face->y) + face->height / 2.f);
    const cv::Point2f offset = centre - cv::Point2f(b.cx(), b.y0 + 0.44f * h);
    if (std::abs(offset.x) > 0.08f * w || std::abs(offset.y) > 0.08f * h) b = b.moved(offset);
  }
  b = {std::max(0.f, b.x0), std::max(0.f, b.y0), std::min<float>(kCardWidth, b.x1), std::min<float>(kCardHeight, b.y1)};
  result.portrait_location = card_to_photo(card, card_fields::quad_of(b));
  if (with_image) result.portrait_jpeg = card_fields::portrait_jpeg(photo, card, b);
}

}  // namespace permits
}  // namespace ocrserve
