// Barrier: a fixed number of threads meet, then all go on together, again and again.
//
// Python's `threading.Barrier(parties, action)`: each of `parties` threads calls wait(); the
// first parties-1 block; the last one to arrive runs `action` (if any) and releases them all.
// Then the barrier is ready for the next round (a "generation") with no reset needed. A barrier
// can be broken: abort(), or an action that throws, makes every waiter (and every later caller)
// throw BrokenBarrier until reset().
//
// The trap is reuse: a fast thread released from generation g can call wait() again, for
// generation g+1, before a slow thread of generation g has even woken up. The slow thread must
// still leave generation g, and the fast one must not be counted in it. Here each generation
// is an object of its own (as in Java's CyclicBarrier): a waiter keeps a pointer to the one it
// joined and waits until that generation is over, whatever has happened to the barrier since.
//
// Memory ordering: everything a thread did before its wait() of generation g happens-before
// the action of generation g, and the action happens-before every return of wait() of
// generation g. (So after wait() returns, each thread sees what every party did before it
// arrived.)
//
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
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
  // One round of the barrier. It ends either released (the barrier moved on to a newer
  // Generation object) or broken (this flag); its waiters hold it until they have left.
  struct Generation {
    bool broken = false;  // guarded by mu_
  };

  // Marks the current generation broken and wakes its waiters. Requires mu_.
  void break_locked();

  const int parties_;
  const std::function<void()> action_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;                          // threads waiting in generation_; guarded by mu_
  std::shared_ptr<Generation> generation_;  // the current generation; guarded by mu_
};

}  // namespace kata::sync
