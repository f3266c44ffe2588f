#include "classics/dining_philosophers.h"

#include <stdexcept>

namespace kata::classics {

DiningTable::DiningTable(int seats) : seats_(seats) {
  if (seats < 2) throw std::invalid_argument("DiningTable: a table needs at least 2 seats");
  for (int i = 0; i < seats; ++i) forks_.push_back(std::make_unique<std::mutex>());
}

void DiningTable::dine(int philosopher, const std::function<void()>& eat) {
  if (philosopher < 0 || philosopher >= seats_) throw std::out_of_range("no such philosopher");
  std::lock_guard<std::mutex> left(*forks_[static_cast<std::size_t>(philosopher)]);
  std::lock_guard<std::mutex> right(  // BUG: everybody left first: a cycle
      *forks_[static_cast<std::size_t>((philosopher + 1) % seats_)]);
  eat();
}

}  // namespace kata::classics
