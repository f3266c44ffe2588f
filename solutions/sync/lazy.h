// Lazy<T>: a value built on first use, exactly once, however many threads ask for it.
//
// Double-checked locking done right. The fast path is one acquire load of `ready_`; only while
// the value does not exist yet does get() take the mutex, check again under it (another thread
// may have built the value while this one waited), and run the factory. The release store of
// `ready_` after the value is built pairs with the acquire load of the fast path: a thread that
// sees `ready_ == true` also sees every write of the factory and of the construction of the
// value, although it never touches the mutex. With a plain bool, or relaxed ordering, it could
// see the flag and a half-built value.
//
// T need not be default-constructible or copyable; it must be move-constructible.
//
// Memory ordering: the successful run of the factory, and everything it did, happens-before
// the return of every get() that returns the value.
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
  // Keeps `factory`; does not call it.
  explicit Lazy(std::function<T()> factory) : factory_(std::move(factory)) {}

  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  // The value, built by the factory on the first call. Concurrent first calls run the factory
  // once between them; the others block until it has returned. If the factory throws, that
  // exception propagates from the get() that ran it, nothing is stored, and a later get() (or
  // one that was waiting) runs the factory again. After the value is built, get() never
  // blocks, never locks and writes nothing: one acquire load on the fast path.
  const T& get() {
    if (ready_.load(std::memory_order_acquire)) return *value_;  // fast path
    return build();
  }

 private:
  // The slow path, out of line so that the fast path stays small enough to inline.
  const T& build() {
    std::lock_guard<std::mutex> lock(mu_);
    // Relaxed is enough under the mutex: the thread that stored true released the mutex
    // afterwards, and locking it acquired everything that thread wrote.
    if (!ready_.load(std::memory_order_relaxed)) {
      // factory_() runs before emplace starts: if it throws, value_ stays empty, ready_ stays
      // false and the lock_guard releases the mutex, so the next caller tries again.
      value_.emplace(factory_());
      // The factory never runs again: drop it, and whatever its captures hold.
      factory_ = nullptr;
      ready_.store(true, std::memory_order_release);  // publish: pairs with the fast path
    }
    return *value_;
  }

  std::mutex mu_;                   // serialises the runs of the factory
  std::function<T()> factory_;      // guarded by mu_
  std::optional<T> value_;          // written once under mu_, before ready_ becomes true
  std::atomic<bool> ready_{false};  // true once value_ holds the value; never false again
};

}  // namespace kata::sync
