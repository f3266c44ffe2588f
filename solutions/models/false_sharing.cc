#include "models/false_sharing.h"

#include <stdexcept>
#include <string>
#include <thread>

namespace kata::models {

PerThreadCounters::PerThreadCounters(int threads) {
  if (threads < 1) throw std::invalid_argument("PerThreadCounters needs at least one slot");
  slots_.resize(static_cast<std::size_t>(threads));
}

std::uint64_t& PerThreadCounters::slot(int i) {
  if (i < 0 || i >= size()) {
    throw std::out_of_range("PerThreadCounters::slot(" + std::to_string(i) + ")");
  }
  return slots_[static_cast<std::size_t>(i)].value;
}

int PerThreadCounters::size() const { return static_cast<int>(slots_.size()); }

std::vector<std::uint64_t> count_matches(std::span<const int> data, int threads,
                                         bool (*pred)(int)) {
  if (threads < 1) throw std::invalid_argument("count_matches needs at least one thread");
  PerThreadCounters counters(threads);
  const std::size_t n = data.size();
  const auto bound = [n, threads](int t) {
    return n * static_cast<std::size_t>(t) / static_cast<std::size_t>(threads);
  };
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    // Each thread takes its own slot once and counts into it: every increment is a write to
    // memory (pred is called through a pointer, so the compiler cannot keep the count in a
    // register), which is exactly where padding matters.
    workers.emplace_back([&counters, data, pred, t, from = bound(t), to = bound(t + 1)] {
      std::uint64_t& mine = counters.slot(t);
      for (std::size_t k = from; k < to; ++k) {
        if (pred(data[k])) ++mine;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) counts[static_cast<std::size_t>(t)] = counters.slot(t);
  return counts;
}

}  // namespace kata::models
