// Mutant (WRONG_RESULT): exceptions are caught in the threads and dropped, as Python's
// Thread does; the caller never learns that a call failed.
#include "threads/spawn_join.h"

#include <thread>

namespace kata::threads {

std::vector<int> run_parallel(int n, const std::function<int(int)>& work) {
  std::vector<int> results(static_cast<std::size_t>(n));
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&, i] {
      try {
        results[static_cast<std::size_t>(i)] = work(i);
      } catch (...) {
      }
    });
  }
  for (auto& worker : workers) worker.join();
  return results;
}

}  // namespace kata::threads
