// crawl: a multithreaded web crawler that stays on one host and fetches each page once.
//
// LeetCode 1242 ("Web Crawler Multithreaded"), and the exercise of the Go tour ("Exercise: Web
// Crawler"): from a start page, follow the links to every page of the same host, fetching each
// page exactly once, with several fetches in flight at once. The hard part is the end: the
// crawl is over only when no page is waiting to be fetched AND no fetch is still in flight (a
// fetch in flight may discover new pages); a frontier that is empty for a moment is not the end.
//
// A URL has the form "http://<host>/<path>" (the path may be empty: "http://<host>"). Its host
// is what lies between "http://" and the next '/' (or the end): "http://news.example/a" and
// "http://news.example.org/a" have different hosts.
//
// Memory ordering: every call of links() happens-before crawl() returns; no call of links()
// starts after crawl() has returned (every thread crawl() started has been joined).
//
// Read web_crawler.md first. Edit this file and web_crawler.cc;
// `./kata check classics/web_crawler` grades.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace kata::classics {

// Returns every page reachable from `start` through links between pages of start's host,
// `start` included, each once, in any order. Fetches a page by calling links(url), which
// returns the URLs the page links to (any host, possibly repeated, possibly the page itself);
// links() is called exactly once for each page returned and never for a page of another host.
// Up to `threads` calls of links() run at the same time, on threads crawl() starts (and joins
// before it returns): with threads >= 2, a slow links() call must not hold up the others.
// `threads` < 1 throws std::invalid_argument. links() is safe to call concurrently and does
// not throw.
std::vector<std::string> crawl(
    const std::string& start,
    const std::function<std::vector<std::string>(const std::string&)>& links, int threads);

// The host of `url` ("news.example" for "http://news.example/a/b").
std::string host_of(const std::string& url);

}  // namespace kata::classics
