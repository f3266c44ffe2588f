// Mutant (RACE): every thread push_backs its (index, result) into one shared vector without a
// lock, then the caller sorts. Concurrent push_back is a data race.
#include "threads/spawn_join.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

namespace kata::threads {

std::vector<int> run_parallel(int n, const std::function<int(int)>& work) {
  std::vector<std::pair<int, int>> collected;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&, i] {
      try {
        int value = work(i);
        collected.emplace_back(i, value);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  std::sort(collected.begin(), collected.end());
  std::vector<int> results;
  for (const auto& [index, value] : collected) results.push_back(value);
  return results;
}

}  // namespace kata::threads
