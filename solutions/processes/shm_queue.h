// ShmQueue: a bounded multi-producer multi-consumer queue of messages in shared memory, for
// forked processes.
//
// Python's `multiprocessing.Queue(maxsize)` lets processes put and get messages: `put` blocks
// while the queue is full, `get` while it is empty, `get(timeout=...)` gives up. This is the
// same queue for processes that share it by forking: a ring of `capacity` slots of at most
// `max_message` bytes each, its counters, a mutex and two condition variables, all in one
// MAP_SHARED anonymous mapping. The mutex and the condition variables are
// PTHREAD_PROCESS_SHARED, so a push in one process wakes a pop blocked in another.
//
// Messages are copied into and out of the mapping under the mutex: a message is never seen
// half written (torn), never lost and never delivered twice. Messages come out in the order
// they went in (FIFO across all producers, as the mutex ordered the pushes).
//
// Processes: create the queue, then fork; every process uses the inherited object; children
// leave with _exit; only the creator destroys it, once the others are gone. Timed waits use
// CLOCK_MONOTONIC.
//
// Memory ordering: a push happens-before the pop that takes its message (both hold the
// mutex), in whichever processes they run.
//
// Read shm_queue.md first. Edit this file and shm_queue.cc; `./kata check processes/shm_queue`
// grades.
#pragma once

#include <pthread.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kata::processes {

class ShmQueue {
 public:
  // An empty queue of `capacity` messages (>= 1) of at most `max_message` bytes each (>= 1),
  // else std::invalid_argument. Throws std::system_error if the mapping cannot be made.
  ShmQueue(std::size_t capacity, std::size_t max_message);
  // Destroys the mutex and condition variables and unmaps the memory (creator only).
  ~ShmQueue();
  ShmQueue(const ShmQueue&) = delete;
  ShmQueue& operator=(const ShmQueue&) = delete;

  // Appends a copy of `message`, blocking while the queue is full. A message longer than
  // max_message throws std::length_error and changes nothing.
  void push(std::string_view message);

  // Removes and returns the oldest message, blocking while the queue is empty.
  std::string pop();

  // As pop, but waits at most `timeout`; std::nullopt if the queue stayed empty.
  std::optional<std::string> pop_for(std::chrono::milliseconds timeout);

 private:
  struct Header {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;  // signalled when a message is pushed
    pthread_cond_t not_full;   // signalled when a message is popped
    std::size_t head;          // index of the oldest message; guarded by mu
    std::size_t count;         // messages in the queue; guarded by mu
  };
  // Slot i: its length (std::size_t), then max_message_ bytes.
  std::size_t slot_size() const;
  char* slot(std::size_t i) const;
  std::string take_locked();  // pops the oldest message; mu held, count > 0

  std::size_t capacity_;
  std::size_t max_message_;
  std::size_t bytes_;  // size of the mapping
  Header* header_;     // the start of the MAP_SHARED mapping; the slots follow it
};

}  // namespace kata::processes
