// Mutant (WRONG_RESULT): lock() sleeps with `if (taken) wait` instead of a loop, and the last
// unlock() wakes every waiter. The first woken waiter takes the lock; the others do not look
// again and take it too: two threads inside at once (the grader counts the holders).
#include "sync/reentrant_lock.h"

#include <system_error>

namespace kata::sync {

void ReentrantLock::lock() {
  const std::thread::id me = std::this_thread::get_id();
  std::unique_lock<std::mutex> guard(mu_);
  if (!available_to(me)) released_.wait(guard);
  owner_ = me;
  ++depth_;
}

bool ReentrantLock::try_lock() {
  const std::thread::id me = std::this_thread::get_id();
  std::lock_guard<std::mutex> guard(mu_);
  if (!available_to(me)) return false;
  take(me);
  return true;
}

bool ReentrantLock::try_lock_for(std::chrono::milliseconds timeout) {
  const std::thread::id me = std::this_thread::get_id();
  // A deadline, not a duration: each wake-up that finds the lock taken waits only for what is
  // left of the timeout.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> guard(mu_);
  // wait_until returns the predicate's value at the end: true means we may take it, even if
  // the deadline passed at the same moment.
  if (!released_.wait_until(guard, deadline, [&] { return available_to(me); })) return false;
  take(me);
  return true;
}

void ReentrantLock::unlock() {
  std::lock_guard<std::mutex> guard(mu_);
  if (depth_ == 0 || owner_ != std::this_thread::get_id()) {
    throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                            "ReentrantLock::unlock: the calling thread does not hold the lock");
  }
  if (--depth_ > 0) return;
  owner_ = std::thread::id();
  released_.notify_all();
}

}  // namespace kata::sync
