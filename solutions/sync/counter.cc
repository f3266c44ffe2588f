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
  std::lock_guard<std::mutex> lock(mu_);
  if (value_ >= limit) return false;
  ++value_;
  return true;
}

long Counter::value() const {
  std::lock_guard<std::mutex> lock(mu_);
  return value_;
}

}  // namespace kata::sync
