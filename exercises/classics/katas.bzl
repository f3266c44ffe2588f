"""The `classics` track: the problems every concurrency course uses.

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field. The graders of print_in_order, fizzbuzz and h2o share
graders/classics/busy_wait.h (what a waiting thread cost in CPU time and context switches: the
BUSY_WAIT checks).
"""


TRACK = {
    "name": "classics",
    "title": "Classics: print in order, FizzBuzz, H2O, dining philosophers, a web crawler",
    "katas": [
        {
            "name": "print_in_order",
            "title": "Three threads in any order print first, second, third: waiting without spinning",
            "learner_files": ["print_in_order.h", "print_in_order.cc"],
            "points": 1,
            "forbidden": [],
            "grader_deps": ["//graders/classics:busy_wait"],
            "mutants": {
                "spins_on_atomic": "BUSY_WAIT",
                "sleep_polls": "BUSY_WAIT",
                "notify_one": "DEADLOCK",
                "third_waits_for_first_only": "WRONG_RESULT",
                "unlocked_check": "RACE",
            },
        },
        {
            "name": "fizzbuzz",
            "title": "FizzBuzz on four threads: one sequence, taking turns, everybody home at the end",
            "learner_files": ["fizzbuzz.h", "fizzbuzz.cc"],
            "points": 1,
            "forbidden": [],
            "grader_deps": ["//graders/classics:busy_wait"],
            "mutants": {
                "wait_if_not_while": "WRONG_RESULT",
                "no_notify_after_last": "DEADLOCK",
                "unlocked_end_check": "RACE",
                "polls_with_yield": "BUSY_WAIT",
            },
        },
        {
            "name": "h2o",
            "title": "Building H2O: hydrogen and oxygen threads leave in molecules of three",
            "learner_files": ["h2o.h", "h2o.cc"],
            "points": 1,
            "forbidden": [],
            "grader_deps": ["//graders/classics:busy_wait"],
            "mutants": {
                "hydrogens_reopen_early": "WRONG_RESULT",
                "notify_one": "DEADLOCK",
                "unlocked_bond_count": "RACE",
            },
        },
        {
            "name": "dining_philosophers",
            "title": "The dining philosophers: no deadlock, no starvation, non-neighbours eat in parallel",
            "learner_files": ["dining_philosophers.h", "dining_philosophers.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "all_pick_left": "LOCK_ORDER",
                "one_big_lock": "WRONG_RESULT",
                "naive_monitor": "STARVATION",
                "checks_left_neighbour_only": "WRONG_RESULT",
            },
        },
        {
            "name": "web_crawler",
            "title": "A multithreaded crawler: each page once, and the end only when nothing is in flight",
            "learner_files": ["web_crawler.h", "web_crawler.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "stops_when_frontier_empty": "WRONG_RESULT",
                "idle_workers_never_told": "DEADLOCK",
                "check_then_insert": "WRONG_RESULT",
                "fetch_under_lock": "WRONG_RESULT",
                "unlocked_seen": "RACE",
            },
        },
    ],
}
