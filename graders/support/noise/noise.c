/*
 * Schedule noise at the learner's synchronisation points, without touching learner code.
 *
 * Loaded with LD_PRELOAD beneath ThreadSanitizer: TSan's interceptors of pthread_mutex_lock
 * and friends call the "real" function through dlsym(RTLD_NEXT), which finds these wrappers,
 * and these call libc's through dlsym(RTLD_NEXT) in turn. Each wrapper sometimes yields the
 * CPU or sleeps briefly before or after the real call, so that a thread is more often switched
 * out exactly where a learner's code is fragile: just after a lock is released, just before a
 * waiter is signalled.
 *
 * The noise is seeded by KATA_SEED (per thread: seed and thread order), so a run's noise can
 * be repeated. KATA_NOISE_LEVEL (0 to 3, default 1) scales how often it happens.
 *
 * Plain C, not instrumented: it runs inside TSan's interceptors.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static int (*real_mutex_lock)(pthread_mutex_t*);
static int (*real_mutex_unlock)(pthread_mutex_t*);
static int (*real_cond_signal)(pthread_cond_t*);
static int (*real_cond_broadcast)(pthread_cond_t*);
static int (*real_cond_wait)(pthread_cond_t*, pthread_mutex_t*);
static int (*real_cond_timedwait)(pthread_cond_t*, pthread_mutex_t*, const struct timespec*);

static uint64_t base_seed = 1;
static unsigned level = 1;
static uint64_t thread_counter = 0;
static __thread uint64_t state = 0;

static uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static uint64_t next_random(void) {
  if (state == 0) {
    uint64_t order = __atomic_add_fetch(&thread_counter, 1, __ATOMIC_RELAXED);
    state = splitmix(base_seed ^ splitmix(order)) | 1;
  }
  state = splitmix(state);
  return state;
}

/* One in `one_in` calls yields; one in 32 * `one_in` sleeps 20 to 200 microseconds. */
static void maybe_disturb(unsigned one_in) {
  if (level == 0) return;
  one_in = one_in / level + 1;
  uint64_t r = next_random();
  if (r % (32ULL * one_in) == 0) {
    struct timespec pause = {0, (long)(20000 + (r >> 20) % 180000)};
    nanosleep(&pause, NULL);
  } else if (r % one_in == 0) {
    sched_yield();
  }
}

__attribute__((constructor)) static void kata_noise_init(void) {
  const char* seed = getenv("KATA_SEED");
  const char* lvl = getenv("KATA_NOISE_LEVEL");
  if (seed != NULL && *seed != '\0') base_seed = strtoull(seed, NULL, 10) + 1;
  if (lvl != NULL && *lvl != '\0') level = (unsigned)atoi(lvl);
  if (level > 3) level = 3;
  real_mutex_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
  real_mutex_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
  real_cond_signal = dlvsym(RTLD_NEXT, "pthread_cond_signal", "GLIBC_2.3.2");
  real_cond_broadcast = dlvsym(RTLD_NEXT, "pthread_cond_broadcast", "GLIBC_2.3.2");
  real_cond_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
  real_cond_timedwait = dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
  /* Only the grader gets the noise: llvm-symbolizer and gdb, which it starts, must not. */
  unsetenv("LD_PRELOAD");
}

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  maybe_disturb(4);
  return real_mutex_lock(mutex);
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) {
  int result = real_mutex_unlock(mutex);
  maybe_disturb(4);
  return result;
}

int pthread_cond_signal(pthread_cond_t* cond) {
  maybe_disturb(4);
  return real_cond_signal(cond);
}

int pthread_cond_broadcast(pthread_cond_t* cond) {
  maybe_disturb(4);
  return real_cond_broadcast(cond);
}

int pthread_cond_wait(pthread_cond_t* cond, pthread_mutex_t* mutex) {
  int result = real_cond_wait(cond, mutex);
  maybe_disturb(8);
  return result;
}

int pthread_cond_timedwait(pthread_cond_t* cond, pthread_mutex_t* mutex,
                           const struct timespec* deadline) {
  int result = real_cond_timedwait(cond, mutex, deadline);
  maybe_disturb(8);
  return result;
}
