#include "sync/reentrant_lock.h"

#include <system_error>

namespace kata::sync {

void ReentrantLock::lock() {
  const std::thread::id me = std::this_thread::get_id();
  std::unique_lock<std::mutex> guard(mu_);
  // The predicate is checked before sleeping and after every wake-up: a wake-up is a hint,
  // and another thread may have taken the lock between the notify and our getting mu_ back.
  released_.wait(guard, [&] { return available_to(me); });
  take(me);
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
  if (--depth_ > 0) return;  // still held by this thread, one level up
  owner_ = std::thread::id();
  // One waiter is enough: only one thread can take the lock, and whoever takes it wakes the
  // next one when it releases. A woken thread that finds the lock taken (by a thread that got
  // in with try_lock first) goes back to sleep, and that thread's unlock wakes it again.
  // Notifying before mu_ is released (guard's destructor) costs little and keeps the object
  // alive for the call: once mu_ is free, another thread may take the lock, release it and
  // destroy it.
  released_.notify_one();
}

}  // namespace kata::sync
