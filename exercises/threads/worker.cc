#include "threads/worker.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::threads {

Worker::Worker(std::function<void()> body, std::string name) {
  // TODO: keep the body and the name. Start nothing here.
  (void)body;
  (void)name;
}

void Worker::start() {
  // TODO: refuse a second start (std::logic_error); start a std::thread that runs the body
  // and then records, safely for the other threads, that the body has finished.
  throw kata::NotImplemented("Worker::start");
}

void Worker::join() {
  // TODO: refuse if never started; wait until the body has finished; join the std::thread
  // exactly once however many times join() is called.
  throw kata::NotImplemented("Worker::join");
}

bool Worker::join_for(std::chrono::milliseconds timeout) {
  // TODO: wait until the body has finished or `timeout` has passed, whichever comes first.
  (void)timeout;
  throw kata::NotImplemented("Worker::join_for");
}

bool Worker::is_alive() const {
  // TODO
  throw kata::NotImplemented("Worker::is_alive");
}

const std::string& Worker::name() const {
  // TODO
  throw kata::NotImplemented("Worker::name");
}

Worker::~Worker() {
  // TODO: join the thread if it was started. A destructor must never throw.
}

}  // namespace kata::threads
