"""The `threads` track: creating threads, joining them, and their lifecycle.

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field.
"""

TRACK = {
    "name": "threads",
    "title": "Threads: creating, joining and stopping them",
    "katas": [
        {
            "name": "spawn_join",
            "title": "Run n calls at once and collect their results",
            "learner_files": ["spawn_join.h", "spawn_join.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "one_after_another": "WRONG_RESULT",
                "shared_push_back": "RACE",
                "exception_swallowed": "WRONG_RESULT",
                "throw_before_join": "CRASH",
            },
        },
        {
            "name": "worker",
            "title": "A thread object with threading.Thread's lifecycle: start, join, join_for, is_alive",
            "learner_files": ["worker.h", "worker.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "racy_is_alive": "RACE",
                "join_for_sleeps": "WRONG_RESULT",
                "join_for_no_predicate": "WRONG_RESULT",
                "double_start_terminates": "CRASH",
                "no_join_in_destructor": "CRASH",
                "join_twice_throws": "CRASH",
            },
        },
        {
            "name": "ticker",
            "title": "A ticking background thread that stops at once: std::jthread and std::stop_token",
            "learner_files": ["ticker.h", "ticker.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "stop_sleeps": "WRONG_RESULT",
                "tick_after_stop": "WRONG_RESULT",
                "ticks_on_stop": "WRONG_RESULT",
                "racy_count": "RACE",
                "double_stop_throws": "CRASH",
            },
        },
    ],
}
