#include "sync/counter.h"

namespace kata::sync {

void Counter::increment() { ++value_; }
void Counter::add(long delta) { value_ += delta; }
bool Counter::increment_if_below(long limit) {
  if (value_ >= limit) return false;
  ++value_;
  return true;
}
long Counter::value() const { return value_; }

}  // namespace kata::sync
