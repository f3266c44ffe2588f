"""The `processes` track: processes, shared memory and IPC (subprocess, multiprocessing).

This file is the one place that describes each kata of the track; see exercises/sync/katas.bzl
for the meaning of each field. Every grader here also links graders/processes:process_checks
(after each test: no child process and no descriptor left behind, verdict LEAK) and may run
graders/processes:child_helper, found in its runfiles ("grader_data").
"""

TRACK = {
    "name": "processes",
    "title": "Processes: subprocesses, shared memory, IPC",
    "katas": [
        {
            "name": "run_process",
            "title": "subprocess.run: pipes without deadlock, a timeout that kills and reaps",
            "learner_files": ["run_process.h", "run_process.cc"],
            "points": 1,
            "forbidden": [
                ["\\bpopen\\s*\\(", "popen"],
                ["\\bsystem\\s*\\(", "system"],
            ],
            "mutants": {
                "write_then_read": "DEADLOCK",
                "timeout_not_reaped": "LEAK",
                "pipes_not_cloexec": "LEAK",
                "exec_failure_not_reported": "WRONG_RESULT",
                "sigpipe_kills": "CRASH",
            },
            "grader_deps": ["//graders/processes:process_checks"],
            "grader_data": ["//graders/processes:child_helper"],
        },
        {
            "name": "shared_counter",
            "title": "multiprocessing.Value: a counter in shared memory, a robust process-shared mutex",
            "learner_files": ["shared_counter.h", "shared_counter.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "private_mutex": "WRONG_RESULT",
                "not_robust": "DEADLOCK",
                "in_place_update": "WRONG_RESULT",
                "owner_dead_throws": "CRASH",
                "no_consistent": "CRASH",
            },
            "grader_deps": ["//graders/processes:process_checks"],
        },
        {
            "name": "process_pool",
            "title": "multiprocessing.Pool: forked workers, length-prefixed messages, a crashed worker",
            "learner_files": ["process_pool.h", "process_pool.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "single_read": "WRONG_RESULT",
                "no_drain_after_crash": "WRONG_RESULT",
                "hangs_on_dead_worker": "DEADLOCK",
                "destructor_no_wait": "LEAK",
            },
            "grader_deps": ["//graders/processes:process_checks"],
        },
        {
            "name": "shm_queue",
            "title": "multiprocessing.Queue: a bounded queue of messages in shared memory",
            "learner_files": ["shm_queue.h", "shm_queue.cc"],
            "points": 1,
            "forbidden": [],
            "mutants": {
                "private_condvars": "DEADLOCK",
                "signal_only_when_empty": "DEADLOCK",
                "push_overwrites_when_full": "WRONG_RESULT",
                "unlocked_copy_out": "WRONG_RESULT",
            },
            "grader_deps": ["//graders/processes:process_checks"],
        },
    ],
}
