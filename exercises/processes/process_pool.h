// ProcessPool: a fixed set of forked worker processes that map a function over inputs.
//
// Python's `multiprocessing.Pool(n).map(fn, inputs)` forks n workers once, sends each of them
// inputs one at a time over pipes, and returns the results in the order of the inputs,
// whichever worker finished first. This is the same pool: workers are forked in the
// constructor and live until the destructor; each worker has a two-way channel to the parent
// (a socketpair, a pipe that works both ways) on which the parent sends an input and the worker
// answers with fn(input).
//
// Messages are length-prefixed: 8 bytes of length, then the bytes. A pipe holds 64 KiB, so a
// megabyte arrives in many reads (and leaves in many writes): read and write until the whole
// message has passed. A reader that takes one read() for a message tears it.
//
// A worker may die mid-task (killed, crashed). Then the read from its channel ends early (end
// of file): map reaps it, forks a replacement, lets the other workers finish the inputs they
// hold (so that no stale answer is left in a channel for the next map), and throws
// WorkerCrashed naming the input the dead worker held. The pool stays usable.
//
// Processes: the workers run `fn` in a forked copy of the parent and must not start threads
// (under ThreadSanitizer a child of a multithreaded process may not). The destructor closes
// every channel (each worker sees end of file and exits) and waits for every worker: no zombie
// is left behind.
//
// Memory ordering: nothing is shared: inputs and results are copied through the channels.
// map and the destructor must be called from one thread at a time.
//
// Read process_pool.md first. Edit this file and process_pool.cc; `./kata check
// processes/process_pool` grades.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace kata::processes {

// Thrown by ProcessPool::map when a worker died while it computed fn(input).
class WorkerCrashed : public std::runtime_error {
 public:
  explicit WorkerCrashed(const std::string& input)
      : std::runtime_error("a worker process died while computing fn(\"" +
                           input.substr(0, 80) + "\")"),
        input_(input) {}
  // The input the dead worker was given.
  const std::string& input() const { return input_; }

 private:
  std::string input_;
};

class ProcessPool {
 public:
  using Fn = std::string (*)(const std::string&);

  // Forks `workers` (at least 1, else std::invalid_argument) worker processes that compute
  // `fn`. Throws std::system_error if a channel or a process cannot be made.
  ProcessPool(int workers, Fn fn);
  // Closes the channels and waits for every worker to exit.
  ~ProcessPool();
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  // fn(inputs[i]) for every i, computed by the workers in parallel, in the order of `inputs`.
  // Throws WorkerCrashed if a worker died while computing one (after replacing it).
  std::vector<std::string> map(const std::vector<std::string>& inputs);

 private:
  // TODO: fn, and for each worker its pid and the parent's end of its channel
  // (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC)). Helpers to start and to reap a worker.
};

}  // namespace kata::processes
