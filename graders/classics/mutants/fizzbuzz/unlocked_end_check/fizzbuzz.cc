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

// Mutant: the loop's end check reads current_ without the lock (RACE with ++current_).
void FizzBuzz::take_turns(Kind mine, const std::function<void(int)>& print) {
  while (current_ <= n_) {  // BUG: unlocked read
    std::unique_lock<std::mutex> lock(mu_);
    turn_changed_.wait(lock, [&] { return current_ > n_ || kind_of(current_) == mine; });
    if (current_ > n_) return;
    print(current_);
    ++current_;
    turn_changed_.notify_all();
  }
}

}  // namespace kata::classics
