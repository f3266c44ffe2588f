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

void DiningTable::dine(int philosopher, const std::function<void()>& eat) {
  if (philosopher < 0 || philosopher >= seats_) {
    throw std::out_of_range("DiningTable::dine: no such philosopher");
  }
  const auto me = static_cast<std::size_t>(philosopher);
  {
    std::unique_lock<std::mutex> lock(mu_);
    state_[me] = State::kHungry;
    ticket_[me] = next_ticket_++;
    forks_put_down_.wait(lock, [&] { return may_eat(philosopher); });
    state_[me] = State::kEating;
  }
  // Eating happens outside the lock: a philosopher across the table must be able to start
  // eating meanwhile. If eat() throws, the forks still go back (or the neighbours starve).
  try {
    eat();
  } catch (...) {
    stop_eating(philosopher);
    throw;
  }
  stop_eating(philosopher);
}

void DiningTable::stop_eating(int i) {
  std::lock_guard<std::mutex> lock(mu_);
  state_[static_cast<std::size_t>(i)] = State::kThinking;
  // Both neighbours (and whoever waits behind them) may now eat; they wait on one condition
  // variable with different predicates, so all are woken to check. Notifying under the lock
  // keeps the table alive until this call is done with it.
  forks_put_down_.notify_all();
}

}  // namespace kata::classics
