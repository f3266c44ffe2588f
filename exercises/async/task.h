// Task<T>: a lazily started coroutine that produces a T, awaited with `co_await`; run() drives
// one to completion on an EventLoop; sleep_for() suspends one for a while.
//
// The counterpart of an `async def` function in Python: calling a coroutine function that
// returns Task<T> creates the coroutine frame and runs nothing ("lazily started"); `co_await
// task` starts it, suspends the awaiting coroutine, and resumes it with the task's value, or
// rethrows the task's exception, when the task finishes. run(loop, task) is `asyncio.run`: it
// starts the task from a loop callback, runs the loop until the task has finished, and returns
// its value (or rethrows its exception). Read exercises/async/task.md first.
//
// Your contract:
//  - Symmetric transfer: awaiting a task resumes it by returning its handle from
//    await_suspend, and a finishing task resumes its awaiter by returning the awaiter's handle
//    from its final awaiter, so that 100 000 nested co_awaits run in constant stack space.
//  - Ownership: a Task owns its coroutine frame and destroys it in its destructor. A Task that
//    is never awaited never runs; its frame is freed with it.
//  - Exceptions thrown in a task are rethrown, with their type, by the co_await (or run()) that
//    awaited it.
//  - Cancellation (used by the next kata, gather, which links the reference task.h): every
//    chain of tasks shares one TaskContext (given below). A promise knows its chain's context;
//    awaiting a task hands the awaiter's context on to it; sleep_for is a suspension point that
//    honours TaskContext::cancel(). This kata's grader does not check cancellation.
//
// Threading: tasks, their contexts and their awaitables belong to the thread that runs their
// EventLoop. Nothing here may be touched from another thread.
#pragma once

#include <chrono>
#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "async/event_loop.h"
#include "kata/not_implemented.h"

namespace kata::async {

// Thrown inside a cancelled chain of tasks at a suspension point (asyncio.CancelledError).
// Given: nothing to do here.
class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("kata::async::CancelledError: the task was cancelled") {}
};

// The state that a chain of tasks shares: its loop, and how to cancel it. Given: nothing to do
// here; your promise keeps a pointer to one, and sleep_for uses it (see the page, hint 3).
class TaskContext {
 public:
  explicit TaskContext(EventLoop& loop) : loop_(&loop) {}
  TaskContext(const TaskContext&) = delete;
  TaskContext& operator=(const TaskContext&) = delete;

  // The loop the chain runs on.
  EventLoop& loop() const { return *loop_; }

  // Requests cancellation. If the chain waits at a suspension point, that point is
  // interrupted now (it resumes the chain soon, throwing CancelledError); otherwise the chain's
  // next suspension point throws CancelledError instead of suspending.
  void cancel() {
    cancel_requested_ = true;
    if (interrupt_) {
      auto interrupt = std::exchange(interrupt_, nullptr);
      interrupt();
    }
  }

  // For suspension points: true if cancellation was requested and not yet delivered (it now
  // counts as delivered: the caller throws CancelledError).
  bool take_cancellation() { return std::exchange(cancel_requested_, false); }
  // Registers how to interrupt the suspension point the chain now waits at (one at a time).
  void set_interrupt(std::function<void()> interrupt) { interrupt_ = std::move(interrupt); }
  // Called by the suspension point when it resumes normally.
  void clear_interrupt() { interrupt_ = nullptr; }

 private:
  EventLoop* loop_;
  bool cancel_requested_ = false;
  std::function<void()> interrupt_;
};

template <class T = void>
class Task;

namespace detail {

// The promise of a Task<T>: what the coroutine's frame holds besides its locals. TODO: the
// awaiter to resume at the end (its coroutine_handle<>), the value or the exception, the
// chain's TaskContext*. Add what you need (a common base for T and void helps).
template <class T>
class Promise {
 public:
  Task<T> get_return_object() {
    throw kata::NotImplemented("Task<T>::promise_type::get_return_object");
  }
  // Lazily started: suspend before the body runs.
  std::suspend_always initial_suspend() const noexcept { return {}; }
  // TODO: an awaiter that resumes the awaiting coroutine by symmetric transfer.
  std::suspend_always final_suspend() const noexcept { return {}; }
  // TODO: keep the exception for the awaiter.
  void unhandled_exception() { throw; }
  template <class U = T>
  void return_value(U&&) {
    throw kata::NotImplemented("Task<T>::promise_type::return_value");
  }
  // The chain's context (see TaskContext).
  TaskContext* context() const noexcept { return nullptr; }
};

template <>
class Promise<void> {
 public:
  Task<void> get_return_object();
  std::suspend_always initial_suspend() const noexcept { return {}; }
  std::suspend_always final_suspend() const noexcept { return {}; }
  void unhandled_exception() { throw; }
  void return_void() {}
  TaskContext* context() const noexcept { return nullptr; }
};

}  // namespace detail

// A coroutine producing a T (or nothing, for Task<void>). Move-only.
//
// `co_await std::move(task)` (or `co_await make_task()`) runs it to completion and yields its
// value or rethrows its exception. A Task is awaited at most once.
template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    std::swap(handle_, other.handle_);  // TODO: destroy this task's frame instead
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  // TODO: destroy the coroutine frame, whatever state the coroutine is in.
  ~Task() = default;

  class Awaiter {
   public:
    bool await_ready() const noexcept { return false; }
    // TODO: remember the awaiter, hand its context on, and start the task by symmetric
    // transfer (return the task's handle). Make it a template on the caller's promise type to
    // reach its context.
    void await_suspend(std::coroutine_handle<>) {
      throw kata::NotImplemented("Task<T>::Awaiter::await_suspend");
    }
    // TODO: the value, or the task's exception rethrown.
    T await_resume() { throw kata::NotImplemented("Task<T>::Awaiter::await_resume"); }
  };

  Awaiter operator co_await() && { throw kata::NotImplemented("Task<T>::operator co_await"); }

 private:
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
inline Task<void> Promise<void>::get_return_object() {
  throw kata::NotImplemented("Task<void>::promise_type::get_return_object");
}
}  // namespace detail

// asyncio.run: starts `task` on `loop` (from a loop callback) and runs the loop until the task
// has finished; returns its value or rethrows its exception. The loop must not be running.
// The task's chain gets a TaskContext of its own for its lifetime.
template <class T>
T run(EventLoop& loop, Task<T> task) {
  (void)loop;
  (void)task;
  throw kata::NotImplemented("kata::async::run");
}

// The awaitable of sleep_for(): a suspension point that resumes its coroutine from a timer of
// the loop. If the chain's context is cancelled before it suspends, or while it sleeps, the
// co_await throws CancelledError.
class [[nodiscard]] SleepFor {
 public:
  SleepFor(EventLoop& loop, std::chrono::milliseconds delay) : loop_(&loop), delay_(delay) {}
  SleepFor(const SleepFor&) = delete;
  SleepFor& operator=(const SleepFor&) = delete;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) {
    throw kata::NotImplemented("SleepFor::await_suspend");
  }
  void await_resume() const {}

 private:
  [[maybe_unused]] EventLoop* loop_;                // (used once you write await_suspend)
  [[maybe_unused]] std::chrono::milliseconds delay_;
};

// asyncio.sleep: `co_await sleep_for(loop, 10ms)` suspends the awaiting task for at least
// `delay` on `loop` (the loop the task runs on); other tasks and callbacks run meanwhile.
inline SleepFor sleep_for(EventLoop& loop, std::chrono::milliseconds delay) {
  return SleepFor(loop, delay);
}

}  // namespace kata::async
