// EventLoop: one thread runs callbacks when they are due: soon, after a delay, or when a file
// descriptor becomes readable or writable.
//
// Python's asyncio event loop, the machine under every coroutine: `call_soon(fn)` queues a
// callback, `call_later(delay, fn)` schedules one, `add_reader(fd, fn)` calls one whenever `fd`
// is readable, and `run_forever()` turns the crank until `stop()`. Each turn (an "iteration")
// sleeps in epoll_wait until the earliest timer is due, a watched descriptor is ready or
// another thread hands in work, then runs the callbacks that were ready when it woke: the ones
// queued before, those of the ready descriptors, those handed in by other threads, and the due
// timers, in that order. Callbacks queued by those callbacks wait for the next iteration, so a
// callback that keeps rescheduling itself cannot starve timers or I/O.
//
// The loop never busy-waits: while nothing is ready it sleeps in the kernel; another thread
// wakes it through an eventfd that the loop watches like any other descriptor.
//
// Thread safety: only call_soon_threadsafe() and stop() may be called from any thread, at any
// time while the loop exists. Every other member is for one thread at a time: the loop's own
// thread while it runs (that is, from callbacks), the owning thread otherwise, as in asyncio.
// Memory ordering: a call_soon_threadsafe(fn) happens-before fn runs; a stop() happens-before
// the run_forever() it ends returns.
//
// Callbacks may throw: the exception propagates out of run_forever() (or run_until()); the
// callbacks not yet run stay queued and run when the loop runs again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace kata::async {

// Names a timer scheduled by call_later()/call_at(), for cancel(). Never reused by a loop.
enum class TimerId : std::uint64_t {};

class EventLoop {
 public:
  using Callback = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  // Creates the epoll instance and the wake-up eventfd; throws std::system_error if it cannot.
  EventLoop();
  // Closes them. Callbacks still queued are destroyed without being called. Must not be
  // called while the loop runs.
  ~EventLoop();

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Queues `fn` to run in a later iteration. Callbacks queued by call_soon run in the order
  // they were queued (FIFO).
  void call_soon(Callback fn);

  // Schedules `fn` to run once `delay` has passed (a negative delay is zero). Timers run in
  // deadline order, and in the order they were scheduled among equal deadlines.
  TimerId call_later(std::chrono::milliseconds delay, Callback fn);
  // The same, for an absolute time on this loop's clock (see time()).
  TimerId call_at(Clock::time_point deadline, Callback fn);

  // Cancels a timer that has not started to run: true if it was pending (it will never run,
  // even if it was due in the iteration in progress), false if it already ran (or is
  // running), was already cancelled, or is unknown.
  bool cancel(TimerId timer);

  // call_soon() for any thread: queues `fn` and wakes the loop if it sleeps in epoll_wait.
  // Callbacks handed in by one thread run in the order that thread handed them in.
  void call_soon_threadsafe(Callback fn);

  // Calls `fn` in every iteration in which `fd` is readable (or has an error or hang-up),
  // until remove_reader(fd). Replaces an earlier reader of `fd`. The descriptor must be
  // pollable (a pipe, socket, eventfd...); throws std::system_error if epoll refuses it.
  // Remove a descriptor's reader and writer before closing it.
  void add_reader(int fd, Callback fn);
  // The same for writability.
  void add_writer(int fd, Callback fn);
  // Stops watching `fd` for reading (writing); a pending call of the removed callback in this
  // iteration is dropped. True if there was one to remove.
  bool remove_reader(int fd);
  bool remove_writer(int fd);

  // Runs iterations until stop() is called. Throws std::logic_error if the loop is already
  // running (run_forever() called from a callback).
  void run_forever();
  // Runs iterations until `done()` returns true (checked before the first iteration and after
  // each) or stop() is called. asyncio's run_until_complete, for any condition.
  void run_until(const std::function<bool()>& done);
  // Makes run_forever() return after the iteration in progress (or, if the loop is not
  // running, after the first iteration of the next run). Safe from any thread and from
  // callbacks.
  void stop();

  // True while run_forever() or run_until() is executing. For the loop's thread.
  bool is_running() const { return running_; }
  // The loop's clock: the time call_later() measures delays from.
  Clock::time_point time() const { return Clock::now(); }

 private:
  // A reader or writer callback. Shared with the ready queue, so removing it while an
  // invocation is queued (or running) only marks it removed.
  struct IoHandler {
    Callback fn;
    bool removed = false;
  };
  struct Watch {
    std::shared_ptr<IoHandler> reader;
    std::shared_ptr<IoHandler> writer;
  };
  // A heap entry: the earliest deadline first, then the lowest sequence number (FIFO).
  struct TimerEntry {
    Clock::time_point deadline;
    std::uint64_t seq;
  };

  void run_once();
  int epoll_timeout_ms() const;
  void queue_io(const std::shared_ptr<IoHandler>& handler);
  void queue_due_timers();
  void purge_cancelled_timers();
  void update_epoll(int fd, const Watch& watch, bool was_registered);
  void set_handler(int fd, bool writer, Callback fn);
  bool remove_handler(int fd, bool writer);
  void wake();

  const int epoll_fd_;
  const int wake_fd_;  // eventfd: written to wake the loop, watched by epoll

  // Written only by the loop thread (or the owner while the loop is not running).
  std::deque<Callback> ready_;
  std::unordered_map<int, Watch> watches_;
  std::vector<TimerEntry> timer_heap_;                   // may hold cancelled timers
  std::unordered_map<std::uint64_t, Callback> timers_;  // timers not run yet, by sequence number
  std::uint64_t next_timer_seq_ = 1;
  bool running_ = false;

  std::mutex mu_;
  std::deque<Callback> incoming_;  // guarded by mu_: from call_soon_threadsafe

  std::atomic<bool> stopping_{false};  // set by stop() from any thread, cleared by the loop
};

}  // namespace kata::async
