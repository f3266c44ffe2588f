// Benchmark of async/echo_server: the same echo workload served by serve_echo (EventLoop and
// coroutines) and by libuv, the event loop under Node.js (Debian's libuv1-dev), each on one
// thread, with the same clients on another thread over loopback TCP.
//
// A round: `clients` connections opened at once; each sends a message of `bytes`, reads the
// echo back in full, and does so `rounds` times, then closes. BM_..._PingPong is one client
// exchanging small messages (the loop's latency per wake-up); the others are many clients at
// once (its throughput). bytes_per_second counts both directions.
//
//   bazel run --config=bench //solutions/async:echo_server_bench    (or ./kata bench ...)
#include <benchmark/benchmark.h>
#include <uv.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <thread>
#include <vector>

#include "async/echo_server.h"
#include "kata/not_implemented.h"

namespace {

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::abort();
}

// A non-blocking listening socket on 127.0.0.1, port chosen by the kernel.
int listen_on_loopback(std::uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind");
  if (listen(fd, SOMAXCONN) != 0) die("listen");
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

// ---------------------------------------------------------------------------------------------
// The clients: one thread, epoll, every connection a small state machine (send a message, read
// its echo, repeat).

struct Connection {
  int fd = -1;
  std::size_t sent = 0;      // of the current message
  std::size_t received = 0;  // of its echo
  int rounds_left = 0;
};

void run_clients(std::uint16_t port, int clients, std::size_t bytes, int rounds) {
  std::vector<char> message(bytes, 'e');
  std::vector<char> sink(std::max<std::size_t>(bytes, 65536));
  std::vector<Connection> connections(static_cast<std::size_t>(clients));
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  for (std::size_t i = 0; i < connections.size(); ++i) {
    Connection& c = connections[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("connect");
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c.fd, F_SETFL, O_NONBLOCK);
    c.rounds_left = rounds;
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u64 = i;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd, &event);
  }
  int open = clients;
  std::vector<epoll_event> events(256);
  while (open > 0) {
    int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), -1);
    for (int k = 0; k < n; ++k) {
      Connection& c = connections[events[k].data.u64];
      if (c.sent < bytes) {  // sending
        ssize_t w = send(c.fd, message.data() + c.sent, bytes - c.sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) die("send");
        if (w > 0) c.sent += static_cast<std::size_t>(w);
        if (c.sent == bytes) {
          epoll_event event{};
          event.events = EPOLLIN;
          event.data.u64 = events[k].data.u64;
          epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &event);
        }
        continue;
      }
      ssize_t r = read(c.fd, sink.data(), bytes - c.received);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) die("the server closed a connection early");
      c.received += static_cast<std::size_t>(r);
      if (c.received < bytes) continue;
      c.sent = c.received = 0;
      if (--c.rounds_left == 0) {
        close(c.fd);  // also removes it from epoll
        --open;
        continue;
      }
      epoll_event event{};
      event.events = EPOLLOUT;
      event.data.u64 = events[k].data.u64;
      epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &event);
    }
  }
  close(epoll_fd);
}

// ---------------------------------------------------------------------------------------------
// The servers, each on its own thread for the whole benchmark.

class ReferenceServer {
 public:
  ReferenceServer() : listen_fd_(listen_on_loopback(port_)) {
    // Made here so that an unfinished serve_echo (kata::NotImplemented) throws here.
    auto task = kata::async::serve_echo(loop_, listen_fd_, stop_.get_token());
    thread_ = std::thread([this, task = std::move(task)]() mutable {
      kata::async::run(loop_, std::move(task));
    });
  }
  ~ReferenceServer() {
    stop_.request_stop();
    thread_.join();
    close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  kata::async::EventLoop loop_;
  std::stop_source stop_;
  std::uint16_t port_ = 0;
  int listen_fd_;
  std::thread thread_;
};

// libuv's echo server, as in its documentation: a read callback that writes each chunk back.
class LibuvServer {
 public:
  LibuvServer() {
    uv_loop_init(&loop_);
    uv_tcp_init(&loop_, &server_);
    sockaddr_in address{};
    uv_ip4_addr("127.0.0.1", 0, &address);
    uv_tcp_bind(&server_, reinterpret_cast<const sockaddr*>(&address), 0);
    if (uv_listen(reinterpret_cast<uv_stream_t*>(&server_), SOMAXCONN, on_connection) != 0) {
      die("uv_listen");
    }
    sockaddr_in bound{};
    int length = sizeof bound;
    uv_tcp_getsockname(&server_, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
    stop_.data = this;
    uv_async_init(&loop_, &stop_, on_stop);
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~LibuvServer() {
    uv_async_send(&stop_);
    thread_.join();
    uv_loop_close(&loop_);
  }
  std::uint16_t port() const { return port_; }

 private:
  struct Write {
    uv_write_t request;
    uv_buf_t buffer;
  };

  static void on_connection(uv_stream_t* server, int status) {
    if (status < 0) return;
    auto* client = new uv_tcp_t;
    uv_tcp_init(server->loop, client);
    if (uv_accept(server, reinterpret_cast<uv_stream_t*>(client)) != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(client), on_closed);
      return;
    }
    uv_read_start(reinterpret_cast<uv_stream_t*>(client), on_alloc, on_read);
  }
  static void on_alloc(uv_handle_t*, std::size_t suggested, uv_buf_t* buffer) {
    buffer->base = static_cast<char*>(std::malloc(suggested));
    buffer->len = suggested;
  }
  static void on_read(uv_stream_t* client, ssize_t nread, const uv_buf_t* buffer) {
    if (nread > 0) {
      auto* write = new Write;
      write->buffer = uv_buf_init(buffer->base, static_cast<unsigned>(nread));
      uv_write(&write->request, client, &write->buffer, 1, on_written);
      return;
    }
    std::free(buffer->base);
    if (nread < 0) uv_close(reinterpret_cast<uv_handle_t*>(client), on_closed);
  }
  static void on_written(uv_write_t* request, int) {
    auto* write = reinterpret_cast<Write*>(request);
    std::free(write->buffer.base);
    delete write;
  }
  static void on_closed(uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }
  static void on_stop(uv_async_t* async) {
    auto* self = static_cast<LibuvServer*>(async->data);
    uv_close(reinterpret_cast<uv_handle_t*>(&self->server_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&self->stop_), nullptr);
  }

  uv_loop_t loop_;
  uv_tcp_t server_;
  uv_async_t stop_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// ---------------------------------------------------------------------------------------------

template <class Server>
void BM_Echo(benchmark::State& state) {
  const int clients = static_cast<int>(state.range(0));
  const auto bytes = static_cast<std::size_t>(state.range(1));
  const int rounds = static_cast<int>(state.range(2));
  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>();
  } catch (const kata::NotImplemented& e) {
    state.SkipWithError(e.what());
    return;
  }
  for (auto _ : state) run_clients(server->port(), clients, bytes, rounds);
  const auto exchanges = static_cast<std::int64_t>(state.iterations()) * clients * rounds;
  state.SetItemsProcessed(exchanges);
  state.SetBytesProcessed(2 * exchanges * static_cast<std::int64_t>(bytes));
}

void Workloads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"clients", "bytes", "rounds"});
  b->Args({1, 64, 2000});      // ping-pong: one wake-up per message
  b->Args({100, 4096, 20});    // many small exchanges at once
  b->Args({500, 65536, 4});    // the grader's crowd, bulk
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

void BM_Echo_Reference(benchmark::State& state) { BM_Echo<ReferenceServer>(state); }
void BM_Echo_Libuv(benchmark::State& state) { BM_Echo<LibuvServer>(state); }
BENCHMARK(BM_Echo_Reference)->Apply(Workloads);
BENCHMARK(BM_Echo_Libuv)->Apply(Workloads);

}  // namespace

BENCHMARK_MAIN();
