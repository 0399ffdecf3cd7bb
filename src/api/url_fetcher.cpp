#include "api/url_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <idn2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

#include "ocrserve/error.h"

namespace ocrserve::api {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---------------------------------------------------------------- RAII for the C handles

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlUrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const noexcept { freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

// ---------------------------------------------------------------- errors

[[noreturn]] void refuse(const std::string& reason) {
  throw Error(kUrlNotAllowed, "URL not allowed: " + reason);
}

[[noreturn]] void fail(const std::string& reason) {
  throw Error(kUrlFetchFailed, "fetching the URL failed: " + reason);
}

// ---------------------------------------------------------------- address helpers

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

int address_bits(IpFamily family) {
  return family == IpFamily::v4 ? 32 : 128;
}

bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int bits) {
  const int whole = bits / 8;
  if (!std::equal(a.begin(), a.begin() + whole, b.begin())) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

void clear_host_bits(IpAddress& address, int prefix_length) {
  for (int bit = prefix_length; bit < address_bits(address.family); ++bit) {
    address.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
}

std::uint32_t ipv4_value(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

struct V4Range {
  std::uint32_t network;
  int prefix_length;
  std::string_view reason;
};

// IANA IPv4 special-purpose ranges that are not globally reachable (plus multicast/reserved).
constexpr V4Range kNonGlobalV4[] = {
    {0x00000000, 8, "unspecified / 'this network' (0.0.0.0/8)"},
    {0x0A000000, 8, "private (10.0.0.0/8)"},
    {0x64400000, 10, "carrier-grade NAT (100.64.0.0/10)"},
    {0x7F000000, 8, "loopback (127.0.0.0/8)"},
    {0xA9FE0000, 16, "link-local (169.254.0.0/16, includes cloud metadata endpoints)"},
    {0xAC100000, 12, "private (172.16.0.0/12)"},
    {0xC0000000, 24, "IETF protocol assignments (192.0.0.0/24)"},
    {0xC0000200, 24, "documentation (192.0.2.0/24)"},
    {0xC0586300, 24, "6to4 relay anycast (192.88.99.0/24)"},
    {0xC0A80000, 16, "private (192.168.0.0/16)"},
    {0xC6120000, 15, "benchmarking (198.18.0.0/15)"},
    {0xC6336400, 24, "documentation (198.51.100.0/24)"},
    {0xCB007100, 24, "documentation (203.0.113.0/24)"},
    {0xE0000000, 4, "multicast (224.0.0.0/4)"},
    {0xFFFFFFFF, 32, "broadcast (255.255.255.255)"},
    {0xF0000000, 4, "reserved (240.0.0.0/4)"},
};

std::optional<std::string_view> non_global_v4(std::uint32_t value) {
  for (const auto& range : kNonGlobalV4) {
    const std::uint32_t mask = range.prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - range.prefix_length);
    if ((value & mask) == range.network) return range.reason;
  }
  return std::nullopt;
}

bool all_zero(const std::uint8_t* bytes, std::size_t count) {
  return std::all_of(bytes, bytes + count, [](std::uint8_t b) { return b == 0; });
}

// IPv6 forms carrying an IPv4 address that a translator or relay would end up connecting to.
std::optional<std::uint32_t> embedded_v4(const std::array<std::uint8_t, 16>& b) {
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(&b[4], 8);
  if (nat64) return ipv4_value(&b[12]);
  if (b[0] == 0x20 && b[1] == 0x02) return ipv4_value(&b[2]);  // 6to4
  return std::nullopt;
}

std::optional<std::string_view> non_global_v6(const std::array<std::uint8_t, 16>& b) {
  if (const auto v4 = embedded_v4(b)) {
    if (!non_global_v4(*v4)) return std::nullopt;
    return b[0] == 0x20 ? "6to4 (2002::/16) of a non-public IPv4 address"
                        : "NAT64 (64:ff9b::/96) of a non-public IPv4 address";
  }
  if (all_zero(b.data(), 16)) return "unspecified (::)";
  if (all_zero(b.data(), 15) && b[15] == 1) return "loopback (::1)";
  if (all_zero(b.data(), 12)) return "IPv4-compatible (::/96, deprecated)";
  if (b[0] == 0xff) return "multicast (ff00::/8)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local (fec0::/10, deprecated)";
  if ((b[0] & 0xfe) == 0xfc) return "unique-local (fc00::/7)";
  // Everything globally routable is allocated from 2000::/3.
  if ((b[0] & 0xe0) != 0x20) return "outside the global unicast space (2000::/3)";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "documentation (2001:db8::/32)";
  if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0x00)
    return "IETF protocol assignments (2001::/23, includes Teredo)";
  if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0x00) return "documentation (3fff::/20)";
  return std::nullopt;
}

std::optional<IpAddress> from_sockaddr(const sockaddr* address, std::size_t length) {
  IpAddress ip;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    ip.family = IpFamily::v4;
    std::memcpy(ip.bytes.data(), &in.sin_addr, 4);
    return ip;
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    ip.family = IpFamily::v6;
    std::memcpy(ip.bytes.data(), &in6.sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

std::optional<std::uint16_t> sockaddr_port(const sockaddr* address, std::size_t length) {
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, address, sizeof in);
    return ntohs(in.sin_port);
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, address, sizeof in6);
    return ntohs(in6.sin6_port);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- URL inspection

std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  const CURLUcode rc = curl_url_get(url, part, &raw, flags);
  // Owned whatever the outcome: libcurl 7.88 can fail after it has handed out the part (it did so
  // for CURLU_PUNYCODE on a non-ASCII host; ascii_host now converts those itself).
  CurlString owned(raw);
  if (rc != CURLUE_OK || raw == nullptr) return std::nullopt;
  return std::string(owned.get());
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// One hop's destination: the parsed URL (handed to curl as is, so curl connects to exactly what
// was checked) and the pieces the address check needs.
struct Target {
  CurlUrl url;
  std::string text;
  std::string host;  // punycode, without IPv6 brackets
  std::uint16_t port = 0;
};

// Parses `text`, relative to `base` when given (redirects).
CurlUrl parse_url(const std::string& text, CURLU* base) {
  CurlUrl url(base != nullptr ? curl_url_dup(base) : curl_url());
  if (!url) throw std::bad_alloc();
  // NON_SUPPORT_SCHEME: let any scheme parse so the refusal can name it.
  // ALLOW_SPACE + URLENCODE: a literal space (which SDKs pass on from their users) is sent as %20.
  const CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, text.c_str(),
                                    CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE | CURLU_URLENCODE);
  if (rc != CURLUE_OK) refuse(std::string("malformed URL (") + curl_url_strerror(rc) + ")");
  return url;
}

void check_scheme(CURLU* url) {
  const std::string scheme = lowercase(url_part(url, CURLUPART_SCHEME).value_or(""));
  if (scheme != "http" && scheme != "https") {
    refuse("scheme '" + scheme + "' is not allowed (only http and https)");
  }
}

void check_no_credentials(CURLU* url) {
  if (url_part(url, CURLUPART_USER) || url_part(url, CURLUPART_PASSWORD) || url_part(url, CURLUPART_OPTIONS)) {
    refuse("credentials in the URL are not accepted");
  }
}

// The host in ASCII: an internationalized name (bücher.example) becomes its IDNA2008 punycode
// (xn--bcher-kva.example), and the URL is set to it, so that curl resolves and connects to exactly
// that name. Converted here from UTF-8, whatever the locale: libcurl hands libidn2 the host as if
// in the locale's charset, which under the C locale fails for every non-ASCII name.
std::string ascii_host(CURLU* url) {
  std::string host = url_part(url, CURLUPART_HOST).value_or("");
  if (std::all_of(host.begin(), host.end(), [](unsigned char c) { return c < 0x80; })) return host;
  char* ascii = nullptr;
  const int rc = idn2_to_ascii_8z(host.c_str(), &ascii, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
  const std::unique_ptr<char, decltype(&idn2_free)> owned(ascii, &idn2_free);
  if (rc != IDN2_OK || ascii == nullptr) {
    refuse(std::string("the host is not a valid internationalized domain name (") + idn2_strerror(rc) + ")");
  }
  if (curl_url_set(url, CURLUPART_HOST, ascii, 0) != CURLUE_OK) refuse("the host name is not valid");
  return ascii;
}

Target inspect(CurlUrl url) {
  check_scheme(url.get());
  check_no_credentials(url.get());
  // A zone id picks an interface for link-local traffic: never wanted for a public fetch.
  if (url_part(url.get(), CURLUPART_ZONEID)) refuse("IPv6 zone identifiers are not accepted");
  Target target;
  target.host = ascii_host(url.get());
  if (target.host.size() >= 2 && target.host.front() == '[' && target.host.back() == ']') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (target.host.empty()) refuse("the URL has no host");
  const auto port = parse_port(url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or(""));
  if (!port) refuse("the URL has an invalid port");
  target.port = *port;
  target.text = url_part(url.get(), CURLUPART_URL).value_or("");
  target.url = std::move(url);
  return target;
}

// ---------------------------------------------------------------- resolution and the address check

// RFC 6761: ".invalid" never resolves; answering locally keeps the query off the network.
bool is_invalid_tld(std::string host) {
  host = lowercase(std::move(host));
  if (!host.empty() && host.back() == '.') host.pop_back();
  return host == "invalid" || host.ends_with(".invalid");
}

std::vector<IpAddress> resolve(const Target& target) {
  if (auto literal = parse_ip_address(target.host)) return {*literal};
  if (is_invalid_tld(target.host)) fail("could not resolve host '" + target.host + "'");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &raw);
  AddrinfoList list(raw);
  if (rc != 0) fail("could not resolve host '" + target.host + "' (" + gai_strerror(rc) + ")");
  std::vector<IpAddress> addresses;
  for (const addrinfo* entry = list.get(); entry != nullptr; entry = entry->ai_next) {
    auto ip = from_sockaddr(entry->ai_addr, entry->ai_addrlen);
    if (ip && std::find(addresses.begin(), addresses.end(), *ip) == addresses.end()) addresses.push_back(*ip);
  }
  if (addresses.empty()) fail("could not resolve host '" + target.host + "' (no usable address)");
  return addresses;
}

std::string refusal_message(const Target& target, const IpAddress& address, const std::vector<CidrRule>& allow) {
  const std::string where = parse_ip_address(target.host)
                                ? "address " + address.to_string()
                                : "host '" + target.host + "' resolves to " + address.to_string() + ", which";
  std::string message = where + " is " + std::string(non_global_reason(address).value_or("not allowed"));
  const bool other_port = std::any_of(allow.begin(), allow.end(), [&](const CidrRule& rule) {
    return rule.port && cidr_matches(CidrRule{rule.network, rule.prefix_length, std::nullopt}, address, 0);
  });
  message += other_port ? " and is allow-listed only for other ports than " + std::to_string(target.port)
                        : " and not allow-listed";
  return message;
}

// Every address must pass: curl may connect to any of them.
void check_addresses(const Target& target, const std::vector<IpAddress>& addresses,
                     const std::vector<CidrRule>& allow) {
  for (const auto& address : addresses) {
    if (!address_allowed(address, target.port, allow)) refuse(refusal_message(target, address, allow));
  }
}

// ---------------------------------------------------------------- one HTTP exchange

// State the curl callbacks see. They must not throw (C frames), so they only record.
struct Transfer {
  const std::vector<IpAddress>* approved = nullptr;
  std::uint16_t port = 0;
  std::size_t max_bytes = 0;
  std::vector<std::uint8_t> body;
  bool body_too_large = false;
  bool out_of_memory = false;
  std::optional<std::string> blocked_peer;
  std::array<char, CURL_ERROR_SIZE> error{};
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  // Enforced here too: Content-Length may be absent (chunked) or lie.
  if (length > transfer.max_bytes - transfer.body.size()) {
    transfer.body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  try {
    transfer.body.insert(transfer.body.end(), data, data + length);
  } catch (const std::bad_alloc&) {
    transfer.out_of_memory = true;
    return 0;
  }
  return length;
}

// Last line of defence against DNS rebinding and parser differentials: curl may only open a
// socket to an address this hop has already checked.
curl_socket_t open_checked_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto& transfer = *static_cast<Transfer*>(user);
  const sockaddr* peer = &address->addr;
  const auto ip = from_sockaddr(peer, address->addrlen);
  const auto port = sockaddr_port(peer, address->addrlen);
  const bool approved = purpose == CURLSOCKTYPE_IPCXN && ip && port == transfer.port &&
                        std::any_of(transfer.approved->begin(), transfer.approved->end(),
                                    [&](const IpAddress& ok) { return unmap_ipv4(ok) == unmap_ipv4(*ip); });
  if (!approved) {
    try {
      transfer.blocked_peer = ip ? ip->to_string() : std::string("an unknown address");
    } catch (...) {
      transfer.out_of_memory = true;
    }
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

void require(CURLcode rc, const char* option) {
  if (rc != CURLE_OK) fail(std::string("could not set libcurl option ") + option + " (" + curl_easy_strerror(rc) + ")");
}

std::string resolve_entry(const Target& target, const std::vector<IpAddress>& addresses) {
  std::string entry = target.host + ":" + std::to_string(target.port) + ":";
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    if (i > 0) entry += ",";
    const auto& address = addresses[i];
    entry += address.family == IpFamily::v6 ? "[" + address.to_string() + "]" : address.to_string();
  }
  return entry;
}

void append(CurlSlist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();  // curl_slist_append returned the same list, now one longer
  list.reset(grown);
}

struct Limits {
  milliseconds connect;
  milliseconds total;
  curl_off_t max_bytes;
};

void set_limits(CURL* curl, const Limits& limits) {
  require(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect.count())),
          "CONNECTTIMEOUT_MS");
  require(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.total.count())), "TIMEOUT_MS");
  require(curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, limits.max_bytes), "MAXFILESIZE_LARGE");
}

void set_safety(CURL* curl) {
  require(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR");
  require(curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR");
  require(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L), "FOLLOWLOCATION");  // followed by hand
  require(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");              // no SIGALRM in a threaded server
  // No proxy from http_proxy/ALL_PROXY: it would connect on our behalf, past the address check.
  require(curl_easy_setopt(curl, CURLOPT_PROXY, ""), "PROXY");
  require(curl_easy_setopt(curl, CURLOPT_NOPROXY, "*"), "NOPROXY");
  require(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L), "SSL_VERIFYPEER");
  require(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L), "SSL_VERIFYHOST");
  // Raw bytes only: no decompression (bombs), and Accept-Encoding is sent by hand below.
  require(curl_easy_setopt(curl, CURLOPT_HTTP_CONTENT_DECODING, 0L), "HTTP_CONTENT_DECODING");
  require(curl_easy_setopt(curl, CURLOPT_USERAGENT, "ocrserve"), "USERAGENT");
  require(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L), "HTTPGET");
}

void set_callbacks(CURL* curl, Transfer& transfer) {
  require(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body), "WRITEFUNCTION");
  require(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer), "WRITEDATA");
  require(curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket), "OPENSOCKETFUNCTION");
  require(curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer), "OPENSOCKETDATA");
  require(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, transfer.error.data()), "ERRORBUFFER");
}

struct HopResult {
  long status = 0;
  std::vector<std::uint8_t> body;
  std::string content_type;
  std::optional<std::string> location;
};

std::string curl_detail(CURLcode rc, const Transfer& transfer) {
  return transfer.error[0] != '\0' ? std::string(transfer.error.data()) : std::string(curl_easy_strerror(rc));
}

[[noreturn]] void fail_transfer(CURL* curl, CURLcode rc, const Transfer& transfer, const Target& target,
                                const Limits& limits, const UrlFetchPolicy& policy) {
  const std::string endpoint = target.host + ":" + std::to_string(target.port);
  if (transfer.blocked_peer) {
    refuse("connection to " + *transfer.blocked_peer + " was blocked (not one of the checked addresses of '" +
           target.host + "')");
  }
  if (transfer.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    fail("the response body exceeds the limit of " + std::to_string(policy.max_bytes) + " bytes");
  }
  if (transfer.out_of_memory) fail("out of memory while downloading");
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    curl_off_t connected_us = 0;
    curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us);
    if (connected_us == 0 && limits.connect == policy.connect_timeout) {
      fail("connecting to " + endpoint + " timed out (connect timeout " +
           std::to_string(policy.connect_timeout.count()) + " ms)");
    }
    fail("the download did not finish within the total timeout of " + std::to_string(policy.total_timeout.count()) +
         " ms");
  }
  if (rc == CURLE_COULDNT_CONNECT) fail("could not connect to " + endpoint + " (" + curl_detail(rc, transfer) + ")");
  fail("transfer from " + endpoint + " failed (" + curl_detail(rc, transfer) + ")");
}

std::optional<std::string> location_header(CURL* curl) {
  curl_header* header = nullptr;
  if (curl_easy_header(curl, "Location", 0, CURLH_HEADER, -1, &header) != CURLHE_OK || header == nullptr) {
    return std::nullopt;
  }
  return std::string(header->value);
}

HopResult perform_hop(const Target& target, const std::vector<IpAddress>& addresses, const UrlFetchPolicy& policy,
                      milliseconds remaining) {
  CurlEasy curl(curl_easy_init());
  if (!curl) fail("could not create a libcurl handle");
  Transfer transfer;
  transfer.approved = &addresses;
  transfer.port = target.port;
  transfer.max_bytes = policy.max_bytes;
  const Limits limits{std::min(policy.connect_timeout, remaining), remaining,
                      static_cast<curl_off_t>(policy.max_bytes)};

  CurlSlist pinned;  // host:port:addresses, so curl never asks DNS again (rebinding)
  if (!parse_ip_address(target.host)) append(pinned, resolve_entry(target, addresses));
  CurlSlist headers;
  append(headers, "Accept-Encoding: identity");

  require(curl_easy_setopt(curl.get(), CURLOPT_CURLU, target.url.get()), "CURLU");
  if (pinned) require(curl_easy_setopt(curl.get(), CURLOPT_RESOLVE, pinned.get()), "RESOLVE");
  require(curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get()), "HTTPHEADER");
  set_safety(curl.get());
  set_limits(curl.get(), limits);
  set_callbacks(curl.get(), transfer);

  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) fail_transfer(curl.get(), rc, transfer, target, limits, policy);

  HopResult result;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  const char* content_type = nullptr;
  if (curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
    result.content_type = content_type;
  }
  if (result.status >= 300 && result.status < 400) result.location = location_header(curl.get());
  result.body = std::move(transfer.body);
  return result;
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

milliseconds time_left(Clock::time_point deadline, const UrlFetchPolicy& policy) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) {
    fail("the download did not finish within the total timeout of " + std::to_string(policy.total_timeout.count()) +
         " ms");
  }
  return left;
}

void check_final_status(long status) {
  if (status >= 400) fail("the server answered HTTP " + std::to_string(status));
  if (status < 200 || status >= 300) fail("unexpected HTTP status " + std::to_string(status));
}

}  // namespace

// ---------------------------------------------------------------- public address policy

std::string IpAddress::to_string() const {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const int af = family == IpFamily::v4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), text.data(), text.size()) == nullptr) return "?";
  return text.data();
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string copy(text);
  IpAddress ip;
  if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = IpFamily::v4;
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) == 1) {
    ip.family = IpFamily::v6;
    return ip;
  }
  return std::nullopt;
}

IpAddress unmap_ipv4(const IpAddress& address) {
  const auto& b = address.bytes;
  if (address.family != IpFamily::v6 || !all_zero(b.data(), 10) || b[10] != 0xff || b[11] != 0xff) return address;
  IpAddress v4;
  v4.family = IpFamily::v4;
  std::copy(b.begin() + 12, b.end(), v4.bytes.begin());
  return v4;
}

namespace {

struct CidrParts {
  std::string_view address;
  std::string_view rest;  // "", "/prefix", ":port" or "/prefix:port"
};

CidrParts split_cidr(std::string_view entry) {
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return {{}, entry};
    return {entry.substr(1, close - 1), entry.substr(close + 1)};
  }
  const auto slash = entry.find('/');
  if (slash != std::string_view::npos) return {entry.substr(0, slash), entry.substr(slash)};
  // Without a prefix, a single colon can only be "IPv4:port"; more colons are IPv6.
  const auto colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    return {entry.substr(0, colon), entry.substr(colon)};
  }
  return {entry, {}};
}

[[noreturn]] void bad_cidr(std::string_view entry, const std::string& why) {
  throw std::invalid_argument("allow-list entry '" + std::string(entry) + "': " + why);
}

}  // namespace

CidrRule parse_cidr(std::string_view entry) {
  const auto [address_text, rest] = split_cidr(entry);
  const auto address = parse_ip_address(address_text);
  if (!address) bad_cidr(entry, "not an IPv4/IPv6 address");
  CidrRule rule;
  rule.network = *address;
  rule.prefix_length = address_bits(address->family);
  std::string_view tail = rest;
  if (tail.starts_with('/')) {
    const auto colon = tail.find(':');
    const std::string_view prefix = tail.substr(1, colon == std::string_view::npos ? tail.npos : colon - 1);
    int length = -1;
    auto [ptr, ec] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), length);
    if (prefix.empty() || ec != std::errc() || ptr != prefix.data() + prefix.size() || length < 0 ||
        length > address_bits(address->family)) {
      bad_cidr(entry, "invalid prefix length");
    }
    rule.prefix_length = length;
    tail = colon == std::string_view::npos ? std::string_view() : tail.substr(colon);
  }
  if (tail.starts_with(':')) {
    rule.port = parse_port(tail.substr(1));
    if (!rule.port) bad_cidr(entry, "invalid port");
    tail = {};
  }
  if (!tail.empty()) bad_cidr(entry, "unexpected text after the address");
  // ::ffff:a.b.c.d/96+ is an IPv4 range: match it the way addresses are matched (unmapped).
  if (unmap_ipv4(rule.network).family == IpFamily::v4 && rule.network.family == IpFamily::v6 &&
      rule.prefix_length >= 96) {
    rule.network = unmap_ipv4(rule.network);
    rule.prefix_length -= 96;
  }
  clear_host_bits(rule.network, rule.prefix_length);
  return rule;
}

bool cidr_matches(const CidrRule& rule, const IpAddress& address, std::uint16_t port) {
  if (rule.port && *rule.port != port) return false;
  const IpAddress plain = unmap_ipv4(address);
  return plain.family == rule.network.family && prefix_equal(plain.bytes, rule.network.bytes, rule.prefix_length);
}

std::optional<std::string_view> non_global_reason(const IpAddress& address) {
  const IpAddress plain = unmap_ipv4(address);
  if (plain.family == IpFamily::v4) return non_global_v4(ipv4_value(plain.bytes.data()));
  return non_global_v6(plain.bytes);
}

bool address_allowed(const IpAddress& address, std::uint16_t port, const std::vector<CidrRule>& allow) {
  if (is_global_address(address)) return true;
  return std::any_of(allow.begin(), allow.end(),
                     [&](const CidrRule& rule) { return cidr_matches(rule, address, port); });
}

// ---------------------------------------------------------------- URL inspection

UrlDestination inspect_url(const std::string& url, const std::string& base) {
  const Target from = base.empty() ? Target{} : inspect(parse_url(base, nullptr));
  Target target = inspect(parse_url(url, from.url.get()));
  return UrlDestination{std::move(target.text), std::move(target.host), target.port};
}

// ---------------------------------------------------------------- the fetcher

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Throwing leaves the flag unset, so a later call retries.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  });
}

UrlFetcher::UrlFetcher(UrlFetchPolicy policy) : policy_(std::move(policy)) {
  if (policy_.max_bytes == 0) throw std::invalid_argument("URL fetch policy: max_bytes must be positive");
  if (policy_.connect_timeout.count() <= 0 || policy_.total_timeout.count() <= 0) {
    throw std::invalid_argument("URL fetch policy: timeouts must be positive");
  }
  if (policy_.max_redirects < 0) throw std::invalid_argument("URL fetch policy: max_redirects must be >= 0");
  for (const auto& entry : policy_.allow) allow_.push_back(parse_cidr(entry));
  ensure_curl_initialized();
}

namespace {

// Errors past the first hop say so: the caller only sees the URL they sent.
template <class Step>
auto at_hop(int redirects, Step&& step) -> decltype(step()) {
  try {
    return step();
  } catch (const Error& error) {
    if (redirects == 0) throw;
    throw Error(error.code(), std::string(error.what()) + " (after " + std::to_string(redirects) + " redirect" +
                                  (redirects == 1 ? "" : "s") + ")");
  }
}

}  // namespace

FetchedImage UrlFetcher::fetch(const std::string& url) const {
  const auto deadline = Clock::now() + policy_.total_timeout;
  Target target = inspect(parse_url(url, nullptr));
  for (int redirects = 0;; ++redirects) {
    HopResult hop = at_hop(redirects, [&] {
      const std::vector<IpAddress> addresses = resolve(target);
      check_addresses(target, addresses, allow_);
      return perform_hop(target, addresses, policy_, time_left(deadline, policy_));
    });
    if (!is_redirect(hop.status)) {
      return at_hop(redirects, [&] {
        check_final_status(hop.status);
        if (hop.body.empty()) fail("the server returned an empty body");
        return FetchedImage{std::move(hop.body), std::move(hop.content_type), target.text};
      });
    }
    at_hop(redirects, [&] {
      if (!hop.location) fail("HTTP " + std::to_string(hop.status) + " redirect without a Location header");
      if (redirects >= policy_.max_redirects) {
        fail("too many redirects (the limit is " + std::to_string(policy_.max_redirects) + ")");
      }
    });
    target = at_hop(redirects + 1, [&] {
      // Relative Locations resolve against the current URL; the new hop is checked from scratch.
      return inspect(parse_url(*hop.location, target.url.get()));
    });
  }
}

}  // namespace ocrserve::api
