// Grader of sync/semaphore: never more holders than permits, release(n) wakes n, timeouts that
// fire on time and not before, and a bounded semaphore that refuses one release too many.
#include "sync/semaphore.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "harness/linearizability.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

using kata::sync::BoundedSemaphore;
using kata::sync::Semaphore;
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
    std::this_thread::sleep_for(milliseconds(5));
  }
}

// Whether release(n) was refused with std::logic_error (an unfinished release still reports
// NOT_STARTED: kata::NotImplemented is itself a std::logic_error).
template <class S>
bool release_refused(S& semaphore, int n = 1) {
  try {
    semaphore.release(n);
    return false;
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const std::logic_error&) {
    return true;
  }
}

// Takes every free permit with try_acquire and returns how many there were.
template <class S>
int drain(S& semaphore) {
  int taken = 0;
  while (semaphore.try_acquire()) {
    ++taken;
    if (taken > 1000000) break;  // a try_acquire that always succeeds
  }
  return taken;
}

// Calls every method once on this thread, before a test starts threads: an unfinished method
// then reports NOT_STARTED here instead of throwing inside a thread (std::terminate), or
// leaving the other threads waiting for a release that never comes.
template <class S>
void call_every_method_once() {
  S semaphore(1);
  if (!semaphore.try_acquire()) return;
  semaphore.release();
  semaphore.acquire();
  semaphore.release(1);
  if (semaphore.try_acquire_for(milliseconds(0))) semaphore.release();
}

// The sequential semaphore that the linearizability check compares histories with.
struct SemaphoreModel {
  struct Op {
    enum Kind { kAcquire, kTryAcquire, kTryAcquireFor, kRelease } kind;
    int n = 1;  // release(n)
  };
  using Result = int;  // 1: took a permit / release accepted; 0: no permit / release refused
  using State = int;   // free permits
  int initial_permits = 1;
  int bound = 0;  // BoundedSemaphore: its initial count; 0: unbounded
  State initial() const { return initial_permits; }
  std::optional<std::pair<Result, State>> apply(const State& free, const Op& op) const {
    switch (op.kind) {
      case Op::kAcquire:
        if (free == 0) return std::nullopt;  // blocks until a permit is free
        return std::make_pair(1, free - 1);
      case Op::kTryAcquire:
      case Op::kTryAcquireFor:  // false: no permit at some instant of the call
        return free == 0 ? std::make_pair(0, free) : std::make_pair(1, free - 1);
      case Op::kRelease:
        if (bound != 0 && free + op.n > bound) return std::make_pair(0, free);
        return std::make_pair(1, free + op.n);
    }
    return std::nullopt;
  }
  std::string op_text(const Op& op) const {
    switch (op.kind) {
      case Op::kAcquire: return "acquire()";
      case Op::kTryAcquire: return "try_acquire()";
      case Op::kTryAcquireFor: return "try_acquire_for(1 ms)";
      case Op::kRelease: return "release(" + std::to_string(op.n) + ")";
    }
    return "?";
  }
  std::string result_text(const Op& op, const Result& r) const {
    if (op.kind == Op::kRelease) return r ? "done" : "refused (std::logic_error)";
    if (op.kind == Op::kAcquire) return "done";
    return r ? "true" : "false";
  }
  std::string state_text(const State& free) const {
    return std::to_string(free) + " free permit" + (free == 1 ? "" : "s");
  }
  std::string name() const { return bound != 0 ? "a BoundedSemaphore" : "a Semaphore"; }
};

// The contract both classes share runs against both (a BoundedSemaphore is only ever released
// here after it was acquired, so its bound never gets in the way).
template <class S>
class SemaphoreContract : public ::testing::Test {};

struct ClassNames {
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, Semaphore> ? "Semaphore" : "BoundedSemaphore";
  }
};

using BothKinds = ::testing::Types<Semaphore, BoundedSemaphore>;
TYPED_TEST_SUITE(SemaphoreContract, BothKinds, ClassNames);

TYPED_TEST(SemaphoreContract, TakesAndGivesBackPermits) {
  TypeParam semaphore(2);
  EXPECT_TRUE(semaphore.try_acquire()) << "2 permits were free";
  EXPECT_TRUE(semaphore.try_acquire()) << "1 permit was still free";
  EXPECT_FALSE(semaphore.try_acquire()) << "both permits of a semaphore(2) were taken";
  semaphore.release();
  EXPECT_TRUE(semaphore.try_acquire()) << "release() gave one permit back";
  EXPECT_FALSE(semaphore.try_acquire()) << "release() gave back one permit, not more";
  semaphore.release(2);
  semaphore.acquire();  // a free permit: must not block
  EXPECT_TRUE(semaphore.try_acquire_for(milliseconds(0)))
      << "release(2) gave back two permits; try_acquire_for must take a free one";
  EXPECT_FALSE(semaphore.try_acquire_for(milliseconds(0)))
      << "no permit is free: try_acquire_for(0 ms) must return false";
  semaphore.release();
  semaphore.release();
  EXPECT_EQ(drain(semaphore), 2) << "after two releases, exactly 2 permits should be free";
}

TYPED_TEST(SemaphoreContract, ZeroPermitsMeansNobodyGetsIn) {
  TypeParam semaphore(0);
  EXPECT_FALSE(semaphore.try_acquire()) << "a semaphore(0) has no free permit";
  EXPECT_FALSE(semaphore.try_acquire_for(milliseconds(1))) << "a semaphore(0) has no free permit";
}

TYPED_TEST(SemaphoreContract, TryAcquireForGivesUpAfterTheTimeout) {
  const int timeout_ms = 150;
  for (int round = 0; round < grading::scaled(2, 4); ++round) {
    TypeParam semaphore(1);
    semaphore.acquire();
    const auto start = Clock::now();
    const bool got = semaphore.try_acquire_for(milliseconds(timeout_ms));
    const long waited = ms_since(start);
    ASSERT_FALSE(got) << "try_acquire_for returned true although no permit was ever free";
    ASSERT_GE(waited, timeout_ms - 5)
        << "try_acquire_for(" << timeout_ms << " ms) on a semaphore without free permits gave "
        << "up after " << waited << " ms: it must wait for the whole timeout";
    if (waited > timeout_ms + 2500) {
      KATA_FAIL(kTimeout) << "try_acquire_for(" << timeout_ms << " ms) returned only after "
                          << waited << " ms";
    }
    grading::tick();
  }
}

TYPED_TEST(SemaphoreContract, TryAcquireForTakesAPermitReleasedDuringTheWait) {
  call_every_method_once<TypeParam>();
  const int timeout_ms = 2000;
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    TypeParam semaphore(1);
    semaphore.acquire();
    std::atomic<bool> got{false};
    std::atomic<long> waited{0};
    std::thread waiter([&] {
      const auto start = Clock::now();
      got = semaphore.try_acquire_for(milliseconds(timeout_ms));
      waited = ms_since(start);
    });
    pause_ms(60 + static_cast<int>(grading::random_below(40)));
    semaphore.release();
    waiter.join();
    ASSERT_TRUE(got.load()) << "a permit was released about 60-100 ms into a "
                            << "try_acquire_for(" << timeout_ms << " ms), which returned false";
    ASSERT_LT(waited.load(), timeout_ms - 500)
        << "try_acquire_for took the permit released after about 100 ms only after "
        << waited.load() << " ms: a release must wake the waiter, not the end of its timeout";
    EXPECT_FALSE(semaphore.try_acquire()) << "the waiter took the only permit";
  }
}

// n threads block in acquire() (or a long try_acquire_for); one release(n) must let all of
// them through. Waking only one leaves the others asleep next to free permits.
TYPED_TEST(SemaphoreContract, ReleaseOfNLetsNBlockedThreadsThrough) {
  call_every_method_once<TypeParam>();
  for (int round = 0; round < grading::scaled(8, 30); ++round) {
    const int n = 2 + round % 4;
    TypeParam semaphore(n);
    ASSERT_EQ(drain(semaphore), n) << "a fresh semaphore(" << n << ") has " << n << " permits";
    std::atomic<int> started{0}, through{0};
    std::atomic<bool> timed_out{false};
    std::vector<std::thread> waiters;
    for (int i = 0; i < n; ++i) {
      waiters.emplace_back([&, i] {
        started.fetch_add(1);
        if (i % 2 == 0) {
          semaphore.acquire();
        } else if (!semaphore.try_acquire_for(milliseconds(60000))) {
          timed_out = true;
        }
        through.fetch_add(1);
      });
    }
    while (started.load() < n) {
      grading::tick();
      std::this_thread::yield();
    }
    pause_ms(40);  // let them block
    semaphore.release(n);
    for (auto& waiter : waiters) waiter.join();  // a waiter left asleep: DEADLOCK
    grading::tick();
    EXPECT_FALSE(timed_out.load())
        << "a try_acquire_for(60 s) blocked on an empty semaphore returned false although "
        << "release(" << n << ") came while it waited";
    ASSERT_EQ(through.load(), n) << "release(" << n << ") with " << n
                                 << " threads blocked must let all of them through";
    EXPECT_FALSE(semaphore.try_acquire())
        << "release(" << n << ") gave " << n << " permits, all taken by the " << n
        << " waiters, yet another one was free";
  }
}

// The sharp invariant: inside the section guarded by the semaphore, count the holders, with
// a yield inside so that a second thread let in by mistake is really there at the same time.
TYPED_TEST(SemaphoreContract, NeverMoreHoldersThanPermits) {
  call_every_method_once<TypeParam>();
  for (int round = 0; round < grading::scaled(16, 80); ++round) {
    const int permits = 1 + static_cast<int>(grading::random_below(3));
    const int threads = permits + 2 + static_cast<int>(grading::random_below(3));
    const int iterations = 40;
    TypeParam semaphore(permits);
    std::atomic<int> holders{0}, most{0};
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < iterations; ++i) {
        switch ((t + i) % 3) {
          case 0:
            semaphore.acquire();
            break;
          case 1:
            while (!semaphore.try_acquire()) {
              grading::tick();
              std::this_thread::yield();
            }
            break;
          default:
            while (!semaphore.try_acquire_for(milliseconds(1))) grading::tick();
            break;
        }
        int now = holders.fetch_add(1) + 1;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        grading::jitter();
        holders.fetch_sub(1);
        semaphore.release();
        grading::tick();
      }
    });
    ASSERT_LE(most.load(), permits)
        << most.load() << " threads held a semaphore(" << permits << ") at the same time (round "
        << round << ", " << threads << " threads)";
    if constexpr (std::is_same_v<TypeParam, BoundedSemaphore>) {
      ASSERT_TRUE(release_refused(semaphore))
          << "every permit of a BoundedSemaphore(" << permits << ") was back, yet one more "
          << "release() was accepted";
    }
    ASSERT_EQ(drain(semaphore), permits)
        << "after every holder released, a semaphore(" << permits << ") should have exactly "
        << permits << " free permits (permits were lost or created)";
  }
}

// What a thread wrote before release() is visible to the thread whose acquire takes that
// permit (ThreadSanitizer reports a race otherwise).
TYPED_TEST(SemaphoreContract, ReleaseHappensBeforeTheAcquireItEnables) {
  call_every_method_once<TypeParam>();
  for (int round = 0; round < grading::scaled(40, 200); ++round) {
    TypeParam semaphore(1);
    semaphore.acquire();
    std::vector<int> message;  // plain data, handed over by the semaphore
    int read_back = 0;
    grading::run_threads(2, [&](int t) {
      if (t == 0) {
        grading::jitter();
        message.assign(3, round);
        semaphore.release();
      } else if (t == 1) {
        semaphore.acquire();
        read_back = message.empty() ? -1 : message[2];
        semaphore.release();
      }
    });
    ASSERT_EQ(read_back, round) << "acquire() returned before the release() it waited for";
  }
}

// Random acquires, try_acquires and releases from several threads, round after round: every
// history must be explained by some one-at-a-time order of the same calls on a sequential
// semaphore (a permit handed out twice, lost or created shows up as results no order gives).
TYPED_TEST(SemaphoreContract, HistoriesAreLinearizable) {
  call_every_method_once<TypeParam>();
  constexpr bool kBounded = std::is_same_v<TypeParam, BoundedSemaphore>;
  using Op = SemaphoreModel::Op;
  for (int round = 0; round < grading::scaled(60, 300); ++round) {
    const int initial = 1 + static_cast<int>(grading::random_below(2));
    const int threads = 3;
    TypeParam semaphore(initial);
    grading::History<SemaphoreModel> history(threads);
    grading::run_threads(threads, [&](int t) {
      for (int step = 0; step < 8; ++step) {
        // Take a permit in one of three ways; give back what was taken. Every thread holds at
        // most one permit and always gives it back, so acquire() cannot wait forever.
        int got = 0;
        switch (grading::random_below(3)) {
          case 0:
            got = history.record(t, {Op::kAcquire}, [&] {
              semaphore.acquire();
              return 1;
            });
            break;
          case 1:
            got = history.record(t, {Op::kTryAcquire},
                                 [&] { return semaphore.try_acquire() ? 1 : 0; });
            break;
          default:
            got = history.record(t, {Op::kTryAcquireFor}, [&] {
              return semaphore.try_acquire_for(milliseconds(1)) ? 1 : 0;
            });
            break;
        }
        grading::jitter();
        if (got) {
          history.record(t, {Op::kRelease, 1}, [&] { return release_refused(semaphore) ? 0 : 1; });
        }
        if (grading::random_below(6) == 0) {
          // A release nobody acquired for: a Semaphore gains permits, a BoundedSemaphore
          // accepts it only while there is room.
          const int n = kBounded ? 1 : 1 + static_cast<int>(grading::random_below(2));
          history.record(t, {Op::kRelease, n},
                         [&] { return release_refused(semaphore, n) ? 0 : 1; });
        }
        grading::tick();
      }
    });
    const auto check =
        grading::check_linearizable(history, SemaphoreModel{initial, kBounded ? initial : 0});
    ASSERT_TRUE(check.ok) << "round " << round << " (initial count " << initial
                          << "): " << check.explanation;
  }
}

TEST(Semaphore, AcceptsReleasesAboveTheInitialCount) {
  Semaphore semaphore(0);
  semaphore.release(3);
  semaphore.release();
  EXPECT_EQ(drain(semaphore), 4)
      << "a plain Semaphore(0) released 3 + 1 times has 4 free permits (only a "
      << "BoundedSemaphore refuses releases above its initial count)";
}

TEST(BoundedSemaphore, RefusesAReleaseAboveTheInitialCount) {
  BoundedSemaphore semaphore(2);
  ASSERT_TRUE(semaphore.try_acquire());
  semaphore.release();
  EXPECT_TRUE(release_refused(semaphore))
      << "a BoundedSemaphore(2) with 2 free permits must refuse release() with "
         "std::logic_error";
  ASSERT_TRUE(semaphore.try_acquire());
  ASSERT_TRUE(semaphore.try_acquire());
  EXPECT_TRUE(release_refused(semaphore, 3))
      << "with both permits of a BoundedSemaphore(2) taken, release(3) must be refused";
  EXPECT_FALSE(release_refused(semaphore, 2))
      << "a refused release(3) must change nothing, so release(2) is then still allowed";
  EXPECT_TRUE(release_refused(semaphore)) << "all 2 permits are back: release() must be refused";
  EXPECT_EQ(drain(semaphore), 2) << "a BoundedSemaphore(2) never has more than 2 free permits";

  BoundedSemaphore empty(0);
  EXPECT_FALSE(empty.try_acquire());
  EXPECT_TRUE(release_refused(empty)) << "a BoundedSemaphore(0) must refuse every release";
  EXPECT_FALSE(empty.try_acquire()) << "a refused release must not add a permit";
}

// Threads race to give back more permits than were taken: exactly as many releases as there
// is room for succeed. Checking the room and adding must be one atomic step.
TEST(BoundedSemaphore, ConcurrentReleasesNeverExceedTheBound) {
  call_every_method_once<BoundedSemaphore>();
  for (int round = 0; round < grading::scaled(150, 600); ++round) {
    const int initial = 1 + static_cast<int>(grading::random_below(3));
    const int threads = initial + 2;
    BoundedSemaphore semaphore(initial);
    ASSERT_EQ(drain(semaphore), initial);
    std::atomic<int> accepted{0};
    grading::run_threads(threads, [&](int) {
      grading::jitter();
      if (!release_refused(semaphore)) accepted.fetch_add(1);
    });
    ASSERT_EQ(accepted.load(), initial)
        << threads << " threads each called release() on a BoundedSemaphore(" << initial
        << ") whose permits were all taken: exactly " << initial << " releases fit (round "
        << round << ")";
    ASSERT_EQ(drain(semaphore), initial) << "a BoundedSemaphore(" << initial
                                         << ") ended up with a different number of permits";
    grading::tick();
  }
}

}  // namespace
