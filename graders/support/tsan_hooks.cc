// ThreadSanitizer settings and the hook that turns its reports into verdicts.
//
// __tsan_default_options supplies the options every grader runs with (TSAN_OPTIONS in the
// environment still overrides them). __tsan_on_report is called by the runtime after it has
// printed a report and before halt_on_error ends the process.
#include <cstring>
#include <string>

#include "verdict.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KATA_TSAN 1
#endif
#endif

#ifdef KATA_TSAN

extern "C" {

const char* __tsan_default_options() {
  return "halt_on_error=1:detect_deadlocks=1:second_deadlock_stack=1:history_size=4:"
         "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0";
}

int __tsan_get_report_data(void* report, const char** description, int* count,
                           int* stack_count, int* mop_count, int* loc_count, int* mutex_count,
                           int* thread_count, int* unique_tid_count, void** sleep_trace,
                           unsigned long trace_size);

void __tsan_on_report(void* report) {
  using kata::grading::Verdict;
  const char* description = "";
  int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, tids = 0;
  void* sleep_trace[1] = {nullptr};
  __tsan_get_report_data(report, &description, &count, &stacks, &mops, &locs, &mutexes,
                         &threads, &tids, sleep_trace, 1);
  std::string kind = description != nullptr ? description : "";
  Verdict verdict = Verdict::kCrash;
  std::string detail;
  if (kind.rfind("data-race", 0) == 0 || kind == "external-race") {
    verdict = Verdict::kRace;
    detail = "data race: two threads touch the same memory, one writes, and nothing orders "
             "them (see the ThreadSanitizer report)";
  } else if (kind.rfind("heap-use-after-free", 0) == 0) {
    verdict = Verdict::kRace;
    detail = "a thread used memory that another thread freed (see the ThreadSanitizer report)";
  } else if (kind == "lock-order-inversion") {
    verdict = Verdict::kLockOrder;
    detail = "two mutexes are taken in opposite orders by different threads: a deadlock "
             "waiting to happen (see the ThreadSanitizer report)";
  } else if (kind == "mutex-double-lock") {
    verdict = Verdict::kDeadlock;
    detail = "a thread locked a mutex it already holds (see the ThreadSanitizer report)";
  } else if (kind == "thread-leak") {
    verdict = Verdict::kLeak;
    detail = "a thread was neither joined nor detached (see the ThreadSanitizer report)";
  } else {
    verdict = Verdict::kCrash;
    detail = "ThreadSanitizer: " + kind + " (see the report)";
  }
  kata::grading::report_verdict(verdict, detail);
}

}  // extern "C"

#endif  // KATA_TSAN
