#include "models/parallel_sum.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::models {

// TODO: helpers you will want in every model: the bounds of chunk k, and the sum of one range.

std::uint64_t sum_sequential(std::uint64_t n, Term f) {
  // TODO: f(0) + ... + f(n - 1). The baseline every other model is measured against.
  (void)n;
  (void)f;
  throw kata::NotImplemented("sum_sequential");
}

std::uint64_t sum_threads(std::uint64_t n, Term f, int threads) {
  // TODO: one std::thread per chunk; each writes only its own partial sum; join them all,
  // then add the partial sums.
  (void)n;
  (void)f;
  (void)threads;
  throw kata::NotImplemented("sum_threads");
}

std::uint64_t sum_async(std::uint64_t n, Term f, int tasks) {
  // TODO: one std::async task per chunk. Mind the launch policy: all tasks must run at once.
  (void)n;
  (void)f;
  (void)tasks;
  throw kata::NotImplemented("sum_async");
}

std::uint64_t sum_processes(std::uint64_t n, Term f, int processes) {
  // TODO: for each chunk, a pipe and a fork. The child computes, writes 8 bytes, _exit(0)s.
  // The parent closes what it does not use, reads every result, waits for every child, and
  // closes the rest, also on the error paths.
  (void)n;
  (void)f;
  (void)processes;
  throw kata::NotImplemented("sum_processes");
}

}  // namespace kata::models
