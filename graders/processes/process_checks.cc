#include "process_checks.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/progress.h"
#include "harness/verdict.h"

namespace kata::grading::processes {
namespace {

std::string fd_target(int fd) {
  char target[256] = {0};
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "?";
}

// "R sleep" style: the state letter and command of a process, from /proc/<pid>/stat.
std::string describe(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return "pid " + std::to_string(pid);
  std::string comm = line.substr(open + 1, close - open - 1);
  char state = close + 2 < line.size() ? line[close + 2] : '?';
  return "pid " + std::to_string(pid) + " (" + comm + ", " +
         (state == 'Z' ? "a zombie nobody reaped" : "still running") + ")";
}

}  // namespace

std::set<int> open_fds() {
  std::set<int> fds;
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    int fd = std::atoi(entry->d_name);
    if (fd != dirfd(dir)) fds.insert(fd);
  }
  closedir(dir);
  return fds;
}

std::set<int> child_pids() {
  std::set<int> pids;
  const int me = getpid();
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return pids;
  while (dirent* entry = readdir(dir)) {
    int pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(in, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == me) pids.insert(pid);
  }
  closedir(dir);
  return pids;
}

std::string helper_path() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    std::string path = std::string(srcdir) + "/" + workspace + "/graders/processes/child_helper";
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  char* absolute = realpath("graders/processes/child_helper", nullptr);
  std::string path = absolute != nullptr ? absolute : "graders/processes/child_helper";
  std::free(absolute);
  return path;
}

pid_t fork_child(const std::function<int()>& body) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "the grader could not fork: " << std::strerror(errno);
    return pid;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) syscall(SYS_exit_group, 99);
    int code = 100;
    try {
      code = body();
    } catch (...) {
      code = 100;
    }
    syscall(SYS_exit_group, code);
  }
  return pid;
}

int wait_for(pid_t pid, double seconds) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return -2;
    if (std::chrono::steady_clock::now() > until) return -1;
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void kill_and_reap(pid_t pid) {
  kill(pid, SIGKILL);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void ProcessTest::SetUp() {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  // Descriptors the grader inherited must not be blamed on the code under test when they show
  // up in a child: mark them close-on-exec.
  for (int fd : open_fds()) {
    if (fd <= 2) continue;
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
  fds_before_ = open_fds();
}

void ProcessTest::TearDown() {
  std::string problems;
  // A child that was just killed may need a moment to become a zombie; give it a little.
  std::set<int> left = child_pids();
  for (int i = 0; i < 50 && !left.empty(); ++i) {
    bool all_zombies = true;
    for (int pid : left) {
      if (describe(pid).find("zombie") == std::string::npos) all_zombies = false;
    }
    if (all_zombies) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    left = child_pids();
  }
  for (int pid : left) {
    problems += (problems.empty() ? "" : "; ") + std::string("child ") + describe(pid);
  }
  for (int pid : left) kill_and_reap(pid);
  while (true) {  // anything else not reaped (e.g. exited between the scans)
    int status;
    pid_t r = waitpid(-1, &status, WNOHANG);
    if (r <= 0) break;
    problems += (problems.empty() ? "" : "; ") + std::string("a zombie child pid ") +
                std::to_string(r) + " nobody reaped";
  }
  std::set<int> fds_after = open_fds();
  for (int fd : fds_after) {
    if (fds_before_.count(fd) == 0) {
      problems += (problems.empty() ? "" : "; ") + std::string("descriptor ") +
                  std::to_string(fd) + " -> " + fd_target(fd) + " left open";
      close(fd);
    }
  }
  if (problems.empty()) return;
  if (HasFailure()) {
    std::printf("kata: after the failure, the test also left behind: %s\n", problems.c_str());
    return;
  }
  KATA_FAIL(kLeak) << "the test left behind: " << problems
                   << " (every child must be waited for, every descriptor closed)";
}

bool wait_all_children(std::vector<pid_t> pids, const std::atomic<long>& progress,
                       double stall_seconds, const std::string& what,
                       const ChildrenFailure& failure) {
  using Clock = std::chrono::steady_clock;
  long last = progress.load();
  auto last_change = Clock::now();
  bool ok = true;
  while (!pids.empty()) {
    for (std::size_t i = 0; i < pids.size();) {
      int status = 0;
      if (waitpid(pids[i], &status, WNOHANG) != pids[i]) {
        ++i;
        continue;
      }
      if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && ok) {
        std::string how =
            WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status))
                              : "killed by signal " + std::to_string(WTERMSIG(status));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
          how += ": an exception escaped " + failure.exception;
        }
        KATA_FAIL(kCrash) << what << ": a child failed (" << how << ")";
        ok = false;
      }
      pids.erase(pids.begin() + static_cast<long>(i));
    }
    const long now = progress.load();
    if (now != last) {
      last = now;
      last_change = Clock::now();
      tick();
    } else if (std::chrono::duration<double>(Clock::now() - last_change).count() >
               stall_seconds) {
      if (ok) {
        KATA_FAIL(kDeadlock) << what << ": " << pids.size()
                             << " child process(es) made no progress for " << stall_seconds
                             << " s: " << failure.stall;
      }
      for (pid_t pid : pids) kill_and_reap(pid);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return ok;
}

}  // namespace kata::grading::processes
