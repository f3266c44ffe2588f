// Mutant (FORBIDDEN): built on std::barrier. See barrier.h.
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
      phase_(parties_),
      generation_(std::make_shared<Generation>()) {}

int Barrier::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  const std::shared_ptr<Generation> generation = generation_;
  if (generation->broken) throw BrokenBarrier();
  const int index = count_++;
  if (count_ == parties_) {
    if (action_) {
      try {
        action_();
      } catch (...) {
        generation_->broken = true;
        count_ = 0;
        (void)phase_.arrive();  // our own arrival ends the phase: the others wake, broken
        throw;
      }
    }
    generation_ = std::make_shared<Generation>();
    count_ = 0;
    (void)phase_.arrive();  // the last arrival ends the phase: everyone is released
    return index;
  }
  // Arrive under the lock, so that every arrival counts in the phase of its generation.
  auto token = phase_.arrive();
  lock.unlock();
  phase_.wait(std::move(token));
  lock.lock();
  if (generation->broken) throw BrokenBarrier();
  return index;
}

void Barrier::break_locked() {
  if (!generation_->broken) {
    generation_->broken = true;
    // Arrive for the parties that will never come, so the phase ends and the waiters wake.
    if (count_ > 0) (void)phase_.arrive(parties_ - count_);
  }
  count_ = 0;
}

void Barrier::abort() {
  std::lock_guard<std::mutex> lock(mu_);
  break_locked();
}

void Barrier::reset() {
  std::lock_guard<std::mutex> lock(mu_);
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
