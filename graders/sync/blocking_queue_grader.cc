// Grader of sync/blocking_queue: FIFO order, capacity, timeouts, close and join, then items
// counted under stress, lost wake-ups, and linearizable histories.
#include "sync/blocking_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness/linearizability.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "kata/not_implemented.h"

namespace {

using kata::sync::BlockingQueue;
using kata::sync::QueueClosed;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace grading = kata::grading;

// A plain thread (not registered with the watchdog, since it may legitimately block for a
// while) whose exception, if any, is rethrown by join(). The destructor joins too.
class Background {
 public:
  explicit Background(std::function<void()> body)
      : thread_([this, body = std::move(body)] {
          try {
            body();
          } catch (...) {
            error_ = std::current_exception();
          }
        }) {}
  ~Background() {
    if (thread_.joinable()) thread_.join();
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  void join() {
    thread_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;  // before thread_: set up before the thread starts
  std::thread thread_;
};

// Sleeps `duration` while ticking, so that a test thread that waits on purpose is not taken
// for a stuck one.
void pause(Clock::duration duration) {
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(5));
    grading::tick();
  }
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// EXPECT that `call` throws std::logic_error (and not kata::NotImplemented, itself a
// logic_error, which must keep meaning "not started").
template <class F>
void expect_logic_error(F call, const char* what) {
  try {
    call();
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const std::logic_error&) {
    return;
  }
  ADD_FAILURE() << what;
}

// Consumes items until the queue is closed and drained, calling on_item(item) for each.
// `closing` is set just before close(); close() happens-before the get() that observes it, so a
// get() that returns nothing while `closing` is still false broke the contract ("nothing" means
// closed and drained). Such calls are counted in `early_nothing` and the consumer keeps going,
// so that the round still ends and the test can say what happened.
template <class F>
void consume(BlockingQueue<int>& queue, const std::atomic<bool>& closing,
             std::atomic<int>& early_nothing, bool timed, F on_item) {
  int early = 0;
  while (true) {
    std::optional<int> item;
    if (timed) {
      item = queue.get_for(milliseconds(grading::random_below(3)));
      if (!item && !closing.load(std::memory_order_relaxed)) {
        // A timeout: try again. Not progress (no tick): if the producers are stuck, polling
        // consumers must not hide it from the watchdog.
        continue;
      }
      if (!item) item = queue.get();  // closing: drain what is left
    } else {
      item = queue.get();
    }
    if (!item) {
      if (closing.load(std::memory_order_relaxed)) return;
      early_nothing.fetch_add(1, std::memory_order_relaxed);
      if (++early > 1000) return;  // get() seems to always return nothing: give up
      continue;
    }
    on_item(*item);
    grading::tick();
  }
}

// Runs body(); the last of the `left` threads that run one (a producer, say) to finish closes
// the queue, also when a body throws, so that the consumers are released either way.
template <class F>
void run_as_closer(BlockingQueue<int>& queue, std::atomic<int>& left, std::atomic<bool>& closing,
                   F body) {
  auto done = [&] {
    if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      closing.store(true, std::memory_order_relaxed);
      queue.close();
    }
  };
  try {
    body();
  } catch (...) {
    done();
    throw;
  }
  done();
}

constexpr const char* kEarlyNothing =
    " get() calls returned nothing although the queue was not closed: a consumer woke up, found "
    "the queue empty (another consumer had taken the item, or the wake-up was spurious) and "
    "returned instead of waiting again";

// ---------------------------------------------------------------------------------------------
// One thread: the sequential contract.

TEST(BlockingQueue, GetsItemsInTheOrderTheyWerePut) {
  BlockingQueue<int> queue;
  EXPECT_EQ(queue.size(), 0u);
  for (int i = 1; i <= 5; ++i) queue.put(i);
  EXPECT_EQ(queue.size(), 5u);
  for (int i = 1; i <= 5; ++i) {
    std::optional<int> item = queue.get();
    ASSERT_TRUE(item.has_value()) << "get() returned nothing from a queue holding items";
    EXPECT_EQ(*item, i) << "items must come out in the order they went in (FIFO)";
  }
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.get_for(milliseconds(0)), std::nullopt)
      << "get_for(0ms) on an empty queue must return nothing at once";
  EXPECT_TRUE(queue.put_for(6, milliseconds(0))) << "put_for on an unbounded queue must succeed";
  EXPECT_EQ(queue.get_for(milliseconds(0)), 6);
}

TEST(BlockingQueue, CapacityZeroIsUnbounded) {
  BlockingQueue<int> queue(0);
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    queue.put(i);  // must never wait
    if (i % 256 == 0) grading::tick();
  }
  EXPECT_EQ(queue.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(queue.get(), i) << "FIFO order broken after " << i << " items";
    if (i % 256 == 0) grading::tick();
  }
}

TEST(BlockingQueue, HoldsMoveOnlyItems) {
  BlockingQueue<std::unique_ptr<int>> queue(2);
  queue.put(std::make_unique<int>(1));
  EXPECT_TRUE(queue.put_for(std::make_unique<int>(2), milliseconds(10)));
  std::optional<std::unique_ptr<int>> first = queue.get();
  ASSERT_TRUE(first.has_value() && *first != nullptr);
  EXPECT_EQ(**first, 1);
  std::optional<std::unique_ptr<int>> second = queue.get_for(milliseconds(10));
  ASSERT_TRUE(second.has_value() && *second != nullptr);
  EXPECT_EQ(**second, 2);
}

TEST(BlockingQueue, AFullQueueRefusesPutForAfterTheTimeout) {
  BlockingQueue<int> queue(2);
  queue.put(1);
  queue.put(2);
  EXPECT_FALSE(queue.put_for(3, milliseconds(0)))
      << "put_for(0ms) added a third item to a queue of capacity 2";
  auto start = Clock::now();
  EXPECT_FALSE(queue.put_for(3, milliseconds(40)))
      << "put_for added a third item to a queue of capacity 2";
  double waited = ms_since(start);
  EXPECT_GE(waited, 39.0) << "put_for(40ms) on a full queue gave up before its timeout";
  EXPECT_LT(waited, 3000.0) << "put_for(40ms) on a full queue waited far longer than 40 ms";
  EXPECT_EQ(queue.size(), 2u) << "a queue of capacity 2 must hold 2 items";
  EXPECT_EQ(queue.get(), 1);
  EXPECT_EQ(queue.get(), 2);
  EXPECT_EQ(queue.get_for(milliseconds(0)), std::nullopt)
      << "the item of a put_for that returned false must not be in the queue";
}

TEST(BlockingQueue, GetForWaitsForTheTimeoutOnAnEmptyQueue) {
  BlockingQueue<int> queue;
  auto start = Clock::now();
  EXPECT_EQ(queue.get_for(milliseconds(40)), std::nullopt);
  double waited = ms_since(start);
  EXPECT_GE(waited, 39.0) << "get_for(40ms) on an empty queue returned before its timeout";
  EXPECT_LT(waited, 3000.0) << "get_for(40ms) on an empty queue waited far longer than 40 ms";
}

TEST(BlockingQueue, PutWaitsWhileTheQueueIsFull) {
  BlockingQueue<int> queue(3);
  for (int i = 1; i <= 3; ++i) queue.put(i);
  std::atomic<bool> returned{false};
  Background putter([&] {
    queue.put(4);
    returned = true;
  });
  pause(milliseconds(60));
  EXPECT_FALSE(returned.load()) << "put() on a full queue (capacity 3) returned without waiting";
  EXPECT_EQ(queue.size(), 3u) << "a queue of capacity 3 held more than 3 items";
  EXPECT_EQ(queue.get(), 1);
  putter.join();  // get() made room: the waiting put() must finish (or the watchdog says so)
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(queue.get(), 2);
  EXPECT_EQ(queue.get(), 3);
  EXPECT_EQ(queue.get(), 4) << "the item of the waiting put() must come last";
}

TEST(BlockingQueue, WaitingGetForWakesWhenAnItemArrives) {
  BlockingQueue<int> queue;
  Background producer([&] {
    std::this_thread::sleep_for(milliseconds(30));
    queue.put(7);
  });
  auto start = Clock::now();
  std::optional<int> item = queue.get_for(milliseconds(2000));
  double waited = ms_since(start);
  producer.join();
  EXPECT_EQ(item, 7) << "get_for(2000ms) missed an item put 30 ms after it started waiting";
  EXPECT_LT(waited, 1500.0) << "get_for did not wake when the item arrived (it waited "
                            << waited << " ms): was the waiting consumer notified?";
}

TEST(BlockingQueue, CloseDrainsThenRefuses) {
  BlockingQueue<int> queue;
  queue.put(1);
  queue.put(2);
  queue.close();
  EXPECT_THROW(queue.put(3), QueueClosed) << "put() after close() must throw QueueClosed";
  EXPECT_THROW(queue.put_for(3, milliseconds(10)), QueueClosed)
      << "put_for() after close() must throw QueueClosed";
  EXPECT_EQ(queue.size(), 2u) << "a refused put must not add its item";
  EXPECT_EQ(queue.get(), 1) << "close() must not discard the items already in the queue";
  EXPECT_EQ(queue.get_for(milliseconds(0)), 2);
  auto start = Clock::now();
  EXPECT_EQ(queue.get(), std::nullopt) << "get() on a closed, empty queue must return nothing";
  EXPECT_EQ(queue.get_for(milliseconds(2000)), std::nullopt);
  EXPECT_LT(ms_since(start), 1000.0)
      << "get/get_for on a closed, empty queue must return at once, not wait";
  queue.close();  // idempotent
  EXPECT_EQ(queue.size(), 0u);
}

TEST(BlockingQueue, TaskDoneAndJoinCountTasks) {
  BlockingQueue<int> queue;
  queue.join();  // nothing unfinished: returns at once
  queue.put(1);
  queue.put(2);
  expect_logic_error([&] { queue.task_done(); },
                     "task_done() before any get() must throw std::logic_error");
  EXPECT_EQ(queue.get(), 1);
  queue.task_done();
  expect_logic_error([&] { queue.task_done(); },
                     "a second task_done() after one get() must throw std::logic_error");
  EXPECT_EQ(queue.get(), 2);
  queue.task_done();
  queue.join();  // both items got and done: returns at once
  expect_logic_error([&] { queue.task_done(); },
                     "task_done() more often than items got must throw std::logic_error");
}

TEST(BlockingQueue, JoinWaitsUntilTheLastTaskIsDone) {
  BlockingQueue<int> queue;
  queue.put(1);
  std::atomic<bool> processed{false};
  Background consumer([&] {
    std::optional<int> item = queue.get();
    std::this_thread::sleep_for(milliseconds(50));  // "processing" the item
    processed = true;
    if (item) queue.task_done();
  });
  queue.join();
  EXPECT_TRUE(processed.load())
      << "join() returned while an item that was got was still being processed "
         "(before its task_done())";
  consumer.join();
}

// ---------------------------------------------------------------------------------------------
// close() must wake every waiting thread. A close() that notifies one waiter leaves the others
// asleep forever: the watchdog then reports DEADLOCK with the stacks of the sleepers.

TEST(BlockingQueue, CloseWakesEveryWaitingConsumer) {
  BlockingQueue<int> queue;
  const int consumers = 4;
  std::atomic<int> started{0};
  std::vector<std::optional<int>> results(consumers, std::optional<int>(-1));
  std::vector<std::unique_ptr<Background>> threads;
  for (int i = 0; i < consumers; ++i) {
    threads.push_back(std::make_unique<Background>([&, i] {
      started.fetch_add(1);
      // Half wait in get(), half in get_for() with a timeout far beyond the watchdog's.
      results[static_cast<std::size_t>(i)] =
          i % 2 == 0 ? queue.get() : queue.get_for(milliseconds(60000));
    }));
  }
  while (started.load() < consumers) {
    std::this_thread::yield();
    grading::tick();
  }
  pause(milliseconds(50));  // let them all reach their wait
  queue.close();
  for (auto& thread : threads) thread->join();
  for (int i = 0; i < consumers; ++i) {
    EXPECT_EQ(results[static_cast<std::size_t>(i)], std::nullopt)
        << "consumer " << i << " waiting on the empty queue must get nothing after close()";
  }
}

TEST(BlockingQueue, CloseWakesEveryWaitingProducer) {
  BlockingQueue<int> queue(1);
  queue.put(0);  // full
  const int producers = 4;
  std::atomic<int> started{0};
  std::vector<int> outcome(producers, 0);  // 1: threw QueueClosed, 2: returned normally
  std::vector<std::unique_ptr<Background>> threads;
  for (int i = 0; i < producers; ++i) {
    threads.push_back(std::make_unique<Background>([&, i] {
      started.fetch_add(1);
      try {
        if (i % 2 == 0) {
          queue.put(100 + i);
        } else {
          queue.put_for(100 + i, milliseconds(60000));
        }
        outcome[static_cast<std::size_t>(i)] = 2;
      } catch (const QueueClosed&) {
        outcome[static_cast<std::size_t>(i)] = 1;
      }
    }));
  }
  while (started.load() < producers) {
    std::this_thread::yield();
    grading::tick();
  }
  pause(milliseconds(50));
  queue.close();
  for (auto& thread : threads) thread->join();
  for (int i = 0; i < producers; ++i) {
    EXPECT_EQ(outcome[static_cast<std::size_t>(i)], 1)
        << "producer " << i << " waiting on the full queue must throw QueueClosed on close()";
  }
  EXPECT_EQ(queue.get(), 0) << "the item put before close() must still be there";
  EXPECT_EQ(queue.get(), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Stress: many producers and consumers, every item accounted for.

struct Traffic {
  int producers;
  int consumers;
  int items_per_producer;
  std::size_t capacity;
  bool timed_consumers;  // half the consumers poll with get_for instead of waiting in get
};

// Runs one round: the producers put (producer, sequence number) items; the last producer to
// finish closes the queue; the consumers take items until the queue is closed and drained.
// Checks that every item arrives exactly once, that each consumer sees each producer's items
// in order (FIFO), and that get() never returns nothing before close().
void run_traffic(const Traffic& traffic, int round) {
  BlockingQueue<int> queue(traffic.capacity);
  const int total = traffic.producers * traffic.items_per_producer;
  std::atomic<int> producers_left{traffic.producers};
  std::atomic<bool> closing{false};
  std::atomic<int> early_nothing{0};
  std::vector<std::vector<int>> got(static_cast<std::size_t>(traffic.consumers));
  grading::run_threads(
      traffic.producers + traffic.consumers,
      [&](int t) {
        if (t < traffic.producers) {
          run_as_closer(queue, producers_left, closing, [&] {
            for (int i = 0; i < traffic.items_per_producer; ++i) {
              queue.put(t * traffic.items_per_producer + i);
              if (i % 8 == 0) grading::jitter();
              grading::tick();
            }
          });
          return;
        }
        const int c = t - traffic.producers;
        std::vector<int>& mine = got[static_cast<std::size_t>(c)];
        consume(queue, closing, early_nothing, traffic.timed_consumers && c % 2 == 1,
                [&](int item) {
                  mine.push_back(item);
                  if (mine.size() % 8 == 0) grading::jitter();
                });
      },
      "producer/consumer");
  ASSERT_EQ(early_nothing.load(), 0) << early_nothing.load() << kEarlyNothing << " (round "
                                     << round << ")";
  std::vector<int> seen(static_cast<std::size_t>(total), 0);
  for (int c = 0; c < traffic.consumers; ++c) {
    std::vector<int> last(static_cast<std::size_t>(traffic.producers), -1);
    for (int item : got[static_cast<std::size_t>(c)]) {
      ASSERT_TRUE(item >= 0 && item < total)
          << "a consumer got " << item << ", which no producer put (round " << round << ")";
      ++seen[static_cast<std::size_t>(item)];
      const int producer = item / traffic.items_per_producer;
      ASSERT_GT(item, last[static_cast<std::size_t>(producer)])
          << "FIFO broken: a consumer got producer " << producer << "'s item "
          << item % traffic.items_per_producer << " after its item "
          << last[static_cast<std::size_t>(producer)] % traffic.items_per_producer
          << " (round " << round << ")";
      last[static_cast<std::size_t>(producer)] = item;
    }
  }
  int lost = 0, duplicated = 0;
  for (int count : seen) {
    if (count == 0) ++lost;
    if (count > 1) duplicated += count - 1;
  }
  ASSERT_EQ(lost + duplicated, 0)
      << traffic.producers << " producers put " << total << " items into a queue of capacity "
      << traffic.capacity << " while " << traffic.consumers << " consumers took them: " << lost
      << " items were never got and " << duplicated << " were got more than once (round "
      << round << ")";
  EXPECT_EQ(queue.size(), 0u);
}

// A lost wake-up leaves consumers asleep beside a non-empty queue, or producers asleep beside a
// queue with room. With capacity 1 and more threads than places, producers and consumers wait
// all the time, and a notification that reaches the wrong kind of waiter (or nobody) soon
// leaves every thread asleep: DEADLOCK.
TEST(BlockingQueue, NoLostWakeUpsWithManyProducersAndConsumers) {
  const int rounds = grading::scaled(6, 30);
  for (int round = 0; round < rounds; ++round) {
    Traffic traffic{/*producers=*/3 + round % 2, /*consumers=*/3 + (round + 1) % 2,
                    /*items_per_producer=*/grading::scaled(200, 400),
                    /*capacity=*/1 + static_cast<std::size_t>(round % 2),
                    /*timed_consumers=*/false};
    run_traffic(traffic, round);
  }
}

TEST(BlockingQueue, ItemsAreNeitherLostNorDuplicated) {
  const int rounds = grading::scaled(12, 60);
  const std::size_t capacities[] = {0, 1, 2, 5};
  for (int round = 0; round < rounds; ++round) {
    Traffic traffic{/*producers=*/2 + round % 2, /*consumers=*/2 + (round / 2) % 2,
                    /*items_per_producer=*/grading::scaled(150, 300), capacities[round % 4],
                    /*timed_consumers=*/round % 3 != 0};
    run_traffic(traffic, round);
  }
}

// The queue never holds more than its capacity. Two witnesses: size(), polled by a monitor, and
// a count that needs no cooperation from the queue: items whose put() returned minus gets that
// were called is a lower bound of the items inside, so it never exceeds the capacity either.
TEST(BlockingQueue, NeverHoldsMoreThanItsCapacity) {
  const int rounds = grading::scaled(8, 40);
  for (int round = 0; round < rounds; ++round) {
    const std::size_t capacity = 1 + static_cast<std::size_t>(round % 3);
    const int producers = 3, consumers = 2, per_producer = grading::scaled(200, 400);
    BlockingQueue<int> queue(capacity);
    std::atomic<long> puts_returned{0}, gets_called{0};
    std::atomic<int> producers_left{producers}, consumers_left{consumers}, early_nothing{0};
    std::atomic<bool> closing{false};
    std::atomic<std::size_t> worst_size{0};
    std::atomic<long> worst_bound{0};
    grading::run_threads(producers + consumers + 1, [&](int t) {
      if (t < producers) {
        run_as_closer(queue, producers_left, closing, [&] {
          for (int i = 0; i < per_producer; ++i) {
            queue.put(i);
            puts_returned.fetch_add(1, std::memory_order_relaxed);
            grading::tick();
          }
        });
      } else if (t < producers + consumers) {
        gets_called.fetch_add(1, std::memory_order_relaxed);  // the first get
        try {
          consume(queue, closing, early_nothing, false, [&](int) {
            if (grading::random_below(4) == 0) grading::jitter();
            gets_called.fetch_add(1, std::memory_order_relaxed);  // before the next get
          });
        } catch (...) {
          consumers_left.fetch_sub(1);
          throw;
        }
        consumers_left.fetch_sub(1);
      } else {  // the monitor
        while (consumers_left.load() > 0) {
          std::size_t size = queue.size();
          // Puts first: at the moment it is read, at least `puts - gets` items were inside
          // (increments are relaxed; on x86-64 they are seen in the order they happened).
          long puts = puts_returned.load();
          long gets = gets_called.load();
          if (size > worst_size.load()) worst_size = size;
          if (puts - gets > worst_bound.load()) worst_bound = puts - gets;
          grading::tick();
        }
      }
    });
    ASSERT_EQ(early_nothing.load(), 0) << early_nothing.load() << kEarlyNothing;
    ASSERT_LE(worst_size.load(), capacity)
        << "size() reported " << worst_size.load() << " items in a queue of capacity "
        << capacity << " (round " << round << ")";
    ASSERT_LE(worst_bound.load(), static_cast<long>(capacity))
        << "at one moment, " << worst_bound.load() << " put() calls had returned beyond the "
        << "get() calls made, in a queue of capacity " << capacity << ": put() did not wait "
        << "while the queue was full (round " << round << ")";
  }
}

// join() returns only when every item put has been got and marked done, even while consumers
// are still busy with the last items.
TEST(BlockingQueue, JoinWaitsForEveryTaskUnderLoad) {
  const int rounds = grading::scaled(10, 50);
  for (int round = 0; round < rounds; ++round) {
    BlockingQueue<int> queue(round % 2 == 0 ? 0 : 4);
    const int producers = 2, consumers = 3, per_producer = grading::scaled(60, 120);
    const int total = producers * per_producer;
    std::atomic<int> producers_putting{producers}, joiners{1}, early_nothing{0};
    std::atomic<bool> closing{false};
    std::atomic<int> processed{0};
    std::atomic<int> processed_at_join{-1};
    grading::run_threads(producers + consumers + 1, [&](int t) {
      if (t < producers) {
        try {
          for (int i = 0; i < per_producer; ++i) {
            queue.put(i);
            grading::tick();
          }
        } catch (...) {
          producers_putting.fetch_sub(1, std::memory_order_release);
          throw;
        }
        producers_putting.fetch_sub(1, std::memory_order_release);
      } else if (t < producers + consumers) {
        consume(queue, closing, early_nothing, false, [&](int) {
          // Processing takes a while, sometimes.
          if (grading::random_below(4) == 0) {
            std::this_thread::sleep_for(
                std::chrono::microseconds(50 + grading::random_below(300)));
          }
          processed.fetch_add(1, std::memory_order_relaxed);
          queue.task_done();
        });
      } else {  // the joiner: joins once everything is put, as Python's q.join() after the puts
        while (producers_putting.load(std::memory_order_acquire) > 0) {
          std::this_thread::yield();
          grading::tick();
        }
        // Whatever join() does, close the queue afterwards so that the consumers finish.
        run_as_closer(queue, joiners, closing, [&] {
          queue.join();
          // task_done() happens-before join() returns: every increment before it is visible.
          processed_at_join = processed.load(std::memory_order_relaxed);
        });
      }
    });
    ASSERT_EQ(early_nothing.load(), 0) << early_nothing.load() << kEarlyNothing;
    ASSERT_EQ(processed_at_join.load(), total)
        << "join() returned when only " << processed_at_join.load() << " of " << total
        << " items had been processed and marked task_done() (round " << round << ")";
  }
}

// ---------------------------------------------------------------------------------------------
// Linearizability: every history of put/put_for/get_for/size must be explained by a sequential
// FIFO queue (of the same capacity) taking the operations one at a time.

struct QueueModel {
  struct Op {
    enum Kind { kPut, kPutFor, kGetFor, kSize } kind;
    int value;       // the item put
    int timeout_ms;  // of put_for and get_for
  };
  using Result = long;  // put: 0; put_for: 1 true, 0 false; get_for: the item or -1; size
  using State = std::deque<int>;
  std::size_t capacity = 0;

  State initial() const { return {}; }
  std::optional<std::pair<Result, State>> apply(const State& queue, const Op& op) const {
    const bool full = capacity != 0 && queue.size() >= capacity;
    State next = queue;
    switch (op.kind) {
      case Op::kPut:
        if (full) return std::nullopt;  // put() waits; it takes effect when there is room
        next.push_back(op.value);
        return std::make_pair(0L, std::move(next));
      case Op::kPutFor:
        if (full) return std::make_pair(0L, std::move(next));
        next.push_back(op.value);
        return std::make_pair(1L, std::move(next));
      case Op::kGetFor: {
        if (next.empty()) return std::make_pair(-1L, std::move(next));
        long front = next.front();
        next.pop_front();
        return std::make_pair(front, std::move(next));
      }
      case Op::kSize:
        return std::make_pair(static_cast<long>(queue.size()), std::move(next));
    }
    return std::nullopt;
  }
  std::string op_text(const Op& op) const {
    switch (op.kind) {
      case Op::kPut:
        return "put(" + std::to_string(op.value) + ")";
      case Op::kPutFor:
        return "put_for(" + std::to_string(op.value) + ", " + std::to_string(op.timeout_ms) +
               "ms)";
      case Op::kGetFor:
        return "get_for(" + std::to_string(op.timeout_ms) + "ms)";
      case Op::kSize:
        return "size()";
    }
    return "?";
  }
  std::string result_text(const Op& op, Result result) const {
    switch (op.kind) {
      case Op::kPut:
        return "done";
      case Op::kPutFor:
        return result != 0 ? "true" : "false";
      case Op::kGetFor:
        return result < 0 ? "nothing" : std::to_string(result);
      case Op::kSize:
        return std::to_string(result);
    }
    return "?";
  }
  std::string state_text(const State& queue) const {
    if (queue.empty()) return "the queue empty";
    std::string text = "the queue holding [";
    for (std::size_t i = 0; i < queue.size(); ++i) {
      text += (i == 0 ? "" : ", ") + std::to_string(queue[i]);
    }
    return text + "] (oldest first)";
  }
  std::string name() const {
    return capacity == 0 ? "a sequential unbounded FIFO queue"
                         : "a sequential FIFO queue of capacity " + std::to_string(capacity);
  }
};

TEST(BlockingQueue, EveryHistoryIsLinearizable) {
  using Op = QueueModel::Op;
  const int rounds = grading::scaled(60, 300);
  const int threads = 4;
  const int ops_per_thread = 16;
  for (int round = 0; round < rounds; ++round) {
    // Even rounds: unbounded, blocking put(). Odd rounds: capacity 2 with put_for(), so that no
    // thread can wait forever for room at the end of the round.
    const QueueModel model{round % 2 == 0 ? 0u : 2u};
    BlockingQueue<int> queue(model.capacity);
    grading::History<QueueModel> history(threads);
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < ops_per_thread; ++i) {
        const int value = t * 100 + i;
        const int timeout = static_cast<int>(grading::random_below(2));  // 0 or 1 ms
        const auto dice = grading::random_below(100);
        if (dice < 40) {
          if (model.capacity == 0) {
            history.record(t, {Op::kPut, value, 0}, [&] { queue.put(value); });
          } else {
            history.record(t, {Op::kPutFor, value, timeout}, [&] {
              return queue.put_for(value, milliseconds(timeout)) ? 1L : 0L;
            });
          }
        } else if (dice < 85) {
          history.record(t, {Op::kGetFor, 0, timeout}, [&] {
            std::optional<int> item = queue.get_for(milliseconds(timeout));
            return item ? static_cast<long>(*item) : -1L;
          });
        } else {
          history.record(t, {Op::kSize, 0, 0},
                         [&] { return static_cast<long>(queue.size()); });
        }
        grading::jitter();
        grading::tick();
      }
    });
    auto check = grading::check_linearizable(history, model);
    ASSERT_TRUE(check.ok) << "round " << round << ": " << check.explanation;
    grading::tick();
  }
}

}  // namespace
