"""The `models` track: choosing a concurrency model (threads, async tasks, processes, the GIL).

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field. Every kata of this track has a benchmark ("bench": True):
graders/models/<kata>_bench.cc, run optimised and without a sanitizer by
`./kata bench models/<kata>`, prints the comparison the kata is about.
"""

TRACK = {
    "name": "models",
    "title": "Models: threads, async tasks, processes, and the GIL",
    "katas": [
        {
            "name": "parallel_sum",
            "title": "One CPU-bound sum four ways: sequential, threads, std::async, forked processes",
            "learner_files": ["parallel_sum.h", "parallel_sum.cc"],
            "points": 1,
            "bench": True,
            "forbidden": [],
            "mutants": {
                "remainder_dropped": "WRONG_RESULT",
                "shared_total": "RACE",
                "deferred_async": "WRONG_RESULT",
                "no_waitpid": "LEAK",
                "read_ends_leaked": "LEAK",
                "parent_keeps_write_ends": "DEADLOCK",
            },
        },
        {
            "name": "false_sharing",
            "title": "Per-thread counters on cache lines of their own, and a parallel count",
            "learner_files": ["false_sharing.h", "false_sharing.cc"],
            "points": 1,
            "bench": True,
            "forbidden": [],
            "mutants": {
                "packed": "WRONG_RESULT",
                "half_line_padding": "WRONG_RESULT",
                "remainder_dropped": "WRONG_RESULT",
                "read_before_join": "RACE",
                "threads_not_joined": "CRASH",
            },
        },
        {
            "name": "gil",
            "title": "A toy GIL as CPython 3.2+ schedules it: drop requests and forced switching",
            "learner_files": ["gil.h", "gil.cc"],
            "points": 1,
            "bench": True,
            "forbidden": [],
            "mutants": {
                "two_holders": "WRONG_RESULT",
                "never_yields": "STARVATION",
                "retakes_at_once": "WRONG_RESULT",
                "no_drop_request": "STARVATION",
                "plain_drop_flag": "RACE",
            },
        },
    ],
}
