#include "models/gil.h"

#include <stdexcept>
#include <string>

namespace kata::models {

Gil::Gil(std::chrono::microseconds switch_interval) : interval_(switch_interval) {
  if (switch_interval.count() <= 0) {
    throw std::invalid_argument("the switch interval must be positive");
  }
}

void Gil::take(std::unique_lock<std::mutex>& lock) {
  while (locked_) {
    const std::uint64_t seen = switches_;
    // A wake-up from release() is not a promise: another thread may have taken the GIL first,
    // so loop. A full interval with the same holder is what earns a drop request.
    if (free_.wait_for(lock, interval_) == std::cv_status::timeout && locked_ &&
        switches_ == seen) {
      drop_request_.store(true, std::memory_order_relaxed);
    }
  }
  locked_ = true;
  holder_ = std::this_thread::get_id();
  ++switches_;
  drop_request_.store(false, std::memory_order_relaxed);
  switched_.notify_all();  // an old holder waiting in checkpoint() may now queue up again
}

void Gil::check_holder(const char* what) const {
  if (!locked_ || holder_ != std::this_thread::get_id()) {
    throw std::logic_error(std::string("Gil::") + what + " by a thread that does not hold it");
  }
}

void Gil::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  take(lock);
}

void Gil::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    check_holder("release");
    locked_ = false;
    holder_ = std::thread::id();
  }
  free_.notify_one();
}

void Gil::checkpoint() {
  // The fast path of every "bytecode": nothing asked, nothing to do.
  if (!drop_request_.load(std::memory_order_relaxed)) return;
  std::unique_lock<std::mutex> lock(mu_);
  check_holder("checkpoint");
  if (!drop_request_.load(std::memory_order_relaxed)) return;
  locked_ = false;
  holder_ = std::thread::id();
  const std::uint64_t mine = switches_;
  free_.notify_one();
  // Forced switching: do not compete until a waiter has taken the GIL.
  switched_.wait(lock, [&] { return switches_ != mine; });
  take(lock);
}

bool Gil::drop_requested() const { return drop_request_.load(std::memory_order_relaxed); }

}  // namespace kata::models
