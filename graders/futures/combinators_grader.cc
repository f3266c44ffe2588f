// Grader of futures/combinators: map's order and exceptions, AsCompleted's completion order
// (futures completed through their promises in a known order that is not the input order),
// each future yielded exactly once, timeouts that fire, and wait()'s three conditions.
#include "futures/combinators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "futures/executor.h"
#include "futures/future.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

namespace futures = kata::futures;
using futures::AsCompleted;
using futures::Future;
using futures::Promise;
using futures::ReturnWhen;
using futures::ThreadPoolExecutor;
using futures::TimeoutError;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct IndexedError {
  int index;
};

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::vector<Promise<int>> make_promises(int n) { return std::vector<Promise<int>>(n); }

std::vector<Future<int>> futures_of(const std::vector<Promise<int>>& promises) {
  std::vector<Future<int>> result;
  for (const auto& promise : promises) result.push_back(promise.get_future());
  return result;
}

// The index in `futures` of `future`, or -1.
int index_of(const std::vector<Future<int>>& futures, const Future<int>& future) {
  for (std::size_t i = 0; i < futures.size(); ++i) {
    if (futures[i] == future) return static_cast<int>(i);
  }
  return -1;
}

std::string indices_text(const std::vector<int>& indices) {
  std::string text;
  for (int i : indices) text += (text.empty() ? "" : " ") + std::to_string(i);
  return "[" + text + "]";
}

// next(timeout), with a TimeoutError turned into a failure of the test (a future lost).
std::optional<Future<int>> next_within(AsCompleted<int>& as_completed,
                                       std::chrono::milliseconds timeout) {
  try {
    return as_completed.next(timeout);
  } catch (const TimeoutError&) {
    ADD_FAILURE() << "next(" << timeout.count()
                  << "ms) threw TimeoutError although a completed future was still to be "
                     "yielded (a future lost)";
    return std::nullopt;
  }
}

// What is wrong with next(0ms) once every future was yielded ("" if it returns nullopt).
std::string after_the_last(AsCompleted<int>& as_completed,
                           const std::vector<Future<int>>& futures) {
  try {
    std::optional<Future<int>> extra = as_completed.next(0ms);
    if (!extra) return "";
    return "next() returned future " + std::to_string(index_of(futures, *extra)) +
           " again after every future was yielded (a future yielded twice)";
  } catch (const TimeoutError&) {
    return "next() threw TimeoutError after every future was yielded; it must return nullopt";
  }
}

std::vector<int> shuffled(int n) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) {
    std::swap(order[i], order[grading::random_below(static_cast<std::uint64_t>(i) + 1)]);
  }
  if (n > 1 && std::is_sorted(order.begin(), order.end())) std::swap(order[0], order[n - 1]);
  return order;
}

TEST(Map, ReturnsTheResultsInInputOrder) {
  ThreadPoolExecutor executor(4);
  std::vector<int> inputs(40);
  std::iota(inputs.begin(), inputs.end(), 0);
  // Later inputs take less time, so they finish first.
  std::vector<long> results = futures::map(
      executor,
      [](int x) {
        std::this_thread::sleep_for(std::chrono::microseconds(50 * (40 - x)));
        return static_cast<long>(x) * x;
      },
      inputs);
  ASSERT_EQ(results.size(), inputs.size()) << "map must return one result per input";
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(results[i], static_cast<long>(i) * i) << "map's results must be in input order";
  }
  EXPECT_TRUE(futures::map(executor, [](int x) { return x; }, std::vector<int>{}).empty());
}

TEST(Map, RethrowsTheFirstExceptionByInputOrderOnlyAfterEveryCallFinished) {
  for (int round = 0; round < grading::scaled(2, 6); ++round) {
    // Declared before the executor so it outlives the workers: a map that throws early leaves
    // calls running, and they must not touch a dead counter.
    std::atomic<int> finished{0};
    ThreadPoolExecutor executor(4);
    std::vector<int> inputs(12);
    std::iota(inputs.begin(), inputs.end(), 0);
    auto fn = [&finished](int x) {
      // Input 3 fails late, input 8 fails at once: 8's exception happens first in time.
      std::this_thread::sleep_for(x == 3 ? 40ms : x == 8 ? 0ms : 20ms);
      finished.fetch_add(1);
      if (x == 3 || x == 8) throw IndexedError{x};
      return x;
    };
    int finished_when_thrown = -1;
    std::exception_ptr thrown;
    try {
      (void)futures::map(executor, fn, inputs);
    } catch (const kata::NotImplemented&) {
      throw;
    } catch (...) {
      finished_when_thrown = finished.load();
      thrown = std::current_exception();
    }
    // The exception object is shared with the worker that threw it. Look at it only once every
    // worker is done, so that a map that threw early is reported for that (below), not as a
    // race on the exception's memory.
    executor.shutdown();
    ASSERT_TRUE(thrown) << "map must rethrow when a call throws";
    EXPECT_EQ(finished_when_thrown, 12)
        << "map threw while " << 12 - finished_when_thrown
        << " of the 12 calls were still queued or running: it must wait for every call before "
           "it rethrows";
    try {
      std::rethrow_exception(thrown);
    } catch (const IndexedError& e) {
      EXPECT_EQ(e.index, 3) << "map must rethrow the exception of the first failing input by "
                               "input order (input 3), not the first in time (input 8)";
    } catch (...) {
      ADD_FAILURE() << "map must rethrow the exception the call threw, unchanged";
    }
    ASSERT_FALSE(testing::Test::HasFailure()) << "(round " << round << ")";
  }
}

// The grader completes the futures, through their promises, in a shuffled order, all before
// the first next(): an AsCompleted that polls the futures in input order yields them in input
// order instead of completion order.
TEST(AsCompleted, YieldsInCompletionOrderNotInputOrder) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    const int n = 2 + round % 7;
    auto promises = make_promises(n);
    auto futures = futures_of(promises);
    AsCompleted<int> as_completed(futures);
    const std::vector<int> order = shuffled(n);
    for (int i : order) promises[i].set_value(i);
    std::vector<int> yielded;
    for (int k = 0; k < n; ++k) {
      std::optional<Future<int>> next = next_within(as_completed, 5s);
      ASSERT_TRUE(next.has_value()) << "next() returned nothing after " << k << " of " << n
                                    << " futures";
      yielded.push_back(index_of(futures, *next));
    }
    ASSERT_EQ(yielded, order) << "the futures were completed in the order "
                              << indices_text(order) << " but yielded as "
                              << indices_text(yielded)
                              << " (by input index): AsCompleted must yield in completion order";
    ASSERT_EQ(after_the_last(as_completed, futures), "");
  }
}

// The same while the consumer waits: a completer thread finishes the futures one at a time.
TEST(AsCompleted, YieldsEachFutureAsItCompletes) {
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    const int n = 6;
    auto promises = make_promises(n);
    auto futures = futures_of(promises);
    const std::vector<int> order = shuffled(n);
    AsCompleted<int> as_completed(futures);
    std::jthread completer([&] {
      for (int i : order) {
        std::this_thread::sleep_for(2ms);
        promises[i].set_value(i * 10);
      }
    });
    std::vector<int> yielded;
    for (int k = 0; k < n; ++k) {
      std::optional<Future<int>> next = next_within(as_completed, 10s);
      if (!next) break;
      EXPECT_TRUE(next->done()) << "next() yielded a future that is not done";
      yielded.push_back(index_of(futures, *next));
    }
    completer.join();
    ASSERT_EQ(yielded, order) << "completed in the order " << indices_text(order)
                              << ", yielded as " << indices_text(yielded);
    grading::tick();
  }
}

TEST(AsCompleted, YieldsEveryFutureExactlyOnceIncludingThoseAlreadyDone) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    const int n = 8;
    auto promises = make_promises(n);
    auto futures = futures_of(promises);
    // Half of them are done before AsCompleted exists, one of them by cancel().
    for (int i = 0; i < n; i += 2) promises[i].set_value(i);
    (void)futures[2].cancel();  // already done: cancel fails, harmless
    Promise<int> cancelled_one;
    std::vector<Future<int>> all = futures;
    all.push_back(cancelled_one.get_future());
    (void)all.back().cancel();
    AsCompleted<int> as_completed(all);
    for (int i = 1; i < n; i += 2) promises[i].set_value(i);
    std::vector<int> times(all.size(), 0);
    for (std::size_t k = 0; k < all.size(); ++k) {
      std::optional<Future<int>> next = next_within(as_completed, 5s);
      ASSERT_TRUE(next.has_value()) << "next() returned nothing after " << k << " of "
                                    << all.size() << " futures";
      int index = index_of(all, *next);
      ASSERT_GE(index, 0) << "next() returned a future that was not given to AsCompleted";
      ++times[index];
      ASSERT_EQ(times[index], 1) << "future " << index << " was yielded twice (round " << round
                                 << ")";
    }
    ASSERT_EQ(after_the_last(as_completed, all), "") << "(round " << round << ")";
  }
}

TEST(AsCompleted, NextThrowsTimeoutErrorWhenNothingCompletesInTime) {
  Promise<int> never, later;
  std::vector<Future<int>> futures = {never.get_future(), later.get_future()};
  AsCompleted<int> as_completed(futures);
  auto start = Clock::now();
  EXPECT_THROW(as_completed.next(100ms), TimeoutError)
      << "next(100ms) with no future completing must throw TimeoutError";
  long waited = elapsed_ms(start);
  EXPECT_GE(waited, 90) << "next(100ms) gave up after only " << waited << " ms";
  EXPECT_LT(waited, 3000) << "next(100ms) took " << waited << " ms to time out";
  EXPECT_THROW(as_completed.next(0ms), TimeoutError)
      << "next(0ms) with nothing done must throw TimeoutError at once";
  later.set_value(2);
  std::optional<Future<int>> next = next_within(as_completed, 0ms);
  ASSERT_TRUE(next.has_value()) << "next(0ms) with a future done must return it";
  EXPECT_TRUE(*next == futures[1]);
  EXPECT_THROW(as_completed.next(20ms), TimeoutError) << "a timeout after a yield";
}

TEST(AsCompleted, NoFuturesMeansNulloptAtOnce) {
  AsCompleted<int> as_completed(std::vector<Future<int>>{});
  EXPECT_FALSE(as_completed.next(0ms).has_value());
  EXPECT_FALSE(as_completed.next().has_value()) << "next() without a timeout, nothing to yield";
}

// Completers in several threads, a consumer in another; fresh futures every round.
TEST(AsCompleted, StressCompletersInSeveralThreads) {
  const int rounds = grading::scaled(100, 500);
  constexpr int kPerCompleter = 4;
  constexpr int kCompleters = 3;
  constexpr int n = kPerCompleter * kCompleters;
  for (int round = 0; round < rounds; ++round) {
    auto promises = make_promises(n);
    auto futures = futures_of(promises);
    // A few are done before AsCompleted exists.
    promises[0].set_value(0);
    if (round % 2 == 0) promises[5].set_value(5);
    std::optional<AsCompleted<int>> as_completed;
    as_completed.emplace(futures);
    std::vector<int> times(n, 0);
    std::atomic<bool> wrong{false};
    grading::run_threads(kCompleters + 1, [&](int t) {
      if (t < kCompleters) {
        for (int i = t * kPerCompleter; i < (t + 1) * kPerCompleter; ++i) {
          grading::jitter();
          if (!futures[i].done()) promises[i].set_value(i);
        }
        return;
      }
      for (int k = 0; k < n; ++k) {
        std::optional<Future<int>> next = next_within(*as_completed, 10s);
        if (!next || !next->done()) {
          wrong = true;
          return;
        }
        int index = index_of(futures, *next);
        if (index < 0 || ++times[index] != 1) wrong = true;
      }
      if (!after_the_last(*as_completed, futures).empty()) wrong = true;
    });
    ASSERT_FALSE(wrong.load()) << "round " << round
                               << ": with completers in several threads, each future must be "
                                  "yielded exactly once, done, then nullopt";
    if (round % 8 == 0) grading::tick();
  }
}

TEST(Wait, AllCompletedWaitsForEveryFuture) {
  auto promises = make_promises(4);
  auto futures = futures_of(promises);
  std::jthread completer([&] {
    for (int i : {2, 0, 3, 1}) {
      std::this_thread::sleep_for(5ms);
      promises[i].set_value(i);
    }
  });
  auto [done, not_done] = futures::wait(futures, ReturnWhen::AllCompleted);
  completer.join();
  EXPECT_TRUE(not_done.empty()) << "wait(AllCompleted) returned before every future was done";
  ASSERT_EQ(done.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(done[i] == futures[i]) << "`done` must list the futures in input order";
  }
  EXPECT_TRUE(futures::wait(std::vector<Future<int>>{}).done.empty())
      << "wait() on no futures returns at once";
}

TEST(Wait, FirstCompletedReturnsAfterTheFirst) {
  auto promises = make_promises(3);
  auto futures = futures_of(promises);
  std::jthread completer([&] {
    std::this_thread::sleep_for(20ms);
    promises[1].set_value(1);
  });
  auto [done, not_done] = futures::wait(futures, ReturnWhen::FirstCompleted);
  completer.join();
  ASSERT_EQ(done.size(), 1u) << "wait(FirstCompleted): only future 1 was done";
  EXPECT_TRUE(done[0] == futures[1]);
  ASSERT_EQ(not_done.size(), 2u);
  EXPECT_TRUE(not_done[0] == futures[0] && not_done[1] == futures[2])
      << "`not_done` must list the other futures in input order";
  // Already satisfied: returns at once.
  auto again = futures::wait(futures, ReturnWhen::FirstCompleted, 0ms);
  EXPECT_EQ(again.done.size(), 1u);
  promises[0].set_value(0);
  promises[2].set_value(2);
}

// Future 0 stays pending until wait() has returned (or 1.5 s have passed); future 2 fails
// after 30 ms. wait(FirstException) must return then, with future 0 not done.
TEST(Wait, FirstExceptionReturnsWithoutWaitingForTheRest) {
  auto promises = make_promises(3);
  auto futures = futures_of(promises);
  std::atomic<bool> returned{false};
  std::jthread completer([&] {
    std::this_thread::sleep_for(10ms);
    promises[1].set_value(1);
    std::this_thread::sleep_for(20ms);
    promises[2].set_exception(std::make_exception_ptr(std::runtime_error("failed")));
    auto deadline = Clock::now() + 1500ms;
    while (!returned.load() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    promises[0].set_value(0);
  });
  auto start = Clock::now();
  auto [done, not_done] = futures::wait(futures, ReturnWhen::FirstException);
  long took = elapsed_ms(start);
  returned = true;
  completer.join();
  ASSERT_EQ(not_done.size(), 1u)
      << "wait(FirstException) must return as soon as a future fails (future 2, after 30 ms); "
         "it returned after "
      << took << " ms with " << not_done.size() << " futures not done (waiting for all?)";
  EXPECT_TRUE(not_done[0] == futures[0]);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_TRUE(done[0] == futures[1] && done[1] == futures[2]);
}

TEST(Wait, FirstExceptionWithoutExceptionsWaitsForAll) {
  auto promises = make_promises(3);
  auto futures = futures_of(promises);
  (void)futures[0].cancel();  // cancelled: done, but not an exception
  std::jthread completer([&] {
    std::this_thread::sleep_for(10ms);
    promises[1].set_value(1);
    std::this_thread::sleep_for(10ms);
    promises[2].set_value(2);
  });
  auto result = futures::wait(futures, ReturnWhen::FirstException);
  completer.join();
  EXPECT_TRUE(result.not_done.empty())
      << "wait(FirstException) with no future failing must wait for all (a cancelled future is "
         "not an exception)";
  EXPECT_EQ(result.done.size(), 3u);
}

TEST(Wait, ATimeoutReturnsWhatIsDone) {
  Promise<int> done_one, never;
  std::vector<Future<int>> futures = {done_one.get_future(), never.get_future()};
  done_one.set_value(1);
  auto start = Clock::now();
  auto [done, not_done] = futures::wait(futures, ReturnWhen::AllCompleted, 100ms);
  long waited = elapsed_ms(start);
  EXPECT_GE(waited, 90) << "wait(AllCompleted, 100ms) returned after only " << waited << " ms";
  EXPECT_LT(waited, 3000) << "wait(AllCompleted, 100ms) took " << waited << " ms";
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0] == futures[0]);
  ASSERT_EQ(not_done.size(), 1u);
  EXPECT_TRUE(not_done[0] == futures[1]);
  auto instant = futures::wait(futures, ReturnWhen::FirstException, 0ms);
  EXPECT_EQ(instant.not_done.size(), 1u) << "wait(..., 0ms) returns at once";
}

}  // namespace
