// H2O: hydrogen and oxygen threads leave in molecules, two H and one O at a time.
//
// LeetCode 1117 ("Building H2O"), after the exercise in Allen Downey's "The Little Book of
// Semaphores". Every atom is a thread: a hydrogen thread calls hydrogen(), an oxygen thread
// oxygen(), in any order and any mix. Each call bonds its atom by calling its callback once,
// but only as part of a molecule: the bonds happen in groups of three, each group two hydrogens
// and one oxygen, and all three bonds of a group come before any bond of the next group. A
// thread whose molecule cannot be completed yet sleeps (no spinning) until it can.
//
// In the sequence of all bonds (callbacks) in the order they ran, positions 1-3 are one
// molecule, 4-6 the next, and so on: "HHO", "HOH" and "OHH" are molecules; "HHH" or "HOO"
// never appear. With 2k hydrogen and k oxygen calls, every call returns.
//
// Memory ordering: every bond (callback) of one molecule happens-before every bond of the next,
// and the callbacks never run at the same time. (They run under mu_.)
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

namespace kata::classics {

class H2O {
 public:
  H2O();
  H2O(const H2O&) = delete;
  H2O& operator=(const H2O&) = delete;

  // Waits for a place as one of the two hydrogens of the molecule being built, then calls
  // release_hydrogen() once.
  void hydrogen(std::function<void()> release_hydrogen);

  // Waits for the place of the oxygen of the molecule being built, then calls release_oxygen()
  // once.
  void oxygen(std::function<void()> release_oxygen);

 private:
  // Waits until `free_places` (one of the two counters below) is positive, takes a place,
  // bonds, and opens the next molecule after its third bond.
  void bond(int& free_places, const std::function<void()>& release);

  std::mutex mu_;
  std::condition_variable places_opened_;  // notified when a new molecule opens its places
  int free_hydrogen_ = 2;                  // guarded by mu_; places left in this molecule
  int free_oxygen_ = 1;                    // guarded by mu_
  int bonded_ = 0;                         // guarded by mu_; bonds of this molecule so far
};

}  // namespace kata::classics
