// Mutant exception_lost: gather ignores the failure of a task: the tasks that fail give a
// default value, the others are not cancelled, and the caller never learns (WRONG_RESULT).
//
// create_task, gather and wait_for: tasks that run concurrently on one EventLoop, and real
// cancellation.
//
// asyncio.create_task(coro) schedules a coroutine to run on its own ("a task") and returns a
// handle at once; the caller goes on, and the task makes progress whenever the caller (or
// anyone) waits. create_task() here does the same with a Task<T>: it becomes the root of a
// new chain with its own TaskContext, started from a loop callback. The TaskHandle<T> it
// returns can be awaited (any number of times, by any tasks of the loop) and cancelled.
//
// gather(tasks...) runs its tasks concurrently and returns their results as a tuple, in
// argument order. wait_for(task, timeout) runs a task with a deadline; when it passes, the
// task is cancelled, wait_for waits until the task has actually finished (so its frames are
// destroyed and its clean-up has run), then throws TimeoutError.
//
// Cancellation is real: TaskHandle::cancel() interrupts the suspension point the task waits
// at (sleep_for, awaiting another task, gather...), which throws CancelledError into the
// task; the error unwinds the task's coroutines, destroying their locals, unless the task
// catches it. A task waiting for another task (or for a gather) passes its cancellation on to
// what it waits for, as asyncio does.
//
// Threading: everything here belongs to the loop's thread (see task.h).
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "async/event_loop.h"
#include "async/task.h"

namespace kata::async {

// Thrown by wait_for() when the deadline passed and the task was cancelled
// (asyncio.TimeoutError).
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("kata::async::TimeoutError: the deadline passed") {}
};

namespace detail {

// What a task's handles share with the task's root coroutine.
struct TaskStateBase {
  explicit TaskStateBase(EventLoop& loop) : context(loop) {}

  TaskContext context;                          // the task's chain
  bool done = false;
  bool cancelled = false;                       // ended by CancelledError
  std::exception_ptr error;                     // how it ended, if it failed
  std::vector<std::function<void()>> waiting;   // to call_soon once done

  // Runs `fn` in a loop callback once the task has finished (soon, if it has).
  void when_done(std::function<void()> fn) {
    if (done) {
      context.loop().call_soon(std::move(fn));
    } else {
      waiting.push_back(std::move(fn));
    }
  }

  // Called by the root as its last act. The waiters run from the loop later, once the root's
  // frame (and with it every frame of the chain) has been freed.
  void finish() {
    done = true;
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const CancelledError&) {
        cancelled = true;
      } catch (...) {
      }
    }
    for (auto& fn : std::exchange(waiting, {})) context.loop().call_soon(std::move(fn));
  }
};

template <class T>
struct TaskState : TaskStateBase {
  using TaskStateBase::TaskStateBase;
  std::optional<T> value;
};

template <>
struct TaskState<void> : TaskStateBase {
  using TaskStateBase::TaskStateBase;
};

// Starts `task` as the root of a chain of its own, in a later callback of `loop`.
template <class T>
Root drive(Task<T> task, std::shared_ptr<TaskState<T>> state) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
    } else {
      state->value.emplace(co_await std::move(task));
    }
  } catch (...) {
    state->error = std::current_exception();
  }
  state->finish();
}

template <class T>
std::shared_ptr<TaskState<T>> start(EventLoop& loop, Task<T> task) {
  auto state = std::make_shared<TaskState<T>>(loop);
  drive(std::move(task), state).start(state->context);
  return state;
}

// gather's result for a Task<T>: T, or std::monostate for Task<void>.
template <class T>
using GatherResult = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
GatherResult<T> take_result(TaskState<T>& state) {
  if constexpr (std::is_void_v<T>) {
    return {};
  } else {
    return state.value ? std::move(*state.value) : T{};
  }
}

// `co_await current_context()`: the awaiting chain's TaskContext, without suspending.
struct CurrentContext {
  TaskContext* context = nullptr;
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> waiting) noexcept {
    context = waiting.promise().context();
    return false;
  }
  TaskContext& await_resume() const noexcept { return *context; }
};
inline CurrentContext current_context() { return {}; }

// A suspension point that waits until every child task has finished. The first child to fail
// (or, if the waiting chain is cancelled, the cancellation) cancels the others; await_resume
// rethrows the first failure, or throws CancelledError if the wait was cancelled.
class JoinAll {
 public:
  explicit JoinAll(std::vector<std::shared_ptr<TaskStateBase>> children)
      : children_(std::move(children)) {}
  JoinAll(const JoinAll&) = delete;
  JoinAll& operator=(const JoinAll&) = delete;

  bool await_ready() const noexcept { return false; }

  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> waiting) {
    context_ = waiting.promise().context();
    for (const auto& child : children_) {
      if (child->done) {
      } else {
        ++remaining_;
        child->waiting.push_back([this, waiting, child] {
          if (--remaining_ == 0) {
            if (context_ != nullptr) context_->clear_interrupt();
            waiting.resume();
          }
        });
      }
    }
    if (remaining_ == 0) return false;
    if (first_error_) cancel_children();
    if (context_ != nullptr) {
      if (context_->take_cancellation()) {
        interrupted_ = true;
        cancel_children();
      } else {
        context_->set_interrupt([this] {
          context_->take_cancellation();
          interrupted_ = true;
          cancel_children();  // then keep waiting until they have finished
        });
      }
    }
    return true;
  }

  void await_resume() const {
    if (first_error_) std::rethrow_exception(first_error_);
    if (interrupted_) throw CancelledError();
  }

 private:
  void cancel_children() {
    for (const auto& child : children_) {
      if (!child->done) child->context.cancel();
    }
  }

  std::vector<std::shared_ptr<TaskStateBase>> children_;
  TaskContext* context_ = nullptr;
  std::size_t remaining_ = 0;
  std::exception_ptr first_error_;
  bool interrupted_ = false;
};

}  // namespace detail

// asyncio.Task: a handle on a task started by create_task(). Copyable; every copy refers to
// the same task. For the loop's thread only.
template <class T>
class TaskHandle {
 public:
  // Whether the task has finished (with a value, an exception, or cancelled).
  bool done() const { return state_->done; }
  // Whether the task has finished by CancelledError.
  bool cancelled() const { return state_->cancelled; }

  // Requests cancellation: false if the task has already finished; otherwise true, and the
  // task's current suspension point (or, if it has not reached one yet, its next) throws
  // CancelledError. The task finishes later, when the error has unwound it.
  bool cancel() {
    if (state_->done) return false;
    state_->context.cancel();
    return true;
  }

  // `co_await handle` waits until the task has finished and yields its value (a copy, or the
  // value itself if T cannot be copied: then await it once) or rethrows its exception. A
  // suspension point: cancelling the awaiting task cancels this one too, and the awaiting
  // task then gets CancelledError once this one has finished.
  class Awaiter {
   public:
    explicit Awaiter(std::shared_ptr<detail::TaskState<T>> state) : state_(std::move(state)) {}
    bool await_ready() const noexcept { return state_->done; }

    template <class Promise>
    void await_suspend(std::coroutine_handle<Promise> waiting) {
      context_ = waiting.promise().context();
      state_->waiting.push_back([this, waiting] {
        if (context_ != nullptr) context_->clear_interrupt();
        waiting.resume();
      });
      if (context_ == nullptr) return;
      if (context_->take_cancellation()) {
        interrupted_ = true;
        state_->context.cancel();
      } else {
        context_->set_interrupt([this] {
          context_->take_cancellation();
          interrupted_ = true;
          state_->context.cancel();  // and keep waiting until it has finished
        });
      }
    }

    T await_resume() {
      if (state_->error) std::rethrow_exception(state_->error);
      if (interrupted_) throw CancelledError();
      if constexpr (!std::is_void_v<T>) {
        if constexpr (std::is_copy_constructible_v<T>) {
          return *state_->value;
        } else {
          return std::move(*state_->value);
        }
      }
    }

   private:
    std::shared_ptr<detail::TaskState<T>> state_;
    TaskContext* context_ = nullptr;
    bool interrupted_ = false;
  };

  Awaiter operator co_await() const { return Awaiter(state_); }

 private:
  template <class U>
  friend TaskHandle<U> create_task(EventLoop& loop, Task<U> task);

  explicit TaskHandle(std::shared_ptr<detail::TaskState<T>> state) : state_(std::move(state)) {}

  std::shared_ptr<detail::TaskState<T>> state_;
};

// asyncio.create_task: schedules `task` to start in a later callback of `loop` and returns
// its handle. The task runs whether or not anyone awaits it; a task still running when the
// loop is destroyed leaks its frames, so await (or cancel and await) every task you create.
template <class T>
TaskHandle<T> create_task(EventLoop& loop, Task<T> task) {
  return TaskHandle<T>(detail::start(loop, std::move(task)));
}

// asyncio.gather (with the clean-up of asyncio.TaskGroup): runs the tasks concurrently on the
// awaiting task's loop and yields their results in argument order (std::monostate for a
// Task<void>). If one fails, the others are cancelled, gather waits until all have finished,
// then rethrows the first failure. Cancelling the task awaiting gather cancels all of them
// and, once they have finished, throws CancelledError.
template <class... Ts>
Task<std::tuple<detail::GatherResult<Ts>...>> gather(Task<Ts>... tasks) {
  TaskContext& context = co_await detail::current_context();
  auto children = std::make_tuple(detail::start(context.loop(), std::move(tasks))...);
  co_await std::apply(
      [](const auto&... child) {
        return detail::JoinAll(std::vector<std::shared_ptr<detail::TaskStateBase>>{child...});
      },
      children);
  co_return std::apply(
      [](auto&... child) {
        return std::tuple<detail::GatherResult<Ts>...>(detail::take_result(*child)...);
      },
      children);
}

// asyncio.wait_for: runs `task` (as a task of its own) and yields its result if it finishes
// within `timeout`. Otherwise cancels it, waits until it has finished, and throws
// TimeoutError (or, if the task caught the cancellation and returned, yields its result).
// Cancelling the task awaiting wait_for cancels `task` too.
template <class T>
Task<T> wait_for(Task<T> task, std::chrono::milliseconds timeout) {
  TaskContext& context = co_await detail::current_context();
  EventLoop& loop = context.loop();
  TaskHandle<T> handle = create_task(loop, std::move(task));
  auto expired = std::make_shared<bool>(false);
  TimerId timer = loop.call_later(timeout, [handle, expired]() mutable {
    *expired = true;
    handle.cancel();
  });
  std::exception_ptr error;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await handle;
      loop.cancel(timer);
      co_return;
    } else {
      T value = co_await handle;
      loop.cancel(timer);
      co_return value;
    }
  } catch (...) {
    error = std::current_exception();
  }
  loop.cancel(timer);
  if (*expired && handle.cancelled()) throw TimeoutError();
  std::rethrow_exception(error);
}

}  // namespace kata::async
