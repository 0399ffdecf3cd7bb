#pragma once
// Thin OpenSSL 3 wrappers for request signing: SHA-256, HMAC-SHA256, hex and a constant-time
// comparison. Byte strings travel as std::string (raw bytes) so they chain without conversions.
// Failures inside OpenSSL (not reachable from input) throw std::runtime_error.
#include <string>
#include <string_view>

namespace ocrserve::api {

// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
// Lowercase hex SHA-256 digest (64 characters).
std::string sha256_hex(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key` (an empty key is allowed).
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lowercase hex of arbitrary bytes.
std::string hex(std::string_view bytes);
// True when a and b are byte-for-byte equal. The time taken depends on the lengths only, never on
// where the contents differ (CRYPTO_memcmp), so a signature cannot be guessed byte by byte.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ocrserve::api
