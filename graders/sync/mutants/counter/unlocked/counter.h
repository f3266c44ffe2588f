// Mutant (RACE): no synchronisation at all; concurrent `++value_` are data races.
#pragma once

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
  long value_ = 0;
};

}  // namespace kata::sync
