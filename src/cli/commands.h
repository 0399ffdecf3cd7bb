#pragma once
#include <string>
#include <vector>

namespace ocrserve::cli {
int run_recognize(std::vector<std::string> args);
int run_batch(std::vector<std::string> args);
// Prints every route `ocrserve serve` answers, as JSON (server::routes()).
int run_routes(const std::vector<std::string>& args);
}  // namespace ocrserve::cli
