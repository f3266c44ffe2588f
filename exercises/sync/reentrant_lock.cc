#include "sync/reentrant_lock.h"

#include <system_error>

#include "kata/not_implemented.h"

namespace kata::sync {

void ReentrantLock::lock() {
  // TODO: the owner goes deeper at once; anyone else waits until nobody owns the lock.
  throw kata::NotImplemented("ReentrantLock::lock");
}

bool ReentrantLock::try_lock() {
  // TODO
  throw kata::NotImplemented("ReentrantLock::try_lock");
}

bool ReentrantLock::try_lock_for(std::chrono::milliseconds timeout) {
  // TODO: like lock(), with a deadline.
  (void)timeout;
  throw kata::NotImplemented("ReentrantLock::try_lock_for");
}

void ReentrantLock::unlock() {
  // TODO: refuse a thread that is not the owner; release and wake a waiter at depth zero.
  throw kata::NotImplemented("ReentrantLock::unlock");
}

}  // namespace kata::sync
