// Grader of sync/event: a set() is never lost, it wakes every waiter, wait_for tells a timeout
// from a set flag, and is_set() is synchronised.
#include "sync/event.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::sync::Event;
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

// Calls every method once on this thread, before a test starts threads: an unfinished method
// then reports NOT_STARTED here instead of throwing inside a thread (std::terminate), or
// leaving the other threads waiting for a set() that never comes.
void call_every_method_once() {
  Event event;
  (void)event.is_set();
  event.set();
  event.wait();
  (void)event.wait_for(milliseconds(0));
  event.clear();
}

TEST(Event, StartsLoweredAndFollowsSetAndClear) {
  Event event;
  EXPECT_FALSE(event.is_set()) << "a new Event must start with the flag lowered";
  event.set();
  EXPECT_TRUE(event.is_set()) << "after set()";
  event.set();
  EXPECT_TRUE(event.is_set()) << "setting a set Event keeps it set";
  event.clear();
  EXPECT_FALSE(event.is_set()) << "after clear()";
  event.clear();
  EXPECT_FALSE(event.is_set()) << "clearing a cleared Event keeps it cleared";
}

// An Event remembers: waiting after set() returns at once. A wait that sleeps until the next
// notification without looking at the flag never returns here.
TEST(Event, WaitAfterSetReturnsAtOnce) {
  Event event;
  event.set();
  event.wait();  // same thread, already set: DEADLOCK if it sleeps
  EXPECT_TRUE(event.wait_for(milliseconds(0))) << "wait_for(0 ms) on a set Event";
  const auto start = Clock::now();
  EXPECT_TRUE(event.wait_for(milliseconds(5000))) << "wait_for on a set Event";
  EXPECT_LT(ms_since(start), 2500) << "wait_for on an Event that is already set must not wait";
  event.wait();
  EXPECT_TRUE(event.is_set()) << "waiting does not clear the flag";
}

TEST(Event, WaitForReturnsFalseAfterTheTimeoutWhenNeverSet) {
  const int timeout_ms = 150;
  Event event;
  EXPECT_FALSE(event.wait_for(milliseconds(0)))
      << "wait_for(0 ms) returned true on an Event that was never set";
  for (int round = 0; round < grading::scaled(2, 4); ++round) {
    const auto start = Clock::now();
    const bool seen = event.wait_for(milliseconds(timeout_ms));
    const long waited = ms_since(start);
    ASSERT_FALSE(seen) << "wait_for(" << timeout_ms << " ms) returned true after " << waited
                       << " ms on an Event that was never set: waking up (by the timeout, "
                       << "or spuriously) is not the same as the flag being set";
    ASSERT_GE(waited, timeout_ms - 5) << "wait_for(" << timeout_ms << " ms) gave up after only "
                                      << waited << " ms";
    if (waited > timeout_ms + 2500) {
      KATA_FAIL(kTimeout) << "wait_for(" << timeout_ms << " ms) returned only after " << waited
                          << " ms";
    }
    grading::tick();
  }
}

TEST(Event, ClearThenWaitForReturnsFalse) {
  Event event;
  event.set();
  event.clear();
  const auto start = Clock::now();
  EXPECT_FALSE(event.wait_for(milliseconds(100)))
      << "set() then clear(): the flag is lowered, so wait_for must time out and return false";
  EXPECT_GE(ms_since(start), 95) << "wait_for(100 ms) on a cleared Event must wait the timeout";
  EXPECT_FALSE(event.is_set());
}

TEST(Event, WaitForReturnsTrueSoonAfterSet) {
  call_every_method_once();
  const int timeout_ms = 2000;
  for (int round = 0; round < grading::scaled(2, 5); ++round) {
    Event event;
    std::atomic<bool> seen{false};
    std::atomic<long> waited{0};
    std::thread waiter([&] {
      const auto start = Clock::now();
      seen = event.wait_for(milliseconds(timeout_ms));
      waited = ms_since(start);
    });
    pause_ms(60 + static_cast<int>(grading::random_below(40)));
    event.set();
    waiter.join();
    ASSERT_TRUE(seen.load()) << "set() came about 60-100 ms into a wait_for(" << timeout_ms
                             << " ms), which returned false";
    ASSERT_LT(waited.load(), timeout_ms - 500)
        << "wait_for returned " << waited.load() << " ms after it started although set() came "
        << "after about 100 ms: set() must wake the waiter";
  }
}

// Several threads wait; one set() must release all of them. notify_one wakes one and leaves
// the others asleep next to a raised flag.
TEST(Event, SetWakesEveryWaiter) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(8, 30); ++round) {
    const int waiters_count = 2 + round % 5;
    Event event;
    std::atomic<int> started{0}, woken{0};
    std::atomic<bool> timed_out{false};
    std::vector<std::thread> waiters;
    for (int i = 0; i < waiters_count; ++i) {
      waiters.emplace_back([&, i] {
        started.fetch_add(1);
        if (i % 2 == 0) {
          event.wait();
        } else if (!event.wait_for(milliseconds(60000))) {
          timed_out = true;
        }
        woken.fetch_add(1);
      });
    }
    while (started.load() < waiters_count) {
      grading::tick();
      std::this_thread::yield();
    }
    pause_ms(40);  // let them block
    event.set();
    for (auto& waiter : waiters) waiter.join();  // a waiter left asleep: DEADLOCK
    grading::tick();
    EXPECT_FALSE(timed_out.load()) << "a wait_for(60 s) returned false although set() came";
    ASSERT_EQ(woken.load(), waiters_count)
        << "one set() must wake all " << waiters_count << " waiters";
  }
}

// set() races with the start of wait(), round after round. If the waiter checks the flag and
// then goes to sleep in two steps, a set() in between is lost and the waiter sleeps forever.
TEST(Event, NoWakeUpIsLostWhenSetRacesWithWait) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(300, 1500); ++round) {
    Event event;
    grading::run_threads(3, [&](int t) {
      if (t == 2) {
        grading::jitter();
        event.set();
      } else if (t == 0) {
        event.wait();  // a lost wake-up: DEADLOCK
      } else {
        grading::jitter();
        if (!event.wait_for(milliseconds(60000))) ADD_FAILURE() << "wait_for(60 s) gave up";
      }
    });
    grading::tick();
  }
}

// Two events play ping-pong, each cleared and set again hundreds of times: reuse after
// clear(), and a set() racing with the other side going back to wait.
TEST(Event, PingPongReusesEventsAfterClear) {
  call_every_method_once();
  Event ping, pong;
  const int exchanges = grading::scaled(400, 2000);
  long plain_counter = 0;  // handed back and forth by the events
  grading::run_threads(2, [&](int t) {
    for (int i = 0; i < exchanges; ++i) {
      if (t == 0) {
        ++plain_counter;
        ping.set();
        pong.wait();
        pong.clear();
      } else {
        ping.wait();
        ping.clear();
        ++plain_counter;
        pong.set();
      }
      grading::tick();
    }
  });
  EXPECT_EQ(plain_counter, 2L * exchanges) << "updates handed over by the events were lost";
}

// What the setter wrote before set() is visible to a thread that saw is_set() return true or
// returned from wait(); an is_set() that reads the flag without synchronisation is a data race.
TEST(Event, SetPublishesWhatCameBefore) {
  call_every_method_once();
  for (int round = 0; round < grading::scaled(40, 200); ++round) {
    Event event;
    std::vector<int> message;  // plain data, published by set()
    int polled = 0, waited = 0;
    grading::run_threads(3, [&](int t) {
      if (t == 0) {
        grading::jitter();
        message.assign(3, round + 1);
        event.set();
      } else if (t == 1) {
        while (!event.is_set()) {
          grading::tick();
          std::this_thread::yield();
        }
        polled = message.empty() ? -1 : message[2];
      } else {
        event.wait();
        waited = message.empty() ? -1 : message[2];
      }
    });
    ASSERT_EQ(polled, round + 1) << "is_set() returned true before set()'s writes were visible";
    ASSERT_EQ(waited, round + 1) << "wait() returned before set()'s writes were visible";
  }
}

}  // namespace
