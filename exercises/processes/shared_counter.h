// SharedCounter: a counter that forked processes share, guarded by a robust process-shared
// mutex.
//
// Python's `multiprocessing.Value('l', 0)` is a number in shared memory with a lock that works
// across processes (`with counter.get_lock(): counter.value += 1`). This is the same thing in
// C++: the number and a pthread mutex live in one MAP_SHARED anonymous mapping, created before
// the fork, so parent and children see (and lock) the same bytes. The mutex is
// PTHREAD_PROCESS_SHARED (it works between processes) and PTHREAD_MUTEX_ROBUST: when a process
// dies while it holds the lock (SIGKILL, a crash), the next locker is told so (EOWNERDEAD)
// instead of waiting forever, marks the mutex consistent again (pthread_mutex_consistent) and
// carries on. Python's multiprocessing lock does not do that: a worker killed while it holds it
// blocks everyone.
//
// For the data to stay consistent when a holder dies half-way, with_lock is all or nothing: the
// function works on a copy of the value, which is stored back only when it returns. A holder
// killed inside the function leaves the value exactly as it was.
//
// Processes: a SharedCounter is created in one process and then shared by forking. Children
// use the inherited object (add, value, with_lock) and leave with _exit; only the process that
// created it destroys it, after the children are gone.
//
// Memory ordering: every operation holds the mutex, so operations are totally ordered across
// all processes; each one sees the effect of every operation that unlocked before it locked.
//
// Read shared_counter.md first. Edit this file and shared_counter.cc; `./kata check
// processes/shared_counter` grades.
#pragma once

#include <pthread.h>

#include <functional>

namespace kata::processes {

class SharedCounter {
 public:
  // A counter at 0 in a new shared mapping with its robust process-shared mutex. Throws
  // std::system_error if the mapping or the mutex cannot be made.
  SharedCounter();
  // Destroys the mutex and unmaps the memory. Only in the process that created the counter,
  // once no other process uses it.
  ~SharedCounter();
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  // Adds `delta` atomically with respect to every process sharing the counter.
  void add(long delta);

  // The current value.
  long value() const;

  // Calls fn(v) with the lock held, v a copy of the value; stores v back when fn returns. If fn
  // throws, nothing is stored and the exception propagates (the lock is released). If the
  // process dies inside fn, the value is unchanged and the next locker recovers the lock.
  void with_lock(const std::function<void(long&)>& fn);

 private:
  // TODO: a pointer to a struct in a MAP_SHARED anonymous mapping (mmap), holding a
  // pthread_mutex_t (process-shared, robust) and the value it guards. Not a std::mutex member:
  // after fork each process has its own copy of this object, but shares the mapping.
};

}  // namespace kata::processes
