#include "classics/web_crawler.h"

#include "kata/not_implemented.h"

namespace kata::classics {

std::string host_of(const std::string& url) {
  // TODO: the part between "http://" and the next '/'.
  (void)url;
  throw kata::NotImplemented("host_of");
}

std::vector<std::string> crawl(
    const std::string& start,
    const std::function<std::vector<std::string>(const std::string&)>& links, int threads) {
  // TODO: a frontier of pages to fetch, the set of pages already seen, and a count of fetches
  // in flight, all under one mutex; `threads` workers that take a page, fetch it WITHOUT the
  // lock, and add the new same-host pages; a worker that finds the frontier empty sleeps until
  // there is work or until nothing is in flight either, which is the end.
  (void)start;
  (void)links;
  (void)threads;
  throw kata::NotImplemented("crawl");
}

}  // namespace kata::classics
