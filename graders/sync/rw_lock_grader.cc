// Grader of sync/rw_lock: a writer is always alone inside, readers really hold it together,
// and a writer is not starved by a stream of readers (writer preference).
#include "sync/rw_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"

namespace {

using kata::sync::RWLock;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;

// Polls `condition`, yielding and ticking, for at most `seconds`; whether it came true.
template <class Condition>
bool eventually(Condition condition, double seconds) {
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::yield();
    grading::tick();
  }
  return true;
}

// How long a test thread waits, at most, for something a correct lock makes happen at once:
// well inside the watchdog's stall window, since the threads it waits for are blocked (and
// so do not tick) meanwhile.
double patience_seconds() { return grading::stall_seconds() * 0.5; }

// Like grading::run_threads, but each thread has a name of its own, which is what the
// watchdog prints when that thread starves.
void run_named_threads(const std::vector<std::string>& names,
                       const std::function<void(int)>& body) {
  const int n = static_cast<int>(names.size());
  std::atomic<int> arrived{0};
  std::vector<std::exception_ptr> errors(names.size());
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      grading::ProgressScope progress(names[static_cast<std::size_t>(i)]);
      arrived.fetch_add(1);
      while (arrived.load() < n) std::this_thread::yield();
      try {
        body(i);
      } catch (...) {
        errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
      grading::tick();
    });
  }
  for (auto& thread : threads) thread.join();
  for (auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

// The first problem the test's threads found (workers record problems instead of asserting,
// so that none of them returns early holding the lock).
class Problems {
 public:
  void add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.empty()) first_ = what;
    found_.store(true);
  }
  bool any() const { return found_.load(); }
  std::string first() const {
    std::lock_guard<std::mutex> lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  std::string first_;
  std::atomic<bool> found_{false};
};

// Runs `body` on another thread (registered with the watchdog) and waits for it.
void on_another_thread(const std::function<void()>& body) {
  grading::run_threads(1, [&](int) { body(); }, "other thread");
}

TEST(RWLock, TryLockSeesWhoHoldsIt) {
  RWLock rw;
  rw.lock();
  on_another_thread([&] {
    if (rw.try_lock()) {
      ADD_FAILURE() << "try_lock() succeeded while another thread held the lock exclusively";
      rw.unlock();
    }
    if (rw.try_lock_shared()) {
      ADD_FAILURE() << "try_lock_shared() succeeded while a writer held the lock";
      rw.unlock_shared();
    }
  });
  rw.unlock();

  rw.lock_shared();
  on_another_thread([&] {
    if (rw.try_lock_shared()) {
      rw.unlock_shared();
    } else {
      ADD_FAILURE() << "try_lock_shared() failed while only a reader held the lock: readers "
                       "must be able to hold it together";
    }
    if (rw.try_lock()) {
      ADD_FAILURE() << "try_lock() succeeded while a reader held the lock";
      rw.unlock();
    }
  });
  rw.unlock_shared();

  EXPECT_TRUE(rw.try_lock()) << "try_lock() on a free lock must succeed";
  rw.unlock();
  EXPECT_TRUE(rw.try_lock_shared()) << "try_lock_shared() on a free lock must succeed";
  rw.unlock_shared();
}

TEST(RWLock, WorksWithTheStandardLockHolders) {
  RWLock rw;
  {
    std::unique_lock<RWLock> writer(rw);
    EXPECT_TRUE(writer.owns_lock());
  }
  {
    std::lock_guard<RWLock> writer(rw);
  }
  {
    std::shared_lock<RWLock> reader(rw);
    EXPECT_TRUE(reader.owns_lock());
    on_another_thread([&] {
      std::shared_lock<RWLock> other(rw, std::try_to_lock);
      EXPECT_TRUE(other.owns_lock()) << "a second reader must get in beside the first";
      std::unique_lock<RWLock> writer(rw, std::try_to_lock);
      EXPECT_FALSE(writer.owns_lock()) << "a writer must not get in beside readers";
    });
  }
  std::unique_lock<RWLock> writer(rw, std::try_to_lock);
  EXPECT_TRUE(writer.owns_lock()) << "every holder has let go: the lock must be free";
}

// Each round, several readers take the lock, and each one waits inside until all of them are
// in. If readers exclude each other, the first one waits in vain: it gives up after a while,
// and the test says that the readers never overlapped.
TEST(RWLock, ReadersHoldItTogether) {
  const int readers = 3;
  for (int round = 0; round < grading::scaled(20, 100); ++round) {
    RWLock rw;
    std::atomic<int> entered{0};  // readers that got in this round
    std::atomic<int> inside{0};   // readers inside now
    std::atomic<int> most_inside{0};
    std::atomic<bool> gave_up{false};
    const bool use_try = round % 2 == 1;
    auto note_inside = [&] {
      int now = inside.load();
      int most = most_inside.load();
      while (now > most && !most_inside.compare_exchange_weak(most, now)) {
      }
    };
    grading::run_threads(readers, [&](int) {
      grading::jitter();
      if (use_try) {
        while (!rw.try_lock_shared()) {
          std::this_thread::yield();
          grading::tick();
        }
      } else {
        rw.lock_shared();
      }
      inside.fetch_add(1);
      entered.fetch_add(1);
      note_inside();
      if (!gave_up.load() &&
          !eventually([&] { return entered.load() == readers; }, patience_seconds())) {
        gave_up = true;
      }
      note_inside();
      inside.fetch_sub(1);
      rw.unlock_shared();
    }, "reader");
    ASSERT_FALSE(gave_up.load())
        << "readers never held the lock together: " << readers << " readers took it with "
        << (use_try ? "try_lock_shared()" : "lock_shared()") << " and each waited inside for "
        << "the others, but at most " << most_inside.load() << " were ever inside at once "
        << "(round " << round << ")";
    grading::tick();
  }
}

// Threads take the lock in random modes and through every entry point, and watch who is
// inside with a pair of atomic counters (yielding inside, so that an intruder has time to show
// itself): a writer must be alone; a reader must never see a writer.
TEST(RWLock, WriterIsAloneInside) {
  const int threads = 5;
  const int operations = grading::scaled(1500, 6000);
  RWLock rw;
  std::atomic<int> readers_in{0}, writers_in{0};
  Problems problems;
  grading::run_threads(threads, [&](int) {
    for (int i = 0; i < operations; ++i) {
      const auto choice = grading::random_below(16);
      if (choice < 4) {  // a writer, by lock(), std::unique_lock or try_lock()
        if (choice == 0) {
          while (!rw.try_lock()) {
            std::this_thread::yield();
            grading::tick();
          }
        } else if (choice == 1) {
          rw.lock();
        } else {
          std::unique_lock<RWLock> hold(rw);
          (void)hold.release();  // unlocked below, like the others
        }
        const int writers = writers_in.fetch_add(1) + 1;
        const int readers = readers_in.load();
        if (writers != 1 || readers != 0) {
          problems.add("a writer got in while " + std::to_string(writers - 1) +
                       " other writer(s) and " + std::to_string(readers) +
                       " reader(s) were inside");
        }
        std::this_thread::yield();
        grading::jitter();
        if (writers_in.load() != 1 || readers_in.load() != 0) {
          problems.add("while a writer was inside, " + std::to_string(writers_in.load() - 1) +
                       " other writer(s) and " + std::to_string(readers_in.load()) +
                       " reader(s) came in");
        }
        writers_in.fetch_sub(1);
        rw.unlock();
      } else {  // a reader, by lock_shared(), std::shared_lock or try_lock_shared()
        if (choice == 4) {
          while (!rw.try_lock_shared()) {
            std::this_thread::yield();
            grading::tick();
          }
        } else if (choice < 10) {
          rw.lock_shared();
        } else {
          std::shared_lock<RWLock> hold(rw);
          (void)hold.release();  // unlocked below, like the others
        }
        readers_in.fetch_add(1);
        if (writers_in.load() != 0) problems.add("a reader got in while a writer was inside");
        grading::jitter();
        if (writers_in.load() != 0) problems.add("a writer came in while a reader was inside");
        readers_in.fetch_sub(1);
        rw.unlock_shared();
      }
      if (i % 16 == 0) grading::tick();
    }
  }, "reader/writer");
  EXPECT_FALSE(problems.any()) << problems.first();
}

// Plain (non-atomic) data guarded by the lock: writers update two fields together, readers
// check that they always agree. ThreadSanitizer checks that the lock orders every access.
TEST(RWLock, ReadersSeeWhatWritersWrote) {
  struct Shared {
    long first = 0;
    long second = 0;
  } shared;
  const int operations = grading::scaled(2000, 8000);
  RWLock rw;
  std::atomic<int> torn{0};
  std::atomic<long> writes{0};
  grading::run_threads(4, [&](int t) {
    for (int i = 0; i < operations; ++i) {
      if ((i + t) % 4 == 0) {
        std::unique_lock<RWLock> hold(rw);
        ++shared.first;
        grading::jitter();
        ++shared.second;
        writes.fetch_add(1);
      } else {
        std::shared_lock<RWLock> hold(rw);
        const long first = shared.first;
        grading::jitter();
        if (shared.second != first) torn.fetch_add(1);
      }
      if (i % 16 == 0) grading::tick();
    }
  }, "reader/writer");
  EXPECT_EQ(torn.load(), 0) << "readers saw a half-done write";
  EXPECT_EQ(shared.first, writes.load()) << "writes were lost";
  EXPECT_EQ(shared.second, writes.load()) << "writes were lost";
}

// The rule itself: a reader holds the lock, a writer comes and waits; from then on a new reader
// must not get in (try_lock_shared() fails, lock_shared() waits until the writer is done).
TEST(RWLock, NewReadersWaitBehindAWaitingWriter) {
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    RWLock rw;
    ASSERT_TRUE(rw.try_lock_shared());
    rw.unlock_shared();
    std::atomic<int> stage{0};
    std::atomic<bool> writer_done{false};
    Problems problems;
    run_named_threads({"first reader", "writer", "late reader"}, [&](int t) {
      if (t == 0) {
        rw.lock_shared();
        stage = 1;
        // Hold the lock until the late reader is about to call lock_shared(), and a little
        // longer, so that it really arrives while the writer waits.
        while (stage.load() < 3) {
          std::this_thread::yield();
          grading::tick();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        rw.unlock_shared();
      } else if (t == 1) {
        while (stage.load() < 1) {
          std::this_thread::yield();
          grading::tick();
        }
        stage = 2;
        rw.lock();
        writer_done = true;
        rw.unlock();
      } else {
        while (stage.load() < 2) {
          std::this_thread::yield();
          grading::tick();
        }
        // The writer is on its way into lock(); as soon as it waits, try_lock_shared() must
        // fail.
        const bool held_back = eventually([&] {
          if (!rw.try_lock_shared()) return true;
          rw.unlock_shared();
          return false;
        }, patience_seconds());
        if (!held_back) {
          problems.add("try_lock_shared() kept succeeding while a writer waited for the lock: "
                       "readers that arrive after a waiting writer must wait for it");
        }
        stage = 3;
        rw.lock_shared();
        if (!writer_done.load()) {
          problems.add("lock_shared() let a new reader in while a writer was waiting: readers "
                       "that arrive after a waiting writer must wait for it");
        }
        rw.unlock_shared();
      }
    });
    if (problems.any()) {
      KATA_FAIL(kStarvation) << problems.first()
                             << " (otherwise a stream of readers starves the writers)";
      return;
    }
    grading::tick();
  }
}

// Three readers keep the lock busy as a relay: each one stays inside until another reader has
// come in after it (or for at most 30 ms), so with a reader-preferring lock there is never a
// moment without a reader inside. A writer takes the lock a few times meanwhile. With writer
// preference, the waiting writer holds new readers back, the relay breaks within 30 ms and
// the writer gets in; without it, the writer waits for ever while the readers keep going, and
// the watchdog reports STARVATION.
TEST(RWLock, WriterIsNotStarvedByAStreamOfReaders) {
  const int writes = grading::scaled(8, 30);
  const auto relay_patience = std::chrono::milliseconds(30);
  RWLock rw;
  ASSERT_TRUE(rw.try_lock_shared());
  rw.unlock_shared();
  std::atomic<bool> stop{false};
  std::atomic<long> entries{0}, reads{0};
  std::atomic<int> readers_in{0};
  Problems problems;
  run_named_threads({"writer", "reader 1", "reader 2", "reader 3"}, [&](int t) {
    if (t == 0) {
      for (int w = 0; w < writes; ++w) {
        const long before = reads.load();
        eventually([&] { return reads.load() >= before + 20; }, 1.0);  // readers streaming
        rw.lock();
        if (readers_in.load() != 0) problems.add("the writer got in beside readers");
        rw.unlock();
        grading::tick();
      }
      stop = true;
      return;
    }
    while (!stop.load()) {
      rw.lock_shared();
      readers_in.fetch_add(1);
      const long me = entries.fetch_add(1) + 1;
      const auto until = Clock::now() + relay_patience;
      while (entries.load() == me && Clock::now() < until && !stop.load()) {
        std::this_thread::yield();
      }
      readers_in.fetch_sub(1);
      rw.unlock_shared();
      reads.fetch_add(1);
      grading::tick();
    }
  });
  EXPECT_FALSE(problems.any()) << problems.first();
}

}  // namespace
