// What the kata benchmarks share: skipping the measurements of unfinished code, and keeping the
// best of repeated runs for the summary table each benchmark prints after Google Benchmark's.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "kata/not_implemented.h"

// Runs one measured call inside a `for (auto _ : state)` loop; an unfinished function
// (kata::NotImplemented) skips the benchmark with the exception's message.
#define KATA_BENCH_OR_SKIP(call)            \
  try {                                     \
    benchmark::DoNotOptimize(call);         \
  } catch (const kata::NotImplemented& e) { \
    state.SkipWithError(e.what());          \
    break;                                  \
  }

namespace kata::bench {

// Google Benchmark's console table, and the fastest wall-clock time (ms, with
// ->Unit(benchmark::kMillisecond)) of each benchmark over its repetitions, keyed by its name
// without "/repeats:N", e.g. "BM_Threads/2/real_time". The fastest, because the machine may be
// shared and other work only ever slows a run.
class BestOfRepetitions : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        const double t = run.GetAdjustedRealTime();
        std::string name = run.benchmark_name();
        const auto repeats = name.find("/repeats:");
        if (repeats != std::string::npos) {
          name.erase(repeats, name.find('/', repeats + 1) - repeats);
        }
        auto [it, fresh] = ms.emplace(name, t);
        if (!fresh && t < it->second) it->second = t;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  std::map<std::string, double> ms;
};

}  // namespace kata::bench
