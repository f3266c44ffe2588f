// Mutant no_symmetric_transfer: awaiting a task, and finishing one, call resume() on the other
// coroutine instead of returning its handle: every level of a chain nests stack frames, and
// 100 000 levels overflow a 1 MiB stack (CRASH).
//
// Task<T>: a lazily started coroutine that produces a T, awaited with `co_await`; run() drives
// one to completion on an EventLoop; sleep_for() suspends one for a while.
//
// The counterpart of an `async def` function in Python: calling a coroutine function that
// returns Task<T> creates the coroutine frame and runs nothing ("lazily started"); `co_await
// task` starts it, suspends the awaiting coroutine, and resumes it with the task's value, or
// rethrows the task's exception, when the task finishes. run(loop, task) is `asyncio.run`: it
// starts the task from a loop callback, runs the loop until the task has finished, and returns
// its value (or rethrows its exception).
//
// Symmetric transfer: awaiting a task resumes it by returning its handle from await_suspend,
// and a finishing task resumes its awaiter by returning the awaiter's handle from its final
// awaiter. The compiler turns both into tail calls, so a chain of 100 000 nested co_awaits
// runs in constant stack space. (Calling handle.resume() instead nests one stack frame per
// level, and a deep chain overflows the stack.)
//
// Ownership: a Task owns its coroutine frame and destroys it in its destructor, whatever
// state the coroutine is in. An awaited task is a temporary of the awaiting coroutine (or a
// variable it moved in), so every frame of a chain is freed as soon as the co_await that ran
// it finishes. A Task that is never awaited never runs, and its frame is freed with it.
//
// Cancellation: every chain of tasks shares one TaskContext, owned by whoever drives the
// chain: run() or, in the gather kata, create_task(). Awaiting a task hands the awaiter's
// context on to it. A suspension point (sleep_for here; more in later katas) registers with
// the context how to interrupt it; TaskContext::cancel() interrupts the suspension point the
// chain waits at, which then throws CancelledError in the chain, or, if the chain is running,
// makes its next suspension point throw CancelledError instead of suspending.
//
// Threading: tasks, their contexts and their awaitables belong to the thread that runs their
// EventLoop. Nothing here may be touched from another thread; hand work to the loop's thread
// with EventLoop::call_soon_threadsafe.
#pragma once

#include <cassert>
#include <chrono>
#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "async/event_loop.h"

namespace kata::async {

// Thrown inside a cancelled chain of tasks at a suspension point (asyncio.CancelledError).
class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("kata::async::CancelledError: the task was cancelled") {}
};

// The state that a chain of tasks shares: its loop, and how to cancel it.
//
// One context belongs to each chain driven by run() or create_task(); the coroutines of the
// chain point to it while they run. Not copyable: suspension points hold pointers to it.
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
      // Moved out first: the interrupt may register a new one, and must not be destroyed
      // while it runs.
      auto interrupt = std::exchange(interrupt_, nullptr);
      interrupt();
    }
  }

  // For suspension points. True if cancellation was requested and not yet delivered; the
  // request counts as delivered (the caller throws CancelledError), as in asyncio, where a
  // task that catches CancelledError and goes on is not cancelled again.
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

// What every promise of this library has: the awaiter to resume when the coroutine ends, the
// exception it ended with, and its chain's context.
class PromiseBase {
 public:
  // Resumes the awaiter by symmetric transfer (a tail call: the stack does not grow).
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    void await_suspend(std::coroutine_handle<Promise> self) noexcept {
      std::coroutine_handle<> continuation = self.promise().continuation_;
      if (continuation) continuation.resume();
    }
    void await_resume() const noexcept {}
  };

  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  void set_continuation(std::coroutine_handle<> continuation) noexcept {
    continuation_ = continuation;
  }
  TaskContext* context() const noexcept { return context_; }
  void set_context(TaskContext* context) noexcept { context_ = context; }

 protected:
  void rethrow_if_failed() const {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  std::coroutine_handle<> continuation_;
  std::exception_ptr exception_;
  TaskContext* context_ = nullptr;
};

template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  // The value, moved out, or the exception rethrown.
  T result() {
    rethrow_if_failed();
    assert(value_.has_value());
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void result() const { rethrow_if_failed(); }
};

}  // namespace detail

// A coroutine producing a T (or nothing, for Task<void>). Move-only; see the file comment.
//
// `co_await std::move(task)` (or `co_await make_task()`) runs it to completion and yields its
// value or rethrows its exception. Only the coroutines of this library (Task and the drivers
// of run() and create_task()) may await a Task; awaiting consumes it (a second co_await of
// the same Task is a bug: its frame has finished).
template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using value_type = T;

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  // Destroys the coroutine frame, with everything the coroutine holds.
  ~Task() { destroy(); }

  class Awaiter {
   public:
    explicit Awaiter(std::coroutine_handle<promise_type> callee) noexcept : callee_(callee) {}
    bool await_ready() const noexcept { return false; }
    // Starts the task by symmetric transfer; it shares the awaiter's context.
    template <class CallerPromise>
    void await_suspend(std::coroutine_handle<CallerPromise> caller) noexcept {
      callee_.promise().set_continuation(caller);
      callee_.promise().set_context(caller.promise().context());
      callee_.resume();
    }
    T await_resume() { return callee_.promise().result(); }

   private:
    std::coroutine_handle<promise_type> callee_;
  };

  Awaiter operator co_await() && noexcept {
    assert(handle_ && !handle_.done() && "a Task is awaited at most once");
    return Awaiter(handle_);
  }

 private:
  friend class detail::Promise<T>;
  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  void destroy() noexcept {
    if (handle_) std::exchange(handle_, nullptr).destroy();
  }

  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

template <class T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}

inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// The root of a chain: a coroutine that its owner starts with start() and that frees its own
// frame when it ends (its body must not throw). run() and create_task() use it.
class Root {
 public:
  struct promise_type : PromiseBase {
    Root get_return_object() noexcept {
      return Root(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void unhandled_exception() const noexcept { std::terminate(); }
    void return_void() const noexcept {}
  };

  Root(Root&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Root(const Root&) = delete;
  Root& operator=(const Root&) = delete;
  // Frees the frame of a root that was never started.
  ~Root() {
    if (handle_) handle_.destroy();
  }

  // Gives the chain its context and resumes it from a callback of the context's loop. From
  // then on the coroutine owns itself.
  void start(TaskContext& context) && {
    handle_.promise().set_context(&context);
    context.loop().call_soon([handle = std::exchange(handle_, nullptr)] { handle.resume(); });
  }

 private:
  explicit Root(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  std::coroutine_handle<promise_type> handle_;
};

// A task's outcome, kept outside its frame: a value (or, for void, just "done") or an error.
template <class T>
struct Outcome {
  std::optional<T> value;
  std::exception_ptr error;
  bool done = false;
  T get() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

template <>
struct Outcome<void> {
  std::exception_ptr error;
  bool done = false;
  void get() const {
    if (error) std::rethrow_exception(error);
  }
};

// Awaits `task` and records how it ended in `outcome`, then calls `on_done`.
template <class T, class OnDone>
Root complete_into(Task<T> task, Outcome<T>& outcome, OnDone on_done) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
    } else {
      outcome.value.emplace(co_await std::move(task));
    }
  } catch (...) {
    outcome.error = std::current_exception();
  }
  outcome.done = true;
  on_done();
}

}  // namespace detail

// asyncio.run: starts `task` on `loop` and runs the loop until the task has finished; returns
// its value or rethrows its exception. The loop must not be running (call it from the thread
// that owns the loop, not from a callback). Calling loop.stop() while run() waits is a bug:
// run() then throws std::logic_error and abandons the unfinished chain (its frames leak).
template <class T>
T run(EventLoop& loop, Task<T> task) {
  TaskContext context(loop);
  detail::Outcome<T> outcome;
  detail::complete_into(std::move(task), outcome, [] {}).start(context);
  loop.run_until([&outcome] { return outcome.done; });
  if (!outcome.done) {
    throw std::logic_error("kata::async::run: the loop stopped before the task finished");
  }
  return outcome.get();
}

// The awaitable of sleep_for(): a suspension point that resumes its coroutine from a timer.
class [[nodiscard]] SleepFor {
 public:
  SleepFor(EventLoop& loop, std::chrono::milliseconds delay) : loop_(&loop), delay_(delay) {}
  SleepFor(const SleepFor&) = delete;
  SleepFor& operator=(const SleepFor&) = delete;

  bool await_ready() const noexcept { return false; }

  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> waiting) {
    context_ = waiting.promise().context();
    if (context_ != nullptr && context_->take_cancellation()) {
      cancelled_ = true;
      return false;  // resume at once, throwing CancelledError
    }
    timer_ = loop_->call_later(delay_, [this, waiting] {
      if (context_ != nullptr) context_->clear_interrupt();
      waiting.resume();
    });
    if (context_ != nullptr) {
      context_->set_interrupt([this, waiting] {
        loop_->cancel(timer_);
        context_->take_cancellation();
        cancelled_ = true;
        loop_->call_soon([waiting] { waiting.resume(); });
      });
    }
    return true;
  }

  void await_resume() const {
    if (cancelled_) throw CancelledError();
  }

 private:
  EventLoop* loop_;
  std::chrono::milliseconds delay_;
  TaskContext* context_ = nullptr;
  TimerId timer_{};
  bool cancelled_ = false;
};

// asyncio.sleep: `co_await sleep_for(loop, 10ms)` suspends the awaiting task for at least
// `delay` (a timer of `loop`, which must be the loop the task runs on); other tasks and
// callbacks run meanwhile. sleep_for(loop, 0ms) yields to them once. A suspension point: if
// the task is cancelled while it sleeps, or before, the co_await throws CancelledError.
inline SleepFor sleep_for(EventLoop& loop, std::chrono::milliseconds delay) {
  return SleepFor(loop, delay);
}

}  // namespace kata::async
