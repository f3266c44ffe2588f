// Mutant (RACE): the classic broken double-checked locking, with a plain bool read outside the
// lock (`volatile` would not help: it orders nothing between threads). Reading the flag while
// another thread writes it is a data race, and so is reading the value it guards.
#pragma once

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
    if (ready_) return *value_;  // BUG: unsynchronised read of a flag another thread writes
    std::lock_guard<std::mutex> lock(mu_);
    if (!ready_) {
      value_.emplace(factory_());
      ready_ = true;
    }
    return *value_;
  }

 private:
  std::mutex mu_;
  std::function<T()> factory_;
  std::optional<T> value_;
  bool ready_ = false;
};

}  // namespace kata::sync
