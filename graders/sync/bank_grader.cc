// Grader of sync/bank: the sequential contract, opposite transfers that must not deadlock,
// monitors that watch the conserved total and the balances while transfers run, and
// linearizable histories of mixed operations.
#include "sync/bank.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>

#include "harness/linearizability.h"
#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

using kata::sync::Bank;
namespace grading = kata::grading;

// "" if `operation` threw an E, else what happened instead. kata::NotImplemented (itself a
// std::logic_error, like std::out_of_range) passes through, so an unfinished method still
// reports NOT_STARTED.
template <class E, class F>
std::string unless_throws(F&& operation) {
  try {
    operation();
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const E&) {
    return "";
  } catch (const std::exception& e) {
    return std::string("it threw another exception: ") + e.what();
  }
  return "it threw nothing";
}

// A monitor saw an impossible state: report it at once (the test's verdict is this one even
// if the broken implementation then hangs or races), and tell the other threads to stop.
void fail_now(std::atomic<bool>& stop, const std::string& message) {
  if (stop.exchange(true)) return;  // the first failure is the one that explains
  ADD_FAILURE() << message;
  grading::report_verdict(grading::Verdict::kWrongResult, message);
}

TEST(Bank, StartsWithTheInitialBalanceInEveryAccount) {
  Bank bank(4, 100);
  EXPECT_EQ(bank.total(), 400) << "4 accounts of 100 each";
  for (int i = 0; i < 4; ++i) EXPECT_EQ(bank.balance(i), 100) << "account " << i;
  Bank single(1, 0);
  EXPECT_EQ(single.total(), 0) << "one empty account";
  EXPECT_EQ(single.balance(0), 0);
}

TEST(Bank, BadArgumentsAreRefusedAndChangeNothing) {
  Bank bank(3, 10);
  EXPECT_EQ(bank.total(), 30);
  for (const auto& bad : {std::pair{-1, 0}, {0, 3}, {3, 0}, {0, -1}, {7, 7}}) {
    const int from = bad.first, to = bad.second;  // (clang 14 cannot capture bindings)
    const std::string what = unless_throws<std::out_of_range>([&] { bank.transfer(from, to, 1); });
    EXPECT_EQ(what, "") << "transfer(" << from << ", " << to
                        << ", 1) on a bank of 3 accounts must throw std::out_of_range";
  }
  EXPECT_EQ(unless_throws<std::out_of_range>([&] { bank.balance(3); }), "")
      << "balance(3) on a bank of 3 accounts must throw std::out_of_range";
  EXPECT_EQ(unless_throws<std::out_of_range>([&] { bank.balance(-1); }), "")
      << "balance(-1) must throw std::out_of_range";
  EXPECT_EQ(unless_throws<std::invalid_argument>([&] { bank.transfer(0, 1, -5); }), "")
      << "transfer(0, 1, -5): a negative amount must throw std::invalid_argument";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(bank.balance(i), 10) << "a refused transfer changed account " << i;
  }
  EXPECT_EQ(unless_throws<std::invalid_argument>([] { Bank none(0, 10); }), "")
      << "Bank(0, 10): a bank needs at least one account (std::invalid_argument)";
  EXPECT_EQ(unless_throws<std::invalid_argument>([] { Bank negative(2, -1); }), "")
      << "Bank(2, -1): a negative initial balance must throw std::invalid_argument";
}

TEST(Bank, ATransferMovesTheMoneyOrNothing) {
  Bank bank(3, 100);
  EXPECT_TRUE(bank.transfer(0, 1, 30)) << "account 0 holds 100, enough for 30";
  EXPECT_EQ(bank.balance(0), 70);
  EXPECT_EQ(bank.balance(1), 130);
  EXPECT_FALSE(bank.transfer(0, 2, 71)) << "account 0 holds 70, not enough for 71";
  EXPECT_EQ(bank.balance(0), 70) << "a refused transfer must change nothing";
  EXPECT_EQ(bank.balance(2), 100) << "a refused transfer must change nothing";
  EXPECT_TRUE(bank.transfer(0, 2, 70)) << "account 0 holds exactly 70: it may be emptied";
  EXPECT_EQ(bank.balance(0), 0);
  EXPECT_EQ(bank.balance(2), 170);
  EXPECT_FALSE(bank.transfer(0, 1, 1)) << "account 0 is empty";
  EXPECT_TRUE(bank.transfer(0, 1, 0)) << "moving 0 from an empty account is allowed";
  // The other direction too: from a higher account to a lower one.
  EXPECT_TRUE(bank.transfer(2, 0, 170)) << "account 2 holds 170";
  EXPECT_TRUE(bank.transfer(1, 0, 130)) << "account 1 holds 130";
  EXPECT_EQ(bank.balance(0), 300);
  EXPECT_EQ(bank.balance(1), 0);
  EXPECT_EQ(bank.balance(2), 0);
  EXPECT_EQ(bank.total(), 300) << "transfers only move money";
}

TEST(Bank, ATransferToTheSameAccountChangesNothing) {
  Bank bank(2, 50);
  EXPECT_TRUE(bank.transfer(1, 1, 50))
      << "transfer(1, 1, 50): account 1 holds 50, so the answer is true";
  EXPECT_FALSE(bank.transfer(1, 1, 51))
      << "transfer(1, 1, 51): account 1 holds only 50, so the answer is false";
  EXPECT_TRUE(bank.transfer(0, 0, 0)) << "transfer(0, 0, 0)";
  EXPECT_EQ(bank.balance(0), 50) << "a transfer from an account to itself changes nothing";
  EXPECT_EQ(bank.balance(1), 50) << "a transfer from an account to itself changes nothing";
  EXPECT_EQ(bank.total(), 100);
}

// Half the threads move money from account 0 to 1, the other half from 1 to 0: the classic
// deadlock when each transfer locks its source first. (ThreadSanitizer usually sees the
// opposite lock orders before the threads actually block, and reports LOCK_ORDER.)
TEST(Bank, OppositeTransfersDoNotDeadlock) {
  const int rounds = grading::scaled(15, 60);
  const int per_thread = 300;
  for (int round = 0; round < rounds; ++round) {
    Bank bank(2, 1000);
    grading::run_threads(4, [&](int t) {
      const int from = t % 2, to = 1 - from;
      for (int i = 0; i < per_thread; ++i) {
        bank.transfer(from, to, 1 + static_cast<long>(grading::random_below(5)));
        if (i % 32 == 0) grading::tick();
      }
    });
    ASSERT_EQ(bank.total(), 2000) << "money was created or lost by opposite transfers (round "
                                  << round << ")";
    ASSERT_GE(bank.balance(0), 0) << "account 0 went negative (round " << round << ")";
    ASSERT_GE(bank.balance(1), 0) << "account 1 went negative (round " << round << ")";
    grading::tick();
  }
}

// Transfers between random accounts (some from an account to itself, some too large) while
// two monitors call total() and balance() over and over: every total must be the money the
// bank started with (a total added up while transfers run, without holding every account's
// lock, sees a transfer half done), and no balance may be negative or hold more than all.
TEST(Bank, TotalIsAConsistentSnapshotWhileTransfersRun) {
  const int accounts = 8;
  const long initial = 1000;
  const long money = accounts * initial;
  const int movers = 4, monitors = 2;
  const int transfers = grading::scaled(2500, 10000);
  Bank bank(accounts, initial);
  std::atomic<int> movers_done{0};
  std::atomic<bool> stop{false};
  std::atomic<long> totals_checked{0};
  grading::run_threads(movers + monitors, [&](int t) {
    if (t < movers) {
      for (int i = 0; i < transfers && !stop.load(); ++i) {
        const int from = static_cast<int>(grading::random_below(accounts));
        const int to = static_cast<int>(grading::random_below(accounts));
        // Up to one and a half times the initial balance: large moves, and some refusals.
        bank.transfer(from, to, static_cast<long>(grading::random_below(initial * 3 / 2)));
        if (i % 16 == 0) grading::tick();
      }
      movers_done.fetch_add(1);
      return;
    }
    // A monitor: keeps checking while the movers run (and at least a few times).
    for (long i = 0; !stop.load() && (movers_done.load() < movers || i < 50); ++i) {
      const long seen = bank.total();
      totals_checked.fetch_add(1);
      if (seen != money) {
        fail_now(stop, "total() returned " + std::to_string(seen) + " while transfers ran; the " +
                           "bank holds " + std::to_string(money) +
                           " at every instant: total() must hold every account's lock while "
                           "it adds up (a torn snapshot), or money was created or lost");
        return;
      }
      const int account = static_cast<int>(grading::random_below(accounts));
      const long balance = bank.balance(account);
      if (balance < 0 || balance > money) {
        fail_now(stop, "balance(" + std::to_string(account) + ") returned " +
                           std::to_string(balance) + " while transfers ran (never negative, " +
                           "never more than the " + std::to_string(money) + " in the bank)");
        return;
      }
      grading::tick();
    }
  });
  ASSERT_FALSE(stop.load()) << "a monitor saw an impossible total or balance (see above)";
  long sum = 0;
  for (int i = 0; i < accounts; ++i) {
    const long balance = bank.balance(i);
    EXPECT_GE(balance, 0) << "account " << i << " ended negative";
    sum += balance;
  }
  EXPECT_EQ(sum, money) << "after " << movers * transfers
                        << " concurrent transfers the balances add up to " << sum << ", not "
                        << money << ": money was created or lost";
  EXPECT_EQ(bank.total(), money) << "total() after all transfers finished";
}

// Small accounts and large transfers from several threads at once: the check "does the source
// hold enough?" and the move must be one step under the locks, or two threads both pass the
// check for the same money and the account goes negative.
TEST(Bank, NoAccountEverGoesNegative) {
  const int rounds = grading::scaled(80, 400);
  const int accounts = 3;
  const long initial = 10;
  for (int round = 0; round < rounds; ++round) {
    Bank bank(accounts, initial);
    std::atomic<bool> stop{false};
    std::atomic<int> granted{0};
    grading::run_threads(6, [&](int) {
      for (int i = 0; i < 30 && !stop.load(); ++i) {
        const int from = static_cast<int>(grading::random_below(accounts));
        const int to = (from + 1 + static_cast<int>(grading::random_below(accounts - 1))) %
                       accounts;
        const long amount = 6 + static_cast<long>(grading::random_below(5));  // 6 .. 10
        if (bank.transfer(from, to, amount)) granted.fetch_add(1);
        const long left = bank.balance(from);
        if (left < 0) {
          fail_now(stop, "account " + std::to_string(from) + " went negative (" +
                             std::to_string(left) + ") while several threads moved money out " +
                             "of it: check the balance and move the money under the same locks, "
                             "as one step");
          return;
        }
      }
    });
    ASSERT_FALSE(stop.load()) << "an account went negative (see above)";
    for (int i = 0; i < accounts; ++i) {
      ASSERT_GE(bank.balance(i), 0) << "account " << i << " ended negative (round " << round
                                    << ")";
    }
    ASSERT_EQ(bank.total(), accounts * initial)
        << "money was created or lost (round " << round << ", " << granted.load()
        << " transfers succeeded)";
    ASSERT_GT(granted.load(), 0) << "no transfer succeeded, although every account started "
                                 << "with enough for the first one (round " << round << ")";
    grading::tick();
  }
}

// A sequential bank of three accounts, the model the linearizability check compares with.
struct BankModel {
  struct Op {
    enum Kind { kTransfer, kBalance, kTotal } kind;
    int from = 0;  // the account of balance()
    int to = 0;
    long amount = 0;
  };
  using Result = long;  // transfer: 1 (true) or 0 (false); balance and total: the value
  using State = std::array<long, 3>;
  long initial_balance = 4;
  State initial() const { return {initial_balance, initial_balance, initial_balance}; }
  std::pair<Result, State> apply(State s, const Op& op) const {
    switch (op.kind) {
      case Op::kTransfer:
        if (s[op.from] < op.amount) return {0, s};
        s[op.from] -= op.amount;
        s[op.to] += op.amount;
        return {1, s};
      case Op::kBalance:
        return {s[op.from], s};
      case Op::kTotal:
        return {s[0] + s[1] + s[2], s};
    }
    return {0, s};
  }
  std::string op_text(const Op& op) const {
    switch (op.kind) {
      case Op::kTransfer:
        return "transfer(" + std::to_string(op.from) + ", " + std::to_string(op.to) + ", " +
               std::to_string(op.amount) + ")";
      case Op::kBalance:
        return "balance(" + std::to_string(op.from) + ")";
      case Op::kTotal:
        return "total()";
    }
    return "?";
  }
  std::string result_text(const Op& op, Result result) const {
    if (op.kind == Op::kTransfer) return result != 0 ? "true" : "false";
    return std::to_string(result);
  }
  std::string state_text(const State& s) const {
    return "balances {" + std::to_string(s[0]) + ", " + std::to_string(s[1]) + ", " +
           std::to_string(s[2]) + "}";
  }
  std::string name() const { return "a sequential bank of three accounts"; }
};

// Short rounds of mixed operations from three threads, each round's history checked against a
// sequential bank: every transfer's answer, every balance and every total must be explained by
// some one-at-a-time order that respects which calls finished before others began.
TEST(Bank, EveryHistoryIsLinearizable) {
  using Op = BankModel::Op;
  const BankModel model;
  const int rounds = grading::scaled(80, 400);
  const int threads = 3;
  const int ops_per_thread = 12;
  for (int round = 0; round < rounds; ++round) {
    Bank bank(3, model.initial_balance);
    grading::History<BankModel> history(threads);
    grading::run_threads(threads, [&](int t) {
      for (int i = 0; i < ops_per_thread; ++i) {
        const auto dice = grading::random_below(100);
        if (dice < 60) {
          const int from = static_cast<int>(grading::random_below(3));
          const int to = static_cast<int>(grading::random_below(3));
          const long amount = static_cast<long>(grading::random_below(6));  // 0 .. 5
          history.record(t, {Op::kTransfer, from, to, amount},
                         [&] { return bank.transfer(from, to, amount) ? 1L : 0L; });
        } else if (dice < 80) {
          const int account = static_cast<int>(grading::random_below(3));
          history.record(t, {Op::kBalance, account, 0, 0},
                         [&] { return bank.balance(account); });
        } else {
          history.record(t, {Op::kTotal, 0, 0, 0}, [&] { return bank.total(); });
        }
        grading::jitter();
        grading::tick();
      }
    });
    auto check = grading::check_linearizable(history, model);
    ASSERT_TRUE(check.ok) << "round " << round << ": " << check.explanation;
    grading::tick();
  }
}

}  // namespace
