// Mutant (WRONG_RESULT): runs the factory outside the lock ("never call user code while holding
// a lock") and publishes the first result under it. The value is published safely, so
// ThreadSanitizer sees no race, but every thread that arrives before the first result is
// published runs the factory too: the stampede test counts more than one run.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

namespace kata::sync {

template <class T>
class Lazy {
 public:
  explicit Lazy(std::function<T()> factory) : factory_(std::move(factory)) {}
  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  const T& get() {
    if (ready_.load(std::memory_order_acquire)) return *value_;
    T candidate = factory_();  // BUG: every thread that gets here runs the factory
    std::lock_guard<std::mutex> lock(mu_);
    if (!ready_.load(std::memory_order_relaxed)) {
      value_.emplace(std::move(candidate));
      ready_.store(true, std::memory_order_release);
    }
    return *value_;
  }

 private:
  std::mutex mu_;
  std::function<T()> factory_;
  std::optional<T> value_;
  std::atomic<bool> ready_{false};
};

}  // namespace kata::sync
