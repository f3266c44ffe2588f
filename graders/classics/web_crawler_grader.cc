// Grader of classics/web_crawler, on a fake web whose links() sleeps a random while: every page
// of the start's host that is reachable is returned, each fetched exactly once (twice:
// WRONG_RESULT), no page of another host is fetched, the crawl ends only when the frontier is
// empty and no fetch is in flight (returning early: WRONG_RESULT; never returning: DEADLOCK),
// and fetches run concurrently.
#include "classics/web_crawler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "harness/progress.h"
#include "harness/stress.h"
#include "harness/verdict.h"
#include "kata/not_implemented.h"

namespace {

using kata::classics::crawl;
namespace grading = kata::grading;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const std::string kHost = "http://news.example";

// A fake web: pages and their links, fixed before the crawl. links() counts its calls per page
// (relaxed atomics: no happens-before edge of the test's own), sleeps a random while, and
// notes calls in flight, calls for unknown pages or pages of other hosts, and calls after the
// crawl returned.
class FakeWeb {
 public:
  void add(const std::string& url, std::vector<std::string> targets) {
    index_[url] = static_cast<int>(pages_.size());
    pages_.push_back(url);
    targets_.push_back(std::move(targets));
  }

  // Call once all pages are added.
  void freeze(int max_delay_us) {
    calls_ = std::vector<std::atomic<int>>(pages_.size());
    max_delay_us_ = max_delay_us;
  }

  std::vector<std::string> links(const std::string& url) {
    if (returned_.load()) late_.store(true);
    const int now = in_flight_.fetch_add(1) + 1;
    int peak = peak_in_flight_.load();
    while (now > peak && !peak_in_flight_.compare_exchange_weak(peak, now)) {}
    auto it = index_.find(url);
    std::vector<std::string> result;
    if (it == index_.end() || url.rfind(kHost + "/", 0) != 0) {
      std::lock_guard<std::mutex> lock(mu_);
      if (foreign_.empty()) foreign_ = url;
    } else {
      if (calls_[static_cast<std::size_t>(it->second)].fetch_add(1, std::memory_order_relaxed) ==
          1) {
        // Reported now: the crawl may not get to its end.
        grading::report_verdict(grading::Verdict::kWrongResult,
                                url + " was fetched twice (each page once)");
      }
      result = targets_[static_cast<std::size_t>(it->second)];
    }
    if (hook_) hook_(url);
    if (max_delay_us_ > 0) {
      const auto r = grading::random_below(4);
      if (r == 0) {
        std::this_thread::sleep_for(std::chrono::microseconds(
            grading::random_below(static_cast<std::uint64_t>(max_delay_us_))));
      } else if (r == 1) {
        std::this_thread::yield();
      }
    }
    grading::tick();
    in_flight_.fetch_sub(1);
    return result;
  }

  std::function<std::vector<std::string>(const std::string&)> fn() {
    return [this](const std::string& url) { return links(url); };
  }

  void set_hook(std::function<void(const std::string&)> hook) { hook_ = std::move(hook); }

  // What crawl(start) must return: the pages of kHost reachable from start through pages of
  // kHost.
  std::set<std::string> reachable(const std::string& start) const {
    std::set<std::string> seen = {start};
    std::vector<std::string> todo = {start};
    while (!todo.empty()) {
      std::string url = todo.back();
      todo.pop_back();
      auto it = index_.find(url);
      if (it == index_.end()) continue;
      for (const auto& t : targets_[static_cast<std::size_t>(it->second)]) {
        if (t.rfind(kHost + "/", 0) == 0 && seen.insert(t).second) todo.push_back(t);
      }
    }
    return seen;
  }

  // Runs the crawl and returns "" if it was right, else what was wrong.
  std::string check_crawl(const std::string& start, int threads) {
    std::vector<std::string> got = crawl(start, fn(), threads);
    const int in_flight_at_return = in_flight_.load();
    returned_.store(true);
    std::ostringstream problem;
    const std::set<std::string> want = reachable(start);
    if (in_flight_at_return != 0) {
      problem << "crawl() returned while " << in_flight_at_return << " call(s) of links() "
              << "were still in flight; ";
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!foreign_.empty()) {
        problem << "links() was called for " << foreign_ << ", a page of another host than "
                << "the start's (" << kHost << "); ";
      }
    }
    for (std::size_t i = 0; i < pages_.size(); ++i) {
      const int calls = calls_[i].load();
      if (calls > 1) {
        problem << pages_[i] << " was fetched " << calls << " times (each page once); ";
        break;
      }
    }
    std::map<std::string, int> counts;
    for (const auto& url : got) ++counts[url];
    for (const auto& [url, n] : counts) {
      if (n > 1) {
        problem << url << " is " << n << " times in the result; ";
        break;
      }
    }
    std::vector<std::string> missing, extra;
    for (const auto& url : want) {
      if (!counts.count(url)) missing.push_back(url);
    }
    for (const auto& [url, n] : counts) {
      if (!want.count(url)) extra.push_back(url);
    }
    if (!missing.empty()) {
      problem << missing.size() << " of the " << want.size() << " reachable pages are missing "
              << "from the result (e.g. " << missing.front() << "): did the crawl end while a "
              << "fetch was still in flight?; ";
    } else {
      for (const auto& url : want) {
        auto it = index_.find(url);
        if (it != index_.end() && calls_[static_cast<std::size_t>(it->second)].load() == 0) {
          problem << url << " is in the result but links() was never called for it; ";
          break;
        }
      }
    }
    if (!extra.empty()) {
      problem << extra.size() << " page(s) in the result are not reachable pages of "
              << kHost << " (e.g. " << extra.front() << "); ";
    }
    return problem.str();
  }

  bool called_late() const { return late_.load(); }
  int peak_in_flight() const { return peak_in_flight_.load(); }

 private:
  std::vector<std::string> pages_;
  std::vector<std::vector<std::string>> targets_;
  std::unordered_map<std::string, int> index_;
  std::vector<std::atomic<int>> calls_;
  int max_delay_us_ = 0;
  std::function<void(const std::string&)> hook_;
  std::atomic<int> in_flight_{0}, peak_in_flight_{0};
  std::atomic<bool> returned_{false}, late_{false};
  std::mutex mu_;
  std::string foreign_;  // guarded by mu_
};

std::string page(int i) { return kHost + "/p" + std::to_string(i); }

TEST(WebCrawler, CrawlsASmallSiteWithOneThread) {
  FakeWeb web;
  web.add(page(0), {page(1), page(2)});
  web.add(page(1), {page(0), page(3), page(1)});
  web.add(page(2), {page(3)});
  web.add(page(3), {});
  web.add(page(4), {page(0)});  // links to the site, but nothing links to it
  web.freeze(0);
  EXPECT_EQ(web.check_crawl(page(0), 1), "");
}

// Links to other hosts, including one whose name starts like the start's host, are neither
// fetched nor returned.
TEST(WebCrawler, StaysOnTheStartHost) {
  FakeWeb web;
  web.add(page(0), {page(1), "http://other.example/a", "http://news.example.org/p2",
                    "http://news.example.org"});
  web.add(page(1), {"http://other.example/b", page(2)});
  web.add(page(2), {page(0)});
  web.add("http://other.example/a", {page(3)});
  web.add("http://other.example/b", {page(3)});
  web.add("http://news.example.org/p2", {page(3)});
  web.add("http://news.example.org", {page(3)});
  web.add(page(3), {});
  web.freeze(0);
  EXPECT_EQ(web.check_crawl(page(0), 3), "");
}

// The start page links to four pages; fetching each of them waits until another fetch is in
// flight too (until 3 s after the first of them began). A crawler that never has two fetches in
// flight fails.
TEST(WebCrawler, FetchesConcurrently) {
  FakeWeb web;
  web.add(page(0), {page(1), page(2), page(3), page(4)});
  for (int i = 1; i <= 4; ++i) web.add(page(i), {});
  web.freeze(0);
  std::atomic<int> children_in_flight{0};
  std::atomic<bool> overlapped{false};
  std::once_flag first;
  Clock::time_point until;
  web.set_hook([&](const std::string& url) {
    if (url == page(0)) return;
    std::call_once(first, [&] { until = Clock::now() + milliseconds(3000); });
    children_in_flight.fetch_add(1);
    while (!overlapped.load() && Clock::now() < until) {
      if (children_in_flight.load() >= 2) overlapped = true;
      grading::tick();
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
    children_in_flight.fetch_sub(1);
  });
  ASSERT_EQ(web.check_crawl(page(0), 4), "");
  ASSERT_TRUE(overlapped.load())
      << "with threads = 4 and four pages to fetch, each fetch lasting up to 3 s, links() was "
      << "never called twice at the same time (peak " << web.peak_in_flight() << "): fetches "
      << "must run concurrently (is links() called with the lock held?)";
}

// A chain: each page links only to the next, so the frontier is empty while every fetch is in
// flight. A crawler that stops when the frontier is empty for a moment stops after page 0.
TEST(WebCrawler, AnEmptyFrontierIsNotTheEndWhileAFetchIsInFlight) {
  for (int round = 0; round < grading::scaled(5, 20); ++round) {
    FakeWeb web;
    const int length = 20 + static_cast<int>(grading::random_below(20));
    for (int i = 0; i < length; ++i) {
      web.add(page(i), i + 1 < length ? std::vector<std::string>{page(i + 1), page(i)}
                                      : std::vector<std::string>{page(0)});
    }
    web.freeze(1000);
    const int threads = 1 + static_cast<int>(grading::random_below(4));
    ASSERT_EQ(web.check_crawl(page(0), threads), "")
        << "a chain of " << length << " pages, threads = " << threads;
    ASSERT_FALSE(web.called_late()) << "links() was called after crawl() returned";
  }
}

// Random sites: many links per page, to the same pages from many places, back and to itself,
// and to other hosts; fetches that take a random while.
TEST(WebCrawler, EachPageOnceAndAllPagesUnderStress) {
  const int rounds = grading::scaled(60, 250);
  for (int round = 0; round < rounds; ++round) {
    FakeWeb web;
    const int pages = 2 + static_cast<int>(grading::random_below(50));
    const int fanout = 1 + static_cast<int>(grading::random_below(6));
    for (int i = 0; i < pages; ++i) {
      std::vector<std::string> targets;
      for (int k = 0; k < fanout; ++k) {
        const auto r = grading::random_below(10);
        if (r == 0) {
          targets.push_back("http://other.example/p" + std::to_string(i));
        } else if (r == 1) {
          targets.push_back("http://news.example.org/p" + std::to_string(i));
        } else {
          targets.push_back(page(static_cast<int>(grading::random_below(
              static_cast<std::uint64_t>(pages)))));
        }
      }
      web.add(page(i), targets);
    }
    web.freeze(round % 2 == 0 ? 500 : 0);
    const int threads = 1 + static_cast<int>(grading::random_below(6));
    ASSERT_EQ(web.check_crawl(page(0), threads), "")
        << "round " << round << " of " << rounds << ": " << pages << " pages, threads = "
        << threads;
    ASSERT_FALSE(web.called_late()) << "links() was called after crawl() returned";
    grading::tick();
  }
}

TEST(WebCrawler, RefusesFewerThanOneThread) {
  FakeWeb web;
  web.add(page(0), {});
  web.freeze(0);
  bool refused = false;
  try {
    crawl(page(0), web.fn(), 0);
  } catch (const kata::NotImplemented&) {
    throw;  // NOT_STARTED
  } catch (const std::invalid_argument&) {
    refused = true;
  }
  EXPECT_TRUE(refused) << "crawl(start, links, 0) must throw std::invalid_argument";
}

}  // namespace
