#pragma once
// Accuracy metrics shared by the benchmarks: predicted lines matched to ground-truth lines by
// position, character error by edit distance over Unicode code points (whitespace ignored: the
// recognizer's spacing is not what is measured).
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ocrserve/engine.h"

namespace bench {

struct TruthLine {
  std::string text;
  ocrserve::Quad quad;
};

struct TextScore {
  long truth_chars = 0;
  long edits = 0;  // substitutions + deletions + insertions (unmatched predictions count fully)
  int truth_lines = 0;
  int lines_found = 0;  // a prediction lies on the line
  int lines_exact = 0;  // and reads it exactly
  double char_accuracy() const { return truth_chars ? 1.0 - static_cast<double>(edits) / truth_chars : 0; }
  void add(const TextScore& o) {
    truth_chars += o.truth_chars;
    edits += o.edits;
    truth_lines += o.truth_lines;
    lines_found += o.lines_found;
    lines_exact += o.lines_exact;
  }
};

std::vector<char32_t> code_points(const std::string& utf8, bool drop_spaces = true);
long edit_distance(const std::vector<char32_t>& a, const std::vector<char32_t>& b);
TextScore score_page(const std::vector<TruthLine>& truth, const std::vector<ocrserve::TextLine>& predicted);

double percentile(std::vector<double> values, double p);  // p in percent
// "98.17% (753/767)", or "-" when there is nothing to count.
std::string share(int ok, int total);
long rss_kib();

}  // namespace bench
