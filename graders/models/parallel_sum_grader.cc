// Grader of models/parallel_sum: every model exact for any n and worker count, each term
// computed exactly once, the workers really running at the same time, and sum_processes
// leaving no zombie and no open descriptor behind.
//
// The term function is a plain function pointer, so what it records (which worker computed
// which index, how often) lives in one anonymous MAP_SHARED mapping made before any fork:
// threads and forked children write to the same pages.
#include "models/parallel_sum.h"

#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::models::Term;
namespace grading = kata::grading;

constexpr std::uint64_t kMaxRecorded = 1 << 14;  // indices whose visits are recorded
constexpr int kMaxWorkers = 16;

// What the term function records, shared by the test, its threads and forked children.
struct Shared {
  std::atomic<int> recording;
  std::atomic<std::uint32_t> visits[kMaxRecorded];
  std::atomic<std::int32_t> worker[kMaxRecorded];  // the tid (a child's pid) that computed i
  // The gate: every worker's first term waits until `expected` workers arrived (or the
  // deadline passed), which a model that runs its workers one after another cannot pass.
  std::atomic<int> expected;
  std::atomic<std::int64_t> deadline_ns;
  std::atomic<int> gate_timed_out;
  std::atomic<int> arrived;
  std::atomic<std::int32_t> arrivals[kMaxWorkers];
  // A child computing this index dies without reporting (-1: none).
  std::atomic<std::int64_t> die_at;
  std::atomic<std::int32_t> parent_pid;
};

Shared* shared() {
  static Shared* s = [] {
    void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
    if (p == MAP_FAILED) std::abort();
    auto* s = static_cast<Shared*>(p);  // zero-filled: every atomic starts at 0
    s->die_at.store(-1);
    return s;
  }();
  return s;
}

std::int32_t my_tid() { return static_cast<std::int32_t>(::syscall(SYS_gettid)); }

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // one clock for every process of the machine
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// splitmix64: terms spread over all 64 bits, so a sum wraps and a missing or doubled term
// changes it.
std::uint64_t mix(std::uint64_t i) {
  std::uint64_t z = i + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t expected_sum(std::uint64_t n) {
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < n; ++i) total += mix(i);
  return total;
}

void pass_gate(Shared* s) {
  const int expected = s->expected.load();
  if (expected == 0) return;
  const std::int32_t me = my_tid();
  bool known = false;
  const int arrived = std::min(s->arrived.load(), kMaxWorkers);
  for (int k = 0; k < arrived; ++k) known = known || s->arrivals[k].load() == me;
  if (!known) {
    const int slot = s->arrived.fetch_add(1);
    if (slot < kMaxWorkers) s->arrivals[slot].store(me);
  }
  while (s->arrived.load() < expected) {
    if (monotonic_ns() > s->deadline_ns.load()) {
      s->gate_timed_out.store(1);
      return;
    }
    grading::tick();
    const timespec pause{0, 200000};
    ::nanosleep(&pause, nullptr);
  }
}

// The term every test sums: records who computed index i, then returns mix(i).
std::uint64_t recorded_term(std::uint64_t i) {
  Shared* s = shared();
  if (s->recording.load(std::memory_order_relaxed) != 0) {
    if (i < kMaxRecorded) {
      s->visits[i].fetch_add(1, std::memory_order_relaxed);
      s->worker[i].store(my_tid(), std::memory_order_relaxed);
    }
    if (static_cast<std::int64_t>(i) == s->die_at.load() && ::getpid() != s->parent_pid.load()) {
      ::_exit(3);  // a child that dies before reporting its partial sum
    }
    pass_gate(s);
  }
  return mix(i);
}

struct Model {
  const char* name;
  std::uint64_t (*sum)(std::uint64_t, Term, int);
};

const Model kModels[] = {
    {"sum_threads", kata::models::sum_threads},
    {"sum_async", kata::models::sum_async},
    {"sum_processes", kata::models::sum_processes},
};

// Clears the record (up to the highest index recorded so far) and arms it for one call.
std::uint64_t recorded_up_to = kMaxRecorded;

void start_recording(int gate_workers = 0, std::uint64_t n = kMaxRecorded) {
  Shared* s = shared();
  for (std::uint64_t i = 0; i < recorded_up_to && i < kMaxRecorded; ++i) {
    s->visits[i].store(0, std::memory_order_relaxed);
    s->worker[i].store(0, std::memory_order_relaxed);
  }
  recorded_up_to = n + 16;
  s->arrived.store(0);
  for (auto& a : s->arrivals) a.store(0);
  s->gate_timed_out.store(0);
  s->deadline_ns.store(monotonic_ns() + 2000000000LL);  // 2 s for every worker to start
  s->expected.store(gate_workers);
  s->parent_pid.store(::getpid());
  s->recording.store(1);
}

void stop_recording() {
  shared()->recording.store(0);
  shared()->expected.store(0);
  shared()->die_at.store(-1);
}

// Every index below n computed exactly once, none at or above it.
void expect_each_term_once(const char* model, std::uint64_t n, int workers) {
  Shared* s = shared();
  for (std::uint64_t i = 0; i < kMaxRecorded && i < n + 16; ++i) {
    const std::uint32_t visits = s->visits[i].load();
    const std::uint32_t want = i < n ? 1 : 0;
    ASSERT_EQ(visits, want) << model << "(n = " << n << ", " << workers << " workers) computed f("
                            << i << ") " << visits << " times; every index in [0, n) exactly "
                            << "once and no other: check the chunk boundaries";
  }
}

// Open descriptors of this process.
int open_descriptors() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory's own descriptor
}

// Reaps every child already gone and reports whether any child of this process is left
// (a zombie, or one still running).
bool children_left() {
  for (;;) {
    const pid_t pid = ::waitpid(-1, nullptr, WNOHANG);
    if (pid < 0) return errno != ECHILD;
    return true;  // 0: a child still running; > 0: a zombie nobody waited for
  }
}

// Waits for every remaining child, so that one failing test does not spoil the next.
void reap_all_children() {
  while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
  }
}

TEST(ParallelSum, SequentialSumIsExact) {
  for (std::uint64_t n : {0ULL, 1ULL, 2ULL, 17ULL, 1000ULL}) {
    ASSERT_EQ(kata::models::sum_sequential(n, mix), expected_sum(n))
        << "sum_sequential(" << n << ", f) is f(0) + ... + f(" << n << " - 1)";
  }
}

TEST(ParallelSum, InvalidWorkerCountsAreRefused) {
  for (const Model& model : kModels) {
    EXPECT_THROW(model.sum(10, mix, 0), std::invalid_argument)
        << model.name << " with 0 workers must throw std::invalid_argument";
  }
  reap_all_children();
}

// Exact sums for every n and worker count, each term computed once: a chunk boundary that
// drops the remainder, overlaps a neighbour or skips an index shows up here.
TEST(ParallelSum, EveryModelIsExactWithEachTermComputedOnce) {
  // A fork under ThreadSanitizer costs tens of milliseconds: processes get fewer sizes.
  const bool thorough = grading::level() == grading::Level::kThorough;
  std::vector<std::uint64_t> sizes = {0, 1, 2, 3, 5, 7, 64, 1001};
  std::vector<std::uint64_t> process_sizes = {0, 2, 7, 1001};
  if (thorough) {
    sizes.insert(sizes.end(), {4, 6, 9, 255, 4099});
    process_sizes.insert(process_sizes.end(), {1, 3, 5, 64});
  }
  for (const Model& model : kModels) {
    const bool processes = model.sum == kata::models::sum_processes;
    for (int workers = 1; workers <= 4; ++workers) {
      for (std::uint64_t n : processes ? process_sizes : sizes) {
        start_recording(0, n);
        const std::uint64_t got = model.sum(n, recorded_term, workers);
        stop_recording();
        ASSERT_EQ(got, expected_sum(n)) << model.name << "(n = " << n << ", f, " << workers
                                        << ") returned a wrong sum";
        expect_each_term_once(model.name, n, workers);
        if (testing::Test::HasFatalFailure()) return;
        grading::tick();
      }
    }
  }
}

// Each chunk on its own worker, all at the same time: the first term of each worker waits
// (up to 2 s) until every worker has started. Workers run one after another (a thread joined
// as soon as it is started, a deferred std::async, a child waited for before the next fork)
// never get through; neither does a caller that computes terms itself.
TEST(ParallelSum, WorkersRunAtTheSameTime) {
  for (int round = 0; round < grading::scaled(1, 3); ++round) {
    for (const Model& model : kModels) {
      for (int workers = 2; workers <= 4; ++workers) {
        const std::uint64_t n = 40 * static_cast<std::uint64_t>(workers) + 3;
        start_recording(workers, n);
        const std::uint64_t got = model.sum(n, recorded_term, workers);
        Shared* s = shared();
        const bool timed_out = s->gate_timed_out.load() != 0;
        stop_recording();
        ASSERT_EQ(got, expected_sum(n)) << model.name << " returned a wrong sum";
        std::set<std::int32_t> seen;
        const std::int32_t caller = my_tid();
        for (std::uint64_t i = 0; i < n; ++i) {
          const std::int32_t who = s->worker[i].load();
          ASSERT_NE(who, caller) << model.name << "(n = " << n << ", f, " << workers
                                 << ") computed f(" << i << ") on the calling thread: every "
                                 << "chunk belongs to a worker"
                                 << (model.sum == kata::models::sum_async
                                         ? " (a deferred std::async runs in get(), on the caller)"
                                         : "");
          seen.insert(who);
        }
        ASSERT_EQ(seen.size(), static_cast<std::size_t>(workers))
            << model.name << "(n = " << n << ", f, " << workers << ") computed the terms in "
            << seen.size() << " workers, not one per chunk";
        ASSERT_FALSE(timed_out) << model.name << " with " << workers
                                << " workers: the workers did not all run at the same time "
                                << "(each chunk's first term waited 2 s for the others to "
                                << "start): they ran one after another";
        grading::tick();
      }
    }
  }
  reap_all_children();
}

// After sum_processes returns, no child is left (waitpid(-1, WNOHANG) says ECHILD) and the
// process has exactly the descriptors it had before.
TEST(ParallelSum, ProcessesLeaveNoZombieAndNoOpenDescriptor) {
  reap_all_children();
  for (int round = 0; round < grading::scaled(6, 20); ++round) {
    const int processes = 1 + round % 4;
    const std::uint64_t n = 100 + static_cast<std::uint64_t>(round);
    const int before = open_descriptors();
    const std::uint64_t got = kata::models::sum_processes(n, mix, processes);
    const int after = open_descriptors();
    const bool left = children_left();
    if (left) reap_all_children();
    ASSERT_EQ(got, expected_sum(n)) << "sum_processes returned a wrong sum";
    if (left) {
      KATA_FAIL(kLeak) << "after sum_processes(n, f, " << processes << ") returned, a child "
                       << "was still there (waitpid(-1, WNOHANG) did not say ECHILD): every "
                       << "child must be waited for, or it stays a zombie";
      return;
    }
    if (after != before) {
      KATA_FAIL(kLeak) << "sum_processes(n, f, " << processes << ") left " << (after - before)
                       << " more open descriptors than before (" << before << " -> " << after
                       << "): close both ends of every pipe, in the parent and in the child";
      return;
    }
    grading::tick();
  }
}

// A child that dies without writing its result: sum_processes throws (it does not wait
// forever for the missing 8 bytes, nor return a wrong sum), and still leaves nothing behind.
TEST(ParallelSum, AChildThatDiesIsReportedNotWaitedForForever) {
  reap_all_children();
  for (int processes = 1; processes <= 3; ++processes) {
    const std::uint64_t n = 90;
    const int before = open_descriptors();
    start_recording(0, n);
    shared()->die_at.store(static_cast<std::int64_t>(n - 1));  // in the last chunk
    bool threw = false;
    try {
      kata::models::sum_processes(n, recorded_term, processes);
    } catch (const std::runtime_error&) {
      threw = true;  // std::system_error is a std::runtime_error too
    }
    stop_recording();
    const int after = open_descriptors();
    const bool left = children_left();
    if (left) reap_all_children();
    ASSERT_TRUE(threw) << "a child of sum_processes(n, f, " << processes << ") died before "
                       << "writing its partial sum; sum_processes returned instead of throwing";
    if (left) {
      KATA_FAIL(kLeak) << "after a child died, sum_processes threw but left a child behind";
      return;
    }
    if (after != before) {
      KATA_FAIL(kLeak) << "after a child died, sum_processes threw but left "
                       << (after - before) << " descriptors open";
      return;
    }
    grading::tick();
  }
}

}  // namespace
