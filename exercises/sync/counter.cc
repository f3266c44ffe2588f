#include "sync/counter.h"

#include "kata/not_implemented.h"

namespace kata::sync {

void Counter::increment() {
  // TODO: add one, safely against concurrent callers.
  throw kata::NotImplemented("Counter::increment");
}

void Counter::add(long delta) {
  // TODO
  (void)delta;
  throw kata::NotImplemented("Counter::add");
}

bool Counter::increment_if_below(long limit) {
  // TODO: the check and the increment must be one atomic step.
  (void)limit;
  throw kata::NotImplemented("Counter::increment_if_below");
}

long Counter::value() const {
  // TODO
  throw kata::NotImplemented("Counter::value");
}

}  // namespace kata::sync
