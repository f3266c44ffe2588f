// Semaphore and BoundedSemaphore: a counter of permits that threads take and give back.
//
// Python's `threading.Semaphore(n)` lets at most n threads into a section at once
// (`with sem: ...`); `threading.BoundedSemaphore(n)` does the same and also refuses a release
// that would raise the count above n, which is always a bug in the caller. Both are built here
// from a std::mutex and a std::condition_variable, as CPython builds them from a Condition.
//
// A semaphore holds a count of free permits. acquire() takes one, blocking while there are
// none; release(n) gives n back and lets up to n blocked threads through. Any thread may
// release (a permit is not owned by the thread that took it).
//
// Memory ordering: a release() happens-before every acquire (acquire, or a try_acquire /
// try_acquire_for that returns true) that takes a permit it gave back. What a thread wrote
// before releasing is visible to the thread that acquires next. (Both sides lock the same
// mutex, which gives exactly this.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kata::sync {

class Semaphore {
 public:
  // A semaphore with `initial` free permits. `initial` below 0 throws std::invalid_argument.
  explicit Semaphore(int initial);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Takes one permit, blocking until one is free.
  void acquire();

  // Takes one permit if one is free right now and returns true; otherwise returns false at
  // once, changing nothing.
  bool try_acquire();

  // Takes one permit, waiting at most `timeout` for one to become free. Returns true if it
  // took one, false if the timeout expired first. A wake-up that finds no permit (another
  // thread took it first, or a spurious wake-up) keeps waiting until the deadline.
  bool try_acquire_for(std::chrono::milliseconds timeout);

  // Gives back `n` permits (n >= 1, else std::invalid_argument) and lets up to `n` blocked
  // threads through: with n threads blocked in acquire(), release(n) lets all n proceed.
  void release(int n = 1);

 private:
  friend class BoundedSemaphore;

  // Adds `n` free permits unless that would make more than `limit`; then changes nothing and
  // returns false. The check and the update happen under one lock: one atomic step.
  bool release_up_to(int n, int limit);

  std::mutex mu_;
  std::condition_variable permit_freed_;  // notified when free_ grows
  int free_;                              // guarded by mu_; never negative
};

// The same as Semaphore, except that release() refuses to raise the count of free permits
// above `initial`.
class BoundedSemaphore {
 public:
  // A semaphore with `initial` free permits, never more. `initial` below 0 throws
  // std::invalid_argument.
  explicit BoundedSemaphore(int initial);
  BoundedSemaphore(const BoundedSemaphore&) = delete;
  BoundedSemaphore& operator=(const BoundedSemaphore&) = delete;

  void acquire();
  bool try_acquire();
  bool try_acquire_for(std::chrono::milliseconds timeout);

  // Gives back `n` permits (n >= 1, else std::invalid_argument). If that would make the free
  // permits more than `initial`, throws std::logic_error and changes nothing (Python raises
  // ValueError("Semaphore released too many times")).
  void release(int n = 1);

 private:
  const int initial_;
  Semaphore permits_;  // does the work; this class only adds the bound
};

}  // namespace kata::sync
