// Mutant (FORBIDDEN): wraps std::shared_mutex, with a gate mutex in front of it for writer
// preference (a writer holds the gate while it waits, so new readers queue behind it). It
// works, but the kata is to build the readers-writer lock: the forbidden-primitive check
// reports it.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace kata::sync {

class RWLock {
 public:
  RWLock() = default;
  RWLock(const RWLock&) = delete;
  RWLock& operator=(const RWLock&) = delete;

  void lock();
  bool try_lock();
  void unlock();

  void lock_shared();
  bool try_lock_shared();
  void unlock_shared();

 private:
  std::mutex gate_;        // held by a writer while it waits, and briefly by each reader
  std::shared_mutex rw_;   // the lock itself
};

}  // namespace kata::sync
