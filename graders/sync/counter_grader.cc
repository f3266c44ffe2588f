// Grader of sync/counter: exact totals under contention, an atomic check-then-act, and
// linearizable histories of mixed operations.
#include "sync/counter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "harness/linearizability.h"
#include "harness/progress.h"
#include "harness/stress.h"

namespace {

using kata::sync::Counter;
namespace grading = kata::grading;

TEST(Counter, StartsAtZeroAndAppliesEachUpdateInOrder) {
  Counter counter;
  EXPECT_EQ(counter.value(), 0);
  counter.increment();
  counter.increment();
  EXPECT_EQ(counter.value(), 2);
  counter.add(40);
  EXPECT_EQ(counter.value(), 42);
  counter.add(-50);
  EXPECT_EQ(counter.value(), -8);
}

TEST(Counter, IncrementIfBelowStopsAtTheLimit) {
  Counter counter;
  EXPECT_TRUE(counter.increment_if_below(2));
  EXPECT_TRUE(counter.increment_if_below(2));
  EXPECT_FALSE(counter.increment_if_below(2)) << "the value already equals the limit";
  EXPECT_EQ(counter.value(), 2);
  EXPECT_FALSE(counter.increment_if_below(-5)) << "the value is above the limit";
  EXPECT_EQ(counter.value(), 2);
}

TEST(Counter, ConcurrentIncrementsAndAddsAreAllCounted) {
  const int threads = 4;
  const int per_thread = grading::scaled(5000, 20000);
  for (int round = 0; round < grading::scaled(3, 10); ++round) {
    Counter counter;
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < per_thread; ++i) {
        if (i % 2 == 0) {
          counter.increment();
        } else {
          counter.add(t % 2 == 0 ? 3 : -1);
        }
        if (i % 256 == 0) grading::tick();
      }
    });
    // Per thread: per_thread/2 increments, per_thread/2 adds of +3 (even t) or -1 (odd t).
    const long expected = threads * (per_thread / 2) + 2L * (per_thread / 2) * 3 +
                          2L * (per_thread / 2) * -1;
    ASSERT_EQ(counter.value(), expected)
        << "updates were lost: " << threads << " threads each made " << per_thread
        << " updates (round " << round << ")";
  }
}

TEST(Counter, ReadersNeverSeeTheValueGoBackwards) {
  const int writes = grading::scaled(20000, 80000);
  Counter counter;
  std::atomic<bool> wrong{false};
  grading::run_threads(3, [&](int t) {
    if (t < 2) {
      for (int i = 0; i < writes; ++i) {
        counter.increment();
        if (i % 256 == 0) grading::tick();
      }
      return;
    }
    long last = 0;
    for (int i = 0; i < writes; ++i) {
      long now = counter.value();
      if (now < last || now > 2L * writes) wrong = true;
      last = now;
      if (i % 256 == 0) grading::tick();
    }
  });
  EXPECT_FALSE(wrong.load()) << "value() went backwards or out of range while others incremented";
  EXPECT_EQ(counter.value(), 2L * writes);
}

// Many threads race for the last few places below the limit, round after round: an
// implementation whose check and increment are separate steps lets two threads pass the
// check for the same last place.
TEST(Counter, IncrementIfBelowNeverOvershootsUnderContention) {
  const int rounds = grading::scaled(300, 1500);
  const int threads = 6;
  const long limit = 1000;
  for (int round = 0; round < rounds; ++round) {
    Counter counter;
    counter.add(limit - 4);
    std::atomic<int> granted{0};
    grading::run_threads(threads, [&](int) {
      for (int attempt = 0; attempt < 8; ++attempt) {
        if (counter.increment_if_below(limit)) granted.fetch_add(1);
      }
    });
    ASSERT_EQ(counter.value(), limit)
        << "the limit was overshot in round " << round << ": " << threads
        << " threads called increment_if_below(" << limit << ") from " << limit - 4
        << " and the check and the increment were not one atomic step";
    ASSERT_EQ(granted.load(), 4) << "exactly 4 calls should succeed (round " << round << ")";
    grading::tick();
  }
}

// A sequential counter, the model the linearizability check compares histories with.
struct CounterModel {
  struct Op {
    enum Kind { kIncrement, kAdd, kIncrementIfBelow, kValue } kind;
    long arg;  // the delta of add, the limit of increment_if_below
  };
  using Result = long;  // value(): the value; increment_if_below: 1 (true) or 0 (false)
  using State = long;
  State initial() const { return 0; }
  std::pair<Result, State> apply(State value, const Op& op) const {
    switch (op.kind) {
      case Op::kIncrement:
        return {0, value + 1};
      case Op::kAdd:
        return {0, value + op.arg};
      case Op::kIncrementIfBelow:
        return value < op.arg ? std::pair<Result, State>{1, value + 1}
                              : std::pair<Result, State>{0, value};
      case Op::kValue:
        return {value, value};
    }
    return {0, value};
  }
  std::string op_text(const Op& op) const {
    switch (op.kind) {
      case Op::kIncrement:
        return "increment()";
      case Op::kAdd:
        return "add(" + std::to_string(op.arg) + ")";
      case Op::kIncrementIfBelow:
        return "increment_if_below(" + std::to_string(op.arg) + ")";
      case Op::kValue:
        return "value()";
    }
    return "?";
  }
  std::string result_text(const Op& op, Result result) const {
    if (op.kind == Op::kIncrementIfBelow) return result != 0 ? "true" : "false";
    if (op.kind == Op::kValue) return std::to_string(result);
    return "done";
  }
  std::string state_text(State value) const { return "the value at " + std::to_string(value); }
  std::string name() const { return "a sequential counter"; }
};

// Short rounds of mixed operations from several threads, each round's history checked against
// a sequential counter: every result (each value() read, each increment_if_below answer) must
// be explained by some one-at-a-time order that respects which calls finished before others
// began. This catches lost updates, stale or torn reads and split check-then-acts even when
// the totals happen to come out right.
TEST(Counter, EveryHistoryIsLinearizable) {
  using Op = CounterModel::Op;
  const int rounds = grading::scaled(60, 300);
  const int threads = 4;
  const int ops_per_thread = 16;
  for (int round = 0; round < rounds; ++round) {
    Counter counter;
    grading::History<CounterModel> history(threads);
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < ops_per_thread; ++i) {
        const auto dice = grading::random_below(100);
        if (dice < 30) {
          history.record(t, {Op::kIncrement, 0}, [&] { counter.increment(); });
        } else if (dice < 45) {
          const long delta = static_cast<long>(grading::random_below(6)) - 2;  // -2 .. 3
          history.record(t, {Op::kAdd, delta}, [&] { counter.add(delta); });
        } else if (dice < 75) {
          // Limits near the values the counter goes through, so both answers occur.
          const long limit = 4 + static_cast<long>(grading::random_below(12));
          history.record(t, {Op::kIncrementIfBelow, limit},
                         [&] { return counter.increment_if_below(limit) ? 1L : 0L; });
        } else {
          history.record(t, {Op::kValue, 0}, [&] { return counter.value(); });
        }
        grading::jitter();
        grading::tick();
      }
    });
    auto check = grading::check_linearizable(history, CounterModel{});
    ASSERT_TRUE(check.ok) << "round " << round << ": " << check.explanation;
    grading::tick();
  }
}

}  // namespace
