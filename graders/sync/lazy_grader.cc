// Grader of sync/lazy: the factory runs exactly once, a failed run is retried, the value is
// published safely to threads that take no lock, and the fast path only reads.
#include "sync/lazy.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "kata/not_implemented.h"

namespace {

using kata::sync::Lazy;
namespace grading = kata::grading;
using namespace std::chrono_literals;

// The value the tests build: not default-constructible, not copyable, and spread over
// several heap blocks, so that a reader that sees it half-built reads memory the building
// thread wrote.
struct Payload {
  Payload(int round, int size) : round(round), label("round " + std::to_string(round)) {
    for (int i = 0; i < size; ++i) items.push_back(round * 1000 + i);
  }
  Payload(Payload&&) = default;
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;

  // True if this is exactly what Payload(round, size) built.
  bool is(int expected_round, int size) const {
    if (round != expected_round || label != "round " + std::to_string(expected_round)) {
      return false;
    }
    if (static_cast<int>(items.size()) != size) return false;
    for (int i = 0; i < size; ++i) {
      if (items[static_cast<std::size_t>(i)] != expected_round * 1000 + i) return false;
    }
    return true;
  }

  int round;
  std::string label;
  std::vector<int> items;
};

// What the tests' factories throw.
struct FactoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The outcome of one get(): the address of the value, or the message of the FactoryError it
// threw. kata::NotImplemented passes through (NOT_STARTED); any other exception is recorded.
template <class T>
struct Outcome {
  const T* value = nullptr;
  std::string error;  // "FactoryError: <what>" or "<other exception>: <what>"
};

template <class T>
Outcome<T> attempt(Lazy<T>& lazy) {
  Outcome<T> outcome;
  try {
    outcome.value = &lazy.get();
  } catch (const kata::NotImplemented&) {
    throw;
  } catch (const FactoryError& e) {
    outcome.error = std::string("FactoryError: ") + e.what();
  } catch (const std::exception& e) {
    outcome.error = std::string("another exception: ") + e.what();
  }
  return outcome;
}

TEST(Lazy, RunsTheFactoryOnFirstGetAndNeverAgain) {
  int calls = 0;
  Lazy<Payload> lazy([&] {
    ++calls;
    return Payload(7, 5);
  });
  EXPECT_EQ(calls, 0) << "the constructor called the factory: it must wait for the first get()";
  const Payload& first = lazy.get();
  EXPECT_EQ(calls, 1) << "the first get() must run the factory once";
  EXPECT_TRUE(first.is(7, 5)) << "get() did not return what the factory built";
  for (int i = 0; i < 3; ++i) {
    const Payload& again = lazy.get();
    EXPECT_EQ(&again, &first) << "every get() must return a reference to the same object";
  }
  EXPECT_EQ(calls, 1) << "later get() calls ran the factory again";

  // Objects are independent, even of the same type.
  Lazy<int> one([] { return 1; });
  Lazy<int> two([] { return 2; });
  EXPECT_EQ(one.get(), 1);
  EXPECT_EQ(two.get(), 2) << "two Lazy<int> objects returned the same value: is the value "
                             "shared by every object of the type?";

  // A move-only T works.
  Lazy<std::unique_ptr<int>> boxed([] { return std::make_unique<int>(42); });
  ASSERT_NE(boxed.get(), nullptr);
  EXPECT_EQ(*boxed.get(), 42);
}

TEST(Lazy, AFailedFactoryPropagatesAndTheNextGetTriesAgain) {
  int calls = 0;
  Lazy<Payload> lazy([&] {
    ++calls;
    if (calls <= 2) throw FactoryError("attempt " + std::to_string(calls) + " failed");
    return Payload(3, 4);
  });

  Outcome<Payload> first = attempt(lazy);
  ASSERT_EQ(first.value, nullptr) << "the factory threw, yet get() returned a value";
  EXPECT_EQ(first.error, "FactoryError: attempt 1 failed")
      << "get() must let the factory's own exception through, unchanged";
  EXPECT_EQ(calls, 1);

  Outcome<Payload> second = attempt(lazy);
  EXPECT_EQ(calls, 2) << "after a failed run, the next get() must run the factory again (a "
                         "failure must not poison the object forever)";
  ASSERT_EQ(second.value, nullptr) << "the factory threw again, yet get() returned a value";
  EXPECT_EQ(second.error, "FactoryError: attempt 2 failed")
      << "the second get() must throw the second run's exception, not replay the first one";

  Outcome<Payload> third = attempt(lazy);
  EXPECT_EQ(calls, 3) << "after a failed run, the next get() must run the factory again";
  ASSERT_NE(third.value, nullptr) << "the third run of the factory succeeded, yet get() threw: "
                                  << third.error;
  EXPECT_TRUE(third.value->is(3, 4)) << "get() did not return what the factory built";

  Outcome<Payload> fourth = attempt(lazy);
  EXPECT_EQ(calls, 3) << "the value was built; get() must not run the factory again";
  EXPECT_EQ(fourth.value, third.value) << "every get() must return the same object";
}

// Round after round, many threads call get() on a fresh object at the same moment while the
// factory is slow: all but one must wait for that one's result instead of running the factory
// themselves. The threads only keep the address here; the value is checked after join.
TEST(Lazy, AStampedeRunsTheFactoryExactlyOnce) {
  const int rounds = grading::scaled(60, 300);
  const int threads = 8;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> calls{0};
    Lazy<Payload> lazy([&] {
      calls.fetch_add(1);
      // A slow factory: every other thread arrives while it runs.
      std::this_thread::sleep_for(std::chrono::microseconds(300 + grading::random_below(500)));
      return Payload(round, 8);
    });
    std::vector<const Payload*> seen(threads, nullptr);
    grading::run_threads(threads, [&](int t) {
      seen[static_cast<std::size_t>(t)] = &lazy.get();
    });
    ASSERT_EQ(calls.load(), 1) << threads << " threads called get() at once on a new object and "
                               << "the factory ran " << calls.load() << " times (round " << round
                               << "): it must run exactly once, the others waiting for it";
    for (int t = 0; t < threads; ++t) {
      ASSERT_EQ(seen[static_cast<std::size_t>(t)], seen[0])
          << "threads got references to different objects (round " << round << ")";
    }
    ASSERT_TRUE(seen[0]->is(round, 8)) << "get() did not return what the factory built (round "
                                       << round << ")";
    grading::tick();
  }
}

// Threads arrive at staggered times: some find the value already built and take the fast path
// without a lock. They must still see the whole value and everything else the factory wrote,
// which takes an acquire load that pairs with a release store (a plain or relaxed flag leaves
// nothing ordering the factory's writes before their reads: ThreadSanitizer reports a race).
TEST(Lazy, ThreadsThatTakeTheFastPathSeeTheWholeValue) {
  const int rounds = grading::scaled(60, 300);
  const int threads = 4;
  const int size = 16;
  for (int round = 0; round < rounds; ++round) {
    int factory_note = 0;  // plain memory the factory writes, read by every caller after get()
    Lazy<Payload> lazy([&] {
      factory_note = round + 1;
      return Payload(round, size);
    });
    std::vector<char> wrong(threads, 0);
    grading::run_threads(threads, [&](int t) {
      if (t > 0) {  // thread 0 builds the value at once; the others come later
        if (grading::random_below(2) == 0) {
          std::this_thread::sleep_for(std::chrono::microseconds(grading::random_below(300)));
        } else {
          for (int i = static_cast<int>(grading::random_below(50)); i > 0; --i) {
            std::this_thread::yield();
          }
        }
      }
      const Payload* first = &lazy.get();
      for (int i = 0; i < 20; ++i) {
        const Payload& value = lazy.get();
        if (&value != first || !value.is(round, size) || factory_note != round + 1) {
          wrong[static_cast<std::size_t>(t)] = 1;
        }
      }
    });
    for (int t = 0; t < threads; ++t) {
      ASSERT_FALSE(wrong[static_cast<std::size_t>(t)])
          << "thread " << t << " saw a different, incomplete or wrong value, or not the "
          << "factory's other writes (round " << round << ")";
    }
    grading::tick();
  }
}

// The first run of the factory fails while the other threads wait for it: the caller that ran
// it gets the exception, one waiter runs the factory again, and everyone else gets that value.
TEST(Lazy, AFailureDuringAStampedeIsRetriedByAWaiter) {
  const int rounds = grading::scaled(40, 200);
  const int threads = 6;
  for (int round = 0; round < rounds; ++round) {
    std::atomic<int> calls{0};
    Lazy<Payload> lazy([&] {
      int call = calls.fetch_add(1) + 1;
      std::this_thread::sleep_for(std::chrono::microseconds(200 + grading::random_below(300)));
      if (call == 1) throw FactoryError("the first run fails");
      return Payload(round, 4);
    });
    std::vector<Outcome<Payload>> outcomes(threads);
    grading::run_threads(threads, [&](int t) {
      outcomes[static_cast<std::size_t>(t)] = attempt(lazy);
    });
    int failures = 0;
    for (const auto& outcome : outcomes) {
      if (outcome.value == nullptr) {
        ++failures;
        ASSERT_EQ(outcome.error, "FactoryError: the first run fails")
            << "get() threw something other than the factory's exception (round " << round
            << ")";
      } else {
        ASSERT_TRUE(outcome.value->is(round, 4))
            << "get() did not return what the factory built (round " << round << ")";
      }
    }
    ASSERT_EQ(failures, 1)
        << failures << " of " << threads << " get() calls threw, but only the first run of the "
        << "factory failed (round " << round << "): only the call that ran the failing factory "
        << "may see its exception; a failure must not be cached and replayed to other callers";
    ASSERT_EQ(calls.load(), 2)
        << "the factory ran " << calls.load() << " times (round " << round << "); expected "
        << "exactly 2: the failed run, then one successful retry by a waiting thread";
    grading::tick();
  }
}

// --- The fast path only reads -------------------------------------------------------------
//
// A fast path that takes a lock is correct but slow; it cannot be timed reliably on a loaded
// machine under ThreadSanitizer. It can be seen, though: locking a mutex writes to it. The
// test builds the Lazy on pages of its own, builds the value, makes those pages read-only and
// calls get() again. A write to them raises SIGSEGV; the handler below records it, makes the
// pages writable again and returns, so the write completes and the test fails normally.

std::atomic<char*> protected_begin{nullptr};
std::atomic<char*> protected_end{nullptr};
std::atomic<bool> wrote_protected{false};
struct sigaction previous_segv_action;

void on_segv(int, siginfo_t* info, void*) {
  int saved_errno = errno;
  char* address = static_cast<char*>(info->si_addr);
  char* begin = protected_begin.load();
  char* end = protected_end.load();
  if (begin != nullptr && address >= begin && address < end) {
    wrote_protected.store(true);
    mprotect(begin, static_cast<std::size_t>(end - begin), PROT_READ | PROT_WRITE);
  } else {
    // Not ours: give the signal back to the harness, which reports the crash when the
    // faulting instruction runs again.
    sigaction(SIGSEGV, &previous_segv_action, nullptr);
  }
  errno = saved_errno;
}

// One object alone on anonymous pages that can be made read-only.
template <class T>
class OnItsOwnPages {
 public:
  template <class... Args>
  explicit OnItsOwnPages(Args&&... args) {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    size_ = (sizeof(T) + page - 1) / page * page;
    void* memory = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("mmap failed");
    memory_ = static_cast<char*>(memory);
    object_ = new (memory_) T(std::forward<Args>(args)...);
  }
  ~OnItsOwnPages() {
    mprotect(memory_, size_, PROT_READ | PROT_WRITE);
    object_->~T();
    munmap(memory_, size_);
  }
  OnItsOwnPages(const OnItsOwnPages&) = delete;
  OnItsOwnPages& operator=(const OnItsOwnPages&) = delete;

  T& operator*() { return *object_; }
  char* begin() const { return memory_; }
  std::size_t size() const { return size_; }

 private:
  char* memory_ = nullptr;
  std::size_t size_ = 0;
  T* object_ = nullptr;
};

TEST(Lazy, GetAfterInitialisationOnlyReadsTheObject) {
  OnItsOwnPages<Lazy<Payload>> lazy([] { return Payload(11, 8); });
  const Payload* built = &(*lazy).get();
  ASSERT_TRUE(built->is(11, 8)) << "get() did not return what the factory built";

  wrote_protected.store(false);
  protected_begin.store(lazy.begin());
  protected_end.store(lazy.begin() + lazy.size());
  struct sigaction action = {};
  action.sa_sigaction = on_segv;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  ASSERT_EQ(sigaction(SIGSEGV, &action, &previous_segv_action), 0);
  ASSERT_EQ(mprotect(lazy.begin(), lazy.size(), PROT_READ), 0);

  bool same = &(*lazy).get() == built;
  std::atomic<bool> all_same{true};
  grading::run_threads(3, [&](int) {
    for (int i = 0; i < 100; ++i) {
      const Payload& value = (*lazy).get();
      if (&value != built || !value.is(11, 8)) all_same.store(false);
    }
  });

  mprotect(lazy.begin(), lazy.size(), PROT_READ | PROT_WRITE);
  sigaction(SIGSEGV, &previous_segv_action, nullptr);
  protected_begin.store(nullptr);
  protected_end.store(nullptr);

  EXPECT_TRUE(same && all_same.load()) << "get() returned a different or changed value";
  EXPECT_FALSE(wrote_protected.load())
      << "after the value was built, get() wrote to the Lazy object (the grader made it "
         "read-only): the fast path must only read, one acquire load of the 'built' flag, and "
         "must not lock a mutex (locking writes to it) or update anything";
}

}  // namespace
