// One CPU-bound sum, four concurrency models: sequential, threads, async tasks, processes.
//
// sum(f, n) is f(0) + f(1) + ... + f(n - 1), in std::uint64_t arithmetic (wrapping modulo
// 2^64, so the order of the additions does not matter and every model gives the same bits).
// Python would write the parallel versions with `threading`, `concurrent.futures` and
// `multiprocessing`; only the last one is faster there, because of the GIL. In C++ all three
// run on every core: the kata, and its benchmark, show what each model costs.
//
// Every parallel version splits [0, n) into `workers` contiguous chunks (chunk k is
// [k * n / workers, (k + 1) * n / workers), so sizes differ by at most one), computes each
// chunk in its own worker, all workers at the same time, and adds the partial sums. The
// calling thread only splits, starts, waits and adds: it computes no term itself. `workers`
// below 1 throws std::invalid_argument; n may be smaller than `workers` (some chunks are then
// empty).
//
// Memory ordering: each worker's partial sum is handed to the caller through a
// happens-before edge (std::thread::join, std::future::get, or a pipe read after the child's
// write); no worker writes to memory another worker reads.
#pragma once

#include <cstdint>

namespace kata::models {

// A term of the sum: a plain function, so a forked child can call it too.
using Term = std::uint64_t (*)(std::uint64_t);

// f(0) + ... + f(n - 1) on the calling thread, in index order.
std::uint64_t sum_sequential(std::uint64_t n, Term f);

// The same sum, one std::thread per chunk (`threads` of them), joined before returning.
std::uint64_t sum_threads(std::uint64_t n, Term f, int threads);

// The same sum, one std::async(std::launch::async, ...) task per chunk (`tasks` of them): the
// C++ counterpart of submitting chunks to concurrent.futures and collecting the results.
std::uint64_t sum_async(std::uint64_t n, Term f, int tasks);

// The same sum, one forked child process per chunk (`processes` of them): each child computes
// its chunk, writes the 8-byte partial sum to its own pipe and ends with _exit (never exit:
// the child must not run the parent's atexit handlers or flush its buffers). The parent reads
// every result, waits for every child (no zombie is left behind) and closes every descriptor
// it opened (none leaks), also when it throws: a failed pipe, fork or read throws
// std::system_error, and a child that dies without writing its result throws
// std::runtime_error. Children call only f and async-signal-safe functions, and never start
// threads.
std::uint64_t sum_processes(std::uint64_t n, Term f, int processes);

}  // namespace kata::models
