// Signature verification for the Huawei, Tencent and Aliyun front doors. The algorithms follow
// shared/compat/README.md, checked against requests captured from the official SDKs. Input is
// hostile: every parse is bounds-checked, no input-dependent exception is thrown, and all work is
// linear in the request size (the few sorts are n log n).
#include "api/signature.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

#include "api/crypto.h"

namespace ocrserve::api {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;
using std::chrono::system_clock;

constexpr std::string_view kHuaweiAlgorithm = "SDK-HMAC-SHA256";
constexpr std::string_view kTencentAlgorithm = "TC3-HMAC-SHA256";
constexpr std::string_view kAliyunAlgorithm = "ACS3-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Longer names are never real headers; the cap also keeps error messages short.
constexpr std::size_t kMaxHeaderNameLength = 64;

// ---- characters

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return ascii_lower(c) - 'a' + 10;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Lowercase RFC 9110 token characters: what a signed-header name may contain.
bool is_lower_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || is_digit(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Printable ASCII without space: safe to echo in a message and free of the Authorization separators
// when `forbidden` lists them.
bool is_visible(std::string_view s, std::string_view forbidden = {}) {
  for (const char c : s)
    if (c <= 0x20 || c >= 0x7f || forbidden.find(c) != std::string_view::npos) return false;
  return true;
}

std::string_view trim(std::string_view s, std::string_view chars = " \t") {
  const auto first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

// Splits on `sep`, keeping empty pieces (the callers decide whether those are errors).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = s.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out.push_back(sep);
    out += parts[i];
  }
  return out;
}

void set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
}

// ---- Authorization: "<ALGORITHM> Name=value, Name=value, Name=value"

// The three parameter values in the order of `names`; each must appear exactly once, non-empty.
std::optional<std::array<std::string_view, 3>> parse_auth_params(std::string_view value, std::string_view algorithm,
                                                                 const std::array<std::string_view, 3>& names,
                                                                 std::string* error) {
  if (value.size() > kMaxAuthorizationLength) {
    set_error(error, "the Authorization header is longer than " + std::to_string(kMaxAuthorizationLength) + " bytes");
    return std::nullopt;
  }
  value = trim(value);
  if (value.empty()) {
    set_error(error, "the Authorization header is empty");
    return std::nullopt;
  }
  if (value.size() <= algorithm.size() || value.substr(0, algorithm.size()) != algorithm ||
      value[algorithm.size()] != ' ') {
    set_error(error, "the Authorization header must start with \"" + std::string(algorithm) + " \"");
    return std::nullopt;
  }
  std::array<std::string_view, 3> found{};
  for (const auto raw : split(value.substr(algorithm.size() + 1), ',')) {
    const auto part = trim(raw, " ");
    const auto eq = part.find('=');
    const auto name = part.substr(0, std::min(eq, part.size()));
    const auto it = std::find(names.begin(), names.end(), name);
    if (eq == std::string_view::npos || it == names.end()) {
      set_error(error, "the Authorization header has an unexpected part (expected " + std::string(names[0]) + "=, " +
                           std::string(names[1]) + "= and " + std::string(names[2]) + "=, separated by commas)");
      return std::nullopt;
    }
    auto& slot = found[static_cast<std::size_t>(it - names.begin())];
    if (!slot.empty()) {
      set_error(error, "the Authorization header has " + std::string(name) + "= more than once");
      return std::nullopt;
    }
    slot = part.substr(eq + 1);
    if (slot.empty()) {
      set_error(error, "the Authorization header has an empty " + std::string(name) + "=");
      return std::nullopt;
    }
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (found[i].empty()) {
      set_error(error, "the Authorization header has no " + std::string(names[i]) + "=");
      return std::nullopt;
    }
  }
  return found;
}

std::optional<std::vector<std::string>> parse_signed_headers(std::string_view text, std::string* error) {
  const auto names = split(text, ';');
  if (names.size() > kMaxSignedHeaders) {
    set_error(error, "SignedHeaders lists more than " + std::to_string(kMaxSignedHeaders) + " headers");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto name : names) {
    if (name.empty() || name.size() > kMaxHeaderNameLength ||
        !std::all_of(name.begin(), name.end(), is_lower_token_char)) {
      set_error(error, "SignedHeaders must be lowercase header names separated by ';'");
      return std::nullopt;
    }
    if (std::find(out.begin(), out.end(), name) != out.end()) {
      set_error(error, "SignedHeaders lists " + std::string(name) + " twice");
      return std::nullopt;
    }
    out.emplace_back(name);
  }
  return out;
}

std::optional<std::string> parse_signature_hex(std::string_view text, std::string* error) {
  if (text.size() != 64 || !std::all_of(text.begin(), text.end(), is_hex_digit)) {
    set_error(error, "Signature must be 64 hexadecimal digits");
    return std::nullopt;
  }
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool valid_key_id(std::string_view id, std::string_view forbidden) {
  return !id.empty() && id.size() <= kMaxKeyIdLength && is_visible(id, forbidden);
}

// ---- dates

std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::optional<sys_seconds> make_time(std::optional<int> y, std::optional<int> mo, std::optional<int> d,
                                     std::optional<int> h, std::optional<int> mi, std::optional<int> s) {
  if (!y || !mo || !d || !h || !mi || !s) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*mo)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{*h} + std::chrono::minutes{*mi} + seconds{*s};
}

// Checks the literal characters of a fixed-format date: `pattern` has 'D' where a digit goes.
bool matches_pattern(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (pattern[i] == 'D' ? !is_digit(text[i]) : text[i] != pattern[i]) return false;
  return true;
}

std::string utc_date(sys_seconds t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

// ---- query strings

// Strict percent-decoding: '+' stays '+', a bad escape is an error.
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size() || !is_hex_digit(s[i + 1]) || !is_hex_digit(s[i + 2])) return std::nullopt;
    out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> decode_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto piece : split(raw_query, '&')) {
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    auto key = percent_decode(piece.substr(0, std::min(eq, piece.size())));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    pairs.emplace_back(std::move(*key), std::move(*value));
  }
  return pairs;
}

namespace {

// Both vendors: decode every pair, sort by key then value (bytes of the decoded text, as the SDKs
// sort their parameter objects), re-encode both sides with RFC 3986.
std::optional<std::string> canonical_query(std::string_view raw_query, std::string* error) {
  auto decoded = decode_query(raw_query);
  if (!decoded) {
    set_error(error, "the query string has an invalid percent-escape");
    return std::nullopt;
  }
  auto& pairs = *decoded;
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += percent_encode(key);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

// ---- headers

// The one value of a header that must not repeat; nullopt (with a reason) when absent or repeated.
std::optional<std::string_view> single_header(const SignedRequest& request, std::string_view name, std::string* error) {
  const auto values = header_values(request, name);
  if (values.size() == 1) return values.front();
  set_error(error, values.empty() ? "the " + std::string(name) + " header is missing"
                                  : "the " + std::string(name) + " header is sent more than once");
  return std::nullopt;
}

// Host without its port: "[::1]:80" -> "[::1]", "a.example:80" -> "a.example".
std::string_view strip_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  return host.substr(0, host.find(':'));
}

enum class Repeats { Reject, SortAndJoin };

// "name:value\n" for every signed header, in the order listed. `transform` adjusts one value.
template <typename Transform>
std::optional<std::string> canonical_headers(const SignedRequest& request, const std::vector<std::string>& names,
                                             Repeats repeats, Transform transform, std::string* error) {
  std::string out;
  for (const auto& name : names) {
    auto values = header_values(request, name);
    if (values.empty()) {
      set_error(error, "the signed header " + name + " is missing from the request");
      return std::nullopt;
    }
    if (values.size() > 1 && repeats == Repeats::Reject) {
      set_error(error, "the signed header " + name + " is sent more than once");
      return std::nullopt;
    }
    std::sort(values.begin(), values.end());
    out += name;
    out.push_back(':');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out.push_back(',');
      out += transform(name, values[i]);
    }
    out.push_back('\n');
  }
  return out;
}

std::string_view as_sent(const std::string&, std::string_view value) {
  return value;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ---- verification plumbing

VerifyResult outcome(SignatureFailure kind, std::string key_id, std::string message) {
  return VerifyResult{kind, std::move(key_id), std::move(message)};
}

// The single Authorization header, or the failure to report.
std::optional<std::string_view> authorization_header(const SignedRequest& request, VerifyResult& result) {
  const auto values = header_values(request, "authorization");
  if (values.empty()) {
    result = outcome(SignatureFailure::Missing, {}, "the request has no Authorization header");
    return std::nullopt;
  }
  if (values.size() > 1) {
    result = outcome(SignatureFailure::Malformed, {}, "the request has more than one Authorization header");
    return std::nullopt;
  }
  return values.front();
}

const Credential* find_credential(const CredentialLookup& lookup, std::string_view vendor, std::string_view id) {
  if (!lookup) return nullptr;
  const Credential* credential = lookup(vendor, id);
  return credential && credential->vendor == vendor && credential->id == id ? credential : nullptr;
}

std::string window_message(std::string_view header, seconds window) {
  return "the " + std::string(header) + " header is more than " + std::to_string(window.count()) +
         " seconds away from the server time";
}

constexpr std::string_view kBadSignatureMessage =
    "the request signature does not match: check the secret key and that the request is sent exactly as signed";

}  // namespace

// =============================================================================================
// Public helpers

std::string_view to_string(SignatureFailure f) {
  switch (f) {
    case SignatureFailure::None:
      return "None";
    case SignatureFailure::Missing:
      return "Missing";
    case SignatureFailure::Malformed:
      return "Malformed";
    case SignatureFailure::UnknownKey:
      return "UnknownKey";
    case SignatureFailure::Expired:
      return "Expired";
    case SignatureFailure::BadSignature:
      return "BadSignature";
    case SignatureFailure::PayloadHashMismatch:
      return "PayloadHashMismatch";
    case SignatureFailure::Replayed:
      return "Replayed";
  }
  return "Unknown";
}

std::vector<std::string_view> header_values(const SignedRequest& request, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [header, value] : request.headers)
    if (iequals(header, name)) out.push_back(trim(value));
  return out;
}

std::string percent_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

// ---- Authorization parsers

std::optional<HuaweiAuthorization> parse_huawei_authorization(std::string_view value, std::string* error) {
  const auto params = parse_auth_params(value, kHuaweiAlgorithm, {"Access", "SignedHeaders", "Signature"}, error);
  if (!params) return std::nullopt;
  const auto& [access, signed_headers, signature] = *params;
  if (!valid_key_id(access, ",;")) {
    set_error(error,
              "Access= must be a key id of at most " + std::to_string(kMaxKeyIdLength) + " printable characters");
    return std::nullopt;
  }
  auto names = parse_signed_headers(signed_headers, error);
  auto hex_signature = parse_signature_hex(signature, error);
  if (!names || !hex_signature) return std::nullopt;
  return HuaweiAuthorization{std::string(access), std::move(*names), std::move(*hex_signature)};
}

std::optional<TencentAuthorization> parse_tencent_authorization(std::string_view value, std::string* error) {
  const auto params = parse_auth_params(value, kTencentAlgorithm, {"Credential", "SignedHeaders", "Signature"}, error);
  if (!params) return std::nullopt;
  const auto& [credential, signed_headers, signature] = *params;
  const auto scope = split(credential, '/');
  if (scope.size() != 4 || scope[3] != "tc3_request") {
    set_error(error, "Credential= must be <SecretId>/<YYYY-MM-DD>/<service>/tc3_request");
    return std::nullopt;
  }
  if (!valid_key_id(scope[0], ",;")) {
    set_error(error, "the SecretId in Credential= must be at most " + std::to_string(kMaxKeyIdLength) +
                         " printable characters");
    return std::nullopt;
  }
  if (!matches_pattern(scope[1], "DDDD-DD-DD")) {
    set_error(error, "the date in Credential= must be YYYY-MM-DD");
    return std::nullopt;
  }
  if (scope[2].empty() || scope[2].size() > kMaxKeyIdLength || !is_visible(scope[2], ",;")) {
    set_error(error, "the service in Credential= must be a short printable name");
    return std::nullopt;
  }
  auto names = parse_signed_headers(signed_headers, error);
  auto hex_signature = parse_signature_hex(signature, error);
  if (!names || !hex_signature) return std::nullopt;
  return TencentAuthorization{std::string(scope[0]), std::string(scope[1]), std::string(scope[2]), std::move(*names),
                              std::move(*hex_signature)};
}

std::optional<AliyunAuthorization> parse_aliyun_authorization(std::string_view value, std::string* error) {
  const auto params = parse_auth_params(value, kAliyunAlgorithm, {"Credential", "SignedHeaders", "Signature"}, error);
  if (!params) return std::nullopt;
  const auto& [credential, signed_headers, signature] = *params;
  if (!valid_key_id(credential, ",;")) {
    set_error(error, "Credential= must be an AccessKeyId of at most " + std::to_string(kMaxKeyIdLength) +
                         " printable characters");
    return std::nullopt;
  }
  auto names = parse_signed_headers(signed_headers, error);
  auto hex_signature = parse_signature_hex(signature, error);
  if (!names || !hex_signature) return std::nullopt;
  return AliyunAuthorization{std::string(credential), std::move(*names), std::move(*hex_signature)};
}

// ---- timestamps

std::optional<sys_seconds> parse_huawei_date(std::string_view t) {
  if (!matches_pattern(t, "DDDDDDDDTDDDDDDZ")) return std::nullopt;
  return make_time(digits(t, 0, 4), digits(t, 4, 2), digits(t, 6, 2), digits(t, 9, 2), digits(t, 11, 2),
                   digits(t, 13, 2));
}

std::optional<sys_seconds> parse_aliyun_date(std::string_view t) {
  if (!matches_pattern(t, "DDDD-DD-DDTDD:DD:DDZ")) return std::nullopt;
  return make_time(digits(t, 0, 4), digits(t, 5, 2), digits(t, 8, 2), digits(t, 11, 2), digits(t, 14, 2),
                   digits(t, 17, 2));
}

std::optional<sys_seconds> parse_tencent_timestamp(std::string_view t) {
  // 11 digits reach the year 5138: plenty, and far from any overflow.
  if (t.empty() || t.size() > 11 || !std::all_of(t.begin(), t.end(), is_digit)) return std::nullopt;
  std::int64_t v = 0;
  for (const char c : t) v = v * 10 + (c - '0');
  return sys_seconds{seconds{v}};
}

bool within_window(sys_seconds t, system_clock::time_point now, seconds window) {
  // Whole seconds first (no overflow for any parseable date), then the sub-second remainder of now.
  const auto now_s = std::chrono::floor<seconds>(now);
  const auto fraction = now - now_s;
  const auto distance = now_s - t;
  if (distance < -window || distance > window) return false;
  return distance < window || fraction == system_clock::duration::zero();
}

// ---- Huawei

std::string huawei_canonical_uri(std::string_view path) {
  std::string out;
  const auto segments = split(path, '/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out.push_back('/');
    out += percent_encode(segments[i]);
  }
  if (out.empty() || out.back() != '/') out.push_back('/');
  return out;
}

std::optional<std::string> huawei_canonical_query(std::string_view raw_query, std::string* error) {
  return canonical_query(raw_query, error);
}

std::optional<std::string> huawei_canonical_request(const SignedRequest& request,
                                                    const std::vector<std::string>& signed_headers,
                                                    std::string* error) {
  const auto query = huawei_canonical_query(request.raw_query, error);
  const auto headers =
      query ? canonical_headers(request, signed_headers, Repeats::Reject, as_sent, error) : std::nullopt;
  if (!headers) return std::nullopt;
  // The SDK sends X-Sdk-Content-Sha256 (UNSIGNED-PAYLOAD) when it does not hash the body.
  const auto declared = header_values(request, "x-sdk-content-sha256");
  if (declared.size() > 1) {
    set_error(error, "the X-Sdk-Content-Sha256 header is sent more than once");
    return std::nullopt;
  }
  const std::string payload = declared.empty() ? sha256_hex(request.body) : std::string(declared.front());
  return request.method + "\n" + huawei_canonical_uri(request.path) + "\n" + *query + "\n" + *headers + "\n" +
         join(signed_headers, ';') + "\n" + payload;
}

std::string huawei_string_to_sign(std::string_view sdk_date, std::string_view canonical_request) {
  return std::string(kHuaweiAlgorithm) + "\n" + std::string(sdk_date) + "\n" + sha256_hex(canonical_request);
}

std::string huawei_project_id_from_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/v2/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return {};
  const auto rest = path.substr(kPrefix.size());
  return std::string(rest.substr(0, rest.find('/')));
}

// ---- Tencent

std::optional<std::string> tencent_canonical_request(const SignedRequest& request,
                                                     const std::vector<std::string>& signed_headers,
                                                     std::string* error) {
  // The SDK signs URL.hostname, but sends the port in Host.
  const auto host_without_port = [](const std::string& name, std::string_view value) {
    return name == "host" ? strip_port(value) : value;
  };
  const auto headers = canonical_headers(request, signed_headers, Repeats::Reject, host_without_port, error);
  if (!headers) return std::nullopt;
  return request.method + "\n" + request.path + "\n" + request.raw_query + "\n" + *headers + "\n" +
         join(signed_headers, ';') + "\n" + sha256_hex(request.body);
}

std::string tencent_string_to_sign(std::string_view timestamp, std::string_view date, std::string_view service,
                                   std::string_view canonical_request) {
  return std::string(kTencentAlgorithm) + "\n" + std::string(timestamp) + "\n" + std::string(date) + "/" +
         std::string(service) + "/tc3_request\n" + sha256_hex(canonical_request);
}

std::string tencent_signature(std::string_view secret_key, std::string_view date, std::string_view service,
                              std::string_view string_to_sign) {
  const auto k_date = hmac_sha256("TC3" + std::string(secret_key), date);
  const auto k_service = hmac_sha256(k_date, service);
  const auto k_signing = hmac_sha256(k_service, "tc3_request");
  return hex(hmac_sha256(k_signing, string_to_sign));
}

// ---- Aliyun

std::optional<std::string> aliyun_canonical_query(std::string_view raw_query, std::string* error) {
  // Re-encoding is mandatory: Node's querystring leaves (1)*! unescaped on the wire.
  return canonical_query(raw_query, error);
}

std::optional<std::string> aliyun_canonical_request(const SignedRequest& request,
                                                    const std::vector<std::string>& signed_headers,
                                                    std::string* error) {
  const auto query = aliyun_canonical_query(request.raw_query, error);
  const auto headers =
      query ? canonical_headers(request, signed_headers, Repeats::SortAndJoin, as_sent, error) : std::nullopt;
  if (!headers) return std::nullopt;
  return request.method + "\n" + request.path + "\n" + *query + "\n" + *headers + "\n" + join(signed_headers, ';') +
         "\n" + sha256_hex(request.body);
}

std::string aliyun_string_to_sign(std::string_view canonical_request) {
  return std::string(kAliyunAlgorithm) + "\n" + sha256_hex(canonical_request);
}

// ---- NonceCache

NonceCache::NonceCache(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void NonceCache::evict_locked(time_point now) {
  while (!by_expiry_.empty() && by_expiry_.top().first < now) {
    expiry_.erase(by_expiry_.top().second);
    by_expiry_.pop();
  }
}

bool NonceCache::remember(std::string_view key_id, std::string_view nonce, time_point expires, time_point now) {
  // Length-prefixed so that no (key id, nonce) pair can collide with another.
  std::string key = std::to_string(key_id.size()) + ":" + std::string(key_id) + std::string(nonce);
  const std::lock_guard lock(mutex_);
  evict_locked(now);
  if (expiry_.count(key)) return false;  // present entries are unexpired after eviction
  if (expiry_.size() >= capacity_) {
    expiry_.erase(by_expiry_.top().second);
    by_expiry_.pop();
  }
  expiry_.emplace(key, expires);
  by_expiry_.emplace(expires, std::move(key));
  return true;
}

std::size_t NonceCache::size() const {
  const std::lock_guard lock(mutex_);
  return expiry_.size();
}

// =============================================================================================
// Verifiers

VerifyResult verify_huawei(const SignedRequest& request, const CredentialLookup& lookup, system_clock::time_point now,
                           seconds window) {
  VerifyResult result;
  const auto header = authorization_header(request, result);
  if (!header) return result;
  std::string why;
  const auto auth = parse_huawei_authorization(*header, &why);
  if (!auth) return outcome(SignatureFailure::Malformed, {}, "malformed Authorization: " + why);
  const std::string& id = auth->access_key;
  const Credential* credential = find_credential(lookup, "huawei", id);
  if (!credential) return outcome(SignatureFailure::UnknownKey, id, "unknown access key " + id);

  const auto date_text = single_header(request, "X-Sdk-Date", &why);
  if (!date_text) return outcome(SignatureFailure::Malformed, id, why);
  const auto date = parse_huawei_date(*date_text);
  if (!date) return outcome(SignatureFailure::Malformed, id, "the X-Sdk-Date header must be YYYYMMDDTHHMMSSZ (UTC)");
  if (!within_window(*date, now, window))
    return outcome(SignatureFailure::Expired, id, window_message("X-Sdk-Date", window));

  // The path's project id is signed; a contradicting X-Project-Id means a confused or forged request.
  const auto project_ids = header_values(request, "x-project-id");
  if (project_ids.size() > 1)
    return outcome(SignatureFailure::Malformed, id, "the X-Project-Id header is sent more than once");
  if (project_ids.size() == 1 && project_ids.front() != huawei_project_id_from_path(request.path))
    return outcome(SignatureFailure::Malformed, id,
                   "the X-Project-Id header does not match the project id in the path");

  const auto declared = header_values(request, "x-sdk-content-sha256");
  if (declared.size() == 1 && declared.front() != kUnsignedPayload && declared.front() != sha256_hex(request.body))
    return outcome(SignatureFailure::PayloadHashMismatch, id,
                   "the X-Sdk-Content-Sha256 header does not match the body");

  const auto canonical = huawei_canonical_request(request, auth->signed_headers, &why);
  if (!canonical) return outcome(SignatureFailure::Malformed, id, why);
  const auto expected = hex(hmac_sha256(credential->secret, huawei_string_to_sign(*date_text, *canonical)));
  if (!constant_time_equal(expected, auth->signature))
    return outcome(SignatureFailure::BadSignature, id, std::string(kBadSignatureMessage));
  return outcome(SignatureFailure::None, id, {});
}

VerifyResult verify_tencent(const SignedRequest& request, const CredentialLookup& lookup, system_clock::time_point now,
                            seconds window) {
  VerifyResult result;
  const auto header = authorization_header(request, result);
  if (!header) return result;
  std::string why;
  const auto auth = parse_tencent_authorization(*header, &why);
  if (!auth) return outcome(SignatureFailure::Malformed, {}, "malformed Authorization: " + why);
  const std::string& id = auth->secret_id;
  const Credential* credential = find_credential(lookup, "tencent", id);
  if (!credential) return outcome(SignatureFailure::UnknownKey, id, "unknown SecretId " + id);

  const auto timestamp_text = single_header(request, "X-TC-Timestamp", &why);
  if (!timestamp_text) return outcome(SignatureFailure::Malformed, id, why);
  const auto timestamp = parse_tencent_timestamp(*timestamp_text);
  if (!timestamp)
    return outcome(SignatureFailure::Malformed, id, "the X-TC-Timestamp header must be Unix time in seconds");
  if (utc_date(*timestamp) != auth->date)
    return outcome(SignatureFailure::Malformed, id,
                   "the date in Credential= is not the UTC date of X-TC-Timestamp (" + utc_date(*timestamp) + ")");
  if (!within_window(*timestamp, now, window))
    return outcome(SignatureFailure::Expired, id, window_message("X-TC-Timestamp", window));

  // Tencent requires both; without host the signature would not bind the request to this server.
  for (const char* required : {"content-type", "host"})
    if (!contains(auth->signed_headers, required))
      return outcome(SignatureFailure::Malformed, id, "SignedHeaders must include " + std::string(required));

  const auto canonical = tencent_canonical_request(request, auth->signed_headers, &why);
  if (!canonical) return outcome(SignatureFailure::Malformed, id, why);
  const auto string_to_sign = tencent_string_to_sign(*timestamp_text, auth->date, auth->service, *canonical);
  const auto expected = tencent_signature(credential->secret, auth->date, auth->service, string_to_sign);
  if (!constant_time_equal(expected, auth->signature))
    return outcome(SignatureFailure::BadSignature, id, std::string(kBadSignatureMessage));
  return outcome(SignatureFailure::None, id, {});
}

namespace {

// Freshness, replay and payload protection only work when their headers are signed; an unsigned
// x-acs-* header (action, version...) would be open to tampering.
std::optional<std::string> aliyun_unsigned_header(const SignedRequest& request,
                                                  const std::vector<std::string>& signed_headers) {
  for (const char* required : {"x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"})
    if (!contains(signed_headers, required)) return "SignedHeaders must include " + std::string(required);
  for (const auto& [name, value] : request.headers) {
    if (!starts_with_ci(name, "x-acs-")) continue;
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
    if (!contains(signed_headers, lower))
      return "every x-acs-* header must be signed, and " + (is_visible(lower) && lower.size() <= 64 ? lower : "one") +
             " is not";
  }
  return std::nullopt;
}

}  // namespace

VerifyResult verify_aliyun(const SignedRequest& request, const CredentialLookup& lookup, NonceCache& nonces,
                           system_clock::time_point now, seconds window) {
  VerifyResult result;
  const auto header = authorization_header(request, result);
  if (!header) return result;
  std::string why;
  const auto auth = parse_aliyun_authorization(*header, &why);
  if (!auth) return outcome(SignatureFailure::Malformed, {}, "malformed Authorization: " + why);
  const std::string& id = auth->access_key_id;
  const Credential* credential = find_credential(lookup, "aliyun", id);
  if (!credential) return outcome(SignatureFailure::UnknownKey, id, "unknown AccessKeyId " + id);

  if (const auto problem = aliyun_unsigned_header(request, auth->signed_headers))
    return outcome(SignatureFailure::Malformed, id, *problem);
  const auto date_text = single_header(request, "x-acs-date", &why);
  if (!date_text) return outcome(SignatureFailure::Malformed, id, why);
  const auto date = parse_aliyun_date(*date_text);
  if (!date)
    return outcome(SignatureFailure::Malformed, id, "the x-acs-date header must be YYYY-MM-DDTHH:MM:SSZ (UTC)");
  if (!within_window(*date, now, window))
    return outcome(SignatureFailure::Expired, id, window_message("x-acs-date", window));

  const auto nonce = single_header(request, "x-acs-signature-nonce", &why);
  if (!nonce) return outcome(SignatureFailure::Malformed, id, why);
  if (nonce->empty() || nonce->size() > kMaxNonceLength)
    return outcome(
        SignatureFailure::Malformed, id,
        "the x-acs-signature-nonce header must have 1 to " + std::to_string(kMaxNonceLength) + " characters");

  const auto declared_hash = single_header(request, "x-acs-content-sha256", &why);
  if (!declared_hash) return outcome(SignatureFailure::Malformed, id, why);
  if (*declared_hash != sha256_hex(request.body))
    return outcome(SignatureFailure::PayloadHashMismatch, id,
                   "the x-acs-content-sha256 header does not match the body");

  const auto canonical = aliyun_canonical_request(request, auth->signed_headers, &why);
  if (!canonical) return outcome(SignatureFailure::Malformed, id, why);
  const auto expected = hex(hmac_sha256(credential->secret, aliyun_string_to_sign(*canonical)));
  if (!constant_time_equal(expected, auth->signature))
    return outcome(SignatureFailure::BadSignature, id, std::string(kBadSignatureMessage));

  // Only a verified request may consume its nonce, else anyone could burn other clients' nonces.
  if (!nonces.remember(id, *nonce, *date + window, now))
    return outcome(SignatureFailure::Replayed, id, "this x-acs-signature-nonce was already used");
  return outcome(SignatureFailure::None, id, {});
}

}  // namespace ocrserve::api
