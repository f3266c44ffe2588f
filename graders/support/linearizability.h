// Linearizability checking: record what each thread did and what it got back, then ask whether
// some one-at-a-time order of the operations explains every result.
//
// Atomicity violations under correct locking, lost wake-ups and wrong orderings leave no data
// race for ThreadSanitizer to report. They do leave results that no sequential execution could
// produce. An object is linearizable when every concurrent history of it can be explained by a
// sequential order of its operations in which each operation takes effect at one instant
// between its call and its return: operations that overlap in time may take effect in either
// order; an operation that returned before another was called takes effect first.
//
// How to use it in a grader:
//   1. Describe the object sequentially: a Model (below) with a copyable, hashable State and
//      apply(state, op) -> (the result a sequential object returns, the next state).
//   2. In each short round, make a fresh object and a History<Model> for the threads; every
//      thread runs its operations through history.record(thread, op, lambda). Each thread
//      appends to its own vector, with timestamps from std::chrono::steady_clock: recording adds
//      no synchronisation, so it cannot hide the implementation's races from ThreadSanitizer.
//   3. After the threads are joined, check_linearizable(history, model) searches for an order
//      (Wing & Gong's search with Lowe's memoisation: a (set of operations already placed,
//      model state) pair that failed once is never explored again). Keep each round to about
//      30-100 operations and run many rounds: the search is exponential in the worst case, and
//      short histories with fresh objects find more bugs per second anyway.
//
// A Model is a small struct (copyable; the checker takes it by const reference):
//   struct CounterModel {
//     struct Op { enum Kind { kIncrement, kValue } kind; };
//     using Result = long;   // compared with ==; record() default-constructs it for void calls
//     using State = long;    // copyable, ==, hashable: std::hash, a range of hashable values,
//                            // or give the model a `std::size_t hash(const State&) const`
//     State initial() const { return 0; }
//     // The result a sequential counter in `state` returns for `op`, and its next state.
//     // apply may instead return std::optional<std::pair<Result, State>>, std::nullopt
//     // meaning "op cannot take effect in this state" (a blocking call, e.g. put on a full
//     // queue: it takes effect later, when there is room).
//     std::pair<Result, State> apply(const State& s, const Op& op) const {
//       if (op.kind == Op::kIncrement) return {0, s + 1};
//       return {s, s};
//     }
//     // How the failure report writes operations and results, in the learner's terms.
//     std::string op_text(const Op& op) const {
//       return op.kind == Op::kIncrement ? "increment()" : "value()";
//     }
//     std::string result_text(const Op& op, const Result& r) const {
//       return op.kind == Op::kIncrement ? "done" : std::to_string(r);
//     }
//     // Optional: std::string state_text(const State&) const; std::string name() const
//     // ("a counter"), used in the report.
//   };
//
// and a round of a grader:
//   kata::sync::Counter counter;
//   grading::History<CounterModel> history(/*threads=*/4);
//   grading::run_threads(4, [&](int t) {
//     for (int i = 0; i < 20; ++i) {
//       if (grading::random_below(2) == 0) {
//         history.record(t, {CounterModel::Op::kIncrement}, [&] { counter.increment(); });
//       } else {
//         history.record(t, {CounterModel::Op::kValue}, [&] { return counter.value(); });
//       }
//       grading::tick();
//     }
//   });
//   auto check = grading::check_linearizable(history, CounterModel{});
//   ASSERT_TRUE(check.ok) << check.explanation;
//
// The explanation's first line says what went wrong (the longest order that explains the
// history, the state it leaves, and what each operation that could come next returned versus
// what the model expects); the following lines list the whole history, one operation a line,
// with thread, call and return times, operation and result.
//
// An operation whose lambda throws is not recorded (the exception propagates): record
// exceptions the contract specifies (a closed queue, a timeout) as results instead.
#pragma once

#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "progress.h"

namespace kata::grading {

// The history of one round: per thread, the operations it ran, in order.
template <class Model>
class History {
 public:
  using Op = typename Model::Op;
  using Result = typename Model::Result;
  using Clock = std::chrono::steady_clock;

  struct Event {
    int thread;
    Op op;
    Result result;
    Clock::time_point call;
    Clock::time_point ret;
  };

  // `threads` test threads, numbered 0 .. threads - 1.
  explicit History(int threads, std::size_t reserve_per_thread = 128)
      : logs_(static_cast<std::size_t>(threads)) {
    for (auto& log : logs_) log.reserve(reserve_per_thread);
  }

  // Runs `operation` (a callable returning Result, or void) as `op` of thread `thread`, and
  // records its call time, return time and result. Only thread `thread` may record as
  // `thread`; different threads record concurrently without synchronising.
  template <class F>
  Result record(int thread, const Op& op, F&& operation) {
    std::vector<Event>& log = logs_.at(static_cast<std::size_t>(thread));
    const Clock::time_point call = Clock::now();
    Result result{};
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      operation();
    } else {
      result = operation();
    }
    const Clock::time_point ret = Clock::now();
    log.push_back(Event{thread, op, result, call, ret});
    return result;
  }

  // Adds an operation with given times (for histories written by hand, e.g. in tests).
  void add(int thread, const Op& op, const Result& result, Clock::time_point call,
           Clock::time_point ret) {
    if (ret < call) throw std::invalid_argument("History::add: returns before it is called");
    logs_.at(static_cast<std::size_t>(thread)).push_back(Event{thread, op, result, call, ret});
  }

  // All operations, ordered by call time. Call only once the recording threads are joined.
  std::vector<Event> events() const {
    std::vector<Event> all;
    for (const auto& log : logs_) all.insert(all.end(), log.begin(), log.end());
    std::stable_sort(all.begin(), all.end(),
                     [](const Event& a, const Event& b) { return a.call < b.call; });
    return all;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& log : logs_) n += log.size();
    return n;
  }

  int threads() const { return static_cast<int>(logs_.size()); }

 private:
  std::vector<std::vector<Event>> logs_;  // logs_[t] is written by thread t only
};

// What check_linearizable found.
struct LinearizabilityCheck {
  bool ok = true;             // an order was found (or the search gave up: see inconclusive)
  bool inconclusive = false;  // the search hit its step budget; nothing was proved either way
  std::string explanation;    // why not (empty when ok and conclusive)
  std::uint64_t steps = 0;    // search steps taken
  explicit operator bool() const { return ok; }
};

struct LinearizabilityOptions {
  std::uint64_t max_steps = std::uint64_t{1} << 22;  // then give up (ok, inconclusive)
  std::size_t max_listed = 150;                      // operations listed in the explanation
};

namespace lin_internal {

inline void hash_combine(std::size_t& seed, std::size_t value) {
  seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

template <class T>
std::size_t hash_value(const T& value);

template <class A, class B>
std::size_t hash_value(const std::pair<A, B>& value) {
  std::size_t seed = hash_value(value.first);
  hash_combine(seed, hash_value(value.second));
  return seed;
}

template <class T>
std::size_t hash_value(const T& value) {
  if constexpr (requires { std::hash<T>{}(value); }) {
    return std::hash<T>{}(value);
  } else if constexpr (std::ranges::range<T>) {
    std::size_t seed = 0x51ed270b;
    for (const auto& element : value) hash_combine(seed, hash_value(element));
    return seed;
  } else {
    static_assert(sizeof(T) == 0,
                  "linearizability: the model's State needs std::hash, or to be a range of "
                  "hashable values, or the model needs `std::size_t hash(const State&) const`");
    return 0;
  }
}

template <class Model>
std::size_t hash_state(const Model& model, const typename Model::State& state) {
  if constexpr (requires { { model.hash(state) } -> std::convertible_to<std::size_t>; }) {
    return model.hash(state);
  } else {
    return hash_value(state);
  }
}

// apply(state, op) as an optional (result, next state): nullopt when op cannot take effect.
template <class Model>
std::optional<std::pair<typename Model::Result, typename Model::State>> step(
    const Model& model, const typename Model::State& state, const typename Model::Op& op) {
  return model.apply(state, op);
}

template <class Model>
std::string state_text(const Model& model, const typename Model::State& state) {
  if constexpr (requires { { model.state_text(state) } -> std::convertible_to<std::string>; }) {
    return model.state_text(state);
  } else {
    return "";
  }
}

template <class Model>
std::string model_name(const Model& model) {
  if constexpr (requires { { model.name() } -> std::convertible_to<std::string>; }) {
    return model.name();
  } else {
    return "the sequential object";
  }
}

// A set of operations, as a bitset.
class Bits {
 public:
  explicit Bits(std::size_t n) : words_((n + 63) / 64, 0) {}
  void set(std::size_t i) { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  void reset(std::size_t i) { words_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
  bool operator==(const Bits&) const = default;
  std::size_t hash() const {
    std::size_t seed = words_.size();
    for (std::uint64_t w : words_) hash_combine(seed, std::hash<std::uint64_t>{}(w));
    return seed;
  }

 private:
  std::vector<std::uint64_t> words_;
};

inline std::string micros(std::chrono::steady_clock::duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f",
                std::chrono::duration<double, std::micro>(d).count());
  return text;
}

}  // namespace lin_internal

// Whether some sequential order of `history`'s operations, consistent with their real-time
// order, gives every recorded result under `model`. See the file comment.
template <class Model>
LinearizabilityCheck check_linearizable(const History<Model>& history, const Model& model = {},
                                        const LinearizabilityOptions& options = {}) {
  using State = typename Model::State;
  using Event = typename History<Model>::Event;
  using namespace lin_internal;

  const std::vector<Event> events = history.events();
  const int n = static_cast<int>(events.size());
  LinearizabilityCheck check;
  if (n == 0) return check;

  // The entries: node i < n is the call of events[i], node n + i its return, ordered by time
  // (calls before returns at equal times: overlapping is the lenient reading). Two sentinels.
  const int head = 2 * n, tail = 2 * n + 1;
  std::vector<int> order(static_cast<std::size_t>(2 * n));
  for (int i = 0; i < 2 * n; ++i) order[static_cast<std::size_t>(i)] = i;
  auto time_of = [&](int node) {
    return node < n ? events[static_cast<std::size_t>(node)].call
                    : events[static_cast<std::size_t>(node - n)].ret;
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (time_of(a) != time_of(b)) return time_of(a) < time_of(b);
    return (a < n) > (b < n);
  });
  std::vector<int> prev(static_cast<std::size_t>(2 * n + 2)),
      next(static_cast<std::size_t>(2 * n + 2));
  auto P = [&](int node) -> int& { return prev[static_cast<std::size_t>(node)]; };
  auto N = [&](int node) -> int& { return next[static_cast<std::size_t>(node)]; };
  int last = head;
  for (int node : order) {
    N(last) = node;
    P(node) = last;
    last = node;
  }
  N(last) = tail;
  P(tail) = last;
  // Removes operation i (its call and return) from the list; unlift restores it (LIFO).
  auto lift = [&](int i) {
    for (int node : {i, n + i}) {
      N(P(node)) = N(node);
      P(N(node)) = P(node);
    }
  };
  auto unlift = [&](int i) {
    for (int node : {n + i, i}) {
      N(P(node)) = node;
      P(N(node)) = node;
    }
  };

  struct Key {
    Bits placed;
    State state;
    bool operator==(const Key& other) const {
      return placed == other.placed && state == other.state;
    }
  };
  auto key_hash = [&model](const Key& key) {
    std::size_t seed = key.placed.hash();
    hash_combine(seed, hash_state(model, key.state));
    return seed;
  };
  std::unordered_set<Key, decltype(key_hash)> seen(1024, key_hash);

  struct Frame {
    int event;
    State before;
  };
  std::vector<Frame> stack;
  State state = model.initial();
  Bits placed(static_cast<std::size_t>(n));

  // The deepest point the search reached, for the explanation.
  std::vector<int> best_order;
  std::optional<State> best_state;
  std::vector<int> best_candidates;

  auto explain = [&]() {
    const auto t0 = events.front().call;
    auto op_line = [&](int i) {
      const Event& e = events[static_cast<std::size_t>(i)];
      return "#" + std::to_string(i) + " T" + std::to_string(e.thread) + " " +
             model.op_text(e.op) + " -> " + model.result_text(e.op, e.result);
    };
    std::string name = model_name(model);
    std::string text = "not linearizable: no one-at-a-time order of these " + std::to_string(n) +
                       " operations by " + std::to_string(history.threads()) +
                       " threads gives the results they got from " + name + ".";
    if (best_state) {
      std::string st = state_text(model, *best_state);
      text += " The longest order that fits places " + std::to_string(best_order.size()) +
              " of them" + (st.empty() ? std::string() : ", leaving " + st) +
              "; then every operation that may come next disagrees:";
      int shown = 0;
      for (int i : best_candidates) {
        if (shown > 0) text += ";";
        if (++shown > 6) {
          text += " ...";
          break;
        }
        const Event& e = events[static_cast<std::size_t>(i)];
        auto outcome = step(model, *best_state, e.op);
        text += " " + op_line(i);
        if (!outcome) {
          text += " (cannot take effect now: it would wait)";
        } else if (!(outcome->first == e.result)) {
          text += " (" + name + " returns " + model.result_text(e.op, outcome->first) + ")";
        } else {
          text += " (fits here, but then the rest fits no order)";
        }
      }
      text += ".";
    }
    text += "\nHistory of the round (T = thread; [call, return] in microseconds from the first "
            "call; operations whose intervals overlap may take effect in either order):";
    for (int i = 0; i < n; ++i) {
      if (static_cast<std::size_t>(i) >= options.max_listed) {
        text += "\n... " + std::to_string(n - i) + " more";
        break;
      }
      const Event& e = events[static_cast<std::size_t>(i)];
      text += "\n#" + std::to_string(i) + " T" + std::to_string(e.thread) + " [" +
              micros(e.call - t0) + ", " + micros(e.ret - t0) + "] " + model.op_text(e.op) +
              " -> " + model.result_text(e.op, e.result);
    }
    text += "\nLongest order that fits:";
    if (best_order.empty()) text += " (none: no operation can go first)";
    for (int i : best_order) text += " #" + std::to_string(i);
    return text;
  };

  int entry = N(head);
  while (N(head) != tail) {
    if (++check.steps % 1024 == 0) tick();  // a long search is progress, not a deadlock
    if (check.steps > options.max_steps) {
      check.inconclusive = true;
      check.explanation = "linearizability search gave up after " +
                          std::to_string(options.max_steps) + " steps (" + std::to_string(n) +
                          " operations): use shorter rounds";
      return check;
    }
    if (entry < n) {  // a call: try to make this operation the next to take effect
      const Event& e = events[static_cast<std::size_t>(entry)];
      auto outcome = step(model, state, e.op);
      if (outcome && outcome->first == e.result) {
        placed.set(static_cast<std::size_t>(entry));
        if (seen.insert(Key{placed, outcome->second}).second) {
          stack.push_back(Frame{entry, std::move(state)});
          state = std::move(outcome->second);
          lift(entry);
          entry = N(head);
          continue;
        }
        placed.reset(static_cast<std::size_t>(entry));  // explored before, and it failed
      }
      entry = N(entry);
    } else {  // a return: the operation it ends must already have taken effect; backtrack
      if (!best_state || stack.size() > best_order.size()) {
        best_order.clear();
        for (const Frame& f : stack) best_order.push_back(f.event);
        best_state = state;
        best_candidates.clear();
        for (int node = N(head); node < n; node = N(node)) best_candidates.push_back(node);
      }
      if (stack.empty()) {
        check.ok = false;
        check.explanation = explain();
        return check;
      }
      Frame frame = std::move(stack.back());
      stack.pop_back();
      state = std::move(frame.before);
      placed.reset(static_cast<std::size_t>(frame.event));
      unlift(frame.event);
      entry = N(frame.event);
    }
  }
  return check;
}

}  // namespace kata::grading
