// AddressSanitizer settings, and LeakSanitizer checks that name the test that leaked.
//
// A grader built with --config=asan (the `<kata>_test_asan` targets) runs LeakSanitizer after
// every test instead of only at exit: at exit GoogleTest has finished, and the leak would
// belong to no test. Leaked blocks stay leaked, so every later check would report them again:
// only the first test that leaks gets the LEAK verdict; the report at exit lists them all (and
// makes the process fail).
#include "test_state.h"
#include "verdict.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KATA_ASAN 1
#endif
#endif

#ifdef KATA_ASAN
#include <sanitizer/lsan_interface.h>

extern "C" const char* __asan_default_options() {
  // The harness's own handlers report crashes as verdicts; AddressSanitizer's stack-overflow
  // and use-after-free reports still print first, since those are errors it detects itself.
  return "detect_leaks=1:detect_stack_use_after_return=0:allow_user_segv_handler=1";
}
#endif

namespace kata::grading::internal {

void check_leaks_after_test() {
#ifdef KATA_ASAN
  static bool leak_reported = false;
  if (leak_reported) return;
  if (__lsan_do_recoverable_leak_check() != 0) {
    leak_reported = true;
    report_verdict(Verdict::kLeak,
                   "memory allocated during this test was never freed (see the LeakSanitizer "
                   "report above: the first stack is where the block was allocated)");
  }
#endif
}

}  // namespace kata::grading::internal
