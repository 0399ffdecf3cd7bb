#include <malloc.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>

#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "engine/geometry.h"
#include "engine/line_classifier.h"
#include "engine/tesseract_recognizer.h"
#include "engine/text_detector.h"
#include "engine/text_recognizer.h"
#include "ocrserve/engine.h"
#include "ocrserve/error.h"

namespace ocrserve {

using namespace engine;

void keep_inference_buffers_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's ceiling for this setting
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // glibc gives threads arenas of their own, up to 8 per core, and the recognizer's short-lived
  // helper threads drift over all of them: each keeps its own free memory. One per core kept RSS
  // flat over 500 recognitions (+0.0% vs +12% with glibc's default, bench_general_text --only rss).
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

void keep_image_operations_on_calling_threads() {
  cv::setNumThreads(0);
}

bool threads_fit_cores(int callers, int threads) {
  return static_cast<long>(callers) * threads <= static_cast<long>(std::max(1u, std::thread::hardware_concurrency()));
}

const std::vector<std::pair<std::string, std::string>>& tesseract_languages() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"ms", "msa"}, {"uk", "ukr"}, {"hi", "hin"}, {"ru", "rus"}, {"vi", "vie"}, {"id", "ind"}, {"th", "tha"},
      {"ar", "ara"}, {"de", "deu"}, {"la", "lat"}, {"fr", "fra"}, {"it", "ita"}, {"es", "spa"}, {"pt", "por"},
      {"ro", "ron"}, {"pl", "pol"}, {"am", "amh"}, {"ja", "jpn"}, {"ko", "kor"}, {"tr", "tur"}, {"no", "nor"},
      {"da", "dan"}, {"sv", "swe"}, {"km", "khm"}, {"he", "heb"}};
  return table;
}

namespace {

constexpr float kDropScore = 0.5f;  // lines read with less confidence are noise, as in PP-OCR

bool is_ppocr_language(const std::string& language) {
  return language.empty() || language == "zh" || language == "en" || language == "auto";
}

std::string tesseract_name(const std::string& language) {
  for (const auto& [iso, tess] : tesseract_languages()) {
    if (iso == language) return tess;
  }
  return {};
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

bool is_tall(const Quad& q) {
  return edge_length(q[0], q[3]) >= 1.5f * edge_length(q[0], q[1]);
}

// Boxes found near the border of a straightened page can reach past the original image.
Quad clamp_quad(Quad q, cv::Size size) {
  for (auto& p : q) {
    p.x = std::clamp(p.x, 0.f, static_cast<float>(size.width - 1));
    p.y = std::clamp(p.y, 0.f, static_cast<float>(size.height - 1));
  }
  return q;
}

// scripts/setup writes each model's fused rewrite (scripts/fuse_models.py) beside it: the same
// outputs in fewer passes. A directory holding only the originals still works.
std::string model_path(const EngineOptions& o, const std::string& stem) {
  const std::string fused = o.model_dir + "/" + stem + ".fused.onnx";
  if (o.fused_models && std::filesystem::exists(fused)) return fused;
  return o.model_dir + "/" + stem + ".onnx";
}

// A reading as a TextLine in the input's pixels; nullopt for noise (nothing read, or unsure).
std::optional<TextLine> text_line(const LineReading& r, const cv::Mat& crop, const Quad& quad,
                                  const cv::Matx23d& to_original, cv::Size size, bool with_chars) {
  if (r.text.empty() || r.confidence < kDropScore) return std::nullopt;
  TextLine line;
  line.text = r.text;
  line.confidence = r.confidence;
  line.quad = clamp_quad(transform_quad(quad, to_original), size);
  if (with_chars) {
    const float width = std::max(1, crop.cols);
    for (const ReadChar& c : r.chars) {
      if (c.text == " ") continue;
      line.chars.push_back({c.text, quad_slice(line.quad, c.x0 / width, c.x1 / width), c.confidence});
    }
  }
  return line;
}

float reading_score(const LineReading& r) {
  return r.confidence * static_cast<float>(r.chars.size());
}

}  // namespace

struct OcrEngine::Impl {
  EngineOptions options;
  TextDetector detector;
  LineClassifier classifier;
  TextRecognizer recognizer;
  mutable std::mutex tesseract_mutex;
  mutable std::map<std::string, std::unique_ptr<TesseractRecognizer>> tesseract;  // loaded on first use

  explicit Impl(const EngineOptions& o)
      : options(o),
        detector(
            model_path(o, "ch_PP-OCRv4_det_infer"), o.threads, o.spin_within_runs, o.det_max_side,
            DbParams{o.det_threshold, o.det_box_threshold, o.det_unclip_ratio, o.det_min_size, o.det_max_candidates}),
        classifier(model_path(o, "ch_ppocr_mobile_v2.0_cls_infer"), o.threads, o.spin_within_runs),
        recognizer(model_path(o, "ch_PP-OCRv4_rec_infer"), o.model_dir + "/ppocr_keys_v1.txt",
                   RecognizerParams{o.rec_height, o.rec_batch_size, o.rec_max_width, o.rec_batching, o.rec_width_scale,
                                    o.threads}) {}

  const LineRecognizer& recognizer_for(const std::string& language) const {
    if (is_ppocr_language(language)) return recognizer;
    const std::string tess = tesseract_name(language);
    if (tess.empty() || !tesseract_has_language(options.tessdata_dir, tess)) {
      throw Error(codes::kInvalidParameter, "language '" + language + "' is not supported by this server");
    }
    std::lock_guard lock(tesseract_mutex);
    auto& slot = tesseract[tess];
    if (!slot) slot = std::make_unique<TesseractRecognizer>(options.tessdata_dir, tess);
    return *slot;
  }

  std::vector<LineReading> read(const LineRecognizer& rec, const cv::Mat& image, const std::vector<Quad>& quads,
                                std::vector<cv::Mat>* crops_out = nullptr, const std::string& alphabet = {},
                                double width_scale = 0) const {
    std::vector<cv::Mat> crops;
    crops.reserve(quads.size());
    for (const auto& q : quads) crops.push_back(crop_quad(image, q));
    auto readings = rec.read(crops, alphabet, width_scale);
    if (crops_out) *crops_out = std::move(crops);
    return readings;
  }

  // Decides which way each line reads: tall lines both ways, flagged lines both ways.
  void orient_lines(const LineRecognizer& rec, const cv::Mat& image, std::vector<Quad>& quads, bool per_line,
                    EngineTimings& t) const {
    std::vector<size_t> ambiguous;
    std::vector<Quad> alternatives;
    std::vector<size_t> flat;
    for (size_t i = 0; i < quads.size(); ++i) {
      if (is_tall(quads[i])) {
        quads[i] = rotate_reading(quads[i], 3);  // reads bottom-to-top: the page turned anticlockwise
        ambiguous.push_back(i);
        alternatives.push_back(rotate_reading(quads[i], 2));
      } else if (per_line) {
        flat.push_back(i);
      }
    }
    if (!flat.empty()) {
      const auto start = std::chrono::steady_clock::now();
      std::vector<cv::Mat> crops;
      for (size_t i : flat) crops.push_back(crop_quad(image, quads[i]));
      const auto directions = classifier.classify(crops);
      for (size_t k = 0; k < flat.size(); ++k) {
        if (directions[k].flipped && directions[k].confidence >= options.cls_threshold) {
          ambiguous.push_back(flat[k]);
          alternatives.push_back(rotate_reading(quads[flat[k]], 2));
        }
      }
      t.classify_ms += elapsed_ms(start);
    }
    if (ambiguous.empty()) return;
    // The classifier flips clean lines now and then: the recognizer's confidence has the last word.
    const auto start = std::chrono::steady_clock::now();
    std::vector<Quad> both;
    for (size_t k = 0; k < ambiguous.size(); ++k) {
      both.push_back(quads[ambiguous[k]]);
      both.push_back(alternatives[k]);
    }
    const auto readings = read(rec, image, both);
    for (size_t k = 0; k < ambiguous.size(); ++k) {
      if (reading_score(readings[2 * k + 1]) > reading_score(readings[2 * k])) quads[ambiguous[k]] = alternatives[k];
    }
    t.classify_ms += elapsed_ms(start);
  }

  // Page orientation by reading a sample of lines both ways.
  bool page_is_upside_down(const LineRecognizer& rec, const cv::Mat& image, const std::vector<Quad>& quads) const {
    std::vector<size_t> order(quads.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return edge_length(quads[a][0], quads[a][1]) > edge_length(quads[b][0], quads[b][1]);
    });
    order.resize(std::min<size_t>(order.size(), 8));
    // A long line says as much as its first dozen characters: read at most 16 heights of each.
    std::vector<Quad> sample;
    for (size_t i : order) {
      const Quad& q = quads[i];
      const float length = edge_length(q[0], q[1]), height = std::max(1.f, edge_length(q[0], q[3]));
      sample.push_back(length > 16 * height ? quad_slice(q, 0.5f - 8 * height / length, 0.5f + 8 * height / length)
                                            : q);
    }
    // The direction classifier settles a clear majority cheaply; a split vote is read both ways.
    // The four longest lines first: when all four are sure and agree (most pages), the other four
    // are not classified (~1 ms a line).
    constexpr size_t kFirst = 4;
    size_t up = 0, down = 0;
    const auto classify = [&](size_t begin, size_t end) {
      std::vector<cv::Mat> crops;
      for (size_t i = begin; i < end; ++i) crops.push_back(crop_quad(image, sample[i]));
      for (const Direction& v : classifier.classify(crops)) {
        if (v.confidence >= options.cls_threshold) (v.flipped ? down : up)++;
      }
    };
    const size_t first = std::min(kFirst, sample.size());
    classify(0, first);
    if (sample.size() > kFirst && (up == kFirst || down == kFirst)) return down == kFirst;
    classify(first, sample.size());
    if (sample.size() >= 3 && down == 0 && up * 4 >= sample.size() * 3) return false;
    if (sample.size() >= 3 && up == 0 && down * 4 >= sample.size() * 3) return true;
    std::vector<Quad> both;
    for (const Quad& q : sample) {
      both.push_back(q);
      both.push_back(rotate_reading(q, 2));
    }
    const auto readings = read(rec, image, both);
    float upright = 0, flipped = 0;
    for (size_t k = 0; k < sample.size(); ++k) {
      upright += reading_score(readings[2 * k]);
      flipped += reading_score(readings[2 * k + 1]);
    }
    return flipped > upright;
  }
};

double text_axis(const std::vector<Quad>& lines) {
  double c = 0, s = 0;
  for (const Quad& q : lines) {
    const cv::Point2f top = q[1] - q[0], side = q[3] - q[0];
    const float lt = static_cast<float>(cv::norm(top)), ls = static_cast<float>(cv::norm(side));
    if (std::max(lt, ls) < 1.5f * std::min(lt, ls)) continue;  // too square to tell
    const cv::Point2f axis = lt >= ls ? top : side;
    const double a = 2.0 * std::atan2(axis.y, axis.x);  // doubled: a line and its reverse agree
    const double w = std::max(lt, ls);
    c += w * std::cos(a);
    s += w * std::sin(a);
  }
  if (c == 0 && s == 0) return 0;
  double deg = std::atan2(s, c) / 2.0 * 180.0 / CV_PI;  // (-90, 90]
  if (deg <= -90) deg += 180;
  return deg;
}

OcrEngine::OcrEngine(const EngineOptions& options) {
  EngineOptions o = options;
  if (o.model_dir.empty()) o.model_dir = OCRSERVE_DEFAULT_MODEL_DIR;
  impl_ = std::make_unique<Impl>(o);
}

OcrEngine::~OcrEngine() = default;

const EngineOptions& OcrEngine::options() const {
  return impl_->options;
}

bool OcrEngine::supports_language(const std::string& language) const {
  if (is_ppocr_language(language)) return true;
  const std::string tess = tesseract_name(language);
  return !tess.empty() && tesseract_has_language(impl_->options.tessdata_dir, tess);
}

namespace {

// Rows of lines whose centres are within half a line height, top to bottom, left to right within a
// row. Keys are in the reading frame (upright text).
std::vector<std::pair<size_t, int>> reading_order(const std::vector<Quad>& upright) {
  struct Item {
    size_t index;
    float cx, cy, h;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < upright.size(); ++i) {
    const auto& q = upright[i];
    const cv::Point2f c = (q[0] + q[1] + q[2] + q[3]) * 0.25f;
    items.push_back({i, c.x, c.y, std::max(1.f, (edge_length(q[0], q[3]) + edge_length(q[1], q[2])) / 2)});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.cy < b.cy; });
  std::vector<std::vector<Item>> rows;
  for (const Item& it : items) {
    if (!rows.empty()) {
      const Item& anchor = rows.back().front();
      if (std::abs(it.cy - anchor.cy) < 0.5f * std::min(it.h, anchor.h)) {
        rows.back().push_back(it);
        continue;
      }
    }
    rows.push_back({it});
  }
  std::vector<std::pair<size_t, int>> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::sort(rows[r].begin(), rows[r].end(), [](const Item& a, const Item& b) { return a.cx < b.cx; });
    for (const Item& it : rows[r]) out.emplace_back(it.index, static_cast<int>(r));
  }
  return out;
}

}  // namespace

std::vector<Quad> OcrEngine::detect(const cv::Mat& bgr, int max_side) const {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(codes::kImageNotSupported, "the image is empty or not 8-bit colour");
  std::vector<Quad> quads;
  for (const auto& b : impl_->detector.detect(bgr, max_side)) quads.push_back(b.quad);
  return quads;
}

PageText OcrEngine::recognize(const cv::Mat& bgr, const RecognizeOptions& options, EngineTimings* timings) const {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(codes::kImageNotSupported, "the image is empty or not 8-bit colour");
  EngineTimings local;
  EngineTimings& t = timings ? *timings : local;
  const LineRecognizer& rec = impl_->recognizer_for(options.language);
  PageText page;

  cv::Mat work = bgr;
  cv::Matx23d to_work(1, 0, 0, 0, 1, 0);
  std::vector<Quad> quads;
  bool upside_down = false;
  double axis = 0;

  if (options.single_line) {
    const float w = static_cast<float>(bgr.cols), h = static_cast<float>(bgr.rows);
    quads.push_back({cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)});
  } else {
    auto start = std::chrono::steady_clock::now();
    auto boxes = impl_->detector.detect(bgr, options.det_max_side, options.det_box_threshold);
    if (options.detect_direction) {
      std::vector<Quad> lines;
      for (const auto& b : boxes) lines.push_back(b.quad);
      axis = text_axis(lines);
      if (std::abs(axis) > options.straighten_above) {
        // Straighten the page and detect again: DB boxes are tightest on horizontal lines.
        work = rotate_expanded(bgr, axis, to_work);
        boxes = impl_->detector.detect(work, options.det_max_side, options.det_box_threshold);
      }
    }
    t.detect_ms += elapsed_ms(start);
    for (const auto& b : boxes) quads.push_back(b.quad);
  }

  if (options.detect_direction && !quads.empty()) {
    const auto start = std::chrono::steady_clock::now();
    upside_down = impl_->page_is_upside_down(rec, work, quads);
    if (upside_down) {
      for (auto& q : quads) q = rotate_reading(q, 2);
    }
    t.classify_ms += elapsed_ms(start);
    double direction = std::fmod(axis + (upside_down ? 180.0 : 0.0) + 360.0, 360.0);
    direction = std::round(direction * 10000.0) / 10000.0;
    page.direction = static_cast<float>(direction >= 360.0 ? direction - 360.0 : direction);
  } else if (!options.single_line) {
    impl_->orient_lines(rec, work, quads, options.per_line_orientation, t);
  } else if (is_tall(quads[0])) {
    impl_->orient_lines(rec, work, quads, false, t);
  }

  const cv::Matx23d to_original = invert_affine(to_work);
  if (options.read_line) {
    std::erase_if(quads, [&](const Quad& q) { return !options.read_line(transform_quad(q, to_original)); });
  }
  if (options.read_part) {
    for (Quad& q : quads) q = transform_quad(options.read_part(transform_quad(q, to_original)), to_work);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<cv::Mat> crops;
  const auto readings = impl_->read(rec, work, quads, &crops, options.alphabet, options.width_scale);
  t.recognize_ms += elapsed_ms(start);

  // Reading order in the upright frame of the page.
  std::vector<Quad> upright = quads;
  if (upside_down) {
    for (auto& q : upright) {
      for (auto& p : q) p = -p;
    }
  }
  for (const auto& [i, row] : reading_order(upright)) {
    if (auto line = text_line(readings[i], crops[i], quads[i], to_original, bgr.size(), options.with_chars)) {
      line->row = row;
      page.lines.push_back(std::move(*line));
    }
  }
  return page;
}

std::vector<TextLine> OcrEngine::read_lines(const cv::Mat& bgr, const std::vector<Quad>& lines,
                                            const RecognizeOptions& options) const {
  if (bgr.empty() || bgr.type() != CV_8UC3)
    throw Error(codes::kImageNotSupported, "the image is empty or not 8-bit colour");
  std::vector<cv::Mat> crops;
  const auto readings =
      impl_->read(impl_->recognizer_for(options.language), bgr, lines, &crops, options.alphabet, options.width_scale);
  const cv::Matx23d identity(1, 0, 0, 0, 1, 0);
  std::vector<TextLine> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (auto line = text_line(readings[i], crops[i], lines[i], identity, bgr.size(), options.with_chars))
      out.push_back(std::move(*line));
  }
  return out;
}

}  // namespace ocrserve
