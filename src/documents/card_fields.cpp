#include "card_fields.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace ocrserve::card_fields {

// --- text -----------------------------------------------------------------------------------------

std::u32string to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + static_cast<size_t>(n) > s.size()) n = 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

std::string to_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF);
}

std::u32string fold_width(std::u32string_view text) {
  std::u32string out(text);
  for (char32_t& c : out) {
    if (c >= 0xFF01 && c <= 0xFF5E)
      c -= 0xFEE0;  // full-width ASCII block
    else if (c == 0x3000)
      c = U' ';
  }
  return out;
}

int edit_distance(std::u32string_view a, std::u32string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::optional<std::string> snap(std::string_view text, const std::vector<std::string_view>& vocabulary,
                                int max_distance) {
  const std::u32string t = to_u32(text);
  int best = std::numeric_limits<int>::max(), second = best;
  std::string_view pick;
  for (std::string_view v : vocabulary) {
    const int d = edit_distance(t, to_u32(v));
    if (d < best) {
      second = best;
      best = d;
      pick = v;
    } else if (d < second && v != pick) {
      second = d;
    }
  }
  if (best > max_distance || second == best) return std::nullopt;
  return std::string(pick);
}

// --- geometry -------------------------------------------------------------------------------------

Box box_of(const Quad& q) {
  Box b{q[0].x, q[0].y, q[0].x, q[0].y};
  for (const auto& p : q) {
    b.x0 = std::min(b.x0, p.x);
    b.y0 = std::min(b.y0, p.y);
    b.x1 = std::max(b.x1, p.x);
    b.y1 = std::max(b.y1, p.y);
  }
  return b;
}

Quad quad_of(const Box& b) {
  return {cv::Point2f(b.x0, b.y0), cv::Point2f(b.x1, b.y0), cv::Point2f(b.x1, b.y1), cv::Point2f(b.x0, b.y1)};
}

namespace {

cv::Point2f centre(const Quad& q) {
  return (q[0] + q[1] + q[2] + q[3]) * 0.25f;
}

std::u32string lower_ascii(std::u32string s) {
  for (char32_t& c : s) {
    if (c >= U'A' && c <= U'Z') c += 32;
  }
  return s;
}

// Position of `key` in `text` (code points, spaces of the text ignored on both sides): exact, or
// with one substitution for keys of 4+ characters. -1 when absent. Returns the index in `text`.
int find_key(const std::u32string& text, const std::u32string& key) {
  std::vector<int> at;  // indices of the non-space characters
  std::u32string t;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == U' ') continue;
    at.push_back(static_cast<int>(i));
    t.push_back(text[i]);
  }
  std::u32string k;
  for (char32_t c : key) {
    if (c != U' ') k.push_back(c);
  }
  if (k.empty() || t.size() < k.size()) return -1;
  const int allowed = k.size() >= 4 ? 1 : 0;
  int best = -1, best_miss = allowed + 1;
  for (size_t s = 0; s + k.size() <= t.size(); ++s) {
    int miss = 0;
    for (size_t j = 0; j < k.size() && miss <= allowed; ++j) miss += t[s + j] != k[j];
    if (miss < best_miss) {
      best_miss = miss;
      best = static_cast<int>(s);
      if (miss == 0) break;
    }
  }
  return best < 0 ? -1 : at[static_cast<size_t>(best)];
}

// Count of non-space code points before index `i` of `text`: the index of that character in
// TextLine::chars, which leaves spaces out.
size_t char_index(const std::u32string& text, int i) {
  size_t n = 0;
  for (int k = 0; k < i; ++k) n += text[static_cast<size_t>(k)] != U' ';
  return n;
}

}  // namespace

CardText::CardText(const PageText& text, const std::vector<std::string>& label_words) : page_(text) {
  for (const auto& line : page_.lines) folded_.push_back(lower_ascii(fold_width(to_u32(line.text))));
  for (const auto& w : label_words) label_words_.push_back(lower_ascii(fold_width(to_u32(w))));
}

bool CardText::mentions(std::string_view key) const {
  const std::u32string k = lower_ascii(fold_width(to_u32(key)));
  return std::any_of(folded_.begin(), folded_.end(), [&](const auto& t) { return find_key(t, k) >= 0; });
}

bool CardText::mentions(std::string_view key, const Box& within) const {
  const std::u32string k = lower_ascii(fold_width(to_u32(key)));
  for (size_t i = 0; i < folded_.size(); ++i) {
    if (within.contains(centre(page_.lines[i].quad)) && find_key(folded_[i], k) >= 0) return true;
  }
  return false;
}

std::optional<cv::Point2f> CardText::find(const Label& label, cv::Point2f shift, float radius) const {
  const cv::Point2f expected = label.at + shift;
  std::optional<cv::Point2f> best;
  float best_distance = radius;
  const std::u32string zh = lower_ascii(fold_width(to_u32(label.zh)));
  const std::u32string en = lower_ascii(fold_width(to_u32(label.en)));
  for (size_t i = 0; i < folded_.size(); ++i) {
    const TextLine& line = page_.lines[i];
    std::optional<cv::Point2f> here;
    // The Chinese word, then the English one (which starts one word and a slash later).
    for (int pass = 0; pass < 2 && !here; ++pass) {
      const std::u32string& key = pass == 0 ? zh : en;
      if (key.empty()) continue;
      const int at = find_key(folded_[i], key);
      if (at < 0) continue;
      const size_t c = char_index(folded_[i], at);
      const Box line_box = box_of(line.quad);
      cv::Point2f p(line_box.x0, line_box.cy());
      if (c < line.chars.size()) {
        const Box b = box_of(line.chars[c].quad);
        p = {b.x0, b.cy()};
      }
      if (pass == 1) p.x -= static_cast<float>(zh.size()) * 17.f + 10.f;
      here = p;
    }
    if (!here) continue;
    const float d = static_cast<float>(cv::norm(*here - expected));
    if (d < best_distance) {
      best_distance = d;
      best = here;
    }
  }
  return best;
}

cv::Point2f Placement::map(cv::Point2f p) const {
  return {static_cast<float>(m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2)),
          static_cast<float>(m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2))};
}

Box Placement::map(const Box& box) const {
  const cv::Point2f c[4] = {map(cv::Point2f(box.x0, box.y0)), map(cv::Point2f(box.x1, box.y0)),
                            map(cv::Point2f(box.x1, box.y1)), map(cv::Point2f(box.x0, box.y1))};
  Box out{c[0].x, c[0].y, c[0].x, c[0].y};
  for (const auto& p : c)
    out = {std::min(out.x0, p.x), std::min(out.y0, p.y), std::max(out.x1, p.x), std::max(out.y1, p.y)};
  return out;
}

namespace {

using Pairs = std::vector<std::pair<cv::Point2f, cv::Point2f>>;  // template -> card

// A rectified card is only so far off: scale within 0.45..1.8 on each axis (a card taken from its
// text extent or from the whole frame can be stretched or shrunk that much), a turn or shear of up
// to ~14 degrees.
bool believable(const cv::Matx23d& m) {
  const double sx = std::hypot(m(0, 0), m(1, 0)), sy = std::hypot(m(0, 1), m(1, 1));
  return sx > 0.45 && sx < 1.8 && sy > 0.45 && sy < 1.8 && std::abs(m(1, 0)) < 0.25 * sx &&
         std::abs(m(0, 1)) < 0.25 * sy;
}

// Least squares: affine with labels spread over both axes, else an offset (the mean).
Placement fit_placement(const Pairs& pairs) {
  Placement p;
  if (pairs.empty()) return p;
  float x_lo = 1e9f, x_hi = -1e9f, y_lo = 1e9f, y_hi = -1e9f;
  cv::Point2d mean(0, 0);
  for (const auto& [s, d] : pairs) {
    x_lo = std::min(x_lo, s.x), x_hi = std::max(x_hi, s.x), y_lo = std::min(y_lo, s.y), y_hi = std::max(y_hi, s.y);
    mean += cv::Point2d(d - s);
  }
  mean *= 1.0 / static_cast<double>(pairs.size());
  p.m = cv::Matx23d(1, 0, mean.x, 0, 1, mean.y);
  if (pairs.size() < 4 || x_hi - x_lo < 150 || y_hi - y_lo < 150) return p;
  cv::Mat a(static_cast<int>(pairs.size()), 3, CV_64F), bx(static_cast<int>(pairs.size()), 1, CV_64F),
      by(static_cast<int>(pairs.size()), 1, CV_64F);
  for (int i = 0; i < a.rows; ++i) {
    const auto& [s, d] = pairs[static_cast<size_t>(i)];
    a.at<double>(i, 0) = s.x;
    a.at<double>(i, 1) = s.y;
    a.at<double>(i, 2) = 1;
    bx.at<double>(i) = d.x;
    by.at<double>(i) = d.y;
  }
  cv::Mat rx, ry;
  if (!cv::solve(a, bx, rx, cv::DECOMP_SVD) || !cv::solve(a, by, ry, cv::DECOMP_SVD)) return p;
  const cv::Matx23d m(rx.at<double>(0), rx.at<double>(1), rx.at<double>(2), ry.at<double>(0), ry.at<double>(1),
                      ry.at<double>(2));
  if (believable(m)) p.m = m;
  return p;
}

}  // namespace

Placement CardText::placement(const std::vector<Label>& labels) const {
  Pairs pairs;
  for (const Label& l : labels) {
    if (const auto p = find(l, {0, 0}, 260)) pairs.emplace_back(l.at, *p);
  }
  Placement place = fit_placement(pairs);
  // Once more without the labels the fit leaves far off (a word found in the wrong place).
  Pairs kept;
  for (const auto& pr : pairs) {
    if (cv::norm(place.map(pr.first) - pr.second) < 30) kept.push_back(pr);
  }
  if (kept.size() < pairs.size() && !kept.empty()) place = fit_placement(kept);
  return place;
}

std::optional<cv::Matx23d> CardText::label_affine(const std::vector<Label>& labels) const {
  Pairs pairs;
  for (const Label& l : labels) {
    if (const auto p = find(l, {0, 0}, 260)) pairs.emplace_back(l.at, *p);
  }
  for (int round = 0; round < 2; ++round) {
    if (pairs.size() < 5) return std::nullopt;
    float x_lo = 1e9f, x_hi = -1e9f, y_lo = 1e9f, y_hi = -1e9f;
    for (const auto& [s, d] : pairs) {
      x_lo = std::min(x_lo, s.x), x_hi = std::max(x_hi, s.x), y_lo = std::min(y_lo, s.y), y_hi = std::max(y_hi, s.y);
    }
    if (x_hi - x_lo < 250 || y_hi - y_lo < 150) return std::nullopt;  // too narrow a base for an affine
    cv::Mat a(static_cast<int>(pairs.size()), 3, CV_64F), b(static_cast<int>(pairs.size()), 2, CV_64F);
    for (int i = 0; i < a.rows; ++i) {
      const auto& [s, d] = pairs[static_cast<size_t>(i)];
      a.at<double>(i, 0) = s.x, a.at<double>(i, 1) = s.y, a.at<double>(i, 2) = 1;
      b.at<double>(i, 0) = d.x, b.at<double>(i, 1) = d.y;
    }
    cv::Mat x;
    if (!cv::solve(a, b, x, cv::DECOMP_SVD)) return std::nullopt;
    const cv::Matx23d m(x.at<double>(0, 0), x.at<double>(1, 0), x.at<double>(2, 0), x.at<double>(0, 1),
                        x.at<double>(1, 1), x.at<double>(2, 1));
    Placement p;
    p.m = m;
    double total = 0;
    Pairs kept;
    for (const auto& pr : pairs) {
      const double r = cv::norm(p.map(pr.first) - pr.second);
      total += r;
      if (r < 30) kept.push_back(pr);
    }
    if (total / static_cast<double>(pairs.size()) < 15) return m;
    pairs = kept;  // once more without the words found in the wrong place
  }
  return std::nullopt;
}

Reading CardText::read(const Box& region) const {
  struct Hit {
    const CharBox* c;
    Box box;
    float line_y;
    bool space_before;  // the recognizer put a space before this character
  };
  std::vector<Hit> hits;
  for (size_t li = 0; li < page_.lines.size(); ++li) {
    const TextLine& line = page_.lines[li];
    const float line_y = box_of(line.quad).cy();
    // Characters of label words printed inside the region are not part of the value.
    std::vector<bool> label_char(line.chars.size(), false);
    for (const std::u32string& key : label_words_) {
      const int at = find_key(folded_[li], key);
      if (at < 0) continue;
      const size_t first = char_index(folded_[li], at);
      size_t n = 0;
      for (char32_t c : key) n += c != U' ';
      for (size_t k = first; k < std::min(first + n, label_char.size()); ++k) label_char[k] = true;
    }
    size_t ci = 0;
    bool space = false;
    for (char32_t cp : folded_[li]) {
      if (cp == U' ') {
        space = true;
        continue;
      }
      if (ci >= line.chars.size()) break;
      const CharBox& c = line.chars[ci];
      if (!label_char[ci] && region.contains(centre(c.quad))) hits.push_back({&c, box_of(c.quad), line_y, space});
      space = false;
      ++ci;
    }
  }
  Reading r;
  if (hits.empty()) return r;
  // Reading order: lines top to bottom (those within half a character height are one row), then x.
  float h = 0;
  for (const auto& hit : hits) h += hit.box.height();
  h /= static_cast<float>(hits.size());
  // A value is one row: the detected line nearest the region's middle, with any piece of the same
  // row; characters of the rows above and below that reach into the region are not part of it.
  const float middle = region.cy();
  const float row_y = std::min_element(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
                        return std::abs(a.line_y - middle) < std::abs(b.line_y - middle);
                      })->line_y;
  std::erase_if(hits, [&](const Hit& hit) { return std::abs(hit.line_y - row_y) > h / 2; });
  std::stable_sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    if (std::abs(a.line_y - b.line_y) > h / 2) return a.line_y < b.line_y;
    return a.box.cx() < b.box.cx();
  });
  Box extent = hits[0].box;
  float sum = 0;
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    if (i > 0) {
      const Hit& prev = hits[i - 1];
      const bool new_row = std::abs(hit.line_y - prev.line_y) > h / 2;
      if (new_row || hit.space_before) r.text += ' ';
    }
    r.text += hit.c->text;
    r.xs.push_back(hit.box.cx());
    sum += hit.c->confidence;
    extent = extent.united(hit.box);
  }
  r.chars = static_cast<int>(hits.size());
  r.confidence = sum / static_cast<float>(hits.size());
  r.extent = extent;
  return r;
}

namespace {

// The pixels of [x0, x1) x [y0, y1) that lie in the image, outward to whole pixels.
cv::Rect cell_rect(const cv::Mat& image, float x0, float x1, float y0, float y1) {
  return cv::Rect(cv::Point(static_cast<int>(std::floor(x0)), static_cast<int>(std::floor(y0))),
                  cv::Point(static_cast<int>(std::ceil(x1)), static_cast<int>(std::ceil(y1)))) &
         cv::Rect(0, 0, image.cols, image.rows);
}

// OCR-B's K has a stem down its whole left side; the filler '<' only its apex there. The recognizer
// confuses the two ("HUI<<TUNG" -> "HUIKKTUNG"), and in a name no check digit notices.
bool looks_like_filler(const cv::Mat& card_image, float x0, float x1, float y0, float y1) {
  const cv::Rect cell = cell_rect(card_image, x0, x1, y0, y1);
  if (cell.width < 6 || cell.height < 8) return false;
  cv::Mat gray, ink;
  cv::cvtColor(card_image(cell), gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  int top = -1, bottom = -1;
  std::vector<bool> left_ink(static_cast<size_t>(ink.rows), false);
  const int left_width = std::max(1, ink.cols * 2 / 5);
  for (int y = 0; y < ink.rows; ++y) {
    const cv::Mat row = ink.row(y);
    if (cv::countNonZero(row) == 0) continue;
    if (top < 0) top = y;
    bottom = y;
    left_ink[static_cast<size_t>(y)] = cv::countNonZero(row.colRange(0, left_width)) > 0;
  }
  if (top < 0 || bottom - top < 5) return false;
  int covered = 0;
  for (int y = top; y <= bottom; ++y) covered += left_ink[static_cast<size_t>(y)] ? 1 : 0;
  return covered < 0.6 * (bottom - top + 1);
}

// One upright stem about the middle of the cell, nothing beside it halfway up, and whatever it
// carries at its ends (OCR-B's short serifs) as wide on either side: an I. A filler's strokes
// slant, an H has two stems, a C's or an L's stroke leaves its stem on one side.
bool looks_like_i(const cv::Mat& card_image, float x0, float x1, float y0, float y1) {
  const float pitch = x1 - x0;
  // The threshold from the cell and its neighbours: an I's cell alone is mostly paper.
  const cv::Rect wide = cell_rect(card_image, x0 - pitch, x1 + pitch, y0, y1);
  const cv::Rect cell = cell_rect(card_image, x0, x1, y0, y1);
  if (cell.width < 8 || cell.height < 10) return false;
  cv::Mat gray;
  cv::cvtColor(card_image(wide), gray, cv::COLOR_BGR2GRAY);
  double lo = 0, hi = 0;
  cv::minMaxLoc(gray, &lo, &hi);
  if (hi - lo < 40) return false;  // no print here
  cv::Mat ink_wide;
  cv::threshold(gray, ink_wide, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  const cv::Mat ink = ink_wide(cell - wide.tl());
  const auto at = [&](int x, int y) { return ink.at<uchar>(y, x) != 0; };
  // The stem: the fullest column of the middle half, and the longest run of ink down it.
  std::vector<int> column(static_cast<size_t>(ink.cols));
  for (int x = 0; x < ink.cols; ++x) column[static_cast<size_t>(x)] = cv::countNonZero(ink.col(x));
  const auto count = [&](int x) { return column[static_cast<size_t>(x)]; };
  int stem = ink.cols / 2;
  for (int x = ink.cols / 4; x < ink.cols - ink.cols / 4; ++x) {
    if (count(x) > count(stem)) stem = x;
  }
  // Its stroke: the columns beside it nearly as full; the stem is the stroke's middle.
  int stroke_left = stem, stroke_right = stem;
  while (stroke_left > 0 && count(stroke_left - 1) >= 0.7 * count(stem)) --stroke_left;
  while (stroke_right + 1 < ink.cols && count(stroke_right + 1) >= 0.7 * count(stem)) ++stroke_right;
  stem = (stroke_left + stroke_right) / 2;
  const int half_stem = (stroke_right - stroke_left + 1) / 2 + 1;
  int top = 0, bottom = -1;
  for (int y = 0, start = 0; y <= ink.rows; ++y) {
    if (y < ink.rows && at(stem, y)) continue;
    if (y - start > bottom - top + 1) top = start, bottom = y - 1;
    start = y + 1;
  }
  const int height = bottom - top + 1;
  // The stem runs the glyph's whole height (a Y's only its lower half).
  int glyph_top = ink.rows, glyph_bottom = -1;
  for (int y = 0; y < ink.rows; ++y) {
    if (cv::countNonZero(ink.row(y).colRange(ink.cols / 4, ink.cols - ink.cols / 4)) == 0) continue;
    glyph_top = std::min(glyph_top, y), glyph_bottom = y;
  }
  if (height < 0.85 * (glyph_bottom - glyph_top + 1)) return false;
  if (height < 0.6 * ink.rows) return false;
  // Halfway up, ink only on the stem.
  int beside = 0, on = 0;
  for (int y = top + height / 4; y <= bottom - height / 4; ++y) {
    for (int x = 0; x < ink.cols; ++x) {
      if (at(x, y)) (std::abs(x - stem) <= half_stem ? on : beside)++;
    }
  }
  if (on == 0 || beside > 0.1 * on) return false;
  // At either end, the ink joined to the stem reaches as far left as right, and both ends are
  // about as wide (a T's bar is wide at the top only).
  const int tolerance = std::max(2, static_cast<int>(std::lround(0.12 * pitch)));
  int widths[2] = {0, 0};
  int end = 0;
  for (const auto& [from, to] : {std::pair{top, top + height / 5}, std::pair{bottom - height / 5, bottom}}) {
    int left = 0, right = 0;
    for (int y = from; y <= to; ++y) {
      if (!at(stem, y)) continue;
      int l = stem, r = stem;
      while (l > 0 && at(l - 1, y)) --l;
      while (r + 1 < ink.cols && at(r + 1, y)) ++r;
      left = std::max(left, stem - l), right = std::max(right, r - stem);
    }
    if (std::abs(left - right) > tolerance) return false;
    widths[end++] = left + right;
  }
  return std::abs(widths[0] - widths[1]) <= 2 * tolerance;
}

}  // namespace

void restore_machine_i(std::string& row, size_t r, const cv::Mat& card_image, const GridCells& cells) {
  if (r >= cells.rows.size() || card_image.empty()) return;
  const size_t last_letter = row.find_last_not_of("<?");
  if (last_letter == std::string::npos) return;
  const auto [y0, y1] = cells.rows[r];
  for (size_t c = 0; c <= std::min(last_letter + 1, row.size() - 1); ++c) {
    if (row[c] != '<' && row[c] != '?' && row[c] != 'H' && (row[c] < '0' || row[c] > '9')) continue;
    const float x0 = cells.start + static_cast<float>(c) * cells.pitch;
    if (looks_like_i(card_image, x0, x0 + cells.pitch, y0, y1)) row[c] = 'I';
  }
}

std::vector<std::string> CardText::machine_grid(const Box& zone, int columns, int rows, float min_pitch,
                                                float max_pitch, const cv::Mat& card_image, char unread,
                                                GridCells* cells) const {
  struct Glyph {
    char c;
    cv::Point2f at;
    float left, height, confidence;
  };
  std::vector<Glyph> glyphs;
  for (const auto& line : page_.lines) {
    if (!zone.contains(centre(line.quad))) continue;
    for (const auto& ch : line.chars) {
      const std::string m = machine_chars(ch.text);
      if (m.size() != 1) continue;
      const Box b = box_of(ch.quad);
      glyphs.push_back({m[0], centre(ch.quad), b.x0, b.height(), ch.confidence});
    }
  }
  if (glyphs.empty()) return {};
  // Rows: glyphs sorted by height in the card, split where the centre jumps by half a glyph height.
  std::sort(glyphs.begin(), glyphs.end(), [](const Glyph& a, const Glyph& b) { return a.at.y < b.at.y; });
  std::vector<float> heights;
  for (const auto& g : glyphs) heights.push_back(g.height);
  std::nth_element(heights.begin(), heights.begin() + static_cast<std::ptrdiff_t>(heights.size() / 2), heights.end());
  const float h = heights[heights.size() / 2];
  std::vector<std::vector<Glyph>> row_glyphs(1);
  for (size_t i = 0; i < glyphs.size(); ++i) {
    if (i > 0 && glyphs[i].at.y - glyphs[i - 1].at.y > h / 2) row_glyphs.emplace_back();
    row_glyphs.back().push_back(glyphs[i]);
  }
  if (row_glyphs.size() > static_cast<size_t>(rows)) row_glyphs.erase(row_glyphs.begin(), row_glyphs.end() - rows);
  // Every row starts at the same x (the zone is one block); its pitch is the one that puts the
  // glyph centres nearest the middles of cells.
  float x0 = std::numeric_limits<float>::max();
  for (const auto& row : row_glyphs) {
    for (const auto& g : row) x0 = std::min(x0, g.at.x);
  }
  float best_pitch = (min_pitch + max_pitch) / 2, best_cost = std::numeric_limits<float>::max();
  for (float p = min_pitch; p <= max_pitch; p += 0.05f) {
    const float start = x0 - p / 2;  // the leftmost glyph sits in the middle of column 0
    float cost = 0;
    for (const auto& row : row_glyphs) {
      for (const auto& g : row) {
        const float u = (g.at.x - start) / p;
        const float off = u - std::floor(u) - 0.5f;
        cost += off * off + (u >= static_cast<float>(columns) ? 1.f : 0.f);
      }
    }
    if (cost < best_cost) {
      best_cost = cost;
      best_pitch = p;
    }
  }
  const float start = x0 - best_pitch / 2;
  if (cells) {
    *cells = {start, best_pitch, {}};
    for (const auto& row : row_glyphs) {
      std::vector<float> ys;
      for (const auto& g : row) ys.push_back(g.at.y);
      std::nth_element(ys.begin(), ys.begin() + static_cast<std::ptrdiff_t>(ys.size() / 2), ys.end());
      cells->rows.emplace_back(ys[ys.size() / 2] - h / 2, ys[ys.size() / 2] + h / 2);
    }
  }
  std::vector<std::string> out;
  for (const auto& row : row_glyphs) {
    std::string line(static_cast<size_t>(columns), unread);
    std::vector<float> confidence(static_cast<size_t>(columns), -1.f);
    for (const auto& g : row) {
      const int col = static_cast<int>(std::floor((g.at.x - start) / best_pitch));
      if (col < 0 || col >= columns || g.confidence <= confidence[static_cast<size_t>(col)]) continue;
      const float cell_x0 = start + static_cast<float>(col) * best_pitch;
      const bool filler =
          g.c == 'K' && !card_image.empty() &&
          looks_like_filler(card_image, cell_x0, cell_x0 + best_pitch, g.at.y - g.height / 2, g.at.y + g.height / 2);
      line[static_cast<size_t>(col)] = filler ? '<' : g.c;
      confidence[static_cast<size_t>(col)] = g.confidence;
    }
    out.push_back(line);
  }
  return out;
}

std::vector<std::string> CardText::machine_rows(const Box& zone, size_t min_chars) const {
  struct Row {
    float y;
    std::vector<std::pair<float, std::string>> pieces;
  };
  std::vector<Row> rows;
  for (const TextLine* line : lines_in(zone)) {
    const std::string m = machine_chars(line->text);
    if (m.size() < 4) continue;
    const Box b = box_of(line->quad);
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return std::abs(r.y - b.cy()) < b.height() / 2; });
    if (row == rows.end()) {
      rows.push_back({b.cy(), {}});
      row = rows.end() - 1;
    }
    row->pieces.emplace_back(b.x0, m);
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.y < b.y; });
  std::vector<std::string> out;
  for (auto& r : rows) {
    std::sort(r.pieces.begin(), r.pieces.end());
    std::string joined;
    for (const auto& [x, text] : r.pieces) joined += text;
    if (joined.size() >= min_chars) out.push_back(joined);
  }
  return out;
}

std::vector<const TextLine*> CardText::lines_in(const Box& region) const {
  std::vector<const TextLine*> out;
  for (const auto& line : page_.lines) {
    if (region.contains(centre(line.quad))) out.push_back(&line);
  }
  std::sort(out.begin(), out.end(),
            [](const TextLine* a, const TextLine* b) { return box_of(a->quad).cy() < box_of(b->quad).cy(); });
  return out;
}

Box value_region(const CardText& text, const Label& label, const Box& template_region, const Placement& place) {
  const cv::Point2f expected = place.map(label.at);
  const Box region = place.map(template_region);
  if (const auto p = text.find(label, expected - label.at, 60)) return region.moved(*p - expected);
  return region;
}

std::string with_word_gaps(const cv::Mat& card_image, const Reading& reading) {
  if (!reading.extent || reading.xs.size() < 2) return reading.text;
  const Box e = *reading.extent;
  const cv::Rect box = cv::Rect(cv::Point(static_cast<int>(e.x0), static_cast<int>(e.y0)),
                                cv::Point(static_cast<int>(std::ceil(e.x1)), static_cast<int>(std::ceil(e.y1)))) &
                       cv::Rect(0, 0, card_image.cols, card_image.rows);
  if (box.width < 8 || box.height < 6) return reading.text;
  cv::Mat gray, ink;
  cv::cvtColor(card_image(box), gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  // Glyph height from the rows that carry ink (the box itself has the detector's padding).
  int text_rows = 0;
  for (int y = 0; y < ink.rows; ++y) text_rows += cv::countNonZero(ink.row(y)) >= 2;
  const int min_ink = std::max(1, text_rows * 8 / 100);
  const int min_gap = std::max(3, text_rows * 32 / 100);
  std::vector<float> gaps;  // centres, card x
  int run = 0;
  for (int x = 0; x <= ink.cols; ++x) {
    const bool empty = x < ink.cols && cv::countNonZero(ink.col(x)) < min_ink;
    if (empty) {
      ++run;
      continue;
    }
    if (run >= min_gap && x - run > 0 && x < ink.cols) gaps.push_back(static_cast<float>(box.x + x - run / 2.0));
    run = 0;
  }
  std::u32string out;
  std::vector<size_t> found;  // where in `out` the gaps put a space
  size_t i = 0;               // index among the non-space characters
  const std::u32string text = to_u32(reading.text);
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == U' ') {
      out += U' ';
      continue;
    }
    if (i > 0 && i < reading.xs.size() && !out.empty() && out.back() != U' ') {
      const float a = reading.xs[i - 1], b = reading.xs[i];
      if (std::any_of(gaps.begin(), gaps.end(), [&](float g) { return g > a && g < b; })) {
        found.push_back(out.size());
        out += U' ';
      }
    }
    out += text[k];
    ++i;
  }
  // Glare or a broken stroke opens a gap inside a word too ("C H ENG"). A word of one or two
  // letters without a vowel is no romanized Chinese syllable, except Cantonese NG and M (TSZ has
  // three): a found gap that leaves one on either side is closed again, left to right, so
  // "C H ENG" joins up to "CHENG".
  const auto syllable = [](std::u32string_view w) {
    while (!w.empty() && (w.back() == U',' || w.back() == U'-')) w.remove_suffix(1);
    while (!w.empty() && (w.front() == U',' || w.front() == U'-')) w.remove_prefix(1);
    return w.empty() || w.size() > 2 || w == U"NG" || w == U"M" ||
           w.find_first_of(U"AEIOUYaeiouy") != std::u32string_view::npos;
  };
  size_t removed = 0;
  for (const size_t at : found) {
    const size_t space = at - removed;
    const std::u32string_view all(out);
    const size_t before = all.rfind(U' ', space - 1), after = all.find(U' ', space + 1);
    const std::u32string_view left = all.substr(before == std::u32string_view::npos ? 0 : before + 1,
                                                space - (before == std::u32string_view::npos ? 0 : before + 1));
    const std::u32string_view right =
        all.substr(space + 1, (after == std::u32string_view::npos ? all.size() : after) - space - 1);
    if (syllable(left) && syllable(right)) continue;
    out.erase(space, 1);
    ++removed;
  }
  return to_utf8(out);
}

// --- normalizers ----------------------------------------------------------------------------------

char digit_for(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<char>(c);
  switch (c) {
    case U'O':
    case U'o':
    case U'D':
    case U'Q':
      return '0';
    case U'I':
    case U'l':
    case U'|':
    case U'i':
    case U'L':
      return '1';
    case U'Z':
    case U'z':
      return '2';
    case U'S':
    case U's':
      return '5';
    case U'B':
      return '8';
    case U'G':
    case U'b':
      return '6';
    case U'g':
    case U'q':
      return '9';
    case U'T':
      return '7';
    default:
      return 0;
  }
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char32_t c : fold_width(to_u32(text))) {
    if (const char d = digit_for(c)) out += d;
  }
  return out;
}

namespace {

bool valid_date(int y, int m, int d) {
  return y >= 1900 && y <= 2100 &&
         std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                     std::chrono::day(static_cast<unsigned>(d)))
             .ok();
}

// Digits only, with look-alikes mapped; separators (., -, /, space) skipped; other characters dropped.
std::string date_digits(std::string_view text) {
  return digits_of(text);
}

}  // namespace

std::string date_dotted(std::string_view d) {
  if (d.size() != 8) return "";
  const int y = std::stoi(std::string(d.substr(0, 4))), m = std::stoi(std::string(d.substr(4, 2))),
            day = std::stoi(std::string(d.substr(6, 2)));
  if (!valid_date(y, m, day)) return "";
  return std::string(d.substr(0, 4)) + "." + std::string(d.substr(4, 2)) + "." + std::string(d.substr(6, 2));
}

std::string normalize_date(std::string_view text) {
  return date_dotted(date_digits(text));
}

std::string normalize_period(std::string_view text) {
  const std::string d = date_digits(text);
  if (d.size() != 16) return "";
  const std::string a = date_dotted(d.substr(0, 8)), b = date_dotted(d.substr(8, 8));
  return a.empty() || b.empty() ? "" : a + "-" + b;
}

std::string normalize_sex(std::string_view text) {
  const std::u32string t = fold_width(to_u32(text));
  const bool male = t.find(U'男') != std::u32string::npos || t.find(U'M') != std::u32string::npos;
  const bool female = t.find(U'女') != std::u32string::npos || t.find(U'F') != std::u32string::npos;
  if (male == female) return "";
  return male ? "M" : "F";
}

std::string cjk_only(std::string_view text) {
  std::u32string out;
  for (char32_t c : to_u32(text)) {
    if (is_cjk(c)) out.push_back(c);
  }
  return to_utf8(out);
}

namespace {

std::string latin_letters(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') out += c;
  }
  return out;
}

// Whether `more` is `fewer` with one or two letters added.
bool adds_letters(const std::string& fewer, const std::string& more) {
  if (more.size() <= fewer.size() || more.size() > fewer.size() + 2) return false;
  size_t i = 0;
  for (char c : more) i += i < fewer.size() && fewer[i] == c;
  return i == fewer.size();
}

}  // namespace

Reading reread_latin_alone(const Reading& reading, const cv::Mat& card_image, const OcrEngine& engine) {
  if (!reading.extent || reading.xs.size() < 2 || card_image.empty()) return reading;
  const Box e = *reading.extent;
  const float pad = 0.25f * e.height();
  const Box span{std::max(0.f, e.x0 - pad), std::max(0.f, e.y0 - 0.15f * e.height()),
                 std::min(static_cast<float>(card_image.cols), e.x1 + pad),
                 std::min(static_cast<float>(card_image.rows), e.y1 + 0.15f * e.height())};
  if (span.x1 - span.x0 < 8 || span.height() < 6) return reading;
  RecognizeOptions o;
  o.with_chars = true;
  o.alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ,-";
  o.width_scale = 1.0;
  const std::vector<TextLine> again = engine.read_lines(card_image, {quad_of(span)}, o);
  if (again.empty() || !adds_letters(latin_letters(reading.text), latin_letters(again[0].text))) return reading;
  Reading out;
  float sum = 0;
  for (const CharBox& c : again[0].chars) {
    if (c.text == " ") continue;
    const Box b = box_of(c.quad);
    out.text += c.text;
    out.xs.push_back(b.cx());
    sum += c.confidence;
    out.extent = out.extent ? out.extent->united(b) : b;
  }
  out.chars = static_cast<int>(out.xs.size());
  if (out.chars == 0) return reading;
  out.confidence = sum / static_cast<float>(out.chars);
  return out;
}

std::string normalize_latin_name(std::string_view text) {
  std::string s;
  for (char32_t c : fold_width(to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if ((c >= U'A' && c <= U'Z') || c == U',' || c == U' ' || c == U'-')
      s += static_cast<char>(c);
    else if (c == U'.' || c == U'，')
      s += ',';
  }
  // One comma, followed by one space; single spaces; nothing at the ends.
  std::string out;
  for (char c : s) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    if (c == ',') {
      if (!out.empty() && out.back() == ' ') out.pop_back();
      if (out.find(',') != std::string::npos) continue;
      out += ", ";
      continue;
    }
    if (c == '-' && !out.empty() && out.back() == ' ') out.pop_back();
    if (c != ' ' && !out.empty() && out.back() == ' ' && out.size() >= 2 && out[out.size() - 2] == '-') out.pop_back();
    out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ',' || out.back() == '-')) out.pop_back();
  while (!out.empty() && (out.front() == ' ' || out.front() == ',')) out.erase(out.begin());
  // The comma after the surname is small and often lost; the surname is the first word.
  if (const size_t space = out.find(' '); out.find(',') == std::string::npos && space != std::string::npos) {
    out.insert(space, ",");
  }
  return out;
}

std::string machine_chars(std::string_view text) {
  std::string out;
  for (char32_t c : fold_width(to_u32(text))) {
    if (c >= U'a' && c <= U'z') c -= 32;
    if ((c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9') || c == U'<')
      out += static_cast<char>(c);
    else if (c == U'«' || c == U'‹' || c == U'く' || c == U'〈' || c == U'《')
      out += '<';
  }
  return out;
}

std::optional<std::chrono::year_month_day> parse_dotted(std::string_view s) {
  if (s.size() != 10 || s[4] != '.' || s[7] != '.') return std::nullopt;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string dotted(std::chrono::year_month_day d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d.%02u.%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

// --- portrait -------------------------------------------------------------------------------------

std::vector<std::uint8_t> portrait_jpeg(const cv::Mat& photo, const UprightCard& card, const Box& region) {
  const Quad in_photo = card_to_photo(card, quad_of(region));
  // Keep the photo's own resolution: the crop is as wide as the region's top edge is in the photo.
  const double scale = std::clamp(cv::norm(in_photo[1] - in_photo[0]) / std::max(1.f, region.x1 - region.x0), 0.5, 4.0);
  const int w = std::max(8, static_cast<int>(std::lround((region.x1 - region.x0) * scale)));
  const int h = std::max(8, static_cast<int>(std::lround((region.y1 - region.y0) * scale)));
  const cv::Point2f src[4] = {in_photo[0], in_photo[1], in_photo[2], in_photo[3]};
  const cv::Point2f dst[4] = {
      {0, 0}, {static_cast<float>(w), 0}, {static_cast<float>(w), static_cast<float>(h)}, {0, static_cast<float>(h)}};
  cv::Mat crop;
  cv::warpPerspective(photo, crop, cv::getPerspectiveTransform(src, dst), cv::Size(w, h), cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", crop, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
  return jpeg;
}

}  // namespace ocrserve::card_fields
