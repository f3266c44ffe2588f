// Mutant (CRASH): threads are joined in index order and the first exception is rethrown at
// once, while later threads are still joinable: destroying a joinable std::thread calls
// std::terminate.
#include "threads/spawn_join.h"

#include <exception>
#include <thread>

namespace kata::threads {

std::vector<int> run_parallel(int n, const std::function<int(int)>& work) {
  std::vector<int> results(static_cast<std::size_t>(n));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  std::vector<std::thread> workers;
  for (int i = 0; i < n; ++i) {
    workers.emplace_back([&, i] {
      try {
        results[static_cast<std::size_t>(i)] = work(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  }
  for (int i = 0; i < n; ++i) {
    workers[static_cast<std::size_t>(i)].join();
    if (errors[static_cast<std::size_t>(i)]) std::rethrow_exception(errors[static_cast<std::size_t>(i)]);
  }
  return results;
}

}  // namespace kata::threads
