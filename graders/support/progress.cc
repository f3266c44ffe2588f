#include "progress.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "stacks.h"
#include "stress.h"
#include "test_state.h"
#include "verdict.h"

namespace kata::grading {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSlots = 512;

// A registered thread. `claimed` gives the slot to one thread; `active` tells the watchdog to
// watch it. The name is atomic characters because the watchdog may read it while a new owner
// writes it (the report then shows a mixed name, never undefined behaviour).
struct Slot {
  std::atomic<bool> claimed{false};
  std::atomic<bool> active{false};
  std::atomic<std::uint64_t> ticks{0};
  std::array<std::atomic<char>, 64> name{};

  void set_name(const std::string& text) {
    std::size_t n = std::min(text.size(), name.size() - 1);
    for (std::size_t i = 0; i < n; ++i) name[i].store(text[i], std::memory_order_relaxed);
    name[n].store('\0', std::memory_order_relaxed);
  }
  std::string get_name() const {
    std::string text;
    for (const auto& c : name) {
      char ch = c.load(std::memory_order_relaxed);
      if (ch == '\0') break;
      text += ch;
    }
    return text;
  }
};

std::array<Slot, kSlots>& slots() {
  static auto* all = new std::array<Slot, kSlots>();  // never destroyed: threads may outlive main
  return *all;
}

std::atomic<std::uint64_t> unregistered_ticks{0};
thread_local int my_slot = -1;

double env_seconds(const char* name, double fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  double parsed = std::atof(value);
  return parsed > 0 ? parsed : fallback;
}

double budget_seconds() {
  return env_seconds("KATA_TEST_BUDGET_SECONDS", level() == Level::kQuick ? 30 : 120);
}

// Watchdog state, written by the listener (arm/disarm) and read by the watchdog thread.
std::atomic<std::uint64_t> armed_generation{0};  // odd: armed
std::atomic<bool> started{false};

[[noreturn]] void give_up(Verdict verdict, const std::string& detail) {
  report_verdict(verdict, detail);
  std::fflush(stdout);
  print_all_stacks(20.0);
  std::fflush(stdout);
  // exit_group directly: _exit goes through ThreadSanitizer's interceptor, which can wait for a
  // runtime lock held by a thread that is stuck mid-report.
  syscall(SYS_exit_group, 1);
  _exit(1);
}

void watch() {
  std::array<std::uint64_t, kSlots> last_ticks{};
  std::array<Clock::time_point, kSlots> last_change{};
  std::uint64_t generation = 0;
  Clock::time_point armed_at, any_change;
  std::uint64_t last_total = 0;
  const double stall = stall_seconds();
  const double budget = budget_seconds();
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };

  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::uint64_t g = armed_generation.load(std::memory_order_acquire);
    auto now = Clock::now();
    if (g % 2 == 0) continue;  // disarmed
    auto& all = slots();
    if (g != generation) {  // a new test: take a fresh baseline
      generation = g;
      armed_at = any_change = now;
      last_total = unregistered_ticks.load(std::memory_order_relaxed);
      for (int i = 0; i < kSlots; ++i) {
        last_ticks[i] = all[i].ticks.load(std::memory_order_relaxed);
        last_change[i] = now;
      }
      continue;
    }
    std::uint64_t total = unregistered_ticks.load(std::memory_order_relaxed);
    if (total != last_total) any_change = now;
    last_total = total;
    for (int i = 0; i < kSlots; ++i) {
      std::uint64_t t = all[i].ticks.load(std::memory_order_relaxed);
      if (t != last_ticks[i]) {
        last_ticks[i] = t;
        last_change[i] = now;
        any_change = now;
      }
    }
    if (seconds(now - any_change) > stall) {
      char detail[256];
      std::snprintf(detail, sizeof detail,
                    "no thread made progress for %.1f s (a deadlock or a lost wake-up); "
                    "the stacks of all threads show where each one waits",
                    seconds(now - any_change));
      give_up(Verdict::kDeadlock, detail);
    }
    // STARVATION only while the others are still moving (ticked in the last half window);
    // threads that all stopped at about the same time are a deadlock, reported above.
    const bool others_moving = seconds(now - any_change) < stall / 2;
    for (int i = 0; i < kSlots && others_moving; ++i) {
      if (!all[i].active.load(std::memory_order_acquire)) continue;
      if (seconds(now - last_change[i]) > stall) {
        char detail[256];
        std::snprintf(detail, sizeof detail,
                      "'%s' made no progress for %.1f s while other threads kept going",
                      all[i].get_name().c_str(), seconds(now - last_change[i]));
        give_up(Verdict::kStarvation, detail);
      }
    }
    if (seconds(now - armed_at) > budget) {
      char detail[256];
      std::snprintf(detail, sizeof detail,
                    "still running after %.0f s although threads make progress (too slow: "
                    "more waiting or contention than the task needs)",
                    budget);
      give_up(Verdict::kTimeout, detail);
    }
  }
}

}  // namespace

ProgressScope::ProgressScope(std::string name) : slot_(-1) {
  auto& all = slots();
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (all[i].claimed.load(std::memory_order_relaxed)) continue;
    if (all[i].claimed.compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      slot_ = i;
      break;
    }
  }
  if (slot_ < 0) return;  // more threads than slots: they tick as unregistered
  Slot& s = all[slot_];
  s.set_name(name);
  s.ticks.fetch_add(1, std::memory_order_relaxed);
  s.active.store(true, std::memory_order_release);
  my_slot = slot_;
}

ProgressScope::~ProgressScope() {
  if (slot_ < 0) return;
  slots()[slot_].active.store(false, std::memory_order_release);
  slots()[slot_].claimed.store(false, std::memory_order_release);
  if (my_slot == slot_) my_slot = -1;
}

void tick() {
  if (my_slot >= 0) {
    slots()[my_slot].ticks.fetch_add(1, std::memory_order_relaxed);
  } else {
    unregistered_ticks.fetch_add(1, std::memory_order_relaxed);
  }
}

double stall_seconds() {
  return env_seconds("KATA_STALL_SECONDS", level() == Level::kQuick ? 4 : 8);
}

namespace internal {

void watchdog_start() {
  if (started.exchange(true)) return;
  std::thread(watch).detach();
}

void watchdog_arm(const std::string&) {
  std::uint64_t g = armed_generation.load(std::memory_order_relaxed);
  armed_generation.store(g % 2 == 0 ? g + 1 : g + 2, std::memory_order_release);
}

void watchdog_disarm() {
  std::uint64_t g = armed_generation.load(std::memory_order_relaxed);
  if (g % 2 == 1) armed_generation.store(g + 1, std::memory_order_release);
}

}  // namespace internal
}  // namespace kata::grading
