// FizzBuzz with four threads: one sequence, four writers taking turns.
//
// LeetCode 1195 ("Fizz Buzz Multithreaded"). One FizzBuzz(n) object, four threads: A calls
// fizz(), B buzz(), C fizzbuzz(), D number(). Together they print the numbers 1 to n, except
// that a multiple of 3 (and not of 5) prints "fizz", a multiple of 5 (and not of 3) "buzz",
// and a multiple of 15 "fizzbuzz". Each thread prints only its own kind, so the four must take
// turns: the one whose kind the current number is prints it and hands on; the others sleep.
//
// Each method is called once per object, each from its own thread, in any order. It returns
// once the sequence is past n (for every thread, including those whose kind never came up,
// e.g. fizzbuzz() with n = 14). A thread that is not on turn sleeps (no spinning).
//
// Memory ordering: each callback's return happens-before the next callback of the sequence,
// whichever thread makes it. (The callbacks run under mu_.)
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>

namespace kata::classics {

class FizzBuzz {
 public:
  // The sequence 1..n; n >= 0 (0: nothing to print, every method returns at once).
  explicit FizzBuzz(int n);
  FizzBuzz(const FizzBuzz&) = delete;
  FizzBuzz& operator=(const FizzBuzz&) = delete;

  // Calls print_fizz() once for each multiple of 3 that is not a multiple of 5, on its turn.
  void fizz(std::function<void()> print_fizz);

  // Calls print_buzz() once for each multiple of 5 that is not a multiple of 3, on its turn.
  void buzz(std::function<void()> print_buzz);

  // Calls print_fizzbuzz() once for each multiple of 15, on its turn.
  void fizzbuzz(std::function<void()> print_fizzbuzz);

  // Calls print_number(i) for each i in 1..n that is a multiple of neither 3 nor 5, on its turn.
  void number(std::function<void(int)> print_number);

 private:
  enum class Kind { kNumber, kFizz, kBuzz, kFizzBuzz };
  static Kind kind_of(int i);

  // The loop all four share: on each turn of `mine`, print(current number); returns once the
  // sequence is past n.
  void take_turns(Kind mine, const std::function<void(int)>& print);

  const int n_;
  std::mutex mu_;
  std::condition_variable turn_changed_;  // notified whenever current_ grows
  int current_ = 1;                       // guarded by mu_; the number whose turn it is
};

}  // namespace kata::classics
