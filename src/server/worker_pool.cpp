#include "server/worker_pool.h"

#include <malloc.h>

#include <algorithm>

namespace ocrserve::server {

WorkerPool::WorkerPool(size_t workers, size_t queue_capacity) : capacity_(queue_capacity) {
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::try_submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    const size_t idle = threads_.size() - busy_;
    if (queue_.size() >= capacity_ + idle) return false;
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t WorkerPool::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::run() {
  const auto has_work = [this] { return stopping_ || !queue_.empty(); };
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      if (trim_due_ && !ready_.wait_for(lock, kTrimAfterIdle, has_work) && trim_due_ && busy_ == 0) {
        // A burst leaves its images and tensors in malloc's free lists; give them back once the pool
        // has stayed idle, so a burst does not leave the server larger. Not at once: back-to-back
        // requests of one caller would fault those pages in again every time (~20 ms).
        trim_due_ = false;
        lock.unlock();
        malloc_trim(0);
        continue;
      }
      ready_.wait(lock, has_work);
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      trim_due_ = false;
    }
    task();  // tasks catch their own exceptions
    std::lock_guard lock(mutex_);
    if (--busy_ == 0 && queue_.empty()) trim_due_ = true;
  }
}

bool RateLimiter::allow(const std::string& key, double rate, double burst) {
  if (rate <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst, now});
  Bucket& b = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst, b.tokens + elapsed * rate);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace ocrserve::server
