// The bound of --max-concurrent: texts (and searches) accepted and not yet answered. Taking
// permits never waits: when they are not there the request is refused with 429 at once, so
// neither the queue nor the waiting time can grow without bound (TEI's try_acquire_permit).
#pragma once

#include <atomic>
#include <cstddef>

namespace splade::server {

class Permits {
 public:
  explicit Permits(std::size_t limit) : limit_(limit) {}
  // Takes n permits, all or none.
  bool try_acquire(std::size_t n) {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (n > limit_ || used > limit_ - n) return false;
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_acq_rel));
    return true;
  }
  void release(std::size_t n) { used_.fetch_sub(n, std::memory_order_acq_rel); }
  std::size_t in_use() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace splade::server
