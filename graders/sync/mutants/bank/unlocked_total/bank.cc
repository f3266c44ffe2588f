// Mutant (RACE): total() reads the balances without taking any lock ("it only reads"):
// each read races with the writes of concurrent transfers.
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
    // One account, one lock: locking the same std::mutex twice would deadlock (and
    // std::scoped_lock of the same mutex twice is undefined behaviour).
    std::lock_guard<std::mutex> lock(source.mu);
    return source.balance >= amount;
  }

  // The global order: lower index first. Every thread that takes two account locks takes
  // them in this order (and total() takes all of them in it), so no cycle of waiting forms.
  Account& first = from < to ? source : target;
  Account& second = from < to ? target : source;
  std::lock_guard<std::mutex> first_lock(first.mu);
  std::lock_guard<std::mutex> second_lock(second.mu);
  // The check and the move under the same two locks: one atomic step.
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
  long sum = 0;
  for (const Account& account : accounts_) sum += account.balance;
  return sum;
}

}  // namespace kata::sync
