#include "classics/h2o.h"

namespace kata::classics {

H2O::H2O() = default;

void H2O::hydrogen(std::function<void()> release_hydrogen) {
  bond(free_hydrogen_, release_hydrogen);
}

void H2O::oxygen(std::function<void()> release_oxygen) { bond(free_oxygen_, release_oxygen); }

void H2O::bond(int& free_places, const std::function<void()>& release) {
  std::unique_lock<std::mutex> lock(mu_);
  // A molecule has exactly two hydrogen places and one oxygen place; once they are taken, the
  // atoms of the next molecule wait here until its last bond opens new ones.
  places_opened_.wait(lock, [&] { return free_places > 0; });
  --free_places;
  // Bonding under the lock keeps the three bonds of a molecule together in the sequence: no
  // atom of the next molecule can bond before the places reopen, and that happens below.
  release();
  if (++bonded_ == 3) {
    bonded_ = 0;
    free_hydrogen_ = 2;
    free_oxygen_ = 1;
    // Up to three atoms of either kind may be waiting, on one condition variable: wake them
    // all (notify_one could wake a hydrogen when only the oxygen place is left, and stop).
    places_opened_.notify_all();
  }
}

}  // namespace kata::classics
