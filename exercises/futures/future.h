// Future<T> and Promise<T>: a result that will exist later, and the one who provides it.
//
// Python's concurrent.futures.Future is a box for the result of a call that runs somewhere
// else: the executor completes it (set_result, set_exception), everybody else waits for it
// (result, exception), asks about it (done, running, cancelled), cancels it while it has not
// started, or attaches callbacks that run when it is done. Here the two roles are two types on
// one shared state: Promise<T> completes, Future<T> observes. Both are copyable handles: every
// copy refers to the same future, like Python references to one Future object.
//
// A future moves through these states, each at most once and in this order:
//   pending --set_running()--> running --set_value()/set_exception()--> finished
//   pending --set_value()/set_exception()--> finished
//   pending --cancel()--> cancelled
// "done" means finished or cancelled. T may be void (Promise<void>::set_value() takes no
// argument, Future<void>::get() returns nothing). T must be copy-constructible: get() returns a
// copy, and may be called any number of times.
//
// Memory ordering: the call that makes a future done (set_value, set_exception or a successful
// cancel) happens-before the return of every get(), exception() and wait_for() that sees it
// done, every done() and cancelled() that returns true, and the start of each done-callback.
// So a plain (non-atomic) value written before set_value() is safely read after get().
//
// Different threads may use different handles (copies) on one future at the same time; one
// handle object is, like a std::shared_ptr, not to be assigned while another thread uses it.
//
// This kata builds what <future> provides, so std::promise, std::future, std::shared_future,
// std::packaged_task and the <future> header may not be used. Read future.md first. Edit this
// file only (the classes are templates, so they live in the header); `./kata check
// futures/future` grades.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "kata/not_implemented.h"

namespace kata::futures {

// get() or exception() on a cancelled future (Python's concurrent.futures.CancelledError).
class CancelledError : public std::runtime_error {
 public:
  CancelledError()
      : std::runtime_error("kata::futures::CancelledError: the future was cancelled") {}
};

// Completing a future that is already done, or set_running() twice (InvalidStateError).
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// A wait with a timeout that expired (concurrent.futures.TimeoutError); used by combinators.h.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
class Promise;

// TODO: the state that all handles on one future share (declare it here, e.g. in a
// `namespace detail`): the status, the value or the exception, the done-callbacks still to
// run, and what guards them and lets threads wait.

template <class T>
class Future {
 public:
  using Callback = std::function<void(const Future&)>;

  Future(const Future&) = default;
  Future& operator=(const Future&) = default;

  // Cancels the future if it is still pending: it becomes cancelled and done, waiters wake
  // (get() throws CancelledError) and the callbacks run in this thread. Returns true if the
  // future is cancelled (now or before), false if it is running or finished.
  bool cancel() {
    // TODO
    throw kata::NotImplemented("Future::cancel");
  }

  // Whether cancel() succeeded.
  bool cancelled() const {
    // TODO
    throw kata::NotImplemented("Future::cancelled");
  }

  // Whether set_running() succeeded and the future is not finished yet.
  bool running() const {
    // TODO
    throw kata::NotImplemented("Future::running");
  }

  // Whether the future is finished or cancelled.
  bool done() const {
    // TODO
    throw kata::NotImplemented("Future::done");
  }

  // Waits until done, then returns a copy of the value (nothing for Future<void>), rethrows
  // the exception the future was completed with, or throws CancelledError.
  T get() const {
    // TODO: wait without losing a wake-up, then report the outcome.
    throw kata::NotImplemented("Future::get");
  }

  // Waits until done or until `timeout` has passed; returns done().
  bool wait_for(std::chrono::milliseconds timeout) const {
    // TODO
    (void)timeout;
    throw kata::NotImplemented("Future::wait_for");
  }

  // Waits until done, then returns the exception the future was completed with (nullptr if it
  // has a value); throws CancelledError if it was cancelled.
  std::exception_ptr exception() const {
    // TODO
    throw kata::NotImplemented("Future::exception");
  }

  // Calls `callback(future)` exactly once, once the future is done: in the thread that
  // completes it (set_value, set_exception or cancel), after the waiters are released; or at
  // once, in this thread, if it is already done. Callbacks run in the order they were added,
  // never under a lock of the future (a callback may call get() or add_done_callback()). An
  // exception a callback throws is reported on std::cerr and swallowed; the next callbacks
  // still run, and the call that completed the future does not throw.
  void add_done_callback(Callback callback) {
    // TODO: beware the callback added while another thread completes the future.
    (void)callback;
    throw kata::NotImplemented("Future::add_done_callback");
  }

  // Handles on the same future are equal (Python compares futures by identity).
  friend bool operator==(const Future&, const Future&) {
    // TODO
    throw kata::NotImplemented("operator==(Future, Future)");
  }

 private:
  friend class Promise<T>;

  // TODO: a handle on the shared state, and a constructor Promise can use.
};

template <class T>
class Promise {
 public:
  // A new pending future.
  Promise() {
    // TODO: create the shared state.
  }
  Promise(const Promise&) = default;
  Promise& operator=(const Promise&) = default;

  // A handle on this promise's future (any number of them; all are equal).
  Future<T> get_future() const {
    // TODO
    throw kata::NotImplemented("Promise::get_future");
  }

  // Python's set_running_or_notify_cancel(): marks a pending future running and returns true,
  // after which cancel() fails; returns false if it was cancelled (the task must not run).
  // Throws InvalidStateError if it is already running or finished.
  bool set_running() {
    // TODO
    throw kata::NotImplemented("Promise::set_running");
  }

  // Completes the future with `value`, from pending or running: wakes every waiter, then runs
  // the callbacks in this thread. Throws InvalidStateError if the future is already done.
  // (The template is how a class template offers set_value(T) only when T is not void.)
  template <class U = T>
    requires(!std::is_void_v<U>)
  void set_value(std::type_identity_t<U> value) {
    // TODO
    (void)value;
    throw kata::NotImplemented("Promise::set_value");
  }

  // Promise<void>'s set_value().
  template <class U = T>
    requires std::is_void_v<U>
  void set_value() {
    // TODO
    throw kata::NotImplemented("Promise::set_value");
  }

  // Completes the future with an exception, which get() rethrows; otherwise like set_value().
  void set_exception(std::exception_ptr error) {
    // TODO
    (void)error;
    throw kata::NotImplemented("Promise::set_exception");
  }

 private:
  // TODO: a handle on the shared state.
};

}  // namespace kata::futures
