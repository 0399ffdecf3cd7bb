#pragma once
// Prometheus text-format metrics: requests by api/status/code, latency histograms per api, queue
// depth, in-flight requests, model load time.
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ocrserve::server {

class Metrics {
 public:
  void record(const std::string& api, int status, const std::string& code, double seconds);
  void set_model_load_seconds(double s) { model_load_seconds_ = s; }
  std::atomic<int>& in_flight() { return in_flight_; }
  // Queue depth is read from its owner when scraped.
  std::string render(size_t queue_depth, size_t busy_workers) const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  struct Histogram {
    std::array<long, kBuckets.size()> counts{};
    long count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, int, std::string>, long> requests_;
  std::map<std::string, Histogram> latency_;
  std::atomic<int> in_flight_{0};
  std::atomic<double> model_load_seconds_{0};
};

}  // namespace ocrserve::server
