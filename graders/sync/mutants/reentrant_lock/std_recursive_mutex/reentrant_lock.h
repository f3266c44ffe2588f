// Mutant (FORBIDDEN): wraps std::recursive_mutex instead of building the lock. It works (the
// owner is tracked beside it so that a non-owner's unlock() is refused), but the kata is to
// build a reentrant lock from a std::mutex and a std::condition_variable.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace kata::sync {

class ReentrantLock {
 public:
  ReentrantLock() = default;
  ReentrantLock(const ReentrantLock&) = delete;
  ReentrantLock& operator=(const ReentrantLock&) = delete;
  void lock();
  bool try_lock();
  bool try_lock_for(std::chrono::milliseconds timeout);
  void unlock();

 private:
  std::recursive_mutex mu_;
  std::atomic<std::thread::id> owner_{};  // set by the owner, compared by anyone
  int depth_ = 0;                         // touched only by the owner, under mu_
};

}  // namespace kata::sync
