// Mutant (WRONG_RESULT): the workers are detached, and shutdown(wait=true) waits only until
// each worker has said it is leaving, not until its thread has ended. Every call has finished,
// but worker threads are still running (leaked) when shutdown returns. The grader counts the
// worker threads whose exit it has seen (a thread_local destructor) right after shutdown.
#include "futures/executor.h"

#include <stdexcept>

namespace kata::futures {

ThreadPoolExecutor::ThreadPoolExecutor(int max_workers) {
  if (max_workers <= 0) throw std::invalid_argument("ThreadPoolExecutor: max_workers must be > 0");
  // All workers start now: simpler than Python's on-demand start, and the pool is never
  // bigger than max_workers, because only these threads ever run tasks.
  for (int i = 0; i < max_workers; ++i) {
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      ++shared_->live_workers;
    }
    std::thread([shared = shared_] { work(shared); }).detach();  // no join needed later
  }
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(/*wait=*/true); }

void ThreadPoolExecutor::enqueue(Task task) {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->shutting_down) {
      throw std::runtime_error("ThreadPoolExecutor: cannot submit after shutdown");
    }
    shared_->queue.push_back(std::move(task));
  }
  shared_->work_available.notify_one();  // one task, one worker
}

void ThreadPoolExecutor::work(std::shared_ptr<Shared> shared) {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(shared->mu);
      shared->work_available.wait(
          lock, [&] { return shared->shutting_down || !shared->queue.empty(); });
      if (shared->queue.empty()) {
        --shared->live_workers;  // "I am done" (but the thread still has to end)
        shared->worker_left.notify_all();
        return;
      }
      task = std::move(shared->queue.front());
      shared->queue.pop_front();
    }
    // Outside the lock: tasks run in parallel, and a task may submit more tasks.
    task.run();
  }
}

void ThreadPoolExecutor::shutdown(bool wait, bool cancel_futures) {
  std::deque<Task> cancelled;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->shutting_down = true;
    if (cancel_futures) cancelled.swap(shared_->queue);
  }
  shared_->work_available.notify_all();
  for (Task& task : cancelled) task.cancel();
  if (!wait) return;
  std::unique_lock<std::mutex> lock(shared_->mu);
  shared_->worker_left.wait(lock, [&] { return shared_->live_workers == 0; });
}

}  // namespace kata::futures
