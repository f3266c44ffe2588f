// Per-thread counters that do not share a cache line, and a parallel count that uses them.
//
// A CPU moves memory in cache lines (64 bytes on x86-64), not in bytes. When two threads on
// two cores keep writing two different counters that sit on the same line, each write takes
// the line away from the other core: the counters are logically independent but the hardware
// serialises them. That is false sharing, and it can make "one counter per thread" slower than
// one thread. The cure is padding: give each counter a line of its own.
//
// Python never meets this (the GIL runs one bytecode at a time, and multiprocessing gives each
// worker its own memory); in C++ it is the first surprise of shared-memory parallelism.
//
// The cache line size is named here, not taken from the standard library:
// std::hardware_destructive_interference_size (C++17, <new>) is the portable name, but
// libstdc++ 12 with clang 14, the toolchain of this repository, does not provide it.
//
// Memory ordering: a slot is written by one thread only; count_matches reads the slots after
// joining the threads that wrote them (std::thread::join is the happens-before edge).
//
// Read false_sharing.md first. Edit this file and false_sharing.cc; `./kata check
// models/false_sharing` grades, `./kata bench models/false_sharing` shows padded vs packed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kata::models {

// The cache line of x86-64 (and of most ARM cores). 128 is sometimes used instead (Intel's
// adjacent-line prefetcher fetches lines in pairs, and Apple's M-series cores have 128-byte
// lines), at the cost of twice the memory per slot.
inline constexpr std::size_t kCacheLine = 64;

// `threads` counters, one per thread, each alone on its cache line(s).
class PerThreadCounters {
 public:
  // `threads` counters, all 0. `threads` below 1 throws std::invalid_argument.
  explicit PerThreadCounters(int threads);
  PerThreadCounters(const PerThreadCounters&) = delete;
  PerThreadCounters& operator=(const PerThreadCounters&) = delete;

  // Counter i (0 <= i < size(), else std::out_of_range): the same object on every call, and
  // at least kCacheLine bytes away from every other slot, so that two threads writing two
  // slots never write to the same cache line. Not synchronised: one thread per slot.
  std::uint64_t& slot(int i);

  int size() const;

 private:
  // TODO: the counters, each on a cache line of its own. (A std::vector<std::uint64_t> puts
  // eight of them on one line: that is the bug this kata is about.)
};

// Splits `data` into `threads` contiguous chunks (chunk t is [t * n / threads,
// (t + 1) * n / threads) for n = data.size()), counts the elements x with pred(x) in each
// chunk on its own thread, all threads at once, each counting into its own slot of a
// PerThreadCounters, and returns the counts: element t is the count of chunk t. `threads`
// below 1 throws std::invalid_argument.
std::vector<std::uint64_t> count_matches(std::span<const int> data, int threads,
                                         bool (*pred)(int));

}  // namespace kata::models
