// Mutant (WRONG_RESULT): the thread sleeps with std::this_thread::sleep_for(period) and looks
// at its stop token only when it wakes. Nothing can interrupt a sleep_for, so stop() (and the
// destructor) waits out the rest of the period: 10 s in the grader, which measures stop().
#include "threads/ticker.h"

#include <utility>

namespace kata::threads {

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> tick)
    : period_(period),
      tick_(std::move(tick)),
      // A std::jthread passes its stop token to a function that takes one as first argument.
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

void Ticker::run(std::stop_token stop) {
  while (true) {
    std::this_thread::sleep_for(period_);
    if (stop.stop_requested()) return;
    tick_();
    ticks_.fetch_add(1);
  }
}

void Ticker::stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (!thread_.joinable()) return;  // stopped already
  thread_.request_stop();
  // The join is what guarantees that no tick runs after stop() returns (a tick in progress
  // finishes first), and it makes everything the ticks did visible to the caller.
  thread_.join();
}

int Ticker::ticks() const { return ticks_.load(); }

Ticker::~Ticker() { stop(); }

}  // namespace kata::threads
