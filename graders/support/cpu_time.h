// CPU time, for the property ThreadSanitizer cannot see: a thread that should sleep while it
// waits but spins or polls instead (verdict BUSY_WAIT).
//
// Wall-clock time says nothing here: a correct waiter and a spinning one wait equally long. The
// CPU time the kernel charged to a thread, or to the whole process, tells them apart: a thread
// blocked in a futex or epoll_wait is charged (almost) nothing. Measure over a window in which
// the code under test has nothing to do, e.g.
//
//   kata::grading::CpuStopwatch cpu;                  // process CPU time from now
//   std::this_thread::sleep_for(300ms);               // the waiters have nothing to do
//   if (cpu.elapsed() > 0.25 * 300ms) KATA_FAIL(kBusyWait) << ...;
//
// A generous threshold (a quarter of the window) keeps a correct solution far from it even on a
// loaded machine, while a spinning thread is charged most of the window.
#pragma once

#include <time.h>

#include <chrono>

namespace kata::grading {

// CPU time consumed so far by the calling thread.
inline std::chrono::nanoseconds thread_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// CPU time consumed so far by every thread of this process.
inline std::chrono::nanoseconds process_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Process CPU time since construction (or the last restart()).
class CpuStopwatch {
 public:
  CpuStopwatch() : start_(process_cpu_time()) {}
  void restart() { start_ = process_cpu_time(); }
  std::chrono::nanoseconds elapsed() const { return process_cpu_time() - start_; }

 private:
  std::chrono::nanoseconds start_;
};

}  // namespace kata::grading
