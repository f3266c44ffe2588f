// Stress helpers: the level, reproducible randomness, a start gate and run_threads.
//
// The stress level (environment variable KATA_LEVEL, set by the launcher and by .bazelrc's
// --config=thorough) scales rounds: `quick` for the learner's inner loop, `thorough` for CI
// and instructors. KATA_SEED fixes the randomness of a run so a failure can be replayed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace kata::grading {

enum class Level { kQuick, kThorough };

Level level();
const char* level_name();

// `quick` at the quick level, `thorough` at the thorough one.
int scaled(int quick, int thorough);

// The run's seed (KATA_SEED, or chosen at start and printed).
std::uint64_t seed();

// A small, fast random generator per thread, derived from the run's seed.
std::uint64_t random_u64();
// Uniform in [0, bound).
std::uint64_t random_below(std::uint64_t bound);

// Schedule noise for test callbacks: usually nothing, sometimes a yield, rarely a short sleep.
void jitter();

// Runs body(0) .. body(threads - 1) on `threads` new threads that start together (after all
// exist), each registered with the watchdog as "<name> <i>". Joins them all, then rethrows
// the first exception by thread index. Worker i ticks progress when body returns; bodies that
// loop should call tick() per iteration.
void run_threads(int threads, const std::function<void(int)>& body,
                 const std::string& name = "thread");

}  // namespace kata::grading
