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
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

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
  // The ticking thread's loop; `stop` is the jthread's own stop token.
  void run(std::stop_token stop);

  const std::chrono::milliseconds period_;
  const std::function<void()> tick_;
  std::atomic<int> ticks_{0};  // written by the ticking thread, read by any thread

  // The wait between ticks. wake_ is waited on together with the stop token, so
  // request_stop() wakes it at once. wait_mu_ only serves as the wait's lock: it guards no data.
  std::mutex wait_mu_;
  std::condition_variable_any wake_;

  // Serialises stop(): the first caller joins, later and concurrent callers find the thread
  // already joined (or wait here until it is). std::jthread::join() must not be called twice,
  // nor from two threads at once.
  std::mutex stop_mu_;

  // Declared last: it starts in the constructor once every member it uses exists, and (if
  // ~Ticker has not already stopped it) it is destroyed, that is stopped and joined, first.
  std::jthread thread_;
};

}  // namespace kata::threads
