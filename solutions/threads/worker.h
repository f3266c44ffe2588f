// Worker: a thread object with Python's threading.Thread lifecycle.
//
// A std::thread starts running the moment it is constructed, must be joined exactly once, and
// ends the whole program (std::terminate) if it is destroyed while still joinable. Python's
// threading.Thread is gentler: it is created first and started later, start() twice is refused,
// join() may be called any number of times, join(timeout) gives up after a while, and
// is_alive() tells whether the body is still running. Build that object on top of std::thread.
//
//   Worker worker([] { download(); }, "downloader");
//   worker.start();                      // the body starts running on a new thread
//   while (!worker.join_for(100ms)) show_progress();
//   worker.join();                       // fine: already finished, returns at once
//
// Threads: start() is called by the thread that owns the Worker. join(), join_for(),
// is_alive() and name() may be called from any thread, several at the same time, and while
// the body runs. The body itself does not throw and never joins its own Worker.
//
// Memory ordering: start() happens-before the body begins. Everything the body did
// happens-before join() returns, and before a join_for() that returns true returns.
//
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace kata::threads {

class Worker {
 public:
  // Keeps `body` and `name`; starts nothing (no thread exists until start()).
  explicit Worker(std::function<void()> body, std::string name = "");

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts running the body on a new thread, and returns without waiting for it to finish.
  // A Worker runs its body at most once: a second start(), whether the body is still running
  // or has finished, throws std::logic_error and changes nothing.
  void start();

  // Blocks until the body has finished. Throws std::logic_error if the Worker was never
  // started. Calling it again after the body has finished returns at once.
  void join();

  // Like join(), but gives up after `timeout`: returns true as soon as the body has finished
  // (at once if it already had), false if it is still running when `timeout` has passed.
  // Throws std::logic_error if the Worker was never started.
  bool join_for(std::chrono::milliseconds timeout);

  // True from the moment start() returns until the body returns; false before start() and
  // after the body has returned (whether or not anyone has joined it yet).
  bool is_alive() const;

  // The name given at construction ("" if none).
  const std::string& name() const;

  // Joins the thread if the Worker was started (waiting for the body to finish if it has
  // not), like Python waiting for its non-daemon threads at exit. Never throws.
  ~Worker();

 private:
  // What the new thread runs: the body, then the news that it has finished.
  void run();
  // Once the body has finished (mu_ held): joins the std::thread unless someone already did.
  void reap_locked();

  const std::function<void()> body_;
  const std::string name_;

  mutable std::mutex mu_;
  std::condition_variable finished_cv_;  // notified when finished_ becomes true
  bool started_ = false;                 // guarded by mu_
  bool finished_ = false;                // guarded by mu_
  std::thread thread_;                   // guarded by mu_ (started, then joined once)
};

}  // namespace kata::threads
