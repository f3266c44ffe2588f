// The linearizability checker accepts histories that some sequential order explains (also when
// that order differs from the call order) and rejects the others, with a readable explanation.
#include "harness/linearizability.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"

namespace {

namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;

// A read/write register holding an int, initially 0.
struct RegisterModel {
  struct Op {
    bool write;
    int value;
  };
  using Result = int;  // the value read; 0 for writes
  using State = int;
  State initial() const { return 0; }
  std::pair<Result, State> apply(const State& s, const Op& op) const {
    if (op.write) return {0, op.value};
    return {s, s};
  }
  std::string op_text(const Op& op) const {
    return op.write ? "write(" + std::to_string(op.value) + ")" : "read()";
  }
  std::string result_text(const Op& op, const Result& r) const {
    return op.write ? "done" : std::to_string(r);
  }
  std::string state_text(const State& s) const { return "the register holding " + std::to_string(s); }
  std::string name() const { return "a register"; }
};

// A FIFO queue of ints; with a capacity, put() blocks while it is full.
struct QueueModel {
  struct Op {
    enum Kind { kPut, kGet } kind;
    int value;
  };
  using Result = std::optional<int>;  // get: the item; put: nullopt
  using State = std::deque<int>;      // hashed as a range
  std::size_t capacity = 0;           // 0: unbounded
  State initial() const { return {}; }
  std::optional<std::pair<Result, State>> apply(const State& s, const Op& op) const {
    State next = s;
    if (op.kind == Op::kPut) {
      if (capacity != 0 && s.size() >= capacity) return std::nullopt;  // it would wait
      next.push_back(op.value);
      return std::make_pair(Result{}, next);
    }
    if (s.empty()) return std::make_pair(Result{}, next);
    Result front = next.front();
    next.pop_front();
    return std::make_pair(front, next);
  }
  std::string op_text(const Op& op) const {
    return op.kind == Op::kPut ? "put(" + std::to_string(op.value) + ")" : "get()";
  }
  std::string result_text(const Op& op, const Result& r) const {
    if (op.kind == Op::kPut) return "done";
    return r ? std::to_string(*r) : "nothing";
  }
  std::string name() const { return "a FIFO queue"; }
};

// A counter, initially 0.
struct CounterModel {
  struct Op {
    bool increment;
  };
  using Result = long;
  using State = long;
  State initial() const { return 0; }
  std::pair<Result, State> apply(const State& s, const Op& op) const {
    if (op.increment) return {0, s + 1};
    return {s, s};
  }
  std::string op_text(const Op& op) const { return op.increment ? "increment()" : "value()"; }
  std::string result_text(const Op& op, const Result& r) const {
    return op.increment ? "done" : std::to_string(r);
  }
};

// Hand-written histories: times in microseconds from a fixed origin.
template <class Model>
class Builder {
 public:
  explicit Builder(int threads) : history(threads), origin_(Clock::now()) {}
  Builder& add(int thread, typename Model::Op op, typename Model::Result result, int call_us,
               int return_us) {
    history.add(thread, op, result, origin_ + std::chrono::microseconds(call_us),
                origin_ + std::chrono::microseconds(return_us));
    return *this;
  }
  grading::History<Model> history;

 private:
  Clock::time_point origin_;
};

RegisterModel::Op write(int v) { return {true, v}; }
RegisterModel::Op read() { return {false, 0}; }
QueueModel::Op put(int v) { return {QueueModel::Op::kPut, v}; }
QueueModel::Op get() { return {QueueModel::Op::kGet, 0}; }

TEST(Linearizability, EmptyHistoryIsLinearizable) {
  grading::History<RegisterModel> history(3);
  EXPECT_TRUE(grading::check_linearizable(history, RegisterModel{}).ok);
}

TEST(Linearizability, AcceptsASequentialHistory) {
  Builder<RegisterModel> b(2);
  b.add(0, write(1), 0, 0, 10).add(1, read(), 1, 20, 30).add(0, write(2), 0, 40, 50);
  b.add(1, read(), 2, 60, 70);
  auto check = grading::check_linearizable(b.history, RegisterModel{});
  EXPECT_TRUE(check.ok) << check.explanation;
  EXPECT_TRUE(check.explanation.empty());
}

TEST(Linearizability, AReadOverlappingAWriteMaySeeEitherValue) {
  for (int seen : {0, 1}) {
    Builder<RegisterModel> b(2);
    b.add(0, write(1), 0, 0, 100).add(1, read(), seen, 20, 30);
    auto check = grading::check_linearizable(b.history, RegisterModel{});
    EXPECT_TRUE(check.ok) << "read() -> " << seen << ": " << check.explanation;
  }
}

TEST(Linearizability, FindsAnOrderThatDiffersFromTheCallOrder) {
  // write(1) is called first but must take effect after write(2): the read at 30-40 sees 1,
  // and the read at 120-130 (after both writes returned) also sees 1.
  Builder<RegisterModel> b(3);
  b.add(0, write(1), 0, 0, 100).add(1, write(2), 0, 10, 20).add(2, read(), 1, 30, 40);
  b.add(2, read(), 1, 120, 130);
  auto check = grading::check_linearizable(b.history, RegisterModel{});
  EXPECT_TRUE(check.ok) << check.explanation;
}

TEST(Linearizability, RejectsAReadOfAValueNeverWritten) {
  Builder<RegisterModel> b(2);
  b.add(0, write(1), 0, 0, 100).add(1, read(), 7, 20, 30);
  auto check = grading::check_linearizable(b.history, RegisterModel{});
  EXPECT_FALSE(check.ok);
  EXPECT_FALSE(check.inconclusive);
  EXPECT_NE(check.explanation.find("read() -> 7"), std::string::npos) << check.explanation;
  EXPECT_NE(check.explanation.find("a register"), std::string::npos) << check.explanation;
}

TEST(Linearizability, RejectsAStaleReadAfterTheWriteReturned) {
  Builder<RegisterModel> b(2);
  b.add(0, write(1), 0, 0, 10).add(1, read(), 0, 20, 30);
  auto check = grading::check_linearizable(b.history, RegisterModel{});
  EXPECT_FALSE(check.ok);
  // The report names the state the longest order leaves and what the model returns instead.
  EXPECT_NE(check.explanation.find("leaving the register holding 1"), std::string::npos)
      << check.explanation;
  EXPECT_NE(check.explanation.find("returns 1"), std::string::npos) << check.explanation;
}

TEST(Linearizability, AcceptsOverlappingPutsTakenInEitherOrder) {
  Builder<QueueModel> b(3);
  b.add(0, put(1), {}, 0, 30).add(1, put(2), {}, 10, 20);
  b.add(2, get(), 2, 40, 50).add(2, get(), 1, 60, 70).add(2, get(), std::nullopt, 80, 90);
  auto check = grading::check_linearizable(b.history, QueueModel{});
  EXPECT_TRUE(check.ok) << check.explanation;
}

TEST(Linearizability, RejectsAQueuePoppingOutOfOrder) {
  Builder<QueueModel> b(2);
  b.add(0, put(1), {}, 0, 10).add(0, put(2), {}, 20, 30);
  b.add(1, get(), 2, 40, 50).add(1, get(), 1, 60, 70);
  auto check = grading::check_linearizable(b.history, QueueModel{});
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.explanation.find("get() -> 2 (a FIFO queue returns 1)"), std::string::npos)
      << check.explanation;
}

TEST(Linearizability, RejectsAnItemGotTwice) {
  Builder<QueueModel> b(3);
  b.add(0, put(5), {}, 0, 10).add(1, get(), 5, 20, 50).add(2, get(), 5, 30, 40);
  EXPECT_FALSE(grading::check_linearizable(b.history, QueueModel{}).ok);
}

TEST(Linearizability, ABlockingPutTakesEffectOnlyWhenThereIsRoom) {
  QueueModel bounded{.capacity = 1};
  // put(2) is called while the queue is full and waits until get() makes room.
  Builder<QueueModel> ok(2);
  ok.add(0, put(1), {}, 0, 10).add(0, put(2), {}, 20, 100).add(1, get(), 1, 50, 60);
  ok.add(1, get(), 2, 110, 120);
  auto check = grading::check_linearizable(ok.history, bounded);
  EXPECT_TRUE(check.ok) << check.explanation;

  // Here put(2) returned before anything was taken: the queue held two items at once.
  Builder<QueueModel> over(2);
  over.add(0, put(1), {}, 0, 10).add(0, put(2), {}, 20, 30).add(1, get(), 1, 50, 60);
  check = grading::check_linearizable(over.history, bounded);
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.explanation.find("put(2) -> done (cannot take effect now: it would wait)"),
            std::string::npos)
      << check.explanation;
  // Unbounded, the same history is fine.
  EXPECT_TRUE(grading::check_linearizable(over.history, QueueModel{}).ok);
}

TEST(Linearizability, RejectsACounterThatLostAnUpdate) {
  Builder<CounterModel> b(3);
  b.add(0, {true}, 0, 0, 20).add(1, {true}, 0, 5, 25).add(2, {false}, 1, 30, 40);
  auto check = grading::check_linearizable(b.history, CounterModel{});
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.explanation.find("#2 T2 value() -> 1"), std::string::npos) << check.explanation;
  // Without a name() the report still reads well.
  EXPECT_NE(check.explanation.find("the sequential object returns 2"), std::string::npos)
      << check.explanation;

  Builder<CounterModel> fine(3);
  fine.add(0, {true}, 0, 0, 20).add(1, {true}, 0, 5, 25).add(2, {false}, 1, 10, 15);
  fine.add(2, {false}, 2, 30, 40);
  check = grading::check_linearizable(fine.history, CounterModel{});
  EXPECT_TRUE(check.ok) << check.explanation;
}

TEST(Linearizability, ExplanationLinesNeverStartWithASpace) {
  // The harness's one-line summary treats indented lines as GoogleTest's own.
  Builder<QueueModel> b(2);
  b.add(0, put(1), {}, 0, 10).add(0, put(2), {}, 20, 30).add(1, get(), 2, 40, 50);
  auto check = grading::check_linearizable(b.history, QueueModel{});
  ASSERT_FALSE(check.ok);
  EXPECT_EQ(check.explanation.rfind("not linearizable:", 0), 0u) << check.explanation;
  EXPECT_EQ(check.explanation.find("\n "), std::string::npos) << check.explanation;
  EXPECT_NE(check.explanation.find("\n#2 T1 ["), std::string::npos) << check.explanation;
}

// Long, highly concurrent histories stay fast thanks to the memoisation: 8 threads each make
// 12 operations that all overlap with each other's.
TEST(Linearizability, ChecksLongConcurrentHistoriesQuickly) {
  Builder<CounterModel> b(8);
  // Every thread: increment, then value() -> the count so far would be ambiguous; instead all
  // increments overlap, then all reads see the total.
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 10; ++i) b.add(t, {true}, 0, 100 * i + t, 100 * i + 95 + t);
  }
  for (int t = 0; t < 8; ++t) b.add(t, {false}, 80, 2000 + t, 2100);
  auto started = Clock::now();
  auto check = grading::check_linearizable(b.history, CounterModel{});
  EXPECT_TRUE(check.ok) << check.explanation;
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(2)) << check.steps << " steps";

  // And a wrong final read in the same history is refuted quickly, not searched forever.
  Builder<CounterModel> wrong(8);
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 10; ++i) wrong.add(t, {true}, 0, 100 * i + t, 100 * i + 95 + t);
  }
  for (int t = 0; t < 8; ++t) wrong.add(t, {false}, t == 3 ? 79 : 80, 2000 + t, 2100);
  started = Clock::now();
  check = grading::check_linearizable(wrong.history, CounterModel{});
  EXPECT_FALSE(check.ok);
  EXPECT_FALSE(check.inconclusive) << check.explanation;
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(5)) << check.steps << " steps";
}

TEST(Linearizability, GivesUpWithinItsBudget) {
  Builder<CounterModel> wrong(8);
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 10; ++i) wrong.add(t, {true}, 0, 100 * i + t, 100 * i + 95 + t);
  }
  wrong.add(0, {false}, 3, 2000, 2100);
  auto check = grading::check_linearizable(wrong.history, CounterModel{}, {.max_steps = 100});
  EXPECT_TRUE(check.ok);
  EXPECT_TRUE(check.inconclusive);
}

// Recording from real threads: a mutex-protected queue is always linearizable.
TEST(Linearizability, RecordsRealThreads) {
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    std::mutex mu;
    std::deque<int> queue;
    grading::History<QueueModel> history(4);
    grading::run_threads(4, [&](int t) {
      for (int i = 0; i < 15; ++i) {
        if ((i + t) % 2 == 0) {
          history.record(t, put(t * 100 + i), [&] {
            std::lock_guard<std::mutex> lock(mu);
            queue.push_back(t * 100 + i);
          });
        } else {
          history.record(t, get(), [&]() -> std::optional<int> {
            std::lock_guard<std::mutex> lock(mu);
            if (queue.empty()) return std::nullopt;
            int front = queue.front();
            queue.pop_front();
            return front;
          });
        }
        grading::jitter();
        grading::tick();
      }
    });
    ASSERT_EQ(history.size(), 60u);
    auto check = grading::check_linearizable(history, QueueModel{});
    ASSERT_TRUE(check.ok) << "round " << round << ": " << check.explanation;
  }
}

}  // namespace
