// Verdicts: the one-line diagnosis a grader gives for each failing test.
//
// Every failing test prints exactly one line `KATA-VERDICT: <CLASS> <Suite.Test>: <detail>` on
// standard output. The launcher (`./kata`) reads these lines; people read the detail. The
// harness prints most verdicts by itself (ThreadSanitizer reports, the watchdog, crashes,
// kata::NotImplemented, failed expectations); a test names a more precise class with
// KATA_FAIL when a plain expectation would be reported as WRONG_RESULT.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace kata::grading {

enum class Verdict {
  kNotStarted,
  kBuildError,
  kRace,
  kLockOrder,
  kDeadlock,
  kStarvation,
  kWrongResult,
  kCrash,
  kTimeout,
  kLeak,
  kForbidden,
  kBusyWait,
};

// The class name as printed: "NOT_STARTED", "RACE", ...
const char* verdict_name(Verdict verdict);

// Prints the verdict line for the running test (or for `where` outside a test), once per test:
// a second verdict for the same test is dropped, since the first is the cause. Async-signal-safe
// enough for crash handlers: it formats into a fixed buffer and calls write(2).
void report_verdict(Verdict verdict, std::string_view detail);

// Records the class that the next failed expectation of the running test belongs to.
void set_failure_verdict(Verdict verdict);

// "Suite.Test" of the running test, or "(outside any test)".
std::string current_test_name();

}  // namespace kata::grading

// Fails the running test with a verdict class other than WRONG_RESULT, e.g.
//   KATA_FAIL(kStarvation) << "the writer waited " << ms << " ms behind readers";
#define KATA_FAIL(verdict_enumerator)                                                        \
  ::kata::grading::set_failure_verdict(::kata::grading::Verdict::verdict_enumerator);        \
  ADD_FAILURE()
