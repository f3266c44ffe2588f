// Lazy<T>: a value built on first use, exactly once, however many threads ask for it.
//
// Python builds a lazy value with double-checked locking: `if not self._ready:` outside the
// lock, `with self._lock:`, check again, call the factory, set `_ready`. Build the C++ version.
// The factory runs on the first get(), never in the constructor, and exactly once in the life
// of the object, even when many threads call get() at the same moment: one of them runs the
// factory and the others wait for it. If the factory throws, no value is stored, the exception
// leaves the get() that ran it, and a later get() runs the factory again. Once the value
// exists, get() takes no lock: it is one atomic load with acquire ordering and a return.
//
// T need not be default-constructible or copyable; it must be move-constructible.
//
// Memory ordering: the successful run of the factory, and everything it did, happens-before
// the return of every get() that returns the value. A get() that finds the value already built
// must still see all of it, although it takes no lock.
//
// This kata builds a run-once primitive, so std::call_once, std::once_flag and the keyword
// `static` (a function-local static is initialised once by the compiler's own lock) may not be
// used in this file. Read lazy.md first. Edit this file only (the class is a template, so it
// lives in the header); `./kata check sync/lazy` grades.
#pragma once

#include <functional>

#include "kata/not_implemented.h"

namespace kata::sync {

template <class T>
class Lazy {
 public:
  // Keeps `factory`; does not call it.
  explicit Lazy(std::function<T()> factory) {
    // TODO: keep the factory for the first get(). Do not call it here.
    (void)factory;
  }

  Lazy(const Lazy&) = delete;
  Lazy& operator=(const Lazy&) = delete;

  // The value, built by the factory on the first call. Concurrent first calls run the factory
  // once between them; the others block until it has returned. If the factory throws, that
  // exception propagates from the get() that ran it, nothing is stored, and a later get() (or
  // one that was waiting) runs the factory again. After the value is built, get() never
  // blocks, never locks and writes nothing: one acquire load on the fast path. The reference
  // stays valid, and refers to the same object, for the life of the Lazy.
  const T& get() {
    // TODO: a fast path for "already built", and a slow path that builds it exactly once.
    throw kata::NotImplemented("Lazy::get");
  }

 private:
  // TODO: the factory, storage for a T that may not exist yet, whether it is built, and what
  // makes a single thread run the factory.
};

}  // namespace kata::sync
