// Mutant (CRASH): stop() requests the stop and joins without asking whether the thread was
// already joined. A second stop() joins a std::jthread that is no longer joinable, which throws
// std::system_error (invalid argument); from ~Ticker after stop() it calls std::terminate.
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
  while (true) {
    // Waits one period, like Python's `stop_event.wait(period)`, but a stop request ends the
    // wait at once: this overload registers a std::stop_callback that notifies wake_. There is
    // nothing else to wait for, hence the predicate that is never true; the call handles
    // spurious wake-ups itself and returns on the deadline or on a stop request.
    wake_.wait_until(lock, stop, std::chrono::steady_clock::now() + period_, [] { return false; });
    // Woken by stop(), or asked to stop while it ticked: leave without ticking again.
    if (stop.stop_requested()) return;
    lock.unlock();  // nobody needs the lock while the tick runs
    tick_();
    ticks_.fetch_add(1);
    lock.lock();
  }
}

void Ticker::stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  thread_.request_stop();
  // The join is what guarantees that no tick runs after stop() returns (a tick in progress
  // finishes first), and it makes everything the ticks did visible to the caller.
  thread_.join();
}

int Ticker::ticks() const { return ticks_.load(); }

Ticker::~Ticker() { stop(); }

}  // namespace kata::threads
