#pragma once
// One error type for the whole library: a vendor-neutral code (the Huawei code, which the other
// front doors map from) plus a message that tells the caller what to change.
#include <stdexcept>
#include <string>

namespace ocrserve {

namespace codes {
inline constexpr const char* kInvalidParameter = "AIS.0101";
inline constexpr const char* kFormatNotSupported = "AIS.0102";
inline constexpr const char* kImageSizeOutOfRange = "AIS.0103";
inline constexpr const char* kImageNotSupported = "AIS.0104";
inline constexpr const char* kRecognitionFailed = "AIS.0105";
}  // namespace codes

// Finer causes behind one code, for front doors whose vendor tells them apart.
namespace reasons {
inline constexpr const char* kTooManyBytes = "too_many_bytes";  // AIS.0103 for the file size, not the sides
}  // namespace reasons

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message, std::string reason = {})
      : std::runtime_error(message), code_(std::move(code)), reason_(std::move(reason)) {}
  const std::string& code() const noexcept { return code_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string code_;
  std::string reason_;
};

}  // namespace ocrserve
