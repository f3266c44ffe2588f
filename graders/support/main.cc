// The grader's main(): GoogleTest plus the harness that turns every failure into a verdict.
//
// It installs a test listener (watchdog per test, verdict per failing test), handlers for
// crashes, std::terminate and premature exit, and prints the run's level and seed so that a
// failure can be replayed (KATA_SEED=<seed>).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kata/not_implemented.h"
#include "forbidden.h"
#include "progress.h"
#include "stacks.h"
#include "stress.h"
#include "test_state.h"
#include "verdict.h"

namespace kata::grading {
namespace {

using internal::current_test;
using internal::failure_verdict;
using internal::verdict_reported;

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// A failure message in one line: the test's own explanation first (GoogleTest puts it after
// its "Expected equality of these values: ..." lines), then the compared values and where.
std::string summarize(const testing::TestPartResult& result) {
  std::vector<std::string> lines;
  std::string message = result.message();
  std::size_t begin = 0;
  while (begin <= message.size()) {
    std::size_t end = message.find('\n', begin);
    if (end == std::string::npos) end = message.size();
    std::string line = message.substr(begin, end - begin);
    if (!line.empty()) lines.push_back(line);
    begin = end + 1;
  }
  auto is_framework_line = [](const std::string& line) {
    for (const char* prefix : {"Expected", "  Actual", "Actual", "Value of", "Which is", "Failed",
                               "The difference", "Google Mock", "Mock function"}) {
      if (line.rfind(prefix, 0) == 0) return true;
    }
    return !line.empty() && line[0] == ' ';
  };
  std::size_t own = lines.size();
  while (own > 0 && !is_framework_line(lines[own - 1])) --own;
  std::string explanation, values;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string& target = i < own ? values : explanation;
    std::size_t first = lines[i].find_first_not_of(' ');
    if (!target.empty()) target += ' ';
    target += lines[i].substr(first == std::string::npos ? 0 : first);
  }
  std::string where;
  if (result.file_name() != nullptr) {
    where = std::string(result.file_name()) + ":" + std::to_string(result.line_number());
  }
  std::string text = explanation.empty() ? values : explanation;
  if (text.size() > 400) text = text.substr(0, 397) + "...";
  std::string context = explanation.empty() || values.empty() ? where : values + "; " + where;
  if (context.size() > 240) context = context.substr(0, 237) + "...";
  return context.empty() ? text : text + " [" + context + "]";
}

class VerdictListener : public testing::EmptyTestEventListener {
 public:
  void OnTestStart(const testing::TestInfo& info) override {
    std::string name = std::string(info.test_suite_name()) + "." + info.name();
    // Kept for the whole run (and reachable, so LeakSanitizer does not count it): other
    // threads and handlers may still read the previous test's name.
    {
      std::lock_guard<std::mutex> lock(mu_);
      names_.push_back(name);
      current_test.store(names_.back().c_str(), std::memory_order_release);
    }
    verdict_reported.store(false);
    failure_verdict.store(-1);
    {
      std::lock_guard<std::mutex> lock(mu_);
      first_failure_.clear();
      not_implemented_.clear();
      uncaught_.clear();
    }
    internal::watchdog_arm(name);
  }

  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::string message = result.message();
    std::lock_guard<std::mutex> lock(mu_);
    if (contains(message, "kata::NotImplemented")) {
      if (not_implemented_.empty()) {
        std::size_t begin = message.find("kata::NotImplemented");
        std::size_t end = message.find('"', begin);
        not_implemented_ = message.substr(begin, end == std::string::npos ? end : end - begin);
      }
    } else if (contains(message, "thrown in the test body") || contains(message, "thrown in SetUp") ||
               contains(message, "thrown in TearDown")) {
      if (uncaught_.empty()) uncaught_ = summarize(result);
    } else if (first_failure_.empty()) {
      first_failure_ = summarize(result);
    }
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    internal::watchdog_disarm();
    report_failure(info);
    // After the failure's verdict, so a leak is the verdict only of a test that passed; the
    // check still runs, so that a failed test's leak is never blamed on a later test.
    internal::check_leaks_after_test();
  }

 private:
  void report_failure(const testing::TestInfo& info) {
    if (info.result()->Passed() || info.result()->Skipped()) return;
    std::lock_guard<std::mutex> lock(mu_);
    int pending = failure_verdict.load();
    if (!not_implemented_.empty()) {
      report_verdict(Verdict::kNotStarted, not_implemented_);
    } else if (!uncaught_.empty()) {
      report_verdict(Verdict::kCrash, "uncaught exception: " + uncaught_);
    } else if (pending >= 0) {
      report_verdict(static_cast<Verdict>(pending), first_failure_);
    } else {
      report_verdict(Verdict::kWrongResult, first_failure_);
    }
  }

  std::mutex mu_;
  std::deque<std::string> names_;  // every test's name; a deque never moves its elements
  std::string first_failure_;    // guarded by mu_
  std::string not_implemented_;  // guarded by mu_
  std::string uncaught_;         // guarded by mu_
};

void on_terminate() {
  std::string what = "std::terminate called";
  bool not_started = false;
  if (auto error = std::current_exception()) {
    try {
      std::rethrow_exception(error);
    } catch (const kata::NotImplemented& e) {
      not_started = true;
      what = e.what();
    } catch (const std::exception& e) {
      what = std::string("uncaught exception in a thread: ") + e.what();
    } catch (...) {
      what = "uncaught exception of unknown type in a thread";
    }
  } else {
    what += " (a std::thread destroyed while joinable, or a noexcept function threw)";
  }
  report_verdict(not_started ? Verdict::kNotStarted : Verdict::kCrash, what);
  std::fflush(stdout);
  std::abort();
}

void on_fatal_signal(int signal_number) {
  char detail[128];
  std::snprintf(detail, sizeof detail, "the process received signal %d (%s)", signal_number,
                strsignal(signal_number));
  report_verdict(Verdict::kCrash, detail);
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

void on_exit() {
  if (internal::all_tests_done.load()) return;
  if (current_test.load() == nullptr) return;
  report_verdict(Verdict::kCrash, "the program exited in the middle of the test (exit() called)");
}

// --kata_impl_dir=DIR: where the implementation under test lives (for stack summaries);
// --kata_facts=FILE: the kata's facts written by tools/kata.bzl (learner files, forbidden).
void parse_harness_flags(int argc, char** argv) {
  const std::string impl_flag = "--kata_impl_dir=";
  const std::string facts_flag = "--kata_facts=";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind(impl_flag, 0) == 0) {
      internal::impl_dir.store(strdup(arg.c_str() + impl_flag.size()), std::memory_order_release);
    } else if (arg.rfind(facts_flag, 0) == 0) {
      internal::register_forbidden_check(arg.substr(facts_flag.size()));
    }
  }
}

// With KATA_NOISE=1, runs this program again with the schedule-noise shim preloaded
// (graders/support/noise/noise.c), given as --kata_noise_lib=PATH. Returns only when there is
// nothing to do or the shim cannot be loaded.
void reexec_with_noise(int argc, char** argv) {
  const char* wanted = std::getenv("KATA_NOISE");
  if (wanted == nullptr || std::strcmp(wanted, "1") != 0) return;
  if (std::getenv("KATA_NOISE_ACTIVE") != nullptr) return;
  const std::string flag = "--kata_noise_lib=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], flag.c_str(), flag.size()) != 0) continue;
    char* path = realpath(argv[i] + flag.size(), nullptr);
    if (path == nullptr) break;
    // The seed must be the same in both processes, so fix it now.
    std::string seed_text = std::to_string(seed());
    setenv("KATA_SEED", seed_text.c_str(), 1);
    setenv("LD_PRELOAD", path, 1);
    setenv("KATA_NOISE_ACTIVE", "1", 1);
    execv("/proc/self/exe", argv);
    break;
  }
  std::printf("kata: warning: KATA_NOISE=1 but the noise shim could not be loaded\n");
}

}  // namespace
}  // namespace kata::grading

int main(int argc, char** argv) {
  using namespace kata::grading;
  reexec_with_noise(argc, argv);
  testing::InitGoogleMock(&argc, argv);
  parse_harness_flags(argc, argv);
  std::printf("kata: level=%s seed=%llu stall=%.0fs noise=%s (replay with KATA_SEED=%llu)\n",
              level_name(), static_cast<unsigned long long>(seed()), stall_seconds(),
              std::getenv("KATA_NOISE_ACTIVE") != nullptr ? "on" : "off",
              static_cast<unsigned long long>(seed()));
  std::fflush(stdout);

  testing::UnitTest::GetInstance()->listeners().Append(new VerdictListener);
  std::set_terminate(on_terminate);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(s, on_fatal_signal);
  std::atexit(on_exit);
  allow_debugger_attach();
  internal::watchdog_start();

  int status = RUN_ALL_TESTS();
  internal::all_tests_done.store(true);
  return status;
}
