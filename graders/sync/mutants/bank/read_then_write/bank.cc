// Mutant (WRONG_RESULT): reads both balances (each under its lock), computes the new ones,
// then writes them back (each under its lock again). Never two locks at once, so no deadlock
// and no data race; but a transfer that runs in between is overwritten: money is lost or
// created.
#include "sync/bank.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace kata::sync {
namespace {

std::size_t checked_count(int accounts) {
  if (accounts < 1) throw std::invalid_argument("Bank: at least one account is needed");
  return static_cast<std::size_t>(accounts);
}

}  // namespace

Bank::Bank(int accounts, long initial) : accounts_(checked_count(accounts)) {
  if (initial < 0) throw std::invalid_argument("Bank: the initial balance must be >= 0");
  // No other thread can see the bank yet: no locks needed.
  for (Account& account : accounts_) account.balance = initial;
}

const Bank::Account& Bank::at(int index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= accounts_.size()) {
    throw std::out_of_range("Bank: no account " + std::to_string(index));
  }
  return accounts_[static_cast<std::size_t>(index)];
}

Bank::Account& Bank::at(int index) {
  // The same lookup; casting the const away from its result is safe because *this is not const.
  return const_cast<Account&>(static_cast<const Bank&>(*this).at(index));
}

bool Bank::transfer(int from, int to, long amount) {
  if (amount < 0) throw std::invalid_argument("Bank::transfer: negative amount");
  Account& source = at(from);
  Account& target = at(to);
  long source_balance, target_balance;
  {
    std::lock_guard<std::mutex> lock(source.mu);
    source_balance = source.balance;
  }
  if (source_balance < amount) return false;
  if (from == to) return true;
  {
    std::lock_guard<std::mutex> lock(target.mu);
    target_balance = target.balance;
  }
  {
    std::lock_guard<std::mutex> lock(source.mu);
    source.balance = source_balance - amount;
  }
  {
    std::lock_guard<std::mutex> lock(target.mu);
    target.balance = target_balance + amount;
  }
  return true;
}

long Bank::balance(int account) const {
  const Account& a = at(account);
  std::lock_guard<std::mutex> lock(a.mu);
  return a.balance;
}

long Bank::total() const {
  // Hold every lock, taken in index order, while adding up: no transfer can run between two
  // reads, so the sum is the money in the bank at one instant.
  std::vector<std::unique_lock<std::mutex>> locks;
  locks.reserve(accounts_.size());
  for (const Account& account : accounts_) locks.emplace_back(account.mu);
  long sum = 0;
  for (const Account& account : accounts_) sum += account.balance;
  return sum;
}  // the locks are released here

}  // namespace kata::sync
