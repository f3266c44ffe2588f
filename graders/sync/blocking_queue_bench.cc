// Throughput of the kata's BlockingQueue against two queues from Debian's libraries, on the
// same producer-consumer workload: P producers put kItems integers in all, P consumers take
// them, through a queue of capacity 1024 (TBB's concurrent_bounded_queue has the same
// blocking, bounded contract; moodycamel's BlockingConcurrentQueue blocks consumers only and
// is unbounded, so it shows what giving up the bound and the one lock buys).
//
// `./kata bench sync/blocking_queue` runs this on your queue and on the reference. The
// "Library" rows do not depend on which queue is linked: they are the yardstick.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <concurrentqueue/blockingconcurrentqueue.h>
#include <oneapi/tbb/concurrent_queue.h>

#include "sync/blocking_queue.h"

namespace {

constexpr std::int64_t kItems = 200'000;
constexpr std::size_t kCapacity = 1024;

// Runs `pairs` producers and `pairs` consumers to completion; `put(i)` and `take()` are the
// queue's operations. Consumers stop after taking their share, so no close() is needed.
template <class Put, class Take>
void run_pairs(int pairs, Put put, Take take) {
  std::vector<std::thread> threads;
  const std::int64_t per_thread = kItems / pairs;
  std::atomic<std::int64_t> checksum{0};
  for (int p = 0; p < pairs; ++p) {
    threads.emplace_back([&] {
      for (std::int64_t i = 0; i < per_thread; ++i) put(i);
    });
    threads.emplace_back([&] {
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < per_thread; ++i) sum += take();
      checksum.fetch_add(sum);
    });
  }
  for (auto& t : threads) t.join();
  const std::int64_t expected = pairs * (per_thread * (per_thread - 1) / 2);
  if (checksum.load() != expected) std::abort();  // a queue that loses items has no speed
}

void BM_KataBlockingQueue(benchmark::State& state) {
  const int pairs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    kata::sync::BlockingQueue<std::int64_t> queue(kCapacity);
    run_pairs(
        pairs, [&](std::int64_t i) { queue.put(i); },
        [&] {
          auto item = queue.get();
          return item ? *item : 0;
        });
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}

void BM_Library_TbbBoundedQueue(benchmark::State& state) {
  const int pairs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    tbb::concurrent_bounded_queue<std::int64_t> queue;
    queue.set_capacity(kCapacity);
    run_pairs(
        pairs, [&](std::int64_t i) { queue.push(i); },
        [&] {
          std::int64_t item = 0;
          queue.pop(item);
          return item;
        });
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}

void BM_Library_MoodycamelBlockingQueue(benchmark::State& state) {
  const int pairs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    moodycamel::BlockingConcurrentQueue<std::int64_t> queue(kCapacity);
    run_pairs(
        pairs, [&](std::int64_t i) { queue.enqueue(i); },
        [&] {
          std::int64_t item = 0;
          queue.wait_dequeue(item);
          return item;
        });
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}

}  // namespace

BENCHMARK(BM_KataBlockingQueue)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Library_TbbBoundedQueue)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Library_MoodycamelBlockingQueue)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
