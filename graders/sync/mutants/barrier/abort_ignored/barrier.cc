// Mutant (DEADLOCK): waiters wait only for their generation to be replaced and forget the
// broken flag. abort() (and a throwing action) wakes them with notify_all, they re-check the
// predicate, find their generation still current and sleep again: nobody is released, and
// the watchdog sees nobody move. (reset() still works: it replaces the generation.)
#include "sync/barrier.h"

#include <utility>

namespace kata::sync {
namespace {

int checked_parties(int parties) {
  if (parties < 1) throw std::invalid_argument("Barrier: parties must be at least 1");
  return parties;
}

}  // namespace

Barrier::Barrier(int parties, std::function<void()> action)
    : parties_(checked_parties(parties)),
      action_(std::move(action)),
      generation_(std::make_shared<Generation>()) {}

int Barrier::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  // Our own reference to this generation: generation_ may move on before we wake up.
  const std::shared_ptr<Generation> generation = generation_;
  if (generation->broken) throw BrokenBarrier();
  const int index = count_++;

  if (count_ == parties_) {
    // The last to arrive. The action runs under the lock, so nobody can be released (and no
    // abort() can slip in) before it has finished.
    if (action_) {
      try {
        action_();
      } catch (...) {
        break_locked();
        throw;  // this thread gets the action's exception; the others get BrokenBarrier
      }
    }
    // Release this generation by starting the next one.
    generation_ = std::make_shared<Generation>();
    count_ = 0;
    cv_.notify_all();
    return index;
  }

  // Wait for *our* generation to end. Comparing with generation_ (rather than testing count_)
  // is what keeps a fast thread that already arrived for the next generation from holding us.
  // BUG: waits only for the generation to move on; abort() breaks the generation without
  // moving on, so the waiters it wakes go straight back to sleep.
  cv_.wait(lock, [&] { return generation != generation_; });
  if (generation->broken) throw BrokenBarrier();
  return index;
}

void Barrier::break_locked() {
  generation_->broken = true;
  count_ = 0;
  cv_.notify_all();
}

void Barrier::abort() {
  std::lock_guard<std::mutex> lock(mu_);
  break_locked();
}

void Barrier::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  // Whoever still waits in the current generation is told it is broken; newcomers start over.
  break_locked();
  generation_ = std::make_shared<Generation>();
}

bool Barrier::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_->broken;
}

int Barrier::n_waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

int Barrier::parties() const { return parties_; }

}  // namespace kata::sync
