// DiningTable: the dining philosophers, without deadlock, without starvation, in parallel.
//
// Dijkstra's problem (1965), retold by Hoare: `seats` philosophers sit at a round table with a
// fork between each two neighbours. Philosopher i needs fork i (on the left) and fork
// (i + 1) % seats (on the right) to eat, so neighbours can never eat at the same time, while
// philosophers who are not neighbours can.
//
// dine(i, eat) is called by philosopher i's thread whenever it is hungry. It waits (asleep,
// no spinning) until philosopher i may eat, calls eat() once, and then puts the forks back.
// A philosopher's thread calls dine() again and again; dine() of the same philosopher is never
// called by two threads at once. eat() always returns, after a while.
//
// The table must guarantee:
//   - safety: neighbours never eat at the same time;
//   - no deadlock: if some philosophers are hungry, one of them eventually eats;
//   - no starvation: a hungry philosopher eats before either neighbour has eaten many more
//     times (a handful); merely being "likely to win sometime" is not enough;
//   - parallelism: while philosopher i eats, a philosopher who is not its neighbour and whose
//     own neighbours do not eat or wait ahead of it can start eating. (No lock may be held
//     around eat() that a non-neighbour needs.)
//
// Memory ordering: philosopher i's eat() returning happens-before the next eat() of each
// neighbour that starts after it (they share a fork). (State changes happen under mu_.)
//
// This solution is a monitor (Dijkstra's and Tanenbaum's state array) made fair: a hungry
// philosopher takes a ticket, and waits while a neighbour eats or a hungry neighbour holds an
// older ticket. The oldest ticket at the table waits only for neighbours who are eating, so it
// eats next; nobody overtakes a hungry neighbour, so nobody starves.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace kata::classics {

class DiningTable {
 public:
  // A table for `seats` philosophers (and forks), numbered 0 .. seats - 1. seats < 2 throws
  // std::invalid_argument.
  explicit DiningTable(int seats);
  DiningTable(const DiningTable&) = delete;
  DiningTable& operator=(const DiningTable&) = delete;

  // Philosopher `philosopher` (0 <= philosopher < seats, else std::out_of_range) waits until it
  // may eat, calls eat() once, then puts its forks back, waking whoever waits for them.
  void dine(int philosopher, const std::function<void()>& eat);

 private:
  enum class State { kThinking, kHungry, kEating };

  // Whether hungry philosopher i may start eating now. Needs mu_.
  bool may_eat(int i) const;
  void stop_eating(int i);

  const int seats_;
  std::mutex mu_;
  std::condition_variable forks_put_down_;  // notified whenever a philosopher stops eating
  std::vector<State> state_;                // guarded by mu_
  std::vector<std::uint64_t> ticket_;       // guarded by mu_; when each became hungry
  std::uint64_t next_ticket_ = 0;           // guarded by mu_
};

}  // namespace kata::classics
