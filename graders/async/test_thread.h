// A thread of the test (not of the code under test) whose exception join() rethrows: a client,
// a peer or a loop the test runs beside the one it checks. Joined by the destructor too, so a
// test that fails early never leaves it running.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

namespace kata::grading {

class TestThread {
 public:
  explicit TestThread(std::function<void()> body)
      : thread_([this, body = std::move(body)] {
          try {
            body();
          } catch (...) {
            error_ = std::current_exception();
          }
          finished_.store(true);
        }) {}
  ~TestThread() {
    if (thread_.joinable()) thread_.join();
  }
  TestThread(const TestThread&) = delete;
  TestThread& operator=(const TestThread&) = delete;

  // Joins, then rethrows the thread's exception (once).
  void join() {
    if (thread_.joinable()) thread_.join();
    if (auto error = std::exchange(error_, nullptr)) std::rethrow_exception(error);
  }
  // Whether the body has returned or thrown.
  bool finished() const { return finished_.load(); }

 private:
  std::exception_ptr error_;  // written by the thread before finished_, read after join()
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace kata::grading
