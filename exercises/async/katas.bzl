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
            "grader_deps": ["//graders/async:test_thread"],
            "forbidden": [
                ["#\\s*include\\s*<boost/asio", "Boost.Asio"],
                ["#\\s*include\\s*<uv\\.h>", "libuv"],
                ["#\\s*include\\s*<event2/", "libevent"],
            ],
            "mutants": {
                "unlocked_call_soon_threadsafe": "RACE",
                "no_wakeup": "DEADLOCK",
                "lifo_equal_deadlines": "WRONG_RESULT",
                "timers_in_insertion_order": "WRONG_RESULT",
                "busy_poll": "BUSY_WAIT",
                "runs_new_callbacks_at_once": "STARVATION",
                "removed_reader_still_called": "WRONG_RESULT",
            },
        },
        {
            "name": "task",
            "title": "Task<T>: lazy coroutines, co_await chains by symmetric transfer, asyncio.run, sleep",
            "learner_files": ["task.h"],
            "points": 1,
            "builds_on": ["event_loop"],
            "forbidden": [
                ["#\\s*include\\s*<(cppcoro|folly|boost/asio|boost/cobalt)", "a coroutine library"],
            ],
            # Leaked coroutine frames are checked by LeakSanitizer too (task_test_asan).
            "asan": True,
            "mutants": {
                "no_symmetric_transfer": "CRASH",
                "exception_swallowed": "WRONG_RESULT",
                "frame_never_destroyed": "LEAK",
                "continuation_dropped": "DEADLOCK",
            },
        },
        {
            "name": "gather",
            "title": "create_task, gather and wait_for: concurrent tasks and real cancellation",
            "learner_files": ["gather.h"],
            "points": 1,
            "builds_on": ["event_loop", "task"],
            "forbidden": [],
            "asan": True,
            "mutants": {
                "sequential": "WRONG_RESULT",
                "exception_lost": "WRONG_RESULT",
                "timeout_without_cancel": "WRONG_RESULT",
                "cancel_abandons_task": "LEAK",
                # Only LeakSanitizer sees this one (gather_test_asan): a shared_ptr cycle.
                "state_cycle": "LEAK",
            },
        },
        {
            "name": "echo_server",
            "title": "An echo server on one thread: async read, write and accept, 500 clients at once",
            "learner_files": ["echo_server.h", "echo_server.cc"],
            "points": 1,
            "builds_on": ["event_loop", "task", "gather"],
            "grader_deps": ["//graders/async:test_thread"],
            "forbidden": [
                ["#\\s*include\\s*<(boost/asio|uv\\.h|event2/)", "an event library"],
                ["\\bstd::(thread|jthread|async)\\b", "threads (serve every client on the loop's thread)"],
            ],
            # Coroutine frames of connections that are never freed are LEAK (echo_server_test_asan).
            "asan": True,
            # Against libuv (Debian's libuv1-dev) on the same echo workload.
            "bench": True,
            "bench_linkopts": ["-luv"],
            "mutants": {
                "eagain_as_eof": "WRONG_RESULT",
                "partial_write_dropped": "WRONG_RESULT",
                "fd_leaked_on_error": "LEAK",
                "sigpipe_on_closed_peer": "CRASH",
                "one_client_at_a_time": "DEADLOCK",
            },
        },
    ],
}
