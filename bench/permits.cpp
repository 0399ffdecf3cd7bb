// bench/permits: exit-entry permits and mainland travel permits, both sides, clean and photographed,
// on synthetic cards with exact ground truth for a fixed seed. Prints per-field exact-match accuracy,
// whole-document all-fields-correct rate, type/side accuracy, the fields the machine code covers
// (whenever it was read with valid check digits) and latency, as markdown tables.
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
#include "ocrserve/permit.h"
#include "permit.h"
#include "text_metrics.h"

namespace {

struct Args {
  std::uint64_t seed = 20261122;
  int count = 13;  // per type, side and condition: 4 x 2 x 2 x 13 = 208 images
  int threads = 2;
  double width_scale = 0;  // 0: the engine's default
  bool failures = false;
  std::string dump;  // "type/side/clean|photo/seed": print what the card reader saw, then exit
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
    else if (f == "--failures")
      a.failures = true;
    else if (f == "--width-scale")
      a.width_scale = std::stod(next());
    else if (f == "--quick")
      a.count = 2;
    else if (f == "--dump")
      a.dump = next();
    else {
      std::cerr
          << "usage: bench_permits [--seed S] [--count N] [--threads T] [--width-scale S] [--failures] [--quick]\n"
             "       bench_permits --dump exit-entry-tw/back/photo/SEED\n";
      std::exit(2);
    }
  }
  return a;
}

struct Tally {
  int fields = 0, fields_ok = 0;
  int docs = 0, docs_ok = 0;
  int type_ok = 0, side_ok = 0;
  int mc_docs = 0, mc_fields = 0, mc_fields_ok = 0;  // machine code read with valid check digits
  int fronts = 0, faces = 0;                         // portraits a face confirmed
  std::vector<double> ms;
  std::map<std::string, std::pair<int, int>> per_field;  // name -> (ok, total)

  void add(const Tally& o) {
    fields += o.fields, fields_ok += o.fields_ok, docs += o.docs, docs_ok += o.docs_ok;
    type_ok += o.type_ok, side_ok += o.side_ok;
    mc_docs += o.mc_docs, mc_fields += o.mc_fields, mc_fields_ok += o.mc_fields_ok;
    fronts += o.fronts, faces += o.faces;
    ms.insert(ms.end(), o.ms.begin(), o.ms.end());
    for (const auto& [k, v] : o.per_field) {
      per_field[k].first += v.first;
      per_field[k].second += v.second;
    }
  }
};

// The fields the machine code's check digits cover, per permit side.
bool covered_by_machine_code(synth::PermitType type, synth::Side side, const std::string& field) {
  const bool exit_entry = type == synth::PermitType::ExitEntryHkMo || type == synth::PermitType::ExitEntryTw;
  if (exit_entry && side == synth::Side::Front) {
    return field == "number" || field == "birth_date" || field == "valid_period" || field == "machine_code";
  }
  // The name line (machine_code3) carries no check digit: a misread letter there cannot be seen, so
  // it is reported on its own (per-field table), not among the checked fields.
  if (!exit_entry && side == synth::Side::Back) return field == "machine_code1" || field == "machine_code2";
  return false;
}

Tally run_one(const ocrserve::OcrEngine& engine, synth::PermitType type, synth::Side side, bool photo,
              std::uint64_t seed, const Args& a) {
  synth::PermitOptions o;
  o.type = type;
  o.side = side;
  o.photographed = photo;
  o.seed = seed;
  const synth::PermitSample sample = synth::render_permit(o);
  const bool exit_entry = type == synth::PermitType::ExitEntryHkMo || type == synth::PermitType::ExitEntryTw;
  ocrserve::PermitResult result;
  bool failed = false;
  std::string error;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    ocrserve::PermitRequest request;
    request.return_portrait_location = true;
    result = exit_entry ? ocrserve::ExitEntryPermitExtractor(engine).extract(sample.image, request)
                        : ocrserve::MainlandTravelPermitExtractor(engine).extract(sample.image, request);
  } catch (const ocrserve::Error& e) {
    failed = true;
    error = e.code() + " " + e.what();
  }
  Tally t;
  t.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  t.docs = 1;
  t.type_ok = !failed && result.type == synth::permit_api_type(type);
  t.side_ok = !failed && result.side == synth::side_name(side);
  // Every field of the truth, plus any the result adds (expected empty: e.g. a blank endorsement block).
  std::map<std::string, std::string> expected = sample.truth.fields;
  for (const auto& [name, v] : result.fields) expected.try_emplace(name, "");
  bool all = t.type_ok && t.side_ok;
  if (!failed && result.machine_code_valid) t.mc_docs = 1;
  t.fronts = side == synth::Side::Front;
  t.faces = t.fronts && !failed && result.portrait_confirmed;
  for (const auto& [name, want] : expected) {
    const ocrserve::FieldValue* got = failed ? nullptr : result.field(name);
    const std::string value = got ? got->value : "";
    const bool ok = value == want;
    ++t.fields;
    t.fields_ok += ok;
    auto& pf = t.per_field[name.substr(name.find('.') + 1)];
    pf.first += ok;
    ++pf.second;
    if (t.mc_docs && covered_by_machine_code(type, side, name)) {
      ++t.mc_fields;
      t.mc_fields_ok += ok;
    }
    all = all && ok;
    if (!ok && a.failures) {
      std::printf("  FAIL %s/%s seed=%llu %s: want '%s' got '%s' %s\n", synth::permit_slug(type),
                  synth::side_name(side), static_cast<unsigned long long>(seed), name.c_str(), want.c_str(),
                  value.c_str(), failed ? error.c_str() : sample.difficulty.c_str());
    }
  }
  if (a.failures && (!t.type_ok || !t.side_ok)) {
    std::printf("  FAIL %s/%s seed=%llu type/side: got '%s'/'%s' %s\n", synth::permit_slug(type),
                synth::side_name(side), static_cast<unsigned long long>(seed), result.type.c_str(), result.side.c_str(),
                error.c_str());
  }
  t.docs_ok = all;
  return t;
}

// One sample: timings of the card reader and every line it read, in upright-card pixels.
int dump(const ocrserve::OcrEngine& engine, const std::string& spec) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t slash = spec.find('/', start);
    parts.push_back(spec.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  synth::PermitOptions o;
  if (parts.size() != 4 || !synth::parse_permit_type(parts[0], o.type) || !synth::parse_side(parts[1], o.side)) {
    std::cerr << "--dump wants type/side/clean|photo/seed\n";
    return 2;
  }
  o.photographed = parts[2] == "photo";
  o.seed = std::stoull(parts[3]);
  const synth::PermitSample sample = synth::render_permit(o);
  const auto tb = std::chrono::steady_clock::now();
  const auto outline = ocrserve::find_card_outline(sample.image);
  std::printf("outline search: %.0f ms (%s)\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - tb).count(),
              outline ? "found" : "none");
  const auto t0 = std::chrono::steady_clock::now();
  ocrserve::CardReading how;
  how.read_line = [](const ocrserve::Quad& q) { return !ocrserve::is_long_small_print(q); };
  how.straighten_above = 3.0;  // as the permits read
  const ocrserve::UprightCard card = ocrserve::rectify_card(sample.image, engine, how);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s %dx%d: outline %s (confidence %.2f), direction %.1f, %zu lines, %.0f ms\n", sample.difficulty.c_str(),
              sample.image.cols, sample.image.rows, card.location.from_edges ? "from edges" : "from text/frame",
              card.location.confidence, card.text.direction, card.text.lines.size(), ms);
  ocrserve::RecognizeOptions ro;
  ro.detect_direction = true;
  ro.with_chars = true;
  ro.det_max_side = ocrserve::kCardDetectSide;
  ro.read_line = [](const ocrserve::Quad& q) { return !ocrserve::is_long_small_print(q); };  // as the permits read
  ocrserve::EngineTimings et;
  const auto t1 = std::chrono::steady_clock::now();
  engine.recognize(card.image, ro, &et);
  std::printf("re-read of the upright card: %.0f ms (detect %.0f, orientation %.0f, recognize %.0f)\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count(), et.detect_ms,
              et.classify_ms, et.recognize_ms);
  for (const auto& line : card.text.lines) {
    const auto& q = line.quad;
    std::printf("  (%4.0f,%4.0f)-(%4.0f,%4.0f) %.2f %s\n", q[0].x, q[0].y, q[2].x, q[2].y, line.confidence,
                line.text.c_str());
  }
  const bool exit_entry = o.type == synth::PermitType::ExitEntryHkMo || o.type == synth::PermitType::ExitEntryTw;
  try {
    const ocrserve::PermitResult r = exit_entry
                                         ? ocrserve::ExitEntryPermitExtractor(engine).extract(sample.image, {})
                                         : ocrserve::MainlandTravelPermitExtractor(engine).extract(sample.image, {});
    std::printf("%s / %s, machine code %s, face %s\n", r.type.c_str(), r.side.c_str(),
                r.machine_code_valid ? "valid" : "not valid", r.portrait_confirmed ? "found" : "not found");
    for (const auto& [name, v] : r.fields) {
      const auto want = sample.truth.fields.find(name);
      const std::string truth = want == sample.truth.fields.end() ? "" : want->second;
      std::printf("  %-40s %-32s %.2f %s\n", name.c_str(), v.value.c_str(), v.confidence,
                  v.value == truth ? "" : ("want " + truth).c_str());
    }
  } catch (const ocrserve::Error& e) {
    std::printf("%s %s\n", e.code().c_str(), e.what());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ocrserve::keep_inference_buffers_in_heap();  // as the server does
  ocrserve::keep_image_operations_on_calling_threads();
  const Args a = parse(argc, argv);
  ocrserve::EngineOptions eo;
  eo.threads = a.threads;
  if (a.width_scale > 0) eo.rec_width_scale = a.width_scale;
  const ocrserve::OcrEngine engine(eo);
  if (!a.dump.empty()) return dump(engine, a.dump);
  const synth::PermitType types[] = {synth::PermitType::ExitEntryHkMo, synth::PermitType::ExitEntryTw,
                                     synth::PermitType::MainlandHkMo, synth::PermitType::MainlandTw};
  std::printf("\n### Permits (seed %llu, %d images per row, %d threads, in-process)\n\n",
              static_cast<unsigned long long>(a.seed), a.count, a.threads);
  std::printf(
      "| permit | side | condition | field exact | all fields | type | side | machine-code fields* | p50 ms | p95 ms "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  Tally by_condition[2];
  Tally total;
  std::map<std::string, std::pair<int, int>> fields_by_condition[2];
  for (const auto type : types) {
    for (const auto side : {synth::Side::Front, synth::Side::Back}) {
      for (int photo = 0; photo < 2; ++photo) {
        Tally row;
        for (int i = 0; i < a.count; ++i) {
          const std::uint64_t seed =
              a.seed + static_cast<std::uint64_t>(i) * 7919 + static_cast<std::uint64_t>(photo) * 104729;
          row.add(run_one(engine, type, side, photo != 0, seed, a));
        }
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n", synth::permit_slug(type),
                    synth::side_name(side), photo ? "photo" : "clean", bench::share(row.fields_ok, row.fields).c_str(),
                    bench::share(row.docs_ok, row.docs).c_str(), bench::share(row.type_ok, row.docs).c_str(),
                    bench::share(row.side_ok, row.docs).c_str(), bench::share(row.mc_fields_ok, row.mc_fields).c_str(),
                    bench::percentile(row.ms, 50), bench::percentile(row.ms, 95));
        std::fflush(stdout);
        by_condition[photo].add(row);
        total.add(row);
      }
    }
  }
  std::printf(
      "\n| condition | field exact | all fields | type | side | machine-code fields* | face found** | p50 ms | p95 ms "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (int photo = 0; photo < 3; ++photo) {
    const Tally& r = photo < 2 ? by_condition[photo] : total;
    const char* condition = photo == 0 ? "clean" : photo == 1 ? "photo" : "all";
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n", condition,
                bench::share(r.fields_ok, r.fields).c_str(), bench::share(r.docs_ok, r.docs).c_str(),
                bench::share(r.type_ok, r.docs).c_str(), bench::share(r.side_ok, r.docs).c_str(),
                bench::share(r.mc_fields_ok, r.mc_fields).c_str(), bench::share(r.faces, r.fronts).c_str(),
                bench::percentile(r.ms, 50), bench::percentile(r.ms, 95));
  }
  std::printf("\n| field | clean | photo |\n|---|---|---|\n");
  std::map<std::string, int> names;
  for (int p = 0; p < 2; ++p)
    for (const auto& [k, v] : by_condition[p].per_field) names[k] = 1;
  for (const auto& [k, unused] : names) {
    const auto c = by_condition[0].per_field[k], p = by_condition[1].per_field[k];
    std::printf("| %s | %s | %s |\n", k.c_str(), bench::share(c.first, c.second).c_str(),
                bench::share(p.first, p.second).c_str());
  }
  std::printf(
      "\n*fields the machine code's check digits cover (exit-entry front: number, birth_date, valid_period, "
      "machine_code; mainland back: machine_code1-2, the name line machine_code3 has none), counted on documents "
      "whose machine code was read with valid check digits.\n**fronts whose portrait area the face cascade "
      "confirmed.\n");
  return 0;
}
