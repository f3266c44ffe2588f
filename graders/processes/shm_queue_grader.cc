// Grader of processes/shm_queue: FIFO and limits in one process, threads of one process
// (ThreadSanitizer watches those), forked producers and consumers with every message delivered
// exactly once and intact, producers that block when the queue is full, wake-ups that reach
// every blocked consumer, and pop_for that times out and still takes a late message.
//
// Children are forked while the grader is multithreaded (the watchdog): ThreadSanitizer runs
// switched off in them and they start no threads. What they receive is recorded in the grader's
// own shared memory and checked by the parent; a child that makes no progress for seconds is a
// DEADLOCK (the test kills it). After every test no child and no descriptor may be left.
#include "processes/shm_queue.h"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "graders/processes/process_checks.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::processes::ShmQueue;
namespace grading = kata::grading;
namespace checks = kata::grading::processes;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kMaxProducers = 4;
constexpr int kMaxSeq = 6000;
constexpr std::size_t kMaxMessage = 96;

// The grader's own shared memory: what the children did.
struct Board {
  std::atomic<long> progress{0};
  std::atomic<int> pushed{0};
  std::atomic<int> torn{0};
  std::atomic<int> blocked{0};
  std::atomic<int> received[kMaxProducers][kMaxSeq];
};

// Message `seq` of producer `id`: "id:seq:" then a filler whose length and bytes depend on both.
std::string message(int id, int seq) {
  std::string m = std::to_string(id) + ":" + std::to_string(seq) + ":";
  const std::size_t filler = static_cast<std::size_t>(seq * 7 + id * 13) % (kMaxMessage - m.size() + 1);
  for (std::size_t i = 0; i < filler; ++i) m += static_cast<char>('A' + (id + seq + i) % 26);
  return m;
}

// Parses a message; false if it is not exactly one that message() makes (torn, mixed).
bool parse(const std::string& m, int& id, int& seq) {
  auto a = m.find(':');
  auto b = a == std::string::npos ? a : m.find(':', a + 1);
  if (b == std::string::npos) return false;
  try {
    id = std::stoi(m.substr(0, a));
    seq = std::stoi(m.substr(a + 1, b - a - 1));
  } catch (...) {
    return false;
  }
  if (id < 0 || id >= kMaxProducers || seq < 0 || seq >= kMaxSeq) return false;
  return m == message(id, seq);
}

class ShmQueueTest : public checks::ProcessTest {
 protected:
  void SetUp() override {
    checks::ProcessTest::SetUp();
    void* memory = mmap(nullptr, sizeof(Board), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(memory, MAP_FAILED);
    board_ = new (memory) Board();
  }
  void TearDown() override {
    if (board_ != nullptr) munmap(board_, sizeof(Board));
    checks::ProcessTest::TearDown();
  }

  static double stall() { return grading::scaled(3, 6); }

  // Records a message popped by anyone.
  void record(const std::string& m) {
    int id = 0, seq = 0;
    if (parse(m, id, seq)) {
      board_->received[id][seq].fetch_add(1);
    } else {
      board_->torn.fetch_add(1);
    }
    board_->progress.fetch_add(1);
  }

  // Waits for the children: DEADLOCK if nothing moves for stall() seconds, CRASH if one
  // fails. True if all exited with 0.
  bool wait_all(std::vector<pid_t> pids, const std::string& what) {
    return checks::wait_all_children(
        std::move(pids), board_->progress, stall(), what,
        {.exception = "the queue",
         .stall = "there was work: a lost wake-up, or condition variables "
                  "that do not work across processes"});
  }

  // Pops in the parent, recording, until `count` messages came or nothing came for stall():
  // a DEADLOCK while a producer in `producers` is still running, else the messages were lost
  // (reported by expect_exactly_once). False if it stopped early.
  bool parent_pops(ShmQueue& queue, int count, const std::vector<pid_t>& producers,
                   std::vector<std::string>* got = nullptr) {
    auto last_change = Clock::now();
    for (int n = 0; n < count;) {
      std::optional<std::string> m = queue.pop_for(milliseconds(100));
      if (m) {
        record(*m);
        if (got != nullptr) got->push_back(*m);
        ++n;
        last_change = Clock::now();
        grading::tick();
      } else if (std::chrono::duration<double>(Clock::now() - last_change).count() > stall()) {
        bool producers_done = true;
        for (pid_t pid : producers) {
          siginfo_t info{};
          if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
              info.si_pid != pid) {
            producers_done = false;
          }
        }
        if (producers_done) return true;  // everything pushed has been popped: some were lost
        KATA_FAIL(kDeadlock) << "the parent popped nothing for " << stall() << " s after " << n
                             << " of " << count << " messages (producers blocked for good?)";
        return false;
      } else {
        grading::tick();
      }
    }
    return true;
  }

  // Every message of producers [0, producers) x [0, per) received exactly once, none torn.
  void expect_exactly_once(int producers, int per) {
    EXPECT_EQ(board_->torn.load(), 0) << "messages arrived torn or mixed with others";
    int lost = 0, duplicated = 0;
    for (int p = 0; p < producers; ++p) {
      for (int s = 0; s < per; ++s) {
        int n = board_->received[p][s].load();
        if (n == 0) ++lost;
        if (n > 1) ++duplicated;
      }
    }
    EXPECT_EQ(lost, 0) << lost << " of " << producers * per << " messages never arrived";
    EXPECT_EQ(duplicated, 0) << duplicated << " messages arrived more than once";
  }

  Board* board_ = nullptr;
};

TEST_F(ShmQueueTest, FifoLimitsAndTimeoutInOneProcess) {
  ShmQueue queue(3, 10);
  queue.push("a");
  queue.push("");
  queue.push("0123456789");
  EXPECT_EQ(queue.pop(), "a");
  EXPECT_EQ(queue.pop(), "") << "an empty message is a message";
  EXPECT_EQ(queue.pop(), "0123456789") << "a message of exactly max_message bytes";
  EXPECT_THROW(queue.push("01234567890"), std::length_error) << "a message over max_message";
  const auto start = Clock::now();
  EXPECT_EQ(queue.pop_for(milliseconds(100)), std::nullopt) << "pop_for on an empty queue";
  EXPECT_GE(Clock::now() - start, milliseconds(90)) << "pop_for gave up before its timeout";
  for (int round = 0; round < 5; ++round) {  // wrap around the ring
    queue.push("x" + std::to_string(round));
    queue.push("y" + std::to_string(round));
    EXPECT_EQ(queue.pop_for(milliseconds(0)), "x" + std::to_string(round));
    EXPECT_EQ(queue.pop(), "y" + std::to_string(round));
  }
}

TEST_F(ShmQueueTest, ChildProducersParentConsumerInOrder) {
  ShmQueue queue(8, kMaxMessage);
  const int producers = 3;
  const int per = grading::scaled(2000, 5000);
  std::vector<pid_t> pids;
  for (int p = 0; p < producers; ++p) {
    pids.push_back(checks::fork_child([&, p] {
      for (int s = 0; s < per; ++s) queue.push(message(p, s));
      return 0;
    }));
  }
  std::vector<std::string> got;
  bool popped = parent_pops(queue, producers * per, pids, &got);
  if (!wait_all(pids, "producers") || !popped) return;
  expect_exactly_once(producers, per);
  std::vector<int> last(producers, -1);
  for (const std::string& m : got) {
    int id = 0, seq = 0;
    if (!parse(m, id, seq)) continue;
    ASSERT_GT(seq, last[id]) << "producer " << id << "'s messages came out of order";
    last[id] = seq;
  }
}

TEST_F(ShmQueueTest, ChildProducersAndChildConsumers) {
  ShmQueue queue(5, kMaxMessage);
  const int producers = 2, consumers = 2;
  const int per = grading::scaled(2000, 5000);
  std::vector<pid_t> pids;
  for (int p = 0; p < producers; ++p) {
    pids.push_back(checks::fork_child([&, p] {
      for (int s = 0; s < per; ++s) queue.push(message(p, s));
      return 0;
    }));
  }
  for (int c = 0; c < consumers; ++c) {
    pids.push_back(checks::fork_child([&] {
      for (int n = 0; n < per; ++n) record(queue.pop());
      return 0;
    }));
  }
  if (!wait_all(pids, "producers and consumers")) return;
  expect_exactly_once(producers, per);
}

TEST_F(ShmQueueTest, ProducerBlocksWhenFull) {
  const int capacity = 4, total = 12;
  ShmQueue queue(capacity, kMaxMessage);
  pid_t producer = checks::fork_child([&] {
    for (int s = 0; s < total; ++s) {
      queue.push(message(0, s));
      board_->pushed.fetch_add(1);
    }
    return 0;
  });
  // Nobody pops for a while: the producer must be stuck in its fifth push.
  const auto start = Clock::now();
  while (board_->pushed.load() < capacity && Clock::now() - start < std::chrono::seconds(20)) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
  for (int i = 0; i < 150; ++i) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_EQ(board_->pushed.load(), capacity)
      << "with capacity " << capacity << " and nobody popping, push returned "
      << board_->pushed.load() << " times: push must block while the queue is full";
  std::vector<std::string> got;
  bool popped = parent_pops(queue, total, {producer}, &got);
  int status = checks::wait_for(producer, 30);
  if (status == -1) checks::kill_and_reap(producer);
  if (!popped) return;
  ASSERT_EQ(got.size(), static_cast<std::size_t>(total))
      << "messages pushed while the queue was full were lost";
  for (int s = 0; s < total; ++s) {
    EXPECT_EQ(got[static_cast<std::size_t>(s)], message(0, s))
        << "message " << s << " (lost or overwritten while the queue was full?)";
  }
}

TEST_F(ShmQueueTest, EveryBlockedConsumerIsWoken) {
  // Consumers block on an empty queue; then messages arrive back to back, one per consumer.
  // Each consumer takes one and leaves: a push that wakes nobody leaves one asleep for good.
  const int consumers = 3;
  const int rounds = grading::scaled(6, 15);
  for (int round = 0; round < rounds; ++round) {
    ShmQueue queue(consumers, kMaxMessage);
    board_->blocked.store(0);
    std::vector<pid_t> pids;
    for (int c = 0; c < consumers; ++c) {
      pids.push_back(checks::fork_child([&] {
        board_->blocked.fetch_add(1);
        record(queue.pop());
        return 0;
      }));
    }
    while (board_->blocked.load() < consumers) {
      grading::tick();
      std::this_thread::sleep_for(milliseconds(1));
    }
    for (int i = 0; i < 25; ++i) {  // let them reach the wait
      grading::tick();
      std::this_thread::sleep_for(milliseconds(2));
    }
    for (int c = 0; c < consumers; ++c) queue.push(message(round % kMaxProducers, c));
    if (!wait_all(pids, "consumers blocked on an empty queue, then one message each")) return;
  }
  EXPECT_EQ(board_->torn.load(), 0);
}

TEST_F(ShmQueueTest, PopForTakesAMessageThatComesDuringTheWait) {
  ShmQueue queue(2, kMaxMessage);
  pid_t producer = checks::fork_child([&] {
    usleep(100 * 1000);
    queue.push("late");
    return 0;
  });
  const auto start = Clock::now();
  std::optional<std::string> m = queue.pop_for(milliseconds(20000));
  EXPECT_EQ(m, std::optional<std::string>("late"))
      << "pop_for must wait for a message pushed by another process during its timeout";
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(15)) << "the wake-up came only at the timeout";
  if (checks::wait_for(producer, 30) == -1) checks::kill_and_reap(producer);
}

TEST_F(ShmQueueTest, ThreadsOfOneProcessShareIt) {
  // Threads, no fork: here ThreadSanitizer sees every access to the queue.
  // Consumers use pop_for and give up when nothing has moved for stall() seconds, so that lost
  // messages are reported as such (the wake-ups are checked across processes below). One slot:
  // every push reuses the slot the last pop freed, and a consumer that pauses after its pop
  // lets a producer write that slot at once: a pop that still reads it unlocked is a RACE.
  ShmQueue queue(1, kMaxMessage);
  const int per = grading::scaled(1500, 4000);
  std::atomic<int> taken{0};
  grading::run_threads(4, [&](int t) {
    if (t < 2) {
      for (int s = 0; s < per; ++s) {
        queue.push(message(t, s));
        grading::tick();
      }
      return;
    }
    long last = board_->progress.load();
    auto last_change = Clock::now();
    while (taken.load() < 2 * per) {
      if (std::optional<std::string> m = queue.pop_for(milliseconds(50))) {
        record(*m);
        if (taken.fetch_add(1) % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
      } else if (long now = board_->progress.load(); now != last) {
        last = now;
        last_change = Clock::now();
      } else if (std::chrono::duration<double>(Clock::now() - last_change).count() > stall()) {
        break;
      }
      grading::tick();
    }
  });
  expect_exactly_once(2, per);
}

}  // namespace
