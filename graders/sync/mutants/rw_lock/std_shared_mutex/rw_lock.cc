// Mutant (FORBIDDEN): wraps std::shared_mutex. See rw_lock.h.
#include "sync/rw_lock.h"

namespace kata::sync {

void RWLock::lock() {
  std::lock_guard<std::mutex> gate(gate_);
  rw_.lock();
}

bool RWLock::try_lock() {
  std::unique_lock<std::mutex> gate(gate_, std::try_to_lock);
  return gate.owns_lock() && rw_.try_lock();
}

void RWLock::unlock() { rw_.unlock(); }

void RWLock::lock_shared() {
  std::lock_guard<std::mutex> gate(gate_);
  rw_.lock_shared();
}

bool RWLock::try_lock_shared() {
  std::unique_lock<std::mutex> gate(gate_, std::try_to_lock);
  return gate.owns_lock() && rw_.try_lock_shared();
}

void RWLock::unlock_shared() { rw_.unlock_shared(); }

}  // namespace kata::sync
