#include "sync/semaphore.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::sync {

Semaphore::Semaphore(int initial) {
  // TODO: start with `initial` free permits (refuse a negative count). Keep the constructor
  // simple: the grader's first method call is what tells "not started" from "started".
  (void)initial;
}

void Semaphore::acquire() {
  // TODO: wait until a permit is free, then take it. Wake-ups can be spurious.
  throw kata::NotImplemented("Semaphore::acquire");
}

bool Semaphore::try_acquire() {
  // TODO
  throw kata::NotImplemented("Semaphore::try_acquire");
}

bool Semaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  // TODO: like acquire(), but give up at the deadline.
  (void)timeout;
  throw kata::NotImplemented("Semaphore::try_acquire_for");
}

void Semaphore::release(int n) {
  // TODO: give back n permits; n blocked threads may now proceed.
  (void)n;
  throw kata::NotImplemented("Semaphore::release");
}

BoundedSemaphore::BoundedSemaphore(int initial) {
  // TODO
  (void)initial;
}

void BoundedSemaphore::acquire() {
  // TODO
  throw kata::NotImplemented("BoundedSemaphore::acquire");
}

bool BoundedSemaphore::try_acquire() {
  // TODO
  throw kata::NotImplemented("BoundedSemaphore::try_acquire");
}

bool BoundedSemaphore::try_acquire_for(std::chrono::milliseconds timeout) {
  // TODO
  (void)timeout;
  throw kata::NotImplemented("BoundedSemaphore::try_acquire_for");
}

void BoundedSemaphore::release(int n) {
  // TODO: refuse (std::logic_error) a release that would exceed the initial count, and then
  // change nothing: the check and the update are one atomic step.
  (void)n;
  throw kata::NotImplemented("BoundedSemaphore::release");
}

}  // namespace kata::sync
