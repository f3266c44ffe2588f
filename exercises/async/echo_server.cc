#include "async/echo_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "kata/not_implemented.h"

namespace kata::async {

// Each function below becomes a coroutine as soon as its body uses co_await or co_return;
// until then it is a plain function that throws.

Task<std::size_t> async_read(EventLoop& loop, int fd, std::span<std::byte> buffer) {
  // TODO: loop: read(); n >= 0 is the answer; EINTR: try again; EAGAIN/EWOULDBLOCK: co_await
  // wait_readable(loop, fd) and try again; any other error: throw std::system_error(errno, ...).
  (void)loop;
  (void)fd;
  (void)buffer;
  throw kata::NotImplemented("async_read");
}

Task<void> async_write_all(EventLoop& loop, int fd, std::span<const std::byte> data) {
  // TODO: until all of `data` is written: send(..., MSG_NOSIGNAL) (a peer that has gone must
  // be EPIPE, not a SIGPIPE that kills the process); it may write only part: keep the rest;
  // EAGAIN: co_await wait_writable(loop, fd).
  (void)loop;
  (void)fd;
  (void)data;
  throw kata::NotImplemented("async_write_all");
}

Task<int> async_accept(EventLoop& loop, int listen_fd) {
  // TODO: accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC); EAGAIN: wait
  // until the listening socket is readable; EINTR and ECONNABORTED: try again.
  (void)loop;
  (void)listen_fd;
  throw kata::NotImplemented("async_accept");
}

Task<void> serve_echo(EventLoop& loop, int listen_fd, std::stop_token stop) {
  // TODO: accept in a loop, and serve each connection as a task of its own (create_task), which
  // echoes until end of file and closes its descriptor however it ends. Keep the handles. On
  // stop (std::stop_callback runs on the thread that requests the stop: hand the work to the
  // loop with call_soon_threadsafe), stop accepting, cancel the connections and await them all.
  (void)loop;
  (void)listen_fd;
  (void)stop;
  throw kata::NotImplemented("serve_echo");
}

}  // namespace kata::async
