// Mutant (DEADLOCK): no generation counter. Waiters wait for the count to drop back to 0,
// which the last arrival does when it releases them; but a fast released thread can call
// wait() again and push the count back to 1 before a slow waiter wakes up, so the slow one
// sees 1 and goes back to sleep for ever (and its generation-mates wait for it). The watchdog
// sees nobody move.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>

namespace kata::sync {

// What wait() throws when the barrier is broken (Python's threading.BrokenBarrierError).
class BrokenBarrier : public std::runtime_error {
 public:
  BrokenBarrier() : std::runtime_error("kata::sync::BrokenBarrier: the barrier is broken") {}
};

class Barrier {
 public:
  // A barrier for `parties` threads (at least 1: throws std::invalid_argument otherwise).
  // `action`, if not empty, runs once per generation, on one of the waiting threads (the last
  // to arrive), after all parties have arrived and before any of them is released.
  explicit Barrier(int parties, std::function<void()> action = {});
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Blocks until `parties` threads have called wait() in this generation, then returns this
  // thread's arrival index: a distinct number 0 .. parties-1 for each thread of the generation
  // (0 for the first to arrive, parties-1 for the last). Throws BrokenBarrier if the barrier is
  // broken when called or while waiting. If the action throws, the barrier breaks, the thread
  // that ran the action gets the action's exception and the other waiters get BrokenBarrier.
  // The action must not call this barrier's methods.
  int wait();

  // Breaks the barrier: every thread blocked in wait() throws BrokenBarrier, and so does every
  // later wait() until reset(). Aborting a broken barrier changes nothing.
  void abort();

  // Starts a fresh, unbroken generation with nobody waiting. Threads still waiting in the old
  // generation throw BrokenBarrier (Python does the same).
  void reset();

  // Whether the barrier is broken (by abort() or a throwing action, and not reset since).
  bool broken() const;

  // How many threads are blocked in wait() in the current generation (0 when broken).
  int n_waiting() const;

  // The number of threads needed to pass the barrier.
  int parties() const;

 private:
  const int parties_;
  const std::function<void()> action_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;        // guarded by mu_
  bool broken_ = false;  // guarded by mu_
};

}  // namespace kata::sync
