// Grader of threads/worker: threading.Thread's lifecycle on top of std::thread: start once,
// join any number of times, join_for that wakes when the body ends, an is_alive that other
// threads may ask, and a destructor that joins.
#include "threads/worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "kata/not_implemented.h"

namespace {

using kata::threads::Worker;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

long ms_since(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

// Holds a body until the test opens it.
struct Gate {
  std::atomic<bool> is_open{false};
  void open() { is_open.store(true); }
  void wait() const {
    while (!is_open.load()) std::this_thread::sleep_for(100us);
  }
};

// Declared after the Worker whose body waits on `gate`: if an assertion ends the test early,
// the body is released before ~Worker waits for it.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

// Keeps the watchdog fed while the test waits in one call that may legitimately block for
// seconds (a timing check), for at most `limit`; past it, a call that hangs for good is left
// to the watchdog.
class Heartbeat {
 public:
  explicit Heartbeat(std::chrono::milliseconds limit)
      : thread_([this, limit] {
          const auto end = Clock::now() + limit;
          while (!done_.load() && Clock::now() < end) {
            grading::tick();
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~Heartbeat() {
    done_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Runs `call`, which must throw std::logic_error. kata::NotImplemented is a std::logic_error
// as well: it is let through, so that an unfinished method reads NOT_STARTED.
template <class F>
void expect_logic_error(F&& call, const std::string& what) {
  try {
    call();
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const std::logic_error&) {
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << "; it threw another exception instead: " << e.what();
    return;
  }
  ADD_FAILURE() << what << "; it returned normally";
}

// Polls is_alive() until it is false; fails (and returns false) if it stays true for 5 s.
bool wait_until_not_alive(const Worker& worker) {
  const auto start = Clock::now();
  while (worker.is_alive()) {
    if (Clock::now() - start > 5s) {
      ADD_FAILURE() << "is_alive() stayed true for 5 s after the body returned, with nobody "
                       "joining: it must turn false when the body returns, not when someone "
                       "joins";
      return false;
    }
    grading::tick();
    std::this_thread::yield();
  }
  return true;
}

TEST(Worker, RunsTheBodyOnceOnANewThreadAfterStart) {
  std::atomic<int> runs{0};
  std::thread::id body_thread;  // written by the body, read after join(): join must order it
  Worker worker(
      [&] {
        body_thread = std::this_thread::get_id();
        runs.fetch_add(1);
      },
      "downloader");
  EXPECT_FALSE(worker.is_alive()) << "is_alive() must be false before start()";
  EXPECT_EQ(worker.name(), "downloader") << "name() must return the name given at construction";
  std::this_thread::sleep_for(10ms);
  EXPECT_EQ(runs.load(), 0) << "the body ran before start(): the constructor must not start it";
  worker.start();
  worker.join();
  EXPECT_EQ(runs.load(), 1) << "after start() and join() the body must have run exactly once";
  EXPECT_NE(body_thread, std::this_thread::get_id())
      << "the body ran on the thread that called start(): it must run on a new thread";
  EXPECT_FALSE(worker.is_alive()) << "is_alive() must be false after join()";

  Worker unnamed([] {});
  EXPECT_EQ(unnamed.name(), "") << "a Worker made without a name has the name \"\"";
}

// The owner polls is_alive() while the body returns: a finished flag that the new thread writes
// and is_alive() reads without synchronisation is a data race.
TEST(Worker, IsAliveFromStartUntilTheBodyReturnsEvenWithoutJoin) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    Gate gate;
    Worker worker([&] { gate.wait(); });
    OpenOnExit release{gate};
    ASSERT_FALSE(worker.is_alive()) << "is_alive() must be false before start()";
    worker.start();
    ASSERT_TRUE(worker.is_alive())
        << "is_alive() must be true as soon as start() returns (the body is still blocked)";
    grading::jitter();
    ASSERT_TRUE(worker.is_alive()) << "is_alive() must stay true while the body runs";
    gate.open();
    ASSERT_TRUE(wait_until_not_alive(worker));
    worker.join();
    ASSERT_FALSE(worker.is_alive()) << "is_alive() must be false after join()";
    grading::tick();
  }
}

// Observers ask is_alive() from other threads while the owner starts, releases and joins: the
// answer goes false, true, false, never back, and is false once join() has returned.
TEST(Worker, IsAliveMayBeAskedFromOtherThreads) {
  for (int round = 0; round < grading::scaled(10, 50); ++round) {
    Gate gate;
    Worker worker([&] {
      gate.wait();
      grading::jitter();
    });
    OpenOnExit release{gate};
    std::atomic<bool> joined{false};
    std::atomic<bool> owner_done{false};  // set however the owner leaves (even by exception)
    std::atomic<bool> came_back{false};
    std::atomic<bool> alive_after_join{false};
    grading::run_threads(4, [&](int t) {
      if (t == 0) {
        struct Done {
          std::atomic<bool>& flag;
          ~Done() { flag.store(true); }
        } done{owner_done};
        grading::jitter();
        worker.start();
        std::this_thread::sleep_for(std::chrono::microseconds(grading::random_below(2000)));
        gate.open();
        worker.join();
        joined.store(true);
        return;
      }
      int phase = 0;  // 0: not started yet, 1: seen alive, 2: seen finished
      while (true) {
        const bool owner_left = owner_done.load();
        const bool was_joined = joined.load();
        const bool alive = worker.is_alive();
        if (alive && phase == 2) came_back.store(true);
        if (alive) {
          phase = 1;
        } else if (phase == 1) {
          phase = 2;
        }
        if (was_joined && alive) alive_after_join.store(true);
        if (owner_left) break;
        grading::tick();
        std::this_thread::yield();
      }
    }, "observer");
    ASSERT_FALSE(came_back.load())
        << "another thread saw is_alive() turn false and then true again (round " << round
        << ")";
    ASSERT_FALSE(alive_after_join.load())
        << "another thread saw is_alive() true after join() had returned (round " << round
        << ")";
  }
}

TEST(Worker, StartTwiceThrowsLogicError) {
  std::atomic<int> runs{0};
  Gate gate;
  Worker worker([&] {
    runs.fetch_add(1);
    gate.wait();
  });
  OpenOnExit release{gate};
  worker.start();
  expect_logic_error([&] { worker.start(); },
                     "a second start() while the body runs must throw std::logic_error (Python "
                     "raises RuntimeError: threads can only be started once)");
  EXPECT_TRUE(worker.is_alive()) << "the refused start() must leave the running body alone";
  gate.open();
  worker.join();
  expect_logic_error([&] { worker.start(); },
                     "start() after the body has finished must throw std::logic_error as well: "
                     "a Worker runs its body once");
  worker.join();
  EXPECT_EQ(runs.load(), 1) << "the body ran " << runs.load() << " times instead of once";
}

TEST(Worker, JoinBeforeStartThrowsLogicError) {
  std::atomic<int> runs{0};
  Worker worker([&] { runs.fetch_add(1); });
  expect_logic_error([&] { worker.join(); },
                     "join() before start() must throw std::logic_error (Python raises "
                     "RuntimeError: cannot join thread before it is started)");
  expect_logic_error([&] { worker.join_for(10ms); },
                     "join_for() before start() must throw std::logic_error");
  EXPECT_EQ(runs.load(), 0) << "the body ran although start() was never called";
  worker.start();
  worker.join();
  EXPECT_EQ(runs.load(), 1) << "after the refused joins, start() and join() must still work";
}

TEST(Worker, JoinTwiceIsFine) {
  std::atomic<int> runs{0};
  Worker worker([&] {
    std::this_thread::sleep_for(1ms);
    runs.fetch_add(1);
  });
  worker.start();
  worker.join();
  worker.join();  // a std::thread joined twice throws std::system_error; a Worker must not
  EXPECT_TRUE(worker.join_for(0ms))
      << "join_for(0 ms) after join() must return true: the body has finished";
  EXPECT_TRUE(worker.join_for(10ms))
      << "join_for(10 ms) after join() must return true: the body has finished";
  worker.join();
  EXPECT_FALSE(worker.is_alive());
  EXPECT_EQ(runs.load(), 1);
}

TEST(Worker, JoinForTimesOutWhileTheBodyRuns) {
  Gate gate;
  Worker worker([&] { gate.wait(); });
  OpenOnExit release{gate};
  worker.start();
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    const bool finished = worker.join_for(30ms);
    const long waited = ms_since(start);
    EXPECT_FALSE(finished) << "join_for(30 ms) returned true while the body was still blocked";
    EXPECT_GE(waited, 25) << "join_for(30 ms) gave up after " << waited
                          << " ms: while the body runs it must wait the whole timeout";
    EXPECT_TRUE(worker.is_alive()) << "is_alive() after a join_for() that timed out";
  }
  gate.open();
  worker.join();
}

// The body finishes 50 ms into a join_for(5 s): join_for must wake then, not when 5 s are up.
TEST(Worker, JoinForReturnsAsSoonAsTheBodyFinishes) {
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    Gate gate;
    Worker worker([&] { gate.wait(); });
    OpenOnExit release{gate};
    worker.start();
    Heartbeat heartbeat(8000ms);
    std::thread opener([&] {
      std::this_thread::sleep_for(50ms);
      gate.open();
    });
    const auto start = Clock::now();
    const bool finished = worker.join_for(5000ms);
    const long waited = ms_since(start);
    opener.join();
    ASSERT_TRUE(finished) << "join_for(5 s) returned false although the body finished after "
                             "about 50 ms";
    ASSERT_LT(waited, 1000) << "join_for(5 s) returned after " << waited
                            << " ms although the body finished after about 50 ms: it must "
                               "wake up when the body finishes, not sleep the whole timeout";
  }
}

// The body has finished (is_alive() said so) before join_for is called: a wait that starts
// after the body's last notification must not wait for another one.
TEST(Worker, JoinForIsTrueAtOnceWhenTheBodyHasAlreadyFinished) {
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    Worker worker([] {});
    worker.start();
    ASSERT_TRUE(wait_until_not_alive(worker));
    Heartbeat heartbeat(8000ms);
    const auto start = Clock::now();
    const bool finished = worker.join_for(5000ms);
    const long waited = ms_since(start);
    ASSERT_TRUE(finished) << "join_for(5 s) returned false (after " << waited
                          << " ms) although the body had already finished (is_alive() was "
                             "false): check whether it has finished before waiting, and "
                             "after every wake-up (a wait with a predicate)";
    ASSERT_LT(waited, 1000) << "join_for(5 s) took " << waited
                            << " ms although the body had already finished";
  }
}

TEST(Worker, SeveralThreadsMayJoinAtOnce) {
  for (int round = 0; round < grading::scaled(10, 50); ++round) {
    Gate gate;
    std::atomic<bool> body_done{false};
    Worker worker([&] {
      gate.wait();
      grading::jitter();
      body_done.store(true);
    });
    OpenOnExit release{gate};
    worker.start();
    std::atomic<int> early{0};
    std::atomic<bool> join_for_stuck{false};
    grading::run_threads(4, [&](int t) {
      if (t == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(grading::random_below(2000)));
        gate.open();
        return;
      }
      if (t == 1) {
        const auto start = Clock::now();
        while (!worker.join_for(1ms)) {
          if (Clock::now() - start > 5s) {
            join_for_stuck.store(true);
            return;
          }
          grading::tick();
        }
      } else {
        worker.join();
      }
      if (!body_done.load() || worker.is_alive()) early.fetch_add(1);
    }, "joiner");
    ASSERT_FALSE(join_for_stuck.load())
        << "join_for(1 ms), called in a loop, kept returning false for 5 s after the body had "
           "finished (round " << round << ")";
    ASSERT_EQ(early.load(), 0)
        << "with three threads joining at once, a join returned before the body had finished, "
           "or is_alive() was still true after it (round " << round << ")";
  }
}

TEST(Worker, DestructorJoinsAStartedThread) {
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    // Shared, so that a body left running by a broken destructor touches nothing freed.
    auto finished = std::make_shared<std::atomic<bool>>(false);
    {
      Worker worker([finished] {
        std::this_thread::sleep_for(20ms);
        finished->store(true);
      });
      ASSERT_FALSE(worker.is_alive());
      worker.start();
    }  // ~Worker must wait for the body
    ASSERT_TRUE(finished->load())
        << "~Worker returned before the body had finished: the destructor must join a started "
           "thread";
    grading::tick();
  }
  std::atomic<bool> ran{false};
  {
    Worker never_started([&] { ran.store(true); });
    EXPECT_FALSE(never_started.is_alive());
  }
  std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(ran.load()) << "a Worker never started must not run its body, even when destroyed";
}

TEST(Worker, ManyShortLivedWorkers) {
  for (int round = 0; round < grading::scaled(30, 150); ++round) {
    const int n = 2 + static_cast<int>(grading::random_below(6));
    std::atomic<int> runs{0};
    {
      std::vector<std::unique_ptr<Worker>> workers;
      for (int i = 0; i < n; ++i) {
        workers.push_back(std::make_unique<Worker>(
            [&runs] {
              grading::jitter();
              runs.fetch_add(1);
            },
            "worker-" + std::to_string(i)));
      }
      for (auto& worker : workers) worker->start();
      for (int i = 0; i < n; ++i) {
        Worker& worker = *workers[static_cast<std::size_t>(i)];
        ASSERT_EQ(worker.name(), "worker-" + std::to_string(i));
        if (i % 3 == 0) {
          worker.join();
        } else if (i % 3 == 1) {
          const auto start = Clock::now();
          while (!worker.join_for(1ms)) {
            ASSERT_LT(Clock::now() - start, 5s)
                << "join_for(1 ms), called in a loop, kept returning false for 5 s";
            grading::tick();
          }
        }  // i % 3 == 2: left to the destructor
      }
    }
    ASSERT_EQ(runs.load(), n) << n << " Workers were started, and " << runs.load()
                              << " bodies ran by the time all were joined or destroyed";
    grading::tick();
  }
}

}  // namespace
