// Shared by the processes graders: after every test, no child left behind (running, zombie or
// orphaned) and no descriptor left open; helpers to fork supervised children and to find the
// grader's helper program (child_helper) in the runfiles.
//
// ThreadSanitizer and fork: the grader is multithreaded (the watchdog), so a forked child runs
// with ThreadSanitizer switched off and must not start threads (die_after_fork). Children
// forked here only compute and exit; programs are spawned. What happens inside a child is
// therefore checked by its results, by the zombie/descriptor checks and by the watchdog, not by
// ThreadSanitizer.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kata::grading::processes {

// Base fixture of every processes test. SetUp makes the grader a child subreaper (so that an
// orphaned grandchild becomes our child and is found) and records the open descriptors;
// TearDown fails the test with LEAK if a child process is still there (running or zombie) or a
// descriptor opened during the test is still open, then kills and reaps what was left so the
// next test starts clean.
class ProcessTest : public testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

 private:
  std::set<int> fds_before_;
};

// The open descriptors of this process.
std::set<int> open_fds();

// The path of graders/processes/child_helper in the runfiles.
std::string helper_path();

// Forks a child that runs `body` and exits with its return value (100 if it throws). The child
// dies with SIGKILL if the grader dies (PR_SET_PDEATHSIG), so no child outlives a stuck grader.
pid_t fork_child(const std::function<int()>& body);

// Waits up to `seconds` for `pid` (ticking the watchdog meanwhile). Returns its wait status, or
// -1 when it did not finish in time (it is then left running: see kill_and_reap).
int wait_for(pid_t pid, double seconds);

// What wait_all_children says of children that fail or stop moving.
struct ChildrenFailure {
  std::string exception;  // after "an exception escaped ": what threw (exit code 100)
  std::string stall;      // after "made no progress for N s": the likely cause
};

// Waits for every child in `pids` while they make progress (`progress` grows, shared with
// them). Fails the test with DEADLOCK if none of them moves for `stall_seconds` (then kills
// and reaps them all) and with CRASH if one does not exit with 0. `what` names the children in
// the message. True if all exited with 0.
bool wait_all_children(std::vector<pid_t> pids, const std::atomic<long>& progress,
                       double stall_seconds, const std::string& what,
                       const ChildrenFailure& failure);

// SIGKILLs and reaps `pid`.
void kill_and_reap(pid_t pid);

// Pids of the processes whose parent is this process.
std::set<int> child_pids();

}  // namespace kata::grading::processes
