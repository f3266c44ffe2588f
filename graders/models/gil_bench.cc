// Benchmark of models/gil: the same CPU-bound work split over 1, 2 and 4 threads, run with
// the toy GIL (each thread holds it while it computes and calls checkpoint() between steps,
// as CPython's interpreter loop does) and without it. Prints Google Benchmark's table, then
// the Python lesson in one table: without a GIL the work speeds up with the cores; with it,
// more threads only take turns, and the switches cost extra.
//
//   bazel run --config=bench //solutions/models:gil_bench    (or ./kata bench models/gil)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness/bench.h"
#include "kata/not_implemented.h"
#include "models/gil.h"

namespace {

// One step of CPU-bound work ("a few bytecodes"): a fraction of a microsecond of integer
// mixing that the optimiser cannot fold.
__attribute__((noinline)) std::uint64_t step(std::uint64_t x) {
  for (int i = 0; i < 16; ++i) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
  }
  return x;
}

constexpr int kTotalSteps = 2000000;  // split evenly over the threads
constexpr auto kSwitchInterval = std::chrono::microseconds(5000);  // CPython's default

void run(int threads, kata::models::Gil* gil) {
  std::vector<std::thread> workers;
  std::vector<std::uint64_t> results(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([gil, threads, t, &results] {
      std::uint64_t x = static_cast<std::uint64_t>(t) + 1;
      if (gil != nullptr) gil->acquire();
      for (int s = 0; s < kTotalSteps / threads; ++s) {
        x = step(x);
        if (gil != nullptr) gil->checkpoint();
      }
      if (gil != nullptr) gil->release();
      results[static_cast<std::size_t>(t)] = x;
    });
  }
  for (auto& worker : workers) worker.join();
  benchmark::DoNotOptimize(results.data());
}

void BM_WithoutGil(benchmark::State& state) {
  for (auto _ : state) run(static_cast<int>(state.range(0)), nullptr);
  state.SetItemsProcessed(state.iterations() * kTotalSteps);
}

void BM_WithGil(benchmark::State& state) {
  kata::models::Gil gil(kSwitchInterval);
  try {  // an unfinished Gil would throw inside the worker threads: std::terminate
    gil.acquire();
    gil.checkpoint();
    gil.release();
  } catch (const kata::NotImplemented& e) {
    state.SkipWithError(e.what());
    for (auto _ : state) {
    }
    return;
  }
  for (auto _ : state) run(static_cast<int>(state.range(0)), &gil);
  state.SetItemsProcessed(state.iterations() * kTotalSteps);
}

BENCHMARK(BM_WithoutGil)->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK(BM_WithGil)->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  kata::bench::BestOfRepetitions recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::Shutdown();

  auto time = [&](const char* name, int threads) {
    auto it = recorder.ms.find(std::string(name) + "/" + std::to_string(threads) + "/real_time");
    return it == recorder.ms.end() ? -1.0 : it->second;
  };
  const double base_free = time("BM_WithoutGil", 1), base_gil = time("BM_WithGil", 1);
  if (base_free <= 0 || base_gil <= 0) return 0;
  std::printf("\n%d CPU-bound steps split over N threads, switch interval %lld us "
              "(throughput in steps/ms; speed-up over 1 thread; best of 3 runs; %u cores):\n",
              kTotalSteps, static_cast<long long>(kSwitchInterval.count()),
              std::thread::hardware_concurrency());
  std::printf("  %-8s %14s %10s %14s %10s\n", "threads", "without GIL", "speed-up", "with GIL",
              "speed-up");
  for (int threads : {1, 2, 4}) {
    const double free_ms = time("BM_WithoutGil", threads), gil_ms = time("BM_WithGil", threads);
    if (free_ms < 0 || gil_ms < 0) continue;
    std::printf("  %-8d %14.0f %9.2fx %14.0f %9.2fx\n", threads, kTotalSteps / free_ms,
                base_free / free_ms, kTotalSteps / gil_ms, base_gil / gil_ms);
  }
  std::printf("(The GIL column is CPython running threading.Thread on CPU-bound code: no faster\n"
              " with more threads. multiprocessing sidesteps it with one interpreter per core.)\n");
  return 0;
}
