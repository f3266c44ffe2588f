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
  // TODO: a pointer to one MAP_SHARED anonymous mapping holding a header (a process-shared
  // pthread_mutex_t, two process-shared pthread_cond_t on CLOCK_MONOTONIC, the ring's head and
  // count) followed by `capacity` slots of (length, max_message bytes); and its size.
};

}  // namespace kata::processes
