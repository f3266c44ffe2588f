// An echo server on one thread: coroutines that read, write and accept on non-blocking sockets
// by suspending until the EventLoop reports the descriptor ready.
//
// asyncio's streams and `asyncio.start_server`: `await reader.read(n)`, `writer.write(data);
// await writer.drain()`, and a server that starts a task per connection. Here each operation
// first tries the system call; when it would block (EAGAIN), the coroutine suspends on
// wait_readable()/wait_writable(), a suspension point that watches the descriptor with the
// loop's add_reader/add_writer and resumes the coroutine when it is ready. A connection is a
// task of its own (create_task), so thousands progress together on one thread.
//
// Descriptors: every function takes a non-blocking descriptor (SOCK_NONBLOCK / O_NONBLOCK) that
// the caller keeps open while the returned task runs; the caller also keeps `loop` and the
// buffers alive until the task has finished. serve_echo() owns the connections it accepts and
// closes each one when it ends, whichever way it ends.
//
// Errors: the system's errors are thrown as std::system_error (ECONNRESET, EPIPE...); writing
// to a closed peer never raises SIGPIPE. Cancellation (see gather.h) is honoured at every
// suspension point: the operation stops watching its descriptor and throws CancelledError.
//
// Threading: everything here runs on the loop's thread, except std::stop_source::request_stop()
// for serve_echo(), which any thread may call.
#pragma once

#include <coroutine>
#include <cstddef>
#include <span>
#include <stop_token>

#include "async/event_loop.h"
#include "async/gather.h"
#include "async/task.h"

namespace kata::async {

// Reads at most buffer.size() bytes from `fd` once some are available (or the peer has
// closed): returns how many, 0 at end of file (or for an empty buffer). Throws
// std::system_error on an error other than EAGAIN/EINTR.
Task<std::size_t> async_read(EventLoop& loop, int fd, std::span<std::byte> buffer);

// Writes all of `data` to the socket `fd`, in as many writes as it takes, suspending whenever
// the socket's buffer is full. Throws std::system_error if the peer has gone (EPIPE,
// ECONNRESET) or on another error; the process never gets SIGPIPE.
Task<void> async_write_all(EventLoop& loop, int fd, std::span<const std::byte> data);

// Accepts one connection on the listening socket `listen_fd`: returns its descriptor,
// non-blocking and close-on-exec, which the caller owns. Throws std::system_error on an error
// other than EAGAIN/EINTR/ECONNABORTED (a client that gave up before it was accepted).
Task<int> async_accept(EventLoop& loop, int listen_fd);

// Serves every client of `listen_fd` (a non-blocking listening socket the caller owns and
// closes): echoes each connection's bytes back exactly, in order, until the client closes its
// side, then closes the connection. A client that resets or vanishes ends only its own
// connection. When `stop` is requested (from any thread), stops accepting, cancels the
// connections still open, waits until every one of them has finished and closed its
// descriptor, and returns. If serve_echo itself is cancelled, it does the same, then throws
// CancelledError.
Task<void> serve_echo(EventLoop& loop, int listen_fd, std::stop_token stop);

// The suspension point under all of the above: `co_await wait_readable(loop, fd)` resumes the
// awaiting task once `fd` is readable (or has an error or hang-up); wait_writable once it is
// writable. A descriptor has at most one reader and one writer waiting at a time.
class [[nodiscard]] Readiness {
 public:
  enum class Kind { kReadable, kWritable };
  Readiness(EventLoop& loop, int fd, Kind kind) : loop_(&loop), fd_(fd), kind_(kind) {}
  // Stops watching, if the awaiting coroutine is destroyed while it waits.
  ~Readiness();
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  bool await_ready() const noexcept { return false; }
  template <class Promise>
  bool await_suspend(std::coroutine_handle<Promise> waiting) {
    return suspend(waiting, waiting.promise().context());
  }
  // Throws CancelledError if the wait was cancelled.
  void await_resume() const;

 private:
  bool suspend(std::coroutine_handle<> waiting, TaskContext* context);
  void watch(std::coroutine_handle<> waiting);
  void stop_watching();

  EventLoop* loop_;
  int fd_;
  Kind kind_;
  TaskContext* context_ = nullptr;
  bool watching_ = false;
  bool cancelled_ = false;
};

inline Readiness wait_readable(EventLoop& loop, int fd) {
  return Readiness(loop, fd, Readiness::Kind::kReadable);
}
inline Readiness wait_writable(EventLoop& loop, int fd) {
  return Readiness(loop, fd, Readiness::Kind::kWritable);
}

}  // namespace kata::async
