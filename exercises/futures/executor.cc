#include "futures/executor.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::futures {

ThreadPoolExecutor::ThreadPoolExecutor(int max_workers) {
  // TODO: check max_workers, then start the workers (or remember how many you may start).
  (void)max_workers;
}

ThreadPoolExecutor::~ThreadPoolExecutor() {
  // TODO: shutdown(wait=true). A destructor must not throw.
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  // TODO: refuse new tasks, wake every worker, cancel what has not started if asked, and
  // with `wait` join the workers (safely, even if several threads call shutdown at once).
  (void)wait;
  (void)cancel_futures;
  throw kata::NotImplemented("ThreadPoolExecutor::shutdown");
}

// TODO: the workers' loop: take a task (waiting while the queue is empty and the pool is not
// shut down), run it outside the lock, repeat; leave when shut down and the queue is empty.

}  // namespace kata::futures
