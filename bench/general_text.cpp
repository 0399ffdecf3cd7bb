// bench/general_text: character accuracy, line recall and latency of General Text on synthetic
// images with exact ground truth, for a fixed seed; then speed (batched vs line-at-a-time),
// throughput with concurrent callers and memory after many recognitions. Prints markdown tables.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ocrserve/engine.h"
#include "ocrserve/general_text.h"
#include "synth.h"
#include "text_metrics.h"

namespace {

struct Args {
  std::uint64_t seed = 20261121;
  int count = 12;  // images per class and condition
  int threads = 2;
  int speed_runs = 15;
  int throughput_seconds = 20;
  int rss_runs = 500;
  bool accuracy = true, orientation = true, speed = true, rss = true;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
    if (f == "--seed")
      a.seed = std::stoull(next());
    else if (f == "--count")
      a.count = std::stoi(next());
    else if (f == "--threads")
      a.threads = std::stoi(next());
    else if (f == "--speed-runs")
      a.speed_runs = std::stoi(next());
    else if (f == "--throughput-seconds")
      a.throughput_seconds = std::stoi(next());
    else if (f == "--rss-runs")
      a.rss_runs = std::stoi(next());
    else if (f == "--only") {
      const std::string what = next();
      a.accuracy = what == "accuracy";
      a.orientation = what == "orientation";
      a.speed = what == "speed";
      a.rss = what == "rss";
    } else if (f == "--quick") {
      a.count = 3;
      a.speed_runs = 5;
      a.throughput_seconds = 5;
      a.rss_runs = 100;
    } else {
      std::cerr << "usage: bench_general_text [--seed S] [--count N] [--threads T] [--speed-runs N]\n"
                   "       [--throughput-seconds S] [--rss-runs N] [--only accuracy|orientation|speed|rss] [--quick]\n";
      std::exit(2);
    }
  }
  return a;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<bench::TruthLine> truth_of(const synth::Sample& s) {
  std::vector<bench::TruthLine> t;
  for (const auto& l : s.lines) t.push_back({l.text, l.quad});
  return t;
}

using synth::render;

void accuracy_table(const ocrserve::OcrEngine& engine, const Args& a) {
  const ocrserve::GeneralTextExtractor extractor(engine);
  std::printf("\n### Accuracy (seed %llu, %d images per row, %d threads)\n\n", static_cast<unsigned long long>(a.seed),
              a.count, a.threads);
  std::printf("| class | condition | char accuracy | lines found | lines exact | p50 ms | p95 ms |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  const synth::Kind kinds[] = {synth::Kind::Page, synth::Kind::Receipt, synth::Kind::Screenshot, synth::Kind::Card,
                               synth::Kind::Line};
  for (bool degrade : {false, true}) {
    bench::TextScore total;
    for (synth::Kind kind : kinds) {
      bench::TextScore score;
      std::vector<double> ms;
      for (int i = 0; i < a.count; ++i) {
        const auto sample = render(kind, a.seed + static_cast<std::uint64_t>(i) * 7919, degrade);
        ocrserve::GeneralTextRequest req;
        req.quick_mode = kind == synth::Kind::Line;
        const auto t0 = std::chrono::steady_clock::now();
        const auto result = extractor.extract(sample.image, req);
        ms.push_back(ms_since(t0));
        score.add(bench::score_page(truth_of(sample), result.blocks));
      }
      total.add(score);
      std::printf("| %s | %s | %.2f%% | %.1f%% | %.1f%% | %.0f | %.0f |\n", synth::kind_name(kind),
                  degrade ? "degraded" : "clean", 100 * score.char_accuracy(),
                  100.0 * score.lines_found / std::max(1, score.truth_lines),
                  100.0 * score.lines_exact / std::max(1, score.truth_lines), bench::percentile(ms, 50),
                  bench::percentile(ms, 95));
      std::fflush(stdout);
    }
    std::printf("| **all** | **%s** | **%.2f%%** | %.1f%% | %.1f%% | | |\n", degrade ? "degraded" : "clean",
                100 * total.char_accuracy(), 100.0 * total.lines_found / std::max(1, total.truth_lines),
                100.0 * total.lines_exact / std::max(1, total.truth_lines));
  }
}

void orientation_table(const ocrserve::OcrEngine& engine, const Args& a) {
  const ocrserve::GeneralTextExtractor extractor(engine);
  const int n = std::max(2, a.count / 2);
  std::printf("\n### Page orientation with detect_direction=true (%d clean pages per row)\n\n", n);
  std::printf(
      "| rotation | expected direction | direction right (±5°) | char accuracy | p50 ms |\n|---|---|---|---|---|\n");
  for (int q = 0; q < 4; ++q) {
    bench::TextScore score;
    std::vector<double> ms;
    int right = 0;
    const float expected = static_cast<float>((360 - 90 * q) % 360);
    for (int i = 0; i < n; ++i) {
      const auto sample = render(synth::Kind::Page, a.seed + 104729 + static_cast<std::uint64_t>(i) * 31, false, q);
      ocrserve::GeneralTextRequest req;
      req.detect_direction = true;
      const auto t0 = std::chrono::steady_clock::now();
      const auto result = extractor.extract(sample.image, req);
      ms.push_back(ms_since(t0));
      float diff = std::abs(result.direction - expected);
      diff = std::min(diff, 360.f - diff);
      if (diff <= 5.f) ++right;
      score.add(bench::score_page(truth_of(sample), result.blocks));
    }
    std::printf("| %d° anticlockwise | %.0f | %d/%d | %.2f%% | %.0f |\n", 90 * q, expected, right, n,
                100 * score.char_accuracy(), bench::percentile(ms, 50));
    std::fflush(stdout);
  }
}

double p50_latency(const ocrserve::OcrEngine& engine, const cv::Mat& image, int runs) {
  const ocrserve::GeneralTextExtractor extractor(engine);
  extractor.extract(image, {});  // warm
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    extractor.extract(image, {});
    ms.push_back(ms_since(t0));
  }
  return bench::percentile(ms, 50);
}

double throughput(const ocrserve::OcrEngine& engine, const std::vector<cv::Mat>& images, int callers, int seconds) {
  const ocrserve::GeneralTextExtractor extractor(engine);
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      for (size_t i = c; !stop; ++i) {
        extractor.extract(images[i % images.size()], {});
        ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return done / (ms_since(t0) / 1000.0);
}

void speed_table(const Args& a) {
  std::printf("\n### Speed, warm (p50 of %d runs; throughput over %d s)\n\n", a.speed_runs, a.throughput_seconds);
  std::vector<cv::Mat> cards;
  for (int i = 0; i < 8; ++i) cards.push_back(render(synth::Kind::Card, a.seed + 5000 + i, false).image);
  const cv::Mat page = render(synth::Kind::Page, a.seed + 6000, false).image;
  std::printf("| measure | batched | line at a time | peer (RapidOcrOnnx) |\n|---|---|---|---|\n");
  double card[2], pg[2], tput[2];
  for (int batched = 1; batched >= 0; --batched) {
    ocrserve::EngineOptions o;
    o.threads = a.threads;
    o.rec_batching = batched == 1;
    const ocrserve::OcrEngine engine(o);
    card[batched] = p50_latency(engine, cards[0], a.speed_runs);
    pg[batched] = p50_latency(engine, page, std::max(3, a.speed_runs / 3));
    ocrserve::EngineOptions single = o;
    single.threads = 1;
    const ocrserve::OcrEngine one_thread(single);
    tput[batched] = throughput(one_thread, cards, 2, a.throughput_seconds);
  }
  std::printf("| card %dx%d, %d threads | %.0f ms | %.0f ms | 409 ms |\n", cards[0].cols, cards[0].rows, a.threads,
              card[1], card[0]);
  std::printf("| A4 page %dx%d, %d threads | %.0f ms | %.0f ms | 2200 ms |\n", page.cols, page.rows, a.threads, pg[1],
              pg[0]);
  std::printf("| cards/s, 2 callers x 1 thread | %.2f | %.2f | 3.1 |\n", tput[1], tput[0]);
}

void rss_table(const ocrserve::OcrEngine& engine, const Args& a) {
  const ocrserve::GeneralTextExtractor extractor(engine);
  const synth::Kind kinds[] = {synth::Kind::Card, synth::Kind::Receipt, synth::Kind::Screenshot, synth::Kind::Page,
                               synth::Kind::Line};
  std::vector<cv::Mat> images;
  for (int i = 0; i < 10; ++i) images.push_back(render(kinds[i % 5], a.seed + 9000 + i, i % 2 == 1).image);
  const int early = std::max(1, a.rss_runs / 10);
  long at_early = 0, at_end = 0;
  for (int i = 1; i <= a.rss_runs; ++i) {
    ocrserve::GeneralTextRequest req;
    req.quick_mode = i % 5 == 0;
    req.character_mode = i % 3 == 0;
    extractor.extract(images[i % images.size()], req);
    if (i == early) at_early = bench::rss_kib();
  }
  at_end = bench::rss_kib();
  std::printf(
      "\n### Memory (mixed sizes, sequential)\n\n| RSS after %d | RSS after %d | growth |\n|---|---|---|\n"
      "| %.1f MB | %.1f MB | %+.1f%% |\n",
      early, a.rss_runs, at_early / 1024.0, at_end / 1024.0, 100.0 * (at_end - at_early) / at_early);
}

}  // namespace

int main(int argc, char** argv) {
  ocrserve::keep_inference_buffers_in_heap();  // as the server does
  ocrserve::keep_image_operations_on_calling_threads();
  const Args a = parse(argc, argv);
  ocrserve::EngineOptions options;
  options.threads = a.threads;
  const ocrserve::OcrEngine engine(options);
  if (a.accuracy) accuracy_table(engine, a);
  if (a.orientation) orientation_table(engine, a);
  if (a.speed) speed_table(a);
  if (a.rss) rss_table(engine, a);
  return 0;
}
