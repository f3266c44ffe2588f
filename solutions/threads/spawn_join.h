// run_parallel: start n threads, wait for all of them, collect their results.
//
// The C++ counterpart of the first thing Python's threading tutorial does:
//   threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
//   for t in threads: t.start()
//   for t in threads: t.join()
// with results gathered in index order and exceptions carried back to the caller, which
// Python's Thread silently drops (it only prints them).
#pragma once

#include <functional>
#include <vector>

namespace kata::threads {

// Runs work(0), ..., work(n - 1), each on its own thread, all at the same time, and returns
// their results in index order (result[i] == work(i)). Blocks until every thread has finished.
// If any call throws, every thread is still joined, and then the exception of the lowest index
// that threw is rethrown; the other exceptions are dropped.
//
// Memory ordering: everything work(i) did happens-before run_parallel returns or throws.
std::vector<int> run_parallel(int n, const std::function<int(int)>& work);

}  // namespace kata::threads
