#include "engine/ctc_decoder.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace ocrserve::engine {

CtcDecoder CtcDecoder::from_dictionary_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("dictionary not found: " + path + " (run scripts/setup)");
  std::vector<std::string> symbols;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    symbols.push_back(line);
  }
  symbols.emplace_back(" ");  // PP-OCR appends the space class after the dictionary
  return CtcDecoder(std::move(symbols));
}

std::vector<bool> CtcDecoder::mask_for(const std::string& alphabet) const {
  std::vector<bool> mask(symbols_.size() + 1, false);
  mask[0] = true;  // the blank
  const std::vector<std::string> wanted = split_utf8(alphabet);
  for (size_t i = 0; i < symbols_.size(); ++i) {
    if (std::find(wanted.begin(), wanted.end(), symbols_[i]) != wanted.end()) mask[i + 1] = true;
  }
  return mask;
}

CtcResult CtcDecoder::decode(const float* probs, int steps, int classes, const std::vector<bool>* allowed) const {
  CtcResult result;
  int previous = 0;
  float sum = 0;
  for (int t = 0; t < steps; ++t) {
    const float* row = probs + static_cast<size_t>(t) * classes;
    int best = 0;
    if (allowed == nullptr) {
      best = static_cast<int>(std::max_element(row, row + classes) - row);
    } else {
      for (int c = 1; c < classes; ++c) {
        if (static_cast<size_t>(c) < allowed->size() && (*allowed)[static_cast<size_t>(c)] && row[c] > row[best])
          best = c;
      }
    }
    const float p = row[best];
    if (best != 0 && best == previous && !result.chars.empty()) {
      // Same run continues: widen it, keep the running mean.
      AlignedChar& c = result.chars.back();
      const int n = c.last_step - c.first_step + 1;
      c.confidence = (c.confidence * n + p) / (n + 1);
      c.last_step = t;
    } else if (best != 0 && best <= static_cast<int>(symbols_.size())) {
      result.chars.push_back({symbols_[best - 1], t, t, p});
    }
    previous = best;
  }
  for (const auto& c : result.chars) {
    result.text += c.text;
    sum += c.confidence;
  }
  result.confidence = result.chars.empty() ? 0.f : sum / result.chars.size();
  return result;
}

std::vector<CharSpan> char_spans(const std::vector<AlignedChar>& chars, float step_width, float width) {
  std::vector<CharSpan> spans(chars.size());
  for (size_t i = 0; i < chars.size(); ++i) {
    const float start = chars[i].first_step * step_width;
    const float end = (chars[i].last_step + 1) * step_width;
    const float left = i == 0 ? start - step_width : (((chars[i - 1].last_step + 1) * step_width) + start) / 2.f;
    const float right = i + 1 == chars.size() ? end + step_width : (end + chars[i + 1].first_step * step_width) / 2.f;
    spans[i] = {std::clamp(left, 0.f, width), std::clamp(right, 0.f, width)};
  }
  return spans;
}

std::vector<std::string> split_utf8(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
    n = std::min(n, text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace ocrserve::engine
