#pragma once
#include <string>
#include <vector>

namespace ocrserve::cli {
int run_recognize(std::vector<std::string> args);
int run_batch(std::vector<std::string> args);
}  // namespace ocrserve::cli
