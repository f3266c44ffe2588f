#include "threads/ticker.h"

#include "kata/not_implemented.h"

namespace kata::threads {

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> tick) {
  // TODO: keep the period and the function, and start the thread that ticks. It waits one
  // period at a time in a wait that a stop request interrupts, and leaves when stop is asked.
  (void)period;
  (void)tick;
}

void Ticker::stop() {
  // TODO: ask the thread to stop, wake it, and wait for it to end: once, however many
  // threads call stop() and however many times.
  throw kata::NotImplemented("Ticker::stop");
}

int Ticker::ticks() const {
  // TODO: the count is written by the ticking thread and read by others.
  throw kata::NotImplemented("Ticker::ticks");
}

Ticker::~Ticker() {
  // TODO: stop if nobody has yet. A destructor must never throw.
}

}  // namespace kata::threads
