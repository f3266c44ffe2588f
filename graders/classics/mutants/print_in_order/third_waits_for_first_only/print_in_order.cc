#include "classics/print_in_order.h"

#include <algorithm>

namespace kata::classics {

InOrder::InOrder() = default;
void InOrder::first(std::function<void()> print_first) { run_step(1, print_first); }
void InOrder::second(std::function<void()> print_second) { run_step(2, print_second); }
void InOrder::third(std::function<void()> print_third) { run_step(3, print_third); }

// Mutant: one "first is done" flag for both later steps: third() waits for first(), not for
// second(), so "third" may come before "second" (WRONG_RESULT).
void InOrder::run_step(int step, const std::function<void()>& print) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    advanced_.wait(lock, [&] { return step == 1 || done_ >= 1; });  // BUG
  }
  print();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = std::max(done_, step);
  advanced_.notify_all();
}

}  // namespace kata::classics
