// Mutant (WRONG_RESULT): caches a failure like a future does: once the factory throws, every
// later get() rethrows that same exception and the factory never runs again. The grader
// expects the next get() to retry.
#pragma once

#include <atomic>
#include <exception>
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
    std::lock_guard<std::mutex> lock(mu_);
    if (error_) std::rethrow_exception(error_);  // BUG: the failure is permanent
    if (!ready_.load(std::memory_order_relaxed)) {
      try {
        value_.emplace(factory_());
      } catch (...) {
        error_ = std::current_exception();
        throw;
      }
      ready_.store(true, std::memory_order_release);
    }
    return *value_;
  }

 private:
  std::mutex mu_;
  std::function<T()> factory_;
  std::exception_ptr error_;
  std::optional<T> value_;
  std::atomic<bool> ready_{false};
};

}  // namespace kata::sync
