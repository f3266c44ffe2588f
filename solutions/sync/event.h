// Event: a flag that threads wait for (threading.Event).
//
// One thread says "it happened" with set(); any number of threads wait() until it has.
// Unlike a condition variable, an Event remembers: a wait() that starts after set() returns at
// once. clear() lowers the flag again, so the Event can be reused. Built from a std::mutex, a
// std::condition_variable and a bool: the flag is the condition variable's predicate.
//
// Every method may be called from any number of threads at once.
//
// Memory ordering: set() happens-before every wait() that returns because of it, every
// wait_for() that returns true because of it, and every is_set() that returns true because
// of it. What a thread wrote before set() is visible to those threads afterwards. (Every
// method locks the same mutex, which gives exactly this.)
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace kata::sync {

class Event {
 public:
  // The flag starts lowered.
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Raises the flag and wakes every thread waiting for it. Setting a set Event does nothing.
  void set();

  // Lowers the flag. Threads that wait afterwards block until the next set().
  void clear();

  // Whether the flag is raised right now.
  bool is_set() const;

  // Blocks until the flag is raised; returns at once if it already is. Only the flag counts:
  // a wake-up that finds the flag lowered (a spurious wake-up, or a set() already undone by
  // clear()) keeps waiting.
  void wait();

  // Like wait(), but gives up after `timeout`. Returns true if it saw the flag raised, false if
  // the timeout expired first. Returning true means the flag was really set: never because the
  // thread merely woke up.
  bool wait_for(std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mu_;
  std::condition_variable flag_raised_;  // notified (all) by set()
  bool flag_ = false;                    // guarded by mu_
};

}  // namespace kata::sync
