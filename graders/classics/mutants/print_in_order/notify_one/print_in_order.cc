#include "classics/print_in_order.h"

namespace kata::classics {

InOrder::InOrder() = default;

void InOrder::first(std::function<void()> print_first) { run_step(1, print_first); }

void InOrder::second(std::function<void()> print_second) { run_step(2, print_second); }

void InOrder::third(std::function<void()> print_third) { run_step(3, print_third); }

void InOrder::run_step(int step, const std::function<void()>& print) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    // The predicate is checked before sleeping (first() may have finished long ago) and after
    // every wake-up (a spurious one, or a notify meant for the other waiter).
    advanced_.wait(lock, [&] { return done_ == step - 1; });
  }
  // Only this thread may act now: the others wait for a step that needs this one. Printing
  // outside the lock keeps a slow callback from blocking anybody else's check.
  print();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = step;
  // Two threads may wait on the same condition variable for different steps: notify_one could
  // wake the wrong one, which would go back to sleep and leave the right one asleep for ever.
  // Notifying under the lock keeps the object alive meanwhile: the last step's thread cannot
  // return (and the caller destroy the object) before this thread lets go of mu_.
  advanced_.notify_one();  // BUG: may wake the waiter for the other step
}

}  // namespace kata::classics
