// Mutant (FORBIDDEN): wraps std::counting_semaphore instead of building the semaphore, which
// the kata is about. (It is not quite right either: the standard lets try_acquire fail
// spuriously, and the bound kept beside the semaphore lags behind it, so the linearizability
// test may also report WRONG_RESULT.)
#pragma once

#include <chrono>
#include <mutex>
#include <semaphore>

namespace kata::sync {

class Semaphore {
 public:
  explicit Semaphore(int initial);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  void acquire();
  bool try_acquire();
  bool try_acquire_for(std::chrono::milliseconds timeout);
  void release(int n = 1);

 private:
  std::counting_semaphore<> permits_;
};

class BoundedSemaphore {
 public:
  explicit BoundedSemaphore(int initial);
  BoundedSemaphore(const BoundedSemaphore&) = delete;
  BoundedSemaphore& operator=(const BoundedSemaphore&) = delete;
  void acquire();
  bool try_acquire();
  bool try_acquire_for(std::chrono::milliseconds timeout);
  void release(int n = 1);

 private:
  const int initial_;
  std::mutex mu_;
  int free_;  // guarded by mu_: permits not held by a thread that finished acquiring
  std::counting_semaphore<> permits_;
};

}  // namespace kata::sync
