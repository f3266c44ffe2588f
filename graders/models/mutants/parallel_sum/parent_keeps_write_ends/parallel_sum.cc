// Mutant parent_keeps_write_ends: the parent keeps its copy of each pipe's write end open: descriptors leak, and a read
// waiting for a child that died never sees end of file.
#include "models/parallel_sum.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace kata::models {
namespace {

void check_workers(int workers) {
  if (workers < 1) throw std::invalid_argument("the number of workers must be at least 1");
}

// Chunk k of [0, n) split into `workers` chunks: [begin(k), begin(k + 1)). The product is
// computed in 128 bits so that a huge n cannot overflow.
std::uint64_t chunk_begin(std::uint64_t n, int workers, int k) {
  return static_cast<std::uint64_t>(static_cast<unsigned __int128>(n) *
                                    static_cast<unsigned>(k) / static_cast<unsigned>(workers));
}

std::uint64_t sum_range(std::uint64_t begin, std::uint64_t end, Term f) {
  std::uint64_t total = 0;
  for (std::uint64_t i = begin; i < end; ++i) total += f(i);
  return total;
}

std::system_error os_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

// Writes all of `size` bytes, retrying after a signal or a short write.
bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t written = ::write(fd, p, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    p += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

// Reads exactly `size` bytes; false on end of file before that; -1 (errno set) on error.
int read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t got = ::read(fd, p, size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return -1;
    if (got == 0) return 0;
    p += got;
    size -= static_cast<std::size_t>(got);
  }
  return 1;
}

void close_quietly(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// A started child: its pid and the read end of its pipe. The destructor of Children reaps
// every child not yet waited for and closes every descriptor still open, so no error path
// leaves a zombie or a descriptor behind.
struct Child {
  pid_t pid = -1;
  int fd = -1;
};

struct Children {
  std::vector<Child> all;
  ~Children() {
    for (Child& child : all) {
      close_quietly(child.fd);
      if (child.pid > 0) {
        ::kill(child.pid, SIGKILL);  // only reached on an error path
        while (::waitpid(child.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
    }
  }
};

}  // namespace

std::uint64_t sum_sequential(std::uint64_t n, Term f) { return sum_range(0, n, f); }

std::uint64_t sum_threads(std::uint64_t n, Term f, int threads) {
  check_workers(threads);
  // One slot per thread: each thread writes only its own, the caller reads them after join.
  std::vector<std::uint64_t> partial(static_cast<std::size_t>(threads), 0);
  std::vector<std::thread> workers;
  workers.reserve(partial.size());
  for (int k = 0; k < threads; ++k) {
    workers.emplace_back([&partial, n, f, threads, k] {
      partial[static_cast<std::size_t>(k)] =
          sum_range(chunk_begin(n, threads, k), chunk_begin(n, threads, k + 1), f);
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::uint64_t total = 0;
  for (std::uint64_t part : partial) total += part;
  return total;
}

std::uint64_t sum_async(std::uint64_t n, Term f, int tasks) {
  check_workers(tasks);
  std::vector<std::future<std::uint64_t>> parts;
  parts.reserve(static_cast<std::size_t>(tasks));
  for (int k = 0; k < tasks; ++k) {
    // std::launch::async: a new thread now. The default policy may defer the task until get(),
    // which would run the chunks one after another on the caller.
    parts.push_back(std::async(std::launch::async, sum_range, chunk_begin(n, tasks, k),
                               chunk_begin(n, tasks, k + 1), f));
  }
  std::uint64_t total = 0;
  for (auto& part : parts) total += part.get();
  return total;
}

std::uint64_t sum_processes(std::uint64_t n, Term f, int processes) {
  check_workers(processes);
  Children children;
  children.all.reserve(static_cast<std::size_t>(processes));
  for (int k = 0; k < processes; ++k) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) throw os_error("pipe");
    pid_t pid = ::fork();
    if (pid < 0) {
      auto error = os_error("fork");
      ::close(ends[0]);
      ::close(ends[1]);
      throw error;
    }
    if (pid == 0) {
      // The child: only its own write end matters. It computes, writes, and leaves with
      // _exit, which runs no atexit handler and flushes no stdio buffer of the parent's.
      ::close(ends[0]);
      const std::uint64_t part =
          sum_range(chunk_begin(n, processes, k), chunk_begin(n, processes, k + 1), f);
      ::_exit(write_all(ends[1], &part, sizeof part) ? 0 : 1);
    }
    // The parent keeps the read end only: with its own copy of the write end open, a read
    // would never see end of file if the child died without writing.
    children.all.push_back({pid, ends[0]});  // BUG: the parent's copy of the write end stays open
  }
  std::uint64_t total = 0;
  for (Child& child : children.all) {
    std::uint64_t part = 0;
    const int got = read_all(child.fd, &part, sizeof part);
    if (got < 0) throw os_error("read");
    close_quietly(child.fd);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0) {
      if (errno != EINTR) throw os_error("waitpid");
    }
    child.pid = -1;
    if (got == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error("a child process died before it reported its partial sum");
    }
    total += part;
  }
  return total;
}

}  // namespace kata::models
