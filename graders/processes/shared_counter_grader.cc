// Grader of processes/shared_counter: forked children and the parent add without lost updates,
// values visible across processes, with_lock all or nothing, and the robust mutex for real: a
// child is SIGKILLed while it holds the lock inside with_lock, and the process waiting for the
// lock, then the parent, recover it with the value consistent.
//
// Children are forked by the grader while the grader is multithreaded (the watchdog), so they
// run without ThreadSanitizer and start no threads: they call the counter and exit. Their
// progress is counted in shared memory, so a child stuck on the lock is reported as a DEADLOCK
// (and killed) by the test itself. After every test no child and no descriptor may be left.
#include "processes/shared_counter.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "graders/processes/process_checks.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::processes::SharedCounter;
namespace grading = kata::grading;
namespace checks = kata::grading::processes;
using Clock = std::chrono::steady_clock;

// What the grader's own processes share (lock-free atomics work across processes).
struct Board {
  std::atomic<long> progress{0};  // operations completed by all children
  std::atomic<int> holding{0};    // 1 once the victim is inside with_lock
};
static_assert(std::atomic<long>::is_always_lock_free);

class SharedCounterTest : public checks::ProcessTest {
 protected:
  void SetUp() override {
    checks::ProcessTest::SetUp();
    void* memory = mmap(nullptr, sizeof(Board), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(memory, MAP_FAILED);
    board_ = new (memory) Board();
  }
  void TearDown() override {
    if (board_ != nullptr) munmap(board_, sizeof(Board));
    checks::ProcessTest::TearDown();
  }

  // Seconds without any child's progress after which the children are declared stuck.
  static double stall() { return grading::scaled(3, 6); }

  // Waits for every child: DEADLOCK if none of them moves for stall() seconds, CRASH if one
  // fails. True if all exited with 0.
  bool wait_all(std::vector<pid_t> pids, const char* what) {
    return checks::wait_all_children(
        std::move(pids), board_->progress, stall(), what,
        {.exception = "the counter",
         .stall = "blocked on the lock for good (a mutex that is not shared between processes, "
                  "or not robust?)"});
  }

  // Forks `children` processes that each do `rounds` add(1) and `rounds` with_lock(v += 2).
  bool hammer(SharedCounter& counter, int children, int rounds) {
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
      pids.push_back(checks::fork_child([&] {
        for (int i = 0; i < rounds; ++i) {
          counter.add(1);
          counter.with_lock([](long& v) { v += 2; });
          board_->progress.fetch_add(1);
        }
        return 0;
      }));
    }
    return wait_all(pids, "children adding");
  }

  Board* board_ = nullptr;
};

TEST_F(SharedCounterTest, AddValueAndWithLockInOneProcess) {
  SharedCounter counter;
  EXPECT_EQ(counter.value(), 0);
  counter.add(5);
  counter.add(-2);
  EXPECT_EQ(counter.value(), 3);
  long seen = -1;
  counter.with_lock([&](long& v) {
    seen = v;
    v *= 10;
  });
  EXPECT_EQ(seen, 3) << "with_lock passes the current value";
  EXPECT_EQ(counter.value(), 30) << "with_lock stores what the function left in its argument";
}

TEST_F(SharedCounterTest, WithLockThatThrowsStoresNothingAndUnlocks) {
  SharedCounter counter;
  counter.add(4);
  EXPECT_THROW(counter.with_lock([](long& v) {
    v = 999;
    throw std::runtime_error("fn failed");
  }),
               std::runtime_error);
  EXPECT_EQ(counter.value(), 4) << "a with_lock whose function throws changes nothing";
  counter.add(1);  // hangs (DEADLOCK) if the lock was not released
  EXPECT_EQ(counter.value(), 5);
}

TEST_F(SharedCounterTest, ChildSeesParentsValueAndParentSeesChilds) {
  SharedCounter counter;
  counter.add(42);
  pid_t child = checks::fork_child([&] {
    if (counter.value() != 42) return 1;
    counter.add(58);
    board_->progress.fetch_add(1);
    return 0;
  });
  int status = checks::wait_for(child, 30);
  ASSERT_NE(status, -1) << "the child did not finish";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_NE(WEXITSTATUS(status), 1) << "the child did not see the parent's 42";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(counter.value(), 100)
      << "the parent does not see the child's add: the value is not in shared memory";
}

TEST_F(SharedCounterTest, ConcurrentChildrenLoseNoUpdate) {
  SharedCounter counter;
  const int children = grading::scaled(3, 4);
  const int rounds = grading::scaled(20000, 50000);
  if (!hammer(counter, children, rounds)) return;
  EXPECT_EQ(counter.value(), 3L * children * rounds)
      << children << " processes each did " << rounds
      << " add(1) and with_lock(v += 2): updates were lost (is the mutex in the shared "
         "mapping, and process-shared?)";
}

TEST_F(SharedCounterTest, ParentAndChildrenTogether) {
  SharedCounter counter;
  const int rounds = grading::scaled(10000, 30000);
  std::vector<pid_t> pids;
  for (int c = 0; c < 2; ++c) {
    pids.push_back(checks::fork_child([&] {
      for (int i = 0; i < rounds; ++i) {
        counter.add(1);
        board_->progress.fetch_add(1);
      }
      return 0;
    }));
  }
  for (int i = 0; i < rounds; ++i) counter.with_lock([](long& v) { ++v; });
  if (!wait_all(pids, "children adding beside the parent")) return;
  EXPECT_EQ(counter.value(), 3L * rounds) << "updates lost between the parent and its children";
}

TEST_F(SharedCounterTest, HolderKilledInsideWithLockNextLockerRecovers) {
  SharedCounter counter;
  counter.add(7);
  // The victim takes the lock, changes its copy of the value, says so, and waits to be killed.
  pid_t victim = checks::fork_child([&] {
    counter.with_lock([&](long& v) {
      v += 1000;
      board_->holding.store(1);
      while (true) pause();
    });
    return 0;
  });
  const auto start = Clock::now();
  while (board_->holding.load() == 0) {
    int status;
    if (waitpid(victim, &status, WNOHANG) == victim) {
      FAIL() << "the child exited before it held the lock (status " << status << ")";
    }
    ASSERT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 30.0)
        << "the child never got into with_lock";
    grading::tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // A second child waits for the lock while the victim holds it.
  pid_t waiter = checks::fork_child([&] {
    counter.add(1);
    board_->progress.fetch_add(1);
    return 0;
  });
  for (int i = 0; i < 50; ++i) {
    grading::tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(board_->progress.load(), 0) << "the waiter got the lock while the victim held it";
  checks::kill_and_reap(victim);  // SIGKILL inside the critical section

  int status = checks::wait_for(waiter, stall());
  if (status == -1) {
    checks::kill_and_reap(waiter);
    KATA_FAIL(kDeadlock) << "the holder was killed inside with_lock, and the process waiting for "
                            "the lock stayed blocked for "
                         << stall()
                         << " s: the mutex must be robust (PTHREAD_MUTEX_ROBUST) and the next "
                            "locker must recover it (EOWNERDEAD, pthread_mutex_consistent)";
    return;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    KATA_FAIL(kCrash) << "the process that locked after the holder died failed ("
                      << (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status)))
                      << "; 100 means an exception, e.g. EOWNERDEAD treated as an error)";
    return;
  }
  EXPECT_EQ(counter.value(), 8)
      << "7, then a holder killed inside with_lock (its v += 1000 must not count), then add(1)";
  // The lock is fully usable again, across processes.
  board_->progress.store(0);
  const int rounds = grading::scaled(3000, 10000);
  if (!hammer(counter, 2, rounds)) return;
  EXPECT_EQ(counter.value(), 8 + 6L * rounds) << "updates lost after the lock was recovered";
}

TEST_F(SharedCounterTest, RecoversAgainAfterSeveralDeaths) {
  SharedCounter counter;
  const int deaths = grading::scaled(3, 6);
  for (int d = 0; d < deaths; ++d) {
    board_->holding.store(0);
    pid_t victim = checks::fork_child([&] {
      counter.with_lock([&](long& v) {
        v = -1;
        board_->holding.store(1);
        while (true) pause();
      });
      return 0;
    });
    const auto start = Clock::now();
    while (board_->holding.load() == 0) {
      ASSERT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 30.0)
          << "the child never got into with_lock";
      grading::tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    checks::kill_and_reap(victim);
    // This time the parent is the next locker.
    counter.add(1);
    grading::tick();
  }
  EXPECT_EQ(counter.value(), deaths) << "after each death, add(1) from the parent";
}

}  // namespace
