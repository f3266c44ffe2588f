#include "classics/h2o.h"

namespace kata::classics {

H2O::H2O() = default;

void H2O::hydrogen(std::function<void()> release_hydrogen) {
  bond(free_hydrogen_, release_hydrogen);
}

void H2O::oxygen(std::function<void()> release_oxygen) { bond(free_oxygen_, release_oxygen); }

// Mutant: the hydrogen that takes the second hydrogen place reopens the hydrogen places at once
// instead of after the molecule's third bond, so hydrogens keep bonding while the oxygen has not
// come: groups like HHH (WRONG_RESULT).
void H2O::bond(int& free_places, const std::function<void()>& release) {
  std::unique_lock<std::mutex> lock(mu_);
  places_opened_.wait(lock, [&] { return free_places > 0; });
  --free_places;
  release();
  if (&free_places == &free_hydrogen_ && free_hydrogen_ == 0) {
    free_hydrogen_ = 2;  // BUG: the oxygen of this molecule may not have bonded yet
    places_opened_.notify_all();
  }
  if (++bonded_ == 3) {
    bonded_ = 0;
    free_hydrogen_ = 2;
    free_oxygen_ = 1;
    places_opened_.notify_all();
  }
}

}  // namespace kata::classics
