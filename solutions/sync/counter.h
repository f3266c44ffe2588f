// Counter: a counter that many threads update at once.
//
// Python's `threading.Lock` guards a shared integer with `with lock: counter += 1`; here a
// std::mutex does the same. The lesson is in increment_if_below(): a check and an act that
// must happen as one step. Checking under the lock and acting under a second acquisition of
// the same lock is still a race between the two steps, one that ThreadSanitizer cannot see
// because every access is locked.
//
// Memory ordering: every operation is linearizable. An update that returns happens-before
// every operation that starts after it, and value() sees all updates that returned before it
// was called.
#pragma once

#include <mutex>

namespace kata::sync {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds one.
  void increment();

  // Adds `delta` (which may be negative).
  void add(long delta);

  // If the value is below `limit`, adds one and returns true; otherwise changes nothing and
  // returns false. The check and the increment are one atomic step: with any number of
  // threads calling it, the value never exceeds `limit` through this method.
  bool increment_if_below(long limit);

  // The current value.
  long value() const;

 private:
  mutable std::mutex mu_;
  long value_ = 0;  // guarded by mu_
};

}  // namespace kata::sync
