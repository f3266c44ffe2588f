// Mutant: a std::mutex member guards the shared value: after fork every process locks its own copy.
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

  shared_->value = 0;
}

SharedCounter::~SharedCounter() {
  munmap(shared_, sizeof(Shared));
}

void SharedCounter::lock() const {
  mu_.lock();
}

void SharedCounter::unlock() const { mu_.unlock(); }

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
  long copy = shared_->value;
  try {
    fn(copy);
  } catch (...) {
    unlock();
    throw;
  }
  shared_->value = copy;
  unlock();
}

}  // namespace kata::processes
