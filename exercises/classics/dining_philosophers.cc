#include "classics/dining_philosophers.h"

#include "kata/not_implemented.h"

namespace kata::classics {

DiningTable::DiningTable(int seats) {
  // TODO: every philosopher thinks, every fork is free.
  (void)seats;
}

void DiningTable::dine(int philosopher, const std::function<void()>& eat) {
  // TODO: become hungry; sleep until neither neighbour eats (and neither has been waiting
  // longer); eat without holding any lock another philosopher needs; stop eating and wake the
  // neighbours.
  (void)philosopher;
  (void)eat;
  throw kata::NotImplemented("DiningTable::dine");
}

}  // namespace kata::classics
