// Machine-readable zones: the input is the OCR'd lines (split on '\n', any bytes, any count); the
// first byte picks the format handed to parse/correct (or Unknown: detection). Pure functions of
// their input: nothing may crash, throw, or take longer than the search budget allows.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ocrserve/mrz.h"

namespace {

using namespace ocrserve;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr std::chrono::year_month_day kToday{year{2026}, month{11}, day{21}};

constexpr mrz::Format kFormats[] = {mrz::Format::Unknown,
                                    mrz::Format::Td1,
                                    mrz::Format::Td2,
                                    mrz::Format::Td3,
                                    mrz::Format::ExitEntryPermitCard,
                                    mrz::Format::MainlandTravelPermit};

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  for (;;) {
    const auto end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const mrz::Format format = kFormats[data[0] % std::size(kFormats)];
  const std::vector<std::string> lines =
      split_lines(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));

  const mrz::MrzResult detected = mrz::parse(lines, kToday);
  const mrz::MrzResult forced = mrz::parse(lines, format, kToday);
  if (detected.format != mrz::detect_format(lines)) std::abort();
  (void)mrz::format_name(forced.format);
  for (const auto& line : lines) (void)mrz::check_digit(line);

  const mrz::CorrectionResult corrected = mrz::correct(lines, format, kToday);
  (void)mrz::status_name(corrected.status);
  // A zone handed out as valid passes every check; a refusal hands the input back unchanged.
  if ((corrected.status == mrz::CorrectionStatus::Valid || corrected.status == mrz::CorrectionStatus::Corrected) &&
      !corrected.all_checks_passed) {
    std::abort();
  }
  if ((corrected.status == mrz::CorrectionStatus::Ambiguous || corrected.status == mrz::CorrectionStatus::Invalid) &&
      corrected.lines != lines) {
    std::abort();
  }
  return 0;
}
