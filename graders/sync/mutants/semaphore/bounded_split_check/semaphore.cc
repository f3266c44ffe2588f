// Mutant (WRONG_RESULT): BoundedSemaphore::release checks the room under the lock, lets go
// of it, then releases under a second acquisition. Every access is locked (no race for
// ThreadSanitizer), but two threads can both pass the check for the last free place.
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
  int free_now;
  {
    std::lock_guard<std::mutex> lock(permits_.mu_);
    free_now = permits_.free_;
  }
  if (free_now + n > initial_) throw std::logic_error("released too many times");
  permits_.release(n);
}

}  // namespace kata::sync
