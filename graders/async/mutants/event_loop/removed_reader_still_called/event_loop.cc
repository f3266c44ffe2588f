// Mutant: a reader removed by an earlier callback of the same iteration still runs
// (WRONG_RESULT).
#include "async/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace kata::async {
namespace {

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int checked(int result, const char* what) {
  if (result < 0) throw_errno(what);
  return result;
}

// std::push_heap builds a max-heap: "later" puts the earliest deadline, then the lowest
// sequence number, on top.
constexpr auto later = [](const auto& a, const auto& b) {
  if (a.deadline != b.deadline) return a.deadline > b.deadline;
  return a.seq > b.seq;
};

}  // namespace

EventLoop::EventLoop()
    : epoll_fd_(checked(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0) {
    int error = errno;
    close(epoll_fd_);
    throw std::system_error(error, std::generic_category(), "eventfd");
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) < 0) {
    int error = errno;
    close(wake_fd_);
    close(epoll_fd_);
    throw std::system_error(error, std::generic_category(), "epoll_ctl(eventfd)");
  }
}

EventLoop::~EventLoop() {
  close(wake_fd_);
  close(epoll_fd_);
}

void EventLoop::call_soon(Callback fn) { ready_.push_back(std::move(fn)); }

TimerId EventLoop::call_later(std::chrono::milliseconds delay, Callback fn) {
  return call_at(time() + std::max(delay, std::chrono::milliseconds(0)), std::move(fn));
}

TimerId EventLoop::call_at(Clock::time_point deadline, Callback fn) {
  std::uint64_t seq = next_timer_seq_++;
  timers_.emplace(seq, std::move(fn));
  purge_cancelled_timers();
  timer_heap_.push_back({deadline, seq});
  std::push_heap(timer_heap_.begin(), timer_heap_.end(), later);
  return TimerId{seq};
}

bool EventLoop::cancel(TimerId timer) {
  // The heap entry stays until it surfaces (or is purged); without its callback it is skipped.
  return timers_.erase(static_cast<std::uint64_t>(timer)) > 0;
}

// Rebuilds the heap once most of it is cancelled timers, so a program that schedules and
// cancels many long timeouts does not grow it without bound.
void EventLoop::purge_cancelled_timers() {
  if (timer_heap_.size() < 2 * timers_.size() + 64) return;
  std::erase_if(timer_heap_, [this](const TimerEntry& e) { return !timers_.contains(e.seq); });
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), later);
}

void EventLoop::call_soon_threadsafe(Callback fn) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = incoming_.empty();
    incoming_.push_back(std::move(fn));
  }
  // The loop drains `incoming_` after it consumes a wake-up and before it sleeps again, so
  // only the push that makes the queue non-empty needs to wake it.
  if (was_empty) wake();
}

void EventLoop::stop() {
  stopping_.store(true, std::memory_order_release);
  wake();
}

void EventLoop::wake() {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop is already due to wake.
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof one);
}

void EventLoop::add_reader(int fd, Callback fn) { set_handler(fd, false, std::move(fn)); }
void EventLoop::add_writer(int fd, Callback fn) { set_handler(fd, true, std::move(fn)); }
bool EventLoop::remove_reader(int fd) { return remove_handler(fd, false); }
bool EventLoop::remove_writer(int fd) { return remove_handler(fd, true); }

void EventLoop::set_handler(int fd, bool writer, Callback fn) {
  auto [it, inserted] = watches_.try_emplace(fd);
  Watch updated = it->second;
  auto& slot = writer ? updated.writer : updated.reader;
  if (slot) slot->removed = true;  // a queued call of the replaced callback is dropped
  slot = std::make_shared<IoHandler>(IoHandler{std::move(fn)});
  try {
    update_epoll(fd, updated, !inserted);
  } catch (...) {
    if (inserted) watches_.erase(it);
    throw;
  }
  it->second = std::move(updated);
}

bool EventLoop::remove_handler(int fd, bool writer) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) return false;
  auto& slot = writer ? it->second.writer : it->second.reader;
  if (!slot) return false;
  slot->removed = true;
  slot.reset();
  update_epoll(fd, it->second, true);
  if (!it->second.reader && !it->second.writer) watches_.erase(it);
  return true;
}

// Makes epoll's interest in `fd` match `watch`: level-triggered, so a callback that reads only
// part of what is available is called again in the next iteration.
void EventLoop::update_epoll(int fd, const Watch& watch, bool was_registered) {
  epoll_event event{};
  event.events = (watch.reader ? EPOLLIN : 0u) | (watch.writer ? EPOLLOUT : 0u);
  event.data.fd = fd;
  if (event.events == 0) {
    // ENOENT/EBADF: the descriptor was closed before its callbacks were removed, and closing
    // it already took it out of epoll.
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr) < 0 && errno != ENOENT &&
        errno != EBADF) {
      throw_errno("epoll_ctl(DEL)");
    }
    return;
  }
  if (was_registered) {
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0) return;
    if (errno != ENOENT) throw_errno("epoll_ctl(MOD)");
    // Closed and reopened under the same number since we registered it: register it anew.
  }
  checked(epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event), "epoll_ctl(ADD)");
}

void EventLoop::run_forever() {
  run_until([] { return false; });
}

void EventLoop::run_until(const std::function<bool()>& done) {
  if (running_) throw std::logic_error("EventLoop: the loop is already running");
  running_ = true;
  struct Reset {
    bool& running;
    ~Reset() { running = false; }
  } reset{running_};
  while (!done()) {
    run_once();
    if (stopping_.exchange(false, std::memory_order_acq_rel)) break;
  }
}

// One iteration: sleep until something is ready, then run what was ready when it woke.
void EventLoop::run_once() {
  std::array<epoll_event, 256> events;
  int count = epoll_wait(epoll_fd_, events.data(), events.size(), epoll_timeout_ms());
  if (count < 0) {
    if (errno != EINTR) throw_errno("epoll_wait");
    count = 0;
  }
  for (int i = 0; i < count; ++i) {
    int fd = events[i].data.fd;
    if (fd == wake_fd_) {
      std::uint64_t value;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &value, sizeof value);
      continue;
    }
    auto it = watches_.find(fd);
    if (it == watches_.end()) continue;
    std::uint32_t what = events[i].events;
    // An error or hang-up goes to both callbacks: their read or write will report it.
    bool failed = (what & (EPOLLERR | EPOLLHUP)) != 0;
    if (it->second.reader && ((what & EPOLLIN) || failed)) queue_io(it->second.reader);
    if (it->second.writer && ((what & EPOLLOUT) || failed)) queue_io(it->second.writer);
  }
  // After consuming the wake-up, so a call_soon_threadsafe() that finds `incoming_` empty and
  // writes the eventfd is never missed: only the push that makes it non-empty wakes the loop.
  {
    std::lock_guard lock(mu_);
    for (auto& fn : incoming_) ready_.push_back(std::move(fn));
    incoming_.clear();
  }
  queue_due_timers();

  // Only what is ready now: callbacks queued while these run wait for the next iteration.
  for (std::size_t todo = ready_.size(); todo > 0; --todo) {
    Callback fn = std::move(ready_.front());
    ready_.pop_front();
    fn();
  }
}

// How long epoll_wait may sleep: not at all when work is ready or stop() is pending, until the
// earliest timer (rounded up, so the loop never wakes just before it and spins), or forever.
int EventLoop::epoll_timeout_ms() const {
  if (!ready_.empty() || stopping_.load(std::memory_order_acquire)) return 0;
  if (timer_heap_.empty()) return -1;
  auto wait = timer_heap_.front().deadline - Clock::now();
  if (wait <= Clock::duration::zero()) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
}

void EventLoop::queue_due_timers() {
  Clock::time_point now = Clock::now();
  while (!timer_heap_.empty() && timer_heap_.front().deadline <= now) {
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), later);
    std::uint64_t seq = timer_heap_.back().seq;
    timer_heap_.pop_back();
    if (!timers_.contains(seq)) continue;  // cancelled
    // The callback stays in `timers_` until it runs, so cancel() still works in between.
    ready_.push_back([this, seq] {
      auto it = timers_.find(seq);
      if (it == timers_.end()) return;
      Callback fn = std::move(it->second);
      timers_.erase(it);
      fn();
    });
  }
}

void EventLoop::queue_io(const std::shared_ptr<IoHandler>& handler) {
  // BUG: the callback is copied now, so removing it later in this iteration does not stop it.
  ready_.push_back(handler->fn);
}

}  // namespace kata::async
