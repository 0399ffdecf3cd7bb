#include "label_lines.h"

#include <algorithm>
#include <cmath>

namespace ocrserve {

namespace {

// Template label print (bench/permits' cards): a Chinese character advances ~0.75 of the detected
// line's height, an English one ~0.4; the slash and the box's margins add ~0.9 of it.
constexpr float kZhAdvance = 0.75f, kEnAdvance = 0.4f, kExtra = 0.9f;
// How far a label's start may stand from the template's (a rectified card's print is off by up to
// ~20 px; farther, the line is simply read whole and the placement corrects for it).
constexpr float kReachX = 30.f, kReachY = 14.f;

float length(const Quad& q) {
  return static_cast<float>(cv::norm(q[1] - q[0]));
}
float height(const Quad& q) {
  return static_cast<float>(cv::norm(q[3] - q[0]));
}
size_t characters(const std::string& utf8) {
  return card_fields::to_u32(utf8).size();
}

cv::Point2f centre(const Quad& q) {
  const card_fields::Box b = card_fields::box_of(q);
  return {b.cx(), b.cy()};
}

float part_length(const Quad& line, const card_fields::Label& label) {
  return (kZhAdvance * static_cast<float>(characters(label.zh)) + kExtra) * height(line);
}

bool shows(const TextLine& part, const card_fields::Label& label) {
  const PageText page{{part}, 0.f};  // CardText keeps a reference to it
  const card_fields::CardText text(page);
  const card_fields::Box b = card_fields::box_of(part.quad);
  const card_fields::Label zh_only{label.zh, "", label.at};
  return text.find(zh_only, cv::Point2f(b.x0, b.cy()) - label.at, b.height()).has_value();
}

}  // namespace

std::optional<Quad> upright_card_line(const Quad& line) {
  const cv::Point2f along = line[1] - line[0];
  if (std::abs(along.x) < std::abs(along.y)) return std::nullopt;
  if (along.x > 0) return line;
  Quad turned;
  for (size_t i = 0; i < 4; ++i) turned[i] = cv::Point2f(kCardWidth, kCardHeight) - line[i];
  return turned;
}

std::optional<card_fields::Label> LabelCutter::label_at(const Quad& line) const {
  const cv::Point2f start = (line[0] + line[3]) * 0.5f;
  for (const card_fields::Label& label : labels_) {
    if (std::abs(start.x - label.at.x) > kReachX || std::abs(start.y - label.at.y) > kReachY) continue;
    const float whole = part_length(line, label) + kEnAdvance * static_cast<float>(characters(label.en)) * height(line);
    if (length(line) > 1.3f * whole || length(line) < 1.3f * part_length(line, label)) return std::nullopt;
    return label;
  }
  return std::nullopt;
}

Quad LabelCutter::operator()(const Quad& line) {
  const std::optional<Quad> up = upright_card_line(line);
  if (!up) return line;
  const std::optional<card_fields::Label> label = label_at(*up);
  if (!label) return line;
  const cv::Point2f along = (line[1] - line[0]) * (part_length(line, *label) / length(line));
  const Quad part = {line[0], line[0] + along, line[3] + along, line[3]};
  cuts_.push_back({*upright_card_line(part), *up, *label});
  return part;
}

void LabelCutter::mend(const cv::Mat& card, std::vector<TextLine>& lines, const OcrEngine& engine) const {
  std::vector<Quad> again;
  std::erase_if(lines, [&](const TextLine& line) {
    // The cut whose part this line is (cuts of an earlier reading of the card, turned a quarter,
    // lie elsewhere).
    const auto cut = std::find_if(cuts_.begin(), cuts_.end(),
                                  [&](const Cut& c) { return cv::norm(centre(c.part) - centre(line.quad)) < 3.0; });
    if (cut == cuts_.end() || shows(line, cut->label)) return false;
    again.push_back(cut->whole);
    return true;
  });
  read_card_lines(card, again, engine, lines);
}

}  // namespace ocrserve
