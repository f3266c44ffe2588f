// Mutant: one mutex per fork, every philosopher takes the left fork, then the right one. When all
// take their left fork at once, each waits for ever for its right (DEADLOCK; ThreadSanitizer
// sees the cycle of lock orders first: LOCK_ORDER).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace kata::classics {

class DiningTable {
 public:
  explicit DiningTable(int seats);
  DiningTable(const DiningTable&) = delete;
  DiningTable& operator=(const DiningTable&) = delete;
  void dine(int philosopher, const std::function<void()>& eat);

 private:
  const int seats_;
  std::vector<std::unique_ptr<std::mutex>> forks_;
};

}  // namespace kata::classics
