"""The `futures` track: executors, futures and callbacks (concurrent.futures).

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field. The executor and the combinators build on the earlier katas
("builds_on"): they link the reference future (and executor), so an unfinished future never
blocks them.
"""

TRACK = {
    "name": "futures",
    "title": "Futures: executors, futures, callbacks",
    "katas": [
        {
            "name": "future",
            "title": "concurrent.futures.Future: promise and future, cancel, done-callbacks",
            "learner_files": ["future.h"],
            "points": 1,
            "forbidden": [
                ["\\bpromise\\s*<", "std::promise"],
                ["\\bshared_future\\b", "std::shared_future"],
                ["\\bfuture\\s*<", "std::future"],
                ["\\bpackaged_task\\b", "std::packaged_task"],
                ["#\\s*include\\s*<future>", "the <future> header"],
            ],
            "mutants": {
                "callback_lost": "WRONG_RESULT",
                "callback_twice": "WRONG_RESULT",
                "notify_before_set": "DEADLOCK",
                "cancel_running": "WRONG_RESULT",
                "void_exception_swallowed": "WRONG_RESULT",
                "unlocked_status": "RACE",
                "std_shared_future": "FORBIDDEN",
            },
        },
        {
            "name": "executor",
            "title": "concurrent.futures.ThreadPoolExecutor: a bounded pool, submit, shutdown",
            "learner_files": ["executor.h", "executor.cc"],
            "points": 1,
            "builds_on": ["future"],
            "forbidden": [
                ["\\bstd::async\\b", "std::async"],
                ["\\basync\\s*\\(", "std::async"],
            ],
            "mutants": {
                "thread_per_task": "WRONG_RESULT",
                "unlocked_submit": "RACE",
                "drops_queue_at_shutdown": "WRONG_RESULT",
                "shutdown_notify_one": "DEADLOCK",
                "detached_workers": "WRONG_RESULT",
                "task_under_lock": "DEADLOCK",
                "std_async": "FORBIDDEN",
            },
        },
        {
            "name": "combinators",
            "title": "map, as_completed and wait: consuming many futures in the order they finish",
            "learner_files": ["combinators.h"],
            "points": 1,
            "builds_on": ["future", "executor"],
            "forbidden": [],
            "mutants": {
                "polls_in_input_order": "WRONG_RESULT",
                "already_done_twice": "WRONG_RESULT",
                "first_exception_waits_all": "WRONG_RESULT",
                "timeout_ignored": "DEADLOCK",
                "map_throws_early": "WRONG_RESULT",
                "unlocked_ready_queue": "RACE",
            },
        },
    ],
}
