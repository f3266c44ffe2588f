// Mutant (WRONG_RESULT): next() polls the futures in input order and yields the first one that
// is done and not yet yielded. When several are done, it yields them in input order, not in
// the order they completed. The grader completes futures in a known shuffled order before
// calling next() and compares the order of the yields.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <thread>
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

namespace kata::futures {

// Calls fn(input) for every input on `executor` and returns the results in input order.
// Waits for every call to finish; then, if any threw, rethrows the exception of the first one
// by input order (not the first to happen). fn and each input are copied into their task.
template <class F, class T>
auto map(ThreadPoolExecutor& executor, const F& fn, const std::vector<T>& inputs)
    -> std::vector<std::invoke_result_t<F, T>> {
  using R = std::invoke_result_t<F, T>;
  static_assert(!std::is_void_v<R>, "map needs a function that returns a value");
  std::vector<Future<R>> futures;
  futures.reserve(inputs.size());
  for (const T& input : inputs) futures.push_back(executor.submit(fn, input));
  std::vector<R> results;
  results.reserve(inputs.size());
  std::exception_ptr first_error;
  // get() in input order: waits for each call, so all have finished when the loop ends.
  for (auto& future : futures) {
    try {
      R result = future.get();
      if (!first_error) results.push_back(std::move(result));
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

// Yields each of the given futures once, in the order they become done (those already done
// first, in input order). Python's as_completed() as an explicit iterator. The futures must be
// distinct handles; next() is called by one thread at a time.
template <class T>
class AsCompleted {
 public:
  explicit AsCompleted(std::vector<Future<T>> futures)
      : futures_(std::move(futures)), ready_(std::make_shared<Ready>()) {
    for (std::size_t i = 0; i < futures_.size(); ++i) {
      // The callback owns the queue (not the futures, or a future would own itself through
      // its callback), so it stays valid after this object is gone.
      futures_[i].add_done_callback([ready = ready_, i](const Future<T>&) {
        {
          std::lock_guard<std::mutex> lock(ready->mu);
          ready->order.push_back(i);
        }
        ready->cv.notify_one();
      });
    }
  }

  AsCompleted(const AsCompleted&) = delete;
  AsCompleted& operator=(const AsCompleted&) = delete;

  // The next future to be done, waiting for it if needed: nullopt once every future has been
  // yielded. Throws TimeoutError if none becomes done within `timeout` (no timeout: waits as
  // long as it takes).
  std::optional<Future<T>> next(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (yielded_ == futures_.size()) return std::nullopt;
    const auto deadline = timeout ? std::chrono::steady_clock::now() + *timeout
                                  : std::chrono::steady_clock::time_point::max();
    yielded_flags_.resize(futures_.size(), false);
    while (true) {
      for (std::size_t i = 0; i < futures_.size(); ++i) {
        if (!yielded_flags_[i] && futures_[i].done()) {
          yielded_flags_[i] = true;
          ++yielded_;
          return futures_[i];
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw TimeoutError("AsCompleted::next: no future completed within the timeout");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

 private:
  // The indices of the futures that are done and not yet yielded, in completion order.
  struct Ready {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::size_t> order;  // guarded by mu
  };

  std::vector<Future<T>> futures_;
  std::shared_ptr<Ready> ready_;
  std::size_t yielded_ = 0;  // used by next() only
  std::vector<bool> yielded_flags_;
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
  struct Tally {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t completed = 0;  // guarded by mu
    bool failed = false;        // guarded by mu
  };
  auto tally = std::make_shared<Tally>();
  for (const Future<T>& future : futures) {
    Future<T> handle = future;  // add_done_callback is not const
    handle.add_done_callback([tally](const Future<T>& done) {
      // Already done, so neither call blocks; and callbacks run outside the future's lock.
      const bool failed = !done.cancelled() && done.exception() != nullptr;
      {
        std::lock_guard<std::mutex> lock(tally->mu);
        ++tally->completed;
        tally->failed = tally->failed || failed;
      }
      tally->cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(tally->mu);
    auto satisfied = [&] {
      if (tally->completed == futures.size()) return true;
      switch (return_when) {
        case ReturnWhen::FirstCompleted:
          return tally->completed > 0;
        case ReturnWhen::FirstException:
          return tally->failed;
        case ReturnWhen::AllCompleted:
          return false;
      }
      return false;
    };
    if (!timeout) {
      tally->cv.wait(lock, satisfied);
    } else {
      tally->cv.wait_for(lock, *timeout, satisfied);  // on timeout, report what is done
    }
  }
  WaitResult<T> result;
  for (const Future<T>& future : futures) {
    (future.done() ? result.done : result.not_done).push_back(future);
  }
  return result;
}

}  // namespace kata::futures
