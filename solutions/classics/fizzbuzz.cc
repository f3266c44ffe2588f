#include "classics/fizzbuzz.h"

#include <stdexcept>

namespace kata::classics {

FizzBuzz::FizzBuzz(int n) : n_(n) {
  if (n < 0) throw std::invalid_argument("FizzBuzz: n must be >= 0");
}

FizzBuzz::Kind FizzBuzz::kind_of(int i) {
  if (i % 15 == 0) return Kind::kFizzBuzz;
  if (i % 3 == 0) return Kind::kFizz;
  if (i % 5 == 0) return Kind::kBuzz;
  return Kind::kNumber;
}

void FizzBuzz::fizz(std::function<void()> print_fizz) {
  take_turns(Kind::kFizz, [&](int) { print_fizz(); });
}

void FizzBuzz::buzz(std::function<void()> print_buzz) {
  take_turns(Kind::kBuzz, [&](int) { print_buzz(); });
}

void FizzBuzz::fizzbuzz(std::function<void()> print_fizzbuzz) {
  take_turns(Kind::kFizzBuzz, [&](int) { print_fizzbuzz(); });
}

void FizzBuzz::number(std::function<void(int)> print_number) {
  take_turns(Kind::kNumber, print_number);
}

void FizzBuzz::take_turns(Kind mine, const std::function<void(int)>& print) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    // Sleep until it is this thread's turn, or until nothing is left: the second half of the
    // predicate is what lets every thread return at the end, whatever kind n is.
    turn_changed_.wait(lock, [&] { return current_ > n_ || kind_of(current_) == mine; });
    if (current_ > n_) return;
    // Printing under the lock keeps the output in sequence: nobody else may move meanwhile
    // anyway, since the turn is this thread's until current_ grows.
    print(current_);
    ++current_;
    // The next number belongs to one of the other three, and which one sleeps on the same
    // condition variable as the rest: notify_one could wake the wrong thread. After the last
    // number, this wakes everybody to return.
    turn_changed_.notify_all();
  }
}

}  // namespace kata::classics
