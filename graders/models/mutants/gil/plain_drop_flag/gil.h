// Mutant plain_drop_flag: the drop request is a plain bool, read by checkpoint() without the lock.
// Gil: a toy global interpreter lock, scheduled the way CPython 3.2+ schedules its own.
//
// CPython runs Python code only while a thread holds the GIL. A thread that blocks (I/O,
// time.sleep, a lock) releases it; a thread that computes keeps it, and the interpreter's
// loop checks between bytecodes whether it should let go. The rule since Python 3.2 (David
// Beazley's talks on the old GIL's convoys led to it; sys.setswitchinterval sets it, 5 ms by
// default):
//   - a thread that wants the GIL waits for it, at most `switch_interval` at a time; when a
//     whole interval went by with no switch of holder, it sets a drop request;
//   - the holder sees the request at its next checkpoint (CPython's "eval breaker"), releases
//     the GIL and then waits until another thread has taken it: forced switching, so that the
//     old holder, which is already running, cannot take it straight back before the waiter,
//     which first has to wake up, gets there (the convoy of the old GIL);
//   - then the old holder waits for the GIL like everyone else.
// This is why N CPU-bound Python threads run no faster than one: only one holds the GIL,
// and the others take turns every switch interval. The benchmark shows it in one table.
//
// Memory ordering: release() (and the release inside checkpoint()) happens-before the
// acquire (or checkpoint return) of the next thread to hold the GIL: what one holder wrote is
// visible to the next, as in CPython, where the GIL is what makes plain object access safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace kata::models {

class Gil {
 public:
  // A free GIL. A waiter sets the drop request after waiting `switch_interval` with no switch
  // (a zero or negative interval throws std::invalid_argument).
  explicit Gil(std::chrono::microseconds switch_interval);
  Gil(const Gil&) = delete;
  Gil& operator=(const Gil&) = delete;

  // Blocks until the calling thread holds the GIL. While it waits, each time a whole switch
  // interval passes with the same holder, it sets the drop request. Taking the GIL clears the
  // drop request and counts as a switch. Not reentrant: the holder must not call it.
  void acquire();

  // The holder gives the GIL up (CPython's Py_BEGIN_ALLOW_THREADS around blocking calls) and
  // wakes a waiter; it does not wait for anyone. A thread that does not hold the GIL gets
  // std::logic_error.
  void release();

  // Called by the holder between two steps of its work (CPython's eval breaker). With no drop
  // request it returns at once (one atomic load, no lock). With a drop request it releases
  // the GIL, waits until another thread has taken it (forced switching: the caller must not
  // re-take it first), then waits for it again, and returns holding it. Only the holder may
  // call it: with a drop request to act on, any other thread gets std::logic_error.
  void checkpoint();

  // Whether a waiter has asked the holder to drop the GIL (CPython's gil_drop_request). For
  // tests and curiosity; the answer may be stale by the time it is used.
  bool drop_requested() const;

 private:
  // Waits (lock held) until the GIL is free, setting the drop request after every full switch
  // interval without a switch, then takes it.
  void take(std::unique_lock<std::mutex>& lock);
  void check_holder(const char* what) const;  // caller holds mu_

  const std::chrono::microseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable free_;      // the GIL became free
  std::condition_variable switched_;  // someone took the GIL (switches_ changed)
  bool locked_ = false;               // guarded by mu_
  std::thread::id holder_;            // guarded by mu_
  std::uint64_t switches_ = 0;        // guarded by mu_: how many times the GIL was taken
  // Set by waiters under mu_, cleared by the taker under mu_; read by checkpoint() without
  // the lock, which is why it is atomic.
  bool drop_request_ = false;  // BUG: written under mu_, read without it
};

}  // namespace kata::models
