#pragma once
// The OCR engine: image -> text lines with quads, per-character boxes and confidences.
// Knows nothing of HTTP or documents. One OcrEngine is loaded once and shared by every caller:
// recognize() is const and re-entrant.
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace ocrserve {

// Four points; for a text line p0->p1 is the reading direction along the top edge, then p2, p3
// (clockwise). For upright text that is top-left, top-right, bottom-right, bottom-left.
using Quad = std::array<cv::Point2f, 4>;

struct EngineOptions {
  std::string model_dir;     // empty: the directory scripts/setup fills
  std::string tessdata_dir;  // empty: Tesseract's default
  // Load `<model>.fused.onnx` where model_dir has it (scripts/fuse_models.py: the same outputs,
  // ~20% faster on CPU); false: always the original `<model>.onnx`.
  bool fused_models = true;
  // Threads one request may use: the detector runs with this many intra-op threads, the
  // recognizer runs this many single-threaded batches side by side. Callers x threads <= cores.
  int threads = 1;
  // With threads > 1: the detector's and classifier's pool threads spin between operators within a
  // run (~3% faster requests on this project's VM) instead of sleeping. Leave it on only while
  // callers x threads <= cores: a spinning thread holds a core another caller could use.
  bool spin_within_runs = true;
  int det_max_side = 960;      // detector input cap (memory grows with the largest input)
  float det_threshold = 0.3f;  // probability -> text pixel
  float det_box_threshold = 0.6f;
  float det_unclip_ratio = 1.5f;
  int det_min_size = 3;
  int det_max_candidates = 1000;
  int rec_height = 48;
  int rec_batch_size = 8;
  int rec_max_width = 1600;  // wider crops are read in overlapping segments
  // Horizontal squeeze of line crops before recognition. Time is linear in width; 0.8 saved 20%
  // at no measurable loss on clean text and -0.3 points on degraded pages (bench/general_text).
  double rec_width_scale = 0.8;
  bool rec_batching = true;  // false: one line per inference (the peer's way; for benchmarks)
  float cls_threshold = 0.9f;
};

struct CharBox {
  std::string text;  // one UTF-8 character
  Quad quad{};
  float confidence = 0.f;
};

struct TextLine {
  std::string text;
  Quad quad{};
  float confidence = 0.f;
  int row = 0;                 // lines with the same row share a visual text line
  std::vector<CharBox> chars;  // filled when RecognizeOptions::with_chars
};

struct RecognizeOptions {
  // Find the page orientation (0/90/180/270 and any skew) before reading; reports direction.
  bool detect_direction = false;
  // With detect_direction: text leaning more than this (degrees) is straightened and detected
  // again (DB boxes are tightest on level lines); below it, the lines are read as they lean.
  double straighten_above = 1.0;
  // Lines may each have their own orientation (checked per line); false: one for the page.
  bool per_line_orientation = true;
  // The whole image is one text line: skip detection.
  bool single_line = false;
  bool with_chars = false;
  // Detector input cap for this call (0: EngineOptions::det_max_side). Documents of known size
  // whose smallest text is large enough trade resolution for speed.
  int det_max_side = 0;
  // Mean text probability inside a detected box to keep it, for this call (0: the engine's
  // EngineOptions::det_box_threshold).
  float det_box_threshold = 0;
  // Characters that may be read (UTF-8), e.g. "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<" for a
  // machine-readable zone; empty: every character of the model. PP-OCR only.
  std::string alphabet;
  // Horizontal squeeze of the line crops for this call's final reading (0: EngineOptions::
  // rec_width_scale; the page orientation vote keeps the default): print whose narrow characters
  // the default squeeze loses (a machine line's I's) is read wider.
  double width_scale = 0;
  // When set, only the detected lines it accepts are read and returned (quads in input pixels,
  // reading direction p0->p1): a document reader skips print it takes no field from.
  std::function<bool(const Quad&)> read_line;
  // When set, each line read is read only over the part of it this returns (same pixels and
  // direction as read_line's): a document reader skips the half of a line no field comes from.
  std::function<Quad(const Quad&)> read_part;
  // "" / "zh" / "en" / "auto": PP-OCR; others (ISO 639-1: th, vi, es, km, ...): Tesseract.
  std::string language;
};

struct PageText {
  std::vector<TextLine> lines;  // reading order: top-to-bottom, left-to-right
  float direction = -1.f;       // anticlockwise rotation of the page in degrees [0, 360), -1 when not asked
};

// Stage timings of one call, for benchmarks and access logs.
struct EngineTimings {
  double detect_ms = 0, classify_ms = 0, recognize_ms = 0;
};

class OcrEngine {
 public:
  explicit OcrEngine(const EngineOptions& options = {});
  ~OcrEngine();
  OcrEngine(const OcrEngine&) = delete;
  OcrEngine& operator=(const OcrEngine&) = delete;

  PageText recognize(const cv::Mat& bgr, const RecognizeOptions& options = {}, EngineTimings* timings = nullptr) const;

  // Reads the given lines (quads in `bgr`'s pixels, reading direction p0->p1) side by side, with no
  // detection or orientation: `with_chars`, `alphabet` and `language` of `options` apply. Lines read
  // as nothing or with little confidence are left out; the rest keep their order.
  std::vector<TextLine> read_lines(const cv::Mat& bgr, const std::vector<Quad>& lines,
                                   const RecognizeOptions& options = {}) const;

  // Text detection alone: the line quads, unordered and unread (`max_side` as RecognizeOptions).
  std::vector<Quad> detect(const cv::Mat& bgr, int max_side = 0) const;

  // True when `language` is served (PP-OCR or an installed Tesseract language pack).
  bool supports_language(const std::string& language) const;
  const EngineOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The direction detected lines run in, in degrees (-90, 90]: their long sides, weighted by length
// (boxes too square to tell left out); 0 when no line tells.
double text_axis(const std::vector<Quad>& lines);

// Whether `callers` recognitions at once with `threads` each fit this machine's cores: the condition
// for EngineOptions::spin_within_runs.
bool threads_fit_cores(int callers, int threads);

// Process-wide malloc tuning for programs that run the engine; call once at start-up. ONNX Runtime
// (its arena is off: it grew by doubling and never gave memory back) allocates every tensor with
// malloc, and glibc served each large one with a fresh mmap: a page fault per page, every call
// (~8% of a permit's time). Tensors up to 32 MB now reuse the heap's free memory, in one malloc
// arena per core; the server gives it back when its workers have been idle for a second (malloc_trim).
void keep_inference_buffers_in_heap();

// Process-wide, once at start-up too: OpenCV's image operations run on the thread that calls them.
// Its own pool (TBB on Debian) adds a worker per core beside EngineOptions::threads, and those
// workers are still winding down when the process exits, where they raced LeakSanitizer's exit
// check (the sanitizer build's CLI test aborted once). Cost: +2.9 ms median per photographed
// permit through HTTP (bench/latency.sh, paired), 2%.
void keep_image_operations_on_calling_threads();

// Languages of the General Text contract and the Tesseract pack each maps to.
const std::vector<std::pair<std::string, std::string>>& tesseract_languages();

}  // namespace ocrserve
