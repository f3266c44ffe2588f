// Mutant (WRONG_RESULT): get() rethrows the stored exception only when there is a value type to
// return; Future<void>::get() returns normally after a task failed, so the failure is
// swallowed. The grader completes a Future<void> with set_exception and expects get() to throw.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

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

// A wait with a timeout that expired (concurrent.futures.TimeoutError); see combinators.h.
class TimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class T>
class Promise;
template <class T>
class Future;

namespace detail {

enum class Status { kPending, kRunning, kCancelled, kFinished };

// The state every handle on one future shares. Everything is guarded by `mu`.
template <class T>
struct SharedState {
  using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
  using Callback = std::function<void(const Future<T>&)>;

  std::mutex mu;
  std::condition_variable became_done;  // notified (all) when status becomes done
  Status status = Status::kPending;
  std::optional<Stored> value;  // set when finished with a value
  std::exception_ptr error;     // set when finished with an exception
  std::vector<Callback> callbacks;  // waiting for completion; emptied when it completes

  bool is_done() const { return status == Status::kCancelled || status == Status::kFinished; }
};

}  // namespace detail

template <class T>
class Future {
 public:
  using Callback = std::function<void(const Future&)>;

  Future(const Future&) = default;
  Future& operator=(const Future&) = default;
  Future(Future&&) noexcept = default;
  Future& operator=(Future&&) noexcept = default;

  // Cancels the future if it is still pending: it becomes cancelled and done, waiters wake
  // (get() throws CancelledError) and the callbacks run in this thread. Returns true if the
  // future is cancelled (now or before), false if it is running or finished.
  bool cancel() {
    bool already = false;
    bool changed = complete(state_, [&](detail::SharedState<T>& s) {
      if (s.status == detail::Status::kCancelled) already = true;
      if (s.status != detail::Status::kPending) return false;
      s.status = detail::Status::kCancelled;
      return true;
    });
    return changed || already;
  }

  bool cancelled() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->status == detail::Status::kCancelled;
  }

  bool running() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->status == detail::Status::kRunning;
  }

  bool done() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->is_done();
  }

  // Waits until done, then returns a copy of the value (nothing for Future<void>), rethrows
  // the exception the future was completed with, or throws CancelledError.
  T get() const {
    std::unique_lock<std::mutex> lock(state_->mu);
    // The predicate makes the wait immune to lost and spurious wake-ups: the state is checked
    // under the same mutex the completer changes it under.
    state_->became_done.wait(lock, [&] { return state_->is_done(); });
    if (state_->status == detail::Status::kCancelled) throw CancelledError();
    if constexpr (!std::is_void_v<T>) {
      if (state_->error) std::rethrow_exception(state_->error);
      return *state_->value;
    }
  }

  // Waits until done or until `timeout` has passed; returns done().
  bool wait_for(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(state_->mu);
    return state_->became_done.wait_for(lock, timeout, [&] { return state_->is_done(); });
  }

  // Waits until done, then returns the exception the future was completed with (nullptr if it
  // has a value); throws CancelledError if it was cancelled.
  std::exception_ptr exception() const {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->became_done.wait(lock, [&] { return state_->is_done(); });
    if (state_->status == detail::Status::kCancelled) throw CancelledError();
    return state_->error;
  }

  // Calls `callback(future)` once the future is done: in the thread that completes it, or at
  // once in this thread if it is already done. Never under the future's lock, so a callback
  // may call get() or add another callback. An exception a callback throws is written to
  // std::cerr and swallowed.
  void add_done_callback(Callback callback) {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      // Checked and registered in one critical section, the same one in which the completer
      // takes the list: a callback is either taken by the completer or sees the future done.
      if (!state_->is_done()) {
        state_->callbacks.push_back(std::move(callback));
        return;
      }
    }
    run_callback(callback, *this);
  }

  // Handles on the same future are equal (Python compares futures by identity).
  friend bool operator==(const Future& a, const Future& b) { return a.state_ == b.state_; }

 private:
  friend class Promise<T>;

  explicit Future(std::shared_ptr<detail::SharedState<T>> state) : state_(std::move(state)) {}

  static void run_callback(const Callback& callback, const Future& future) {
    try {
      callback(future);
    } catch (const std::exception& e) {
      std::cerr << "kata::futures: a done-callback threw (ignored): " << e.what() << "\n";
    } catch (...) {
      std::cerr << "kata::futures: a done-callback threw a non-exception (ignored)\n";
    }
  }

  // Makes the future done if `transition(state)`, run under the lock, says so; then wakes the
  // waiters and runs the callbacks, in this thread and outside the lock. Returns whether it
  // changed the state.
  template <class Transition>
  static bool complete(const std::shared_ptr<detail::SharedState<T>>& state,
                       Transition&& transition) {
    std::vector<Callback> callbacks;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (!transition(*state)) return false;
      // Taken in the same critical section that made the future done (see add_done_callback).
      callbacks.swap(state->callbacks);
    }
    state->became_done.notify_all();
    Future future(state);
    for (const auto& callback : callbacks) run_callback(callback, future);
    return true;
  }

  std::shared_ptr<detail::SharedState<T>> state_;
};

template <class T>
class Promise {
 public:
  Promise() : state_(std::make_shared<detail::SharedState<T>>()) {}
  Promise(const Promise&) = default;
  Promise& operator=(const Promise&) = default;
  Promise(Promise&&) noexcept = default;
  Promise& operator=(Promise&&) noexcept = default;

  // A handle on this promise's future (any number of them; all are equal).
  Future<T> get_future() const { return Future<T>(state_); }

  // Python's set_running_or_notify_cancel(): marks a pending future running and returns true,
  // after which cancel() fails; returns false if it was cancelled (the task must not run).
  // Throws InvalidStateError if it is already running or finished.
  bool set_running() {
    std::lock_guard<std::mutex> lock(state_->mu);
    switch (state_->status) {
      case detail::Status::kPending:
        state_->status = detail::Status::kRunning;
        return true;
      case detail::Status::kCancelled:
        return false;
      default:
        throw InvalidStateError("Promise::set_running: the future is already running or finished");
    }
  }

  // Completes the future with `value` (Promise<void>: set_value() with no argument). Throws
  // InvalidStateError if the future is already done.
  template <class U = T>
    requires(!std::is_void_v<U>)
  void set_value(std::type_identity_t<U> value) {
    finish([&](detail::SharedState<T>& s) { s.value.emplace(std::move(value)); });
  }

  template <class U = T>
    requires std::is_void_v<U>
  void set_value() {
    finish([](detail::SharedState<T>& s) { s.value.emplace(); });
  }

  // Completes the future with an exception, which get() rethrows. Throws InvalidStateError if
  // the future is already done.
  void set_exception(std::exception_ptr error) {
    finish([&](detail::SharedState<T>& s) { s.error = std::move(error); });
  }

 private:
  template <class Store>
  void finish(Store&& store) {
    bool changed = Future<T>::complete(state_, [&](detail::SharedState<T>& s) {
      if (s.is_done()) return false;
      store(s);
      s.status = detail::Status::kFinished;
      return true;
    });
    if (!changed) throw InvalidStateError("Promise: the future is already done");
  }

  std::shared_ptr<detail::SharedState<T>> state_;
};

}  // namespace kata::futures
