#include "sync/event.h"

#include "kata/not_implemented.h"

namespace kata::sync {

void Event::set() {
  // TODO: raise the flag and wake all the waiters (not only one).
  throw kata::NotImplemented("Event::set");
}

void Event::clear() {
  // TODO
  throw kata::NotImplemented("Event::clear");
}

bool Event::is_set() const {
  // TODO: a read of the flag races with set() unless it is protected too.
  throw kata::NotImplemented("Event::is_set");
}

void Event::wait() {
  // TODO: check the flag and go to sleep as one step, or a set() in between is lost.
  throw kata::NotImplemented("Event::wait");
}

bool Event::wait_for(std::chrono::milliseconds timeout) {
  // TODO: like wait(), with a deadline.
  (void)timeout;
  throw kata::NotImplemented("Event::wait_for");
}

}  // namespace kata::sync
