// Ticker: a background thread that calls a function every period until it is stopped.
//
// In Python such a thread is often made a daemon (`daemon=True`) and simply abandoned at exit,
// or it loops on `while not stop_event.wait(period): tick()` so that `stop_event.set()` ends it
// at once. C++ has no daemon threads that the runtime kills for you: a thread must be told to
// stop and then joined. C++20's answer is std::jthread, whose destructor asks the thread to
// stop (through a std::stop_token) and joins it, together with a wait that a stop request
// interrupts: std::condition_variable_any::wait_until(lock, stop_token, deadline, predicate).
//
//   Ticker heartbeat(1s, [] { send_heartbeat(); });  // ticking from now on
//   ...
//   heartbeat.stop();  // returns at once, not up to a second later
//
// Timing: the first tick comes one period after construction, then one per period (measured
// from deadline to deadline, or from the end of one tick to the next: either is fine). A tick
// never runs before its period has elapsed, and stopping is not a reason to tick.
//
// Threads: stop() and ticks() may be called from any thread, several at the same time, but
// not from inside `tick` (a stop() there would wait for itself). `tick` does not throw.
//
// Memory ordering: everything every tick did happens-before stop() returns (and before the
// destructor returns).
//
// Read ticker.md first. Edit this file and ticker.cc; `./kata check threads/ticker` grades.
#pragma once

#include <chrono>
#include <functional>

namespace kata::threads {

class Ticker {
 public:
  // Starts a thread that calls `tick` once per `period` (period > 0) until stop().
  Ticker(std::chrono::milliseconds period, std::function<void()> tick);

  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // Stops the ticking and waits for the thread to end. Returns promptly: within a small
  // fraction of the period even when the period is long (a tick that is running when stop()
  // is called is allowed to finish first). No tick runs after stop() returns. Idempotent: a
  // second call, or calls from several threads at once, are harmless, and every one of them
  // returns only once the thread has ended.
  void stop();

  // How many times `tick` has been called so far. Once stop() has returned, this is the
  // exact total.
  int ticks() const;

  // Stops (as stop()) if nobody has yet.
  ~Ticker();

 private:
  // TODO: the period, the function, the count, the thread, and what lets stop() interrupt
  // the wait between ticks.
};

}  // namespace kata::threads
