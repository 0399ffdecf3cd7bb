// decode_base64_strict on arbitrary text: it either decodes or throws ocrserve::Error (AIS.0102).
// What it accepts re-encodes to as many characters as were sent (whitespace aside) and decodes back
// to the same bytes. (Unused bits of the last character are not checked: "QR==" decodes like "QQ==".)
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ocrserve/image_intake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::uint8_t> bytes;
  try {
    bytes = ocrserve::decode_base64_strict(text);
  } catch (const ocrserve::Error& e) {
    if (e.code() != ocrserve::codes::kFormatNotSupported) std::abort();
    return 0;
  }
  std::string compact;
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact.push_back(c);
  }
  const std::string again = ocrserve::encode_base64(bytes.data(), bytes.size());
  if (again.size() != compact.size() || ocrserve::decode_base64_strict(again) != bytes) std::abort();
  return 0;
}
