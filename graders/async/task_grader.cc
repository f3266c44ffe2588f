// Grader of async/task: values and exceptions through chains of co_await, lazy start, frames
// freed as soon as their task has been awaited, 100 000 nested co_awaits in a small stack
// (symmetric transfer), sleep_for on the loop, and run() as asyncio.run.
//
// The deep chain runs on a thread of its own with a 1 MiB stack: without symmetric transfer,
// every level of the chain nests about 128 bytes of stack (clang 14 -O1, under either
// sanitizer), so such a Task overflows after about 8 000 levels, and the grader reports the
// crash.
// Frames are counted through the parameters of the graders' coroutines, which live in the
// coroutine frame and are destroyed only with it; the `_asan` variant also runs LeakSanitizer.
#include "async/task.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "async/event_loop.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::async::EventLoop;
using kata::async::run;
using kata::async::sleep_for;
using kata::async::Task;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// Counts the frames alive: a Frame is passed by value to a coroutine, so it lives in (and dies
// with) that coroutine's frame.
int frames_alive = 0;  // the loop's thread only
struct Frame {
  Frame() { ++frames_alive; }
  Frame(const Frame&) { ++frames_alive; }
  Frame(Frame&&) noexcept { ++frames_alive; }
  ~Frame() { --frames_alive; }
};

// Fails the running test with LEAK unless every frame counted since its start is gone.
void expect_frames_freed(const char* when) {
  if (frames_alive != 0) {
    KATA_FAIL(kLeak) << frames_alive << " coroutine frame(s) never destroyed " << when
                     << ": the Task destructor must destroy its coroutine handle";
  }
}

struct CustomError : std::runtime_error {
  explicit CustomError(int code) : std::runtime_error("custom"), code(code) {}
  int code;
};

Task<int> answer(Frame = {}) { co_return 42; }

Task<std::string> text(EventLoop& loop, Frame = {}) {
  co_await sleep_for(loop, 1ms);
  co_return std::string(1000, 'x');
}

Task<std::unique_ptr<int>> boxed(int value, Frame = {}) {
  co_return std::make_unique<int>(value);
}

Task<void> add_to(int& target, int amount, EventLoop& loop, Frame = {}) {
  co_await sleep_for(loop, 0ms);
  target += amount;
}

Task<int> sum_of_values(EventLoop& loop, Frame = {}) {
  int total = co_await answer();
  std::string s = co_await text(loop);
  total += static_cast<int>(s.size());
  std::unique_ptr<int> box = co_await boxed(7);
  total += *box;
  co_await add_to(total, 100, loop);
  co_return total;
}

TEST(Task, ValuesOfEveryKindComeBackThroughCoAwait) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop loop;
  EXPECT_EQ(run(loop, answer()), 42) << "run(loop, task) must return the task's co_return value";
  EXPECT_EQ(run(loop, sum_of_values(loop)), 42 + 1000 + 7 + 100)
      << "values (int, std::string, a move-only std::unique_ptr, and the side effect of a "
         "Task<void>) must come back through co_await";
  std::unique_ptr<int> box = run(loop, boxed(5));
  ASSERT_NE(box, nullptr) << "a move-only value was lost";
  EXPECT_EQ(*box, 5);
  expect_frames_freed("after their tasks were awaited");
}

Task<int> record_start(std::vector<std::string>& log, Frame = {}) {
  log.push_back("started");
  co_return 1;
}

Task<int> lazy_parent(std::vector<std::string>& log, Frame = {}) {
  Task<int> child = record_start(log);
  log.push_back("created");
  int value = co_await std::move(child);
  log.push_back("awaited");
  {
    [[maybe_unused]] Task<int> never = record_start(log);  // destroyed without being awaited
  }
  co_return value;
}

TEST(Task, StartsOnlyWhenAwaitedAndATaskNeverAwaitedNeverRuns) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop loop;
  std::vector<std::string> log;
  {
    [[maybe_unused]] Task<int> task = record_start(log);
    EXPECT_TRUE(log.empty()) << "calling a coroutine must not run it: a Task starts lazily, "
                                "when it is awaited (or given to run)";
  }
  EXPECT_TRUE(log.empty()) << "a Task destroyed without being awaited must never run";
  expect_frames_freed("by Tasks destroyed without being awaited");
  EXPECT_EQ(run(loop, lazy_parent(log)), 1);
  EXPECT_EQ(log, (std::vector<std::string>{"created", "started", "awaited"}))
      << "the child must start at co_await, not when it is created";
  expect_frames_freed("by the end of the test");
}

Task<int> fail_after_sleep(EventLoop& loop, int code, Frame = {}) {
  co_await sleep_for(loop, 1ms);
  throw CustomError(code);
}

Task<int> middle(EventLoop& loop, int code, Frame = {}) {
  int value = co_await fail_after_sleep(loop, code);
  co_return value + 1;  // never reached
}

Task<void> void_failure(EventLoop& loop, Frame = {}) {
  co_await sleep_for(loop, 0ms);
  throw std::logic_error("from a Task<void>");
}

Task<int> catch_them(EventLoop& loop, Frame = {}) {
  int caught = 0;
  try {
    co_await middle(loop, 7);
  } catch (const CustomError& e) {
    caught += e.code;
  }
  try {
    co_await void_failure(loop);
  } catch (const std::logic_error&) {
    caught += 100;
  }
  co_return caught;
}

TEST(Task, ExceptionsCrossCoAwaitWithTheirType) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop loop;
  EXPECT_EQ(run(loop, catch_them(loop)), 107)
      << "an exception thrown in an awaited task (also a Task<void>, also after a suspension) "
         "must be rethrown by the co_await that awaited it, with its own type";
  try {
    run(loop, middle(loop, 3));
    ADD_FAILURE() << "run() must rethrow the exception that ended its task";
  } catch (const CustomError& e) {
    EXPECT_EQ(e.code, 3) << "run() rethrew another exception than the task's";
  }
  EXPECT_THROW(run(loop, void_failure(loop)), std::logic_error)
      << "run() of a Task<void> must rethrow its exception";
  expect_frames_freed("by tasks that failed");
}

Task<int> count_down(int depth, Frame = {}) {
  if (depth == 0) co_return 0;
  int below = co_await count_down(depth - 1);
  co_return below + 1;
}

// How many more frames are alive after `co_await child()` than before it (0: the child's frame
// was destroyed at the end of the co_await's full-expression).
Task<int> parent_checks_child_frame(int& left_behind, Frame = {}) {
  int before = frames_alive;
  int value = co_await answer();
  left_behind = frames_alive - before;
  co_return value;
}

TEST(Task, AFrameIsDestroyedAsSoonAsItsTaskHasBeenAwaited) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop loop;
  int left_behind = -1;
  EXPECT_EQ(run(loop, parent_checks_child_frame(left_behind)), 42);
  if (left_behind != 0 || frames_alive != 0) {
    KATA_FAIL(kLeak) << "coroutine frames were not destroyed: " << left_behind
                     << " child frame(s) still alive after their co_await had finished "
                        "(expected 0), " << frames_alive << " frame(s) after run() returned "
                        "(expected 0). The Task destructor must destroy its coroutine handle";
  }
  {
    Task<int> task = answer();
    task = answer();  // move-assignment must destroy the frame it replaces
    if (frames_alive != 1) {
      KATA_FAIL(kLeak) << frames_alive << " frames alive after `task = answer();` (expected 1): "
                          "move-assignment must destroy the frame the Task held before";
    }
    EXPECT_EQ(run(loop, std::move(task)), 42);
  }
  const int rounds = grading::scaled(200, 2000);
  for (int i = 0; i < rounds; ++i) {
    ASSERT_EQ(run(loop, count_down(i % 50)), i % 50);
    grading::tick();
  }
  if (frames_alive != 0) {
    KATA_FAIL(kLeak) << frames_alive << " coroutine frames were never destroyed after " << rounds
                     << " chains had finished";
  }
}

// The deep chain, on a thread with a small stack and a handler for the overflow.
constexpr std::size_t kSmallStack = 1 << 20;
constexpr int kDepth = 100000;

char alternate_stack[1 << 16];

void on_stack_overflow(int signal_number) {
  grading::report_verdict(
      grading::Verdict::kCrash,
      "the stack overflowed in a chain of 100 000 nested co_awaits on a 1 MiB stack: awaiting a "
      "Task, and finishing one, must resume the other coroutine by symmetric transfer (return "
      "its handle from await_suspend), not by calling resume(), which nests a stack frame per "
      "level");
  std::fflush(stdout);
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

struct DeepRun {
  int result = -1;
  std::exception_ptr error;
};

void* run_deep_chain(void* arg) {
  auto* deep = static_cast<DeepRun*>(arg);
  // The handler needs a stack of its own; the thread's previous one (AddressSanitizer sets one
  // up and frees it at thread exit) is put back at the end.
  stack_t alternate{}, previous{};
  alternate.ss_sp = alternate_stack;
  alternate.ss_size = sizeof alternate_stack;
  sigaltstack(&alternate, &previous);
  struct sigaction action {};
  action.sa_handler = on_stack_overflow;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, nullptr);
  sigaction(SIGBUS, &action, nullptr);
  try {
    EventLoop loop;
    deep->result = run(loop, count_down(kDepth));
  } catch (...) {
    deep->error = std::current_exception();
  }
  sigaltstack(&previous, nullptr);
  return nullptr;
}

TEST(Task, AHundredThousandNestedAwaitsRunInAOneMegabyteStack) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  DeepRun deep;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, kSmallStack);
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attributes, run_deep_chain, &deep), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
  if (deep.error) std::rethrow_exception(deep.error);
  EXPECT_EQ(deep.result, kDepth) << "a chain of " << kDepth << " nested co_awaits lost its value";
  expect_frames_freed("in the deep chain");
}

Task<long> sleep_and_measure(EventLoop& loop, std::chrono::milliseconds delay, Frame = {}) {
  auto start = Clock::now();
  co_await sleep_for(loop, delay);
  co_return elapsed_ms(start);
}

Task<std::vector<std::string>> sleep_lets_callbacks_run(EventLoop& loop, Frame = {}) {
  std::vector<std::string> log;
  loop.call_soon([&log] { log.push_back("callback"); });
  log.push_back("before sleep");
  co_await sleep_for(loop, 20ms);
  log.push_back("after sleep");
  co_return log;
}

TEST(Task, SleepForSuspendsOnTheLoopForAtLeastTheDelay) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop loop;
  long slept = run(loop, sleep_and_measure(loop, 50ms));
  EXPECT_GE(slept, 50) << "sleep_for(loop, 50ms) resumed too early";
  EXPECT_EQ(run(loop, sleep_lets_callbacks_run(loop)),
            (std::vector<std::string>{"before sleep", "callback", "after sleep"}))
      << "sleep_for must suspend the task and return to the loop (other callbacks run "
         "meanwhile), not block the thread";
  expect_frames_freed("by the end of the test");
}

// Many short chains with sleeps and failures, on fresh loops and on one reused loop.
Task<int> mixed(EventLoop& loop, int i, Frame = {}) {
  int total = 0;
  for (int step = 0; step < 3; ++step) {
    if ((i + step) % 4 == 0) co_await sleep_for(loop, 0ms);
    try {
      if ((i * 7 + step) % 5 == 0) {
        co_await fail_after_sleep(loop, step);
      } else {
        total += co_await count_down(step + i % 7);
      }
    } catch (const CustomError& e) {
      total += 1000 * (e.code + 1);
    }
  }
  co_return total;
}

int expected_mixed(int i) {
  int total = 0;
  for (int step = 0; step < 3; ++step) {
    total += (i * 7 + step) % 5 == 0 ? 1000 * (step + 1) : step + i % 7;
  }
  return total;
}

TEST(Task, StressManyChainsWithSleepsAndFailures) {
  frames_alive = 0;  // frames leaked by an earlier test are not this one's
  EventLoop shared;
  const int rounds = grading::scaled(300, 3000);
  for (int i = 0; i < rounds; ++i) {
    if (i % 10 == 0) {
      EventLoop fresh;
      ASSERT_EQ(run(fresh, mixed(fresh, i)), expected_mixed(i)) << "round " << i;
    } else {
      ASSERT_EQ(run(shared, mixed(shared, i)), expected_mixed(i)) << "round " << i;
    }
    grading::tick();
  }
  expect_frames_freed("by the end of the test");
}

}  // namespace
