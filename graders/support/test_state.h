// The harness's view of the running test, shared by the listener, the watchdog, the crash
// handlers and the ThreadSanitizer hook. Atomics only: these are read from other threads and
// from signal handlers.
#pragma once

#include <atomic>
#include <ctime>

namespace kata::grading::internal {

// "Suite.Test" of the running test (a string that is never freed), or nullptr.
extern std::atomic<const char*> current_test;
// Whether the running test has printed its verdict.
extern std::atomic<bool> verdict_reported;
// The Verdict (as int) of the test's next failed expectation; -1 for WRONG_RESULT.
extern std::atomic<int> failure_verdict;
// Whether RUN_ALL_TESTS has returned (an exit before that is premature).
extern std::atomic<bool> all_tests_done;
// The directory of the implementation under test ("exercises/sync"), for filtering stacks.
extern std::atomic<const char*> impl_dir;
// When the process started (CLOCK_MONOTONIC), for the time to a verdict.
extern timespec process_start;

// Under AddressSanitizer: runs LeakSanitizer and gives the running test the verdict LEAK if
// memory is unreachable (only the first such test: see asan_hooks.cc). Elsewhere it does
// nothing.
void check_leaks_after_test();

}  // namespace kata::grading::internal
