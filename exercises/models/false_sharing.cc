#include "models/false_sharing.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::models {

PerThreadCounters::PerThreadCounters(int threads) {
  // TODO: `threads` counters, all 0 (refuse fewer than 1). Keep the constructor simple: the
  // grader's first method call is what tells "not started" from "started".
  (void)threads;
}

std::uint64_t& PerThreadCounters::slot(int i) {
  // TODO: counter i, or std::out_of_range.
  (void)i;
  throw kata::NotImplemented("PerThreadCounters::slot");
}

int PerThreadCounters::size() const {
  // TODO
  throw kata::NotImplemented("PerThreadCounters::size");
}

std::vector<std::uint64_t> count_matches(std::span<const int> data, int threads,
                                         bool (*pred)(int)) {
  // TODO: one thread per chunk, each counting into its own slot; join; return the slots.
  (void)data;
  (void)threads;
  (void)pred;
  throw kata::NotImplemented("count_matches");
}

}  // namespace kata::models
