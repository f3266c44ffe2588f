// Grader of classics/h2o: the bonds come in molecules of two H and one O (never a group of three
// H or two O), every thread returns once its molecule is complete (a thread left waiting:
// DEADLOCK), waiting atoms sleep (BUSY_WAIT), and one molecule's bonds happen-before the next's.
#include "classics/h2o.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "graders/classics/busy_wait.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::classics::H2O;
using kata::classics_grading::WaitCost;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void pause_ms(int ms) {
  const auto until = Clock::now() + milliseconds(ms);
  while (Clock::now() < until) {
    grading::tick();
    std::this_thread::sleep_for(milliseconds(2));
  }
}

// The bonds in the order they ran, recorded with relaxed atomics (no happens-before edge of the
// test's own). A bond marks itself as running, so two bonds at once are seen too.
struct Bonds {
  explicit Bonds(int atoms)
      : kinds(static_cast<std::size_t>(atoms) + 16),
        group_h(kinds.size() / 3 + 1),
        group_o(kinds.size() / 3 + 1) {}
  std::vector<std::atomic<char>> kinds;
  std::vector<std::atomic<int>> group_h, group_o;  // bonds of each kind in each group of three
  std::atomic<int> count{0};
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};

  std::function<void()> callback(char kind, bool noisy) {
    return [this, kind, noisy] {
      if (running.fetch_add(1) != 0) overlapped = true;
      const int at = count.fetch_add(1, std::memory_order_relaxed);
      if (at < static_cast<int>(kinds.size())) {
        kinds[static_cast<std::size_t>(at)].store(kind, std::memory_order_relaxed);
        // The group this bond belongs to, checked now: a wrong group often leaves atoms without
        // partners, stuck at the end, and the cause must be reported before the hang.
        auto& mine = kind == 'H' ? group_h : group_o;
        const int in_group = mine[static_cast<std::size_t>(at / 3)].fetch_add(1) + 1;
        if (in_group > (kind == 'H' ? 2 : 1)) {
          grading::report_verdict(
              grading::Verdict::kWrongResult,
              "bonds " + std::to_string(at / 3 * 3 + 1) + "-" + std::to_string(at / 3 * 3 + 3) +
                  " hold " + std::to_string(in_group) + (kind == 'H' ? " hydrogens" : " oxygens") +
                  ": a molecule is two H and one O");
          ADD_FAILURE() << "bond " << at + 1 << " made a group with " << in_group << " " << kind;
        }
      }
      if (noisy) grading::jitter();
      running.fetch_sub(1);
      grading::tick();
    };
  }

  std::string sequence() const {
    std::string s;
    for (int i = 0; i < std::min<int>(count.load(), static_cast<int>(kinds.size())); ++i) {
      s += kinds[static_cast<std::size_t>(i)].load();
    }
    return s;
  }

  // "" when the bonds form molecules; else what is wrong.
  std::string problem(int molecules) const {
    const std::string s = sequence();
    if (overlapped.load()) return "two bonds ran at the same time (bonds: " + s + ")";
    if (static_cast<int>(s.size()) != 3 * molecules) {
      return std::to_string(s.size()) + " bonds for " + std::to_string(3 * molecules) +
             " atoms (bonds: " + s + ")";
    }
    for (std::size_t i = 0; i < s.size(); i += 3) {
      const std::string group = s.substr(i, 3);
      int h = 0;
      for (char c : group) h += c == 'H';
      if (h != 2) {
        return "bonds " + std::to_string(i + 1) + "-" + std::to_string(i + 3) + " were " +
               group + ", not a molecule of two H and one O (all bonds: " + s + ")";
      }
    }
    return "";
  }
};

// `atoms` (a string of H and O) as threads started in that order, `gap_ms` apart; joins them.
std::string run_atoms(const std::string& atoms, int gap_ms, bool noisy) {
  H2O h2o;
  Bonds bonds(static_cast<int>(atoms.size()));
  std::vector<std::thread> threads;
  for (char kind : atoms) {
    threads.emplace_back([&, kind] {
      if (noisy) grading::jitter();
      if (kind == 'H') {
        h2o.hydrogen(bonds.callback('H', noisy));
      } else {
        h2o.oxygen(bonds.callback('O', noisy));
      }
    });
    if (gap_ms > 0) pause_ms(gap_ms);
  }
  for (auto& t : threads) t.join();  // a thread left waiting: DEADLOCK
  grading::tick();
  return bonds.problem(static_cast<int>(atoms.size()) / 3);
}

TEST(H2O, OneMoleculeWhateverOrderTheAtomsArrive) {
  for (const char* atoms : {"HHO", "HOH", "OHH"}) {
    ASSERT_EQ(run_atoms(atoms, 10, false), "") << "atoms arriving in the order " << atoms;
  }
}

// Atoms of one kind arrive first: they must wait for the other kind instead of bonding among
// themselves.
TEST(H2O, AtomsOfOneKindWaitForTheOther) {
  for (const char* atoms : {"HHHHOO", "OOHHHH", "HHHHHHOOO", "OOOHHHHHH", "HOHHHOHHO"}) {
    ASSERT_EQ(run_atoms(atoms, 5, false), "") << "atoms arriving in the order " << atoms;
  }
}

TEST(H2O, MoleculesUnderStress) {
  const int rounds = grading::scaled(150, 700);
  for (int round = 0; round < rounds; ++round) {
    const int molecules = 1 + static_cast<int>(grading::random_below(5));
    std::string atoms;
    for (int i = 0; i < molecules; ++i) atoms += "HHO";
    for (std::size_t i = atoms.size() - 1; i > 0; --i) {
      std::swap(atoms[i], atoms[grading::random_below(i + 1)]);
    }
    ASSERT_EQ(run_atoms(atoms, 0, true), "")
        << "atoms started in the order " << atoms << ", round " << round << " of " << rounds;
  }
}

// Two oxygens and one hydrogen arrive; the second oxygen (and the first molecule) then wait
// about half a second for more hydrogen: asleep, they cost almost no CPU.
TEST(H2O, WaitingAtomsSleepInsteadOfSpinning) {
  H2O h2o;
  Bonds bonds(6);
  std::vector<WaitCost> cost(6);
  std::vector<std::thread> threads;
  const std::string atoms = "OOHHHH";
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    threads.emplace_back([&, i] {
      WaitCost& mine = cost[i];
      mine = WaitCost();
      auto record = bonds.callback(atoms[i], false);
      auto callback = [&mine, record] {
        mine.stop();
        record();
      };
      if (atoms[i] == 'H') {
        h2o.hydrogen(callback);
      } else {
        h2o.oxygen(callback);
      }
    });
    if (i == 2) pause_ms(500);
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(bonds.problem(2), "");
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    std::printf("kata: atom %zu (%c) %s\n", i, atoms[i], cost[i].text().c_str());
    if (cost[i].busy()) {
      KATA_FAIL(kBusyWait) << "an " << (atoms[i] == 'H' ? "hydrogen" : "oxygen") << " thread "
                           << cost[i].text() << " before it bonded, while its molecule "
                           << "lacked a hydrogen: a waiting atom must sleep, not spin or poll";
      return;
    }
  }
}

// Plain (non-atomic) data appended by every bond: without a happens-before edge from each bond
// to the next, ThreadSanitizer reports a RACE.
TEST(H2O, EachBondHappensBeforeTheNextMolecule) {
  for (int round = 0; round < grading::scaled(40, 150); ++round) {
    H2O h2o;
    std::string plain;
    std::vector<std::thread> threads;
    for (char kind : std::string("HOHHOHHHO")) {
      threads.emplace_back([&, kind] {
        if (kind == 'H') {
          h2o.hydrogen([&] { plain += 'H'; });
        } else {
          h2o.oxygen([&] { plain += 'O'; });
        }
      });
    }
    for (auto& t : threads) t.join();
    grading::tick();
    ASSERT_EQ(plain.size(), 9u);
  }
}

}  // namespace
