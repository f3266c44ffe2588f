// Grader of processes/run_process: exit codes and signals, input and output through pipes
// without the pipe deadlock, a timeout that kills and reaps, no descriptor leaked into the
// child or left open, and std::system_error for a program that cannot start.
//
// The programs run here are graders/processes/child_helper (spawned, so ThreadSanitizer is not
// involved in the child). After every test the fixture checks that no child process and no
// descriptor is left behind (verdict LEAK).
#include "processes/run_process.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "graders/processes/process_checks.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::processes::ProcessResult;
using kata::processes::run_process;
namespace grading = kata::grading;
namespace checks = kata::grading::processes;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Long enough never to fire for a correct solution on a loaded machine; the watchdog catches a
// hang long before.
constexpr milliseconds kPatient{120000};

void on_sigpipe(int) {
  grading::report_verdict(grading::Verdict::kCrash,
                          "the grader was killed by SIGPIPE: run_process wrote to a child that "
                          "had stopped reading, without blocking or ignoring SIGPIPE");
  signal(SIGPIPE, SIG_DFL);
  raise(SIGPIPE);
}

class RunProcessTest : public checks::ProcessTest {
 protected:
  void SetUp() override {
    signal(SIGPIPE, on_sigpipe);
    checks::ProcessTest::SetUp();
  }
  std::vector<std::string> helper(std::vector<std::string> args) {
    args.insert(args.begin(), checks::helper_path());
    return args;
  }
};

std::string random_text(std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(grading::random_below(256));
  return s;
}

// What child_helper's flood mode writes on `stream` (1 stdout, 2 stderr), and its checksum of
// stdin.
std::string flood_text(int stream, std::size_t bytes) {
  std::string s(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) {
    s[i] = static_cast<char>('a' + (i * 7 + i / 4096 + stream * 3) % 26);
  }
  return s;
}
std::string stdin_summary(const std::string& input) {
  unsigned long long sum = 0;
  for (unsigned char c : input) sum = sum * 131 + c;
  return "stdin " + std::to_string(input.size()) + " " + std::to_string(sum) + "\n";
}

TEST_F(RunProcessTest, ReportsExitCodeAndBothOutputs) {
  ProcessResult r = run_process(helper({"print", "hello out", "hello err", "7"}), "", kPatient);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.out, "hello out");
  EXPECT_EQ(r.err, "hello err");
  r = run_process(helper({"print", "", "", "0"}), "", kPatient);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(RunProcessTest, MissingProgramThrowsSystemError) {
  try {
    run_process({"/nonexistent/kata-no-such-program"}, "input", kPatient);
    ADD_FAILURE() << "running a program that does not exist must throw std::system_error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ENOENT) << "the error is the errno of the failed exec: "
                                        << e.what();
  }
  // The fixture then checks that no child and no descriptor is left behind.
}

TEST_F(RunProcessTest, ChildGetsOnlyItsThreeDescriptors) {
  ProcessResult r = run_process(helper({"fds"}), "", kPatient);
  EXPECT_EQ(r.exit_code, 0);
  if (!r.out.empty()) {
    KATA_FAIL(kLeak) << "the child inherited descriptors besides stdin, stdout and stderr "
                        "(pipe ends not close-on-exec?): "
                     << r.out;
  }
}

TEST_F(RunProcessTest, ReportsTheSignalThatKilledTheChild) {
  ProcessResult r = run_process(helper({"signal", std::to_string(SIGTERM)}), "", kPatient);
  EXPECT_EQ(r.term_signal, SIGTERM) << "a child killed by SIGTERM";
  EXPECT_EQ(r.exit_code, -1) << "exit_code is -1 when the child did not exit normally";
  EXPECT_FALSE(r.timed_out);
}

TEST_F(RunProcessTest, FeedsInputAndEndsIt) {
  ProcessResult r = run_process(helper({"echo"}), "one line\n", kPatient);
  EXPECT_EQ(r.out, "one line\n") << "the child echoes its stdin; it ends when stdin is closed";
  EXPECT_EQ(r.exit_code, 0);
  r = run_process(helper({"echo"}), "", kPatient);
  EXPECT_EQ(r.out, "") << "empty input: the child's stdin must still be closed";
  EXPECT_EQ(r.exit_code, 0);
  const std::string big = random_text(1 << 20);
  r = run_process(helper({"echo"}), big, kPatient);
  EXPECT_EQ(r.out.size(), big.size()) << "1 MiB echoed back (more than a pipe holds)";
  EXPECT_TRUE(r.out == big) << "the echoed megabyte differs from the input";
}

TEST_F(RunProcessTest, NoPipeDeadlockWithMegabytesBothWays) {
  // The child writes megabytes to stdout and stderr before it reads any input, while the parent
  // has megabytes of input to write: only a parent that services the three pipes at once
  // finishes.
  const std::size_t bytes = static_cast<std::size_t>(grading::scaled(4, 8)) << 20;
  const std::string input = random_text(bytes);
  ProcessResult r = run_process(helper({"flood", std::to_string(bytes)}), input, kPatient);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.err.size(), bytes);
  EXPECT_TRUE(r.err == flood_text(2, bytes)) << "stderr differs from what the child wrote";
  const std::string expected_out = flood_text(1, bytes) + stdin_summary(input);
  EXPECT_EQ(r.out.size(), expected_out.size());
  EXPECT_TRUE(r.out == expected_out)
      << "stdout differs from what the child wrote, or the child did not receive the exact "
         "input (its last line: "
      << r.out.substr(r.out.rfind('\n', r.out.size() >= 2 ? r.out.size() - 2 : 0) + 1) << ")";
}

TEST_F(RunProcessTest, ChildThatIgnoresItsInputIsNotAnError) {
  // The child exits without reading: writing the rest of the input fails with EPIPE (and raises
  // SIGPIPE, which must not kill the caller).
  const std::string input = random_text(4 << 20);
  ProcessResult r = run_process(helper({"ignore_input", "3"}), input, kPatient);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
}

TEST_F(RunProcessTest, TimeoutKillsAndReapsTheChild) {
  // The child prints "started", then sleeps a minute and ignores SIGTERM.
  const auto start = Clock::now();
  ProcessResult r = run_process(helper({"sleep", "60000"}), "", milliseconds(300));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, SIGKILL) << "a timed-out child is killed with SIGKILL";
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(std::string("started\n").rfind(r.out, 0), 0u)
      << "the output read before the timeout is kept (got '" << r.out << "')";
  EXPECT_LT(seconds, 30.0) << "run_process waited for the sleeping child instead of killing it";
  EXPECT_GE(seconds, 0.25) << "run_process gave up before the timeout";
  // The fixture then checks that the child was reaped (no zombie).
}

TEST_F(RunProcessTest, ConcurrentCallsKeepTheirPipesApart) {
  // Calls from several threads: a pipe end created without O_CLOEXEC by one call leaks into the
  // child another call starts at the same moment.
  const int rounds = grading::scaled(15, 40);
  std::vector<std::string> failures(2);
  grading::run_threads(2, [&](int t) {
    for (int i = 0; i < rounds && failures[t].empty(); ++i) {
      const std::string text = "thread " + std::to_string(t) + " round " + std::to_string(i);
      ProcessResult r = run_process(helper({"echo"}), text, kPatient);
      if (r.out != text) failures[t] = "echo of '" + text + "' gave '" + r.out + "'";
      ProcessResult f = run_process(helper({"fds"}), "", kPatient);
      if (!f.out.empty()) failures[t] = "leaked into a child: " + f.out;
      grading::tick();
    }
  });
  for (const std::string& failure : failures) {
    if (failure.rfind("leaked", 0) == 0) {
      KATA_FAIL(kLeak) << failure;
    } else {
      EXPECT_EQ(failure, "");
    }
  }
}

TEST_F(RunProcessTest, ManyRunsLeaveNothingBehind) {
  const int rounds = grading::scaled(30, 100);
  for (int i = 0; i < rounds; ++i) {
    ProcessResult r = run_process(helper({"print", "x", "y", std::to_string(i % 5)}), "z", kPatient);
    ASSERT_EQ(r.exit_code, i % 5);
    grading::tick();
  }
  EXPECT_LT(checks::open_fds().size(), 200u);
}

}  // namespace
