#include "classics/print_in_order.h"

#include "kata/not_implemented.h"

namespace kata::classics {

InOrder::InOrder() {
  // TODO: nothing has been printed yet.
}

void InOrder::first(std::function<void()> print_first) {
  // TODO: print, then record that first is done and wake whoever waits for it.
  (void)print_first;
  throw kata::NotImplemented("InOrder::first");
}

void InOrder::second(std::function<void()> print_second) {
  // TODO: sleep until first is done (check the condition under the lock, in a loop).
  (void)print_second;
  throw kata::NotImplemented("InOrder::second");
}

void InOrder::third(std::function<void()> print_third) {
  // TODO: sleep until second is done.
  (void)print_third;
  throw kata::NotImplemented("InOrder::third");
}

}  // namespace kata::classics
