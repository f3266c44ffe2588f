#include "async/echo_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>
#include <system_error>
#include <utility>
#include <vector>

namespace kata::async {
namespace {

// Each connection's buffer: one read's worth, echoed before the next read.
constexpr std::size_t kBufferBytes = 16 * 1024;

[[noreturn]] void throw_errno(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

// Owns a descriptor: closes it when the connection's coroutine ends, however it ends (at end
// of file, on an error, cancelled, or its frame destroyed while suspended).
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() { close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Task<void> echo_until_eof(EventLoop& loop, int fd) {
  std::vector<std::byte> buffer(kBufferBytes);
  for (;;) {
    std::size_t n = co_await async_read(loop, fd, buffer);
    if (n == 0) co_return;
    co_await async_write_all(loop, fd, std::span<const std::byte>(buffer.data(), n));
  }
}

Task<void> serve_connection(EventLoop& loop, int fd) {
  Descriptor connection(fd);
  try {
    co_await echo_until_eof(loop, connection.get());
  } catch (const std::system_error&) {
    // The peer reset the connection or went away: there is no one left to echo to.
  }
}

// The connections being served. Finished ones are pruned now and then, so a long-running
// server keeps only about as many handles as it has open connections.
class Connections {
 public:
  void add(TaskHandle<void> connection) {
    if (live_.size() >= prune_at_) {
      std::erase_if(live_, [](const TaskHandle<void>& c) { return c.done(); });
      prune_at_ = 2 * live_.size() + 64;
    }
    live_.push_back(std::move(connection));
  }

  // Cancels every connection and waits until all have finished (and closed their descriptor).
  Task<void> close_all() {
    for (auto& connection : live_) connection.cancel();
    for (auto& connection : live_) {
      try {
        co_await connection;
      } catch (...) {
        // Cancelled, as asked.
      }
    }
    live_.clear();
  }

 private:
  std::vector<TaskHandle<void>> live_;
  std::size_t prune_at_ = 64;
};

bool out_of_descriptors(int error) {
  return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM;
}

Task<void> accept_connections(EventLoop& loop, int listen_fd, Connections& connections) {
  for (;;) {
    int fd = -1;
    bool pause = false;
    try {
      fd = co_await async_accept(loop, listen_fd);
    } catch (const std::system_error& e) {
      // Out of descriptors: the pending clients wait in the backlog until some close.
      if (!out_of_descriptors(e.code().value())) throw;
      pause = true;
    }
    if (pause) {
      co_await sleep_for(loop, std::chrono::milliseconds(50));
      continue;
    }
    connections.add(create_task(loop, serve_connection(loop, fd)));
  }
}

}  // namespace

Task<std::size_t> async_read(EventLoop& loop, int fd, std::span<std::byte> buffer) {
  for (;;) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n >= 0) co_return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (!would_block(errno)) throw_errno(errno, "read");
    co_await wait_readable(loop, fd);
  }
}

Task<void> async_write_all(EventLoop& loop, int fd, std::span<const std::byte> data) {
  while (!data.empty()) {
    // send with MSG_NOSIGNAL: a peer that has gone is EPIPE here, not SIGPIPE for the process.
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data = data.subspan(static_cast<std::size_t>(n));  // a partial write: send the rest
      continue;
    }
    if (errno == EINTR) continue;
    if (!would_block(errno)) throw_errno(errno, "send");
    co_await wait_writable(loop, fd);
  }
}

Task<int> async_accept(EventLoop& loop, int listen_fd) {
  for (;;) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) co_return fd;
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (!would_block(errno)) throw_errno(errno, "accept4");
    co_await wait_readable(loop, listen_fd);
  }
}

Task<void> serve_echo(EventLoop& loop, int listen_fd, std::stop_token stop) {
  Connections connections;
  TaskHandle<void> accepting =
      create_task(loop, accept_connections(loop, listen_fd, connections));
  // request_stop() may come from any thread: hand the cancellation to the loop's thread.
  std::stop_callback on_stop(stop, [&loop, accepting] {
    loop.call_soon_threadsafe([accepting]() mutable { accepting.cancel(); });
  });

  std::exception_ptr failure;
  try {
    co_await accepting;
  } catch (const CancelledError&) {
    // Stopped, or serve_echo itself was cancelled (then rethrown below, after the clean-up).
    if (!stop.stop_requested()) failure = std::current_exception();
  } catch (...) {
    failure = std::current_exception();  // accepting failed: clean up, then report it
  }
  co_await connections.close_all();
  if (failure) std::rethrow_exception(failure);
}

void Readiness::await_resume() const {
  if (cancelled_) throw CancelledError();
}

Readiness::~Readiness() { stop_watching(); }

bool Readiness::suspend(std::coroutine_handle<> waiting, TaskContext* context) {
  context_ = context;
  if (context_ != nullptr && context_->take_cancellation()) {
    cancelled_ = true;
    return false;  // resume at once, throwing CancelledError
  }
  watch(waiting);
  if (context_ != nullptr) {
    context_->set_interrupt([this, waiting] {
      stop_watching();
      context_->take_cancellation();
      cancelled_ = true;
      loop_->call_soon([waiting] { waiting.resume(); });
    });
  }
  return true;
}

void Readiness::watch(std::coroutine_handle<> waiting) {
  auto ready = [this, waiting] {
    stop_watching();
    if (context_ != nullptr) context_->clear_interrupt();
    waiting.resume();
  };
  if (kind_ == Kind::kReadable) {
    loop_->add_reader(fd_, std::move(ready));
  } else {
    loop_->add_writer(fd_, std::move(ready));
  }
  watching_ = true;
}

void Readiness::stop_watching() {
  if (!std::exchange(watching_, false)) return;
  if (kind_ == Kind::kReadable) {
    loop_->remove_reader(fd_);
  } else {
    loop_->remove_writer(fd_);
  }
}

}  // namespace kata::async
