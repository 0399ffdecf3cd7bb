#include "ocrserve/card.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <numeric>

#include <opencv2/imgproc.hpp>

#include "card_fields.h"
#include "engine/geometry.h"

namespace ocrserve {

namespace {

constexpr double kCardAspect = 85.6 / 54.0;
constexpr int kWorkSide = 800;  // edges are found on a reduced copy

double side(const cv::Point2f& a, const cv::Point2f& b) {
  return cv::norm(a - b);
}

// f(i) for i in [0, n), on this thread and one more: the outline search runs before any
// recognition, while the second core of a 2-thread request has nothing to do. Results land by
// index, so they are the same as one thread's.
template <typename F>
void on_two_threads(size_t n, const F& f) {
  if (n < 2) {
    for (size_t i = 0; i < n; ++i) f(i);
    return;
  }
  auto other = std::async(std::launch::async, [&] {
    for (size_t i = n / 2; i < n; ++i) f(i);
  });
  for (size_t i = 0; i < n / 2; ++i) f(i);
  other.get();
}

// Clockwise around the centroid (image y down), starting so that p0->p1 is a long side.
Quad order_card_corners(std::vector<cv::Point2f> pts) {
  cv::Point2f c(0, 0);
  for (const auto& p : pts) c += p;
  c *= 0.25f;
  std::sort(pts.begin(), pts.end(), [&](const cv::Point2f& a, const cv::Point2f& b) {
    return std::atan2(a.y - c.y, a.x - c.x) < std::atan2(b.y - c.y, b.x - c.x);
  });
  Quad q = {pts[0], pts[1], pts[2], pts[3]};
  // Start from the corner whose outgoing edge is long and heads most to the right: the natural
  // reading of a landscape card (a 180° turn is settled later by reading it).
  int best = 0;
  double best_score = -1e9;
  for (int i = 0; i < 4; ++i) {
    const cv::Point2f e = q[(i + 1) % 4] - q[i];
    const double long_edge = side(q[i], q[(i + 1) % 4]) >= side(q[(i + 1) % 4], q[(i + 2) % 4]) ? 1.0 : 0.0;
    const double score = long_edge * 1e6 + e.x / (cv::norm(e) + 1e-6);
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  return {q[best], q[(best + 1) % 4], q[(best + 2) % 4], q[(best + 3) % 4]};
}

// Mean long side over mean short side (the corners start on a long side); 0 when degenerate.
double aspect_of(const Quad& q) {
  const double w = (side(q[0], q[1]) + side(q[3], q[2])) / 2, h = (side(q[1], q[2]) + side(q[0], q[3])) / 2;
  return h < 1 ? 0 : w / h;
}

// How card-like a quadrilateral is: aspect ratio near ID-1 (perspective allowed), convex.
double card_likeness(const Quad& q) {
  const double aspect = aspect_of(q);
  if (aspect < 1.15 || aspect > 2.2) return 0;
  return 1.0 - std::min(1.0, std::abs(std::log(aspect / kCardAspect)) / std::log(1.4));
}

}  // namespace

namespace {

// Fraction of the quad's perimeter that runs along edge pixels: a real card outline is traced by
// edges all round; a quad assembled from clutter is not.
double edge_support(const cv::Mat& edges, const Quad& q) {
  int on = 0, total = 0;
  for (int i = 0; i < 4; ++i) {
    const cv::Point2f a = q[i], b = q[(i + 1) % 4];
    const int steps = std::max(8, static_cast<int>(side(a, b) / 4));
    for (int k = 0; k < steps; ++k) {
      const cv::Point2f p = a + (b - a) * ((k + 0.5f) / steps);
      const int x = static_cast<int>(p.x), y = static_cast<int>(p.y);
      ++total;
      if (x >= 0 && y >= 0 && x < edges.cols && y < edges.rows && edges.at<uchar>(y, x)) ++on;
    }
  }
  return total ? static_cast<double>(on) / total : 0;
}

void add_quad_candidates(const std::vector<cv::Point>& contour, std::vector<Quad>& out) {
  std::vector<cv::Point> poly;
  cv::approxPolyDP(contour, poly, 0.02 * cv::arcLength(contour, true), true);
  if (poly.size() == 4 && cv::isContourConvex(poly)) {
    out.push_back(order_card_corners({poly.begin(), poly.end()}));
  }
  std::vector<cv::Point> hull;
  cv::convexHull(contour, hull);
  cv::approxPolyDP(hull, poly, 0.02 * cv::arcLength(hull, true), true);
  if (poly.size() == 4) out.push_back(order_card_corners({poly.begin(), poly.end()}));
  cv::Point2f pts[4];
  cv::minAreaRect(hull).points(pts);  // rounded corners, a notch
  out.push_back(order_card_corners({pts, pts + 4}));
}

// Each side re-fitted to the edge pixels within `reach` of it, corners re-intersected: the candidate
// quads are only as exact as polygon simplification; the edges are exact to a pixel. A corner that
// moves more than `wander` means the fit caught something else, and the quad is kept as it was.
Quad refine_to_edges(const cv::Mat& edges, const Quad& q, int reach = 6, double wander = 12,
                     bool nearest_only = false) {
  std::array<cv::Vec4f, 4> lines;
  for (int i = 0; i < 4; ++i) {
    const cv::Point2f a = q[i], b = q[(i + 1) % 4];
    const cv::Point2f dir = (b - a) * static_cast<float>(1.0 / std::max(1.0, side(a, b)));
    const cv::Point2f normal(-dir.y, dir.x);
    std::vector<cv::Point2f> pts;
    const int steps = static_cast<int>(side(a, b));
    for (int k = steps / 10; k < steps - steps / 10; ++k) {
      const cv::Point2f p = a + dir * static_cast<float>(k);
      // `nearest_only`: the edge pixel nearest the side at each step, no other: a rim drawn twice
      // gives two parallel edges (the fit follows the one the side is on), and print near a side
      // adds no weight (nor, on a page full of print, thousands of points to the fit).
      for (int d = 0; d <= 2 * reach; ++d) {
        const int off = d % 2 ? (d + 1) / 2 : -d / 2;
        const cv::Point2f t = p + normal * static_cast<float>(off);
        const int x = static_cast<int>(std::lround(t.x)), y = static_cast<int>(std::lround(t.y));
        if (x >= 0 && y >= 0 && x < edges.cols && y < edges.rows && edges.at<uchar>(y, x)) {
          pts.push_back(t);
          if (nearest_only) break;
        }
      }
    }
    if (pts.size() < 8 || pts.size() < static_cast<size_t>(steps / 3)) return q;
    cv::fitLine(pts, lines[i], cv::DIST_HUBER, 0, 0.01, 0.01);
  }
  Quad out;
  for (int i = 0; i < 4; ++i) {
    const cv::Vec4f& l1 = lines[(i + 3) % 4];  // the side ending at corner i
    const cv::Vec4f& l2 = lines[i];            // the side starting at it
    const double det = l1[0] * l2[1] - l1[1] * l2[0];
    if (std::abs(det) < 1e-6) return q;
    const double t = ((l2[2] - l1[2]) * l2[1] - (l2[3] - l1[3]) * l2[0]) / det;
    out[i] = cv::Point2f(static_cast<float>(l1[2] + t * l1[0]), static_cast<float>(l1[3] + t * l1[1]));
    if (side(out[i], q[i]) > wander) return q;
  }
  return out;
}

// Quads from bright / dark blobs of the (blurred, reduced) photo once thin clutter is opened away.
std::vector<Quad> blob_candidates(const cv::Mat& gray) {
  const double frame = static_cast<double>(gray.cols) * gray.rows;
  const int k = std::max(5, std::min(gray.cols, gray.rows) / 40);
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k));
  const std::array<int, 2> polarities = {cv::THRESH_BINARY, cv::THRESH_BINARY_INV};
  std::array<std::vector<Quad>, 2> found;  // the opening and closing with a round kernel: ~5 ms each
  on_two_threads(polarities.size(), [&](size_t i) {
    cv::Mat mask;
    cv::threshold(gray, mask, 0, 255, polarities[i] | cv::THRESH_OTSU);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    for (const auto& c : contours) {
      if (cv::contourArea(c) >= 0.15 * frame) add_quad_candidates(c, found[i]);
    }
  });
  std::vector<Quad> candidates = std::move(found[0]);
  candidates.insert(candidates.end(), found[1].begin(), found[1].end());
  return candidates;
}

struct EdgeOutline {
  std::optional<std::pair<Quad, double>> best;  // the quad and how card-like x traced it is
  double edge_share = 0;                        // of the frame's pixels, those within 2 px of an edge
};

// The best card-shaped quad traced by the edges that Canny finds between `low` and `high`, in the
// reduced photo's pixels; `candidates` (from the blobs) get the edges' own added.
EdgeOutline outline_in_edges(const cv::Mat& gray, double low, double high, std::vector<Quad> candidates) {
  cv::Mat edges, support, closed;
  cv::Canny(gray, edges, low, high);
  cv::dilate(edges, support, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)));
  cv::dilate(edges, closed, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(closed, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  const double frame = static_cast<double>(gray.cols) * gray.rows;
  for (const auto& c : contours) {
    if (cv::contourArea(c) >= 0.02 * frame || cv::boundingRect(c).area() >= 0.15 * frame)
      add_quad_candidates(c, candidates);
  }

  // A candidate far from a card's size or shape does not become one by refitting its sides, which
  // move them by 30 px at most. Left out before any fit, they keep a page full of print cheap.
  std::erase_if(candidates, [&](const Quad& q) {
    const double aspect = aspect_of(q);
    return cv::contourArea(std::vector<cv::Point2f>(q.begin(), q.end())) < 0.1 * frame || aspect < 1.0 || aspect > 2.6;
  });

  // Where edges are everywhere (noise, texture) any line looks traced: demand far more than chance.
  const double chance = static_cast<double>(cv::countNonZero(support)) / frame;
  EdgeOutline out{std::nullopt, chance};
  std::optional<std::pair<Quad, double>>& best = out.best;
  double best_score = 0;
  auto consider = [&](const Quad& q) {
    const double area = cv::contourArea(std::vector<cv::Point2f>(q.begin(), q.end()));
    if (area < 0.15 * frame || area > 0.98 * frame) return;
    const double likeness = card_likeness(q);
    const double traced = edge_support(support, q);
    if (likeness <= 0 || traced < std::max(0.75, chance + 0.4)) return;
    // Big, card-shaped and traced all round: clutter touching the card makes bigger quads that are
    // only partly traced; a printed band inside the card makes smaller ones of the wrong shape.
    const double score = area * likeness * traced * traced;
    if (score <= best_score) return;
    best_score = score;
    best = {q, likeness * traced};
  };
  // The fits (robust line fits, ~half of the search) side by side; considered in order.
  std::vector<Quad> fitted(candidates.size());
  on_two_threads(candidates.size(), [&](size_t i) { fitted[i] = refine_to_edges(edges, candidates[i]); });
  for (const Quad& q : fitted) consider(q);
  // A rounded corner, or a card edge drawn twice (its rim and its shadow), can put every candidate's
  // sides 10-20 px (work scale) off the outline, out of the fit's reach: only then, a wide and loose
  // fit first. Not always: on a passport page it pulls sides onto the print near the page's edge.
  if (!best) {
    on_two_threads(candidates.size(), [&](size_t i) {
      fitted[i] = refine_to_edges(edges, refine_to_edges(edges, candidates[i], 12, 30, true));
    });
    for (const Quad& q : fitted) consider(q);
  }
  return out;
}

}  // namespace

std::optional<CardLocation> find_card_outline(const cv::Mat& bgr) {
  const double scale = std::min(1.0, static_cast<double>(kWorkSide) / std::max(bgr.cols, bgr.rows));
  cv::Mat small, gray;
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(gray, gray, cv::Size(5, 5), 0);
  const std::vector<Quad> blobs = blob_candidates(gray);
  EdgeOutline found = outline_in_edges(gray, 30, 90, blobs);
  // A dim, washed-out photo (a light card on light paper) leaves the card's rim below the usual
  // thresholds, and few edges at all: 5-11% of the frame near one, where a scan full of print has
  // 18-21%. Only then lower ones: elsewhere they find texture, and cost 40-100 ms on a page of print.
  if (!found.best && found.edge_share < 0.12) found = outline_in_edges(gray, 10, 30, blobs);
  if (!found.best) return std::nullopt;
  CardLocation loc;
  for (int i = 0; i < 4; ++i) loc.quad[i] = found.best->first[i] * static_cast<float>(1.0 / scale);
  loc.confidence = static_cast<float>(found.best->second);
  loc.from_edges = true;
  return loc;
}

namespace {

// Without a visible outline: the extent of the text, grown to the card's margins; or the frame.
CardLocation outline_from_text(const cv::Mat& bgr, const OcrEngine& engine) {
  CardLocation loc;
  const float w = static_cast<float>(bgr.cols - 1), h = static_cast<float>(bgr.rows - 1);
  loc.quad = {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
  std::vector<cv::Point2f> pts;
  // At the card read's own resolution: coarser detection (640, 480 px) lost the small print of
  // far-off cards and with it the extent.
  const std::vector<Quad> lines = engine.detect(bgr, kCardDetectSide);
  for (const Quad& q : lines) pts.insert(pts.end(), q.begin(), q.end());
  if (pts.size() < 8) return loc;
  cv::RotatedRect r = cv::minAreaRect(pts);
  // A scan cropped to the card: the frame itself is card-shaped and the text spans most of it.
  const Quad frame = loc.quad;
  if (card_likeness(frame) > 0.5 && r.size.area() >= 0.35 * w * h) return loc;
  // Text stops short of the card's edge: grow by a margin of ~6% of the card on every side.
  r.size.width *= 1.12f;
  r.size.height *= 1.12f;
  cv::Point2f corners[4];
  r.points(corners);
  Quad q = order_card_corners({corners, corners + 4});
  if (card_likeness(q) <= 0) return loc;
  // The card's lines run along its width: an extent whose long side crosses them has the card's
  // height for its width (rectify_card would read it, find the text on end and read it again).
  const double across =
      std::abs(std::sin(text_axis(lines) * CV_PI / 180.0 - std::atan2(q[1].y - q[0].y, q[1].x - q[0].x)));
  if (across > std::sin(60.0 * CV_PI / 180.0)) q = {q[1], q[2], q[3], q[0]};
  loc.quad = q;
  return loc;
}

}  // namespace

UprightCard rectify_card(const cv::Mat& bgr, const OcrEngine& engine, const CardReading& how,
                         std::vector<Quad>* unread) {
  const auto outline = find_card_outline(bgr);
  return rectify_card(bgr, outline ? *outline : outline_from_text(bgr, engine), engine, how, unread);
}

bool is_long_small_print(const Quad& q) {
  const double length = cv::norm(q[1] - q[0]), height = cv::norm(q[3] - q[0]);
  return height < 0.04 * kCardHeight && length > 0.5 * kCardWidth;
}

UprightCard rectify_card(const cv::Mat& bgr, const CardLocation& location, const OcrEngine& engine,
                         const CardReading& how, std::vector<Quad>* unread) {
  UprightCard card;
  card.location = location;
  const float W = kCardWidth, H = kCardHeight;
  const Quad target = {cv::Point2f(0, 0), cv::Point2f(W, 0), cv::Point2f(W, H), cv::Point2f(0, H)};
  cv::Matx33d to_card = engine::perspective_between(card.location.quad, target);
  cv::warpPerspective(bgr, card.image, cv::Mat(to_card), cv::Size(kCardWidth, kCardHeight), cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);

  RecognizeOptions o;
  o.detect_direction = true;
  o.with_chars = true;  // extractors split merged lines by the layout, character by character
  o.det_max_side = kCardDetectSide;
  // A short value with a thin stroke ("一次") scores 0.5-0.6 over its box and was dropped at 0.6
  // (4 counts over two bench seeds); at 0.5 nothing was lost on either seed or on the passports.
  o.det_box_threshold = 0.5f;
  o.straighten_above = how.straighten_above;
  o.read_part = how.read_part;
  std::vector<Quad> skipped;  // of the last reading
  if (how.read_line) {
    o.read_line = [&](const Quad& q) {
      if (how.read_line(q)) return true;
      skipped.push_back(q);
      return false;
    };
  }
  card.text = engine.recognize(card.image, o);
  if (const float d = card.text.direction; (d > 45.f && d < 135.f) || (d > 225.f && d < 315.f)) {
    // The outline's long side was not the card's width (a frame taken whole, a square-ish outline):
    // start the corners one step later and read again; a 180° turn is settled below.
    const Quad q = card.location.quad;
    card.location.quad = {q[1], q[2], q[3], q[0]};
    to_card = engine::perspective_between(card.location.quad, target);
    cv::warpPerspective(bgr, card.image, cv::Mat(to_card), cv::Size(kCardWidth, kCardHeight), cv::INTER_LINEAR,
                        cv::BORDER_REPLICATE);
    skipped.clear();
    card.text = engine.recognize(card.image, o);
  }
  const float d = card.text.direction;
  if (d > 90.f && d < 270.f) {
    // Upside down: turn the image, the outline and the lines by 180°.
    cv::rotate(card.image, card.image, cv::ROTATE_180);
    const cv::Matx33d turn(-1, 0, W, 0, -1, H, 0, 0, 1);
    to_card = turn * to_card;
    card.location.quad = {card.location.quad[2], card.location.quad[3], card.location.quad[0], card.location.quad[1]};
    for (auto& line : card.text.lines) {
      line.quad = engine::transform_quad(line.quad, turn);
      for (auto& c : line.chars) c.quad = engine::transform_quad(c.quad, turn);
    }
    for (auto& q : skipped) q = engine::transform_quad(q, turn);
    card.text.direction = std::fmod(d + 180.f, 360.f);
  }
  card.to_photo = to_card.inv();
  if (unread) *unread = std::move(skipped);
  return card;
}

namespace {

constexpr float kSureLine = 0.9f;

// The same printed line: both ends and the middle height agree within about half a line height.
bool same_extent(const card_fields::Box& a, const card_fields::Box& b) {
  const float tolerance = 0.6f * std::max(a.height(), b.height());
  return std::abs(a.x0 - b.x0) <= tolerance && std::abs(a.x1 - b.x1) <= tolerance &&
         std::abs(a.cy() - b.cy()) <= tolerance;
}

TextLine mapped(const cv::Matx33d& m, TextLine line) {
  line.quad = engine::transform_quad(line.quad, m);
  for (auto& c : line.chars) c.quad = engine::transform_quad(c.quad, m);
  return line;
}

// Stable: lines at one height keep their reading order.
void sort_top_to_bottom(std::vector<TextLine>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const TextLine& a, const TextLine& b) {
    return card_fields::box_of(a.quad).cy() < card_fields::box_of(b.quad).cy();
  });
}

}  // namespace

UprightCard reread_card(const cv::Mat& bgr, const UprightCard& first, const CardLocation& location,
                        const OcrEngine& engine, const CardReading& how) {
  const float W = kCardWidth, H = kCardHeight;
  const Quad target = {cv::Point2f(0, 0), cv::Point2f(W, 0), cv::Point2f(W, H), cv::Point2f(0, H)};
  const cv::Matx33d first_to_new = engine::perspective_between(location.quad, target) * first.to_photo;
  // Print the new outline enlarges by half was read too blurred to keep: read it all again. (Up to
  // that, lines read with confidence kept their readings in bench/permits on two seeds.)
  const cv::Point2f c(W / 2, H / 2);
  const Quad probe = engine::transform_quad(
      {c, c + cv::Point2f(10, 0), c + cv::Point2f(10, 10), c + cv::Point2f(0, 10)}, first_to_new);
  const double scale = std::sqrt(std::abs((probe[1] - probe[0]).cross(probe[3] - probe[0]))) / 10.0;
  if (scale > 1.5) return rectify_card(bgr, location, engine, how);

  // Lines the first reading saw whole (not cut by its frame's edge) and read without doubt, in the
  // new card's pixels; a doubtful one may read better straightened.
  std::vector<TextLine> carried;
  for (const auto& line : first.text.lines) {
    const card_fields::Box b = card_fields::box_of(line.quad);
    const bool whole = b.x0 >= 2 && b.y0 >= 2 && b.x1 <= W - 2 && b.y1 <= H - 2;
    if (whole && line.confidence >= kSureLine) carried.push_back(mapped(first_to_new, line));
  }
  std::vector<bool> reused(carried.size(), false);
  const auto read_new = [&](const Quad& q) {
    if (how.read_line && !how.read_line(q)) return false;
    const card_fields::Box b = card_fields::box_of(q);
    for (size_t i = 0; i < carried.size(); ++i) {
      if (!reused[i] && same_extent(b, card_fields::box_of(carried[i].quad))) {
        reused[i] = true;
        return false;
      }
    }
    return true;
  };
  CardReading carrying = how;
  carrying.read_line = read_new;
  UprightCard card = rectify_card(bgr, location, engine, carrying);
  // Turned while reading: the lines carried over are in the wrong frame.
  if (const float d = card.text.direction; d > 45.f && d < 315.f) return rectify_card(bgr, location, engine, how);
  for (size_t i = 0; i < carried.size(); ++i) {
    if (reused[i]) card.text.lines.push_back(std::move(carried[i]));
  }
  sort_top_to_bottom(card.text.lines);
  return card;
}

void read_card_lines(const cv::Mat& card_image, const std::vector<Quad>& lines, const OcrEngine& engine,
                     std::vector<TextLine>& into) {
  if (lines.empty()) return;
  RecognizeOptions o;
  o.with_chars = true;
  for (TextLine& line : engine.read_lines(card_image, lines, o)) into.push_back(std::move(line));
  sort_top_to_bottom(into);
}

Quad card_to_photo(const UprightCard& card, const Quad& quad) {
  return engine::transform_quad(quad, card.to_photo);
}

}  // namespace ocrserve
