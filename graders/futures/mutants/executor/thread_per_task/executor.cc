// Mutant (WRONG_RESULT): submit starts a new thread for every call (and shutdown joins them
// all), so max_workers limits nothing: as many calls run at once as are queued. The grader's
// concurrency monitor sees more calls at the same time than max_workers.
#include "futures/executor.h"

#include <stdexcept>

namespace kata::futures {

ThreadPoolExecutor::ThreadPoolExecutor(int max_workers) {
  if (max_workers <= 0) throw std::invalid_argument("ThreadPoolExecutor: max_workers must be > 0");
  // Threads are started by submit, one per call.
}

ThreadPoolExecutor::~ThreadPoolExecutor() { shutdown(/*wait=*/true); }

void ThreadPoolExecutor::enqueue(Task task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) {
      throw std::runtime_error("ThreadPoolExecutor: cannot submit after shutdown");
    }
    queue_.push_back(std::move(task));
    workers_.emplace_back([this] { work(); });  // a thread per call: it takes one task
  }
}

void ThreadPoolExecutor::work() {
  while (true) {
    Task task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (queue_.empty()) return;  // cancelled meanwhile
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task.run();
    return;
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
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> queue_lock(mu_);
    threads.swap(workers_);
  }
  for (std::thread& worker : threads) {
    if (worker.joinable()) worker.join();
  }
}

}  // namespace kata::futures
