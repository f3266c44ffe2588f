"""The `sync` track: locks, conditions, events, semaphores and queues.

This file is the one place that describes each kata of the track. The BUILD files, `./kata`
and the instructor's grader all read it; the hints live in each kata's page (<kata>.md).
  name           the kata, and the stem of its files
  title          one line for listings
  learner_files  the files of exercises/<track>/ the learner edits (and a submission provides)
  points         what the kata is worth in a gradebook
  forbidden      standard primitives the kata must not use, as (pattern, what it is) pairs
  mutants        known-buggy implementations under graders/<track>/mutants/<kata>/<bug>/
                 (each changed file as <file>.diff against the solution: tools/mutant_diff.py),
                 each with the verdict its grader must give
Optional:
  builds_on      katas of the same track whose reference solution this kata links
  asan           true: the grader also runs under AddressSanitizer (<kata>_test_asan)
  bench          true: graders/<track>/<kata>_bench.cc is a Google Benchmark of the kata
                 (<kata>_bench in exercises/ and solutions/; bazel run --config=bench ...)
  deps, grader_deps  extra Bazel dependencies of the kata's library, of its grader
  bench_deps, bench_linkopts  what the benchmark needs besides the kata (a library to compare)
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
        {
            "name": "bank",
            "title": "Accounts with a lock each: transfers without deadlock, totals without tears",
            "learner_files": ["bank.h", "bank.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "lock_from_then_to": "LOCK_ORDER",
                "self_transfer_double_lock": "DEADLOCK",
                "scoped_lock_same_mutex": "DEADLOCK",
                "torn_total": "WRONG_RESULT",
                "unlocked_total": "RACE",
                "check_then_lock": "WRONG_RESULT",
                "read_then_write": "WRONG_RESULT",
            },
        },
        {
            "name": "reentrant_lock",
            "title": "threading.RLock: a lock its owner may take again, from a mutex and a condition variable",
            "learner_files": ["reentrant_lock.h", "reentrant_lock.cc"],
            "points": 1,
            "forbidden": [
                ["\\brecursive_mutex\\b", "std::recursive_mutex"],
                ["\\brecursive_timed_mutex\\b", "std::recursive_timed_mutex"],
                ["\\bPTHREAD_MUTEX_RECURSIVE", "PTHREAD_MUTEX_RECURSIVE (a recursive pthread mutex)"],
                ["\\bPTHREAD_RECURSIVE_MUTEX_INITIALIZER", "PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP (a recursive pthread mutex)"],
            ],
            "mutants": {
                "wait_if_not_while": "WRONG_RESULT",
                "depth_not_counted": "WRONG_RESULT",
                "non_owner_unlock": "WRONG_RESULT",
                "no_notify": "DEADLOCK",
                "unlocked_owner_read": "RACE",
                "try_lock_for_sleeps": "WRONG_RESULT",
                "std_recursive_mutex": "FORBIDDEN",
            },
        },
        {
            "name": "semaphore",
            "title": "threading.Semaphore and BoundedSemaphore from a mutex and a condition variable",
            "learner_files": ["semaphore.h", "semaphore.cc"],
            "points": 1,
            "forbidden": [
                ["\\bcounting_semaphore\\b", "std::counting_semaphore"],
                ["\\bbinary_semaphore\\b", "std::binary_semaphore"],
                ["\\bsem_(init|destroy|wait|trywait|timedwait|clockwait|post|getvalue|open|close|unlink)\\b", "POSIX sem_*"],
                ["\\bsem_t\\b", "POSIX sem_t"],
            ],
            "mutants": {
                "wait_if_not_while": "WRONG_RESULT",
                "release_notifies_one": "DEADLOCK",
                "timeout_never_fires": "DEADLOCK",
                "timeout_returns_immediately": "WRONG_RESULT",
                "bounded_release_unchecked": "WRONG_RESULT",
                "bounded_split_check": "WRONG_RESULT",
                "unlocked_try_acquire": "RACE",
                "std_counting_semaphore": "FORBIDDEN",
            },
        },
        {
            "name": "event",
            "title": "threading.Event: a flag that threads wait for, without lost wake-ups",
            "learner_files": ["event.h", "event.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "no_predicate": "DEADLOCK",
                "check_outside_lock": "DEADLOCK",
                "notify_one": "DEADLOCK",
                "wakeup_means_set": "WRONG_RESULT",
                "unlocked_is_set": "RACE",
            },
        },
        {
            "name": "blocking_queue",
            "title": "queue.Queue: a bounded producer-consumer queue with task_done, join and close",
            "learner_files": ["blocking_queue.h"],
            "points": 1,
            "forbidden": [],
            # Against TBB's concurrent_bounded_queue and moodycamel's BlockingConcurrentQueue.
            "bench": True,
            "bench_linkopts": ["-ltbb"],
            "mutants": {
                "close_notify_one": "DEADLOCK",
                "shared_cv_notify_one": "DEADLOCK",
                "capacity_off_by_one": "WRONG_RESULT",
                "unlocked_size": "RACE",
                "join_when_taken": "WRONG_RESULT",
                "wakeup_means_closed": "WRONG_RESULT",
                "split_front_pop": "WRONG_RESULT",
            },
        },
        {
            "name": "barrier",
            "title": "threading.Barrier: reusable rendezvous with an action, abort and reset",
            "learner_files": ["barrier.h", "barrier.cc"],
            "points": 1,
            "forbidden": [
                ["\\bstd::barrier\\b", "std::barrier"],
                ["\\bstd::latch\\b", "std::latch"],
                ["\\bpthread_barrier_", "pthread_barrier_*"],
                ["#\\s*include\\s*<(barrier|latch)>", "the <barrier> or <latch> header"],
            ],
            "mutants": {
                "no_generation": "DEADLOCK",
                "lapping_index": "WRONG_RESULT",
                "action_after_release": "WRONG_RESULT",
                "action_in_every_thread": "WRONG_RESULT",
                "abort_ignored": "DEADLOCK",
                "std_barrier": "FORBIDDEN",
            },
        },
        {
            "name": "rw_lock",
            "title": "A writer-preferring readers-writer lock from a mutex and conditions",
            "learner_files": ["rw_lock.h", "rw_lock.cc"],
            "points": 1,
            "forbidden": [
                # Not after "<": #include <shared_mutex> is allowed, for std::shared_lock.
                ["(^|[^<\\w])shared_mutex\\b", "std::shared_mutex"],
                ["(^|[^<\\w])shared_timed_mutex\\b", "std::shared_timed_mutex"],
                ["\\bpthread_rwlock_", "pthread_rwlock_*"],
            ],
            "mutants": {
                "reader_preferring": "STARVATION",
                "readers_serialised": "WRONG_RESULT",
                "writer_ignores_readers": "WRONG_RESULT",
                "unlocked_unlock_shared": "RACE",
                "std_shared_mutex": "FORBIDDEN",
            },
        },
        {
            "name": "lazy",
            "title": "A value built once on first use: double-checked locking done right",
            "learner_files": ["lazy.h"],
            "points": 1,
            "forbidden": [
                ["\\bcall_once\\b", "std::call_once"],
                ["\\bonce_flag\\b", "std::once_flag"],
                ["\\bstatic\\b", "the keyword static (function-local statics)"],
            ],
            "mutants": {
                "call_once": "FORBIDDEN",
                "static_constants": "FORBIDDEN",
                "factory_outside_lock": "WRONG_RESULT",
                "relaxed_flag": "RACE",
                "plain_flag": "RACE",
                "poisoned": "WRONG_RESULT",
                "stuck_after_throw": "DEADLOCK",
                "locked_fast_path": "WRONG_RESULT",
            },
        },
    ],
}
