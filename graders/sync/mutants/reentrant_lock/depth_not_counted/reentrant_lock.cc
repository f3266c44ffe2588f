// Mutant (WRONG_RESULT): the owner may lock again, but re-entering does not count: the depth
// stays 1, so the first unlock() of a nested pair releases the lock while the owner is still
// inside its outer section, and another thread gets in.
#include "sync/reentrant_lock.h"

#include <system_error>

namespace kata::sync {

void ReentrantLock::lock() {
  const std::thread::id me = std::this_thread::get_id();
  std::unique_lock<std::mutex> guard(mu_);
  if (depth_ > 0 && owner_ == me) return;  // already ours: nothing to count (wrong)
  released_.wait(guard, [&] { return depth_ == 0; });
  owner_ = me;
  depth_ = 1;
}

bool ReentrantLock::try_lock() {
  const std::thread::id me = std::this_thread::get_id();
  std::lock_guard<std::mutex> guard(mu_);
  if (depth_ > 0 && owner_ == me) return true;  // already ours (and not counted: wrong)
  if (depth_ > 0) return false;
  owner_ = me;
  depth_ = 1;
  return true;
}

bool ReentrantLock::try_lock_for(std::chrono::milliseconds timeout) {
  const std::thread::id me = std::this_thread::get_id();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> guard(mu_);
  if (depth_ > 0 && owner_ == me) return true;  // already ours (and not counted: wrong)
  if (!released_.wait_until(guard, deadline, [&] { return depth_ == 0; })) return false;
  owner_ = me;
  depth_ = 1;
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
