// Mutant (WRONG_RESULT): woken by the stop request, the thread ticks once more on its way out
// (the loop tests the stop token only before each wait). With a period of 10 s, stop() after
// a few milliseconds makes a tick that was never due.
#include "threads/ticker.h"

#include <utility>

namespace kata::threads {

Ticker::Ticker(std::chrono::milliseconds period, std::function<void()> tick)
    : period_(period),
      tick_(std::move(tick)),
      // A std::jthread passes its stop token to a function that takes one as first argument.
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

void Ticker::run(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(wait_mu_);
  while (!stop.stop_requested()) {
    wake_.wait_until(lock, stop, std::chrono::steady_clock::now() + period_, [] { return false; });
    lock.unlock();  // nobody needs the lock while the tick runs
    tick_();
    ticks_.fetch_add(1);
    lock.lock();
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
