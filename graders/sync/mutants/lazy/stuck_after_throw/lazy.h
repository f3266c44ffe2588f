// Mutant (DEADLOCK): a hand-made once-state (empty -> running -> done) that forgets the
// exception. When the factory throws, the state stays "running", and every later get() waits
// for a "done" that never comes. The watchdog sees no progress.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <utility>

namespace kata::sync {

template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> factory) : factory_(std::move(factory)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    if (state_.load(std::memory_order_acquire) == kDone) return *value_;
    int expected = kEmpty;
    if (state_.compare_exchange_strong(expected, kRunning, std::memory_order_acquire)) {
      value_.emplace(factory_());  // BUG: if this throws, state_ stays kRunning forever
      state_.store(kDone, std::memory_order_release);
    } else {
      while (state_.load(std::memory_order_acquire) != kDone) std::this_thread::yield();
    }
    return *value_;
  }

 private:
  enum { kEmpty, kRunning, kDone };
  std::function<T()> factory_;
  std::optional<T> value_;
  std::atomic<int> state_{kEmpty};
};

}  // namespace kata::sync
