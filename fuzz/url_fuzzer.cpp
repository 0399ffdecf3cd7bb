// URL intake before any network access: the address and allow-list parsers and the per-hop URL
// inspection (inspect_url). The input is one line, or two: "base \n location" inspects a redirect.
// Every piece also goes through parse_ip_address and parse_cidr. Never resolves or connects.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "api/url_fetcher.h"
#include "ocrserve/error.h"

namespace {

using namespace ocrserve::api;

void exercise_address_text(std::string_view text) {
  if (const auto address = parse_ip_address(text)) {
    (void)non_global_reason(*address);
    const IpAddress plain = unmap_ipv4(*address);
    if (unmap_ipv4(plain) != plain) std::abort();
    // The printed form reads back as the same address.
    if (parse_ip_address(address->to_string()) != address) std::abort();
    (void)address_allowed(*address, 443, {});
  }
  try {
    const CidrRule rule = parse_cidr(text);
    if (rule.prefix_length < 0 || rule.prefix_length > (rule.network.family == IpFamily::v4 ? 32 : 128)) std::abort();
    // The network itself is inside its own rule (on the rule's port, if any).
    if (!cidr_matches(rule, rule.network, rule.port.value_or(80))) std::abort();
  } catch (const std::invalid_argument&) {
  }
}

void exercise_url(const std::string& url, const std::string& base) {
  try {
    const UrlDestination d = inspect_url(url, base);
    if (d.host.empty() || d.port == 0) std::abort();
    if (const auto literal = parse_ip_address(d.host)) (void)address_allowed(*literal, d.port, {});
  } catch (const ocrserve::Error& e) {
    if (e.code() != kUrlNotAllowed) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ensure_curl_initialized();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  if (newline == std::string_view::npos) {
    exercise_address_text(text);
    exercise_url(std::string(text), {});
    return 0;
  }
  const std::string base(text.substr(0, newline)), location(text.substr(newline + 1));
  exercise_address_text(base);
  exercise_address_text(location);
  exercise_url(base, {});
  exercise_url(location, base);
  return 0;
}
