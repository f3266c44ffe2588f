// Mutant (LOCK_ORDER): transfer locks the source account, then the target. transfer(0, 1)
// and transfer(1, 0) take the same two locks in opposite orders: run at once, each can hold
// the lock the other waits for. ThreadSanitizer's deadlock detector sees the inverted orders
// as soon as both have happened once (even one after the other) and reports them.
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
  if (from == to) {
    std::lock_guard<std::mutex> lock(source.mu);
    return source.balance >= amount;
  }
  std::lock_guard<std::mutex> source_lock(source.mu);
  std::lock_guard<std::mutex> target_lock(target.mu);
  if (source.balance < amount) return false;
  source.balance -= amount;
  target.balance += amount;
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
