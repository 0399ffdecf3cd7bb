#include "text_metrics.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>

#include <opencv2/imgproc.hpp>

namespace bench {

std::vector<char32_t> code_points(const std::string& s, bool drop_spaces) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    if (drop_spaces && (cp == U' ' || cp == U'\t' || cp == U'\u3000')) continue;
    out.push_back(cp);
  }
  return out;
}

long edit_distance(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
  std::vector<long> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<long>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<long>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

TextScore score_page(const std::vector<TruthLine>& truth, const std::vector<ocrserve::TextLine>& predicted) {
  // Each prediction goes to the truth line that contains its centre (nearest by distance when
  // several overlap); predictions left over are insertions.
  std::map<size_t, std::vector<size_t>> assigned;
  std::vector<bool> used(predicted.size(), false);
  for (size_t p = 0; p < predicted.size(); ++p) {
    const auto& q = predicted[p].quad;
    const cv::Point2f c = (q[0] + q[1] + q[2] + q[3]) * 0.25f;
    double best = -1e9;
    size_t best_t = truth.size();
    for (size_t t = 0; t < truth.size(); ++t) {
      const std::vector<cv::Point2f> poly(truth[t].quad.begin(), truth[t].quad.end());
      const double d = cv::pointPolygonTest(poly, c, true);
      if (d > best) {
        best = d;
        best_t = t;
      }
    }
    if (best_t < truth.size() && best >= -4.0) {
      assigned[best_t].push_back(p);
      used[p] = true;
    }
  }
  TextScore s;
  for (size_t t = 0; t < truth.size(); ++t) {
    const auto want = code_points(truth[t].text);
    s.truth_chars += static_cast<long>(want.size());
    ++s.truth_lines;
    auto it = assigned.find(t);
    if (it == assigned.end()) {
      s.edits += static_cast<long>(want.size());
      continue;
    }
    ++s.lines_found;
    // Pieces of one line in reading order along the line's direction.
    auto& parts = it->second;
    const cv::Point2f dir = truth[t].quad[1] - truth[t].quad[0];
    std::sort(parts.begin(), parts.end(),
              [&](size_t a, size_t b) { return predicted[a].quad[0].dot(dir) < predicted[b].quad[0].dot(dir); });
    std::string joined;
    for (size_t p : parts) joined += predicted[p].text;
    const long e = edit_distance(want, code_points(joined));
    s.edits += e;
    if (e == 0) ++s.lines_exact;
  }
  for (size_t p = 0; p < predicted.size(); ++p) {
    if (!used[p]) s.edits += static_cast<long>(code_points(predicted[p].text).size());
  }
  return s;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5));
  return v[i];
}

std::string share(int ok, int total) {
  if (total == 0) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f%% (%d/%d)", 100.0 * ok / total, ok, total);
  return buf;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      in >> kib;
      return kib;
    }
    std::getline(in, key);
  }
  return 0;
}

}  // namespace bench
