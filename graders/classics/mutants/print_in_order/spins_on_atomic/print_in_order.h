// Mutant: the waiters spin on an atomic counter (yielding) instead of sleeping. The order is
// right and there is no race; the CPU time is the bug (BUSY_WAIT).
#pragma once

#include <atomic>
#include <functional>

namespace kata::classics {

class InOrder {
 public:
  InOrder();
  InOrder(const InOrder&) = delete;
  InOrder& operator=(const InOrder&) = delete;
  void first(std::function<void()> print_first);
  void second(std::function<void()> print_second);
  void third(std::function<void()> print_third);

 private:
  void run_step(int step, const std::function<void()>& print);
  std::atomic<int> done_{0};
};

}  // namespace kata::classics
