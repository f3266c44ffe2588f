#include "classics/fizzbuzz.h"

#include "kata/not_implemented.h"

namespace kata::classics {

FizzBuzz::FizzBuzz(int n) {
  // TODO: remember n; the sequence starts at 1.
  (void)n;
}

void FizzBuzz::fizz(std::function<void()> print_fizz) {
  // TODO: loop: sleep until the current number is a fizz or the sequence is past n; print,
  // move on, wake the others. (The four methods differ only in which numbers are theirs.)
  (void)print_fizz;
  throw kata::NotImplemented("FizzBuzz::fizz");
}

void FizzBuzz::buzz(std::function<void()> print_buzz) {
  // TODO
  (void)print_buzz;
  throw kata::NotImplemented("FizzBuzz::buzz");
}

void FizzBuzz::fizzbuzz(std::function<void()> print_fizzbuzz) {
  // TODO
  (void)print_fizzbuzz;
  throw kata::NotImplemented("FizzBuzz::fizzbuzz");
}

void FizzBuzz::number(std::function<void(int)> print_number) {
  // TODO
  (void)print_number;
  throw kata::NotImplemented("FizzBuzz::number");
}

}  // namespace kata::classics
