// Benchmark of models/parallel_sum: the same CPU-bound sum, sequential and with 1, 2 and 4
// threads, std::async tasks and forked processes. Prints Google Benchmark's table, then the
// speed-up of each model over the sequential sum: what a learner should see is that in C++
// threads and tasks scale like processes (no GIL), up to the number of cores, and that a
// process costs a fork (and a copy of the page tables) more than a thread.
//
//   bazel run --config=bench //solutions/models:parallel_sum_bench    (or ./kata bench ...)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "harness/bench.h"
#include "kata/not_implemented.h"
#include "models/parallel_sum.h"

namespace {

using kata::models::Term;

// A CPU-bound term: a few hundred nanoseconds of integer mixing, no memory traffic.
std::uint64_t heavy_term(std::uint64_t i) {
  std::uint64_t z = i;
  for (int round = 0; round < 64; ++round) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
  }
  return z;
}

constexpr std::uint64_t kTerms = 400000;

void BM_Sequential(benchmark::State& state) {
  for (auto _ : state) {
    KATA_BENCH_OR_SKIP(kata::models::sum_sequential(kTerms, heavy_term));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTerms));
}

template <std::uint64_t (*Sum)(std::uint64_t, Term, int)>
void BM_Model(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    KATA_BENCH_OR_SKIP(Sum(kTerms, heavy_term, workers));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTerms));
}

BENCHMARK(BM_Sequential)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK_TEMPLATE(BM_Model, kata::models::sum_threads)
    ->Name("BM_Threads")->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK_TEMPLATE(BM_Model, kata::models::sum_async)
    ->Name("BM_Async")->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);
BENCHMARK_TEMPLATE(BM_Model, kata::models::sum_processes)
    ->Name("BM_Processes")->Arg(1)->Arg(2)->Arg(4)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->Repetitions(3);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  kata::bench::BestOfRepetitions recorder;
  benchmark::RunSpecifiedBenchmarks(&recorder);
  benchmark::Shutdown();

  const auto base = recorder.ms.find("BM_Sequential/real_time");
  if (base == recorder.ms.end()) return 0;  // filtered out: no summary
  std::printf("\nSpeed-up over sum_sequential (%llu CPU-bound terms, wall clock, best of 3 runs, "
              "%u cores):\n",
              static_cast<unsigned long long>(kTerms), std::thread::hardware_concurrency());
  std::printf("  %-8s %10s %10s %10s\n", "workers", "threads", "async", "processes");
  for (int workers : {1, 2, 4}) {
    std::printf("  %-8d", workers);
    for (const char* model : {"BM_Threads", "BM_Async", "BM_Processes"}) {
      const auto it = recorder.ms.find(std::string(model) + "/" + std::to_string(workers) +
                                       "/real_time");
      if (it == recorder.ms.end()) {
        std::printf(" %10s", "-");
      } else {
        std::printf(" %9.2fx", base->second / it->second);
      }
    }
    std::printf("\n");
  }
  std::printf("(Python on CPython: threads stay near 1.00x for CPU-bound work because of the GIL;\n"
              " only multiprocessing scales. Here every model can use every core.)\n");
  return 0;
}
