#pragma once
// Request-signature verification for the three vendor front doors: Huawei SDK-HMAC-SHA256, Tencent
// TC3-HMAC-SHA256 and Aliyun ACS3-HMAC-SHA256, exactly as the official SDKs sign (see
// shared/compat/README.md). Everything here treats the request as hostile: parsers never throw on
// input, work is bounded, and messages never carry secrets or signatures.
//
// The canonicalization pieces are public so tests (and later fuzzers) can check them one by one.
// Functions that can fail on input return std::optional and, when `error` is given, say why there.
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ocrserve::api {

// What the HTTP layer hands over, nothing decoded yet.
struct SignedRequest {
  std::string method;                                        // "POST"
  std::string path;                                          // as sent, not decoded
  std::string raw_query;                                     // as sent, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // wire order, names as sent
  std::string_view body;                                     // raw (de-chunked) body
};

struct Credential {
  std::string vendor;  // "huawei" | "tencent" | "aliyun"
  std::string id;
  std::string secret;
};

// Looks a key id up for one vendor; nullptr when unknown.
using CredentialLookup = std::function<const Credential*(std::string_view vendor, std::string_view id)>;

enum class SignatureFailure {
  None,
  Missing,
  Malformed,
  UnknownKey,
  Expired,
  BadSignature,
  PayloadHashMismatch,
  Replayed
};

std::string_view to_string(SignatureFailure failure);

struct VerifyResult {
  SignatureFailure failure = SignatureFailure::None;
  std::string key_id;   // the key id from the Authorization header, once it could be parsed
  std::string message;  // for the error body: says what is wrong, never secrets or signatures
  bool ok() const { return failure == SignatureFailure::None; }
};

// Limits on hostile input (bounded work, bounded messages).
inline constexpr std::size_t kMaxAuthorizationLength = 4096;
inline constexpr std::size_t kMaxSignedHeaders = 64;
inline constexpr std::size_t kMaxKeyIdLength = 128;
inline constexpr std::size_t kMaxNonceLength = 256;

// ---------------------------------------------------------------------------------------------
// Headers

// Every value of header `name` (ASCII case-insensitive), in wire order, without surrounding spaces
// and tabs (optional whitespace is not part of a field value).
std::vector<std::string_view> header_values(const SignedRequest& request, std::string_view name);

// ---------------------------------------------------------------------------------------------
// Authorization headers. Signed-header names must be lowercase tokens, unique, at most
// kMaxSignedHeaders; the signature must be 64 hex digits (kept lowercase).

struct HuaweiAuthorization {  // SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>
  std::string access_key;
  std::vector<std::string> signed_headers;
  std::string signature;
};
// TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<a;b>, Signature=<hex>
struct TencentAuthorization {
  std::string secret_id;
  std::string date;     // YYYY-MM-DD (format checked, not the value)
  std::string service;  // taken from the scope, never hard-coded (it is "127" for an IP endpoint)
  std::vector<std::string> signed_headers;
  std::string signature;
};
struct AliyunAuthorization {  // ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>
  std::string access_key_id;
  std::vector<std::string> signed_headers;
  std::string signature;
};

std::optional<HuaweiAuthorization> parse_huawei_authorization(std::string_view value, std::string* error = nullptr);
std::optional<TencentAuthorization> parse_tencent_authorization(std::string_view value, std::string* error = nullptr);
std::optional<AliyunAuthorization> parse_aliyun_authorization(std::string_view value, std::string* error = nullptr);

// ---------------------------------------------------------------------------------------------
// Timestamps (UTC). nullopt unless the text has exactly the format and a real calendar date.

std::optional<std::chrono::sys_seconds> parse_huawei_date(std::string_view text);        // 20261121T203143Z
std::optional<std::chrono::sys_seconds> parse_tencent_timestamp(std::string_view text);  // 1795293161
std::optional<std::chrono::sys_seconds> parse_aliyun_date(std::string_view text);        // 2026-11-21T20:31:43Z

// True when `t` is at most `window` away from `now`, in either direction.
bool within_window(std::chrono::sys_seconds t, std::chrono::system_clock::time_point now, std::chrono::seconds window);

// ---------------------------------------------------------------------------------------------
// Canonicalization. A signed header that is absent, or (Huawei, Tencent) repeated, is an error.

// Every byte outside A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase): RFC 3986, which is also
// encodeURIComponent plus ! ' ( ) * for Aliyun.
std::string percent_encode(std::string_view bytes);

// Percent-decoded query pairs in wire order ('+' stays '+'); empty pieces ("a&&b") are skipped, a
// piece without '=' is a key with an empty value; nullopt when an escape is broken.
std::optional<std::vector<std::pair<std::string, std::string>>> decode_query(std::string_view raw_query);

// Huawei: each path segment percent-encoded as sent (so an existing %XX becomes %25XX), then a
// trailing '/' if missing.
std::string huawei_canonical_uri(std::string_view path);
// Huawei: pairs decoded, sorted by key then value, both re-encoded, joined with '&'.
std::optional<std::string> huawei_canonical_query(std::string_view raw_query, std::string* error = nullptr);
std::optional<std::string> huawei_canonical_request(const SignedRequest& request,
                                                    const std::vector<std::string>& signed_headers,
                                                    std::string* error = nullptr);
std::string huawei_string_to_sign(std::string_view sdk_date, std::string_view canonical_request);
// The {project_id} segment of /v2/{project_id}/..., as sent; empty when the path has none.
std::string huawei_project_id_from_path(std::string_view path);

// Tencent: the host line drops the port (the SDK signs URL.hostname), other values as sent.
std::optional<std::string> tencent_canonical_request(const SignedRequest& request,
                                                     const std::vector<std::string>& signed_headers,
                                                     std::string* error = nullptr);
std::string tencent_string_to_sign(std::string_view timestamp, std::string_view date, std::string_view service,
                                   std::string_view canonical_request);
// hex(HMAC(kSigning, string_to_sign)) with kSigning derived from "TC3" + secret, date, service.
std::string tencent_signature(std::string_view secret_key, std::string_view date, std::string_view service,
                              std::string_view string_to_sign);

// Aliyun: pairs decoded, sorted by key (then value), key and value re-encoded with RFC 3986.
std::optional<std::string> aliyun_canonical_query(std::string_view raw_query, std::string* error = nullptr);
// Aliyun: repeated headers are sorted and joined with ','.
std::optional<std::string> aliyun_canonical_request(const SignedRequest& request,
                                                    const std::vector<std::string>& signed_headers,
                                                    std::string* error = nullptr);
std::string aliyun_string_to_sign(std::string_view canonical_request);

// ---------------------------------------------------------------------------------------------
// Aliyun replay protection: remembers (key id, nonce) pairs until they expire. Thread-safe; the
// caller owns it (one per server). Memory is bounded: expired entries go first, and at capacity the
// entry closest to expiry is dropped, because a flood from a valid key must not exhaust memory.
class NonceCache {
 public:
  using time_point = std::chrono::system_clock::time_point;
  static constexpr std::size_t kDefaultCapacity = std::size_t{1} << 20;

  explicit NonceCache(std::size_t capacity = kDefaultCapacity);
  NonceCache(const NonceCache&) = delete;
  NonceCache& operator=(const NonceCache&) = delete;

  // Remembers the pair until `expires` (inclusive). Returns false, changing nothing, when the pair
  // is already remembered and has not expired at `now`.
  bool remember(std::string_view key_id, std::string_view nonce, time_point expires, time_point now);
  std::size_t size() const;

 private:
  using Entry = std::pair<time_point, std::string>;
  void evict_locked(time_point now);

  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::unordered_map<std::string, time_point> expiry_;                             // pair key -> expiry
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> by_expiry_;  // same entries, soonest first
};

// ---------------------------------------------------------------------------------------------
// Verifiers. `now` is the server clock; the vendor timestamp must lie within ±window of it.
// They throw only on resource exhaustion or an internal OpenSSL failure, never because of input.

// Also requires X-Project-Id, when sent, to equal the path's project id (else Malformed). Whether
// the project id is one this server serves is the caller's decision (huawei_project_id_from_path).
// With X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD the body is not covered (vendor behaviour).
VerifyResult verify_huawei(const SignedRequest& request, const CredentialLookup& lookup,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds window = std::chrono::minutes(15));

// X-TC-Action, X-TC-Version and X-TC-Region are not signed by the vendor's scheme: a verified
// request does not authenticate them.
VerifyResult verify_tencent(const SignedRequest& request, const CredentialLookup& lookup,
                            std::chrono::system_clock::time_point now,
                            std::chrono::seconds window = std::chrono::minutes(5));

// Requires x-acs-date, x-acs-signature-nonce and x-acs-content-sha256, and every x-acs-* header
// sent to be signed (as the SDK does), so the action and version are authenticated. The nonce is
// recorded only once the signature has verified.
VerifyResult verify_aliyun(const SignedRequest& request, const CredentialLookup& lookup, NonceCache& nonces,
                           std::chrono::system_clock::time_point now,
                           std::chrono::seconds window = std::chrono::minutes(15));

}  // namespace ocrserve::api
