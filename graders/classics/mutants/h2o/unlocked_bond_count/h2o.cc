#include "classics/h2o.h"

namespace kata::classics {

H2O::H2O() = default;

void H2O::hydrogen(std::function<void()> release_hydrogen) {
  bond(free_hydrogen_, release_hydrogen);
}

void H2O::oxygen(std::function<void()> release_oxygen) { bond(free_oxygen_, release_oxygen); }

// Mutant: bonds outside the lock and counts the molecule's bonds without it (RACE on bonded_).
void H2O::bond(int& free_places, const std::function<void()>& release) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    places_opened_.wait(lock, [&] { return free_places > 0; });
    --free_places;
  }
  release();
  if (++bonded_ == 3) {  // BUG: unlocked
    std::lock_guard<std::mutex> lock(mu_);
    bonded_ = 0;
    free_hydrogen_ = 2;
    free_oxygen_ = 1;
    places_opened_.notify_all();
  }
}

}  // namespace kata::classics
