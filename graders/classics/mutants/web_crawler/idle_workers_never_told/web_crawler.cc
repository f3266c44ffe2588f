#include "classics/web_crawler.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_set>

namespace kata::classics {

std::string host_of(const std::string& url) {
  const std::string scheme = "http://";
  const std::size_t begin = url.compare(0, scheme.size(), scheme) == 0 ? scheme.size() : 0;
  const std::size_t end = url.find('/', begin);
  return url.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

namespace {

// The state the workers share. The crawl is over when the frontier is empty and nothing is in
// flight: only then can no new page turn up.
class Crawl {
 public:
  Crawl(const std::string& start,
        const std::function<std::vector<std::string>(const std::string&)>& links)
      : host_(host_of(start)), links_(links) {
    seen_.insert(start);
    found_.push_back(start);
    frontier_.push_back(start);
  }

  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      // An empty frontier with fetches in flight is not the end: those fetches may add pages.
      changed_.wait(lock, [&] { return !frontier_.empty() || in_flight_ == 0; });
      if (frontier_.empty()) return;  // and nothing in flight: done
      std::string url = std::move(frontier_.front());
      frontier_.pop_front();
      ++in_flight_;
      lock.unlock();
      // The slow part runs without the lock, so the other workers fetch meanwhile.
      std::vector<std::string> next = links_(url);
      lock.lock();
      for (std::string& link : next) {
        // Checking and marking a page as seen is one step under the lock: two workers that
        // find the same link cannot both queue it.
        if (host_of(link) == host_ && seen_.insert(link).second) {
          found_.push_back(link);
          frontier_.push_back(std::move(link));
        }
      }
      --in_flight_;
      // Mutant: wakes the idle workers only for new pages. When the last fetch in flight finds
      // nothing new, the workers asleep on an empty frontier never learn that the crawl is over
      // (DEADLOCK).
      if (!frontier_.empty()) changed_.notify_all();  // BUG
    }
  }

  std::vector<std::string> found() { return std::move(found_); }

 private:
  const std::string host_;
  const std::function<std::vector<std::string>(const std::string&)>& links_;
  std::mutex mu_;
  std::condition_variable changed_;         // notified when frontier_ or in_flight_ change
  std::deque<std::string> frontier_;        // guarded by mu_: seen, not fetched yet
  std::unordered_set<std::string> seen_;    // guarded by mu_: every page ever queued
  std::vector<std::string> found_;          // guarded by mu_: seen_, in discovery order
  int in_flight_ = 0;                       // guarded by mu_: fetches running now
};

}  // namespace

std::vector<std::string> crawl(
    const std::string& start,
    const std::function<std::vector<std::string>(const std::string&)>& links, int threads) {
  if (threads < 1) throw std::invalid_argument("crawl: threads must be >= 1");
  Crawl state(start, links);
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) workers.emplace_back([&state] { state.work(); });
  // Joining is what makes every links() call happen-before the return, and guarantees that
  // none starts after it.
  for (auto& worker : workers) worker.join();
  return state.found();
}

}  // namespace kata::classics
