// Mutant: writes all the input, then reads stdout, then stderr (the pipe deadlock).
#include "processes/run_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace kata::processes {
namespace {

using Clock = std::chrono::steady_clock;

// A descriptor closed on destruction: no path out of run_process leaves one open.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void throw_errno(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

// A pipe whose two ends are close-on-exec: the child gets only the copies that posix_spawn's
// dup2 makes (dup2 clears close-on-exec on the copy).
void make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw_errno(errno, "pipe2");
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
}

// Blocks SIGPIPE in the calling thread while it lives: writing to a child that has exited then
// fails with EPIPE instead of killing the whole process. A SIGPIPE raised meanwhile is
// discarded before the old mask comes back.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (!was_pending_) {
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

pid_t spawn(const std::vector<std::string>& argv, int child_in, int child_out, int child_err) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in, 0);
  posix_spawn_file_actions_adddup2(&actions, child_out, 1);
  posix_spawn_file_actions_adddup2(&actions, child_err, 2);

  // The child starts with no signal blocked (we block SIGPIPE) and SIGPIPE at its default.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, pipe_only;
  sigemptyset(&none);
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &pipe_only);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  int error = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) throw_errno(error, ("cannot run " + argv[0]).c_str());
  return pid;
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Milliseconds left until `deadline`, rounded up, at least 0.
int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

void record_status(int status, ProcessResult& result) {
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("run_process: empty argv");
  const auto deadline = Clock::now() + timeout;
  SigpipeBlocked sigpipe_blocked;

  Fd in_read, in_write, out_read, out_write, err_read, err_write;
  make_pipe(in_read, in_write);
  make_pipe(out_read, out_write);
  make_pipe(err_read, err_write);
  const pid_t pid = spawn(argv, in_read.get(), out_write.get(), err_write.get());
  // The child's ends now belong to the child: closing ours is what lets the reads end.
  in_read.reset();
  out_write.reset();
  err_write.reset();

  ProcessResult result;
  std::size_t written = 0;
  if (input.empty()) in_write.reset();

  // Write all the input, then read stdout to its end, then stderr.
  (void)set_nonblocking;
  char buffer[65536];
  while (written < input.size()) {
    ssize_t w = write(in_write.get(), input.data() + written, input.size() - written);
    if (w <= 0) break;
    written += static_cast<std::size_t>(w);
  }
  in_write.reset();
  for (Fd* fd : {&out_read, &err_read}) {
    std::string& sink = fd == &out_read ? result.out : result.err;
    ssize_t r;
    while ((r = read(fd->get(), buffer, sizeof buffer)) > 0) sink.append(buffer, static_cast<std::size_t>(r));
  }
  in_write.reset();
  out_read.reset();
  err_read.reset();

  // Reap the child: it should exit soon after closing its output; kill it at the deadline.
  int status = 0;
  while (!result.timed_out) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      record_status(status, result);
      return result;
    }
    if (ms_left(deadline) == 0) {
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  record_status(status, result);
  return result;
}

}  // namespace kata::processes
