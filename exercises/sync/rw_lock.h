// RWLock: a readers-writer lock. Many readers at once, or one writer alone.
//
// Python's standard library has no readers-writer lock; the usual recipe builds one from a
// threading.Condition. Build the C++ version from std::mutex and std::condition_variable:
// lock()/unlock() take it exclusively (a writer), lock_shared()/unlock_shared() take it shared
// (a reader). It meets the standard's SharedLockable requirements, so std::unique_lock,
// std::lock_guard and std::scoped_lock hold it as a writer and std::shared_lock as a reader.
//
// Writer preference: once a writer waits, readers that arrive after it wait too, even while
// other readers are still inside. Otherwise a steady stream of overlapping readers would keep
// the writer out for ever. (The price: a steady stream of writers can keep readers out.)
//
// Not reentrant: a thread must not take the lock again, in either mode, while it holds it
// (with writer preference, a reader re-entering behind a waiting writer deadlocks). unlock()
// and unlock_shared() may only be called by a thread holding the lock in that mode.
//
// Memory ordering: unlock() happens-before every later acquisition of the lock, in either
// mode; unlock_shared() happens-before the next lock() (writer). So a writer sees everything
// written under earlier exclusive holds, and readers see everything written by earlier writers.
//
// Read rw_lock.md first. Edit this file and rw_lock.cc; `./kata check sync/rw_lock` grades.
#pragma once

namespace kata::sync {

class RWLock {
 public:
  RWLock() = default;
  RWLock(const RWLock&) = delete;
  RWLock& operator=(const RWLock&) = delete;

  // Exclusive (writer) side.

  // Blocks until no reader and no writer holds the lock, then holds it alone. While it waits,
  // readers that arrive wait too (writer preference).
  void lock();
  // Takes the lock exclusively if nobody holds it and returns true; otherwise returns false at
  // once.
  bool try_lock();
  // Releases an exclusive hold.
  void unlock();

  // Shared (reader) side.

  // Blocks while a writer holds the lock or waits for it, then holds it shared: any number of
  // readers may hold it at once.
  void lock_shared();
  // Takes the lock shared if no writer holds it or waits for it and returns true; otherwise
  // returns false at once.
  bool try_lock_shared();
  // Releases a shared hold.
  void unlock_shared();

 private:
  // TODO: the state of the lock (who is inside, who waits), what protects it, and where
  // each kind of thread waits.
};

}  // namespace kata::sync
