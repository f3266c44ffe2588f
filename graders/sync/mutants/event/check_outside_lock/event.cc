// Mutant (DEADLOCK): wait() checks the flag, lets go of the lock, then takes it again to
// sleep. A set() between the check and the sleep notifies nobody, and the waiter sleeps forever
// (a lost wake-up). Every access is locked: ThreadSanitizer sees nothing.
#include "sync/event.h"

namespace kata::sync {

void Event::set() {
  std::lock_guard<std::mutex> lock(mu_);
  flag_ = true;
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
  if (is_set()) return;
  std::unique_lock<std::mutex> lock(mu_);
  flag_raised_.wait(lock);
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return flag_raised_.wait_for(lock, timeout, [this] { return flag_; });
}

}  // namespace kata::sync
