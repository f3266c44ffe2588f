// Grader of async/event_loop.
#include "async/event_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::async::EventLoop;
using std::chrono::milliseconds;

TEST(EventLoop, CallSoonRunsCallbacksInFifoOrder) {
  EventLoop loop;
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) loop.call_soon([&order, i] { order.push_back(i); });
  loop.call_soon([&loop] { loop.stop(); });
  loop.run_forever();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

}  // namespace
