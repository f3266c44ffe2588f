// Mutant (FORBIDDEN): wraps std::call_once and std::once_flag, the primitive this kata builds;
// otherwise correct. The forbidden-primitive check names it. (A failed run swaps in a fresh
// once_flag instead of letting the exception leave std::call_once: under ThreadSanitizer a
// callable that throws leaves the flag stuck for ever, since the sanitizer's pthread_once does
// not reset it, and the grader's retry tests would hang before the forbidden check runs.)
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
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
    std::exception_ptr error;
    std::call_once(*once_, [&] {
      try {
        value_.emplace(factory_());
      } catch (...) {
        error = std::current_exception();
      }
    });
    if (error) {
      once_ = std::make_unique<std::once_flag>();
      std::rethrow_exception(error);
    }
    ready_.store(true, std::memory_order_release);
    return *value_;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<std::once_flag> once_ = std::make_unique<std::once_flag>();
  std::function<T()> factory_;
  std::optional<T> value_;
  std::atomic<bool> ready_{false};
};

}  // namespace kata::sync
