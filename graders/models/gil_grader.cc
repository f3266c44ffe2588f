// Grader of models/gil: one holder at a time, handovers that order memory, forced switching
// checked by structure (the waiter that asked for the GIL holds it before the old holder's
// checkpoint() returns), and a CPU-bound holder that lets the others in.
#include "models/gil.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

using kata::models::Gil;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

// A few hundred nanoseconds of arithmetic: one "bytecode" of CPU-bound work.
std::uint64_t work(std::uint64_t x) {
  for (int i = 0; i < 64; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

// Calls every method once on this thread, so that an unfinished one reports NOT_STARTED here
// rather than inside a test thread.
void call_every_method_once() {
  Gil gil(microseconds(1000));
  gil.acquire();
  gil.checkpoint();
  (void)gil.drop_requested();
  gil.release();
}

bool release_refused(Gil& gil) {
  try {
    gil.release();
    return false;
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const std::logic_error&) {
    return true;
  }
}

TEST(Gil, OneThreadTakesAndGivesBack) {
  Gil gil(microseconds(5000));
  gil.acquire();
  for (int i = 0; i < 1000; ++i) gil.checkpoint();  // nobody waits: returns at once
  EXPECT_FALSE(gil.drop_requested()) << "nobody waits for the GIL, yet a drop is requested";
  gil.release();
  gil.acquire();
  gil.release();
  EXPECT_TRUE(release_refused(gil))
      << "release() by a thread that does not hold the GIL must throw std::logic_error";
}

TEST(Gil, OnlyTheHolderMayRelease) {
  call_every_method_once();
  Gil gil(microseconds(5000));
  gil.acquire();
  bool refused = false;
  std::thread other([&] { refused = release_refused(gil); });
  other.join();
  EXPECT_TRUE(refused) << "another thread released the GIL the main thread holds";
  gil.release();
}

// The sharp invariant: count the holders between acquire() (or a checkpoint() return) and
// release() (or the checkpoint() call), with CPU work and yields in between, many threads,
// a short switch interval so that handovers are frequent.
TEST(Gil, NeverTwoHolders) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(4, 16); ++round) {
    Gil gil(microseconds(100 + 100 * (round % 3)));
    std::atomic<int> holders{0}, most{0};
    auto enter = [&] {
      const int now = holders.fetch_add(1) + 1;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
    };
    const int threads = 3;
    std::atomic<std::uint64_t> sink{0};
    // A GIL that let two threads in may then tell one of them it is not the holder.
    std::atomic<bool> holder_refused{false};
    auto as_holder = [&](auto call) {
      try {
        call();
      } catch (const kata::NotImplemented&) {
        throw;
      } catch (const std::logic_error&) {
        holder_refused = true;
      }
    };
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < 20; ++i) {
        gil.acquire();
        enter();
        std::uint64_t x = static_cast<std::uint64_t>(t);
        for (int step = 0; step < 30; ++step) {
          x = work(x);
          if (step % 7 == 0) std::this_thread::yield();
          holders.fetch_sub(1);
          as_holder([&] { gil.checkpoint(); });
          enter();
        }
        sink.fetch_add(x, std::memory_order_relaxed);
        holders.fetch_sub(1);
        as_holder([&] { gil.release(); });
        grading::tick();
        if (i % 4 == 0) grading::jitter();
      }
    });
    ASSERT_EQ(most.load(), 1) << most.load() << " threads held the GIL at the same time (round "
                              << round << ")";
    ASSERT_FALSE(holder_refused.load())
        << "release() or checkpoint() threw std::logic_error (\"not the holder\") in a thread "
        << "whose acquire() had returned: the GIL lost track of who holds it (round " << round
        << ")";
  }
}

// What one holder wrote is visible to the next (ThreadSanitizer reports a race otherwise),
// and no increment made under the GIL is lost.
TEST(Gil, EachHolderSeesThePreviousHoldersWrites) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(4, 12); ++round) {
    Gil gil(microseconds(200));
    std::uint64_t counter = 0;  // plain data, guarded by the GIL alone
    std::vector<int> log;
    const int threads = 3, iterations = 30;
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < iterations; ++i) {
        gil.acquire();
        ++counter;
        log.push_back(t);
        for (int step = 0; step < 5; ++step) {
          std::uint64_t before = counter;
          (void)work(before);
          gil.checkpoint();
          counter = counter + 1 - 1;  // read and write again after a possible switch
        }
        gil.release();
        grading::tick();
      }
    });
    ASSERT_EQ(counter, static_cast<std::uint64_t>(threads * iterations))
        << "increments made while holding the GIL were lost";
    ASSERT_EQ(log.size(), static_cast<std::size_t>(threads * iterations));
  }
}

// Forced switching, checked by structure rather than timing: the main thread holds the GIL
// and computes; a waiter blocks in acquire() and, after a switch interval, asks for the GIL
// (drop_requested() becomes true). The holder's next checkpoint() must hand over: when it
// returns, the waiter must already have held the GIL. A checkpoint() that releases and takes
// the GIL straight back, before the waiter has woken up, is the convoy of Python 3.1's GIL.
TEST(Gil, TheWaiterThatAskedHoldsTheGilBeforeTheHolderTakesItBack) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(6, 25); ++round) {
    Gil gil(microseconds(200 + 300 * (round % 2)));
    gil.acquire();
    std::atomic<bool> waiter_held{false};
    std::thread waiter([&] {
      grading::ProgressScope progress("waiter");
      gil.acquire();
      waiter_held = true;
      gil.release();
    });
    // Compute while holding the GIL until the waiter asks for it.
    const auto start = Clock::now();
    std::uint64_t x = 1;
    bool asked = true;
    while (!gil.drop_requested()) {
      x = work(x);
      grading::tick();
      if (Clock::now() - start > milliseconds(2500)) {
        asked = false;
        break;
      }
    }
    bool handed_over = false;
    if (asked) {
      gil.checkpoint();
      handed_over = waiter_held.load();
    }
    gil.release();
    waiter.join();
    if (!asked) {
      KATA_FAIL(kStarvation) << "a thread waited 2.5 s in acquire() while the holder computed, "
                             << "and never set the drop request (a waiter that waited a whole "
                             << "switch interval with no switch must ask)";
      return;
    }
    ASSERT_TRUE(handed_over)
        << "the waiter had asked for the GIL (drop_requested() was true), yet the holder's "
        << "checkpoint() returned before the waiter ever held it (round " << round << "): "
        << "after releasing, checkpoint() must wait until another thread has taken the GIL "
        << "instead of taking it straight back (the convoy of the pre-3.2 GIL)";
    ASSERT_NE(x, 0u);
  }
}

// A CPU-bound holder that calls checkpoint() between steps must let the others run: two
// threads that each need the GIL a few times get it while the holder keeps computing.
TEST(Gil, ACpuBoundHolderLetsTheOthersIn) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    Gil gil(microseconds(1000));
    const int turns = 10;
    std::atomic<int> others_done{0}, turns_taken{0}, taken_while_running{0};
    std::atomic<bool> starved{false};
    grading::run_threads(3, [&](int t) {
      if (t == 0) {
        gil.acquire();
        const auto start = Clock::now();
        std::uint64_t x = 7;
        while (others_done.load() < 2) {
          x = work(x);
          gil.checkpoint();
          grading::tick();
          if (Clock::now() - start > milliseconds(2500)) {
            taken_while_running = turns_taken.load();
            starved = true;
            break;
          }
        }
        gil.release();
        if (x == 0) std::abort();
        return;
      }
      for (int i = 0; i < turns; ++i) {
        gil.acquire();
        turns_taken.fetch_add(1);
        gil.release();
        grading::tick();
      }
      others_done.fetch_add(1);
    });
    if (starved.load()) {
      KATA_FAIL(kStarvation) << "a thread computed for 2.5 s holding the GIL and calling "
                             << "checkpoint(); two other threads that wanted it " << 2 * turns
                             << " times in all got it only " << taken_while_running.load()
                             << " times while it ran: checkpoint() must drop the GIL when a "
                             << "waiter asks";
      return;
    }
  }
}

}  // namespace
