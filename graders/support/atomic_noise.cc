// Schedule noise at the learner's atomic operations, without touching learner code.
//
// Under -fsanitize=thread clang turns every std::atomic operation into a call to one of
// ThreadSanitizer's __tsan_atomic* entry points. The TSan runtime is linked statically, so an
// LD_PRELOAD shim (noise/noise.c, for mutexes and condition variables) cannot reach them; the
// linker can: `-Wl,--wrap=__tsan_atomic32_load` (tools/atomic_noise.bzl) sends every call to
// __wrap___tsan_atomic32_load below, which sometimes yields or sleeps briefly, then calls the
// runtime's function as __real___tsan_atomic32_load.
//
// The noise comes BEFORE the operation, and the runtime is entered by a guaranteed tail call:
// TSan takes an atomic access's location from its caller's return address, so any other shape
// would make a race report name this file instead of the learner's line. A yield before a
// store, exchange, read-modify-write or compare-exchange falls in the window of a
// check-then-act sequence (load ... store) just as a yield after the load would.
//
// Active only in the grader's noisy process (KATA_NOISE=1: main.cc sets KATA_NOISE_ACTIVE and
// fixes KATA_SEED before it re-executes), unless KATA_NOISE_ATOMICS=0. The random stream is
// noise.c's: seeded by KATA_SEED and the order in which threads first reach an atomic, scaled
// by KATA_NOISE_LEVEL (0 to 3, default 1), so `./kata check KATA --seed S` replays it.
//
// Measured at the quick level, 2 shared cores, with the mutex noise of noise.c on in both
// columns (atomic noise on / KATA_NOISE_ATOMICS=0):
//   sync/counter load_then_store (WRONG_RESULT), 60 runs: grader caught 60 / 59; its three
//     checks failed 60, 60, 60 / 49, 41, 59 times.
//   bank torn_total, lazy factory_outside_lock, print_in_order spins_on_atomic, 20 runs:
//     20 / 20 either way; the RACE mutants of lazy, ticker, worker, gil and event: 20 / 20,
//     with no wrapper frame in any report. (A race between an atomic store and a plain read,
//     built by hand, names the store's line only with the tail call.)
//   Reference solutions of counter, lazy, bank, semaphore, worker, ticker, gil,
//     print_in_order and future, 20 runs: no failure; mean seconds per run unchanged within
//     noise (counter 0.99 / 1.00, lazy 0.35 / 0.39, print_in_order 1.58 / 1.55).
//
// Compiled without -fsanitize=thread (graders/support/BUILD): it runs between the learner's
// instrumented code and the runtime, and must not call back into it.
#include <sanitizer/tsan_interface_atomic.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace {

enum Mode : int { kUnknown = 0, kQuiet = 1, kNoisy = 2 };

int mode = kUnknown;
uint64_t base_seed = 1;
unsigned level = 1;
uint64_t thread_counter = 0;
thread_local uint64_t state = 0;

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool env_is(const char* name, const char* value) {
  const char* text = getenv(name);
  return text != nullptr && strcmp(text, value) == 0;
}

// Reads the environment once. Racing first calls compute the same answer.
__attribute__((noinline, cold)) int read_mode() {
  const char* seed = getenv("KATA_SEED");
  const char* lvl = getenv("KATA_NOISE_LEVEL");
  if (seed != nullptr && *seed != '\0') base_seed = strtoull(seed, nullptr, 10) + 1;
  if (lvl != nullptr && *lvl != '\0') level = static_cast<unsigned>(atoi(lvl));
  if (level > 3) level = 3;
  bool noisy = env_is("KATA_NOISE", "1") && getenv("KATA_NOISE_ACTIVE") != nullptr &&
               !env_is("KATA_NOISE_ATOMICS", "0") && level > 0;
  int result = noisy ? kNoisy : kQuiet;
  __atomic_store_n(&mode, result, __ATOMIC_RELEASE);
  return result;
}

// One call in 16 / level yields; one in 64 times as many sleeps 20 to 200 microseconds.
// System calls, not libc: TSan intercepts nanosleep, and this runs outside its bookkeeping.
__attribute__((noinline)) void disturb() {
  if (state == 0) {
    uint64_t order = __atomic_add_fetch(&thread_counter, 1, __ATOMIC_RELAXED);
    state = splitmix(base_seed ^ splitmix(order ^ 0x61746f6d6963ULL)) | 1;
  }
  state = splitmix(state);
  const uint64_t r = state;
  const uint64_t one_in = 16 / level + 1;
  if (r % (64 * one_in) == 0) {
    struct timespec pause = {0, static_cast<long>(20000 + (r >> 20) % 180000)};
    syscall(SYS_nanosleep, &pause, nullptr);
  } else if (r % one_in == 0) {
    syscall(SYS_sched_yield);
  }
}

inline void maybe_disturb() {
  int current = __atomic_load_n(&mode, __ATOMIC_ACQUIRE);
  if (__builtin_expect(current == kUnknown, 0)) current = read_mode();
  if (current == kNoisy) disturb();
}

}  // namespace

// Each wrapper: maybe disturb, then tail-call the runtime (see the top of the file).
#define KATA_WRAP(ret, name, params, args)                   \
  ret __real_##name params;                                  \
  ret __wrap_##name params {                                 \
    maybe_disturb();                                         \
    [[clang::musttail]] return __real_##name args;           \
  }

#define KATA_WRAP_WIDTH(bits)                                                                  \
  KATA_WRAP(__tsan_atomic##bits, __tsan_atomic##bits##_load,                                   \
            (const volatile __tsan_atomic##bits* a, __tsan_memory_order mo), (a, mo))          \
  KATA_WRAP(void, __tsan_atomic##bits##_store,                                                 \
            (volatile __tsan_atomic##bits* a, __tsan_atomic##bits v, __tsan_memory_order mo), \
            (a, v, mo))                                                                        \
  KATA_WRAP_RMW(bits, exchange)                                                                \
  KATA_WRAP_RMW(bits, fetch_add)                                                               \
  KATA_WRAP_RMW(bits, fetch_sub)                                                               \
  KATA_WRAP_RMW(bits, fetch_and)                                                               \
  KATA_WRAP_RMW(bits, fetch_or)                                                                \
  KATA_WRAP_RMW(bits, fetch_xor)                                                               \
  KATA_WRAP_CAS(bits, compare_exchange_strong)                                                 \
  KATA_WRAP_CAS(bits, compare_exchange_weak)                                                   \
  KATA_WRAP(__tsan_atomic##bits, __tsan_atomic##bits##_compare_exchange_val,                   \
            (volatile __tsan_atomic##bits* a, __tsan_atomic##bits c, __tsan_atomic##bits v,    \
             __tsan_memory_order mo, __tsan_memory_order fmo),                                 \
            (a, c, v, mo, fmo))

#define KATA_WRAP_RMW(bits, op)                                                                \
  KATA_WRAP(__tsan_atomic##bits, __tsan_atomic##bits##_##op,                                   \
            (volatile __tsan_atomic##bits* a, __tsan_atomic##bits v, __tsan_memory_order mo), \
            (a, v, mo))

#define KATA_WRAP_CAS(bits, op)                                                                \
  KATA_WRAP(int, __tsan_atomic##bits##_##op,                                                   \
            (volatile __tsan_atomic##bits* a, __tsan_atomic##bits* c, __tsan_atomic##bits v,   \
             __tsan_memory_order mo, __tsan_memory_order fmo),                                 \
            (a, c, v, mo, fmo))

extern "C" {
KATA_WRAP_WIDTH(8)
KATA_WRAP_WIDTH(16)
KATA_WRAP_WIDTH(32)
KATA_WRAP_WIDTH(64)
#if __TSAN_HAS_INT128
KATA_WRAP_WIDTH(128)
#endif
}
