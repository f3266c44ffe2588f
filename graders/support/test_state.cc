#include "test_state.h"

namespace kata::grading::internal {

std::atomic<const char*> current_test{nullptr};
std::atomic<bool> verdict_reported{false};
std::atomic<int> failure_verdict{-1};
std::atomic<bool> all_tests_done{false};
std::atomic<const char*> impl_dir{""};

namespace {
timespec now_monotonic() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now;
}
}  // namespace

timespec process_start = now_monotonic();

}  // namespace kata::grading::internal
