#include "processes/shm_queue.h"

#include "kata/not_implemented.h"

namespace kata::processes {

// TODO: mmap(MAP_SHARED | MAP_ANONYMOUS) the header and the slots; initialise the mutex and the
// condition variables with attributes set to PTHREAD_PROCESS_SHARED (and CLOCK_MONOTONIC for
// the condition variables, for pop_for's deadline).
ShmQueue::ShmQueue(std::size_t capacity, std::size_t max_message) {
  (void)capacity;
  (void)max_message;
  throw kata::NotImplemented("ShmQueue::ShmQueue");
}

ShmQueue::~ShmQueue() {}

void ShmQueue::push(std::string_view message) {
  (void)message;
  throw kata::NotImplemented("ShmQueue::push");
}

std::string ShmQueue::pop() { throw kata::NotImplemented("ShmQueue::pop"); }

std::optional<std::string> ShmQueue::pop_for(std::chrono::milliseconds timeout) {
  (void)timeout;
  throw kata::NotImplemented("ShmQueue::pop_for");
}

}  // namespace kata::processes
