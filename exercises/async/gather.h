// create_task, gather and wait_for: tasks that run concurrently on one EventLoop, and real
// cancellation. Read exercises/async/gather.md first.
//
// asyncio.create_task(coro) schedules a coroutine to run on its own ("a task") and returns a
// handle at once. create_task() here does the same with a Task<T>: it becomes the root of a
// new chain with its own TaskContext (async/task.h), started from a loop callback. The
// TaskHandle<T> it returns can be awaited (any number of times, by any task of the loop) and
// cancelled.
//
// gather(tasks...) runs its tasks concurrently and returns their results as a tuple, in
// argument order. wait_for(task, timeout) runs a task with a deadline; when it passes, the
// task is cancelled, wait_for waits until the task has actually finished, then throws
// TimeoutError.
//
// Cancellation is real: TaskHandle::cancel() is TaskContext::cancel() of the task's chain: it
// interrupts the suspension point the task waits at, which throws CancelledError into the
// task. A task waiting for another task (or for a gather) passes its cancellation on to what
// it waits for.
//
// This kata links the reference Task, run() and sleep_for() (async/task.h): use its
// TaskContext, and the promise's context(), to reach the loop and to be cancellable.
//
// Threading: everything here belongs to the loop's thread.
#pragma once

#include <chrono>
#include <coroutine>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <variant>

#include "async/event_loop.h"
#include "async/task.h"
#include "kata/not_implemented.h"

namespace kata::async {

// Thrown by wait_for() when the deadline passed and the task was cancelled
// (asyncio.TimeoutError). Given: nothing to do here.
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("kata::async::TimeoutError: the deadline passed") {}
};

namespace detail {
// gather's result for a Task<T>: T, or std::monostate for Task<void>.
template <class T>
using GatherResult = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
}  // namespace detail

// asyncio.Task: a handle on a task started by create_task(). Copyable; every copy refers to
// the same task (TODO: a shared state: the task's TaskContext, whether it is done, its value
// or exception, and who waits for it). For the loop's thread only.
template <class T>
class TaskHandle {
 public:
  // Whether the task has finished (with a value, an exception, or cancelled).
  bool done() const { throw kata::NotImplemented("TaskHandle::done"); }
  // Whether the task has finished by CancelledError.
  bool cancelled() const { throw kata::NotImplemented("TaskHandle::cancelled"); }

  // Requests cancellation: false if the task has already finished; otherwise true, and the
  // task's current suspension point (or, if it has not reached one yet, its next) throws
  // CancelledError. The task finishes later, when the error has unwound it.
  bool cancel() { throw kata::NotImplemented("TaskHandle::cancel"); }

  // `co_await handle` waits until the task has finished and yields its value (a copy) or
  // rethrows its exception. Resume the awaiter from a loop callback once the task's frames are
  // gone. A suspension point: cancelling the awaiting task cancels this one too, and the
  // awaiting task gets CancelledError once this one has finished.
  class Awaiter {
   public:
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) {
      throw kata::NotImplemented("TaskHandle::Awaiter::await_suspend");
    }
    T await_resume() { throw kata::NotImplemented("TaskHandle::Awaiter::await_resume"); }
  };

  Awaiter operator co_await() const { throw kata::NotImplemented("TaskHandle::operator co_await"); }
};

// asyncio.create_task: schedules `task` to start in a later callback of `loop` and returns
// its handle. The task runs whether or not anyone awaits it.
template <class T>
TaskHandle<T> create_task(EventLoop& loop, Task<T> task) {
  (void)loop;
  (void)task;
  throw kata::NotImplemented("kata::async::create_task");
}

// asyncio.gather (with the clean-up of asyncio.TaskGroup): runs the tasks concurrently on the
// awaiting task's loop and yields their results in argument order (std::monostate for a
// Task<void>). If one fails, the others are cancelled, gather waits until all have finished,
// then rethrows the first failure. Cancelling the task awaiting gather cancels all of them
// and, once they have finished, throws CancelledError.
template <class... Ts>
Task<std::tuple<detail::GatherResult<Ts>...>> gather(Task<Ts>... tasks) {
  ((void)tasks, ...);
  throw kata::NotImplemented("kata::async::gather");
}

// asyncio.wait_for: runs `task` (as a task of its own) and yields its result if it finishes
// within `timeout`. Otherwise cancels it, waits until it has finished, and throws
// TimeoutError. Cancelling the task awaiting wait_for cancels `task` too.
template <class T>
Task<T> wait_for(Task<T> task, std::chrono::milliseconds timeout) {
  (void)task;
  (void)timeout;
  throw kata::NotImplemented("kata::async::wait_for");
}

}  // namespace kata::async
