#include "models/gil.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::models {

Gil::Gil(std::chrono::microseconds switch_interval) {
  // TODO: keep the interval (refuse one that is not positive). Keep the constructor simple:
  // the grader's first method call is what tells "not started" from "started".
  (void)switch_interval;
}

void Gil::acquire() {
  // TODO: wait until the GIL is free, at most one switch interval at a time; after a whole
  // interval with no switch, set the drop request. Then take it: holder, switch count, and
  // clear the drop request.
  throw kata::NotImplemented("Gil::acquire");
}

void Gil::release() {
  // TODO: only the holder; free the GIL and wake a waiter.
  throw kata::NotImplemented("Gil::release");
}

void Gil::checkpoint() {
  // TODO: no drop request: return at once. Otherwise release, wait until someone else has
  // taken the GIL (not before!), then wait for it again like any waiter.
  throw kata::NotImplemented("Gil::checkpoint");
}

bool Gil::drop_requested() const {
  // TODO
  throw kata::NotImplemented("Gil::drop_requested");
}

}  // namespace kata::models
