// Mutant (FORBIDDEN): correct, but names its states with `static constexpr` members. The kata
// forbids the keyword `static` in lazy.h outright (a function-local static would initialise
// itself once behind the compiler's own lock), so the forbidden-primitive check flags it.
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
    if (state_.load(std::memory_order_acquire) == kBuilt) return *value_;
    std::lock_guard<std::mutex> lock(mu_);
    if (state_.load(std::memory_order_relaxed) == kEmpty) {
      value_.emplace(factory_());
      state_.store(kBuilt, std::memory_order_release);
    }
    return *value_;
  }

 private:
  static constexpr int kEmpty = 0;
  static constexpr int kBuilt = 1;

  std::mutex mu_;
  std::function<T()> factory_;
  std::optional<T> value_;
  std::atomic<int> state_{kEmpty};
};

}  // namespace kata::sync
