#include "threads/spawn_join.h"

#include <exception>
#include <thread>

namespace kata::threads {

std::vector<int> run_parallel(int n, const std::function<int(int)>& work) {
  // Each thread writes only its own slot, so the vectors need no lock; join() makes the
  // writes visible to this thread.
  std::vector<int> results(static_cast<std::size_t>(n));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n));
  {
    // std::jthread joins in its destructor, so every thread is joined even if creating a
    // later one throws (std::system_error when the system is out of threads).
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      workers.emplace_back([&work, &results, &errors, i] {
        try {
          results[static_cast<std::size_t>(i)] = work(i);
        } catch (...) {
          errors[static_cast<std::size_t>(i)] = std::current_exception();
        }
      });
    }
  }  // all joined here
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
  return results;
}

}  // namespace kata::threads
