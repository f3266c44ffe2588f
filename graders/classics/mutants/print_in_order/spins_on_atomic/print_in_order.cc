#include "classics/print_in_order.h"

#include <thread>

namespace kata::classics {

InOrder::InOrder() = default;
void InOrder::first(std::function<void()> print_first) { run_step(1, print_first); }
void InOrder::second(std::function<void()> print_second) { run_step(2, print_second); }
void InOrder::third(std::function<void()> print_third) { run_step(3, print_third); }

void InOrder::run_step(int step, const std::function<void()>& print) {
  while (done_.load() != step - 1) std::this_thread::yield();  // BUG: spins
  print();
  done_.store(step);
}

}  // namespace kata::classics
