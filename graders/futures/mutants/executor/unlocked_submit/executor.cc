// Mutant (RACE): submit pushes onto the task queue without the lock ("the workers lock when they
// pop, that is enough"). A push and a pop, or two pushes from two submitting threads, touch the
// deque at once: a data race, which ThreadSanitizer reports.
#include "futures/executor.h"

#include <stdexcept>

namespace kata::futures {

ThreadPoolExecutor::ThreadPoolExecutor(int max_workers) {
  if (max_workers <= 0) throw std::invalid_argument("ThreadPoolExecutor: max_workers must be > 0");
  // All workers start now: simpler than Python's on-demand start, and the pool is never
  // bigger than max_workers, because only these threads ever run tasks.
  workers_.reserve(static_cast<std::size_t>(max_workers));
  try {
    for (int i = 0; i < max_workers; ++i) workers_.emplace_back([this] { work(); });
  } catch (...) {
    shutdown(/*wait=*/true);  // join the ones that did start before giving up
    throw;
  }
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(/*wait=*/true); }

void ThreadPoolExecutor::enqueue(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      throw std::runtime_error("ThreadPoolExecutor: cannot submit after shutdown");
    }
  }
  queue_.push_back(std::move(task));
  work_available_.notify_one();  // one task, one worker
}

void ThreadPoolExecutor::work() {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_available_.wait(lock, [&] { return shutting_down_ || !queue_.empty(); });
      // Shut down and drained: this worker is done. Queued tasks still run after shutdown.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    // Outside the lock: tasks run in parallel, and a task may submit more tasks.
    task.run();
  }
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::deque<Task> cancelled;
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutting_down_ = true;
    if (cancel_futures) cancelled.swap(queue_);
  }
  // Every worker must see the flag, not just one: each leaves once the queue is empty.
  work_available_.notify_all();
  // Outside the lock: cancelling runs the futures' done-callbacks, which may call back in here.
  for (Task& task : cancelled) task.cancel();
  if (!wait) return;
  std::lock_guard<std::mutex> lock(join_mu_);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

}  // namespace kata::futures
