// Mutant: with_lock hands out the shared value itself, so a holder killed inside it leaves its half-done update.
#include "processes/shared_counter.h"

#include <errno.h>
#include <sys/mman.h>

#include <system_error>

namespace kata::processes {
namespace {

void check(int error, const char* what) {
  if (error != 0) throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

SharedCounter::SharedCounter() {
  void* memory = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) check(errno, "mmap");
  shared_ = static_cast<Shared*>(memory);

  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int error = pthread_mutex_init(&shared_->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (error != 0) {
    munmap(memory, sizeof(Shared));
    check(error, "pthread_mutex_init");
  }
  shared_->value = 0;
}

SharedCounter::~SharedCounter() {
  pthread_mutex_destroy(&shared_->mu);
  munmap(shared_, sizeof(Shared));
}

void SharedCounter::lock() const {
  int error = pthread_mutex_lock(&shared_->mu);
  if (error == EOWNERDEAD) {
    // The holder died inside its critical section. with_lock stores only complete updates, so
    // the value is consistent as it is: say so, and we own the lock.
    error = pthread_mutex_consistent(&shared_->mu);
  }
  check(error, "pthread_mutex_lock");
}

void SharedCounter::unlock() const { pthread_mutex_unlock(&shared_->mu); }

void SharedCounter::add(long delta) {
  lock();
  shared_->value += delta;
  unlock();
}

long SharedCounter::value() const {
  lock();
  long v = shared_->value;
  unlock();
  return v;
}

void SharedCounter::with_lock(const std::function<void(long&)>& fn) {
  lock();
  try {
    fn(shared_->value);  // in place: a holder that dies half-way leaves its partial update
  } catch (...) {
    unlock();
    throw;
  }
  unlock();
}

}  // namespace kata::processes
