// Mutant (RACE): try_acquire peeks at the count without the lock ("a read is harmless") as
// a fast path before locking. The unlocked read races with the locked writes of other threads.
#include "sync/semaphore.h"

#include <limits>
#include <stdexcept>

namespace kata::sync {

Semaphore::Semaphore(int initial) : free_(initial) {}

void Semaphore::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  permit_freed_.wait(lock, [this] { return free_ > 0; });
  --free_;
}

bool Semaphore::try_acquire() {
  if (free_ == 0) return false;  // fast path, no lock
  std::lock_guard<std::mutex> lock(mu_);
  if (free_ == 0) return false;
  --free_;
  return true;
}
bool Semaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!permit_freed_.wait_for(lock, timeout, [this] { return free_ > 0; })) return false;
  --free_;
  return true;
}

bool Semaphore::release_up_to(int n, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_ > limit - n) return false;
  free_ += n;
  if (n == 1) {
    permit_freed_.notify_one();
  } else {
    permit_freed_.notify_all();
  }
  return true;
}

void Semaphore::release(int n) {
  if (n < 1) throw std::invalid_argument("release(n) needs n >= 1");
  if (!release_up_to(n, std::numeric_limits<int>::max())) throw std::overflow_error("overflow");
}

BoundedSemaphore::BoundedSemaphore(int initial) : initial_(initial), permits_(initial) {}
void BoundedSemaphore::acquire() { permits_.acquire(); }
bool BoundedSemaphore::try_acquire() { return permits_.try_acquire(); }
bool BoundedSemaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  return permits_.try_acquire_for(timeout);
}
void BoundedSemaphore::release(int n) {
  if (n < 1) throw std::invalid_argument("release(n) needs n >= 1");
  if (!permits_.release_up_to(n, initial_)) throw std::logic_error("released too many times");
}

}  // namespace kata::sync
