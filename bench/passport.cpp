// bench/passport: Chinese and foreign passport data pages, clean and photographed, from a fixed seed.
// Prints per-field exact match, the machine zone's all-checks-valid rate, corrections and latency.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "ocrserve/card.h"
#include "ocrserve/engine.h"
#include "ocrserve/error.h"
#include "ocrserve/passport.h"
#include "passport.h"
#include "text_metrics.h"

namespace {

struct Args {
  std::uint64_t seed = 20261122;
  int count = 50;  // per kind and condition: 2 x 2 x 50 = 200 images
  int threads = 2;
  bool failures = false;
  std::string dump;  // "chn|foreign/clean|photo/SEED": what the page reader saw
};

struct Tally {
  int fields = 0, fields_ok = 0, mrz_fields = 0, mrz_fields_ok = 0, docs = 0, docs_ok = 0, valid = 0, corrected = 0;
  std::vector<double> ms;
  std::map<std::string, std::pair<int, int>> per_field;
};

// Fields the machine zone holds (the rest come from the visual zone of Chinese passports).
bool from_machine_zone(const std::string& f) {
  return f == "country_code" || f == "passport_number" || f == "surname" || f == "given_name" || f == "sex" ||
         f == "date_of_birth" || f == "date_of_expiry" || f == "machine_code" || f == "machine_code2" ||
         f == "passport_type" || f == "nationality";
}

}  // namespace

int main(int argc, char** argv) {
  ocrserve::keep_inference_buffers_in_heap();  // as the server does
  ocrserve::keep_image_operations_on_calling_threads();
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
    else if (f == "--failures")
      a.failures = true;
    else if (f == "--quick")
      a.count = 3;
    else if (f == "--dump")
      a.dump = next();
    else {
      std::cerr << "usage: bench_passport [--seed S] [--count N] [--threads T] [--failures] [--quick]\n";
      return 2;
    }
  }
  ocrserve::EngineOptions eo;
  eo.threads = a.threads;
  const ocrserve::OcrEngine engine(eo);
  const ocrserve::PassportExtractor extractor(engine);
  if (!a.dump.empty()) {
    const size_t s1 = a.dump.find('/'), s2 = a.dump.find('/', s1 + 1);
    synth::PassportOptions o;
    if (s1 == std::string::npos || s2 == std::string::npos ||
        !synth::parse_passport_kind(a.dump.substr(0, s1), o.kind)) {
      std::cerr << "--dump wants chn|foreign/clean|photo/SEED\n";
      return 2;
    }
    o.photographed = a.dump.substr(s1 + 1, s2 - s1 - 1) == "photo";
    o.seed = std::stoull(a.dump.substr(s2 + 1));
    const synth::PassportSample s = synth::render_passport(o);
    const ocrserve::UprightCard page = ocrserve::rectify_card(s.image, engine);
    std::printf("%s: outline %s, direction %.1f\n", s.difficulty.c_str(),
                page.location.from_edges ? "from edges" : "from text/frame", page.text.direction);
    for (const auto& line : page.text.lines) {
      const auto& q = line.quad;
      std::printf("  (%4.0f,%4.0f)-(%4.0f,%4.0f) %.2f %s\n", q[0].x, q[0].y, q[2].x, q[2].y, line.confidence,
                  line.text.c_str());
    }
    return 0;
  }
  std::printf("\n### Passports (seed %llu, %d images per row, %d threads, in-process)\n\n",
              static_cast<unsigned long long>(a.seed), a.count, a.threads);
  std::printf(
      "| passport | condition | machine-zone fields | visual-zone fields | all fields | MRZ valid | corrected | "
      "p50 ms | p95 ms |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const auto kind : {synth::PassportKind::China, synth::PassportKind::Foreign}) {
    for (int photo = 0; photo < 2; ++photo) {
      Tally t;
      for (int i = 0; i < a.count; ++i) {
        const std::uint64_t seed =
            a.seed + static_cast<std::uint64_t>(i) * 7919 + static_cast<std::uint64_t>(photo) * 104729;
        const synth::PassportSample s = synth::render_passport({kind, seed, photo != 0});
        ocrserve::PassportResult r;
        std::string error;
        const auto t0 = std::chrono::steady_clock::now();
        try {
          r = extractor.extract(s.image, {});
        } catch (const ocrserve::Error& e) {
          error = e.code() + " " + e.what();
        }
        t.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        ++t.docs;
        t.valid += r.machine_zone_valid;
        t.corrected += r.machine_zone_corrected;
        bool all = error.empty();
        for (const auto& [name, want] : s.truth.fields) {
          const ocrserve::PassportField* got = r.field(name);
          const bool ok = got != nullptr && got->value == want;
          ++t.fields;
          t.fields_ok += ok;
          if (from_machine_zone(name)) {
            ++t.mrz_fields;
            t.mrz_fields_ok += ok;
          }
          auto& pf = t.per_field[name];
          pf.first += ok;
          ++pf.second;
          all = all && ok;
          if (!ok && a.failures) {
            std::printf("  FAIL %s seed=%llu %s: want '%s' got '%s' %s\n", synth::passport_slug(kind),
                        static_cast<unsigned long long>(seed), name.c_str(), want.c_str(),
                        got ? got->value.c_str() : "", error.empty() ? s.difficulty.c_str() : error.c_str());
          }
        }
        t.docs_ok += all;
      }
      std::printf("| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n", synth::passport_slug(kind),
                  photo ? "photo" : "clean", bench::share(t.mrz_fields_ok, t.mrz_fields).c_str(),
                  bench::share(t.fields_ok - t.mrz_fields_ok, t.fields - t.mrz_fields).c_str(),
                  bench::share(t.docs_ok, t.docs).c_str(), bench::share(t.valid, t.docs).c_str(),
                  bench::share(t.corrected, t.docs).c_str(), bench::percentile(t.ms, 50), bench::percentile(t.ms, 95));
      std::fflush(stdout);
    }
  }
  return 0;
}
