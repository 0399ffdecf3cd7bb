#pragma once
// What every document type's request parsing and result writing share.
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "ocrserve/error.h"

namespace ocrserve::request_fields {

// An optional boolean flag of a request body: absent or null is false; any other type is AIS.0101
// naming the flag.
inline bool optional_bool(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) {
    throw Error(codes::kInvalidParameter, std::string("The parameter ") + name + " must be a boolean (true or false)");
  }
  return it->get<bool>();
}

// Confidences are reported with four decimals, as the seeds show them (a double, so that JSON
// prints 0.9331 and not the float's 0.9330999851226807).
inline double round4(float v) { return std::round(static_cast<double>(v) * 10000.0) / 10000.0; }

}  // namespace ocrserve::request_fields
