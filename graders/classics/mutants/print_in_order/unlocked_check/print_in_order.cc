#include "classics/print_in_order.h"

namespace kata::classics {

InOrder::InOrder() = default;
void InOrder::first(std::function<void()> print_first) { run_step(1, print_first); }
void InOrder::second(std::function<void()> print_second) { run_step(2, print_second); }
void InOrder::third(std::function<void()> print_third) { run_step(3, print_third); }

// Mutant: a "fast path" that reads done_ without the lock (RACE with the write under it).
void InOrder::run_step(int step, const std::function<void()>& print) {
  if (done_ != step - 1) {  // BUG: unlocked read
    std::unique_lock<std::mutex> lock(mu_);
    advanced_.wait(lock, [&] { return done_ == step - 1; });
  }
  print();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = step;
  advanced_.notify_all();
}

}  // namespace kata::classics
