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
    ],
}
