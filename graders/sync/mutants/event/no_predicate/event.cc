// Mutant (DEADLOCK): wait() sleeps until the next notification without looking at the flag
// (a condition variable without its predicate). A wait() that starts after set() never returns.
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
  std::unique_lock<std::mutex> lock(mu_);
  flag_raised_.wait(lock);  // "set() will notify me"
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return flag_raised_.wait_for(lock, timeout, [this] { return flag_; });
}

}  // namespace kata::sync
