#pragma once
// Greedy CTC decoding with per-character alignment (which time steps emitted each character).
#include <string>
#include <vector>

namespace ocrserve::engine {

struct AlignedChar {
  std::string text;      // one UTF-8 character
  int first_step = 0;    // first time step of its run
  int last_step = 0;     // last time step of the (merged) run
  float confidence = 0;  // mean max-probability over its steps
};

struct CtcResult {
  std::string text;
  float confidence = 0;  // mean character confidence (0 when empty)
  std::vector<AlignedChar> chars;
};

class CtcDecoder {
 public:
  // `symbols[i]` is the text of class i+1 (class 0 is the CTC blank).
  explicit CtcDecoder(std::vector<std::string> symbols) : symbols_(std::move(symbols)) {}
  static CtcDecoder from_dictionary_file(const std::string& path);

  // probs: steps x classes, row-major, already softmax-normalized. `allowed` (per class, as
  // mask_for makes it): each step picks the likeliest of blank and the allowed classes.
  CtcResult decode(const float* probs, int steps, int classes, const std::vector<bool>* allowed = nullptr) const;

  // Classes whose symbol is one of the characters of `alphabet` (UTF-8), plus the blank.
  std::vector<bool> mask_for(const std::string& alphabet) const;

  size_t class_count() const { return symbols_.size() + 1; }

 private:
  std::vector<std::string> symbols_;
};

// Character spans in input-width units from the alignment: boundaries halfway between the runs of
// neighbouring characters. `step_width` is input pixels per time step, `width` the unpadded width.
struct CharSpan {
  float x0 = 0, x1 = 0;
};
std::vector<CharSpan> char_spans(const std::vector<AlignedChar>& chars, float step_width, float width);

std::vector<std::string> split_utf8(const std::string& text);

}  // namespace ocrserve::engine
