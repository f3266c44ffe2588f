#include "sync/counter.h"

namespace kata::sync {

void Counter::increment() { value_.store(value_.load() + 1); }
void Counter::add(long delta) { value_.store(value_.load() + delta); }
bool Counter::increment_if_below(long limit) {
  long seen = value_.load();
  while (seen < limit) {
    if (value_.compare_exchange_weak(seen, seen + 1)) return true;
  }
  return false;
}
long Counter::value() const { return value_.load(); }

}  // namespace kata::sync
