// BlockingQueue<T>: a thread-safe FIFO queue that producers and consumers share, with an
// optional capacity, task tracking and a way to close it (Python's queue.Queue).
//
// Producers put() items and consumers get() them, in first-in first-out order. A bounded queue
// (capacity > 0) makes put() wait while it is full, which keeps fast producers from running
// ahead of slow consumers; capacity 0 means unbounded. get() waits while the queue is empty.
// Like queue.Queue, the queue counts unfinished tasks: each item put is one task, a consumer
// calls task_done() when it has finished processing an item it got, and join() waits until
// every item ever put has been marked done. close() (Python 3.13's Queue.shutdown()) ends the
// conversation: no more puts, and consumers drain what is left and then get nothing.
//
// Memory ordering: every operation is linearizable. put(x) happens-before the get() that
// returns x; task_done() happens-before the join() it releases returns; close() happens-before
// every call that observes it (a put that throws QueueClosed, a get that returns nothing).
//
// This kata is a header-only template: the whole implementation lives in this file.
// Read blocking_queue.md first. `./kata check sync/blocking_queue` grades.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "kata/not_implemented.h"

namespace kata::sync {

// Thrown by put() and put_for() on a closed queue.
class QueueClosed : public std::runtime_error {
 public:
  QueueClosed() : std::runtime_error("kata::sync::QueueClosed: put on a closed queue") {}
};

// T needs only to be movable (the grader also uses std::unique_ptr<int>).
template <class T>
class BlockingQueue {
 public:
  // capacity 0: unbounded. Otherwise the queue never holds more than `capacity` items.
  explicit BlockingQueue(std::size_t capacity = 0) {
    // TODO: remember the capacity (keep the constructor cheap: it must not throw or block).
    (void)capacity;
  }
  BlockingQueue(const BlockingQueue&) = delete;
  BlockingQueue& operator=(const BlockingQueue&) = delete;

  // Appends `item`, first waiting while the queue is full. Throws QueueClosed if the queue is
  // closed, including when it is closed while put() waits for room.
  void put(T item) {
    // TODO
    (void)item;
    throw kata::NotImplemented("BlockingQueue::put");
  }

  // Like put(), but waits at most `timeout` for room: returns true if the item was added,
  // false if the queue stayed full for the whole timeout (the item is then dropped).
  // Throws QueueClosed if the queue is or becomes closed.
  bool put_for(T item, std::chrono::milliseconds timeout) {
    // TODO
    (void)item;
    (void)timeout;
    throw kata::NotImplemented("BlockingQueue::put_for");
  }

  // Removes and returns the oldest item, first waiting while the queue is empty. Returns
  // std::nullopt once the queue is closed and empty (items put before close() are still
  // returned: closing drains, it does not discard).
  std::optional<T> get() {
    // TODO
    throw kata::NotImplemented("BlockingQueue::get");
  }

  // Like get(), but waits at most `timeout` for an item: returns std::nullopt if the queue
  // stayed empty for the whole timeout, or is closed and empty. A timeout of zero never waits.
  std::optional<T> get_for(std::chrono::milliseconds timeout) {
    // TODO
    (void)timeout;
    throw kata::NotImplemented("BlockingQueue::get_for");
  }

  // Marks one item that a consumer got as processed. Throws std::logic_error if it is called
  // more times than items have been got (every call must match an earlier get).
  void task_done() {
    // TODO
    throw kata::NotImplemented("BlockingQueue::task_done");
  }

  // Waits until every item ever put has been marked done with task_done(). Returns at once if
  // there is nothing unfinished. Closing the queue does not release join().
  void join() {
    // TODO
    throw kata::NotImplemented("BlockingQueue::join");
  }

  // Closes the queue: later puts throw QueueClosed, and every thread waiting in put() or
  // put_for() throws QueueClosed; every thread waiting in get() or get_for() on the empty queue
  // returns std::nullopt. Calling it again does nothing.
  void close() {
    // TODO
    throw kata::NotImplemented("BlockingQueue::close");
  }

  // The number of items in the queue right now.
  std::size_t size() const {
    // TODO
    throw kata::NotImplemented("BlockingQueue::size");
  }

 private:
  // TODO: the items, the capacity, the counts join() and task_done() need, whether the queue is
  // closed, what protects all of it, and what the waiting threads wait on.
};

}  // namespace kata::sync
