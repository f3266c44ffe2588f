// Grader of models/false_sharing: slots that start at 0, stay put and are independent; slots
// at least a cache line apart (the property the kata is about, which no test of results can
// see); count_matches exact per chunk, on threads that really run at the same time.
#include "models/false_sharing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::models::count_matches;
using kata::models::kCacheLine;
using kata::models::PerThreadCounters;
namespace grading = kata::grading;

// The cache line of this machine, as the kernel reports it (64 when it does not say).
std::size_t machine_cache_line() {
  const long line = ::sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
  return line > 0 ? static_cast<std::size_t>(line) : 64;
}

bool is_multiple_of_3(int x) { return x % 3 == 0; }

// The predicate of the concurrency test: every thread's first call waits (up to 2 s) until
// `gate_expected` threads have called it, which threads run one after another never reach.
std::atomic<int> gate_expected{0};
std::atomic<int> gate_arrived{0};
std::atomic<bool> gate_timed_out{false};
std::atomic<std::chrono::steady_clock::rep> gate_deadline{0};

thread_local std::uint64_t my_round = 0;
std::atomic<std::uint64_t> gate_round{0};

bool gated_is_even(int x) {
  const std::uint64_t round = gate_round.load();
  if (gate_expected.load() > 0 && my_round != round) {
    my_round = round;
    gate_arrived.fetch_add(1);
    while (gate_arrived.load() < gate_expected.load()) {
      if (std::chrono::steady_clock::now().time_since_epoch().count() > gate_deadline.load()) {
        gate_timed_out = true;
        break;
      }
      grading::tick();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  return x % 2 == 0;
}

std::vector<int> random_data(std::size_t n) {
  std::vector<int> data(n);
  for (int& x : data) x = static_cast<int>(grading::random_below(1000)) - 500;
  return data;
}

std::vector<std::uint64_t> expected_counts(const std::vector<int>& data, int threads,
                                           bool (*pred)(int)) {
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(threads), 0);
  const std::size_t n = data.size();
  for (int t = 0; t < threads; ++t) {
    const std::size_t from = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
    const std::size_t to = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
    for (std::size_t k = from; k < to; ++k) counts[static_cast<std::size_t>(t)] += pred(data[k]);
  }
  return counts;
}

TEST(PerThreadCounters, SlotsStartAtZeroStayPutAndAreIndependent) {
  PerThreadCounters counters(5);
  ASSERT_EQ(counters.size(), 5) << "PerThreadCounters(5) has 5 slots";
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(counters.slot(i), 0u) << "slot " << i << " of a new PerThreadCounters is not 0";
  }
  for (int i = 0; i < 5; ++i) counters.slot(i) = 100 + static_cast<std::uint64_t>(i);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(counters.slot(i), 100u + static_cast<std::uint64_t>(i))
        << "slot " << i << " did not keep its value (slots overlap, or slot() returns a copy)";
    EXPECT_EQ(&counters.slot(i), &counters.slot(i))
        << "slot(" << i << ") must return the same counter on every call";
  }
  ++counters.slot(2);
  EXPECT_EQ(counters.slot(2), 103u);
  EXPECT_EQ(counters.slot(1), 101u) << "incrementing slot 2 changed slot 1";
  EXPECT_EQ(counters.slot(3), 103u) << "incrementing slot 2 changed slot 3";
}

TEST(PerThreadCounters, OutOfRangeSlotsAndCountsAreRefused) {
  PerThreadCounters counters(3);
  EXPECT_THROW(counters.slot(3), std::out_of_range) << "slot(3) of 3 slots";
  EXPECT_THROW(counters.slot(-1), std::out_of_range) << "slot(-1)";
  EXPECT_THROW(PerThreadCounters(0), std::invalid_argument) << "PerThreadCounters(0)";
  std::vector<int> data = {1, 2, 3};
  EXPECT_THROW(count_matches(data, 0, is_multiple_of_3), std::invalid_argument)
      << "count_matches with 0 threads";
}

// The point of the kata. Two slots closer than a cache line can share one, and then two
// threads writing "their own" counters fight over it (false sharing): the results stay right,
// only the speed suffers, so this is checked on the addresses.
TEST(PerThreadCounters, SlotsAreAtLeastACacheLineApart) {
  static_assert(std::is_same_v<std::remove_cv_t<decltype(kCacheLine)>, std::size_t>,
                "kata::models::kCacheLine is a std::size_t constant");
  const std::size_t line = machine_cache_line();
  ASSERT_GE(kCacheLine, std::size_t{64}) << "kCacheLine is 64 on x86-64 (128 is also defensible)";
  ASSERT_EQ(kCacheLine & (kCacheLine - 1), 0u) << "a cache line size is a power of two";
  for (int threads : {2, 3, 4, 8, 13}) {
    PerThreadCounters counters(threads);
    for (int i = 0; i < threads; ++i) {
      for (int j = i + 1; j < threads; ++j) {
        const auto a = reinterpret_cast<std::uintptr_t>(&counters.slot(i));
        const auto b = reinterpret_cast<std::uintptr_t>(&counters.slot(j));
        const std::uintptr_t distance = a > b ? a - b : b - a;
        ASSERT_GE(distance, std::max(kCacheLine, line))
            << "slots " << i << " and " << j << " of a PerThreadCounters(" << threads
            << ") are only " << distance << " bytes apart: two threads writing them would "
            << "share a " << line << "-byte cache line (false sharing). Pad each slot to a "
            << "line of its own";
      }
    }
  }
}

// Exact counts per chunk for sizes smaller than, equal to and not divisible by the number of
// threads: a chunk boundary that drops the remainder, or overlaps, shows up here; threads
// that share an unsynchronised counter show up as a data race.
TEST(CountMatches, CountsEachChunkExactly) {
  std::vector<std::size_t> sizes = {0, 1, 2, 3, 5, 8, 100, 1001, 40000};
  for (int round = 0; round < grading::scaled(2, 6); ++round) {
    for (int threads = 1; threads <= 4; ++threads) {
      for (std::size_t n : sizes) {
        const std::vector<int> data = random_data(n);
        const std::vector<std::uint64_t> got =
            count_matches(std::span<const int>(data), threads, is_multiple_of_3);
        const std::vector<std::uint64_t> want = expected_counts(data, threads, is_multiple_of_3);
        ASSERT_EQ(got.size(), want.size())
            << "count_matches(data, " << threads << ", pred) returns one count per thread";
        for (std::size_t t = 0; t < want.size(); ++t) {
          ASSERT_EQ(got[t], want[t])
              << "count_matches over " << n << " elements with " << threads
              << " threads: chunk " << t << " (elements [" << n * t / want.size() << ", "
              << n * (t + 1) / want.size() << ")) should count " << want[t] << ", not "
              << got[t];
        }
        grading::tick();
      }
    }
  }
}

// All threads count at the same time: the predicate's first call on each thread waits until
// every thread has started, which threads joined one by one never pass.
TEST(CountMatches, ThreadsCountAtTheSameTime) {
  for (int threads = 2; threads <= 4; ++threads) {
    const std::vector<int> data = random_data(200);
    gate_arrived = 0;
    gate_timed_out = false;
    gate_deadline = (std::chrono::steady_clock::now() + std::chrono::seconds(2))
                        .time_since_epoch()
                        .count();
    gate_round.fetch_add(1);
    gate_expected = threads;
    const std::vector<std::uint64_t> got =
        count_matches(std::span<const int>(data), threads, gated_is_even);
    gate_expected = 0;
    ASSERT_EQ(got, expected_counts(data, threads, gated_is_even));
    ASSERT_FALSE(gate_timed_out.load())
        << "count_matches with " << threads << " threads: the threads did not run at the same "
        << "time (each waited 2 s for the others to start)";
    grading::tick();
  }
}

}  // namespace
