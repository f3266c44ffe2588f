// Bank: accounts that many threads move money between at once, one lock per account.
//
// A transfer locks the two accounts it touches, always the lower index first. Because every
// thread that holds several account locks took them in ascending order, no thread can hold a
// higher lock while waiting for a lower one, so no cycle of waiting (no deadlock) can form.
// total() takes every lock in the same ascending order and holds them all while it adds up,
// so no transfer can be half-way through the accounts it reads.
//
// Money is conserved: transfers only move it, so total() always equals accounts * initial.
// No balance is ever negative: a transfer that would overdraw its source does nothing.
//
// Memory ordering: every operation is linearizable. Each transfer takes effect at one instant
// between its call and its return; balance() and total() return what the accounts held at one
// instant during the call, so total() is a consistent snapshot: a transfer is never half in it.
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
  struct Account {
    mutable std::mutex mu;
    long balance = 0;  // guarded by mu
  };

  // The account at `index`, or std::out_of_range.
  Account& at(int index);
  const Account& at(int index) const;

  // Never resized after construction (an Account, holding a mutex, cannot move), so the
  // vector itself is read-only and needs no lock.
  std::vector<Account> accounts_;
};

}  // namespace kata::sync
