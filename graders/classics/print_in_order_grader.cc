// Grader of classics/print_in_order: "first", "second", "third" in that order whatever order the
// three threads start in, waiters that sleep instead of spinning or polling (BUSY_WAIT), and the
// happens-before edges from one callback to the next.
#include "classics/print_in_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "graders/classics/busy_wait.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::classics::InOrder;
using kata::classics_grading::WaitCost;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Sleeps while ticking, so the watchdog sees a test that waits on purpose.
void pause_ms(int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
}

// Calls step k (0, 1, 2) of `in_order` with `callback`.
void call_step(InOrder& in_order, int k, std::function<void()> callback) {
  switch (k) {
    case 0: in_order.first(std::move(callback)); break;
    case 1: in_order.second(std::move(callback)); break;
    default: in_order.third(std::move(callback)); break;
  }
}

const char* kNames[] = {"first", "second", "third"};

// The callbacks of one round record where they printed, with relaxed atomics: the record adds
// no happens-before edge that would hide a missing one in the code under test.
struct Printout {
  std::atomic<int> next{0};
  std::array<std::atomic<int>, 3> position{};  // position[k]: where step k printed, -1 never
  std::array<std::atomic<bool>, 3> returned{};  // callback k has returned
  std::atomic<int> early{-1};  // a step whose callback began before the previous one returned

  Printout() {
    for (auto& p : position) p.store(-1);
    for (auto& r : returned) r.store(false);
  }

  std::function<void()> callback(int k, bool noisy) {
    return [this, k, noisy] {
      if (k > 0 && !returned[static_cast<std::size_t>(k - 1)].load()) {
        early.store(k);
        // Reported now: a step out of order may also leave a thread waiting for ever.
        grading::report_verdict(grading::Verdict::kWrongResult,
                                std::string(kNames[k]) + "'s callback began before " +
                                    kNames[k - 1] + "'s callback had returned");
      }
      position[static_cast<std::size_t>(k)].store(next.fetch_add(1, std::memory_order_relaxed),
                                                  std::memory_order_relaxed);
      if (noisy) grading::jitter();
      returned[static_cast<std::size_t>(k)].store(true);
    };
  }

  // "" when the three printed once each, in order; else what went wrong.
  std::string problem() const {
    if (early.load() > 0) {
      const int k = early.load();
      return std::string(kNames[k]) + "'s callback began before " + kNames[k - 1] +
             "'s callback had returned";
    }
    for (int k = 0; k < 3; ++k) {
      if (position[static_cast<std::size_t>(k)].load() != k) {
        if (next.load() != 3) {
          return "the three callbacks ran " + std::to_string(next.load()) +
                 " times in all instead of once each";
        }
        std::string order;
        for (int at = 0; at < 3; ++at) {
          for (int j = 0; j < 3; ++j) {
            if (position[static_cast<std::size_t>(j)].load() == at) {
              order += std::string(order.empty() ? "" : ", ") + kNames[j];
            }
          }
        }
        return "printed " + order;
      }
    }
    return "";
  }
};

TEST(PrintInOrder, PrintsInOrderWhenCalledInOrderOnOneThread) {
  InOrder in_order;
  Printout printout;
  for (int k = 0; k < 3; ++k) call_step(in_order, k, printout.callback(k, false));
  EXPECT_EQ(printout.problem(), "") << "first(), second(), third() called one after the other";
}

// The threads start in each of the six orders, a pause apart, so the later steps really wait.
TEST(PrintInOrder, PrintsInOrderWhateverOrderTheThreadsStartIn) {
  std::array<int, 3> order = {0, 1, 2};
  do {
    InOrder in_order;
    Printout printout;
    std::vector<std::thread> threads;
    for (int k : order) {
      threads.emplace_back([&, k] { call_step(in_order, k, printout.callback(k, true)); });
      pause_ms(15);
    }
    for (auto& t : threads) t.join();  // a waiter never woken: DEADLOCK
    grading::tick();
    ASSERT_EQ(printout.problem(), "")
        << "threads started in the order " << kNames[order[0]] << ", " << kNames[order[1]]
        << ", " << kNames[order[2]];
  } while (std::next_permutation(order.begin(), order.end()));
}

// second() and third() wait about half a second for first(): asleep, they cost almost no CPU.
TEST(PrintInOrder, WaitingThreadsSleepInsteadOfSpinning) {
  for (int round = 0; round < 2; ++round) {
    InOrder in_order;
    WaitCost cost[3];
    std::vector<std::thread> threads;
    for (int k = 2; k >= 1; --k) {
      threads.emplace_back([&, k] {
        WaitCost& mine = cost[k];
        mine = WaitCost();
        call_step(in_order, k, [&mine] { mine.stop(); });
      });
    }
    pause_ms(500);
    in_order.first([] {});
    for (auto& t : threads) t.join();
    grading::tick();
    for (int k = 1; k <= 2; ++k) {
      ASSERT_TRUE(cost[k].stopped()) << kNames[k] << "'s callback never ran";
      std::printf("kata: %s() %s\n", kNames[k], cost[k].text().c_str());
      if (cost[k].busy()) {
        KATA_FAIL(kBusyWait) << kNames[k] << "() " << cost[k].text() << " while first() had "
                             << "not been called: a waiting thread must sleep (a condition "
                             << "variable), not spin or poll";
        return;
      }
    }
  }
}

TEST(PrintInOrder, OrderHoldsUnderStress) {
  const int rounds = grading::scaled(300, 1500);
  for (int round = 0; round < rounds; ++round) {
    InOrder in_order;
    Printout printout;
    std::array<int, 3> order = {0, 1, 2};
    for (int i = 2; i > 0; --i) {
      std::swap(order[static_cast<std::size_t>(i)],
                order[grading::random_below(static_cast<std::uint64_t>(i) + 1)]);
    }
    std::vector<std::thread> threads;
    for (int k : order) {
      threads.emplace_back([&, k] {
        grading::jitter();
        call_step(in_order, k, printout.callback(k, true));
      });
    }
    for (auto& t : threads) t.join();
    grading::tick();
    ASSERT_EQ(printout.problem(), "") << "round " << round << " of " << rounds;
  }
}

// Plain (non-atomic) data written by one callback and read by the next: without a
// happens-before edge from each step to the next, ThreadSanitizer reports a RACE.
TEST(PrintInOrder, WhatOneCallbackWroteTheNextReads) {
  for (int round = 0; round < grading::scaled(100, 400); ++round) {
    InOrder in_order;
    std::string message;
    std::string seen_by_second, seen_by_third;
    std::thread third([&] {
      in_order.third([&] { seen_by_third = message; });
    });
    std::thread second([&] {
      in_order.second([&] {
        seen_by_second = message;
        message += " second";
      });
    });
    grading::jitter();
    in_order.first([&] { message = "first"; });
    second.join();
    third.join();
    grading::tick();
    ASSERT_EQ(seen_by_second, "first");
    ASSERT_EQ(seen_by_third, "first second");
  }
}

}  // namespace
