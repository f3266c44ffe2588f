// Grader of sync/reentrant_lock: recursion depth, refused unlocks by non-owners, the standard
// lock wrappers, waiters woken by the last unlock, timeouts, and mutual exclusion under stress.
#include "sync/reentrant_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

using kata::sync::ReentrantLock;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

long ms_since(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(Clock::now() - start).count());
}

// Sleeps while ticking, so the watchdog sees a test that waits on purpose.
void pause_ms(int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
}

// A plain thread (not registered with the watchdog: it may block for a while on purpose)
// whose exception, if any, join() rethrows in the test thread. The destructor joins and drops
// the exception.
class Thread {
 public:
  template <class F>
  explicit Thread(F body)
      : thread_([this, body = std::move(body)]() mutable {
          try {
            body();
          } catch (...) {
            error_ = std::current_exception();
          }
        }) {}
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;
  ~Thread() {
    if (thread_.joinable()) thread_.join();
  }
  void join() {
    thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  std::exception_ptr error_;  // written by the thread, read after join
  std::thread thread_;
};

// Whether another thread's try_lock() succeeds right now (it unlocks again if it does).
bool try_lock_elsewhere(ReentrantLock& lock) {
  bool got = false;
  Thread other([&] {
    got = lock.try_lock();
    if (got) lock.unlock();
  });
  other.join();
  return got;
}

// Another thread that locks `lock` `depth` times, then holds it until finish() (or the
// destructor). finish() lets it unlock as often as it locked and joins it, rethrowing what the
// thread threw; an unlock() refused to it is a test failure (the depth is miscounted).
class Holder {
 public:
  Holder(ReentrantLock& lock, int depth)
      : depth_(depth), thread_([this, &lock] {
          int locked = 0;
          try {
            for (; locked < depth_; ++locked) lock.lock();
          } catch (...) {
            held_ = true;  // let the constructor return; the error comes back in finish()
            throw;
          }
          held_ = true;
          while (!release_.load()) std::this_thread::sleep_for(milliseconds(1));
          try {
            for (; locked > 0; --locked) lock.unlock();
          } catch (const std::system_error& e) {
            unlock_error_ = e.what();
          }
        }) {
    // No tick here: the lock is free when a Holder is made, so a lock() that never returns
    // is a bug, and the watchdog should see no progress (DEADLOCK).
    while (!held_.load()) std::this_thread::yield();
  }
  void finish() {
    release_ = true;
    thread_.join();
    EXPECT_EQ(unlock_error_, "")
        << "a thread locked the lock " << depth_ << " times, and one of its " << depth_
        << " unlock() calls was refused: the recursion depth is miscounted";
  }
  ~Holder() { release_ = true; }  // then thread_'s destructor joins

 private:
  const int depth_;
  std::atomic<bool> held_{false};
  std::atomic<bool> release_{false};
  std::string unlock_error_;  // written by the thread, read after join
  Thread thread_;             // last: starts after the other members exist
};

// "" if `operation` threw std::system_error with std::errc::operation_not_permitted, else what
// happened instead. kata::NotImplemented passes through (NOT_STARTED).
template <class F>
std::string unless_refused(F&& operation) {
  try {
    operation();
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::operation_not_permitted) return "";
    return "it threw std::system_error with another code: " + e.code().message();
  } catch (const std::exception& e) {
    return std::string("it threw another exception: ") + e.what();
  }
  return "it threw nothing (and may have released the lock)";
}

// A monitor saw an impossible state: report it at once (the test's verdict is this one even if
// the broken implementation then hangs), and tell the other threads to stop.
void fail_now(std::atomic<bool>& stop, const std::string& message) {
  if (stop.exchange(true)) return;  // the first failure is the one that explains
  ADD_FAILURE() << message;
  grading::report_verdict(grading::Verdict::kWrongResult, message);
}

TEST(ReentrantLock, LocksAndUnlocks) {
  ReentrantLock lock;
  lock.lock();
  lock.unlock();
  EXPECT_TRUE(lock.try_lock()) << "try_lock() on a free lock must succeed";
  lock.unlock();
  EXPECT_TRUE(lock.try_lock_for(milliseconds(0))) << "try_lock_for(0 ms) on a free lock";
  lock.unlock();
  ASSERT_TRUE(lock.try_lock_for(milliseconds(50))) << "try_lock_for(50 ms) on a free lock";
  EXPECT_FALSE(try_lock_elsewhere(lock))
      << "this thread holds the lock: another thread's try_lock() must return false";
  lock.unlock();
  EXPECT_TRUE(try_lock_elsewhere(lock))
      << "the lock was released: another thread's try_lock() must succeed";
}

// The owner locks again (with each of the three methods) without blocking, and the lock stays
// held until it has been unlocked as many times as it was locked.
TEST(ReentrantLock, TheOwnerMayLockItAgainAndMustUnlockAsOften) {
  for (int depth = 1; depth <= 6; ++depth) {
    ReentrantLock lock;
    lock.lock();
    for (int level = 2; level <= depth; ++level) {
      switch (level % 3) {
        case 0:
          lock.lock();  // must not block: this thread is the owner
          break;
        case 1:
          ASSERT_TRUE(lock.try_lock()) << "the owner's try_lock() must succeed (level " << level
                                       << ")";
          break;
        case 2:
          ASSERT_TRUE(lock.try_lock_for(milliseconds(0)))
              << "the owner's try_lock_for(0 ms) must succeed (level " << level << ")";
          break;
      }
    }
    for (int unlocked = 1; unlocked < depth; ++unlocked) {
      lock.unlock();
      ASSERT_FALSE(try_lock_elsewhere(lock))
          << "locked " << depth << " times and unlocked " << unlocked
          << " times, this thread still holds the lock, yet another thread's try_lock() "
          << "succeeded: the recursion depth is miscounted";
    }
    lock.unlock();
    ASSERT_TRUE(try_lock_elsewhere(lock))
        << "locked " << depth << " times and unlocked as often: the lock must be free, yet "
        << "another thread's try_lock() failed: the recursion depth is miscounted";
    grading::tick();
  }
}

TEST(ReentrantLock, UnlockByAThreadThatDoesNotHoldItIsRefused) {
  ReentrantLock lock;
  ASSERT_EQ(unless_refused([&] { lock.unlock(); }), "")
      << "unlock() of a lock that nobody holds must throw std::system_error with "
      << "std::errc::operation_not_permitted";
  ASSERT_TRUE(try_lock_elsewhere(lock))
      << "after a refused unlock() the lock must still be free";

  lock.lock();
  lock.unlock();
  ASSERT_EQ(unless_refused([&] { lock.unlock(); }), "")
      << "lock() once, unlock() twice: the second unlock() must throw std::system_error with "
      << "std::errc::operation_not_permitted";
  ASSERT_TRUE(try_lock_elsewhere(lock)) << "after a refused unlock() the lock must be free";

  Holder holder(lock, 2);  // another thread holds it, twice
  ASSERT_EQ(unless_refused([&] { lock.unlock(); }), "")
      << "unlock() by a thread that does not hold the lock (another thread does) must throw "
      << "std::system_error with std::errc::operation_not_permitted";
  ASSERT_FALSE(lock.try_lock())
      << "after the refused unlock() the other thread must still hold the lock";
  holder.finish();
  ASSERT_TRUE(lock.try_lock()) << "the other thread unlocked twice: the lock must be free";
  lock.unlock();
}

TEST(ReentrantLock, WorksWithLockGuardAndUniqueLock) {
  ReentrantLock lock;
  {
    std::lock_guard<ReentrantLock> outer(lock);
    {
      std::lock_guard<ReentrantLock> inner(lock);
      EXPECT_FALSE(try_lock_elsewhere(lock)) << "held by two nested std::lock_guards";
    }
    EXPECT_FALSE(try_lock_elsewhere(lock)) << "the outer std::lock_guard still holds it";
  }
  EXPECT_TRUE(try_lock_elsewhere(lock)) << "both std::lock_guards are gone: the lock is free";
  {
    std::unique_lock<ReentrantLock> first(lock, std::try_to_lock);
    EXPECT_TRUE(first.owns_lock()) << "std::unique_lock(lock, std::try_to_lock) on a free lock";
    std::unique_lock<ReentrantLock> second(lock, std::defer_lock);
    EXPECT_TRUE(second.try_lock_for(milliseconds(10))) << "unique_lock::try_lock_for by the owner";
    std::unique_lock<ReentrantLock> third(lock, milliseconds(10));
    EXPECT_TRUE(third.owns_lock()) << "std::unique_lock(lock, 10 ms) by the owner";
    second.unlock();
    EXPECT_FALSE(try_lock_elsewhere(lock)) << "two std::unique_locks still hold it";
    first.unlock();
    EXPECT_FALSE(try_lock_elsewhere(lock)) << "one std::unique_lock still holds it";
  }
  EXPECT_TRUE(try_lock_elsewhere(lock)) << "every std::unique_lock is gone: the lock is free";
}

TEST(ReentrantLock, TryLockForGivesUpAfterTheTimeout) {
  const int timeout_ms = 150;
  ReentrantLock lock;
  Holder holder(lock, 1);
  EXPECT_FALSE(lock.try_lock()) << "another thread holds the lock: try_lock() must fail";
  EXPECT_FALSE(lock.try_lock_for(milliseconds(0)))
      << "another thread holds the lock: try_lock_for(0 ms) must fail";
  for (int round = 0; round < 2; ++round) {
    const auto start = Clock::now();
    const bool got = lock.try_lock_for(milliseconds(timeout_ms));
    const long waited = ms_since(start);
    ASSERT_FALSE(got) << "try_lock_for returned true although another thread held the lock";
    ASSERT_GE(waited, timeout_ms - 5)
        << "try_lock_for(" << timeout_ms << " ms) gave up after " << waited
        << " ms: it must wait for the whole timeout";
    if (waited > timeout_ms + 2500) {
      KATA_FAIL(kTimeout) << "try_lock_for(" << timeout_ms << " ms) returned only after "
                          << waited << " ms";
    }
    grading::tick();
  }
  holder.finish();
}

TEST(ReentrantLock, TryLockForTakesTheLockSoonAfterItIsReleased) {
  const int timeout_ms = 3000;
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    ReentrantLock lock;
    Holder holder(lock, 1 + round % 2);
    std::atomic<bool> got{false};
    std::atomic<long> waited{0};
    Thread waiter([&] {
      const auto start = Clock::now();
      got = lock.try_lock_for(milliseconds(timeout_ms));
      waited = ms_since(start);
      if (got) lock.unlock();
    });
    pause_ms(50 + static_cast<int>(grading::random_below(40)));
    holder.finish();
    waiter.join();
    ASSERT_TRUE(got.load()) << "the lock was released about 50-90 ms into a try_lock_for("
                            << timeout_ms << " ms), which returned false";
    ASSERT_LT(waited.load(), timeout_ms - 1000)
        << "try_lock_for took the lock released after about 90 ms only after " << waited.load()
        << " ms: the last unlock() must wake the waiter, not the end of its timeout";
  }
}

// The main thread holds the lock (several levels deep) while other threads block in lock() or
// in a long try_lock_for(). Nobody may get in before the last unlock(); after it, every waiter
// must get its turn. A waiter that is never woken (a missing notify, or one sent before the
// state changed) blocks for ever: DEADLOCK.
TEST(ReentrantLock, WaitingThreadsWakeWhenTheOwnerUnlocks) {
  for (int round = 0; round < grading::scaled(12, 40); ++round) {
    ReentrantLock lock;
    const int depth = 1 + round % 3;
    const int waiters = 1 + (round / 3) % 3;
    for (int d = 0; d < depth; ++d) lock.lock();
    std::atomic<int> started{0}, entered{0}, inside{0};
    std::atomic<bool> timed_out{false}, broken{false};
    std::vector<std::unique_ptr<Thread>> threads;
    for (int i = 0; i < waiters; ++i) {
      threads.push_back(std::make_unique<Thread>([&, i] {
        started.fetch_add(1);
        if ((i + round) % 2 == 0) {
          lock.lock();
        } else if (!lock.try_lock_for(milliseconds(60000))) {
          timed_out = true;
          return;
        }
        // Broken mutual exclusion may leave the lock stuck and hang the joins below, so these
        // failures are reported at once.
        if (inside.fetch_add(1) != 0) {
          fail_now(broken, "two waiting threads held the lock at once after the owner's last "
                           "unlock()");
        }
        entered.fetch_add(1);
        grading::jitter();
        inside.fetch_sub(1);
        try {
          lock.unlock();
        } catch (const std::system_error&) {
          fail_now(broken, "a waiting thread got the lock, yet its unlock() was refused as if "
                           "another thread owned it: two waiting threads took the lock at once");
        }
      }));
    }
    while (started.load() < waiters) {
      grading::tick();
      std::this_thread::yield();
    }
    pause_ms(20);  // let them block
    EXPECT_EQ(entered.load(), 0) << "a thread got the lock while the main thread held it";
    for (int d = depth; d > 1; --d) {
      lock.unlock();
      pause_ms(5);
      EXPECT_EQ(entered.load(), 0)
          << "the main thread locked " << depth << " times and unlocked " << depth - d + 1
          << " times, so it still held the lock, yet a waiting thread got in";
    }
    lock.unlock();
    for (auto& thread : threads) thread->join();  // a waiter never woken: DEADLOCK
    grading::tick();
    EXPECT_FALSE(timed_out.load())
        << "a try_lock_for(60 s) waiting for the lock gave up, although it was released";
    ASSERT_FALSE(broken.load()) << "see above";
    ASSERT_EQ(entered.load(), waiters)
        << "after the owner's last unlock(), every one of the " << waiters
        << " waiting threads must get the lock in turn";
  }
}

// Acquires `lock` in one of the ways a program can (lock, a try_lock loop, a try_lock_for
// loop, a std::unique_lock), ticking while it retries. Returns false, without the lock, if a
// retry loop sees `stop`: once a monitor has given its verdict, a broken lock may stay taken
// for ever, and the retrying threads should then let the watchdog end the run rather than
// spin until the time budget runs out.
bool acquire_somehow(ReentrantLock& lock, const std::atomic<bool>& stop) {
  switch (grading::random_below(4)) {
    case 0:
      lock.lock();
      return true;
    case 1:
      while (!lock.try_lock()) {
        if (stop.load()) return false;
        grading::tick();
        std::this_thread::yield();
      }
      return true;
    case 2:
      while (!lock.try_lock_for(milliseconds(1 + grading::random_below(3)))) {
        if (stop.load()) return false;
        grading::tick();
      }
      return true;
    default: {
      std::unique_lock<ReentrantLock> guard(lock);
      (void)guard.release();  // keep it locked; the caller unlocks
      return true;
    }
  }
}

// The sharp invariant: threads count themselves inside the lock, nested one to three levels
// deep, with yields inside so that a second thread let in by mistake is really there at the
// same time. Only atomics are shared here, so a broken lock is a WRONG_RESULT, not a RACE.
TEST(ReentrantLock, OnlyOneThreadHoldsItAtATime) {
  for (int round = 0; round < grading::scaled(4, 16); ++round) {
    const int threads = 4 + round % 2;
    const int iterations = grading::scaled(120, 300);
    ReentrantLock lock;
    std::atomic<int> holders{0}, owner{-1};
    std::atomic<bool> stop{false};
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < iterations && !stop.load(); ++i) {
        if (!acquire_somehow(lock, stop)) return;
        if (holders.fetch_add(1) != 0) {
          fail_now(stop, "two threads held the lock at once (thread " + std::to_string(t) +
                             " got it while thread " + std::to_string(owner.load()) +
                             " held it)");
        }
        owner = t;
        const int extra = static_cast<int>(grading::random_below(3));
        int nested = 0;
        for (; nested < extra; ++nested) {
          if (nested % 2 == 0) {
            lock.lock();
          } else if (!lock.try_lock()) {
            fail_now(stop, "the owner's try_lock() returned false (nested " +
                               std::to_string(nested + 2) + " levels deep)");
            break;
          }
          std::this_thread::yield();
          if (owner.load() != t || holders.load() != 1) {
            fail_now(stop, "another thread got into the lock while thread " +
                               std::to_string(t) + " held it " + std::to_string(nested + 2) +
                               " levels deep");
          }
        }
        grading::jitter();
        std::this_thread::yield();
        try {
          for (; nested > 0; --nested) lock.unlock();
          if (owner.load() != t) {
            fail_now(stop, "another thread got into the lock while thread " +
                               std::to_string(t) + " held it");
          }
          holders.fetch_sub(1);
          lock.unlock();
        } catch (const std::system_error& e) {
          fail_now(stop, std::string("unlock() by the thread that held the lock threw: ") +
                             e.what());
          return;
        }
        grading::tick();
      }
    });
    ASSERT_FALSE(stop.load()) << "mutual exclusion was broken (see above)";
    ASSERT_TRUE(try_lock_elsewhere(lock)) << "every thread unlocked as often as it locked, "
                                          << "but the lock is not free (round " << round << ")";
  }
}

// What one owner wrote is visible to the next one: plain (non-atomic) data guarded by the lock
// alone. An implementation whose hand-over orders nothing is a data race (RACE); one that
// lets two threads in loses updates (WRONG_RESULT).
TEST(ReentrantLock, GuardsPlainData) {
  const int threads = 4;
  const int iterations = grading::scaled(300, 1500);
  ReentrantLock lock;
  long counter = 0;            // guarded by lock
  std::vector<int> last(8);    // guarded by lock
  std::atomic<bool> stop{false};
  grading::run_threads(threads, [&](int t) {
    for (int i = 0; i < iterations && !stop.load(); ++i) {
      if (!acquire_somehow(lock, stop)) return;
      const bool nest = grading::random_below(2) == 0;
      if (nest) lock.lock();
      ++counter;
      last[static_cast<std::size_t>(counter % 8)] = t;
      try {
        if (nest) lock.unlock();
        lock.unlock();
      } catch (const std::system_error& e) {
        fail_now(stop, std::string("unlock() by the thread that held the lock threw: ") +
                           e.what());
        return;
      }
      if (i % 16 == 0) grading::tick();
    }
  });
  ASSERT_FALSE(stop.load()) << "see above";
  std::lock_guard<ReentrantLock> guard(lock);
  EXPECT_EQ(counter, static_cast<long>(threads) * iterations)
      << "increments made under the lock were lost: two threads were inside at once";
}

}  // namespace
