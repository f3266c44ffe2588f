// Mutant (WRONG_RESULT): join_for waits on the condition variable without a predicate and
// trusts the cv_status. When the body has already finished, its notification happened before
// the wait began and never comes again: join_for waits out the timeout and returns false,
// although the body is long done (a lost wake-up).
#include "threads/worker.h"

#include <stdexcept>
#include <utility>

namespace kata::threads {

Worker::Worker(std::function<void()> body, std::string name)
    : body_(std::move(body)), name_(std::move(name)) {}

void Worker::start() {
  std::lock_guard<std::mutex> lock(mu_);
  // Checking and setting `started_` under one lock makes start() one atomic step: of two
  // threads racing to start the same Worker, exactly one wins.
  if (started_) throw std::logic_error("Worker '" + name_ + "': threads can only be started once");
  // If the std::thread cannot be created (std::system_error), nothing has changed.
  thread_ = std::thread([this] { run(); });
  started_ = true;
}

void Worker::run() {
  body_();
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  // Notified under the lock: once a joiner has seen finished_ and returned, this thread no
  // longer touches the Worker, which may then be destroyed.
  finished_cv_.notify_all();
}

void Worker::reap_locked() {
  // finished_ is true, so the thread has nothing left to do but exit (it never takes mu_
  // again): joining it while holding mu_ is quick and cannot deadlock. Holding mu_ makes
  // "joinable? then join" one step, so concurrent joiners never join the same thread twice.
  if (thread_.joinable()) thread_.join();
}

void Worker::join() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) throw std::logic_error("Worker '" + name_ + "': cannot join before start");
  // The predicate makes the wait safe against lost and spurious wake-ups: if the body has
  // already finished, we do not wait at all.
  finished_cv_.wait(lock, [this] { return finished_; });
  reap_locked();
}

bool Worker::join_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) throw std::logic_error("Worker '" + name_ + "': cannot join before start");
  if (finished_cv_.wait_for(lock, timeout) == std::cv_status::timeout) return false;
  reap_locked();
  return true;
}

bool Worker::is_alive() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_ && !finished_;
}

const std::string& Worker::name() const { return name_; }  // immutable: no lock needed

Worker::~Worker() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!started_) return;
  finished_cv_.wait(lock, [this] { return finished_; });
  reap_locked();
}

}  // namespace kata::threads
