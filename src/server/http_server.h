#pragma once
// `ocrserve serve`: the HTTP front door. Translates HTTP to the api/ and documents/ layers and
// back; owns the admission queue, auth, rate limits, metrics and the access log.
#include <string>
#include <vector>

namespace ocrserve::server {

// Runs until SIGTERM/SIGINT; returns the process exit code.
int run_server(const std::vector<std::string>& args);

}  // namespace ocrserve::server
