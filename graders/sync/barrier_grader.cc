// Grader of sync/barrier: distinct indices in every generation, one action per generation run
// before anyone is released, no thread lapping another into the next generation, and abort(),
// reset() and a throwing action releasing every waiter with BrokenBarrier.
#include "sync/barrier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"

namespace {

using kata::sync::Barrier;
using kata::sync::BrokenBarrier;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;

// Polls `condition`, yielding and ticking, for at most `seconds`; whether it came true.
template <class Condition>
bool eventually(Condition condition, double seconds = 2.0) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::yield();
    grading::tick();
  }
  return true;
}

// The first problem the test's threads found. Workers never ASSERT: one that returned early
// would leave the others blocked in wait(). They record the problem and abort the barrier.
class Problems {
 public:
  void add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what;
    found_.store(true);
  }
  bool any() const { return found_.load(); }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  std::string first_;
  std::atomic<bool> found_{false};
};

// Like grading::run_threads (a start gate, then the first exception by thread index is
// rethrown after all are joined), but the threads are not registered with the watchdog. A
// party blocked in wait() has nothing to show until the whole generation moves on, so the
// watchdog should not judge the parties one by one (STARVATION) but only see whether anything
// still moves: when a barrier loses its waiters, everything stops and the verdict is DEADLOCK.
void run_parties(int parties, const std::function<void(int)>& body) {
  std::atomic<int> arrived{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(parties));
  std::vector<std::thread> threads;
  for (int i = 0; i < parties; ++i) {
    threads.emplace_back([&, i] {
      arrived.fetch_add(1);
      while (arrived.load() < parties) std::this_thread::yield();
      try {
        body(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
      grading::tick();
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

// What the test's action throws when it sees something wrong (a test-side signal, not a
// failure of the barrier).
struct ActionSawProblem : std::runtime_error {
  ActionSawProblem() : std::runtime_error("the grader's action found a problem") {}
};

// What the test's action throws on purpose.
struct ActionFailed : std::runtime_error {
  ActionFailed() : std::runtime_error("the action failed (on purpose)") {}
};

std::string indices_text(const std::multiset<int>& indices) {
  std::ostringstream out;
  out << "{";
  bool first = true;
  for (int i : indices) {
    out << (first ? "" : ", ") << i;
    first = false;
  }
  out << "}";
  return out.str();
}

TEST(Barrier, OnePartyPassesStraightThroughAndRunsTheActionEachTime) {
  int actions = 0;
  Barrier barrier(1, [&] { ++actions; });
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(barrier.wait(), 0) << "with one party, every wait() is the last arrival: index 0";
  }
  EXPECT_EQ(actions, 5) << "the action runs once per generation, and with one party every "
                           "wait() is a generation";
  EXPECT_EQ(barrier.parties(), 1);
  EXPECT_EQ(barrier.n_waiting(), 0) << "nobody is blocked in wait()";
  EXPECT_FALSE(barrier.broken()) << "a fresh barrier is not broken";

  Barrier without_action(3);
  EXPECT_EQ(without_action.parties(), 3);
  EXPECT_EQ(without_action.n_waiting(), 0);
  EXPECT_FALSE(without_action.broken());
}

TEST(Barrier, RejectsFewerThanOneParty) {
  EXPECT_EQ(Barrier(2).parties(), 2);
  EXPECT_THROW({ Barrier barrier(0); }, std::invalid_argument)
      << "Barrier(0) must throw std::invalid_argument";
  EXPECT_THROW({ Barrier barrier(-3); }, std::invalid_argument)
      << "Barrier(-3) must throw std::invalid_argument";
}

TEST(Barrier, AbortBreaksItUntilReset) {
  int actions = 0;
  Barrier barrier(1, [&] { ++actions; });
  barrier.abort();
  EXPECT_TRUE(barrier.broken()) << "abort() breaks the barrier";
  EXPECT_THROW(barrier.wait(), BrokenBarrier) << "wait() on a broken barrier must throw";
  EXPECT_EQ(actions, 0) << "a broken barrier runs no action";
  barrier.abort();
  EXPECT_TRUE(barrier.broken()) << "aborting twice leaves it broken";
  barrier.reset();
  EXPECT_FALSE(barrier.broken()) << "reset() repairs the barrier";
  EXPECT_EQ(barrier.wait(), 0) << "after reset() the barrier works again";
  EXPECT_EQ(actions, 1);
}

// The main stress test. Each round, 2 to 5 threads pass a fresh barrier many times in a row.
// The action checks that every party of its generation has arrived and none has left yet
// (with yields inside, so that a thread released too early has time to show itself); each
// thread checks that exactly the actions of the generations it passed have run; and after the
// round, each generation's indices must be exactly 0 .. parties-1. A thread lapping a slow one
// into the next generation breaks these counts (or, without a generation counter, leaves the
// slow one waiting for ever: the watchdog reports DEADLOCK).
TEST(Barrier, EveryGenerationHasDistinctIndicesAndOneActionBeforeRelease) {
  const int rounds = grading::scaled(8, 40);
  const int generations = grading::scaled(250, 1000);
  for (int round = 0; round < rounds; ++round) {
    const int parties = 2 + static_cast<int>(grading::random_below(4));
    std::atomic<int> arrived{0};   // calls to wait() so far
    std::atomic<int> departed{0};  // returns from wait() so far
    std::atomic<int> actions{0};   // completed actions
    Problems problems;
    Barrier barrier(parties, [&] {
      const int done = actions.load();
      const int in = arrived.load();
      const int out = departed.load();
      if (out != parties * done || in != parties * (done + 1)) {
        std::ostringstream what;
        what << "when the action of generation " << done << " ran, " << in
             << " calls to wait() had been made and " << out << " had returned, but "
             << parties * (done + 1) << " and " << parties * done
             << " were expected: the action must run exactly once per generation, after all "
             << parties << " parties have arrived and before any of them is released";
        problems.add(what.str());
        throw ActionSawProblem();
      }
      std::this_thread::yield();
      grading::jitter();
      std::this_thread::yield();
      if (departed.load() != parties * done) {
        problems.add("a thread returned from wait() while the action of its generation was "
                     "still running: the action must finish before anyone is released");
        throw ActionSawProblem();
      }
      actions.store(done + 1);
    });

    std::vector<std::vector<int>> indices(static_cast<std::size_t>(parties),
                                          std::vector<int>(static_cast<std::size_t>(generations)));
    run_parties(parties, [&](int t) {
      for (int g = 0; g < generations; ++g) {
        grading::jitter();
        arrived.fetch_add(1);
        int index = -1;
        try {
          index = barrier.wait();
        } catch (const ActionSawProblem&) {
          barrier.abort();  // release the others: the round is over
          return;
        } catch (const BrokenBarrier&) {
          if (!problems.any()) {
            problems.add("wait() threw BrokenBarrier although nobody aborted the barrier and "
                         "the action did not throw");
          }
          return;
        }
        departed.fetch_add(1);
        indices[static_cast<std::size_t>(t)][static_cast<std::size_t>(g)] = index;
        const int done = actions.load();
        if (index < 0 || index >= parties || done != g + 1) {
          std::ostringstream what;
          what << "thread " << t << " returned from its wait() number " << g + 1;
          if (index < 0 || index >= parties) {
            what << " with index " << index << ", outside 0 .. " << parties - 1;
          } else {
            what << " when " << done << " actions had run instead of " << g + 1;
          }
          what << " (" << parties << " parties): it was counted in the wrong generation, or "
               << "released before its generation was complete";
          problems.add(what.str());
          barrier.abort();
          return;
        }
        grading::tick();
      }
    });
    ASSERT_FALSE(problems.any()) << problems.first() << " (round " << round << ")";
    ASSERT_EQ(actions.load(), generations)
        << "the action must run once per generation (round " << round << ")";
    for (int g = 0; g < generations; ++g) {
      std::multiset<int> seen;
      for (int t = 0; t < parties; ++t) {
        seen.insert(indices[static_cast<std::size_t>(t)][static_cast<std::size_t>(g)]);
      }
      std::multiset<int> expected;
      for (int i = 0; i < parties; ++i) expected.insert(i);
      ASSERT_EQ(seen, expected) << "generation " << g << " of " << parties
                                << " parties returned the indices " << indices_text(seen)
                                << ": each thread of a generation must get a distinct index "
                                   "0 .. parties-1 (round "
                                << round << ")";
    }
  }
}

// Every thread but one waits; the last one, instead of arriving, calls `breaker` (abort() or
// reset()) once all the others are blocked. Returns how many waiters threw BrokenBarrier.
int break_the_waiters(Barrier& barrier, bool& saw_all_waiting, void (Barrier::*breaker)()) {
  const int waiters = barrier.parties() - 1;
  std::atomic<int> broken{0};
  std::atomic<bool> all_waiting{false};
  run_parties(barrier.parties(), [&](int t) {
    if (t == 0) {
      all_waiting = eventually([&] { return barrier.n_waiting() == waiters; });
      grading::jitter();
      (barrier.*breaker)();
      return;
    }
    try {
      barrier.wait();
    } catch (const BrokenBarrier&) {
      broken.fetch_add(1);
    }
  });
  saw_all_waiting = all_waiting.load();
  return broken.load();
}

// After abort() or reset(), one complete generation must still work.
void expect_a_full_generation(Barrier& barrier, const char* after) {
  std::vector<int> indices(static_cast<std::size_t>(barrier.parties()), -1);
  run_parties(barrier.parties(), [&](int t) {
    indices[static_cast<std::size_t>(t)] = barrier.wait();
  });
  std::multiset<int> seen(indices.begin(), indices.end()), expected;
  for (int i = 0; i < barrier.parties(); ++i) expected.insert(i);
  EXPECT_EQ(seen, expected) << "after " << after << ", a full generation returned the indices "
                            << indices_text(seen);
}

TEST(Barrier, AbortReleasesEveryWaiter) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    Barrier barrier(3 + static_cast<int>(grading::random_below(3)));
    const int waiters = barrier.parties() - 1;
    bool saw_all_waiting = false;
    const int broken = break_the_waiters(barrier, saw_all_waiting, &Barrier::abort);
    ASSERT_TRUE(saw_all_waiting) << "n_waiting() never reached " << waiters << " although "
                                 << waiters << " threads were blocked in wait()";
    ASSERT_EQ(broken, waiters) << "every thread blocked in wait() when abort() is called must "
                                  "throw BrokenBarrier (round "
                               << round << ")";
    EXPECT_TRUE(barrier.broken()) << "abort() breaks the barrier";
    EXPECT_EQ(barrier.n_waiting(), 0) << "nobody waits once the waiters have left";
    EXPECT_THROW(barrier.wait(), BrokenBarrier)
        << "wait() on an aborted barrier must throw BrokenBarrier at once";
    barrier.reset();
    EXPECT_FALSE(barrier.broken()) << "reset() repairs an aborted barrier";
    expect_a_full_generation(barrier, "abort() and reset()");
    grading::tick();
  }
}

TEST(Barrier, ResetBreaksTheWaitersOfTheOldGeneration) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    Barrier barrier(3 + static_cast<int>(grading::random_below(3)));
    const int waiters = barrier.parties() - 1;
    bool saw_all_waiting = false;
    const int broken = break_the_waiters(barrier, saw_all_waiting, &Barrier::reset);
    ASSERT_TRUE(saw_all_waiting) << "n_waiting() never reached " << waiters << " although "
                                 << waiters << " threads were blocked in wait()";
    ASSERT_EQ(broken, waiters) << "the threads waiting when reset() is called must throw "
                                  "BrokenBarrier (round "
                               << round << ")";
    EXPECT_FALSE(barrier.broken()) << "after reset() the barrier is not broken";
    EXPECT_EQ(barrier.n_waiting(), 0) << "reset() starts a generation with nobody waiting";
    expect_a_full_generation(barrier, "reset()");
    grading::tick();
  }
}

TEST(Barrier, ThrowingActionBreaksTheBarrier) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    const int parties = 3;
    std::atomic<int> calls{0};
    Barrier barrier(parties, [&] {
      if (calls.fetch_add(1) == 1) throw ActionFailed();  // the second generation fails
    });
    std::atomic<int> action_error{0}, broken_error{0}, returned{0};
    run_parties(parties, [&](int) {
      barrier.wait();  // the first generation passes
      try {
        barrier.wait();
        returned.fetch_add(1);
      } catch (const ActionFailed&) {
        action_error.fetch_add(1);
      } catch (const BrokenBarrier&) {
        broken_error.fetch_add(1);
      }
    });
    ASSERT_EQ(returned.load(), 0) << "wait() returned normally in a generation whose action threw";
    ASSERT_EQ(action_error.load(), 1)
        << "the thread that ran the throwing action must get the action's exception";
    ASSERT_EQ(broken_error.load(), parties - 1)
        << "when the action throws, the other waiters must throw BrokenBarrier";
    EXPECT_TRUE(barrier.broken()) << "a throwing action breaks the barrier";
    EXPECT_THROW(barrier.wait(), BrokenBarrier) << "the barrier stays broken until reset()";
    barrier.reset();
    expect_a_full_generation(barrier, "a throwing action and reset()");
    EXPECT_EQ(calls.load(), 3) << "the action runs once per generation";
    grading::tick();
  }
}

TEST(Barrier, NWaitingCountsTheThreadsBlockedInWait) {
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    const int parties = 4;
    Barrier barrier(parties);
    ASSERT_EQ(barrier.n_waiting(), 0);
    std::atomic<int> go{0};
    Problems problems;
    run_parties(parties, [&](int t) {
      if (t == 0) {
        // Let the others in one at a time, checking the count after each, then arrive last.
        for (int k = 1; k < parties; ++k) {
          go.store(k);
          if (!problems.any() && !eventually([&] { return barrier.n_waiting() == k; })) {
            problems.add("n_waiting() was " + std::to_string(barrier.n_waiting()) + " when " +
                         std::to_string(k) + " threads were blocked in wait()");
          }
        }
        go.store(parties);
        barrier.wait();
        return;
      }
      while (go.load() < t) {
        std::this_thread::yield();
        grading::tick();
      }
      barrier.wait();
    });
    ASSERT_FALSE(problems.any()) << problems.first();
    EXPECT_EQ(barrier.n_waiting(), 0) << "n_waiting() after the generation was released";
    grading::tick();
  }
}

}  // namespace
