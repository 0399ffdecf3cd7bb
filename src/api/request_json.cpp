#include "api/request_json.h"

#include <string>
#include <vector>

namespace ocrserve::api {

namespace {

// Strings at least this long are lifted out; shorter ones are cheap to parse.
constexpr std::size_t kLiftFrom = 4096;

struct Span {
  std::size_t begin, end;  // the string's characters, quotes excluded
};

// The string values of `body` that are long runs of printable ASCII with no escape: nlohmann
// would take such text verbatim, so replacing it keeps the document's meaning. Stops looking at
// anything it does not understand (the parse will then judge the body).
std::vector<Span> long_plain_strings(std::string_view body) {
  std::vector<Span> spans;
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '"') {
      ++i;
      continue;
    }
    const std::size_t begin = ++i;
    bool plain = true;
    while (i < body.size() && body[i] != '"') {
      const unsigned char c = static_cast<unsigned char>(body[i]);
      if (c == '\\') {
        plain = false;
        i += 2;  // the escaped character cannot close the string
        continue;
      }
      if (c < 0x20 || c > 0x7e) plain = false;
      ++i;
    }
    if (i >= body.size()) break;  // unterminated: let the parser say so
    const std::size_t end = i++;
    std::size_t next = i;
    while (next < body.size() && (body[next] == ' ' || body[next] == '\t' || body[next] == '\n' || body[next] == '\r'))
      ++next;
    const bool key = next < body.size() && body[next] == ':';  // keys stay: only values are put back
    if (plain && !key && end - begin >= kLiftFrom) spans.push_back({begin, end});
  }
  return spans;
}

// The stand-in for lifted string k: "\u0000ocrserve-lifted-k" as JSON text.
constexpr std::string_view kMarker = "ocrserve-lifted-";
std::string marker(std::size_t n) {
  return "\\u0000" + std::string(kMarker) + std::to_string(n);
}

void put_back(nlohmann::json& value, const std::vector<std::string>& markers, std::vector<std::string>& lifted) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > 1 && s[0] == '\0') {
      for (std::size_t k = 0; k < markers.size(); ++k) {
        if (!lifted[k].empty() && s == markers[k]) {
          value = std::move(lifted[k]);
          lifted[k].clear();
          return;
        }
      }
    }
  } else if (value.is_structured()) {
    for (auto& child : value) put_back(child, markers, lifted);
  }
}

}  // namespace

nlohmann::json parse_request_json(std::string_view body) {
  // A body that already holds the stand-in's text is parsed as it is.
  const std::vector<Span> spans =
      body.find(kMarker) == std::string_view::npos ? long_plain_strings(body) : std::vector<Span>{};
  if (spans.empty()) return nlohmann::json::parse(body);
  std::string rest;
  std::vector<std::string> lifted, markers;
  std::size_t from = 0;
  for (std::size_t k = 0; k < spans.size(); ++k) {
    rest.append(body.substr(from, spans[k].begin - from));
    rest += marker(k);
    lifted.emplace_back(body.substr(spans[k].begin, spans[k].end - spans[k].begin));
    markers.push_back(std::string(1, '\0') + std::string(kMarker) + std::to_string(k));
    from = spans[k].end;
  }
  rest.append(body.substr(from));
  nlohmann::json value = nlohmann::json::parse(rest);
  put_back(value, markers, lifted);
  return value;
}

}  // namespace ocrserve::api
