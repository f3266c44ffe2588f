// Grader of processes/process_pool: results in input order, computed in the workers (forked
// once), messages of megabytes intact across pipe-buffer boundaries, a worker killed mid-task
// turned into WorkerCrashed naming its input with the pool usable afterwards (no stale answer
// left behind), and every worker reaped by the destructor.
//
// The workers are forked while the grader is multithreaded (the watchdog): ThreadSanitizer does
// not follow them (they run with it switched off and start no threads); they are checked by
// their results, by the zombie/descriptor checks after each test (LEAK) and by the watchdog (a
// map that hangs is a DEADLOCK).
#include "processes/process_pool.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "graders/processes/process_checks.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::processes::ProcessPool;
using kata::processes::WorkerCrashed;
namespace grading = kata::grading;
namespace checks = kata::grading::processes;

unsigned hash_of(const std::string& s) {
  unsigned h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// "<input>|<pid of the worker>", after a short sleep that depends on the input, so that workers
// finish out of order.
std::string tag(const std::string& input) {
  usleep((hash_of(input) % 4) * 1000);
  return input + "|" + std::to_string(getpid());
}

// The input reversed, then the input: a message twice the size of the input.
std::string mirror(const std::string& input) {
  return std::string(input.rbegin(), input.rend()) + input;
}

// A result of as many bytes as the input says: a small message in, a large one back.
std::string expand(const std::string& input) {
  return std::string(std::stoul(input), 'r');
}

// "die" kills the worker (SIGKILL, mid-task); "slow..." takes 30 ms; everything else is quick.
std::string fragile(const std::string& input) {
  if (input == "die") kill(getpid(), SIGKILL);
  if (input.rfind("slow", 0) == 0) usleep(30 * 1000);
  return "ok:" + input;
}

using PoolTest = checks::ProcessTest;

std::string random_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(grading::random_below(256));
  return s;
}

TEST_F(PoolTest, ResultsComeInInputOrderFromTheWorkers) {
  ProcessPool pool(3, tag);
  const int n = grading::scaled(60, 200);
  std::vector<std::string> inputs;
  for (int i = 0; i < n; ++i) inputs.push_back("input-" + std::to_string(i));
  std::vector<std::string> results = pool.map(inputs);
  ASSERT_EQ(results.size(), inputs.size());
  std::set<std::string> pids;
  for (int i = 0; i < n; ++i) {
    const std::string& r = results[static_cast<std::size_t>(i)];
    auto bar = r.rfind('|');
    ASSERT_NE(bar, std::string::npos) << "result " << i << " is '" << r << "'";
    ASSERT_EQ(r.substr(0, bar), inputs[static_cast<std::size_t>(i)])
        << "result " << i << " belongs to another input: results out of order or mixed";
    pids.insert(r.substr(bar + 1));
  }
  EXPECT_EQ(pids.count(std::to_string(getpid())), 0u)
      << "fn ran in the parent process, not in a worker";
  EXPECT_GE(pids.size(), 2u) << "with 3 workers and " << n << " inputs, only one worker worked";
  EXPECT_LE(pids.size(), 3u) << "more worker processes than the pool has: workers are forked "
                                "once, not per input";
  EXPECT_TRUE(pool.map({}).empty());
}

TEST_F(PoolTest, WorkersAreForkedOnceForManyMaps) {
  ProcessPool pool(2, tag);
  std::set<std::string> pids;
  for (int round = 0; round < grading::scaled(10, 30); ++round) {
    std::vector<std::string> inputs;
    for (int i = 0; i < 6; ++i) inputs.push_back(std::to_string(round) + "/" + std::to_string(i));
    std::vector<std::string> results = pool.map(inputs);
    ASSERT_EQ(results.size(), inputs.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      ASSERT_EQ(results[i].rfind(inputs[i] + "|", 0), 0u) << "round " << round << ": result "
                                                           << i << " is '" << results[i] << "'";
      pids.insert(results[i].substr(results[i].rfind('|') + 1));
    }
    grading::tick();
  }
  EXPECT_LE(pids.size(), 2u) << "a pool of 2 workers used " << pids.size()
                             << " processes: workers are forked once, not per map or input";
}

TEST_F(PoolTest, LargeMessagesCrossPipeBufferBoundaries) {
  {
    // One large result and nothing after it: a message read in pieces shows here as a short
    // result, before a torn stream can hand a later read a length made of payload bytes.
    ProcessPool pool(1, expand);
    const std::size_t size = 1 << 20;
    std::vector<std::string> results = pool.map({std::to_string(size)});
    ASSERT_EQ(results.size(), 1u);
    ASSERT_EQ(results[0].size(), size)
        << "a result of " << size << " bytes arrived with another length: torn at a "
        << "pipe-buffer boundary (read until the whole message is in)";
  }
  std::vector<std::size_t> sizes = {0, 1, 65535, 65536, 65537, 200000, 1 << 20};
  if (grading::level() == grading::Level::kThorough) sizes.push_back(4 << 20);
  for (std::size_t size : sizes) {
    ProcessPool pool(2, mirror);
    const std::string big = random_bytes(size);
    std::vector<std::string> results = pool.map({big, "small", big});
    ASSERT_EQ(results.size(), 3u);
    const std::string expected = mirror(big);
    ASSERT_EQ(results[0].size(), expected.size())
        << "a message of " << expected.size() << " bytes arrived with another length: torn at "
        << "a pipe-buffer boundary (read until the whole message is in)";
    ASSERT_TRUE(results[0] == expected) << "a message of " << expected.size()
                                        << " bytes arrived with other bytes";
    ASSERT_EQ(results[1], mirror("small"));
    ASSERT_TRUE(results[2] == expected) << "the second large message differs";
    grading::tick();
  }
}

TEST_F(PoolTest, WorkerKilledMidTaskThrowsWorkerCrashedNamingTheInput) {
  ProcessPool pool(3, fragile);
  try {
    pool.map({"a", "slow-1", "die", "slow-2", "b", "c"});
    ADD_FAILURE() << "a worker was killed while computing fn(\"die\"): map must throw "
                     "WorkerCrashed";
  } catch (const WorkerCrashed& e) {
    EXPECT_EQ(e.input(), "die") << "WorkerCrashed names the input the dead worker held";
  }
  // The pool replaced the dead worker and works; no answer of the failed map is left over.
  for (int round = 0; round < 3; ++round) {
    std::vector<std::string> inputs;
    for (int i = 0; i < 7; ++i) inputs.push_back("r" + std::to_string(round) + "-" + std::to_string(i));
    std::vector<std::string> results = pool.map(inputs);
    ASSERT_EQ(results.size(), inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      ASSERT_EQ(results[i], "ok:" + inputs[i])
          << "map after a crash: result " << i
          << " is wrong (a stale answer from the failed map left in a channel?)";
    }
    grading::tick();
  }
}

TEST_F(PoolTest, EveryCrashIsReportedAndRepaired) {
  ProcessPool pool(2, fragile);
  const int crashes = grading::scaled(4, 10);
  for (int c = 0; c < crashes; ++c) {
    std::vector<std::string> inputs = {"slow-x", "y", "z"};
    inputs.insert(inputs.begin() + c % 3, "die");
    bool thrown = false;
    try {
      pool.map(inputs);
    } catch (const WorkerCrashed& e) {
      thrown = true;
      EXPECT_EQ(e.input(), "die");
    }
    EXPECT_TRUE(thrown) << "crash " << c << " was not reported";
    std::vector<std::string> results = pool.map({"p", "q", "slow-r"});
    ASSERT_EQ(results, (std::vector<std::string>{"ok:p", "ok:q", "ok:slow-r"}))
        << "the map after crash " << c;
    grading::tick();
  }
}

TEST_F(PoolTest, DestructorReapsEveryWorker) {
  for (int round = 0; round < grading::scaled(5, 15); ++round) {
    {
      ProcessPool pool(1 + round % 3, tag);
      ASSERT_EQ(pool.map({"one", "two"}).size(), 2u);
    }
    std::set<int> left = checks::child_pids();
    if (!left.empty()) {
      KATA_FAIL(kLeak) << left.size() << " worker process(es) still there (running or zombie) "
                       << "after the pool was destroyed: the destructor must waitpid them all";
      return;
    }
    grading::tick();
  }
}

}  // namespace
