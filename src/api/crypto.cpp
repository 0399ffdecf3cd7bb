// OpenSSL 3 only through non-deprecated entry points (EVP_Digest, EVP_Q_mac), so -Werror holds.
#include "api/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace ocrserve::api {
namespace {

constexpr std::size_t kSha256Size = 32;

// OpenSSL may treat a null pointer as "no key / no data" even with length 0, and an empty
// std::string_view may hold one: always hand over a real address.
const unsigned char* bytes_of(std::string_view s) {
  static constexpr unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(kSha256Size, '\0');
  unsigned int size = 0;
  if (EVP_Digest(bytes_of(data), data.size(), reinterpret_cast<unsigned char*>(out.data()), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != kSha256Size)
    throw std::runtime_error("OpenSSL SHA-256 failed");
  return out;
}

std::string sha256_hex(std::string_view data) {
  return hex(sha256(data));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(kSha256Size, '\0');
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, bytes_of(key), key.size(), bytes_of(data), data.size(),
                reinterpret_cast<unsigned char*>(out.data()), out.size(), &size) == nullptr ||
      size != kSha256Size)
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    // Same amount of work as an equal-length comparison of `a`; only the length difference shows.
    (void)CRYPTO_memcmp(bytes_of(a), bytes_of(a), a.size());
    return false;
  }
  return CRYPTO_memcmp(bytes_of(a), bytes_of(b), a.size()) == 0;
}

}  // namespace ocrserve::api
