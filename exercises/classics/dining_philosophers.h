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
// neighbour that starts after it (they share a fork).
//
// Read dining_philosophers.md first. Edit this file and dining_philosophers.cc;
// `./kata check classics/dining_philosophers` grades.
#pragma once

#include <condition_variable>
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
  // TODO: what each philosopher is doing (thinking, hungry, eating) and since when it is hungry,
  // or one mutex per fork with a rule that makes it fair; what protects it; what waits on it.
};

}  // namespace kata::classics
