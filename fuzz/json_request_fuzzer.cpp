// Request bodies of the three doors. The input is parsed as JSON (no exceptions); any value goes
// through every request parser: General Text, permits, passport, the Huawei image source and the
// job of every Huawei API, and every Tencent action. The same bytes, read as a raw query string,
// feed every Aliyun action. Only ocrserve::Error may leave a parser, and each error must fit in
// every vendor's error envelope (its message is valid UTF-8, or dump() would throw).
//
// prepare_*_job only keep a pointer to the engine, but it has to exist: it is loaded once, in
// LLVMFuzzerInitialize (the models of third_party/, about a second).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/aliyun.h"
#include "api/huawei_v2.h"
#include "api/signature.h"
#include "api/tencent.h"
#include "ocrserve/general_text.h"
#include "ocrserve/passport.h"
#include "ocrserve/permit.h"

namespace {

using namespace ocrserve;

const OcrEngine* engine = nullptr;

constexpr std::string_view kTencentActions[] = {"PermitOCR", "MainlandPermitOCR", "MLIDPassportOCR", "GeneralBasicOCR"};
constexpr std::string_view kAliyunActions[] = {"RecognizeExitEntryPermitToMainland", "RecognizeExitEntryPermitToHK",
                                               "RecognizePassport", "RecognizeGeneral"};

// Runs `parse`; an ocrserve::Error is the expected refusal, anything else escapes (a finding).
template <typename Parse>
void expect_only_errors(Parse&& parse) {
  try {
    parse();
  } catch (const Error& e) {
    (void)api::huawei_error_body(e.code(), e.what());
    (void)api::tencent_error_body(api::tencent_error_code(e.code(), e.reason()), e.what(), "fuzz");
    (void)api::aliyun_error_body(api::aliyun_error(e.code()).code, e.what(), "fuzz");
  }
}

void parse_body(const nlohmann::json& body) {
  expect_only_errors([&] { (void)parse_general_text_request(body); });
  expect_only_errors([&] { (void)parse_permit_request(body); });
  expect_only_errors([&] { (void)parse_passport_request(body); });
  expect_only_errors([&] { (void)api::parse_image_source(body); });
  expect_only_errors([&] { (void)api::parse_image_source(body, "data"); });
  for (const auto& huawei : api::huawei_apis()) {
    expect_only_errors([&] { (void)api::prepare_huawei_job(huawei.name, body, *engine); });
  }
  for (const auto name : kTencentActions) {
    const api::TencentAction* action = api::find_tencent_action(name);
    if (action == nullptr) std::abort();
    expect_only_errors([&] { (void)api::prepare_tencent_job(*action, body, *engine); });
  }
}

void parse_query(std::string_view raw_query) {
  const auto query = api::decode_query(raw_query);
  if (!query) return;
  for (const auto name : kAliyunActions) {
    const api::AliyunAction* action = api::find_aliyun_action(name);
    if (action == nullptr) std::abort();
    for (const bool has_body : {false, true}) {
      expect_only_errors([&] { (void)api::prepare_aliyun_job(*action, *query, has_body, *engine); });
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  engine = new OcrEngine();  // lives as long as the process
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (!body.is_discarded()) parse_body(body);
  parse_query(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
