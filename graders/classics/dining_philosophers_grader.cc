// Grader of classics/dining_philosophers: neighbours never eat at once (WRONG_RESULT), no
// deadlock (the all-pick-left table: LOCK_ORDER or DEADLOCK), two philosophers who are not
// neighbours eat at the same time (a table that serialises every meal: WRONG_RESULT), no
// philosopher starves while its two neighbours take turns (STARVATION), and a fork passes its
// writes on from one neighbour to the next (RACE).
#include "classics/dining_philosophers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::classics::DiningTable;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Waits (ticking) until `done()` or `ms` have passed; returns done().
template <class Done>
bool wait_until(Done done, int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (!done() && Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return done();
}

int left_of(int i, int seats) { return (i + seats - 1) % seats; }
int right_of(int i, int seats) { return (i + 1) % seats; }

// Who is eating right now, as seen by the test's eat() callbacks (sequentially consistent
// atomics: of two neighbours who both start eating, at least one sees the other).
struct Eaters {
  explicit Eaters(int seats) : seats(seats), eating(static_cast<std::size_t>(seats)) {}
  int seats;
  std::vector<std::atomic<bool>> eating;
  std::atomic<int> clash{-1};  // a philosopher who found a neighbour eating

  void start(int i) {
    eating[static_cast<std::size_t>(i)].store(true);
    for (int n : {left_of(i, seats), right_of(i, seats)}) {
      if (eating[static_cast<std::size_t>(n)].load()) {
        clash.store(i);
        // Reported now: the test may not get to its end (a table that lets neighbours eat
        // together may also lose track and hang).
        grading::report_verdict(grading::Verdict::kWrongResult,
                                "philosopher " + std::to_string(i) + " started eating while its "
                                "neighbour " + std::to_string(n) + " was eating: they share a fork");
      }
    }
  }
  void stop(int i) { eating[static_cast<std::size_t>(i)].store(false); }
  bool is_eating(int i) const { return eating[static_cast<std::size_t>(i)].load(); }
};

TEST(DiningPhilosophers, EachPhilosopherEatsOnceAtAQuietTable) {
  DiningTable table(5);
  std::vector<int> meals(5, 0);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 5; ++i) table.dine(i, [&, i] { ++meals[static_cast<std::size_t>(i)]; });
  }
  EXPECT_EQ(meals, std::vector<int>(5, 2)) << "each philosopher dined twice at a quiet table";
}

// Philosopher a eats and, while eating, waits for philosopher b (not a neighbour) to start
// eating too. A table that lets one philosopher eat at a time never gets there.
TEST(DiningPhilosophers, TwoPhilosophersWhoAreNotNeighboursEatAtOnce) {
  struct Case { int seats, a, b; };
  for (Case c : {Case{5, 0, 2}, Case{5, 3, 1}, Case{4, 1, 3}, Case{7, 6, 2}}) {
    DiningTable table(c.seats);
    Eaters eaters(c.seats);
    std::atomic<bool> together{false}, a_done{false};
    constexpr int kBoundMs = 3000;  // generous: a correct table takes a millisecond or so
    std::thread a([&] {
      table.dine(c.a, [&] {
        eaters.start(c.a);
        if (wait_until([&] { return eaters.is_eating(c.b); }, kBoundMs)) together = true;
        eaters.stop(c.a);
        a_done = true;
      });
    });
    ASSERT_TRUE(wait_until([&] { return eaters.is_eating(c.a); }, 10000))
        << "philosopher " << c.a << " dined alone at a quiet table and never started eating";
    std::thread b([&] {
      table.dine(c.b, [&] {
        eaters.start(c.b);
        wait_until([&] { return together.load() || a_done.load(); }, kBoundMs);
        eaters.stop(c.b);
      });
    });
    a.join();
    b.join();
    grading::tick();
    ASSERT_TRUE(together.load())
        << "at a table of " << c.seats << ", philosopher " << c.a << " ate for "
        << kBoundMs / 1000 << " s while philosopher " << c.b
        << " (not a neighbour, both its neighbours thinking) was hungry, and " << c.b
        << " never started eating meanwhile: the table lets only one philosopher eat at a time "
        << "(a lock held around eat()?)";
    ASSERT_EQ(eaters.clash.load(), -1);
  }
}

// Every philosopher dines again and again: neighbours must never eat at once, and everybody
// must get all meals (a deadlock stops the table: DEADLOCK, or LOCK_ORDER when
// ThreadSanitizer sees the cycle of fork locks first).
TEST(DiningPhilosophers, NeighboursNeverEatAtOnceAndEverybodyEats) {
  const int meals = grading::scaled(60, 250);
  for (int seats : {5, 2, 3, 6}) {
    DiningTable table(seats);
    Eaters eaters(seats);
    std::vector<std::atomic<int>> eaten(static_cast<std::size_t>(seats));
    grading::run_threads(seats, [&](int i) {
      for (int m = 0; m < meals; ++m) {
        table.dine(i, [&, i] {
          eaters.start(i);
          grading::jitter();
          eaten[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
          eaters.stop(i);
        });
        grading::tick();
        grading::jitter();
      }
    }, "philosopher");
    const int clash = eaters.clash.load();
    ASSERT_EQ(clash, -1) << "at a table of " << seats << ", philosopher " << clash
                         << " started eating while a neighbour was eating: they share a fork";
    for (int i = 0; i < seats; ++i) {
      ASSERT_EQ(eaten[static_cast<std::size_t>(i)].load(), meals)
          << "philosopher " << i << " dined " << meals << " times";
    }
  }
}

// Philosophers 0 and 2 take turns so that one of them always eats: each keeps eating until the
// other has started a new meal (or 30 ms pass). Philosopher 1, between them, gets hungry: a
// fair table makes one of them wait for it. A table that only checks whether both forks are
// free right now never lets 1 eat.
TEST(DiningPhilosophers, NoPhilosopherStarvesBetweenTwoNeighboursTakingTurns) {
  for (int trial = 0; trial < grading::scaled(2, 4); ++trial) {
    constexpr int kSeats = 5;
    constexpr int kOvertakes = 60;  // meals of a neighbour while 1 is hungry: a fair table, 2
    DiningTable table(kSeats);
    Eaters eaters(kSeats);
    std::atomic<int> started[kSeats] = {};
    std::atomic<bool> one_hungry{false}, one_fed{false}, stop{false};
    std::atomic<int> meals_while_hungry[kSeats] = {};

    auto neighbour_loop = [&](int me, int other) {
      grading::ProgressScope progress("philosopher " + std::to_string(me));
      while (!stop.load()) {
        table.dine(me, [&] {
          eaters.start(me);
          started[me].fetch_add(1);
          if (one_hungry.load() && !one_fed.load()) meals_while_hungry[me].fetch_add(1);
          const int seen = started[other].load();
          wait_until([&] {
            return (eaters.is_eating(other) && started[other].load() > seen) || stop.load();
          }, 30);
          eaters.stop(me);
        });
        grading::tick();
      }
    };
    std::thread zero(neighbour_loop, 0, 2);
    std::thread two(neighbour_loop, 2, 0);
    // Let them get into their rhythm, then make 1 hungry.
    wait_until([&] { return started[0].load() > 10 && started[2].load() > 10; }, 10000);
    std::thread one([&] {
      one_hungry = true;
      table.dine(1, [&] {
        eaters.start(1);
        one_fed = true;
        eaters.stop(1);
      });
    });
    const bool fed = wait_until([&] {
      return one_fed.load() || meals_while_hungry[0].load() >= kOvertakes ||
             meals_while_hungry[2].load() >= kOvertakes;
    }, 20000) && one_fed.load();
    const int overtakes0 = meals_while_hungry[0].load(), overtakes2 = meals_while_hungry[2].load();
    stop = true;
    zero.join();
    two.join();
    one.join();  // both neighbours stopped: a correct table lets 1 eat now
    grading::tick();
    ASSERT_EQ(eaters.clash.load(), -1) << "neighbours ate at the same time";
    if (!fed) {
      KATA_FAIL(kStarvation) << "philosopher 1 was hungry while its neighbours 0 and 2 took "
                             << "turns: they ate " << overtakes0 << " and " << overtakes2
                             << " times and 1 never ate (a hungry philosopher must not be "
                             << "overtaken again and again by its neighbours)";
      return;
    }
  }
}

// Each eat() writes plain (non-atomic) data on both its forks: a neighbour's next meal reads and
// writes it again, so without a happens-before edge between them ThreadSanitizer reports a RACE.
TEST(DiningPhilosophers, AForkPassesItsWritesToTheNeighbour) {
  const int seats = 5;
  DiningTable table(seats);
  std::vector<long> fork_uses(seats, 0);  // plain: guarded by the table itself
  const int meals = grading::scaled(40, 150);
  grading::run_threads(seats, [&](int i) {
    for (int m = 0; m < meals; ++m) {
      table.dine(i, [&, i] {
        ++fork_uses[static_cast<std::size_t>(i)];
        ++fork_uses[static_cast<std::size_t>(right_of(i, seats))];
      });
      grading::tick();
    }
  }, "philosopher");
  for (int f = 0; f < seats; ++f) {
    ASSERT_EQ(fork_uses[static_cast<std::size_t>(f)], 2L * meals) << "fork " << f;
  }
}

}  // namespace
