// Mutant (WRONG_RESULT): an atomic, but updated as a separate load and store. There is no
// data race for ThreadSanitizer to report, yet concurrent updates overwrite each other.
#pragma once

#include <atomic>

namespace kata::sync {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;
  void increment();
  void add(long delta);
  bool increment_if_below(long limit);
  long value() const;

 private:
  std::atomic<long> value_{0};
};

}  // namespace kata::sync
