// Grader of futures/executor: results and exceptions through futures, a concurrency monitor
// (never more than max_workers calls at once), shutdown that neither loses tasks nor returns
// before every call has finished and every worker thread has exited, cancel_futures, tasks that
// submit tasks, and many short rounds with several submitting threads.
#include "futures/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "futures/future.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::futures::CancelledError;
using kata::futures::Future;
using kata::futures::ThreadPoolExecutor;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct CustomError {
  int code;
};

// Counts the calls running at the same moment, and the most ever seen.
struct Monitor {
  std::atomic<int> active{0};
  std::atomic<int> peak{0};
  std::atomic<int> finished{0};

  void enter() {
    int now = active.fetch_add(1) + 1;
    int seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() {
    active.fetch_sub(1);
    finished.fetch_add(1);
  }
};

// The worker threads that ran a test's calls, and how many of them have exited: a call
// registers its thread once; the thread's exit (the destructor of a thread_local, which runs
// before a join of that thread returns) is counted after a short pause, so a worker that is
// still winding down when shutdown(wait=true) returns is seen as alive.
struct Census {
  std::atomic<int> seen{0};
  std::atomic<int> exited{0};
};

struct CensusProbe {
  std::shared_ptr<Census> census;
  ~CensusProbe() {
    if (!census) return;
    std::this_thread::sleep_for(2ms);
    census->exited.fetch_add(1);
  }
};
thread_local CensusProbe census_probe;

void register_worker(const std::shared_ptr<Census>& census) {
  if (census_probe.census == census) return;
  if (census_probe.census) return;  // a thread reused from another test's pool: not counted
  census_probe.census = census;
  census->seen.fetch_add(1);
}

TEST(Executor, SubmitReturnsTheResultOfTheCall) {
  ThreadPoolExecutor executor(2);
  Future<int> sum = executor.submit([](int a, int b) { return a + b; }, 2, 40);
  EXPECT_EQ(sum.get(), 42) << "submit(fn, 2, 40) must call fn(2, 40)";

  Future<std::string> text =
      executor.submit([](const std::string& s) { return s + "!"; }, std::string("hi"));
  EXPECT_EQ(text.get(), "hi!");

  std::atomic<bool> ran{false};
  Future<void> nothing = executor.submit([&ran] { ran = true; });
  nothing.get();
  EXPECT_TRUE(ran.load()) << "the future of a void call must be done only after the call ran";

  struct Adder {
    int base;
    int add(int x) const { return base + x; }
  };
  Adder adder{10};
  EXPECT_EQ(executor.submit(&Adder::add, adder, 5).get(), 15)
      << "submit takes anything std::invoke can call, member functions included";

  int argument = 1;
  Future<int> copied = executor.submit([](int v) { return v; }, argument);
  argument = 2;
  EXPECT_EQ(copied.get(), 1) << "arguments are copied when submit is called";

  const auto caller = std::this_thread::get_id();
  std::thread::id worker = executor.submit([] { return std::this_thread::get_id(); }).get();
  EXPECT_NE(worker, caller) << "calls must run on a worker thread, not in submit's caller";
}

TEST(Executor, ExceptionsOfACallReachItsFuture) {
  ThreadPoolExecutor executor(2);
  Future<int> failed = executor.submit([]() -> int { throw std::runtime_error("task failed"); });
  try {
    (void)failed.get();
    ADD_FAILURE() << "get() of a call that threw must rethrow its exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "task failed") << "the future must hold the call's own exception";
  }
  Future<void> custom = executor.submit([] { throw CustomError{7}; });
  try {
    custom.get();
    ADD_FAILURE() << "get() of a void call that threw must rethrow its exception";
  } catch (const CustomError& e) {
    EXPECT_EQ(e.code, 7);
  }
  EXPECT_EQ(executor.submit([] { return 3; }).get(), 3)
      << "the pool must keep working after calls threw";
}

TEST(Executor, SubmitAfterShutdownThrows) {
  ThreadPoolExecutor executor(2);
  executor.shutdown();
  EXPECT_THROW(executor.submit([] { return 1; }), std::runtime_error)
      << "submit after shutdown must throw std::runtime_error";
  EXPECT_NO_THROW(executor.shutdown()) << "shutdown may be called again";
  EXPECT_NO_THROW(executor.shutdown(false, true)) << "shutdown may be called again";
  EXPECT_THROW(ThreadPoolExecutor(0), std::invalid_argument)
      << "max_workers must be positive: ThreadPoolExecutor(0) must throw std::invalid_argument";
}

// A tree of calls, each submitting two more from its worker thread. A pool that runs calls
// while it holds its queue lock deadlocks here: submit needs that lock.
TEST(Executor, TasksCanSubmitTasks) {
  constexpr int kDepth = 6;
  constexpr int kNodes = (1 << (kDepth + 1)) - 1;
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    ThreadPoolExecutor executor(2);
    std::atomic<int> nodes{0};
    std::function<void(int)> node = [&](int depth) {
      if (depth > 0) {
        executor.submit(node, depth - 1);
        executor.submit(node, depth - 1);
      }
      nodes.fetch_add(1);
      grading::tick();
    };
    executor.submit(node, kDepth);
    // No tick here: if the pool stops making progress, the watchdog must see it.
    while (nodes.load() < kNodes) std::this_thread::sleep_for(1ms);
    executor.shutdown();
    EXPECT_EQ(nodes.load(), kNodes) << "a call ran twice";
  }
}

TEST(Executor, RunsMaxWorkersCallsAtOnce) {
  constexpr int kWorkers = 3;
  ThreadPoolExecutor executor(kWorkers);
  std::atomic<int> arrived{0};
  const auto deadline = Clock::now() + 5s;
  std::vector<Future<int>> futures;
  for (int i = 0; i < kWorkers; ++i) {
    futures.push_back(executor.submit([&] {
      arrived.fetch_add(1);
      while (arrived.load() < kWorkers && Clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
        grading::tick();
      }
      return arrived.load();
    }));
  }
  for (auto& future : futures) {
    EXPECT_EQ(future.get(), kWorkers)
        << "with max_workers=" << kWorkers << ", " << kWorkers
        << " calls that wait for each other must all run at once (they waited 5 s)";
  }
}

TEST(Executor, NeverRunsMoreThanMaxWorkersCallsAtOnce) {
  for (int max_workers = 1; max_workers <= 3; ++max_workers) {
    for (int round = 0; round < grading::scaled(3, 10); ++round) {
      Monitor monitor;
      ThreadPoolExecutor executor(max_workers);
      const int per_submitter = 6 * max_workers;
      std::vector<std::vector<Future<int>>> futures(2);
      grading::run_threads(2, [&](int t) {
        for (int i = 0; i < per_submitter; ++i) {
          futures[t].push_back(executor.submit([&monitor, i] {
            monitor.enter();
            grading::jitter();
            std::this_thread::sleep_for(200us);
            monitor.leave();
            grading::tick();
            return i;
          }));
        }
      });
      for (auto& mine : futures) {
        for (int i = 0; i < per_submitter; ++i) {
          ASSERT_EQ(mine[i].get(), i) << "a future got another call's result";
        }
      }
      executor.shutdown();
      ASSERT_LE(monitor.peak.load(), max_workers)
          << monitor.peak.load() << " calls ran at the same time in a pool with max_workers="
          << max_workers << " (too many worker threads)";
      ASSERT_EQ(monitor.finished.load(), 2 * per_submitter);
    }
  }
}

// Checks, right after shutdown(wait=true) (or the destructor) returned, that every call ran,
// none is still running, and every worker thread that ran one has exited.
void expect_all_finished(const std::vector<Future<int>>& futures, const Monitor& monitor,
                         const Census& census, const char* how) {
  int not_done = 0;
  for (const auto& future : futures) not_done += future.done() ? 0 : 1;
  EXPECT_EQ(not_done, 0) << not_done << " of " << futures.size()
                         << " queued calls never ran: their futures are not done after " << how
                         << " returned (tasks lost at shutdown)";
  EXPECT_EQ(monitor.active.load(), 0)
      << how << " returned while " << monitor.active.load() << " calls were still running";
  EXPECT_EQ(census.exited.load(), census.seen.load())
      << census.seen.load() - census.exited.load() << " of " << census.seen.load()
      << " worker threads were still alive after " << how
      << " returned: the workers must be joined (not detached, not left running)";
}

TEST(Executor, ShutdownRunsEveryQueuedCallAndJoinsTheWorkers) {
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    const bool explicit_shutdown = round % 2 == 0;
    Monitor monitor;
    auto census = std::make_shared<Census>();
    std::vector<Future<int>> futures;
    {
      ThreadPoolExecutor executor(2);
      for (int i = 0; i < 12; ++i) {
        futures.push_back(executor.submit([&monitor, census, i] {
          register_worker(census);
          monitor.enter();
          std::this_thread::sleep_for(2ms);
          monitor.leave();
          return i;
        }));
      }
      if (explicit_shutdown) {
        executor.shutdown(true);
        expect_all_finished(futures, monitor, *census, "shutdown(wait=true)");
      }
    }
    if (!explicit_shutdown) expect_all_finished(futures, monitor, *census, "the destructor");
    ASSERT_FALSE(testing::Test::HasFailure()) << "(round " << round << ")";
    for (int i = 0; i < 12; ++i) ASSERT_EQ(futures[i].get(), i);
    grading::tick();
  }
}

TEST(Executor, ShutdownWithoutWaitStillRunsTheQueuedCalls) {
  Monitor monitor;
  auto census = std::make_shared<Census>();
  std::vector<Future<int>> futures;
  {
    ThreadPoolExecutor executor(2);
    for (int i = 0; i < 10; ++i) {
      futures.push_back(executor.submit([&monitor, census, i] {
        register_worker(census);
        monitor.enter();
        std::this_thread::sleep_for(1ms);
        monitor.leave();
        return i;
      }));
    }
    executor.shutdown(/*wait=*/false);
    EXPECT_THROW(executor.submit([] { return 0; }), std::runtime_error)
        << "submit after shutdown(wait=false) must throw std::runtime_error";
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(futures[i].get(), i) << "shutdown(wait=false) must not drop queued calls";
    }
  }
  expect_all_finished(futures, monitor, *census, "the destructor (after shutdown(wait=false))");
}

TEST(Executor, CancelFuturesCancelsOnlyWhatHasNotStarted) {
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    ThreadPoolExecutor executor(1);
    std::atomic<bool> started{false}, open{false};
    std::atomic<int> queued_ran{0};
    Future<int> running = executor.submit([&] {
      started = true;
      while (!open.load()) std::this_thread::sleep_for(1ms);
      return 1;
    });
    while (!started.load()) std::this_thread::sleep_for(1ms);
    std::vector<Future<int>> queued;
    for (int i = 0; i < 5; ++i) {
      queued.push_back(executor.submit([&] { return queued_ran.fetch_add(1); }));
    }
    executor.shutdown(/*wait=*/false, /*cancel_futures=*/true);
    EXPECT_FALSE(running.cancelled()) << "cancel_futures must not cancel a running call";
    for (int i = 0; i < 5; ++i) {
      EXPECT_TRUE(queued[i].cancelled())
          << "shutdown(cancel_futures=true) must cancel the future of queued call " << i;
    }
    open = true;
    executor.shutdown(/*wait=*/true);
    EXPECT_EQ(running.get(), 1) << "the running call must finish normally";
    EXPECT_EQ(queued_ran.load(), 0) << "calls cancelled by shutdown(cancel_futures=true) ran";
    for (auto& future : queued) EXPECT_THROW((void)future.get(), CancelledError);
    ASSERT_FALSE(testing::Test::HasFailure()) << "(round " << round << ")";
    grading::tick();
  }
}

TEST(Executor, ACallWhoseFutureWasCancelledIsNeverRun) {
  ThreadPoolExecutor executor(1);
  std::atomic<bool> started{false}, open{false}, second_ran{false};
  Future<void> blocker = executor.submit([&] {
    started = true;
    while (!open.load()) std::this_thread::sleep_for(1ms);
  });
  while (!started.load()) std::this_thread::sleep_for(1ms);
  Future<void> second = executor.submit([&] { second_ran = true; });
  EXPECT_TRUE(second.cancel()) << "a queued call's future can be cancelled";
  open = true;
  executor.shutdown();
  blocker.get();
  EXPECT_FALSE(second_ran.load()) << "a call whose future was cancelled in the queue was run";
  EXPECT_TRUE(second.cancelled());
}

TEST(Executor, ShutdownFromSeveralThreadsAtOnce) {
  for (int round = 0; round < grading::scaled(10, 50); ++round) {
    Monitor monitor;
    ThreadPoolExecutor executor(3);
    std::vector<Future<int>> futures;
    for (int i = 0; i < 9; ++i) {
      futures.push_back(executor.submit([&monitor, i] {
        monitor.enter();
        grading::jitter();
        monitor.leave();
        return i;
      }));
    }
    std::atomic<int> early{0};
    grading::run_threads(3, [&](int) {
      executor.shutdown(true);
      if (monitor.finished.load() != 9) early.fetch_add(1);
    });
    ASSERT_EQ(early.load(), 0) << "shutdown(wait=true), called from several threads at once, "
                                  "returned before every call had finished (round "
                               << round << ")";
    grading::tick();
  }
}

// Many short rounds with fresh pools: three threads submit at once, the futures must all hold
// their own call's result; the pool is shut down explicitly or by its destructor.
TEST(Executor, StressManySubmittersManyRounds) {
  const int rounds = grading::scaled(40, 200);
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::vector<Future<int>>> futures(3);
    std::atomic<int> calls{0};
    {
      ThreadPoolExecutor executor(1 + round % 3);
      grading::run_threads(3, [&](int t) {
        for (int i = 0; i < 20; ++i) {
          futures[t].push_back(executor.submit(
              [&calls](int value) {
                calls.fetch_add(1);
                grading::jitter();
                return value;
              },
              t * 1000 + i));
          if (i % 4 == 0) grading::jitter();
        }
      });
      if (round % 2 == 0) executor.shutdown(round % 4 == 0);
    }
    ASSERT_EQ(calls.load(), 60) << "60 calls were submitted, " << calls.load()
                                << " ran by the time the pool was destroyed (round " << round
                                << ")";
    for (int t = 0; t < 3; ++t) {
      for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(futures[t][i].done()) << "a future is not done after the pool was destroyed";
        ASSERT_EQ(futures[t][i].get(), t * 1000 + i) << "a future got another call's result";
      }
    }
    grading::tick();
  }
}

}  // namespace
