// Mutant (WRONG_RESULT): get() waits with `if` instead of `while`: once woken it assumes an
// item is there or the queue is closed. With several consumers, another one can take the item
// between the notification and the wake-up (or the wake-up is spurious), and get() returns
// "nothing" on an open queue, which tells the consumer that the queue is closed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace kata::sync {

// Thrown by put() and put_for() on a closed queue.
class QueueClosed : public std::runtime_error {
 public:
  QueueClosed() : std::runtime_error("kata::sync::QueueClosed: put on a closed queue") {}
};

// T needs only to be movable.
template <class T>
class BlockingQueue {
 public:
  // capacity 0: unbounded. Otherwise the queue never holds more than `capacity` items.
  explicit BlockingQueue(std::size_t capacity = 0) : capacity_(capacity) {}
  BlockingQueue(const BlockingQueue&) = delete;
  BlockingQueue& operator=(const BlockingQueue&) = delete;

  // Appends `item`, first waiting while the queue is full. Throws QueueClosed if the queue is
  // closed, including when it is closed while put() waits for room.
  void put(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return closed_ || has_room(); });
    push(std::move(item));
  }

  // Like put(), but waits at most `timeout` for room: returns true if the item was added,
  // false if the queue stayed full for the whole timeout (the item is then dropped).
  // Throws QueueClosed if the queue is or becomes closed.
  bool put_for(T item, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    // wait_for measures the timeout on the steady clock and returns the predicate's last value.
    if (!not_full_.wait_for(lock, timeout, [this] { return closed_ || has_room(); })) {
      return false;
    }
    push(std::move(item));
    return true;
  }

  // Removes and returns the oldest item, first waiting while the queue is empty. Returns
  // std::nullopt once the queue is closed and empty.
  std::optional<T> get() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!closed_ && items_.empty()) not_empty_.wait(lock);  // BUG: if, not while
    return pop();
  }

  // Like get(), but waits at most `timeout` for an item: returns std::nullopt if the queue
  // stayed empty for the whole timeout, or is closed and empty.
  std::optional<T> get_for(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    // On timeout the queue is empty and pop() returns nothing: no separate branch needed.
    not_empty_.wait_for(lock, timeout, [this] { return closed_ || !items_.empty(); });
    return pop();
  }

  // Marks one item that a consumer got as processed. Throws std::logic_error if it is called
  // more times than items have been got.
  void task_done() {
    std::lock_guard<std::mutex> lock(mu_);
    if (taken_not_done_ == 0) {
      throw std::logic_error("BlockingQueue::task_done() called more times than items were got");
    }
    --taken_not_done_;
    if (--unfinished_ == 0) all_done_.notify_all();  // every joiner may return
  }

  // Waits until every item ever put has been marked done with task_done().
  void join() {
    std::unique_lock<std::mutex> lock(mu_);
    all_done_.wait(lock, [this] { return unfinished_ == 0; });
  }

  // Closes the queue: later and waiting puts throw QueueClosed; waiting gets on the empty
  // queue return std::nullopt. Idempotent.
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    // Every waiter must re-check: one notify_one would wake a single thread and leave the
    // others asleep forever.
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  // The number of items in the queue right now.
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

 private:
  bool has_room() const { return capacity_ == 0 || items_.size() < capacity_; }

  // With mu_ held and (closed_ or room): add the item and wake one consumer. Notifying while
  // holding the lock keeps the condition variable alive for the call even if a consumer takes
  // the item and the queue is destroyed right after we unlock.
  void push(T&& item) {
    if (closed_) throw QueueClosed();
    items_.push_back(std::move(item));
    ++unfinished_;
    not_empty_.notify_one();  // one item: one consumer can use it
  }

  // With mu_ held: take the oldest item, if any, and wake one producer.
  std::optional<T> pop() {
    if (items_.empty()) return std::nullopt;  // closed and drained, or timed out
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    ++taken_not_done_;
    not_full_.notify_one();  // one free place: one producer can use it
    return item;
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;  // consumers wait here for an item (or close)
  std::condition_variable not_full_;   // producers wait here for room (or close)
  std::condition_variable all_done_;   // join() waits here for unfinished_ == 0
  std::deque<T> items_;                // guarded by mu_
  std::size_t unfinished_ = 0;         // items put and not yet task_done(); guarded by mu_
  std::size_t taken_not_done_ = 0;     // items got and not yet task_done(); guarded by mu_
  bool closed_ = false;                // guarded by mu_
};

}  // namespace kata::sync
