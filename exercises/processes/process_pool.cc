#include "processes/process_pool.h"

#include "kata/not_implemented.h"

namespace kata::processes {

// TODO: fork the workers here. A worker closes every channel but its own, then loops: read a
// length-prefixed input (until end of file), write back the length-prefixed fn(input), and
// finally _exit(0).
ProcessPool::ProcessPool(int workers, Fn fn) {
  (void)workers;
  (void)fn;
  throw kata::NotImplemented("ProcessPool::ProcessPool");
}

// TODO: close every channel, then waitpid every worker.
ProcessPool::~ProcessPool() {}

// TODO: hand one input to each idle worker, poll() the busy ones, read whole answers into
// their slots; a channel at end of file is a dead worker: reap it, fork a replacement, let the
// others finish what they hold, then throw WorkerCrashed.
std::vector<std::string> ProcessPool::map(const std::vector<std::string>& inputs) {
  (void)inputs;
  throw kata::NotImplemented("ProcessPool::map");
}

}  // namespace kata::processes
