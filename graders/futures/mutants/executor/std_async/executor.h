// Mutant (FORBIDDEN): starts its workers with std::async and waits for them through the
// std::future<void> each returns, instead of std::thread and join; otherwise correct. The kata
// forbids std::async, and the forbidden-primitive check names it.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "futures/future.h"

namespace kata::futures {

class ThreadPoolExecutor {
 public:
  // Starts a pool of `max_workers` worker threads. Throws std::invalid_argument unless
  // max_workers > 0.
  explicit ThreadPoolExecutor(int max_workers);

  // shutdown(wait=true).
  ~ThreadPoolExecutor();

  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  // Queues the call `fn(args...)` and returns its future at once. `fn` and `args` are copied
  // (or moved) into the task, as std::thread and std::async do, and called once, as rvalues, on
  // a worker thread. The future gets the call's result, or the exception it throws. A task whose
  // future was cancelled before a worker took it is never called. Throws std::runtime_error
  // once shutdown() has begun (also when a task calls it).
  template <class F, class... A>
  auto submit(F&& fn, A&&... args)
      -> Future<std::invoke_result_t<std::decay_t<F>, std::decay_t<A>...>> {
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<A>...>;
    static_assert(!std::is_reference_v<R>, "submit: the call must return a value, not a reference");
    Promise<R> promise;
    Future<R> future = promise.get_future();
    auto call = [fn = std::forward<F>(fn), ... args = std::forward<A>(args)]() mutable -> R {
      return std::invoke(std::move(fn), std::move(args)...);
    };
    Task task;
    task.run = [promise, call = std::move(call)]() mutable {
      // Python's set_running_or_notify_cancel(): from here on, cancel() fails.
      if (!promise.set_running()) return;  // cancelled while it waited in the queue
      std::exception_ptr error;
      if constexpr (std::is_void_v<R>) {
        try {
          call();
        } catch (...) {
          error = std::current_exception();
        }
        if (!error) return promise.set_value();
      } else {
        std::optional<R> result;
        try {
          result.emplace(call());
        } catch (...) {
          error = std::current_exception();
        }
        // set_value is outside the try: an exception of the call goes to the future, never
        // one from completing it (which would mean a bug here).
        if (!error) return promise.set_value(std::move(*result));
      }
      promise.set_exception(error);
    };
    task.cancel = [future]() mutable { future.cancel(); };
    enqueue(std::move(task));
    return future;
  }

  // Stops accepting tasks: submit() throws from now on. The queued tasks still run, unless
  // `cancel_futures`, which cancels every task no worker has taken yet (their futures become
  // cancelled). With `wait`, returns only when every task has finished and every worker thread
  // has been joined; without, returns at once (the destructor waits). May be called more than
  // once and from several threads; must not be called with wait=true by one of the pool's
  // own tasks (a worker cannot join itself).
  void shutdown(bool wait = true, bool cancel_futures = false);

 private:
  // A queued call, type-erased: run() calls it and completes its future; cancel() cancels the
  // future of a call that will never run.
  struct Task {
    std::function<void()> run;
    std::function<void()> cancel;
  };

  // Queues a task for the workers; throws std::runtime_error after shutdown().
  void enqueue(Task task);

  // The body of each worker thread: takes tasks until shut down and the queue is empty.
  void work();

  std::mutex mu_;
  std::condition_variable work_available_;  // a task was queued, or shutdown began
  std::deque<Task> queue_;                  // guarded by mu_
  bool shutting_down_ = false;              // guarded by mu_

  std::mutex join_mu_;  // serialises the joins of concurrent shutdown(wait=true) calls
  std::vector<std::future<void>> workers_;  // filled by the constructor; waited under join_mu_
};

}  // namespace kata::futures
