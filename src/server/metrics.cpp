#include "server/metrics.h"

#include <sstream>

namespace ocrserve::server {

void Metrics::record(const std::string& api, int status, const std::string& code, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{api, status, code}];
  Histogram& h = latency_[api];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render(size_t queue_depth, size_t busy_workers) const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP ocrserve_requests_total Requests answered, by api, HTTP status and error code.\n"
         "# TYPE ocrserve_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [api, status, code] = key;
    out << "ocrserve_requests_total{api=\"" << api << "\",status=\"" << status << "\",code=\"" << code << "\"} " << n
        << "\n";
  }
  out << "# HELP ocrserve_request_duration_seconds Time from request to response, by api.\n"
         "# TYPE ocrserve_request_duration_seconds histogram\n";
  for (const auto& [api, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "ocrserve_request_duration_seconds_bucket{api=\"" << api << "\",le=\"" << kBuckets[i] << "\"} "
          << h.counts[i] << "\n";
    }
    out << "ocrserve_request_duration_seconds_bucket{api=\"" << api << "\",le=\"+Inf\"} " << h.count << "\n"
        << "ocrserve_request_duration_seconds_sum{api=\"" << api << "\"} " << h.sum << "\n"
        << "ocrserve_request_duration_seconds_count{api=\"" << api << "\"} " << h.count << "\n";
  }
  out << "# HELP ocrserve_queue_depth Requests admitted and waiting for a worker.\n# TYPE ocrserve_queue_depth gauge\n"
      << "ocrserve_queue_depth " << queue_depth << "\n"
      << "# HELP ocrserve_busy_workers Workers recognizing right now.\n# TYPE ocrserve_busy_workers gauge\n"
      << "ocrserve_busy_workers " << busy_workers << "\n"
      << "# HELP ocrserve_in_flight_requests Requests being handled.\n# TYPE ocrserve_in_flight_requests gauge\n"
      << "ocrserve_in_flight_requests " << in_flight_.load() << "\n"
      << "# HELP ocrserve_model_load_seconds Time it took to load the models.\n# TYPE ocrserve_model_load_seconds gauge\n"
      << "ocrserve_model_load_seconds " << model_load_seconds_.load() << "\n";
  return out.str();
}

}  // namespace ocrserve::server
