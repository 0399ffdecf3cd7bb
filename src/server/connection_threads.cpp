#include "server/connection_threads.h"

#include <thread>

namespace ocrserve::server {

ConnectionThreads::ConnectionThreads(std::size_t max_threads, std::chrono::milliseconds idle)
    : max_threads_(std::max<std::size_t>(1, max_threads)), idle_(idle) {}

ConnectionThreads::~ConnectionThreads() { shutdown(); }

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mutex_);
  if (stopping_) return;
  queue_.push_back(std::move(fn));
  if (waiting_ > queue_.size() - 1) {
    work_.notify_one();
    return;
  }
  if (threads_ < max_threads_) {
    ++threads_;
    // Detached: shutdown() waits on the count, and a thread touches nothing of this object after
    // it has counted itself out under the lock.
    std::thread([this] { run(); }).detach();
  }
}

void ConnectionThreads::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) break;
      ++waiting_;
      const bool woken = work_.wait_for(lock, idle_, [this] { return !queue_.empty() || stopping_; });
      --waiting_;
      if (!woken) break;  // idle long enough: give the thread back
      continue;
    }
    std::function<void()> job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // release what the job holds before taking the lock again
    lock.lock();
  }
  --threads_;
  exited_.notify_all();
}

void ConnectionThreads::shutdown() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  work_.notify_all();
  exited_.wait(lock, [this] { return threads_ == 0; });
}

std::size_t ConnectionThreads::threads() const {
  std::lock_guard lock(mutex_);
  return threads_;
}

}  // namespace ocrserve::server
