// Grader of async/echo_server: async_read waits instead of reporting EAGAIN, async_write_all
// finishes partial writes and survives a closed peer (no SIGPIPE: CRASH), async_accept, and
// serve_echo with 500 concurrent loopback clients (payloads up to 1 MiB through small socket
// buffers, peers that close or reset early) all echoed exactly, on one thread, with every
// client served at once (a server that serves one client at a time stalls: DEADLOCK) and no
// descriptor left open (LEAK).
#include "async/echo_server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "graders/async/test_thread.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::async::EventLoop;
using kata::async::Task;
namespace grading = kata::grading;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Helpers

using TestThread = grading::TestThread;

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

int thread_count() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  while (dirent* entry = readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  closedir(dir);
  return count;
}

// Fails the running test with LEAK if descriptors opened since `before` are still open.
void expect_no_new_fds(const std::set<int>& before, const char* when) {
  std::vector<int> leaked;
  for (int fd : open_fds())
    if (!before.contains(fd)) leaked.push_back(fd);
  if (!leaked.empty()) {
    KATA_FAIL(kLeak) << leaked.size() << " descriptor(s) still open " << when
                     << ": serve_echo must close every connection it accepted";
  }
}

void set_buffers(int fd, int bytes) {
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A listening TCP socket on 127.0.0.1 (port chosen by the kernel), non-blocking. Accepted
// sockets inherit its small buffers, so the server's reads and writes are partial.
struct Listener {
  int fd = -1;
  std::uint16_t port = 0;
  explicit Listener(int buffer_bytes = 0) {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (buffer_bytes > 0) set_buffers(fd, buffer_bytes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd, SOMAXCONN) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1: " << std::strerror(errno);
      return;
    }
    socklen_t length = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
  ~Listener() {
    if (fd >= 0) close(fd);
  }
};

// A blocking connection to 127.0.0.1:port (the backlog takes it even before an accept).
int connect_to(std::uint16_t port, int buffer_bytes = 0) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (buffer_bytes > 0) set_buffers(fd, buffer_bytes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    close(fd);
    throw std::system_error(error, std::generic_category(), "connect to 127.0.0.1");
  }
  return fd;
}

// Closes with a reset (RST) instead of an orderly FIN.
void close_with_reset(int fd) {
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  close(fd);
}

// The payload's byte i for client `id`: computed, not stored, so 500 clients of up to 1 MiB
// each cost no memory, and a byte echoed to the wrong client or out of place is noticed.
unsigned char payload_byte(std::uint32_t id, std::size_t i) {
  std::uint64_t x = (static_cast<std::uint64_t>(id) << 40) ^ (i / 8) * 0x9e3779b97f4a7c15ULL;
  x ^= x >> 29;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 32;
  return static_cast<unsigned char>(x >> (8 * (i % 8)));
}

// A socket pair of non-blocking Unix stream sockets, closed at the end.
struct SocketPair {
  int fd[2] = {-1, -1};
  explicit SocketPair(int buffer_bytes = 0) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) != 0) {
      ADD_FAILURE() << "socketpair: " << std::strerror(errno);
    }
    if (buffer_bytes > 0)
      for (int f : fd) set_buffers(f, buffer_bytes);
  }
  ~SocketPair() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void close_end(int i) {
    close(fd[i]);
    fd[i] = -1;
  }
};

// Reads `fd` (non-blocking) until end of file, waiting with poll; ticks as bytes arrive.
std::vector<unsigned char> read_to_eof(int fd) {
  std::vector<unsigned char> got;
  unsigned char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      got.insert(got.end(), buf, buf + n);
      grading::tick();
    } else if (n == 0) {
      return got;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{fd, POLLIN, 0};
      poll(&p, 1, 100);
    } else if (errno != EINTR) {
      throw std::system_error(errno, std::generic_category(), "read");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// async_read, async_write_all, async_accept

TEST(AsyncRead, WaitsForDataInsteadOfReportingEagain) {
  EventLoop loop;
  SocketPair s;
  TestThread peer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    ASSERT_EQ(write(s.fd[1], "hello", 5), 5);
  });
  std::array<std::byte, 64> buffer{};
  std::size_t n = kata::async::run(loop, kata::async::async_read(loop, s.fd[0], buffer));
  peer.join();
  ASSERT_EQ(n, 5u) << "async_read returned before the peer had written (EAGAIN is not end of "
                      "file: wait until the descriptor is readable)";
  EXPECT_EQ(std::memcmp(buffer.data(), "hello", 5), 0);
}

TEST(AsyncRead, ReturnsZeroAtEndOfFile) {
  EventLoop loop;
  SocketPair s;
  TestThread peer([&] {
    std::this_thread::sleep_for(milliseconds(30));
    shutdown(s.fd[1], SHUT_WR);
  });
  std::array<std::byte, 64> buffer{};
  std::size_t n = kata::async::run(loop, kata::async::async_read(loop, s.fd[0], buffer));
  peer.join();
  EXPECT_EQ(n, 0u);
}

TEST(AsyncWriteAll, WritesAMegabyteThroughASmallBufferInPartialWrites) {
  EventLoop loop;
  SocketPair s(4096);
  const std::size_t size = std::size_t{1} << 20;
  std::vector<std::byte> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = std::byte{payload_byte(7, i)};
  Task<void> write_all = kata::async::async_write_all(loop, s.fd[0], data);
  std::vector<unsigned char> got;
  TestThread reader([&] { got = read_to_eof(s.fd[1]); });
  {
    // Ends the reader's wait for end of file however the write ends, before it is joined.
    struct ShutdownOnExit {
      int fd;
      ~ShutdownOnExit() { shutdown(fd, SHUT_WR); }
    } shut{s.fd[0]};
    kata::async::run(loop, std::move(write_all));
  }
  reader.join();
  ASSERT_EQ(got.size(), size) << "async_write_all returned before all of the data was written "
                                 "(send may write only part of it: send the rest)";
  EXPECT_EQ(std::memcmp(got.data(), data.data(), size), 0) << "the bytes arrived changed";
}

TEST(AsyncWriteAll, ThrowsSystemErrorWhenThePeerHasClosed) {
  // Writing to a socket whose peer has gone raises SIGPIPE, which kills the process, unless
  // the write asks for EPIPE instead (send with MSG_NOSIGNAL).
  EventLoop loop;
  SocketPair s;
  s.close_end(1);
  std::vector<std::byte> data(1000, std::byte{1});
  EXPECT_THROW(kata::async::run(loop, kata::async::async_write_all(loop, s.fd[0], data)),
               std::system_error);
}

TEST(AsyncAccept, ReturnsANonBlockingCloseOnExecConnection) {
  EventLoop loop;
  Listener listener;
  int client = -1;
  TestThread connector([&] {
    std::this_thread::sleep_for(milliseconds(50));
    client = connect_to(listener.port);
  });
  int fd = kata::async::run(loop, kata::async::async_accept(loop, listener.fd));
  connector.join();
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK) << "the accepted socket is blocking";
  EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC) << "the accepted socket is not close-on-exec";
  ASSERT_EQ(write(client, "x", 1), 1);
  char c = 0;
  pollfd p{fd, POLLIN, 0};
  poll(&p, 1, 5000);
  EXPECT_EQ(read(fd, &c, 1), 1);
  EXPECT_EQ(c, 'x') << "the accepted descriptor is not the client's connection";
  close(fd);
  close(client);
}

// ---------------------------------------------------------------------------------------------
// serve_echo

// serve_echo on its own thread. The task is made here, on the test's thread, so an unfinished
// serve_echo (kata::NotImplemented) fails the test at once instead of leaving clients waiting.
class Server {
 public:
  explicit Server(int listen_fd)
      : task_(kata::async::serve_echo(loop_, listen_fd, stop_.get_token())),
        thread_([this] { kata::async::run(loop_, std::move(task_)); }) {}
  // Stops without reporting: the test has failed already, or stop() has been called.
  ~Server() { stop_.request_stop(); }

  // Requests the stop and waits until serve_echo has returned; rethrows what it threw.
  void stop() {
    stop_.request_stop();
    thread_.join();
  }
  // serve_echo returned (or threw) already.
  bool finished() const { return thread_.finished(); }

 private:
  EventLoop loop_;
  std::stop_source stop_;
  Task<void> task_;
  TestThread thread_;
};

enum class Behaviour {
  kEcho,          // sends its payload, half-closes, reads the echo to end of file
  kCloseAtOnce,   // connects and closes
  kResetMidway,   // sends part of its payload, then resets the connection
  kNeverReads,    // sends what the socket takes without reading any echo, then closes
};

struct Client {
  std::uint32_t id = 0;
  Behaviour behaviour = Behaviour::kEcho;
  int fd = -1;
  std::size_t size = 0;      // payload bytes
  std::size_t hello = 0;     // the first bytes, echoed before the barrier opens
  std::size_t stop_at = 0;   // kResetMidway: bytes sent before the reset
  std::size_t sent = 0;
  std::size_t received = 0;
  bool arrived = false;      // counted at the barrier
  bool write_shut = false;
  bool done = false;
};

// What the clients of one run share.
struct Run {
  int clients = 0;
  std::atomic<int> arrived{0};       // clients whose hello was echoed (or who need none)
  std::atomic<int> failures{0};
  std::atomic<int> finished{0};
  std::atomic<bool> abandon{false};  // the server ended early: stop the clients
  std::mutex mu;
  std::string first_failure;         // guarded by mu
  std::atomic<int> max_threads{0};

  void fail(const Client& c, const std::string& what) {
    if (failures.fetch_add(1) == 0) {
      std::lock_guard lock(mu);
      first_failure = "client " + std::to_string(c.id) + " (" + std::to_string(c.size) +
                      " bytes): " + what;
    }
  }
};

void arrive(Run& run, Client& c) {
  if (!c.arrived) {
    c.arrived = true;
    run.arrived.fetch_add(1);
  }
}

void finish(Run& run, Client& c, bool reset = false) {
  arrive(run, c);
  if (reset) {
    close_with_reset(c.fd);
  } else {
    close(c.fd);
  }
  c.fd = -1;
  c.done = true;
  run.finished.fetch_add(1);
}

// Reads what is available and checks every byte.
void client_read(Run& run, Client& c) {
  unsigned char buf[16384];
  for (;;) {
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n > 0) {
      for (ssize_t k = 0; k < n; ++k) {
        if (c.received + k >= c.sent || buf[k] != payload_byte(c.id, c.received + k)) {
          run.fail(c, c.received + k >= c.sent
                          ? "got back more bytes than it had sent"
                          : "byte " + std::to_string(c.received + k) + " came back changed");
          return finish(run, c);
        }
      }
      c.received += static_cast<std::size_t>(n);
      grading::tick();
      if (c.received >= c.hello) arrive(run, c);
      continue;
    }
    if (n == 0) {
      if (c.received != c.size || !c.write_shut) {
        run.fail(c, "the server closed the connection after echoing " +
                        std::to_string(c.received) + " bytes of " + std::to_string(c.sent) +
                        " sent");
      }
      return finish(run, c);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (errno == EINTR) continue;
    run.fail(c, std::string("read failed: ") + std::strerror(errno));
    return finish(run, c);
  }
}

void client_write(Run& run, Client& c, bool barrier_open) {
  std::size_t limit = barrier_open ? c.size : c.hello;
  if (c.behaviour == Behaviour::kResetMidway) limit = std::min(limit, c.stop_at);
  unsigned char buf[16384];
  bool blocked = false;
  while (c.sent < limit) {
    std::size_t chunk = std::min(sizeof buf, limit - c.sent);
    for (std::size_t k = 0; k < chunk; ++k) buf[k] = payload_byte(c.id, c.sent + k);
    ssize_t n = send(c.fd, buf, chunk, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += static_cast<std::size_t>(n);
      grading::tick();
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      blocked = true;
      break;
    } else if (!(n < 0 && errno == EINTR)) {
      run.fail(c, std::string("send failed: ") + std::strerror(errno));
      return finish(run, c);
    }
  }
  if (!barrier_open) return;
  switch (c.behaviour) {
    case Behaviour::kResetMidway:
      if (c.sent >= limit) finish(run, c, /*reset=*/true);
      return;
    case Behaviour::kNeverReads:
      // Everything sent, or the server stopped reading because its echo is not read.
      if (c.sent >= limit || blocked) finish(run, c, /*reset=*/true);
      return;
    default:
      if (c.sent == c.size && !c.write_shut) {
        shutdown(c.fd, SHUT_WR);
        c.write_shut = true;
      }
  }
}

// One client thread: connects its clients, then drives them all with poll() until each is
// done.
void drive_clients(Run& run, std::vector<Client>& clients, std::uint16_t port, int buffers,
                   const Server& server) {
  for (Client& c : clients) {
    c.fd = connect_to(port, buffers);
    set_nonblocking(c.fd);
    grading::tick();
    if (c.behaviour == Behaviour::kCloseAtOnce) finish(run, c);
    else if (c.hello == 0) arrive(run, c);
  }
  std::vector<pollfd> polled;
  std::vector<Client*> owners;
  bool counted_threads = false;
  for (;;) {
    const bool barrier_open = run.arrived.load() == run.clients;
    if (barrier_open && !counted_threads) {
      // Every client is connected and has had an echo: the server is serving them all now.
      counted_threads = true;
      int now = thread_count();
      int seen = run.max_threads.load();
      while (now > seen && !run.max_threads.compare_exchange_weak(seen, now)) {
      }
    }
    polled.clear();
    owners.clear();
    for (Client& c : clients) {
      if (c.done) continue;
      std::size_t limit = barrier_open ? c.size : c.hello;
      bool wants_write = (c.sent < limit) || (barrier_open && c.behaviour != Behaviour::kEcho) ||
                         (barrier_open && c.sent == c.size && !c.write_shut);
      short events = static_cast<short>((c.behaviour == Behaviour::kNeverReads ? 0 : POLLIN) |
                                        (wants_write ? POLLOUT : 0));
      polled.push_back({c.fd, events, 0});
      owners.push_back(&c);
    }
    if (polled.empty()) return;
    if (run.abandon.load() || server.finished()) {
      run.abandon.store(true);
      for (Client* c : owners) finish(run, *c);
      return;
    }
    poll(polled.data(), polled.size(), 20);
    for (std::size_t i = 0; i < polled.size(); ++i) {
      Client& c = *owners[i];
      if (!c.done && (polled[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
        client_write(run, c, barrier_open);
      }
      if (!c.done && (polled[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
          c.behaviour != Behaviour::kNeverReads) {
        client_read(run, c);
      }
    }
  }
}

struct Workload {
  int clients;
  int large;               // clients with a 1 MiB payload
  std::size_t max_small;   // the others: up to this many bytes
};

void serve_and_check(const Workload& w) {
  const int buffers = 8192;  // doubled by the kernel; small, so reads and writes are partial
  const int client_threads = 4;
  Listener listener(buffers);
  ASSERT_GT(listener.port, 0);
  const std::set<int> fds_before = open_fds();
  const int threads_before = thread_count();

  std::vector<std::vector<Client>> groups(client_threads);
  for (int i = 0; i < w.clients; ++i) {
    Client c;
    c.id = static_cast<std::uint32_t>(i);
    std::uint64_t kind = grading::random_below(20);
    c.behaviour = kind < 2   ? Behaviour::kCloseAtOnce
                  : kind < 4 ? Behaviour::kResetMidway
                  : kind < 5 ? Behaviour::kNeverReads
                             : Behaviour::kEcho;
    c.size = i < w.large ? std::size_t{1} << 20 : grading::random_below(w.max_small + 1);
    if (i < w.large) c.behaviour = Behaviour::kEcho;
    if (c.behaviour == Behaviour::kNeverReads) c.size = 64 * 1024;
    if (c.behaviour == Behaviour::kResetMidway && c.size < 2) c.size = 2;
    // A client that never reads cannot be echoed a hello: it waits at the barrier from the start.
    c.hello = c.behaviour == Behaviour::kNeverReads
                  ? 0
                  : std::min<std::size_t>(c.size, 1 + grading::random_below(100));
    c.stop_at = c.hello + grading::random_below(c.size - c.hello + 1);
    groups[static_cast<std::size_t>(i % client_threads)].push_back(c);
  }

  Run run;
  run.clients = w.clients;
  {
    Server server(listener.fd);
    std::vector<std::thread> threads;
    std::vector<std::exception_ptr> errors(client_threads);
    for (int t = 0; t < client_threads; ++t) {
      threads.emplace_back([&, t] {
        grading::ProgressScope progress("client thread " + std::to_string(t));
        try {
          drive_clients(run, groups[static_cast<std::size_t>(t)], listener.port, buffers, server);
        } catch (...) {
          errors[static_cast<std::size_t>(t)] = std::current_exception();
          run.abandon.store(true);
        }
      });
    }
    for (auto& t : threads) t.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
    if (run.abandon.load() && server.finished()) {
      server.stop();  // rethrows what serve_echo threw, if it threw
      FAIL() << "serve_echo returned before it was asked to stop";
    }
    server.stop();
  }
  if (run.failures.load() > 0) {
    std::lock_guard lock(run.mu);
    FAIL() << run.failures.load() << " of " << w.clients << " clients saw a wrong echo; first: "
           << run.first_failure;
  }
  EXPECT_EQ(run.finished.load(), w.clients);
  // The test's client threads and the server's thread, no more.
  const int allowed = threads_before + client_threads + 1;
  EXPECT_LE(run.max_threads.load(), allowed)
      << "serve_echo started threads: it must serve every client on the loop's thread";
  expect_no_new_fds(fds_before, "after serve_echo returned");
}

TEST(ServeEcho, EchoesFiveHundredConcurrentClientsExactly) {
  // 500 clients at once, all connected and each echoed its first bytes before any goes on
  // (a server that serves one client at a time stalls here), then payloads of up to 1 MiB
  // through 16 KiB socket buffers; one in ten closes at once, one in ten resets midway, one in
  // twenty never reads its echo.
  serve_and_check({500, grading::scaled(4, 16),
                   static_cast<std::size_t>(grading::scaled(16384, 65536))});
}

TEST(ServeEcho, RepeatedSmallRuns) {
  const int rounds = grading::scaled(3, 10);
  for (int round = 0; round < rounds; ++round) {
    serve_and_check({50, round % 2, 2048});
    if (HasFailure()) return;
  }
}

TEST(ServeEcho, StopClosesIdleConnectionsAndReturns) {
  // Clients connected and silent: a stop from another thread must end serve_echo, and every
  // connection must be closed (the clients read end of file).
  Listener listener;
  ASSERT_GT(listener.port, 0);
  const std::set<int> fds_before = open_fds();
  std::vector<int> clients;
  {
    Server server(listener.fd);
    for (int i = 0; i < 20; ++i) clients.push_back(connect_to(listener.port));
    // One byte echoed per client: the server has accepted each of them.
    for (int fd : clients) {
      ASSERT_EQ(write(fd, "?", 1), 1);
      char c = 0;
      ASSERT_EQ(read(fd, &c, 1), 1);
      grading::tick();
    }
    server.stop();
  }
  for (int fd : clients) {
    char c;
    pollfd p{fd, POLLIN, 0};
    poll(&p, 1, 5000);
    ssize_t n = read(fd, &c, 1);
    EXPECT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET))
        << "a connection was still open after serve_echo returned";
    close(fd);
  }
  expect_no_new_fds(fds_before, "after serve_echo returned");
}

}  // namespace
