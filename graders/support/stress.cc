#include "stress.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <thread>
#include <vector>

#include "progress.h"

namespace kata::grading {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t initial_seed() {
  const char* value = std::getenv("KATA_SEED");
  if (value != nullptr && *value != '\0') return std::strtoull(value, nullptr, 10);
  return std::random_device{}() % 1000000;  // short enough to type back into --seed
}

std::atomic<std::uint64_t> next_stream{0};

struct ThreadRandom {
  std::uint64_t state = splitmix64(seed() ^ splitmix64(next_stream.fetch_add(1) + 1));
};
thread_local ThreadRandom thread_random;

}  // namespace

Level level() {
  static const Level value = [] {
    const char* env = std::getenv("KATA_LEVEL");
    return env != nullptr && std::strcmp(env, "thorough") == 0 ? Level::kThorough
                                                               : Level::kQuick;
  }();
  return value;
}

const char* level_name() { return level() == Level::kQuick ? "quick" : "thorough"; }

int scaled(int quick, int thorough) { return level() == Level::kQuick ? quick : thorough; }

std::uint64_t seed() {
  static const std::uint64_t value = initial_seed();
  return value;
}

std::uint64_t random_u64() {
  thread_random.state = splitmix64(thread_random.state);
  return thread_random.state;
}

std::uint64_t random_below(std::uint64_t bound) { return bound == 0 ? 0 : random_u64() % bound; }

void jitter() {
  std::uint64_t r = random_below(64);
  if (r < 12) {
    std::this_thread::yield();
  } else if (r == 12) {
    std::this_thread::sleep_for(std::chrono::microseconds(20 + random_below(200)));
  }
}

void run_threads(int threads, const std::function<void(int)>& body, const std::string& name) {
  std::atomic<int> arrived{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      ProgressScope progress(name + " " + std::to_string(i));
      // Start gate: nobody starts before every thread exists, so they really overlap.
      arrived.fetch_add(1, std::memory_order_acq_rel);
      while (arrived.load(std::memory_order_acquire) < threads) std::this_thread::yield();
      try {
        body(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
      tick();
    });
  }
  for (auto& worker : workers) worker.join();
  for (auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace kata::grading
