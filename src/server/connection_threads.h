#pragma once
// cpp-httplib serves each connection on one thread for as long as the connection lives (a kept-
// alive idle connection holds its thread for the keep-alive timeout; a slow sender for the read
// timeout). A fixed pool lets a few hundred idle or slow clients starve everyone else, so
// connections get threads on demand, up to a cap, and threads left idle exit. Recognition itself
// runs on the bounded WorkerPool; these threads only read requests and write answers.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include <httplib.h>

namespace ocrserve::server {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  // At most `max_threads` connections are served at once; more wait in a queue. A thread with
  // nothing to do for `idle` exits.
  ConnectionThreads(std::size_t max_threads, std::chrono::milliseconds idle);
  ~ConnectionThreads() override;
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Runs what was queued, then waits for every thread to exit.
  void shutdown() override;

  std::size_t threads() const;

 private:
  void run();

  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable exited_;
  std::deque<std::function<void()>> queue_;
  std::size_t threads_ = 0;
  std::size_t waiting_ = 0;  // threads waiting for work
  bool stopping_ = false;
};

}  // namespace ocrserve::server
