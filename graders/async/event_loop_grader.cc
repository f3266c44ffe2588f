// Grader of async/event_loop: callbacks in FIFO order, timers in deadline order (FIFO among
// equal deadlines) and cancellable, call_soon_threadsafe from many threads at once (RACE) and
// waking a loop asleep in epoll_wait (DEADLOCK when it is not woken), readers and writers on
// pipes and sockets, a loop that sleeps while it has nothing to do (BUSY_WAIT, measured in CPU
// time and context switches), and callbacks that reschedule themselves without starving timers
// or I/O (STARVATION).
#include "async/event_loop.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/cpu_time.h"
#include "graders/async/test_thread.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::async::EventLoop;
using kata::async::TimerId;
namespace grading = kata::grading;
using Clock = EventLoop::Clock;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Helpers

using TestThread = grading::TestThread;

// Sleeps while ticking, so the watchdog sees a test that waits on purpose.
void pause_ms(int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(std::min(ms, 5)));
  }
}

// Two connected descriptors (a pipe: [0] reads, [1] writes; or a socket pair), closed at the end.
struct FdPair {
  int fd[2] = {-1, -1};
  ~FdPair() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  void close_end(int i) {
    close(fd[i]);
    fd[i] = -1;
  }
};

void make_pipe(FdPair& p) {
  ASSERT_EQ(pipe2(p.fd, O_CLOEXEC | O_NONBLOCK), 0);
}

void make_socketpair(FdPair& p, int buffer_bytes = 0) {
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, p.fd), 0);
  if (buffer_bytes > 0) {
    for (int f : p.fd) {
      setsockopt(f, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
      setsockopt(f, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    }
  }
}

// What the calling thread spent between construction and stop(): CPU time and context switches.
// A thread asleep in epoll_wait costs almost no CPU and switches out once per wake-up; a loop
// that polls with a zero timeout is charged the whole wait, one that polls with a short timeout
// switches out once per poll.
class IdleCost {
 public:
  IdleCost() : cpu_(grading::thread_cpu_time()), switches_(switches_now()), wall_(Clock::now()) {}
  void stop() {
    cpu_ms_ = std::chrono::duration_cast<milliseconds>(grading::thread_cpu_time() - cpu_).count();
    switches_ = switches_now() - switches_;
    wall_ms_ = std::chrono::duration_cast<milliseconds>(Clock::now() - wall_).count();
  }
  bool busy() const { return cpu_ms_ > 20 + wall_ms_ / 10 || switches_ > 40 + wall_ms_ / 50; }
  std::string text() const {
    return "the loop waited " + std::to_string(wall_ms_) + " ms with nothing to do, used " +
           std::to_string(cpu_ms_) + " ms of CPU and was switched out " +
           std::to_string(switches_) + " times";
  }

 private:
  static long switches_now() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw + usage.ru_nivcsw;
  }
  std::chrono::nanoseconds cpu_;
  long switches_;
  Clock::time_point wall_;
  long cpu_ms_ = 0;
  long wall_ms_ = 0;
};

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : " ") + std::to_string(x);
  return out;
}

// ---------------------------------------------------------------------------------------------
// call_soon, stop, run_until

TEST(CallSoon, RunsCallbacksInTheOrderTheyWereQueued) {
  EventLoop loop;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) loop.call_soon([&order, i] { order.push_back(i); });
  loop.call_soon([&loop] { loop.stop(); });
  loop.run_forever();
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(order, expected);
}

TEST(CallSoon, CallbacksQueuedByARunningCallbackWaitForTheNextIteration) {
  // stop() ends run_forever after the iteration in progress: the callbacks that were ready
  // when it began all run, the ones they queue do not, until the loop runs again.
  EventLoop loop;
  std::vector<std::string> order;
  loop.call_soon([&] {
    order.push_back("a");
    loop.call_soon([&] { order.push_back("queued by a"); });
    loop.stop();
  });
  loop.call_soon([&] { order.push_back("b"); });
  loop.run_forever();
  ASSERT_EQ(order, (std::vector<std::string>{"a", "b"}))
      << "a callback queued during an iteration ran in that same iteration";
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "queued by a"}));
}

TEST(Stop, BeforeRunForeverMakesItRunOneIteration) {
  EventLoop loop;
  int ran = 0;
  loop.call_soon([&] { ++ran; });
  loop.stop();
  loop.run_forever();
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(loop.is_running());
}

TEST(Stop, IsRunningOnlyWhileTheLoopRuns) {
  EventLoop loop;
  EXPECT_FALSE(loop.is_running());
  bool inside = false;
  loop.call_soon([&] {
    inside = loop.is_running();
    loop.stop();
  });
  loop.run_forever();
  EXPECT_TRUE(inside);
  EXPECT_FALSE(loop.is_running());
}

TEST(RunUntil, ReturnsOnceTheConditionHolds) {
  EventLoop loop;
  int count = 0;
  std::function<void()> step = [&] {
    if (++count < 50) loop.call_soon(step);
  };
  loop.call_soon(step);
  loop.run_until([&] { return count == 50; });
  EXPECT_EQ(count, 50);
  loop.run_until([] { return true; });  // already true: returns at once
}

TEST(Exceptions, ACallbacksExceptionLeavesRunForeverAndTheOthersRunLater) {
  EventLoop loop;
  std::vector<int> order;
  loop.call_soon([&] { order.push_back(1); });
  loop.call_soon([] { throw std::runtime_error("callback failed"); });
  loop.call_soon([&] { order.push_back(3); });
  EXPECT_THROW(loop.run_forever(), std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_FALSE(loop.is_running());
  loop.call_soon([&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(Exceptions, RunForeverFromACallbackThrowsLogicError) {
  EventLoop loop;
  bool refused = false;
  loop.call_soon([&] {
    try {
      loop.run_forever();
    } catch (const std::logic_error&) {
      refused = true;
    }
    loop.stop();
  });
  loop.run_forever();
  EXPECT_TRUE(refused);
}

// ---------------------------------------------------------------------------------------------
// Timers

TEST(Timers, RunInDeadlineOrderWhenAllAreDueAtOnce) {
  // Deadlines in the past, scheduled in a shuffled order: all are due in the first iteration,
  // and must still run earliest first.
  EventLoop loop;
  const int n = 200;
  std::vector<int> ks(n);
  std::iota(ks.begin(), ks.end(), 0);
  for (int i = n - 1; i > 0; --i) std::swap(ks[i], ks[grading::random_below(i + 1)]);
  const Clock::time_point base = loop.time() - milliseconds(10 * n);
  std::vector<int> order;
  for (int k : ks) loop.call_at(base + milliseconds(k), [&order, k] { order.push_back(k); });
  loop.call_later(milliseconds(0), [&] { loop.stop(); });
  loop.run_forever();
  std::vector<int> expected(n);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(order, expected) << "timers ran out of deadline order: " << join_ints(order);
}

TEST(Timers, WithEqualDeadlinesRunInTheOrderTheyWereScheduled) {
  EventLoop loop;
  std::vector<int> order;
  const Clock::time_point past = loop.time() - milliseconds(5);
  const Clock::time_point soon = loop.time() + milliseconds(20);
  for (int i = 0; i < 50; ++i) loop.call_at(past, [&order, i] { order.push_back(i); });
  for (int i = 50; i < 100; ++i) loop.call_at(soon, [&order, i] { order.push_back(i); });
  loop.call_at(soon, [&] { loop.stop(); });
  loop.run_forever();
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(order, expected) << "timers with equal deadlines ran out of FIFO order: "
                             << join_ints(order);
}

TEST(Timers, NeverRunBeforeTheirDelayAndRunShortestFirst) {
  // call_later's deadline is "now + delay" at the call, somewhere between the times read just
  // before and just after it: timer i is certainly due no later than timer j (so must run
  // first, FIFO among equals) when its latest possible deadline is at most j's earliest.
  EventLoop loop;
  const std::vector<int> delays = {60, 20, 40, 0, 20};
  std::vector<Clock::time_point> earliest, latest;
  std::vector<int> order;
  bool early = false;
  for (int i = 0; i < static_cast<int>(delays.size()); ++i) {
    const milliseconds delay(delays[static_cast<std::size_t>(i)]);
    earliest.push_back(loop.time() + delay);
    loop.call_later(delay, [&, i] {
      if (loop.time() < earliest[static_cast<std::size_t>(i)]) early = true;
      order.push_back(i);
      if (order.size() == delays.size()) loop.stop();
    });
    latest.push_back(loop.time() + delay);
  }
  loop.run_forever();
  EXPECT_FALSE(early) << "a timer ran before its delay had passed";
  ASSERT_EQ(order.size(), delays.size());
  for (std::size_t a = 0; a < order.size(); ++a) {
    for (std::size_t b = a + 1; b < order.size(); ++b) {
      const auto ran = static_cast<std::size_t>(order[a]);
      const auto later = static_cast<std::size_t>(order[b]);
      const bool was_due_first = later < ran ? latest[later] <= earliest[ran]
                                             : latest[later] < earliest[ran];
      EXPECT_FALSE(was_due_first)
          << "timer " << later << " (" << delays[later] << " ms) ran after timer " << ran
          << " (" << delays[ran] << " ms), which was due later";
    }
  }
}

TEST(Timers, ATimerScheduledByACallbackRuns) {
  EventLoop loop;
  int fired = 0;
  std::function<void()> again = [&] {
    if (++fired < 5) {
      loop.call_later(milliseconds(1), again);
    } else {
      loop.stop();
    }
  };
  loop.call_later(milliseconds(1), again);
  loop.run_forever();
  EXPECT_EQ(fired, 5);
}

TEST(Cancel, ACancelledTimerNeverRuns) {
  EventLoop loop;
  std::vector<std::string> ran;
  TimerId a = loop.call_later(milliseconds(5), [&] { ran.push_back("a"); });
  TimerId b = loop.call_later(milliseconds(10), [&] { ran.push_back("b"); });
  loop.call_later(milliseconds(15), [&] { ran.push_back("c"); });
  EXPECT_TRUE(loop.cancel(b)) << "cancel() of a pending timer returned false";
  EXPECT_FALSE(loop.cancel(b)) << "cancel() of a cancelled timer returned true";
  loop.call_later(milliseconds(30), [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "c"}));
  EXPECT_FALSE(loop.cancel(a)) << "cancel() of a timer that already ran returned true";
}

TEST(Cancel, WorksUntilTheTimerRunsEvenInTheIterationItIsDue) {
  // Both timers are due in the same iteration; the first cancels the second, which must not run.
  EventLoop loop;
  const Clock::time_point past = loop.time() - milliseconds(1);
  bool second_ran = false;
  bool cancelled = false;
  TimerId second{};
  loop.call_at(past, [&] { cancelled = loop.cancel(second); });
  second = loop.call_at(past, [&] { second_ran = true; });
  loop.call_later(milliseconds(0), [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_TRUE(cancelled) << "cancel() of a due timer that had not run yet returned false";
  EXPECT_FALSE(second_ran) << "a timer cancelled before it ran still ran";
}

TEST(Cancel, ManyRandomTimersAndCancellations) {
  const int rounds = grading::scaled(3, 10);
  for (int round = 0; round < rounds; ++round) {
    EventLoop loop;
    const int n = grading::scaled(300, 1000);
    const Clock::time_point base = loop.time();
    struct Record {
      Clock::time_point deadline;
      int index;
    };
    std::vector<Record> ran;
    std::vector<TimerId> ids;
    std::vector<Clock::time_point> deadlines;
    std::vector<bool> cancelled(n, false);
    for (int i = 0; i < n; ++i) {
      Clock::time_point deadline = base + milliseconds(grading::random_below(20));
      deadlines.push_back(deadline);
      ids.push_back(loop.call_at(deadline, [&ran, deadline, i] { ran.push_back({deadline, i}); }));
    }
    for (int i = 0; i < n; ++i) {
      if (grading::random_below(2) == 0) {
        cancelled[i] = true;
        ASSERT_TRUE(loop.cancel(ids[i])) << "cancel() of a pending timer returned false";
      }
    }
    loop.call_at(base + milliseconds(25), [&] { loop.stop(); });
    loop.run_forever();
    grading::tick();
    std::vector<int> expected;
    for (int i = 0; i < n; ++i)
      if (!cancelled[i]) expected.push_back(i);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](int x, int y) { return deadlines[x] < deadlines[y]; });
    std::vector<int> got;
    for (const Record& r : ran) got.push_back(r.index);
    ASSERT_EQ(got, expected) << "round " << round
                             << ": the timers that ran (by scheduling index) are not the ones "
                                "not cancelled, in deadline order then FIFO";
  }
}

// ---------------------------------------------------------------------------------------------
// call_soon_threadsafe and waking the loop

TEST(CallSoonThreadsafe, FromManyThreadsEveryCallbackRunsOnceInEachThreadsOrder) {
  const int producers = grading::scaled(4, 6);
  const int per_producer = grading::scaled(2000, 10000);
  const int rounds = grading::scaled(2, 5);
  for (int round = 0; round < rounds; ++round) {
    EventLoop loop;
    std::vector<int> next(producers, 0);  // written only by the loop's callbacks
    int received = 0;
    bool out_of_order = false;
    TestThread loop_thread([&] {
      loop.run_until([&] { return received == producers * per_producer; });
    });
    grading::run_threads(
        producers,
        [&](int p) {
          for (int i = 0; i < per_producer; ++i) {
            loop.call_soon_threadsafe([&, p, i] {
              if (next[p] != i) out_of_order = true;
              next[p] = i + 1;
              ++received;
              grading::tick();
            });
            if (i % 64 == 0) grading::jitter();
            grading::tick();
          }
        },
        "producer");
    loop_thread.join();
    EXPECT_EQ(received, producers * per_producer);
    ASSERT_FALSE(out_of_order) << "callbacks from one thread ran out of the order it queued them";
  }
}

TEST(CallSoonThreadsafe, WakesALoopAsleepOnALongTimer) {
  // The loop's only timer is an hour away: it sleeps in epoll_wait until another thread hands
  // it a callback. A loop that is not woken sleeps on (DEADLOCK, from the watchdog).
  EventLoop loop;
  loop.call_later(std::chrono::hours(1), [] {});
  bool ran = false;
  TestThread helper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    loop.call_soon_threadsafe([&] {
      ran = true;
      loop.stop();
    });
  });
  loop.run_forever();
  helper.join();
  EXPECT_TRUE(ran);
}

TEST(CallSoonThreadsafe, WakesALoopWithNothingElseToDoManyTimes) {
  // Each round the loop goes to sleep with nothing to do while another thread hands it a
  // callback at a random moment: before, during or after the loop falls asleep.
  EventLoop loop;
  const int rounds = grading::scaled(200, 1000);
  for (int round = 0; round < rounds; ++round) {
    bool done = false;  // written by the callback, on the loop's thread
    TestThread helper([&] {
      if (grading::random_below(4) == 0) std::this_thread::sleep_for(milliseconds(1));
      grading::jitter();
      loop.call_soon_threadsafe([&] { done = true; });
    });
    loop.run_until([&] { return done; });
    helper.join();
    grading::tick();
  }
}

TEST(Stop, FromAnotherThreadWakesASleepingLoop) {
  EventLoop loop;
  TestThread helper([&] {
    std::this_thread::sleep_for(milliseconds(100));
    loop.stop();
  });
  loop.run_forever();
  helper.join();
  SUCCEED();
}

// ---------------------------------------------------------------------------------------------
// Readers and writers

TEST(Readers, AreCalledWhileDataRemainsAndAtEndOfFile) {
  // Level-triggered: a reader that takes 10 bytes of 100 is called again until none are left;
  // closing the write end makes the descriptor readable (read returns 0).
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  ASSERT_EQ(write(p.fd[1], std::string(100, 'x').data(), 100), 100);
  int calls = 0;
  std::size_t total = 0;
  bool eof = false;
  loop.add_reader(p.fd[0], [&] {
    ++calls;
    char buf[10];
    ssize_t n = read(p.fd[0], buf, sizeof buf);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      if (total == 100) p.close_end(1);
    } else if (n == 0) {
      eof = true;
      EXPECT_TRUE(loop.remove_reader(p.fd[0]));
      loop.stop();
    }
  });
  loop.run_forever();
  EXPECT_EQ(total, 100u);
  EXPECT_TRUE(eof);
  EXPECT_EQ(calls, 11) << "a reader taking 10 bytes a call should be called 10 times for 100 "
                          "bytes, then once at end of file";
}

TEST(Readers, AreNotCalledWithoutData) {
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  int calls = 0;
  loop.add_reader(p.fd[0], [&] { ++calls; });
  loop.call_later(milliseconds(30), [&] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(calls, 0) << "a reader was called while its pipe was empty";
  EXPECT_TRUE(loop.remove_reader(p.fd[0]));
  EXPECT_FALSE(loop.remove_reader(p.fd[0])) << "remove_reader() of an unwatched descriptor "
                                               "returned true";
}

TEST(Readers, AddReaderReplacesTheEarlierReader) {
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  ASSERT_EQ(write(p.fd[1], "x", 1), 1);
  std::vector<std::string> calls;
  loop.add_reader(p.fd[0], [&] { calls.push_back("first"); });
  loop.add_reader(p.fd[0], [&] {
    calls.push_back("second");
    char c;
    ASSERT_EQ(read(p.fd[0], &c, 1), 1);
    loop.remove_reader(p.fd[0]);
    loop.stop();
  });
  loop.run_forever();
  EXPECT_EQ(calls, (std::vector<std::string>{"second"}));
}

TEST(Readers, ARemovedReaderIsNotCalledEvenIfItWasReadyInThatIteration) {
  // Two pipes are readable in the same iteration; whichever reader runs first removes the
  // other, which must then not be called (as asyncio cancels the handle).
  EventLoop loop;
  FdPair a, b;
  make_pipe(a);
  make_pipe(b);
  ASSERT_EQ(write(a.fd[1], "x", 1), 1);
  ASSERT_EQ(write(b.fd[1], "x", 1), 1);
  int calls = 0;
  loop.add_reader(a.fd[0], [&] {
    ++calls;
    loop.remove_reader(a.fd[0]);
    loop.remove_reader(b.fd[0]);
    loop.stop();
  });
  loop.add_reader(b.fd[0], [&] {
    ++calls;
    loop.remove_reader(a.fd[0]);
    loop.remove_reader(b.fd[0]);
    loop.stop();
  });
  loop.run_forever();
  EXPECT_EQ(calls, 1) << "a reader removed by an earlier callback of the same iteration ran";
}

TEST(Writers, StreamAMegabyteThroughASmallSocketBuffer) {
  // The writer writes until EAGAIN and waits to be called again; the reader, on the other end,
  // drains. Both ends are watched by one loop; the bytes must arrive exactly.
  EventLoop loop;
  FdPair s;
  make_socketpair(s, 4096);
  const std::size_t size = std::size_t{1} << 20;
  std::vector<unsigned char> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 131 + i / 977);
  std::vector<unsigned char> got;
  got.reserve(size);
  std::size_t sent = 0;
  int writer_calls = 0;
  loop.add_writer(s.fd[0], [&] {
    ++writer_calls;
    ssize_t n = write(s.fd[0], data.data() + sent, std::min<std::size_t>(size - sent, 65536));
    if (n > 0) sent += static_cast<std::size_t>(n);
    if (sent == size) {
      EXPECT_TRUE(loop.remove_writer(s.fd[0]));
      shutdown(s.fd[0], SHUT_WR);
    }
  });
  loop.add_reader(s.fd[1], [&] {
    unsigned char buf[8192];
    ssize_t n = read(s.fd[1], buf, sizeof buf);
    if (n > 0) {
      got.insert(got.end(), buf, buf + n);
      grading::tick();
    } else if (n == 0) {
      loop.remove_reader(s.fd[1]);
      loop.stop();
    }
  });
  loop.run_forever();
  EXPECT_EQ(sent, size);
  ASSERT_EQ(got.size(), size);
  EXPECT_TRUE(got == data) << "the bytes arrived changed";
  EXPECT_GT(writer_calls, 2) << "the socket buffer is small: the writer must be called again";
}

TEST(Writers, AReaderAndAWriterOnTheSameDescriptor) {
  // One socket end, watched for both: the writer sends a message, removes itself, and the
  // reader of the same descriptor gets the peer's reply.
  EventLoop loop;
  FdPair s;
  make_socketpair(s);
  std::string reply;
  bool wrote = false;
  loop.add_reader(s.fd[0], [&] {
    char buf[64];
    ssize_t n = read(s.fd[0], buf, sizeof buf);
    if (n > 0) reply.append(buf, static_cast<std::size_t>(n));
    if (reply == "pong") {
      loop.remove_reader(s.fd[0]);
      loop.stop();
    }
  });
  loop.add_writer(s.fd[0], [&] {
    ASSERT_EQ(write(s.fd[0], "ping", 4), 4);
    wrote = true;
    EXPECT_TRUE(loop.remove_writer(s.fd[0]));
  });
  loop.add_reader(s.fd[1], [&] {
    char buf[4];
    if (read(s.fd[1], buf, 4) == 4) {
      ASSERT_EQ(write(s.fd[1], "pong", 4), 4);
      loop.remove_reader(s.fd[1]);
    }
  });
  loop.run_forever();
  EXPECT_TRUE(wrote);
  EXPECT_EQ(reply, "pong");
}

TEST(Readers, ALoopAsleepWakesWhenAnotherThreadWrites) {
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  char got = 0;
  loop.add_reader(p.fd[0], [&] {
    ASSERT_EQ(read(p.fd[0], &got, 1), 1);
    loop.remove_reader(p.fd[0]);
    loop.stop();
  });
  TestThread helper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    ASSERT_EQ(write(p.fd[1], "!", 1), 1);
  });
  loop.run_forever();
  helper.join();
  EXPECT_EQ(got, '!');
}

// ---------------------------------------------------------------------------------------------
// An idle loop sleeps

// Runs the loop until `wake` (started on another thread after `idle_ms`) ends it, and fails
// with BUSY_WAIT if the loop's thread burned CPU or kept switching meanwhile.
void expect_sleeps(EventLoop& loop, const char* waiting_for, const std::function<void()>& wake,
                   int idle_ms) {
  TestThread helper([&] {
    pause_ms(idle_ms);
    if (wake) wake();
  });
  IdleCost cost;
  loop.run_forever();
  cost.stop();
  helper.join();
  if (cost.busy()) {
    KATA_FAIL(kBusyWait) << "waiting for " << waiting_for << ", " << cost.text()
                         << ": epoll_wait must sleep until the next timer, a ready descriptor "
                            "or a wake-up, not poll";
  }
}

TEST(Idle, ALoopWaitingForATimerSleeps) {
  const int idle_ms = grading::scaled(300, 500);
  EventLoop loop;
  loop.call_later(milliseconds(idle_ms), [&] { loop.stop(); });
  expect_sleeps(loop, "a timer", nullptr, 0);
}

TEST(Idle, ALoopWaitingForADescriptorSleeps) {
  const int idle_ms = grading::scaled(300, 500);
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  loop.add_reader(p.fd[0], [&] {
    char c;
    ASSERT_EQ(read(p.fd[0], &c, 1), 1);
    loop.remove_reader(p.fd[0]);
    loop.stop();
  });
  expect_sleeps(
      loop, "a descriptor", [&] { ASSERT_EQ(write(p.fd[1], "x", 1), 1); }, idle_ms);
}

TEST(Idle, ALoopWithNothingToDoSleepsUntilWoken) {
  const int idle_ms = grading::scaled(300, 500);
  EventLoop loop;
  loop.call_later(std::chrono::hours(1), [] {});
  expect_sleeps(
      loop, "another thread", [&] { loop.call_soon_threadsafe([&] { loop.stop(); }); },
      idle_ms);
}

// ---------------------------------------------------------------------------------------------
// A callback that keeps rescheduling itself starves nothing

TEST(Fairness, ASelfReschedulingCallbackDoesNotStarveADueTimer) {
  EventLoop loop;
  bool timer_ran = false;
  bool starved = false;
  long spins = 0;
  const Clock::time_point start = loop.time();
  loop.call_later(milliseconds(5), [&] { timer_ran = true; });
  std::function<void()> spin = [&] {
    ++spins;
    grading::tick();
    if (timer_ran) return loop.stop();
    if (loop.time() - start > std::chrono::seconds(3)) {
      starved = true;
      return loop.stop();
    }
    loop.call_soon(spin);
  };
  loop.call_soon(spin);
  loop.run_forever();
  if (starved) {
    KATA_FAIL(kStarvation) << "a timer due after 5 ms had not run after 3 s, while a callback "
                              "that reschedules itself with call_soon ran "
                           << spins << " times: run only the callbacks that were ready when "
                                       "the iteration began";
  }
}

TEST(Fairness, ASelfReschedulingCallbackDoesNotStarveAReadyDescriptor) {
  EventLoop loop;
  FdPair p;
  make_pipe(p);
  bool reader_ran = false;
  bool starved = false;
  long spins = 0;
  const long limit = 200000;
  loop.add_reader(p.fd[0], [&] {
    char c;
    ASSERT_EQ(read(p.fd[0], &c, 1), 1);
    reader_ran = true;
    loop.remove_reader(p.fd[0]);
  });
  std::function<void()> spin = [&] {
    ++spins;
    grading::tick();
    if (spins == 10) ASSERT_EQ(write(p.fd[1], "x", 1), 1);  // readable from now on
    if (reader_ran) return loop.stop();
    if (spins > limit) {
      starved = true;
      return loop.stop();
    }
    loop.call_soon(spin);
  };
  loop.call_soon(spin);
  loop.run_forever();
  if (starved) {
    KATA_FAIL(kStarvation) << "a readable pipe's reader had not run after " << limit
                           << " calls of a callback that reschedules itself with call_soon: "
                              "run only the callbacks that were ready when the iteration began";
  }
}

}  // namespace
