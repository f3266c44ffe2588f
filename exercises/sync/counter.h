// Counter: a counter that many threads update at once.
//
// Python's `threading.Lock` guards a shared integer with `with lock: counter += 1`. Build the
// C++ version: every method may be called from any number of threads at the same time.
//
// Memory ordering: every operation must be linearizable. An update that returns
// happens-before every operation that starts after it, and value() sees all updates that
// returned before it was called.
//
// Read counter.md first. Edit this file and counter.cc; `./kata check sync/counter` grades.
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
  // TODO: the state of the counter, and what protects it.
};

}  // namespace kata::sync
