// What a waiting thread cost while it waited: CPU time and context switches, for the BUSY_WAIT
// checks of the classics graders (a thread that should sleep spins, or polls with short sleeps).
//
// A thread blocked in a condition variable is charged almost no CPU time and switches out once
// or twice. A spinning thread is charged most of the wait (cpu); one that polls with
// sleep_for switches out once per poll (switches).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <sstream>
#include <string>

#include "harness/cpu_time.h"

namespace kata::classics_grading {

// Measures the calling thread from construction to stop(), called on the same thread.
class WaitCost {
 public:
  WaitCost() : cpu_(kata::grading::thread_cpu_time()), switches_(switches_now()),
               wall_(std::chrono::steady_clock::now()) {}

  void stop() {
    cpu_ = kata::grading::thread_cpu_time() - cpu_;
    switches_ = switches_now() - switches_;
    wall_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - wall_).count();
    stopped_ = true;
  }

  bool stopped() const { return stopped_; }
  long cpu_ms() const {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(cpu_).count());
  }
  long switches() const { return switches_; }
  long wall_ms() const { return static_cast<long>(wall_ms_); }

  // Generous: a thread asleep in a wait of `wall` ms costs well under a millisecond and a few
  // switches; a spinning one most of `wall`, a polling one a switch per poll.
  bool spun() const { return cpu_ms() > 20 + wall_ms() / 10; }
  bool polled() const { return switches() > 40 + wall_ms() / 50; }
  bool busy() const { return spun() || polled(); }

  std::string text() const {
    std::ostringstream out;
    out << "waited " << wall_ms() << " ms, used " << cpu_ms() << " ms of CPU and was switched "
        << "out " << switches() << " times";
    return out.str();
  }

 private:
  static long switches_now() {
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return usage.ru_nvcsw + usage.ru_nivcsw;
  }

  std::chrono::nanoseconds cpu_;
  long switches_;
  std::chrono::steady_clock::time_point wall_;
  long long wall_ms_ = 0;
  bool stopped_ = false;
};

}  // namespace kata::classics_grading
