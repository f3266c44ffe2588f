// Benchmark of models/false_sharing: the same parallel count with the per-thread counters
// packed (eight to a cache line) and padded (one per line), for 1, 2 and 4 threads, and your
// count_matches. Prints Google Benchmark's table, then the comparison: with one thread the
// layouts cost the same; with threads on different cores, packed counters make every
// increment steal the line from the other core.
//
//   bazel run --config=bench //solutions/models:false_sharing_bench    (or ./kata bench ...)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "harness/bench.h"
#include "kata/not_implemented.h"
#include "models/false_sharing.h"

namespace {

// Called through a pointer, as count_matches calls it: the count cannot live in a register.
__attribute__((noinline)) bool is_odd(int x) { return (x & 1) != 0; }

const std::vector<int>& data() {
  static const std::vector<int> values = [] {
    std::vector<int> v(1 << 23);
    std::mt19937 random(42);
    for (int& x : v) x = static_cast<int>(random());
    return v;
  }();
  return values;
}

// The same algorithm as the reference count_matches, over counters of type Slot.
template <class Slot>
std::vector<std::uint64_t> count_with(std::span<const int> items, int threads,
                                      bool (*pred)(int)) {
  std::vector<Slot> slots(static_cast<std::size_t>(threads));
  const std::size_t n = items.size();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    const std::size_t from = n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
    const std::size_t to = n * static_cast<std::size_t>(t + 1) / static_cast<std::size_t>(threads);
    workers.emplace_back([&slots, items, pred, t, from, to] {
      std::uint64_t& mine = slots[static_cast<std::size_t>(t)].value;
      for (std::size_t k = from; k < to; ++k) {
        if (pred(items[k])) ++mine;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  std::vector<std::uint64_t> counts;
  for (const Slot& slot : slots) counts.push_back(slot.value);
  return counts;
}

struct PackedSlot {
  std::uint64_t value = 0;
};
struct alignas(kata::models::kCacheLine) PaddedSlot {
  std::uint64_t value = 0;
};

bool (*volatile predicate)(int) = is_odd;  // opaque to the optimiser

void BM_Packed(benchmark::State& state) {
  for (auto _ : state) {
    KATA_BENCH_OR_SKIP(count_with<PackedSlot>(data(), static_cast<int>(state.range(0)),
                                                    predicate));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data().size()));
}

void BM_Padded(benchmark::State& state) {
  for (auto _ : state) {
    KATA_BENCH_OR_SKIP(count_with<PaddedSlot>(data(), static_cast<int>(state.range(0)),
                                                    predicate));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data().size()));
}

void BM_CountMatches(benchmark::State& state) {
  for (auto _ : state) {
    KATA_BENCH_OR_SKIP(kata::models::count_matches(
        data(), static_cast<int>(state.range(0)), predicate));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data().size()));
}

BENCHMARK(BM_Packed)->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_Padded)->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_CountMatches)->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  data();  // built before the first measurement
  kata::bench::BestOfRepetitions recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::Shutdown();

  auto time = [&](const char* name, int threads) {
    auto it = recorder.ms.find(std::string(name) + "/" + std::to_string(threads) + "/real_time");
    return it == recorder.ms.end() ? -1.0 : it->second;
  };
  std::printf("\nCounting %zu ints, counters packed vs padded to %zu bytes (wall clock, ms, "
              "best of 3 runs; %u cores):\n", data().size(), kata::models::kCacheLine,
              std::thread::hardware_concurrency());
  std::printf("  %-8s %10s %10s %10s %16s\n", "threads", "packed", "padded", "yours",
              "packed/padded");
  for (int threads : {1, 2, 4}) {
    const double packed = time("BM_Packed", threads), padded = time("BM_Padded", threads),
                 yours = time("BM_CountMatches", threads);
    if (packed < 0 || padded < 0) continue;
    char yours_text[32] = "-";  // your count_matches did not run (not implemented yet)
    if (yours >= 0) std::snprintf(yours_text, sizeof yours_text, "%.1f", yours);
    std::printf("  %-8d %10.1f %10.1f %10s %15.2fx\n", threads, packed, padded, yours_text,
                packed / padded);
  }
  return 0;
}
