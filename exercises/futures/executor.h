// ThreadPoolExecutor: a fixed pool of worker threads that runs submitted calls and hands back
// a Future for each.
//
// Python's concurrent.futures.ThreadPoolExecutor: `submit(fn, *args)` queues the call and
// returns a Future at once; at most max_workers calls run at the same time, on worker threads
// that take calls from a shared queue; `shutdown(wait, cancel_futures)` refuses new calls, lets
// the queued ones run (or cancels them) and, with wait, joins every worker. The destructor is
// `with ThreadPoolExecutor(...) as executor:` leaving its block: shutdown(wait=true).
//
// The Future and Promise are the reference ones of the previous kata (futures/future.h): this
// kata links the reference solution of `future`, so you can do it before finishing that one.
//
// Memory ordering: submit() happens-before the start of the call it queues; the end of the
// call happens-before the return of the future's get() (the future's own guarantee), and the
// end of every call happens-before the return of shutdown(wait=true) and of the destructor.
//
// std::async may not be used: the point is to build the pool yourself. Read executor.md first.
// Edit this file and executor.cc; `./kata check futures/executor` grades.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "futures/future.h"
#include "kata/not_implemented.h"

namespace kata::futures {

class ThreadPoolExecutor {
 public:
  // A pool that runs at most `max_workers` calls at once, on at most `max_workers` threads
  // (start them here, or on demand as Python does). Throws std::invalid_argument unless
  // max_workers > 0.
  explicit ThreadPoolExecutor(int max_workers);

  // shutdown(wait=true): returns when every queued call has run and every worker is joined.
  ~ThreadPoolExecutor();

  ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
  ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;

  // Queues the call `fn(args...)` and returns its future at once. `fn` and `args` are copied
  // (or moved) into the task, as std::thread and std::async do, and called once, as rvalues, on
  // a worker thread. The future gets the call's result, or the exception it throws. A task whose
  // future was cancelled before a worker took it is never called. Throws std::runtime_error
  // once shutdown() has begun (also when a task calls it). Tasks may submit tasks.
  template <class F, class... A>
  auto submit(F&& fn, A&&... args)
      -> Future<std::invoke_result_t<std::decay_t<F>, std::decay_t<A>...>> {
    // TODO: make a Promise; wrap the call and the promise into a type-erased task (for example
    // a std::function<void()>) that calls promise.set_running() first (false: the future was
    // cancelled, do not call), then completes the promise with the call's result or exception;
    // queue it; return the promise's future.
    (void)fn;
    ((void)args, ...);
    throw kata::NotImplemented("ThreadPoolExecutor::submit");
  }

  // Stops accepting tasks: submit() throws from now on. The queued tasks still run, unless
  // `cancel_futures`, which cancels every task no worker has taken yet (their futures become
  // cancelled; tasks already running finish normally). With `wait`, returns only when every
  // task has finished and every worker thread has been joined; without, returns at once (the
  // destructor waits). May be called more than once and from several threads at once; is
  // never called with wait=true by one of the pool's own tasks (a worker cannot join itself).
  void shutdown(bool wait = true, bool cancel_futures = false);

 private:
  // TODO: the queue of tasks, the worker threads, whether shutdown has begun, and what guards
  // them and wakes the workers.
};

}  // namespace kata::futures
