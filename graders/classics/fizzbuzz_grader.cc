// Grader of classics/fizzbuzz: four threads print 1..n with fizz, buzz and fizzbuzz in their
// places, each number once (nothing skipped, nothing doubled), every thread returns at the end
// whatever n is (a hang: DEADLOCK), and the threads that wait sleep (BUSY_WAIT).
#include "classics/fizzbuzz.h"

#include <gtest/gtest.h>

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

using kata::classics::FizzBuzz;
using kata::classics_grading::WaitCost;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kFizz = -3, kBuzz = -5, kFizzBuzz = -15;

void pause_ms(int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
}

int expected_at(int i) {
  if (i % 15 == 0) return kFizzBuzz;
  if (i % 3 == 0) return kFizz;
  if (i % 5 == 0) return kBuzz;
  return i;
}

std::string text(int code) {
  switch (code) {
    case kFizz: return "fizz";
    case kBuzz: return "buzz";
    case kFizzBuzz: return "fizzbuzz";
    default: return std::to_string(code);
  }
}

// What the four callbacks printed, recorded with relaxed atomics (no happens-before edge of the
// test's own that could hide a missing one).
struct Output {
  explicit Output(int n) : n(n), codes(static_cast<std::size_t>(n) + 64) {}
  int n;
  std::vector<std::atomic<int>> codes;
  std::atomic<int> count{0};

  void print(int code) {
    const int at = count.fetch_add(1, std::memory_order_relaxed);
    if (at < static_cast<int>(codes.size())) {
      codes[static_cast<std::size_t>(at)].store(code, std::memory_order_relaxed);
    }
    // Checked now: a wrong entry often leaves a thread waiting for a turn that never comes, and
    // the cause must be reported before the hang.
    if (at >= n || code != expected_at(at + 1)) {
      const std::string detail =
          at >= n ? "entry " + std::to_string(at + 1) + " (" + text(code) + ") printed for n = " +
                        std::to_string(n)
                  : "entry " + std::to_string(at + 1) + " should be " + text(expected_at(at + 1)) +
                        " but was " + text(code) +
                        ": a number skipped, doubled or printed by the wrong thread";
      grading::report_verdict(grading::Verdict::kWrongResult, detail);
      ADD_FAILURE() << detail;
    }
    grading::tick();
  }

  // "" when the output is exactly the FizzBuzz sequence 1..n; else the first difference.
  std::string problem(int n) const {
    const int printed = count.load();
    for (int i = 1; i <= n; ++i) {
      if (i > printed) {
        return "the output stopped after " + std::to_string(printed) + " of " +
               std::to_string(n) + " entries: " + text(expected_at(i)) + " (entry " +
               std::to_string(i) + ") and after it never printed";
      }
      const int got = codes[static_cast<std::size_t>(i - 1)].load();
      if (got != expected_at(i)) {
        std::string context;
        for (int j = std::max(1, i - 3); j <= std::min(printed, i + 2); ++j) {
          context += (context.empty() ? "" : " ") + text(codes[static_cast<std::size_t>(j - 1)]);
        }
        return "entry " + std::to_string(i) + " should be " + text(expected_at(i)) +
               " but was " + text(got) + " (output around it: ... " + context +
               " ...): a number skipped, doubled or printed by the wrong thread";
      }
    }
    if (printed > n) {
      return std::to_string(printed) + " entries printed for n = " + std::to_string(n) +
             ": the extra one was " + text(codes[static_cast<std::size_t>(n)].load());
    }
    return "";
  }
};

void call(FizzBuzz& fb, int which, Output& out) {
  switch (which) {
    case 0: fb.number([&](int i) { out.print(i); }); break;
    case 1: fb.fizz([&] { out.print(kFizz); }); break;
    case 2: fb.buzz([&] { out.print(kBuzz); }); break;
    default: fb.fizzbuzz([&] { out.print(kFizzBuzz); }); break;
  }
}

const char* kMethods[] = {"number", "fizz", "buzz", "fizzbuzz"};

// One run with four threads started in a random order; joins them (a thread that never returns:
// DEADLOCK) and returns the problem with the output.
std::string run_once(int n, bool noisy) {
  FizzBuzz fb(n);
  Output out(n);
  std::array<int, 4> order = {0, 1, 2, 3};
  for (int i = 3; i > 0; --i) {
    std::swap(order[static_cast<std::size_t>(i)],
              order[grading::random_below(static_cast<std::uint64_t>(i) + 1)]);
  }
  std::vector<std::thread> threads;
  for (int which : order) {
    threads.emplace_back([&, which] {
      if (noisy) grading::jitter();
      call(fb, which, out);
    });
  }
  for (auto& t : threads) t.join();
  grading::tick();
  return out.problem(n);
}

TEST(FizzBuzz, SmallSequencesOnOneThread) {
  {
    FizzBuzz fb(0);
    Output out(0);
    for (int which = 0; which < 4; ++which) call(fb, which, out);
    EXPECT_EQ(out.problem(0), "") << "FizzBuzz(0) prints nothing, and every method returns";
  }
  {
    FizzBuzz fb(2);
    Output out(2);
    for (int which = 0; which < 4; ++which) call(fb, which, out);  // number() first: 1 2
    EXPECT_EQ(out.problem(2), "") << "FizzBuzz(2): number() prints 1 and 2, then all return";
  }
}

TEST(FizzBuzz, PrintsTheSequenceOnFourThreads) {
  for (int n : {15, 16, 30, 31}) {
    ASSERT_EQ(run_once(n, false), "") << "n = " << n;
  }
}

// Every thread must return at the end, whichever kind the last number is and whichever kinds
// never came up at all (a thread left waiting: DEADLOCK).
TEST(FizzBuzz, EveryThreadReturnsWhateverTheLastNumber) {
  for (int repeat = 0; repeat < grading::scaled(3, 10); ++repeat) {
    for (int n = 0; n <= 16; ++n) ASSERT_EQ(run_once(n, true), "") << "n = " << n;
  }
}

TEST(FizzBuzz, NothingSkippedOrDoubledUnderStress) {
  const int rounds = grading::scaled(150, 800);
  for (int round = 0; round < rounds; ++round) {
    const int n = round % 3 == 0 ? 1 + static_cast<int>(grading::random_below(20))
                                 : 1 + static_cast<int>(grading::random_below(100));
    ASSERT_EQ(run_once(n, true), "") << "n = " << n << ", round " << round << " of " << rounds;
  }
}

// fizz(), buzz() and fizzbuzz() wait about half a second for number() to print 1 and 2:
// asleep, they cost almost no CPU and switch out only a few times.
TEST(FizzBuzz, WaitingThreadsSleepInsteadOfSpinning) {
  FizzBuzz fb(15);
  Output out(15);
  std::array<WaitCost, 4> cost;
  std::vector<std::thread> threads;
  for (int which = 1; which < 4; ++which) {
    threads.emplace_back([&, which] {
      WaitCost& mine = cost[static_cast<std::size_t>(which)];
      mine = WaitCost();
      bool first = true;
      auto mark = [&](int code) {
        if (first) mine.stop();
        first = false;
        out.print(code);
      };
      switch (which) {
        case 1: fb.fizz([&] { mark(kFizz); }); break;
        case 2: fb.buzz([&] { mark(kBuzz); }); break;
        default: fb.fizzbuzz([&] { mark(kFizzBuzz); }); break;
      }
    });
  }
  pause_ms(500);
  fb.number([&](int i) { out.print(i); });
  for (auto& t : threads) t.join();
  ASSERT_EQ(out.problem(15), "");
  for (int which = 1; which < 4; ++which) {
    const WaitCost& c = cost[static_cast<std::size_t>(which)];
    std::printf("kata: %s() %s\n", kMethods[which], c.text().c_str());
    // fizzbuzz()'s first turn (15) comes after number() has woken it a dozen times: only fizz()
    // and buzz(), whose first turns are 3 and 5, are judged on their switches.
    if (which == 3 ? c.spun() : c.busy()) {
      KATA_FAIL(kBusyWait) << kMethods[which] << "() " << c.text() << " before its first turn, "
                           << "while number() had not been called: a thread that is not on "
                           << "turn must sleep (a condition variable), not spin or poll";
      return;
    }
  }
}

// Plain (non-atomic) output: each callback must happen-before the next, or ThreadSanitizer
// reports a RACE on it.
TEST(FizzBuzz, EachCallbackHappensBeforeTheNext) {
  for (int round = 0; round < grading::scaled(30, 120); ++round) {
    const int n = 1 + static_cast<int>(grading::random_below(40));
    FizzBuzz fb(n);
    std::vector<int> plain;
    std::vector<std::thread> threads;
    threads.emplace_back([&] { fb.fizz([&] { plain.push_back(kFizz); }); });
    threads.emplace_back([&] { fb.buzz([&] { plain.push_back(kBuzz); }); });
    threads.emplace_back([&] { fb.fizzbuzz([&] { plain.push_back(kFizzBuzz); }); });
    threads.emplace_back([&] { fb.number([&](int i) { plain.push_back(i); }); });
    for (auto& t : threads) t.join();
    grading::tick();
    ASSERT_EQ(static_cast<int>(plain.size()), n);
    for (int i = 1; i <= n; ++i) ASSERT_EQ(plain[static_cast<std::size_t>(i - 1)], expected_at(i));
  }
}

}  // namespace
