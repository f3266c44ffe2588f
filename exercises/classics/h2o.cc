#include "classics/h2o.h"

#include "kata/not_implemented.h"

namespace kata::classics {

H2O::H2O() {
  // TODO: the first molecule has two free hydrogen places and one oxygen place.
}

void H2O::hydrogen(std::function<void()> release_hydrogen) {
  // TODO: sleep until a hydrogen place of the current molecule is free; take it and bond. The
  // third bond of a molecule opens the places of the next one.
  (void)release_hydrogen;
  throw kata::NotImplemented("H2O::hydrogen");
}

void H2O::oxygen(std::function<void()> release_oxygen) {
  // TODO
  (void)release_oxygen;
  throw kata::NotImplemented("H2O::oxygen");
}

}  // namespace kata::classics
