// Mutant (DEADLOCK): no generation counter; waiters wait for "the count is back to 0". See
// barrier.h: a fast thread re-arriving first leaves a slow waiter asleep for ever.
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
  const int index = count_++;
  if (count_ == parties_) {
    if (action_) {
      try {
        action_();
      } catch (...) {
        broken_ = true;
        count_ = 0;
        cv_.notify_all();
        throw;
      }
    }
    count_ = 0;  // releases the waiters
    cv_.notify_all();
    return index;
  }
  // BUG: "the count went back to 0" is not "my generation is over": a released thread may
  // already have arrived again and made it 1.
  cv_.wait(lock, [&] { return count_ == 0 || broken_; });
  if (broken_) throw BrokenBarrier();
  return index;
}

void Barrier::abort() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = true;
  count_ = 0;
  cv_.notify_all();
}

void Barrier::reset() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = false;
  count_ = 0;
  cv_.notify_all();
}

bool Barrier::broken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return broken_;
}

int Barrier::n_waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

int Barrier::parties() const { return parties_; }

}  // namespace kata::sync
