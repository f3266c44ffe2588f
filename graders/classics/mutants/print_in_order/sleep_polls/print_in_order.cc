#include "classics/print_in_order.h"

#include <chrono>
#include <thread>

namespace kata::classics {

InOrder::InOrder() = default;
void InOrder::first(std::function<void()> print_first) { run_step(1, print_first); }
void InOrder::second(std::function<void()> print_second) { run_step(2, print_second); }
void InOrder::third(std::function<void()> print_third) { run_step(3, print_third); }

// Mutant: polls the counter under the lock every millisecond instead of waiting on the
// condition variable (BUSY_WAIT: hundreds of wake-ups while nothing happens).
void InOrder::run_step(int step, const std::function<void()>& print) {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (done_ == step - 1) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  print();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = step;
}

}  // namespace kata::classics
