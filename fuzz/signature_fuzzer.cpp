// Request signatures of the three doors on a request built from the input, laid out like HTTP:
//   method \n path \n raw query \n (Name: value \n)* \n body
// Every header value also goes through each Authorization parser and date parser, the path and the
// query through the canonicalizers. Nothing here may throw (signature.h: parsers never throw on
// input, verifiers only on resource exhaustion). Seeds are the SDK captures of tests/fixtures/compat,
// and `now` is their capture time, so the seeds verify and mutations explore every failure.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/signature.h"

namespace {

using namespace ocrserve::api;

// 2026-11-21T20:32:41Z, the capture time of the compat vectors.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds{1795293161}};

const Credential kCredentials[] = {
    {"huawei", "HWAKEXAMPLE", "HWSKEXAMPLE"},
    {"tencent", "AKIDEXAMPLE", "SECRETEXAMPLE"},
    {"aliyun", "LTAIEXAMPLE", "SECRETEXAMPLE"},
};

const Credential* lookup(std::string_view vendor, std::string_view id) {
  for (const auto& c : kCredentials)
    if (c.vendor == vendor && c.id == id) return &c;
  return nullptr;
}

// The next '\n'-terminated line of `rest` (all of it when there is no '\n').
std::string_view next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  const std::string_view line = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

void check_canonical_text(const std::string& text) {
  // Canonical queries are re-encoded: only unreserved characters, escapes and the separators.
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("-_.~%=&").find(c) != std::string_view::npos;
    if (!ok) std::abort();
  }
}

void exercise_header_value(std::string_view value) {
  std::string why;
  if (const auto a = parse_huawei_authorization(value, &why)) {
    if (a->signature.size() != 64 || a->signed_headers.empty() || a->signed_headers.size() > kMaxSignedHeaders)
      std::abort();
  }
  if (const auto a = parse_tencent_authorization(value, &why)) {
    if (a->signature.size() != 64 || a->date.size() != 10) std::abort();
  }
  if (const auto a = parse_aliyun_authorization(value, &why)) {
    if (a->signature.size() != 64 || a->access_key_id.size() > kMaxKeyIdLength) std::abort();
  }
  (void)parse_huawei_authorization(value);
  for (const auto t : {parse_huawei_date(value), parse_tencent_timestamp(value), parse_aliyun_date(value)}) {
    if (t) (void)within_window(*t, kNow, std::chrono::minutes(15));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  SignedRequest request;
  request.method = std::string(next_line(rest));
  request.path = std::string(next_line(rest));
  request.raw_query = std::string(next_line(rest));
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const auto colon = line.find(':');
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }
  request.body = rest;

  // The pieces one by one.
  std::string why;
  if (const auto q = huawei_canonical_query(request.raw_query, &why)) check_canonical_text(*q);
  if (const auto q = aliyun_canonical_query(request.raw_query, &why)) check_canonical_text(*q);
  (void)decode_query(request.raw_query);
  const std::string uri = huawei_canonical_uri(request.path);
  if (uri.empty() || uri.back() != '/') std::abort();
  (void)huawei_project_id_from_path(request.path);
  for (const auto& [name, value] : request.headers) exercise_header_value(value);
  for (const auto value : header_values(request, "authorization")) {
    if (const auto a = parse_huawei_authorization(value))
      (void)huawei_canonical_request(request, a->signed_headers, &why);
    if (const auto a = parse_tencent_authorization(value))
      (void)tencent_canonical_request(request, a->signed_headers, &why);
    if (const auto a = parse_aliyun_authorization(value))
      (void)aliyun_canonical_request(request, a->signed_headers, &why);
  }

  // The verifiers; a tiny nonce cache so that eviction runs too. Aliyun twice: a verified request
  // must be refused as a replay the second time.
  (void)verify_huawei(request, lookup, kNow);
  (void)verify_tencent(request, lookup, kNow);
  NonceCache nonces(2);
  const VerifyResult first = verify_aliyun(request, lookup, nonces, kNow);
  const VerifyResult second = verify_aliyun(request, lookup, nonces, kNow);
  if (first.ok() && second.failure != SignatureFailure::Replayed) std::abort();
  return 0;
}
