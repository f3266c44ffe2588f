#include "classics/fizzbuzz.h"

#include <stdexcept>
#include <thread>

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

// Mutant: checks for its turn under the lock, and when it is not its turn lets go and yields
// to try again: right output, but the waiting threads burn the CPU (BUSY_WAIT).
void FizzBuzz::take_turns(Kind mine, const std::function<void(int)>& print) {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (current_ > n_) return;
      if (kind_of(current_) == mine) {
        print(current_);
        ++current_;
        continue;
      }
    }
    std::this_thread::yield();  // BUG: a busy wait
  }
}

}  // namespace kata::classics
