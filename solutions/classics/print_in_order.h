// InOrder: three threads, started in any order, print in order.
//
// The warm-up of every concurrency course (LeetCode 1114, "Print in Order"): one object, three
// threads. Thread A calls first(), thread B second(), thread C third(); the scheduler starts
// them in any order, yet "first" must be printed before "second" and "second" before "third".
// Python would use two threading.Event objects; here one counter of finished steps, guarded by
// a mutex, with a condition variable the later steps sleep on.
//
// Each method is called exactly once per object, each from its own thread. A method whose turn
// has not come blocks, asleep (not spinning, not polling with sleeps), until it has; then it
// calls its callback once and returns.
//
// Memory ordering: the return of print_first() happens-before the call of print_second(), and
// the return of print_second() happens-before the call of print_third(): what the first callback
// wrote, the second reads without a lock of its own. (The counter is written and read under
// mu_, which gives exactly this.)
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

namespace kata::classics {

class InOrder {
 public:
  InOrder();
  InOrder(const InOrder&) = delete;
  InOrder& operator=(const InOrder&) = delete;

  // Calls print_first() at once (nothing comes before it), then lets second() proceed.
  void first(std::function<void()> print_first);

  // Blocks until print_first() has returned, calls print_second(), then lets third() proceed.
  void second(std::function<void()> print_second);

  // Blocks until print_second() has returned, then calls print_third().
  void third(std::function<void()> print_third);

 private:
  // Blocks until `done_` is `step - 1`, runs `print`, then sets `done_` to `step`.
  void run_step(int step, const std::function<void()>& print);

  std::mutex mu_;
  std::condition_variable advanced_;  // notified whenever done_ grows
  int done_ = 0;                      // guarded by mu_; how many steps have printed (0..3)
};

}  // namespace kata::classics
