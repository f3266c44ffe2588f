// Grader of async/gather: tasks that really run concurrently, results and failures through
// gather, and cancellation that is real: a cancelled task gets CancelledError at the point it
// waits at, unwinds, and its frames are destroyed before anyone learns that it has finished.
//
// Nothing here depends on wall-clock luck: concurrency is checked causally (every task of a
// gather has started before any has finished), and a wait that should end "now" is given a
// second by a referee task that then reports it and cleans up instead of hanging. Frames are
// counted through a parameter of the graders' coroutines (it lives and dies with the frame);
// the `_asan` variant also runs LeakSanitizer.
#include "async/gather.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "async/event_loop.h"
#include "async/task.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::async::CancelledError;
using kata::async::create_task;
using kata::async::EventLoop;
using kata::async::gather;
using kata::async::run;
using kata::async::sleep_for;
using kata::async::Task;
using kata::async::TaskHandle;
using kata::async::TimeoutError;
using kata::async::wait_for;
namespace grading = kata::grading;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

int frames_alive = 0;  // the loop's thread only
struct Frame {
  Frame() { ++frames_alive; }
  Frame(const Frame&) { ++frames_alive; }
  Frame(Frame&&) noexcept { ++frames_alive; }
  ~Frame() { --frames_alive; }
};

struct CustomError : std::runtime_error {
  explicit CustomError(int code) : std::runtime_error("custom"), code(code) {}
  int code;
};

// The frames alive now, not counting `own` frames of the test's own coroutines.
void expect_frames_freed(int own, const char* when) {
  if (frames_alive != own) {
    KATA_FAIL(kLeak) << frames_alive - own << " coroutine frame(s) of finished or cancelled "
                     << "tasks still alive " << when
                     << ": a cancelled task must unwind and its frames be destroyed before "
                        "those awaiting it resume";
  }
}

// Waits (polling every few ms on the loop) until the task is done or `limit` has passed.
template <class T>
Task<bool> done_within(EventLoop& loop, const TaskHandle<T>& handle, milliseconds limit) {
  for (auto waited = 0ms; waited < limit; waited += 5ms) {
    if (handle.done()) co_return true;
    co_await sleep_for(loop, 5ms);
  }
  co_return handle.done();
}

Task<int> after(EventLoop& loop, milliseconds delay, int value, std::vector<std::string>* log,
                Frame = {}) {
  if (log) log->push_back("start " + std::to_string(value));
  co_await sleep_for(loop, delay);
  if (log) log->push_back("end " + std::to_string(value));
  co_return value;
}

Task<void> fail_after(EventLoop& loop, milliseconds delay, int code, Frame = {}) {
  co_await sleep_for(loop, delay);
  throw CustomError(code);
}

// Sleeps in steps forever, counting steps, until cancelled.
Task<void> forever(EventLoop& loop, int& steps, Frame = {}) {
  while (true) {
    co_await sleep_for(loop, 2ms);
    ++steps;
  }
}

TEST(CreateTask, RunsTheTaskWithoutBeingAwaitedAndItsHandleGivesTheResult) {
  frames_alive = 0;
  EventLoop loop;
  std::vector<std::string> log;
  auto body = [&]() -> Task<int> {
    TaskHandle<int> handle = create_task(loop, after(loop, 20ms, 7, &log));
    EXPECT_FALSE(handle.done()) << "a task created a moment ago cannot be done yet";
    co_await sleep_for(loop, 60ms);
    EXPECT_EQ(log, (std::vector<std::string>{"start 7", "end 7"}))
        << "a task created by create_task must run on its own while its creator sleeps";
    EXPECT_TRUE(handle.done()) << "the task finished: its handle must say so";
    int first = co_await handle;
    int second = co_await handle;
    EXPECT_EQ(second, first) << "a handle may be awaited more than once";
    EXPECT_FALSE(handle.cancel()) << "cancel() of a finished task must return false";
    EXPECT_FALSE(handle.cancelled()) << "a task that returned a value is not cancelled";
    co_return first;
  };
  EXPECT_EQ(run(loop, body()), 7);
  expect_frames_freed(0, "after run() returned");
}

TEST(Gather, RunsItsTasksConcurrentlyAndReturnsTheirResultsInOrder) {
  frames_alive = 0;
  EventLoop loop;
  std::vector<std::string> log;
  auto body = [&]() -> Task<std::tuple<int, int, int, std::monostate>> {
    co_return co_await gather(after(loop, 60ms, 1, &log), after(loop, 20ms, 2, &log),
                              after(loop, 40ms, 3, &log),
                              [](EventLoop& l) -> Task<void> { co_await sleep_for(l, 1ms); }(loop));
  };
  auto [a, b, c, nothing] = run(loop, body());
  (void)nothing;
  EXPECT_EQ(std::make_tuple(a, b, c), std::make_tuple(1, 2, 3))
      << "gather must return the results in the order of its arguments";
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ((std::vector<std::string>(log.begin(), log.begin() + 3)),
            (std::vector<std::string>{"start 1", "start 2", "start 3"}))
      << "gather ran its tasks one after another (the log is: " << testing::PrintToString(log)
      << "); every task must have started before any finishes";
  expect_frames_freed(0, "after gather returned");
}

TEST(Gather, AFailureCancelsTheOthersAndIsRethrownOnceAllHaveFinished) {
  frames_alive = 0;
  EventLoop loop;
  std::vector<std::string> log;
  auto body = [&]() -> Task<int> {
    try {
      // The others would sleep 2 s; the failure comes after 10 ms and must cancel them.
      co_await gather(after(loop, 2000ms, 1, &log), fail_after(loop, 10ms, 42),
                      after(loop, 2000ms, 3, &log));
    } catch (const CustomError& e) {
      expect_frames_freed(0, "when gather rethrew the failure");
      co_return e.code;
    }
    co_return -1;
  };
  int code = run(loop, body());
  EXPECT_EQ(code, 42) << "gather must rethrow the failure of one of its tasks, with its type "
                         "(got no exception, or another one)";
  EXPECT_EQ(log, (std::vector<std::string>{"start 1", "start 3"}))
      << "when one task of a gather fails, the others must be cancelled (they slept to the end)";
}

TEST(WaitFor, ReturnsTheResultOfATaskThatFinishesInTime) {
  frames_alive = 0;
  EventLoop loop;
  auto body = [&]() -> Task<int> {
    int value = co_await wait_for(after(loop, 5ms, 9, nullptr), 2000ms);
    co_await wait_for([](EventLoop& l) -> Task<void> { co_await sleep_for(l, 1ms); }(loop),
                      2000ms);
    co_return value;
  };
  EXPECT_EQ(run(loop, body()), 9);
  expect_frames_freed(0, "after run() returned");
}

TEST(WaitFor, CancelsTheTaskAtTheDeadlineDestroysItThenThrowsTimeoutError) {
  frames_alive = 0;
  EventLoop loop;
  int steps = 0;
  std::string outcome = "no exception";
  auto guarded = [&]() -> Task<void> {
    try {
      co_await wait_for(forever(loop, steps), 30ms);
    } catch (const TimeoutError&) {
      outcome = "TimeoutError";
      expect_frames_freed(0, "when wait_for threw TimeoutError");
    } catch (const CancelledError&) {
      outcome = "CancelledError";
    }
  };
  auto body = [&]() -> Task<void> {
    TaskHandle<void> handle = create_task(loop, guarded());
    bool returned = co_await done_within(loop, handle, 1000ms);
    if (!returned) {
      ADD_FAILURE() << "wait_for(task, 30ms) had not returned a second later: at the deadline "
                       "it must cancel the task, wait for it to finish, and throw TimeoutError";
      handle.cancel();
    }
    co_await handle;
    int steps_then = steps;
    co_await sleep_for(loop, 30ms);
    EXPECT_EQ(steps, steps_then) << "the task given to wait_for kept running after the timeout: "
                                    "it must be cancelled";
  };
  run(loop, body());
  EXPECT_EQ(outcome, "TimeoutError");
  expect_frames_freed(0, "after run() returned");
}

TEST(Cancel, InterruptsTheWaitWithCancelledErrorAndDestroysTheTask) {
  frames_alive = 0;
  EventLoop loop;
  bool cleaned_up = false;
  auto sleeper = [&](Frame = {}) -> Task<int> {
    try {
      co_await sleep_for(loop, 10000ms);
    } catch (const CancelledError&) {
      cleaned_up = true;
      throw;
    }
    co_return 1;
  };
  auto body = [&]() -> Task<void> {
    TaskHandle<int> handle = create_task(loop, sleeper());
    co_await sleep_for(loop, 5ms);
    EXPECT_TRUE(handle.cancel()) << "cancel() of a running task must return true";
    bool finished = co_await done_within(loop, handle, 1000ms);
    if (!finished) {
      ADD_FAILURE() << "a task cancelled while it sleeps for 10 s had not finished a second "
                       "later: cancel() must interrupt the wait it is suspended at";
      co_return;  // abandon it: the loop's destructor drops its timer
    }
    EXPECT_TRUE(cleaned_up) << "the cancelled task must see CancelledError where it waits";
    EXPECT_TRUE(handle.cancelled()) << "a task that ended by CancelledError is cancelled()";
    expect_frames_freed(0, "once the cancelled task was done");
    EXPECT_THROW(co_await handle, CancelledError)
        << "awaiting a cancelled task must throw CancelledError";
    EXPECT_FALSE(handle.cancel()) << "cancel() of a finished task must return false";
  };
  run(loop, body());
}

TEST(Cancel, ATaskThatCatchesCancelledErrorMayAwaitAgainAndReturn) {
  frames_alive = 0;
  EventLoop loop;
  auto stubborn = [&]() -> Task<int> {
    try {
      co_await sleep_for(loop, 10000ms);
    } catch (const CancelledError&) {
    }
    co_await sleep_for(loop, 1ms);  // the cancellation was delivered once
    co_return 5;
  };
  auto body = [&]() -> Task<int> {
    TaskHandle<int> handle = create_task(loop, stubborn());
    co_await sleep_for(loop, 1ms);
    handle.cancel();
    if (!co_await done_within(loop, handle, 1000ms)) {
      ADD_FAILURE() << "cancel() did not interrupt a 10 s sleep";
      co_return -1;
    }
    EXPECT_FALSE(handle.cancelled()) << "a task that caught CancelledError and returned a value "
                                        "is not cancelled()";
    co_return co_await handle;
  };
  EXPECT_EQ(run(loop, body()), 5);
}

TEST(Cancel, CancellingATaskThatAwaitsGatherCancelsEveryTaskOfTheGather) {
  frames_alive = 0;
  EventLoop loop;
  int steps = 0;
  auto parent = [&]() -> Task<void> {
    co_await gather(forever(loop, steps), forever(loop, steps));
  };
  auto body = [&]() -> Task<void> {
    TaskHandle<void> handle = create_task(loop, parent());
    co_await sleep_for(loop, 10ms);
    handle.cancel();
    if (!co_await done_within(loop, handle, 1000ms)) {
      ADD_FAILURE() << "a task awaiting gather, once cancelled, must cancel the gathered tasks "
                       "and finish when they have";
      co_return;
    }
    EXPECT_TRUE(handle.cancelled());
    expect_frames_freed(0, "once the cancelled gather was done");
    int steps_then = steps;
    co_await sleep_for(loop, 20ms);
    EXPECT_EQ(steps, steps_then) << "tasks of a cancelled gather kept running";
  };
  run(loop, body());
}

// Many gathers of tasks with short random sleeps, some of which fail.
TEST(Stress, ManyGathersWithFailuresAndTimeouts) {
  frames_alive = 0;
  EventLoop loop;
  const int rounds = grading::scaled(150, 1000);
  auto round = [&](int i) -> Task<int> {
    auto delay = [&](int k) { return milliseconds(static_cast<int>(grading::random_below(3)) + k % 2); };
    bool fails = i % 5 == 0;
    try {
      auto [a, b, c] = co_await gather(
          after(loop, delay(0), i, nullptr), after(loop, delay(1), 2 * i, nullptr),
          fails ? [](EventLoop& l, int code) -> Task<int> {
            co_await sleep_for(l, 1ms);
            throw CustomError(code);
          }(loop, i)
                : after(loop, delay(2), 3 * i, nullptr));
      if (i % 7 == 0) {
        co_await wait_for(after(loop, 200ms, 0, nullptr), 1ms);
        co_return -1000;  // the wait should have timed out
      }
      co_return a + b + c;
    } catch (const CustomError& e) {
      co_return -e.code;
    } catch (const TimeoutError&) {
      co_return 6 * i;
    }
  };
  for (int i = 0; i < rounds; ++i) {
    int expected = i % 5 == 0 ? -i : 6 * i;
    ASSERT_EQ(run(loop, round(i)), expected) << "round " << i;
    grading::tick();
  }
  expect_frames_freed(0, "after the rounds");
}

}  // namespace
