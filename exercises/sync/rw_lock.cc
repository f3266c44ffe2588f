#include "sync/rw_lock.h"

#include "kata/not_implemented.h"

namespace kata::sync {

void RWLock::lock() {
  // TODO: announce that a writer waits (so new readers hold back), wait until nobody is
  // inside, then go in.
  throw kata::NotImplemented("RWLock::lock");
}

bool RWLock::try_lock() {
  // TODO
  throw kata::NotImplemented("RWLock::try_lock");
}

void RWLock::unlock() {
  // TODO: leave, and wake whoever can go in now.
  throw kata::NotImplemented("RWLock::unlock");
}

void RWLock::lock_shared() {
  // TODO: wait while a writer is inside or waiting, then count this reader in.
  throw kata::NotImplemented("RWLock::lock_shared");
}

bool RWLock::try_lock_shared() {
  // TODO
  throw kata::NotImplemented("RWLock::try_lock_shared");
}

void RWLock::unlock_shared() {
  // TODO: count this reader out; the last reader out lets a waiting writer in.
  throw kata::NotImplemented("RWLock::unlock_shared");
}

}  // namespace kata::sync
