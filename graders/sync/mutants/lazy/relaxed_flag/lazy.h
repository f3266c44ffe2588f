// Mutant (RACE): double-checked locking with a relaxed flag. The factory runs once, but a
// thread that finds the flag set on the fast path has nothing ordering the factory's writes
// before its reads (no acquire/release pair): it may see a half-built value. ThreadSanitizer
// reports the race when a late thread reads the value without ever taking the mutex.
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
    if (ready_.load(std::memory_order_relaxed)) return *value_;  // BUG: needs acquire
    std::lock_guard<std::mutex> lock(mu_);
    if (!ready_.load(std::memory_order_relaxed)) {
      value_.emplace(factory_());
      ready_.store(true, std::memory_order_relaxed);  // BUG: needs release
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
