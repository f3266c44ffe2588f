// Combinators: waiting on many futures at once.
//
// Python's concurrent.futures module has three ways to consume many futures:
//   executor.map(fn, inputs)   results in input order;
//   as_completed(futures)      each future as soon as it is done, in the order they finish;
//   wait(futures, return_when) blocks until the first completes, the first fails, or all do,
//                              and returns the (done, not_done) partition.
// Build the three here. The Future, Promise and ThreadPoolExecutor are the reference ones of
// the previous katas (this kata links their solutions), so you can do it before finishing them.
//
// Memory ordering: a future's completion happens-before AsCompleted::next() returns it and
// before wait() returns it in `done`; every call of map() happens-before map() returns.
//
// Read combinators.md first. Edit this file only (everything here is a template);
// `./kata check futures/combinators` grades.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "futures/executor.h"
#include "futures/future.h"
#include "kata/not_implemented.h"

namespace kata::futures {

// Calls fn(input) for every input on `executor` and returns the results in input order.
// Waits for every call to finish; then, if any threw, rethrows the exception of the first one
// by input order (not the first to happen). fn and each input are copied into their task.
template <class F, class T>
auto map(ThreadPoolExecutor& executor, const F& fn, const std::vector<T>& inputs)
    -> std::vector<std::invoke_result_t<F, T>> {
  static_assert(!std::is_void_v<std::invoke_result_t<F, T>>,
                "map needs a function that returns a value");
  // TODO: submit every call, then collect the results in input order.
  (void)executor;
  (void)fn;
  (void)inputs;
  throw kata::NotImplemented("map");
}

// Yields each of the given futures once, in the order they become done (those already done
// when it is constructed first, in input order). Python's as_completed() as an explicit
// iterator. The futures are distinct handles; next() is called by one thread at a time. The
// object may be destroyed while some futures are still pending (they may complete later).
template <class T>
class AsCompleted {
 public:
  explicit AsCompleted(std::vector<Future<T>> futures) {
    // TODO: keep the futures, and arrange to learn when each one becomes done (polling them in
    // a fixed order cannot tell which finished first).
    (void)futures;
  }

  AsCompleted(const AsCompleted&) = delete;
  AsCompleted& operator=(const AsCompleted&) = delete;

  // The next future to be done, waiting for it if needed: nullopt once every future has been
  // yielded (at once, without waiting). Throws TimeoutError if none becomes done within
  // `timeout` (no timeout: waits as long as it takes).
  std::optional<Future<T>> next(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    // TODO
    (void)timeout;
    throw kata::NotImplemented("AsCompleted::next");
  }

 private:
  // TODO: the futures, which of them are done and not yet yielded (in completion order), and
  // what guards that and lets next() wait. Mind who owns what: a done-callback may run after
  // this object is gone.
};

// When wait() returns (Python's FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED).
enum class ReturnWhen {
  FirstCompleted,  // when any future is done (or there are none)
  FirstException,  // when any future finishes with an exception, or all are done
  AllCompleted,    // when all futures are done
};

// wait()'s answer: the futures done when it returned and the others, each in input order.
template <class T>
struct WaitResult {
  std::vector<Future<T>> done;
  std::vector<Future<T>> not_done;
};

// Blocks until `return_when` is satisfied or `timeout` has passed (no timeout: waits as long as
// it takes), then partitions `futures`. A timeout is not an error: the partition shows what
// finished. A cancelled future is done, but is not an exception.
template <class T>
WaitResult<T> wait(const std::vector<Future<T>>& futures,
                   ReturnWhen return_when = ReturnWhen::AllCompleted,
                   std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  // TODO: wait without polling, and without waiting longer than the condition needs.
  (void)futures;
  (void)return_when;
  (void)timeout;
  throw kata::NotImplemented("wait");
}

}  // namespace kata::futures
