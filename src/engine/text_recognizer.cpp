#include "engine/text_recognizer.h"

#include "engine/tensor_prep.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <thread>

#include <opencv2/imgproc.hpp>

namespace ocrserve::engine {

struct TextRecognizer::Prepared {
  cv::Mat resized;    // height x width BGR
  float scale = 1;    // crop pixels per resized pixel
  size_t source = 0;  // index of the crop
  float offset = 0;   // x of this segment in the crop (crop pixels)
  bool segment = false;
};

TextRecognizer::TextRecognizer(const std::string& model_path, const std::string& dictionary_path,
                               RecognizerParams params)
    : model_(model_path, 1), decoder_(CtcDecoder::from_dictionary_file(dictionary_path)), params_(params) {}

namespace {
cv::Mat resize_to_height(const cv::Mat& crop, int height, double width_scale) {
  const double ratio = static_cast<double>(crop.cols) / std::max(1, crop.rows);
  const int w = std::max(8, static_cast<int>(std::ceil(height * ratio * width_scale)));
  cv::Mat out;
  cv::resize(crop, out, cv::Size(w, height), 0, 0, cv::INTER_LINEAR);
  return out;
}

// Joins segment readings: a character whose centre lies in the overlap belongs to the segment
// whose centre it is closer to.
LineReading merge_segments(std::vector<std::pair<float, LineReading>> parts, float segment_width) {
  LineReading merged;
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  float sum = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const float lo = i == 0 ? -1e9f : (parts[i].first + parts[i - 1].first + segment_width) / 2.f;
    const float hi = i + 1 == parts.size() ? 1e9f : (parts[i].first + segment_width + parts[i + 1].first) / 2.f;
    for (const ReadChar& c : parts[i].second.chars) {
      const float centre = (c.x0 + c.x1) / 2.f;
      if (centre < lo || centre >= hi) continue;
      merged.chars.push_back(c);
      merged.text += c.text;
      sum += c.confidence;
    }
  }
  merged.confidence = merged.chars.empty() ? 0.f : sum / merged.chars.size();
  return merged;
}
}  // namespace

std::vector<std::pair<size_t, size_t>> TextRecognizer::plan_groups(const std::vector<Prepared>& items,
                                                                   const std::vector<size_t>& order) const {
  // Measured on this model with ONNX Runtime on CPU: a batch saves the per-call overhead (~10% on
  // short lines) but costs more per column once it exceeds ~800 padded columns, and padding is
  // pure waste. So: neighbours in width order, at most 5% padding, at most kMaxColumns.
  constexpr int kMaxColumns = 768;
  constexpr double kMaxPadding = 1.05;
  std::vector<std::pair<size_t, size_t>> groups;
  const size_t limit = params_.batching ? static_cast<size_t>(std::max(1, params_.batch_size)) : 1;
  for (size_t begin = 0; begin < order.size();) {
    const int first = items[order[begin]].resized.cols;
    size_t end = begin + 1;
    while (end < order.size() && end - begin < limit) {
      const int w = items[order[end]].resized.cols;
      if (w > kMaxPadding * first || static_cast<int>(end - begin + 1) * w > kMaxColumns) break;
      ++end;
    }
    groups.emplace_back(begin, end);
    begin = end;
  }
  return groups;
}

void TextRecognizer::run_batch(const std::vector<Prepared>& items, const std::vector<size_t>& order, size_t begin,
                               size_t end, const std::vector<bool>* allowed, std::vector<LineReading>& out) const {
  const int h = params_.height;
  int width = 8;
  for (size_t i = begin; i < end; ++i) width = std::max(width, items[order[i]].resized.cols);
  width = (width + 7) / 8 * 8;
  const int n = static_cast<int>(end - begin);
  // Padding stays 0, which is mid-grey after the (x/255 - 0.5)/0.5 normalization, as in training.
  std::vector<float> input(static_cast<size_t>(n) * 3 * h * width, 0.f);
  for (int b = 0; b < n; ++b) {
    write_planar(items[order[begin + b]].resized, input.data() + static_cast<size_t>(b) * 3 * h * width, width,
                 kUnitScale, kUnitOffset);
  }
  const Tensor result = model_.run(input.data(), {n, 3, h, width});
  const int steps = static_cast<int>(result.shape[1]), classes = static_cast<int>(result.shape[2]);
  const float step_width = static_cast<float>(width) / steps;
  for (int b = 0; b < n; ++b) {
    const Prepared& item = items[order[begin + b]];
    const CtcResult decoded =
        decoder_.decode(result.data.data() + static_cast<size_t>(b) * steps * classes, steps, classes, allowed);
    const auto spans = char_spans(decoded.chars, step_width, static_cast<float>(item.resized.cols));
    LineReading reading;
    reading.text = decoded.text;
    reading.confidence = decoded.confidence;
    for (size_t i = 0; i < decoded.chars.size(); ++i) {
      reading.chars.push_back({decoded.chars[i].text, item.offset + spans[i].x0 * item.scale,
                               item.offset + spans[i].x1 * item.scale, decoded.chars[i].confidence});
    }
    out[order[begin + b]] = std::move(reading);
  }
}

std::vector<LineReading> TextRecognizer::read(const std::vector<cv::Mat>& crops, const std::string& alphabet,
                                              double width_scale) const {
  const std::vector<bool> mask = alphabet.empty() ? std::vector<bool>{} : decoder_.mask_for(alphabet);
  const std::vector<bool>* allowed = alphabet.empty() ? nullptr : &mask;
  // Long lines are cut into overlapping segments: the model drops characters on very wide inputs.
  std::vector<Prepared> items;
  std::vector<float> scales(crops.size(), 1.f);
  const int seg_w = params_.max_width, overlap = params_.height * 2;
  for (size_t i = 0; i < crops.size(); ++i) {
    cv::Mat resized = resize_to_height(crops[i], params_.height, width_scale > 0 ? width_scale : params_.width_scale);
    const float scale = static_cast<float>(crops[i].cols) / resized.cols;
    scales[i] = scale;
    if (resized.cols <= seg_w) {
      items.push_back({std::move(resized), scale, i, 0.f, false});
      continue;
    }
    for (int x = 0;; x += seg_w - overlap) {
      const int w = std::min(seg_w, resized.cols - x);
      items.push_back({resized(cv::Rect(x, 0, w, params_.height)).clone(), scale, i, x * scale, true});
      if (x + w >= resized.cols) break;
    }
  }
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return items[a].resized.cols < items[b].resized.cols; });
  std::vector<LineReading> per_item(items.size());
  const std::vector<std::pair<size_t, size_t>> groups = plan_groups(items, order);
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (size_t k = next++; k < groups.size(); k = next++) {
      const auto& [begin, end] = groups[groups.size() - 1 - k];  // widest first: the last to start is short
      try {
        run_batch(items, order, begin, end, allowed, per_item);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        failure = std::current_exception();
      }
    }
  };
  const size_t workers = params_.batching ? static_cast<size_t>(std::max(1, params_.workers)) : 1;
  const size_t helpers = groups.size() > 1 ? std::min(groups.size(), workers) - 1 : 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < helpers; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);

  std::vector<LineReading> out(crops.size());
  std::vector<std::vector<std::pair<float, LineReading>>> segments(crops.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].segment) {
      segments[items[i].source].emplace_back(items[i].offset, std::move(per_item[i]));
    } else {
      out[items[i].source] = std::move(per_item[i]);
    }
  }
  for (size_t i = 0; i < crops.size(); ++i) {
    if (!segments[i].empty()) {
      out[i] = merge_segments(std::move(segments[i]), seg_w * scales[i]);
    }
  }
  return out;
}

}  // namespace ocrserve::engine
