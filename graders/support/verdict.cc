#include "verdict.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "test_state.h"

namespace kata::grading {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNotStarted: return "NOT_STARTED";
    case Verdict::kBuildError: return "BUILD_ERROR";
    case Verdict::kRace: return "RACE";
    case Verdict::kLockOrder: return "LOCK_ORDER";
    case Verdict::kDeadlock: return "DEADLOCK";
    case Verdict::kStarvation: return "STARVATION";
    case Verdict::kWrongResult: return "WRONG_RESULT";
    case Verdict::kCrash: return "CRASH";
    case Verdict::kTimeout: return "TIMEOUT";
    case Verdict::kLeak: return "LEAK";
    case Verdict::kForbidden: return "FORBIDDEN";
    case Verdict::kBusyWait: return "BUSY_WAIT";
  }
  return "CRASH";
}

void report_verdict(Verdict verdict, std::string_view detail) {
  if (internal::verdict_reported.exchange(true)) return;
  char line[1024];
  const char* test = internal::current_test.load(std::memory_order_acquire);
  int n = std::snprintf(line, sizeof line, "\nKATA-VERDICT: %s %s: %.*s\n", verdict_name(verdict),
                        test != nullptr ? test : "(outside any test)",
                        static_cast<int>(detail.size() > 800 ? 800 : detail.size()),
                        detail.data());
  if (n > static_cast<int>(sizeof line)) n = sizeof line;
  // Verdict lines are single lines: fold any newline of the detail into a space.
  for (int i = 1; i < n - 1; ++i) {
    if (line[i] == '\n') line[i] = ' ';
  }
  ssize_t ignored = write(STDOUT_FILENO, line, static_cast<size_t>(n));
  // The time to the verdict, for the selftest's kill matrix.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = static_cast<double>(now.tv_sec - internal::process_start.tv_sec) +
                   static_cast<double>(now.tv_nsec - internal::process_start.tv_nsec) / 1e9;
  n = std::snprintf(line, sizeof line, "kata: verdict after %.3f s\n", seconds);
  ignored = write(STDOUT_FILENO, line, static_cast<size_t>(n));
  (void)ignored;
}

void set_failure_verdict(Verdict verdict) {
  internal::failure_verdict.store(static_cast<int>(verdict), std::memory_order_relaxed);
}

std::string current_test_name() {
  const char* test = internal::current_test.load(std::memory_order_acquire);
  return test != nullptr ? test : "(outside any test)";
}

}  // namespace kata::grading
