// Mutant (WRONG_RESULT): each thread is joined right after it is started, so the calls run
// one after another. The grader's calls wait for each other and notice.
#include "threads/spawn_join.h"

#include <exception>
#include <thread>

namespace kata::threads {

std::vector<int> run_parallel(int n, const std::function<int(int)>& work) {
  std::vector<int> results(static_cast<std::size_t>(n));
  std::exception_ptr first;
  for (int i = 0; i < n; ++i) {
    std::thread worker([&, i] {
      try {
        results[static_cast<std::size_t>(i)] = work(i);
      } catch (...) {
        if (!first) first = std::current_exception();
      }
    });
    worker.join();
  }
  if (first) std::rethrow_exception(first);
  return results;
}

}  // namespace kata::threads
