"""The `async` track: event loops and C++20 coroutines (asyncio).

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field. Later katas build on the event loop ("builds_on"): they link the
reference EventLoop, so an unfinished loop never blocks them.
"""

TRACK = {
    "name": "async",
    "title": "Async: event loops and coroutines",
    "katas": [
        {
            "name": "event_loop",
            "title": "asyncio's event loop: call_soon, timers, epoll readiness, a thread-safe wake-up",
            "learner_files": ["event_loop.h", "event_loop.cc"],
            "points": 1,
            "forbidden": [
                ["#\\s*include\\s*<boost/asio", "Boost.Asio"],
                ["#\\s*include\\s*<uv\\.h>", "libuv"],
                ["#\\s*include\\s*<event2/", "libevent"],
            ],
            "mutants": {},
        },
    ],
}
