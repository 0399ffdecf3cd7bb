// synth: writes synthetic OCR samples with exact ground truth.
//   synth --kind page|receipt|screenshot|line|card --count N --seed S [--degrade] [--rotate Q] --out DIR
// For each i in [0, N): DIR/<kind>_<S+i>.png and DIR/<kind>_<S+i>.json.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "synth.h"

namespace {

struct Args {
  synth::Kind kind = synth::Kind::Page;
  int count = 1;
  std::uint64_t seed = 1;
  bool degrade = false;
  int rotate = 0;
  std::string out;
};

void usage() {
  std::cerr << "usage: synth --kind page|receipt|screenshot|line|card --count N --seed S [--degrade] "
               "[--rotate Q] --out DIR\n";
}

bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--degrade") {
      args.degrade = true;
    } else if (a == "--kind" && has_value) {
      if (!synth::parse_kind(argv[++i], args.kind)) return false;
    } else if (a == "--count" && has_value) {
      args.count = std::stoi(argv[++i]);
    } else if (a == "--seed" && has_value) {
      args.seed = std::stoull(argv[++i]);
    } else if (a == "--rotate" && has_value) {
      args.rotate = std::stoi(argv[++i]);
    } else if (a == "--out" && has_value) {
      args.out = argv[++i];
    } else {
      return false;
    }
  }
  return !args.out.empty() && args.count > 0 && args.rotate >= 0 && args.rotate <= 3;
}

nlohmann::json truth_json(const synth::Sample& s) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& line : s.lines) {
    nlohmann::json quad = nlohmann::json::array();
    // Two decimals: exact enough for any metric, and readable (no float-to-double noise).
    auto r = [](float v) { return std::round(static_cast<double>(v) * 100.0) / 100.0; };
    for (const auto& p : line.quad) quad.push_back({r(p.x), r(p.y)});
    lines.push_back({{"text", line.text}, {"quad", quad}});
  }
  return {{"kind", synth::kind_name(s.kind)},
          {"degraded", s.degraded},
          {"degradations", s.degradations},
          {"font", s.font},
          {"width", s.image.cols},
          {"height", s.image.rows},
          {"lines", lines}};
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  try {
    if (!parse_args(argc, argv, args)) {
      usage();
      return 2;
    }
    std::filesystem::create_directories(args.out);
    for (int i = 0; i < args.count; ++i) {
      const std::uint64_t seed = args.seed + static_cast<std::uint64_t>(i);
      const auto start = std::chrono::steady_clock::now();
      const synth::Sample s = synth::render({args.kind, seed, args.degrade, args.rotate});
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const std::string stem =
          (std::filesystem::path(args.out) / (std::string(synth::kind_name(args.kind)) + "_" + std::to_string(seed)))
              .string();
      if (!cv::imwrite(stem + ".png", s.image)) throw std::runtime_error("cannot write " + stem + ".png");
      std::ofstream(stem + ".json") << truth_json(s).dump(1) << '\n';
      std::printf("%s.png %dx%d, %zu lines, %.0f ms\n", stem.c_str(), s.image.cols, s.image.rows, s.lines.size(), ms);
    }
  } catch (const std::exception& e) {
    std::cerr << "synth: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
