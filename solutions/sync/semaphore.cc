#include "sync/semaphore.h"

#include <limits>
#include <stdexcept>

namespace kata::sync {

namespace {

void check_release_count(int n) {
  if (n < 1) throw std::invalid_argument("semaphore: release(n) needs n >= 1");
}

int checked_initial(int initial) {
  if (initial < 0) throw std::invalid_argument("semaphore: the initial count must be >= 0");
  return initial;
}

}  // namespace

Semaphore::Semaphore(int initial) : free_(checked_initial(initial)) {}

void Semaphore::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  // The predicate is re-checked after every wake-up: the wake-up may be spurious, or another
  // thread (one that never waited) may have taken the permit between the notify and now.
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
  // wait_for with a predicate computes one deadline and keeps waiting until it, whatever
  // wakes the thread in between; at the deadline it returns the predicate's value.
  if (!permit_freed_.wait_for(lock, timeout, [this] { return free_ > 0; })) return false;
  --free_;
  return true;
}

void Semaphore::release(int n) {
  check_release_count(n);
  if (!release_up_to(n, std::numeric_limits<int>::max())) {
    throw std::overflow_error("Semaphore::release: more free permits than an int holds");
  }
}

bool Semaphore::release_up_to(int n, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_ > limit - n) return false;  // free_ + n > limit, without overflowing
  free_ += n;
  // One new permit can serve one waiter; n permits may serve n waiters, and notify_one would
  // wake only one of them (the others would sleep on although permits are free). Notifying
  // under the lock keeps the condition variable alive: a woken thread that destroys the
  // semaphore must first take mu_, so it cannot do so while this call still uses it.
  if (n == 1) {
    permit_freed_.notify_one();
  } else {
    permit_freed_.notify_all();
  }
  return true;
}

BoundedSemaphore::BoundedSemaphore(int initial)
    : initial_(checked_initial(initial)), permits_(initial) {}

void BoundedSemaphore::acquire() { permits_.acquire(); }

bool BoundedSemaphore::try_acquire() { return permits_.try_acquire(); }

bool BoundedSemaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  return permits_.try_acquire_for(timeout);
}

void BoundedSemaphore::release(int n) {
  check_release_count(n);
  // Checking the count first and releasing afterwards would be two steps, and two threads
  // could both pass the check: release_up_to checks and adds under one lock.
  if (!permits_.release_up_to(n, initial_)) {
    throw std::logic_error("BoundedSemaphore::release: released too many times");
  }
}

}  // namespace kata::sync
