// Bank: accounts that many threads move money between at once, one lock per account.
//
// One lock around the whole bank would be correct, and slow: every transfer would wait for
// every other. With a lock per account, transfers between different accounts run in parallel,
// and a transfer takes the two locks of the accounts it touches. That is where the classic
// deadlock lives: one thread moves money from A to B and locks A, then B; another moves money
// from B to A and locks B, then A. Each holds the lock the other waits for, for ever.
// The cure is a fixed order: every thread that needs several account locks takes them in the
// same order (by account index, say), so no cycle of waiting can form.
//
// Money is conserved: transfers only move it, so total() always equals accounts * initial.
// No balance is ever negative: a transfer that would overdraw its source does nothing.
//
// Memory ordering: every operation is linearizable. Each transfer takes effect at one instant
// between its call and its return; balance() and total() return what the accounts held at one
// instant during the call, so total() is a consistent snapshot: a transfer is never half in it.
//
// Read bank.md first. Edit this file and bank.cc; `./kata check sync/bank` grades.
#pragma once

#include <mutex>
#include <vector>

namespace kata::sync {

class Bank {
 public:
  // A bank of `accounts` accounts (numbered 0 .. accounts - 1), each holding `initial`.
  // accounts < 1 or initial < 0 throws std::invalid_argument.
  Bank(int accounts, long initial);
  Bank(const Bank&) = delete;
  Bank& operator=(const Bank&) = delete;

  // Moves `amount` from account `from` to account `to`, as one atomic step, and returns true;
  // if `from` holds less than `amount`, changes nothing and returns false.
  // from == to is allowed: it changes nothing, and returns whether the account holds at least
  // `amount`. A bad index throws std::out_of_range and a negative amount
  // std::invalid_argument, both before anything changes.
  bool transfer(int from, int to, long amount);

  // The balance of `account` (std::out_of_range for a bad index).
  long balance(int account) const;

  // The sum of all balances at one instant: concurrent transfers are either wholly in it or
  // not at all, so it always equals the money the bank started with.
  long total() const;

 private:
  // TODO: the accounts, each with its balance and its own lock.
};

}  // namespace kata::sync
