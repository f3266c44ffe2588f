// Mutant (WRONG_RESULT): increment_if_below checks under the lock, releases it, then
// increments under a second acquisition. Every access is locked, so ThreadSanitizer sees no
// race, but two threads can both pass the check for the last place below the limit.
#include "sync/counter.h"

namespace kata::sync {

void Counter::increment() {
  std::lock_guard<std::mutex> lock(mu_);
  ++value_;
}

void Counter::add(long delta) {
  std::lock_guard<std::mutex> lock(mu_);
  value_ += delta;
}

bool Counter::increment_if_below(long limit) {
  if (value() >= limit) return false;
  increment();
  return true;
}

long Counter::value() const {
  std::lock_guard<std::mutex> lock(mu_);
  return value_;
}

}  // namespace kata::sync
