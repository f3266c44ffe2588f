#include "sync/barrier.h"

#include "kata/not_implemented.h"

namespace kata::sync {

Barrier::Barrier(int parties, std::function<void()> action) {
  // TODO: check `parties` (at least 1, else std::invalid_argument) and keep both arguments.
  // Keep this constructor from blocking; it may throw only for a bad `parties`.
  (void)parties;
  (void)action;
}

int Barrier::wait() {
  // TODO: count this thread in, remember which generation it belongs to, and either release
  // everyone (the last to arrive: run the action first) or wait for its generation to end.
  throw kata::NotImplemented("Barrier::wait");
}

void Barrier::abort() {
  // TODO: break the current generation and wake every waiter.
  throw kata::NotImplemented("Barrier::abort");
}

void Barrier::reset() {
  // TODO
  throw kata::NotImplemented("Barrier::reset");
}

bool Barrier::broken() const {
  // TODO
  throw kata::NotImplemented("Barrier::broken");
}

int Barrier::n_waiting() const {
  // TODO
  throw kata::NotImplemented("Barrier::n_waiting");
}

int Barrier::parties() const {
  // TODO
  throw kata::NotImplemented("Barrier::parties");
}

}  // namespace kata::sync
