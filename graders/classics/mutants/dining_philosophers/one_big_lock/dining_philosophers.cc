#include "classics/dining_philosophers.h"

#include <stdexcept>

namespace kata::classics {

DiningTable::DiningTable(int seats)
    : seats_(seats),
      state_(seats < 2 ? 0 : static_cast<std::size_t>(seats), State::kThinking),
      ticket_(state_.size(), 0) {
  if (seats < 2) throw std::invalid_argument("DiningTable: a table needs at least 2 seats");
}

bool DiningTable::may_eat(int i) const {
  for (int neighbour : {(i + seats_ - 1) % seats_, (i + 1) % seats_}) {
    const auto n = static_cast<std::size_t>(neighbour);
    if (state_[n] == State::kEating) return false;  // holds a fork we need
    // A neighbour who has been hungry longer goes first: without this rule, two neighbours
    // taking turns could keep this philosopher's forks busy for ever (starvation).
    if (state_[n] == State::kHungry && ticket_[n] < ticket_[static_cast<std::size_t>(i)]) {
      return false;
    }
  }
  return true;
}

// Mutant: eats while holding the table's mutex. Safe, no deadlock, fair enough, but only one
// philosopher at the whole table eats at a time (WRONG_RESULT: no parallelism).
void DiningTable::dine(int philosopher, const std::function<void()>& eat) {
  if (philosopher < 0 || philosopher >= seats_) {
    throw std::out_of_range("DiningTable::dine: no such philosopher");
  }
  std::lock_guard<std::mutex> lock(mu_);  // BUG: held around eat()
  eat();
}

void DiningTable::stop_eating(int i) { (void)i; }

}  // namespace kata::classics
