#include "sync/rw_lock.h"

namespace kata::sync {

void RWLock::lock() {
  std::unique_lock<std::mutex> lock(mu_);
  // Counted as waiting from now on: lock_shared() holds new readers back until we are done.
  ++waiting_writers_;
  writers_cv_.wait(lock, [&] { return !writer_ && readers_ == 0; });
  --waiting_writers_;
  writer_ = true;
}

bool RWLock::try_lock() {
  std::lock_guard<std::mutex> lock(mu_);
  if (writer_ || readers_ > 0) return false;
  writer_ = true;
  return true;
}

void RWLock::unlock() {
  std::lock_guard<std::mutex> lock(mu_);
  writer_ = false;
  if (waiting_writers_ > 0) {
    writers_cv_.notify_one();  // writers first; the readers would only wait again
  } else {
    readers_cv_.notify_all();  // every waiting reader may go in together
  }
}

void RWLock::lock_shared() {
  std::unique_lock<std::mutex> lock(mu_);
  // Writer preference: a waiting writer holds us back, not only a writer inside.
  readers_cv_.wait(lock, [&] { return !writer_ && waiting_writers_ == 0; });
  ++readers_;
}

bool RWLock::try_lock_shared() {
  std::lock_guard<std::mutex> lock(mu_);
  if (writer_ || waiting_writers_ > 0) return false;
  ++readers_;
  return true;
}

void RWLock::unlock_shared() {
  std::lock_guard<std::mutex> lock(mu_);
  // The last reader out lets one waiting writer in. (Waiting readers need no wake-up: they
  // wait only while a writer is inside or waiting.)
  if (--readers_ == 0 && waiting_writers_ > 0) writers_cv_.notify_one();
}

}  // namespace kata::sync
