// Mutant (FORBIDDEN): see semaphore.h.
#include "sync/semaphore.h"

#include <stdexcept>

namespace kata::sync {

Semaphore::Semaphore(int initial) : permits_(initial) {}
void Semaphore::acquire() { permits_.acquire(); }
bool Semaphore::try_acquire() { return permits_.try_acquire(); }
bool Semaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  return permits_.try_acquire_for(timeout);
}
void Semaphore::release(int n) {
  if (n < 1) throw std::invalid_argument("release(n) needs n >= 1");
  permits_.release(n);
}

BoundedSemaphore::BoundedSemaphore(int initial)
    : initial_(initial), free_(initial), permits_(initial) {}

void BoundedSemaphore::acquire() {
  permits_.acquire();
  std::lock_guard<std::mutex> lock(mu_);
  --free_;
}

bool BoundedSemaphore::try_acquire() {
  if (!permits_.try_acquire()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  --free_;
  return true;
}

bool BoundedSemaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  if (!permits_.try_acquire_for(timeout)) return false;
  std::lock_guard<std::mutex> lock(mu_);
  --free_;
  return true;
}

void BoundedSemaphore::release(int n) {
  if (n < 1) throw std::invalid_argument("release(n) needs n >= 1");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_ + n > initial_) throw std::logic_error("released too many times");
    free_ += n;
  }
  permits_.release(n);
}

}  // namespace kata::sync
