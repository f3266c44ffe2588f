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
    ],
}
