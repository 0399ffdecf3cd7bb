// synth: writes synthetic OCR samples with exact ground truth.
//   synth --kind page|receipt|screenshot|line|card --count N --seed S [--degrade] [--rotate Q] --out DIR
//   synth --permit exit-entry-hkmo|exit-entry-tw|mainland-hkmo|mainland-tw --side front|back [--photo]
//   synth --passport chn|foreign [--photo]
//         --count N --seed S --out DIR
// Both take [--format png|jpg|bmp|tiff]. For each i in [0, N): DIR/<kind>_<S+i>.<ext> (permits:
// DIR/<type>_<side>_<S+i>.<ext>) and a .json beside it with the truth.
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

#include "passport.h"
#include "permit.h"
#include "synth.h"

namespace {

struct Args {
  synth::Kind kind = synth::Kind::Page;
  int count = 1;
  std::uint64_t seed = 1;
  bool degrade = false;
  int rotate = 0;
  std::string out;
  bool permit = false;
  synth::PermitType permit_type = synth::PermitType::ExitEntryHkMo;
  synth::Side side = synth::Side::Front;
  bool photo = false;
  bool passport = false;
  synth::PassportKind passport_kind = synth::PassportKind::China;
  std::string format = "png";
};

void usage() {
  std::cerr
      << "usage: synth --kind page|receipt|screenshot|line|card --count N --seed S [--degrade] "
         "[--rotate Q] [--format png|jpg|bmp|tiff] --out DIR\n"
         "       synth --permit exit-entry-hkmo|exit-entry-tw|mainland-hkmo|mainland-tw --side front|back "
         "[--photo] --count N --seed S [--format png|jpg|bmp|tiff] --out DIR\n"
         "       synth --passport chn|foreign [--photo] --count N --seed S [--format png|jpg|bmp|tiff] --out DIR\n";
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
    } else if (a == "--permit" && has_value) {
      args.permit = true;
      if (!synth::parse_permit_type(argv[++i], args.permit_type)) return false;
    } else if (a == "--passport" && has_value) {
      args.passport = true;
      if (!synth::parse_passport_kind(argv[++i], args.passport_kind)) return false;
    } else if (a == "--side" && has_value) {
      if (!synth::parse_side(argv[++i], args.side)) return false;
    } else if (a == "--photo") {
      args.photo = true;
    } else if (a == "--format" && has_value) {
      args.format = argv[++i];
      if (args.format != "png" && args.format != "jpg" && args.format != "bmp" && args.format != "tiff") return false;
    } else {
      return false;
    }
  }
  return !args.out.empty() && args.count > 0 && args.rotate >= 0 && args.rotate <= 3;
}

// Two decimals: exact enough for any metric, and readable (no float-to-double noise).
nlohmann::json quad_json(const std::array<cv::Point2f, 4>& quad) {
  auto r = [](float v) { return std::round(static_cast<double>(v) * 100.0) / 100.0; };
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : quad) out.push_back({r(p.x), r(p.y)});
  return out;
}

nlohmann::json lines_json(const std::vector<synth::TextLineTruth>& lines) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& line : lines) out.push_back({{"text", line.text}, {"quad", quad_json(line.quad)}});
  return out;
}

nlohmann::json truth_json(const synth::Sample& s) {
  const nlohmann::json lines = lines_json(s.lines);
  return {{"kind", synth::kind_name(s.kind)},
          {"degraded", s.degraded},
          {"degradations", s.degradations},
          {"font", s.font},
          {"width", s.image.cols},
          {"height", s.image.rows},
          {"lines", lines}};
}

nlohmann::json permit_json(const synth::PermitSample& s) {
  nlohmann::json truth = {{"type", synth::permit_api_type(s.truth.type)},
                          {"side", synth::side_name(s.truth.side)},
                          {"fields", s.truth.fields},
                          {"card_quad", quad_json(s.truth.card_quad)}};
  if (s.truth.side == synth::Side::Front) truth["portrait_quad"] = quad_json(s.truth.portrait_quad);
  return {{"permit", synth::permit_slug(s.truth.type)},
          {"difficulty", s.difficulty},
          {"width", s.image.cols},
          {"height", s.image.rows},
          {"truth", truth},
          {"lines", lines_json(s.lines)}};
}

nlohmann::json passport_json(const synth::PassportSample& s) {
  const nlohmann::json truth = {{"fields", s.truth.fields},
                                {"page_quad", quad_json(s.truth.page_quad)},
                                {"portrait_quad", quad_json(s.truth.portrait_quad)},
                                {"mrz_quad", quad_json(s.truth.mrz_quad)}};
  return {{"passport", synth::passport_slug(s.truth.kind)},
          {"difficulty", s.difficulty},
          {"width", s.image.cols},
          {"height", s.image.rows},
          {"truth", truth},
          {"lines", lines_json(s.lines)}};
}

void write_image(const std::string& path, const cv::Mat& image) {
  if (!cv::imwrite(path, image)) throw std::runtime_error("cannot write " + path);
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
      if (args.passport) {
        const synth::PassportSample s = synth::render_passport({args.passport_kind, seed, args.photo});
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const std::string stem =
            (std::filesystem::path(args.out) /
             ("passport-" + std::string(synth::passport_slug(args.passport_kind)) + "_" + std::to_string(seed)))
                .string();
        write_image(stem + "." + args.format, s.image);
        std::ofstream(stem + ".json") << passport_json(s).dump(1) << '\n';
        std::printf("%s.%s %dx%d, %zu lines, %s, %.0f ms\n", stem.c_str(), args.format.c_str(), s.image.cols,
                    s.image.rows, s.lines.size(), s.difficulty.c_str(), ms);
        continue;
      }
      if (args.permit) {
        const synth::PermitSample s = synth::render_permit({args.permit_type, args.side, seed, args.photo});
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const std::string stem =
            (std::filesystem::path(args.out) / (std::string(synth::permit_slug(args.permit_type)) + "_" +
                                                synth::side_name(args.side) + "_" + std::to_string(seed)))
                .string();
        write_image(stem + "." + args.format, s.image);
        std::ofstream(stem + ".json") << permit_json(s).dump(1) << '\n';
        std::printf("%s.%s %dx%d, %zu lines, %s, %.0f ms\n", stem.c_str(), args.format.c_str(), s.image.cols,
                    s.image.rows, s.lines.size(), s.difficulty.c_str(), ms);
        continue;
      }
      const synth::Sample s = synth::render({args.kind, seed, args.degrade, args.rotate});
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const std::string stem =
          (std::filesystem::path(args.out) / (std::string(synth::kind_name(args.kind)) + "_" + std::to_string(seed)))
              .string();
      write_image(stem + "." + args.format, s.image);
      std::ofstream(stem + ".json") << truth_json(s).dump(1) << '\n';
      std::printf("%s.%s %dx%d, %zu lines, %.0f ms\n", stem.c_str(), args.format.c_str(), s.image.cols, s.image.rows,
                  s.lines.size(), ms);
    }
  } catch (const std::exception& e) {
    std::cerr << "synth: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
