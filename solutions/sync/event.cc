#include "sync/event.h"

namespace kata::sync {

void Event::set() {
  std::lock_guard<std::mutex> lock(mu_);
  flag_ = true;
  // Every waiter is waiting for the same thing, so every waiter must wake: notify_one would
  // leave the others asleep next to a raised flag. Notifying under the lock also means that a
  // waiter cannot return and destroy the Event while this call still uses it.
  flag_raised_.notify_all();
}

void Event::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  flag_ = false;
}

bool Event::is_set() const {
  std::lock_guard<std::mutex> lock(mu_);
  return flag_;
}

void Event::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  // The predicate is checked under the lock before sleeping (a set() that came first is not
  // missed: set() needs the same lock, and wait() releases it only once it sleeps), and again
  // after every wake-up (a spurious one, or a set() already undone by clear(), finds the flag
  // lowered and sleeps again).
  flag_raised_.wait(lock, [this] { return flag_; });
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  // One deadline for the whole wait, and the flag decides the result, not the wake-up.
  return flag_raised_.wait_for(lock, timeout, [this] { return flag_; });
}

}  // namespace kata::sync
