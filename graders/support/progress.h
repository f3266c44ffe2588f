// Progress tracking and the per-test watchdog.
//
// GoogleTest has no per-test timeout, and Bazel's is slow and silent. The harness arms a
// watchdog for every test. Test threads report progress with tick(); the watchdog compares
// the counters over a stall window and, when a test stops moving, prints one verdict, the
// stacks of all threads, and ends the process:
//   DEADLOCK   nothing ticked for the whole stall window;
//   STARVATION some registered thread ticked nothing while others kept ticking;
//   TIMEOUT    everything moves, but the test exceeded its time budget.
// run_threads() (stress.h) registers and ticks for its workers; tests with their own threads
// use a ProgressScope.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace kata::grading {

// One thread's progress counter, registered with the watchdog for its lifetime.
class ProgressScope {
 public:
  explicit ProgressScope(std::string name);
  ~ProgressScope();
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

 private:
  int slot_;
};

// Records that the calling thread made progress (one completed operation). Cheap: a relaxed
// increment of a per-thread counter, which adds no happens-before edge to the test.
void tick();

// Seconds without progress after which a test is declared stuck (scaled by the stress level;
// KATA_STALL_SECONDS overrides).
double stall_seconds();

namespace internal {
// Called by the harness's test listener.
void watchdog_start();
void watchdog_arm(const std::string& test_name);
void watchdog_disarm();
}  // namespace internal

}  // namespace kata::grading
