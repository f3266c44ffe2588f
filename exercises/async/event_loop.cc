#include "async/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kata/not_implemented.h"

namespace kata::async {

EventLoop::EventLoop() {
  // TODO: epoll_create1(EPOLL_CLOEXEC); eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), registered with
  // epoll for EPOLLIN. Throw std::system_error (with errno) if either fails.
}

EventLoop::~EventLoop() {
  // TODO: close what the constructor opened.
}

void EventLoop::call_soon(Callback fn) {
  // TODO: append to the ready queue.
  (void)fn;
  throw kata::NotImplemented("EventLoop::call_soon");
}

TimerId EventLoop::call_later(std::chrono::milliseconds delay, Callback fn) {
  // TODO: call_at(time() + delay), with a negative delay counted as zero.
  (void)delay;
  (void)fn;
  throw kata::NotImplemented("EventLoop::call_later");
}

TimerId EventLoop::call_at(Clock::time_point deadline, Callback fn) {
  // TODO: push (deadline, next sequence number) on the timer heap; keep the callback where
  // cancel() can find it by its TimerId.
  (void)deadline;
  (void)fn;
  throw kata::NotImplemented("EventLoop::call_at");
}

bool EventLoop::cancel(TimerId timer) {
  // TODO: forget the timer's callback, so it never runs; true if it was still pending.
  (void)timer;
  throw kata::NotImplemented("EventLoop::cancel");
}

void EventLoop::call_soon_threadsafe(Callback fn) {
  // TODO: under a mutex, append to a queue the loop drains; then wake the loop (write 1 to
  // the eventfd).
  (void)fn;
  throw kata::NotImplemented("EventLoop::call_soon_threadsafe");
}

void EventLoop::add_reader(int fd, Callback fn) {
  // TODO: remember the callback; EPOLL_CTL_ADD (or MOD if the writer is watched) with EPOLLIN.
  (void)fd;
  (void)fn;
  throw kata::NotImplemented("EventLoop::add_reader");
}

void EventLoop::add_writer(int fd, Callback fn) {
  // TODO: as add_reader, with EPOLLOUT.
  (void)fd;
  (void)fn;
  throw kata::NotImplemented("EventLoop::add_writer");
}

bool EventLoop::remove_reader(int fd) {
  // TODO: forget the callback; EPOLL_CTL_MOD to the remaining interest, or DEL if none.
  (void)fd;
  throw kata::NotImplemented("EventLoop::remove_reader");
}

bool EventLoop::remove_writer(int fd) {
  // TODO: as remove_reader.
  (void)fd;
  throw kata::NotImplemented("EventLoop::remove_writer");
}

void EventLoop::run_forever() {
  // TODO: run_until(a condition that is never true).
  throw kata::NotImplemented("EventLoop::run_forever");
}

void EventLoop::run_until(const std::function<bool()>& done) {
  // TODO: until done() or a stop request: one iteration (below); then consume the stop request.
  (void)done;
  throw kata::NotImplemented("EventLoop::run_until");
}

void EventLoop::stop() {
  // TODO: set the stop request (another thread may call this) and wake the loop.
  throw kata::NotImplemented("EventLoop::stop");
}

bool EventLoop::is_running() const {
  // TODO
  throw kata::NotImplemented("EventLoop::is_running");
}

// TODO: one iteration.
//  1. epoll_wait with a timeout: 0 if callbacks are ready (or a stop is pending), else until
//     the earliest timer (rounded up to whole milliseconds), else -1 (sleep until woken).
//  2. For each ready descriptor, queue its reader and/or writer callback; for the eventfd,
//     read it to reset it. Then move what call_soon_threadsafe() queued into the ready queue.
//  3. Queue every timer whose deadline has passed, earliest first.
//  4. Run as many callbacks as were ready at this point, no more: what they queue waits.

}  // namespace kata::async
