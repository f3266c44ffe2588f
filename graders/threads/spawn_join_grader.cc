// Grader of threads/spawn_join: all calls at once, results in order, every thread joined,
// the first exception by index rethrown.
#include "threads/spawn_join.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "harness/progress.h"
#include "harness/stress.h"

namespace {

using kata::threads::run_parallel;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;

// The exception a failing call throws: it carries its index.
struct CallFailed : std::runtime_error {
  explicit CallFailed(int index)
      : std::runtime_error("work(" + std::to_string(index) + ") failed"), index(index) {}
  int index;
};

TEST(RunParallel, ReturnsEachResultAtItsIndex) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    const int n = 1 + static_cast<int>(grading::random_below(12));
    std::vector<int> results = run_parallel(n, [](int i) {
      grading::jitter();
      return i * i + 7;
    });
    ASSERT_EQ(results.size(), static_cast<std::size_t>(n)) << "one result per call";
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(results[static_cast<std::size_t>(i)], i * i + 7)
          << "result[" << i << "] must be work(" << i << ") whatever order the calls finish in";
    }
    grading::tick();
  }
}

TEST(RunParallel, ZeroCallsGiveAnEmptyResult) {
  int calls = 0;
  EXPECT_TRUE(run_parallel(0, [&](int) { return ++calls; }).empty());
  EXPECT_EQ(calls, 0);
}

// Each call waits until all n calls have started. If the calls ran one after another, the
// first would wait for ever: it gives up after a while and the test says why.
TEST(RunParallel, RunsAllCallsAtTheSameTime) {
  const int n = 8;
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    std::atomic<int> started{0};
    std::atomic<bool> gave_up{false};
    std::atomic<int> started_when_given_up{0};
    const auto patience = std::chrono::milliseconds(
        static_cast<int>(grading::stall_seconds() * 1000 / 2));
    std::vector<int> results = run_parallel(n, [&](int i) {
      started.fetch_add(1);
      const auto deadline = Clock::now() + patience;
      while (started.load() < n && !gave_up.load()) {
        if (Clock::now() > deadline && !gave_up.exchange(true)) {
          started_when_given_up = started.load();
        }
        grading::tick();
        std::this_thread::yield();
      }
      return i;
    });
    ASSERT_FALSE(gave_up.load())
        << "work(0) waited " << patience.count() << " ms for the other calls to start, and only "
        << started_when_given_up.load() << " of " << n
        << " had started: the calls must all run at once, each on its own thread, and not one "
           "after another (start every thread before joining any)";
    ASSERT_EQ(results.size(), static_cast<std::size_t>(n));
  }
}

TEST(RunParallel, RethrowsTheLowestIndexExceptionAfterJoiningEveryThread) {
  for (int round = 0; round < grading::scaled(10, 50); ++round) {
    const int n = 10;
    std::atomic<int> finished{0};
    try {
      run_parallel(n, [&](int i) {
        if (i == 3 || i == 7) {
          // The higher index fails first, so the lowest index is not simply the first thrown.
          if (i == 3) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          finished.fetch_add(1);
          throw CallFailed(i);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1 + i % 4));
        finished.fetch_add(1);
        return i;
      });
      ADD_FAILURE() << "work(3) and work(7) threw, but run_parallel returned normally: the "
                       "exception was lost";
      return;
    } catch (const CallFailed& e) {
      ASSERT_EQ(e.index, 3) << "the exception of the lowest failing index (3) must be rethrown, "
                               "not that of index " << e.index;
      ASSERT_EQ(finished.load(), n)
          << "run_parallel threw before every call had finished: all threads must be joined "
             "before the exception is rethrown";
    }
    grading::tick();
  }
}

TEST(RunParallel, ResultsOfEveryCallAreVisibleAfterReturn) {
  // Calls write to their own slots of a plain array; run_parallel's joins must make those
  // writes visible to the caller (ThreadSanitizer reports a race otherwise).
  for (int round = 0; round < grading::scaled(10, 40); ++round) {
    std::vector<long> side_effects(16, 0);
    run_parallel(16, [&](int i) {
      grading::jitter();
      side_effects[static_cast<std::size_t>(i)] = 100 + i;
      return 0;
    });
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(side_effects[static_cast<std::size_t>(i)], 100 + i)
          << "work(" << i << ") had not finished when run_parallel returned";
    }
    grading::tick();
  }
}

}  // namespace
