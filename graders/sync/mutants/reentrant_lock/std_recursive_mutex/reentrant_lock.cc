// Mutant (FORBIDDEN): see reentrant_lock.h.
#include "sync/reentrant_lock.h"

#include <system_error>

namespace kata::sync {

void ReentrantLock::lock() {
  mu_.lock();
  owner_ = std::this_thread::get_id();
  ++depth_;
}

bool ReentrantLock::try_lock() {
  if (!mu_.try_lock()) return false;
  owner_ = std::this_thread::get_id();
  ++depth_;
  return true;
}

bool ReentrantLock::try_lock_for(std::chrono::milliseconds timeout) {
  // std::recursive_mutex has no timed lock: poll.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!try_lock()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void ReentrantLock::unlock() {
  if (owner_.load() != std::this_thread::get_id()) {
    throw std::system_error(std::make_error_code(std::errc::operation_not_permitted),
                            "ReentrantLock::unlock: the calling thread does not hold the lock");
  }
  if (--depth_ == 0) owner_ = std::thread::id();
  mu_.unlock();
}

}  // namespace kata::sync
