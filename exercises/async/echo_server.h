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
//
// Read echo_server.md first. Edit this file and echo_server.cc; `./kata check
// async/echo_server` grades. EventLoop, Task, run, sleep_for, create_task and TaskHandle are the
// reference ones of the earlier katas (this kata links them).
#pragma once

#include <coroutine>
#include <cstddef>
#include <span>
#include <stop_token>

#include "async/event_loop.h"
#include "async/gather.h"
#include "async/task.h"
#include "kata/not_implemented.h"

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

// TODO: the suspension point under all of the above, an awaitable such that
// `co_await wait_readable(loop, fd)` resumes the awaiting task once `fd` is readable (and
// wait_writable once it is writable). await_suspend gets the awaiting coroutine's handle: watch
// the descriptor with loop.add_reader (add_writer), and from that callback stop watching and
// resume the coroutine. Its promise's context() (task.h) is the chain's TaskContext: register
// an interrupt there so that cancelling the task stops the watch and resumes it with
// CancelledError (see SleepFor in task.h, which does the same for a timer).

}  // namespace kata::async
