// Mutant (WRONG_RESULT): correct, but every get() takes the mutex, even long after the value
// was built: every reader of the value serialises on one lock. The grader makes the object
// read-only after initialisation; locking the mutex writes to it, and the write is caught.
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
    std::lock_guard<std::mutex> lock(mu_);  // BUG: the lock is taken on every call
    if (!value_) value_.emplace(factory_());
    return *value_;
  }

 private:
  std::mutex mu_;
  std::function<T()> factory_;
  std::optional<T> value_;
};

}  // namespace kata::sync
