// Mutant (WRONG_RESULT): counts reset by the last thread to leave, no generation counter. See
// barrier.h: a fast thread back before the slow ones have left gets index `parties` and
// passes straight through.
#include "sync/barrier.h"

#include <utility>

namespace kata::sync {

Barrier::Barrier(int parties, std::function<void()> action)
    : parties_(parties), action_(std::move(action)) {
  if (parties < 1) throw std::invalid_argument("Barrier: parties must be at least 1");
}

int Barrier::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  if (broken_) throw BrokenBarrier();
  const int index = arrived_++;
  if (arrived_ == parties_) {
    if (action_) {
      try {
        action_();
      } catch (...) {
        broken_ = true;
        cv_.notify_all();
        throw;
      }
    }
    cv_.notify_all();
  } else {
    cv_.wait(lock, [&] { return arrived_ >= parties_ || broken_; });
    if (broken_) throw BrokenBarrier();
  }
  // BUG: the last one out resets the counts for the next round, but the first one out may
  // already be back, arriving into a round that is still full.
  if (++departed_ == parties_) {
    arrived_ = 0;
    departed_ = 0;
  }
  return index;
}

void Barrier::abort() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = true;
  cv_.notify_all();
}

void Barrier::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = false;
  arrived_ = 0;
  departed_ = 0;
  cv_.notify_all();
}

bool Barrier::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

int Barrier::n_waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_ || arrived_ >= parties_ ? 0 : arrived_;
}

int Barrier::parties() const { return parties_; }

}  // namespace kata::sync
