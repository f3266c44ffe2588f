// Grader of futures/future: the state machine of concurrent.futures.Future, values and
// exceptions across threads, waits that never lose a wake-up, and done-callbacks that run
// exactly once even when they are added while another thread completes the future.
#include "futures/future.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace kata::futures {
// How GoogleMock prints a future in a failure message.
template <class T>
void PrintTo(const Future<T>&, std::ostream* os) {
  *os << "a kata::futures::Future";
}
}  // namespace kata::futures

namespace {

using kata::futures::CancelledError;
using kata::futures::Future;
using kata::futures::InvalidStateError;
using kata::futures::Promise;
using testing::_;
using testing::Eq;
using testing::MockFunction;
using testing::StrictMock;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct CustomError {
  int code;
};

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

TEST(Future, GetReturnsTheValueAnyNumberOfTimesThroughAnyHandle) {
  Promise<std::string> promise;
  Future<std::string> future = promise.get_future();
  Future<std::string> copy = future;
  EXPECT_TRUE(copy == future) << "a copy of a future must compare equal to it";
  EXPECT_TRUE(promise.get_future() == future)
      << "every get_future() of one promise is a handle on the same future";
  Promise<std::string> other;
  EXPECT_FALSE(other.get_future() == future) << "futures of different promises must differ";
  EXPECT_FALSE(future.done()) << "a new future is pending";
  EXPECT_FALSE(future.running()) << "a new future is pending";
  EXPECT_FALSE(future.cancelled()) << "a new future is pending";
  EXPECT_FALSE(future.wait_for(0ms)) << "wait_for on a pending future must return false";
  promise.set_value("forty-two");
  EXPECT_TRUE(future.done()) << "set_value must make the future done";
  EXPECT_TRUE(copy.done()) << "copies share one state: set_value must show through every copy";
  EXPECT_FALSE(future.running()) << "a finished future is no longer running";
  EXPECT_TRUE(future.wait_for(0ms)) << "wait_for on a done future must return true";
  EXPECT_EQ(future.get(), "forty-two");
  EXPECT_EQ(future.get(), "forty-two") << "get() may be called more than once";
  EXPECT_EQ(copy.get(), "forty-two");
  EXPECT_EQ(future.exception(), nullptr) << "exception() of a future with a value is nullptr";
}

TEST(Future, VoidFuturesCompleteToo) {
  Promise<void> promise;
  Future<void> future = promise.get_future();
  EXPECT_FALSE(future.done());
  EXPECT_TRUE(promise.set_running());
  EXPECT_TRUE(future.running());
  promise.set_value();
  EXPECT_TRUE(future.done());
  EXPECT_NO_THROW(future.get()) << "Future<void>::get of a future completed with set_value()";
  EXPECT_EQ(future.exception(), nullptr);
}

TEST(Future, FollowsTheLifecyclePendingRunningFinished) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  ASSERT_TRUE(promise.set_running()) << "set_running on a pending future must succeed";
  EXPECT_TRUE(future.running()) << "after set_running the future is running";
  EXPECT_FALSE(future.done()) << "a running future is not done";
  ASSERT_FALSE(future.cancel()) << "cancel() of a running future must fail (return false): "
                                   "a task that has started cannot be cancelled";
  ASSERT_FALSE(future.cancelled()) << "a failed cancel() must not mark the future cancelled";
  EXPECT_TRUE(future.running()) << "a failed cancel() must leave the future running";
  EXPECT_FALSE(future.done()) << "a failed cancel() must not make the future done";
  EXPECT_THROW(promise.set_running(), InvalidStateError)
      << "set_running on a running future must throw InvalidStateError";
  ASSERT_NO_THROW(promise.set_value(7))
      << "a running future whose cancel() was refused must still accept its value";
  EXPECT_EQ(future.get(), 7);
  EXPECT_FALSE(future.running());
  EXPECT_FALSE(future.cancel()) << "cancel() of a finished future must fail";
  EXPECT_FALSE(future.cancelled());
  EXPECT_EQ(future.get(), 7) << "a refused cancel() must not change the value";
}

TEST(Future, CancelSucceedsOnlyWhilePending) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  EXPECT_TRUE(future.cancel()) << "cancel() of a pending future must succeed";
  EXPECT_TRUE(future.cancelled());
  EXPECT_TRUE(future.done()) << "a cancelled future is done";
  EXPECT_FALSE(future.running());
  EXPECT_TRUE(future.cancel()) << "cancel() of a cancelled future returns true again";
  EXPECT_TRUE(future.wait_for(0ms));
  EXPECT_FALSE(promise.set_running())
      << "set_running on a cancelled future must return false (the task must not run)";
  EXPECT_THROW(future.get(), CancelledError) << "get() of a cancelled future";
  EXPECT_THROW(future.exception(), CancelledError) << "exception() of a cancelled future";
  EXPECT_THROW(promise.set_value(1), InvalidStateError)
      << "set_value on a cancelled future must throw InvalidStateError";
  EXPECT_TRUE(future.cancelled()) << "a refused set_value must leave the future cancelled";
  EXPECT_THROW(future.get(), CancelledError);
}

TEST(Future, CompletingTwiceIsRefused) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  promise.set_value(1);
  EXPECT_THROW(promise.set_value(2), InvalidStateError)
      << "set_value on a finished future must throw InvalidStateError";
  EXPECT_THROW(promise.set_exception(std::make_exception_ptr(std::runtime_error("late"))),
               InvalidStateError)
      << "set_exception on a finished future must throw InvalidStateError";
  EXPECT_THROW(promise.set_running(), InvalidStateError)
      << "set_running on a finished future must throw InvalidStateError";
  EXPECT_EQ(future.get(), 1) << "a refused completion must not change the value";
  EXPECT_EQ(future.exception(), nullptr);
}

TEST(Future, GetRethrowsTheExceptionTheFutureWasCompletedWith) {
  {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    promise.set_exception(std::make_exception_ptr(std::runtime_error("boom")));
    EXPECT_TRUE(future.done());
    try {
      (void)future.get();
      ADD_FAILURE() << "get() of a future completed with set_exception must throw, not return";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom") << "get() must rethrow the very exception that was set";
    }
    std::exception_ptr error = future.exception();
    ASSERT_NE(error, nullptr) << "exception() must return the exception that was set";
    EXPECT_THROW(std::rethrow_exception(error), std::runtime_error);
  }
  {
    // Not derived from std::exception: the exception_ptr must be kept as it is.
    Promise<void> promise;
    Future<void> future = promise.get_future();
    EXPECT_TRUE(promise.set_running());
    promise.set_exception(std::make_exception_ptr(CustomError{17}));
    try {
      future.get();
      ADD_FAILURE() << "Future<void>::get must rethrow the exception the future was completed "
                       "with (the exception was swallowed)";
    } catch (const CustomError& e) {
      EXPECT_EQ(e.code, 17);
    }
    EXPECT_NE(future.exception(), nullptr) << "exception() of a Future<void> that failed";
    EXPECT_FALSE(future.cancel()) << "cancel() of a finished future must fail";
  }
}

TEST(Future, WaitForTimesOutOnAPendingFutureAndWakesWhenItIsSet) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  auto start = Clock::now();
  EXPECT_FALSE(future.wait_for(60ms)) << "wait_for on a future nobody completes must time out";
  long waited = elapsed_ms(start);
  EXPECT_GE(waited, 55) << "wait_for(60ms) returned false after only " << waited << " ms";
  EXPECT_LT(waited, 3000) << "wait_for(60ms) took " << waited << " ms to time out";

  std::jthread setter([&] {
    std::this_thread::sleep_for(30ms);
    promise.set_value(5);
  });
  start = Clock::now();
  bool done = future.wait_for(20s);
  long took = elapsed_ms(start);
  setter.join();
  EXPECT_TRUE(done) << "wait_for must return true once another thread sets the value";
  EXPECT_LT(took, 5000) << "wait_for(20s) took " << took
                        << " ms to notice a value set after 30 ms (a missed notification?)";
  EXPECT_EQ(future.get(), 5);
}

// Getters block before the value exists; a setter arrives later. A get() that can miss the
// notification (notified before the state changed, or checked and waited in two steps) hangs.
TEST(Future, GetBlocksUntilAnotherThreadSetsTheValue) {
  for (int round = 0; round < grading::scaled(4, 12); ++round) {
    Promise<std::vector<int>> promise;
    Future<std::vector<int>> future = promise.get_future();
    std::atomic<int> wrong{0};
    grading::run_threads(4, [&](int t) {
      if (t == 0) {
        std::this_thread::sleep_for(20ms);  // the getters are asleep in get() by now
        std::vector<int> payload(100);
        for (int i = 0; i < 100; ++i) payload[i] = i * round;
        promise.set_value(std::move(payload));
        return;
      }
      std::vector<int> got = t == 1 ? future.get() : promise.get_future().get();
      if (got.size() != 100 || got[99] != 99 * round) wrong.fetch_add(1);
    });
    ASSERT_EQ(wrong.load(), 0) << "get() returned a wrong value (round " << round << ")";
    grading::tick();
  }
}

// Many short rounds: a setter, getters and a poller race on a fresh future each round.
TEST(Future, StressGetPollAndSetFromSeveralThreads) {
  const int rounds = grading::scaled(400, 2000);
  for (int round = 0; round < rounds; ++round) {
    Promise<std::string> promise;
    Future<std::string> future = promise.get_future();
    const bool fail = round % 5 == 4;
    std::atomic<int> wrong{0};
    grading::run_threads(4, [&](int t) {
      grading::jitter();
      if (t == 0) {
        if (round % 3 == 0) (void)promise.set_running();
        grading::jitter();
        if (fail) {
          promise.set_exception(std::make_exception_ptr(std::runtime_error("round failed")));
        } else {
          promise.set_value("round " + std::to_string(round));
        }
      } else if (t == 3) {
        // Polls the status while the setter runs.
        while (!future.done()) {
          (void)future.running();
          (void)future.cancelled();
          std::this_thread::yield();
        }
      } else {
        try {
          std::string value = t == 1 ? future.get() : (future.wait_for(10s), future.get());
          if (fail || value != "round " + std::to_string(round)) wrong.fetch_add(1);
        } catch (const std::runtime_error& e) {
          if (!fail || std::string(e.what()) != "round failed") wrong.fetch_add(1);
        }
      }
    });
    ASSERT_EQ(wrong.load(), 0) << "a getter saw the wrong outcome in round " << round;
    if (round % 16 == 0) grading::tick();
  }
}

TEST(Future, CallbacksRunOnceInTheCompletingThreadWithTheirFuture) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  StrictMock<MockFunction<void(const Future<int>&)>> first, second;
  std::thread::id ran_in;
  int value_seen = -1;
  {
    testing::InSequence in_order;  // callbacks run in the order they were added
    EXPECT_CALL(first, Call(Eq(future))).WillOnce([&](const Future<int>& f) {
      ran_in = std::this_thread::get_id();
      // The future is already done when its callbacks run, and not locked: get() works.
      EXPECT_TRUE(f.done()) << "a done-callback ran before the future was done";
      value_seen = f.get();
    });
    EXPECT_CALL(second, Call(Eq(future))).Times(1);
  }
  future.add_done_callback(first.AsStdFunction());
  promise.get_future().add_done_callback(second.AsStdFunction());
  std::jthread completer([&] { promise.set_value(3); });
  std::thread::id completer_id = completer.get_id();
  completer.join();
  EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&first))
      << "the first callback must run exactly once, with its future";
  EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&second))
      << "the second callback must run exactly once, with its future";
  EXPECT_EQ(ran_in, completer_id) << "callbacks run in the thread that completes the future";
  EXPECT_EQ(value_seen, 3) << "get() inside a done-callback must see the value";

  // Added after completion: runs at once, in the caller, before add_done_callback returns.
  StrictMock<MockFunction<void(const Future<int>&)>> late;
  std::thread::id late_in;
  EXPECT_CALL(late, Call(Eq(future))).WillOnce([&](const Future<int>&) {
    late_in = std::this_thread::get_id();
  });
  future.add_done_callback(late.AsStdFunction());
  EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&late))
      << "a callback added to a done future must run at once, exactly once";
  EXPECT_EQ(late_in, std::this_thread::get_id())
      << "a callback added to a done future runs in the thread that adds it";
}

TEST(Future, CallbacksRunOnCancelAndOnException) {
  {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    StrictMock<MockFunction<void(const Future<int>&)>> callback;
    bool saw_cancelled = false;
    EXPECT_CALL(callback, Call(Eq(future))).WillOnce([&](const Future<int>& f) {
      saw_cancelled = f.cancelled();
    });
    future.add_done_callback(callback.AsStdFunction());
    EXPECT_TRUE(future.cancel());
    EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&callback))
        << "cancel() must run the done-callbacks, exactly once";
    EXPECT_TRUE(saw_cancelled) << "the callback must see the future cancelled";
    EXPECT_TRUE(future.cancel());  // already cancelled: no second run (StrictMock)
    EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&callback))
        << "a second cancel() must not run the callbacks again";
  }
  {
    Promise<void> promise;
    Future<void> future = promise.get_future();
    StrictMock<MockFunction<void(const Future<void>&)>> callback;
    EXPECT_CALL(callback, Call(Eq(future))).Times(1);
    future.add_done_callback(callback.AsStdFunction());
    promise.set_exception(std::make_exception_ptr(std::runtime_error("x")));
    EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&callback))
        << "set_exception must run the done-callbacks, exactly once";
    EXPECT_THROW(promise.set_value(), InvalidStateError);
    EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&callback))
        << "a refused set_value must not run the callbacks again";
  }
}

TEST(Future, AThrowingCallbackIsSwallowedAndTheOthersStillRun) {
  Promise<int> promise;
  Future<int> future = promise.get_future();
  StrictMock<MockFunction<void(const Future<int>&)>> thrower, after;
  EXPECT_CALL(thrower, Call(_)).WillOnce([](const Future<int>&) {
    throw std::runtime_error("a callback failed (expected by the grader)");
  });
  EXPECT_CALL(after, Call(Eq(future))).Times(1);
  future.add_done_callback(thrower.AsStdFunction());
  future.add_done_callback(after.AsStdFunction());
  EXPECT_NO_THROW(promise.set_value(1))
      << "an exception from a done-callback must not escape set_value";
  EXPECT_TRUE(testing::Mock::VerifyAndClearExpectations(&after))
      << "the callbacks after a throwing one must still run";
  EXPECT_EQ(future.get(), 1);

  StrictMock<MockFunction<void(const Future<int>&)>> late_thrower;
  EXPECT_CALL(late_thrower, Call(_)).WillOnce([](const Future<int>&) {
    throw std::runtime_error("a late callback failed (expected by the grader)");
  });
  EXPECT_NO_THROW(future.add_done_callback(late_thrower.AsStdFunction()))
      << "an exception from a callback run at once must not escape add_done_callback";
}

// The race of the kata: callbacks added while another thread completes the future. Each must
// run exactly once, with its future: the completer runs it, or the adder runs it itself.
TEST(Future, CallbacksAddedDuringCompletionRunExactlyOnce) {
  const int rounds = grading::scaled(500, 2500);
  constexpr int kAdders = 2;
  constexpr int kPerAdder = 3;
  for (int round = 0; round < rounds; ++round) {
    Promise<int> promise;
    Future<int> future = promise.get_future();
    std::vector<std::unique_ptr<StrictMock<MockFunction<void(const Future<int>&)>>>> callbacks;
    for (int i = 0; i < kAdders * kPerAdder; ++i) {
      callbacks.push_back(std::make_unique<StrictMock<MockFunction<void(const Future<int>&)>>>());
      EXPECT_CALL(*callbacks.back(), Call(Eq(future))).Times(1);
    }
    const bool cancel = round % 4 == 3;
    grading::run_threads(1 + kAdders, [&](int t) {
      if (t == 0) {
        for (int spin = static_cast<int>(grading::random_below(40)); spin > 0; --spin) {
          std::this_thread::yield();
        }
        if (cancel) {
          (void)future.cancel();
        } else {
          promise.set_value(round);
        }
        return;
      }
      Future<int> mine = promise.get_future();
      for (int i = 0; i < kPerAdder; ++i) {
        mine.add_done_callback(callbacks[(t - 1) * kPerAdder + i]->AsStdFunction());
        if (grading::random_below(2) == 0) std::this_thread::yield();
      }
    });
    for (int i = 0; i < kAdders * kPerAdder; ++i) {
      ASSERT_TRUE(testing::Mock::VerifyAndClearExpectations(callbacks[i].get()))
          << "round " << round << ": callback " << i << " of " << kAdders * kPerAdder
          << ", added while another thread " << (cancel ? "cancelled" : "completed")
          << " the future, did not run exactly once (see the mock's message above: never "
             "called, or called twice)";
    }
    if (round % 16 == 0) grading::tick();
  }
}

}  // namespace
