#include "sync/bank.h"

#include <stdexcept>

#include "kata/not_implemented.h"

namespace kata::sync {

Bank::Bank(int accounts, long initial) {
  // TODO: check the arguments and open the accounts. (Keep throwing out of the methods below
  // until they work: the grader reports "not started" for them.)
  (void)accounts;
  (void)initial;
}

bool Bank::transfer(int from, int to, long amount) {
  // TODO: check the arguments, then lock both accounts, always in the same order, and move
  // the money only if `from` holds enough. What happens when from == to?
  (void)from;
  (void)to;
  (void)amount;
  throw kata::NotImplemented("Bank::transfer");
}

long Bank::balance(int account) const {
  // TODO
  (void)account;
  throw kata::NotImplemented("Bank::balance");
}

long Bank::total() const {
  // TODO: a consistent snapshot: hold every account's lock while you add up.
  throw kata::NotImplemented("Bank::total");
}

}  // namespace kata::sync
