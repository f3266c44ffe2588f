// Mutant (WRONG_RESULT): wait_for treats any wake-up as "the flag was set": it waits without
// a predicate and returns true, even when it woke because the timeout expired.
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
  flag_raised_.wait(lock, [this] { return flag_; });
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!flag_) flag_raised_.wait_for(lock, timeout);
  return true;  // woken up, so it was set
}

}  // namespace kata::sync
