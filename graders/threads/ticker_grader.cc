// Grader of threads/ticker: a ticking thread that stop() ends promptly (an interruptible
// wait), after which no tick runs; stop() idempotent and safe from several threads; a count
// that other threads may read.
#include "threads/ticker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"

namespace {

using kata::threads::Ticker;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

long ms_since(Clock::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

void sleep_random_us(std::uint64_t below) {
  std::this_thread::sleep_for(std::chrono::microseconds(grading::random_below(below)));
}

// Runs `call` on a thread of its own and fails the test (with `complaint`) once it has taken
// `limit`, without waiting for a call that sleeps out a long period: the late call is left to
// finish in the background, so `call` must own what it uses (shared_ptr captures). True if it
// returned in time.
bool returns_within(std::chrono::milliseconds limit, std::function<void()> call,
                    const std::string& complaint) {
  auto returned = std::make_shared<std::atomic<bool>>(false);
  std::thread caller([call = std::move(call), returned] {
    call();
    returned->store(true);
  });
  const auto deadline = Clock::now() + limit;
  while (!returned->load() && Clock::now() < deadline) std::this_thread::sleep_for(2ms);
  if (returned->load()) {
    caller.join();
    return true;
  }
  ADD_FAILURE() << complaint;
  caller.detach();
  return false;
}

// What a test's tick does, shared with the Ticker's thread. Shared by pointer so that a tick
// left running by a broken stop() touches nothing freed. Atomics only: these tests judge the
// order of events themselves rather than leave it to ThreadSanitizer.
struct Probe {
  std::atomic<int> calls{0};
  std::atomic<bool> stop_returned{false};
  std::atomic<bool> ticked_late{false};  // a tick began or ended after a stop() had returned
};

// A tick that takes a while (so that stop() often lands in the middle of one) and notices
// when it runs after stop() has returned.
std::function<void()> slow_tick(std::shared_ptr<Probe> probe) {
  return [probe] {
    if (probe->stop_returned.load()) probe->ticked_late.store(true);
    probe->calls.fetch_add(1);
    sleep_random_us(1500);
    if (probe->stop_returned.load()) probe->ticked_late.store(true);
  };
}

// stop() while ticks run back to back: when it returns, the thread must have ended.
TEST(Ticker, NoTickRunsAfterStopReturns) {
  for (int round = 0; round < grading::scaled(40, 200); ++round) {
    auto probe = std::make_shared<Probe>();
    Ticker ticker(1ms, slow_tick(probe));
    ASSERT_GE(ticker.ticks(), 0);
    sleep_random_us(6000);
    ticker.stop();
    probe->stop_returned.store(true);
    const int calls_at_stop = probe->calls.load();
    const int ticks_at_stop = ticker.ticks();
    std::this_thread::sleep_for(3ms);
    ASSERT_FALSE(probe->ticked_late.load())
        << "a tick was still running, or began, after stop() had returned (round " << round
        << "): stop() must wait for the ticking thread to end (join it), not only ask it to "
           "stop";
    ASSERT_EQ(probe->calls.load(), calls_at_stop)
        << "tick was called after stop() had returned (round " << round << ")";
    ASSERT_EQ(ticks_at_stop, calls_at_stop)
        << "once stop() has returned, ticks() must be the exact number of calls (round "
        << round << ")";
    ASSERT_EQ(ticker.ticks(), ticks_at_stop) << "ticks() changed after stop() had returned";
    grading::tick();
  }
}

TEST(Ticker, TicksEveryPeriodOnItsOwnThread) {
  const auto period = 5ms;
  std::atomic<int> calls{0};
  std::vector<std::thread::id> tick_threads;  // written by the ticks only; read after stop()
  const auto created = Clock::now();
  Ticker ticker(period, [&] {
    tick_threads.push_back(std::this_thread::get_id());
    calls.fetch_add(1);
  });
  int last = ticker.ticks();
  while (last < 5) {
    ASSERT_LT(ms_since(created), 5000)
        << "only " << last << " ticks in 5 s with a period of 5 ms: the thread does not tick";
    const int now = ticker.ticks();
    ASSERT_GE(now, last) << "ticks() went down from " << last << " to " << now;
    last = now;
    grading::tick();
    std::this_thread::sleep_for(1ms);
  }
  ticker.stop();
  const long lived = ms_since(created);
  const int total = ticker.ticks();
  EXPECT_EQ(total, calls.load()) << "once stop() has returned, ticks() must be the exact count";
  EXPECT_LE(total, lived / 5 + 1)
      << total << " ticks in " << lived
      << " ms with a period of 5 ms: the ticker ticks more often than once per period";
  ASSERT_EQ(tick_threads.size(), static_cast<std::size_t>(calls.load()));
  for (const auto& id : tick_threads) {
    ASSERT_NE(id, std::this_thread::get_id())
        << "tick ran on the thread that made the Ticker: it must run on the Ticker's thread";
  }
}

// A period of 10 s: stop() must interrupt the wait, not wait out the period. No tick is due.
TEST(Ticker, StopReturnsPromptlyEvenWithALongPeriod) {
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto ticker = std::make_shared<Ticker>(10s, [calls] { calls->fetch_add(1); });
    ASSERT_EQ(ticker->ticks(), 0) << "a tick came at once: the first is due after one period";
    sleep_random_us(30000);
    ASSERT_TRUE(returns_within(
        1000ms, [ticker] { ticker->stop(); },
        "stop() took over 1000 ms with a period of 10 s: it must wake the thread at once (an "
        "interruptible wait, such as std::condition_variable_any::wait_until with the stop "
        "token), not let it sleep out the period (std::this_thread::sleep_for cannot be "
        "interrupted)"));
    ASSERT_EQ(calls->load(), 0) << "tick was called when stop() was, although no period had "
                                   "elapsed: stopping is not a reason to tick";
    ASSERT_EQ(ticker->ticks(), 0);
  }
}

TEST(Ticker, DestructorStopsPromptly) {
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    auto calls = std::make_shared<std::atomic<int>>(0);
    auto ticker = std::make_unique<Ticker>(10s, [calls] { calls->fetch_add(1); });
    ASSERT_EQ(ticker->ticks(), 0);
    sleep_random_us(30000);
    std::shared_ptr<Ticker> last_owner = std::move(ticker);
    ASSERT_TRUE(returns_within(
        1000ms, [t = std::move(last_owner)]() mutable { t.reset(); },  // ~Ticker stops it
        "~Ticker took over 1000 ms with a period of 10 s: it must stop the thread at once, not "
        "wait out the period"));
    ASSERT_EQ(calls->load(), 0) << "tick was called on destruction although no period had "
                                   "elapsed";
  }
}

TEST(Ticker, StopTwiceIsHarmless) {
  auto probe = std::make_shared<Probe>();
  Ticker ticker(1ms, slow_tick(probe));
  ASSERT_GE(ticker.ticks(), 0);
  std::this_thread::sleep_for(5ms);
  ticker.stop();
  probe->stop_returned.store(true);
  const int total = ticker.ticks();
  ticker.stop();  // a std::jthread joined twice throws std::system_error; a Ticker must not
  ticker.stop();
  EXPECT_EQ(ticker.ticks(), total) << "ticks() changed after stop() had returned";
  EXPECT_FALSE(probe->ticked_late.load()) << "a tick ran after stop() had returned";
}  // and ~Ticker after stop() must be harmless too

// Several threads call stop() at once while ticks run: each returns only once the thread has
// ended, and none crashes or races with another.
TEST(Ticker, StopIsSafeFromSeveralThreadsAtOnce) {
  for (int round = 0; round < grading::scaled(30, 150); ++round) {
    auto probe = std::make_shared<Probe>();
    Ticker ticker(1ms, slow_tick(probe));
    ASSERT_GE(ticker.ticks(), 0);
    sleep_random_us(4000);
    std::atomic<int> counts_differ{0};
    grading::run_threads(3, [&](int) {
      grading::jitter();
      ticker.stop();
      probe->stop_returned.store(true);
      if (ticker.ticks() != probe->calls.load()) counts_differ.fetch_add(1);
    }, "stopper");
    std::this_thread::sleep_for(2ms);
    ASSERT_FALSE(probe->ticked_late.load())
        << "with three threads calling stop() at once, a tick ran after one of them had "
           "returned: every stop() must return only once the thread has ended (round "
        << round << ")";
    ASSERT_EQ(counts_differ.load(), 0)
        << "after a stop() returned, ticks() differed from the number of calls (round " << round
        << ")";
    grading::tick();
  }
}

// Readers poll ticks() from other threads while the ticker ticks; tickers end by stop() or by
// their destructor, after random lifetimes.
TEST(Ticker, ManyShortLivedTickersWithReaders) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    auto probe = std::make_shared<Probe>();
    const auto period = std::chrono::milliseconds(1 + grading::random_below(3));
    auto ticker = std::make_unique<Ticker>(period, [probe] {
      probe->calls.fetch_add(1);
      grading::jitter();
      if (probe->stop_returned.load()) probe->ticked_late.store(true);
    });
    std::atomic<bool> went_down{false};
    std::atomic<bool> readers_done{false};
    grading::run_threads(3, [&](int t) {
      if (t == 0) {
        sleep_random_us(10000);
        readers_done.store(true);
        return;
      }
      int last = 0;
      while (!readers_done.load()) {
        const int now = ticker->ticks();
        if (now < last) went_down.store(true);
        last = now;
        grading::tick();
        std::this_thread::yield();
      }
    }, "reader");
    if (round % 2 == 0) {
      ticker->stop();
    } else {
      ticker.reset();
    }
    probe->stop_returned.store(true);
    std::this_thread::sleep_for(1ms);
    ASSERT_FALSE(went_down.load()) << "ticks() went down while the ticker ticked";
    ASSERT_FALSE(probe->ticked_late.load())
        << "a tick ran after " << (round % 2 == 0 ? "stop()" : "~Ticker") << " had returned";
    if (ticker) ASSERT_EQ(ticker->ticks(), probe->calls.load());
    grading::tick();
  }
}

}  // namespace
