// Mutant: throws WorkerCrashed at once, leaving the answers of the other busy workers in their channels.
#include "processes/process_pool.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <system_error>

namespace kata::processes {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Writes all of `n` bytes, however many write calls it takes. False if the other end is gone.
// MSG_NOSIGNAL: a dead reader gives EPIPE, not a SIGPIPE that kills us.
bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Reads exactly `n` bytes, however many read calls it takes. False at end of file or error.
bool read_all(int fd, char* data, std::size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, data, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    data += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool send_message(int fd, const std::string& message) {
  std::uint64_t length = message.size();
  return write_all(fd, reinterpret_cast<const char*>(&length), sizeof length) &&
         write_all(fd, message.data(), message.size());
}

std::optional<std::string> receive_message(int fd) {
  std::uint64_t length = 0;
  if (!read_all(fd, reinterpret_cast<char*>(&length), sizeof length)) return std::nullopt;
  std::string message(length, '\0');
  if (!read_all(fd, message.data(), length)) return std::nullopt;
  return message;
}

}  // namespace

ProcessPool::ProcessPool(int workers, Fn fn) : fn_(fn) {
  if (workers < 1) throw std::invalid_argument("ProcessPool: workers < 1");
  try {
    for (int i = 0; i < workers; ++i) workers_.push_back(start_worker());
  } catch (...) {
    for (Worker& w : workers_) {
      close(w.channel);
      waitpid(w.pid, nullptr, 0);
    }
    throw;
  }
}

ProcessPool::~ProcessPool() {
  for (Worker& w : workers_) close(w.channel);  // end of file: every worker leaves its loop
  for (Worker& w : workers_) {
    while (waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

ProcessPool::Worker ProcessPool::start_worker() {
  int ends[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) throw_errno("socketpair");
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    close(ends[0]);
    close(ends[1]);
    errno = error;
    throw_errno("fork");
  }
  if (pid == 0) {
    // The worker: it keeps only its own end. The channels of the workers forked before it are
    // copies it must not hold open, or their workers would never see end of file.
    for (const Worker& other : workers_) close(other.channel);
    close(ends[0]);
    const int channel = ends[1];
    while (std::optional<std::string> input = receive_message(channel)) {
      if (!send_message(channel, fn_(*input))) break;
    }
    _exit(0);
  }
  close(ends[1]);
  return Worker{pid, ends[0]};
}

void ProcessPool::reap(Worker& worker) {
  close(worker.channel);
  while (waitpid(worker.pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  worker.channel = -1;
  worker.pid = -1;
}

std::vector<std::string> ProcessPool::map(const std::vector<std::string>& inputs) {
  std::vector<std::string> results(inputs.size());
  // busy[w]: the index of the input worker w holds, if any.
  std::vector<std::optional<std::size_t>> busy(workers_.size());
  std::size_t next = 0;
  std::optional<std::size_t> crashed;  // the input of the first worker that died

  // A worker died holding input i: reap it, replace it, remember i, stop handing out inputs.
  auto lost = [&](std::size_t w, std::size_t i) {
    reap(workers_[w]);
    workers_[w] = start_worker();
    busy[w].reset();
    if (!crashed) crashed = i;
  };

  while (true) {
    // Hand an input to every idle worker (none once a worker has crashed).
    for (std::size_t w = 0; w < workers_.size() && !crashed; ++w) {
      if (busy[w] || next >= inputs.size()) continue;
      busy[w] = next;
      if (!send_message(workers_[w].channel, inputs[next])) {
        lost(w, next);
      }
      ++next;
    }
    std::vector<pollfd> fds;
    std::vector<std::size_t> owner;
    for (std::size_t w = 0; w < workers_.size(); ++w) {
      if (!busy[w]) continue;
      fds.push_back(pollfd{workers_[w].channel, POLLIN, 0});
      owner.push_back(w);
    }
    if (fds.empty()) break;  // nothing in flight and nothing left to hand out
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      const std::size_t w = owner[k];
      const std::size_t i = *busy[w];
      // The worker writes its whole answer at once: read all of it (many reads if large).
      if (std::optional<std::string> result = receive_message(workers_[w].channel)) {
        results[i] = std::move(*result);
        busy[w].reset();
      } else {
        lost(w, i);
        throw WorkerCrashed(inputs[i]);  // at once: the others' answers stay in their channels
      }
    }
  }
  if (crashed) throw WorkerCrashed(inputs[*crashed]);
  return results;
}

}  // namespace kata::processes
