// ReentrantLock: a lock that the thread holding it may take again (Python's threading.RLock).
//
// A std::mutex locked twice by the same thread deadlocks (or worse: it is undefined behaviour).
// A reentrant lock remembers which thread owns it and how many times that thread has locked
// it: the owner may lock it again without waiting, and must unlock it as many times as it
// locked it before another thread gets in. It lets a locked method call another locked method
// of the same object.
//
// Build it from a std::mutex and a std::condition_variable guarding two facts: the owner
// (a std::thread::id) and the recursion depth. Threads that find the lock taken by another
// thread sleep on the condition variable until the owner's last unlock() wakes them.
//
// It meets the standard's Lockable and TimedLockable requirements (lock, try_lock,
// try_lock_for with a std::chrono::milliseconds, unlock), so std::lock_guard,
// std::unique_lock and std::scoped_lock work with it.
//
// Memory ordering: the unlock() that releases the lock completely happens-before the lock(),
// try_lock() or try_lock_for() of the next thread that acquires it: what the previous owner
// wrote is visible to the next one.
//
// Forbidden here: std::recursive_mutex, std::recursive_timed_mutex and recursive pthread
// mutexes (the kata is to build one).
//
// Read reentrant_lock.md first. Edit this file and reentrant_lock.cc;
// `./kata check sync/reentrant_lock` grades.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace kata::sync {

class ReentrantLock {
 public:
  ReentrantLock() = default;
  ReentrantLock(const ReentrantLock&) = delete;
  ReentrantLock& operator=(const ReentrantLock&) = delete;

  // Acquires the lock. If another thread holds it, blocks until it is free; if the calling
  // thread holds it already, adds one to the recursion depth and returns at once.
  void lock();

  // Acquires the lock (or adds one to the depth, for the owner) if that is possible without
  // waiting, and returns true; otherwise returns false at once, changing nothing.
  bool try_lock();

  // Like lock(), but waits at most `timeout`: returns true as soon as it acquires the lock,
  // false if the timeout expires first (a timeout of zero or less is a try_lock()). A
  // wake-up that finds the lock still taken keeps waiting until the deadline.
  bool try_lock_for(std::chrono::milliseconds timeout);

  // Takes one off the recursion depth; when the depth reaches zero, releases the lock and
  // wakes a thread waiting for it. Called by a thread that does not hold the lock (including
  // when nobody holds it), throws std::system_error with std::errc::operation_not_permitted
  // and changes nothing (Python raises RuntimeError).
  void unlock();

 private:
  // TODO: the owner, the depth, and what protects them and lets other threads wait.
};

}  // namespace kata::sync
