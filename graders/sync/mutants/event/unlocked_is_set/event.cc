// Mutant (RACE): is_set() reads the flag without the lock ("reading a bool is atomic
// anyway"). It is not: the unlocked read races with the locked write in set().
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

bool Event::is_set() const { return flag_; }

void Event::wait() {
  std::unique_lock<std::mutex> lock(mu_);
  flag_raised_.wait(lock, [this] { return flag_; });
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return flag_raised_.wait_for(lock, timeout, [this] { return flag_; });
}

}  // namespace kata::sync
