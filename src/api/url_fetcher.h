#pragma once
// Outbound image download for requests that carry "url" instead of base64 data. The server must not
// become an SSRF proxy: only http/https, every resolved address checked against the non-public
// ranges (unless allow-listed), the connection pinned to the checked addresses, redirects followed
// by hand with the same checks at every hop, and hard limits on size and time.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ocrserve::api {

// Huawei codes for URL intake.
inline constexpr const char* kUrlNotAllowed = "ModelArts.4601";
inline constexpr const char* kUrlFetchFailed = "ModelArts.4603";

struct UrlFetchPolicy {
  std::size_t max_bytes = 10 * 1024 * 1024;  // body cap (the transfer is aborted past it)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};  // covers DNS, every redirect hop and the body
  int max_redirects = 3;
  // CIDRs exempt from the non-public-range refusal, optionally restricted to one port:
  // "127.0.0.1/32", "10.0.0.0/8", "::1/128", "127.0.0.1/32:8080", "[::1]/128:8080", "127.0.0.1".
  std::vector<std::string> allow;
};

struct FetchedImage {
  std::vector<std::uint8_t> bytes;
  std::string content_type;  // as sent by the server; empty when absent
  std::string final_url;     // after redirects
};

// --- address policy (exposed for unit tests and for the server's config validation)

enum class IpFamily { v4, v6 };

struct IpAddress {
  IpFamily family = IpFamily::v4;
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4
  bool operator==(const IpAddress&) const = default;
  std::string to_string() const;
};

// Numeric IPv4 (dotted quad only) or IPv6 text, without brackets; nullopt otherwise.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes the IPv4 address; others are unchanged.
IpAddress unmap_ipv4(const IpAddress& address);

struct CidrRule {
  IpAddress network;  // host bits cleared
  int prefix_length = 0;
  std::optional<std::uint16_t> port;  // nullopt: any port
};

// Parses one allow-list entry (see UrlFetchPolicy::allow); throws std::invalid_argument.
CidrRule parse_cidr(std::string_view entry);

bool cidr_matches(const CidrRule& rule, const IpAddress& address, std::uint16_t port);

// Why an address is not publicly routable ("loopback (127.0.0.0/8)", ...); nullopt when it is.
std::optional<std::string_view> non_global_reason(const IpAddress& address);
inline bool is_global_address(const IpAddress& address) {
  return !non_global_reason(address);
}

// The fetch decision: global, or matched by an allow-list rule (for that port).
bool address_allowed(const IpAddress& address, std::uint16_t port, const std::vector<CidrRule>& allow);

// --- URL inspection: what fetch() checks on each hop before any DNS lookup or connection

struct UrlDestination {
  std::string url;         // as libcurl will request it
  std::string host;        // punycode, without IPv6 brackets
  std::uint16_t port = 0;  // explicit, else the scheme's default
};

// Parses `url` as libcurl will (relative to `base` when given, as a redirect's Location is) and
// refuses with Error(kUrlNotAllowed) a malformed URL, a scheme other than http/https, credentials,
// an IPv6 zone id, a missing host or an invalid port. No DNS, no sockets: the address check
// (address_allowed) comes after resolution.
UrlDestination inspect_url(const std::string& url, const std::string& base = {});

// --- the fetcher

// curl_global_init exactly once per process, before any fetch (it is not thread-safe itself).
void ensure_curl_initialized();

class UrlFetcher {
 public:
  // Throws std::invalid_argument for a malformed allow-list entry or nonsensical limits.
  explicit UrlFetcher(UrlFetchPolicy policy);

  // Throws ocrserve::Error: kUrlNotAllowed for a refused URL or address, kUrlFetchFailed when the
  // download itself fails. Thread-safe: the fetcher is immutable and each call has its own handles.
  FetchedImage fetch(const std::string& url) const;

  const UrlFetchPolicy& policy() const noexcept { return policy_; }

 private:
  UrlFetchPolicy policy_;
  std::vector<CidrRule> allow_;
};

}  // namespace ocrserve::api
