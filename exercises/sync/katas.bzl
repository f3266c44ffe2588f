"""The `sync` track: locks, conditions, events, semaphores and queues.

This file is the one place that describes each kata of the track. The BUILD files, `./kata`
and the instructor's grader all read it; the hints live in each kata's page (<kata>.md).
  name           the kata, and the stem of its files
  title          one line for listings
  learner_files  the files of exercises/<track>/ the learner edits (and a submission provides)
  points         what the kata is worth in a gradebook
  forbidden      standard primitives the kata must not use, as (pattern, what it is) pairs
  mutants        known-buggy implementations under graders/<track>/mutants/<kata>/<bug>/,
                 each with the verdict its grader must give
Optional:
  builds_on      katas of the same track whose reference solution this kata links
  asan           true: the grader also runs under AddressSanitizer (<kata>_test_asan)
  bench          true: graders/<track>/<kata>_bench.cc is a Google Benchmark of the kata
                 (<kata>_bench in exercises/ and solutions/; bazel run --config=bench ...)
  deps, grader_deps  extra Bazel dependencies of the kata's library, of its grader
"""

TRACK = {
    "name": "sync",
    "title": "Synchronisation: locks, conditions, events, semaphores, queues",
    "katas": [
        {
            "name": "counter",
            "title": "A thread-safe counter, and one atomic check-then-act",
            "learner_files": ["counter.h", "counter.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "unlocked": "RACE",
                "unlocked_read": "RACE",
                "split_check_then_act": "WRONG_RESULT",
                "load_then_store": "WRONG_RESULT",
            },
        },
    ],
}
