#pragma once
// Fixed workers behind a bounded queue: a full queue refuses at once (the caller answers 429)
// instead of letting latency grow without bound.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <string>
#include <unordered_map>
#include <vector>
#include <chrono>

namespace ocrserve::server {

class WorkerPool {
 public:
  WorkerPool(size_t workers, size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when every worker is busy and the queue is full.
  bool try_submit(std::function<void()> task);
  size_t queued() const;
  size_t busy() const;
  // Finishes what was admitted, then stops the workers.
  void shutdown();

 private:
  void run();

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  size_t busy_ = 0;
  bool stopping_ = false;
  bool trim_due_ = false;  // the pool fell idle since its last malloc_trim
  static constexpr std::chrono::seconds kTrimAfterIdle{1};
  std::vector<std::thread> threads_;
};

// Token bucket per key (credential), refilled continuously.
class RateLimiter {
 public:
  bool allow(const std::string& key, double rate_per_second, double burst);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ocrserve::server
