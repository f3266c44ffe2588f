"""One grader run of one kata turned into what people and tools need: a verdict and why."""

import dataclasses
import re

import verdicts as v


@dataclasses.dataclass
class Outcome:
    verdict: str                  # PASS, NOT_STARTED, BUILD_ERROR, RACE, ...
    failures: list                # verdicts.Verdict, one per failing test
    log: str = ""                 # path of the grader's log
    compiler_error: tuple = None  # (file, line, message) for BUILD_ERROR
    build_output: str = ""
    learner_lines: list = dataclasses.field(default_factory=list)
    passed_tests: int = 0
    total_tests: int = 0
    seconds: float = 0.0
    seed: str = ""
    verdict_seconds: float = 0.0  # time from start to the first verdict (or the whole run)


def from_result(result, impl_prefix, run=0):
    """The Outcome of run `run` of a bazel.TargetResult; impl_prefix is where the code under
    test lives ("exercises/sync/"), to pick its lines out of reports."""
    if result.status == "BUILD_ERROR" or (not result.logs and result.status != "PASSED"):
        error = v.first_compiler_error(result.build_error, impl_prefix)
        return Outcome("BUILD_ERROR", [], compiler_error=error,
                       build_output=result.build_error)
    log = result.logs[min(run, len(result.logs) - 1)] if result.logs else ""
    text = v.read(log)
    status = result.run_statuses[min(run, len(result.run_statuses) - 1)] \
        if result.run_statuses else result.status
    failures = v.verdicts_in(text)
    if status == "PASSED" and not failures:
        verdict = "PASS"
    else:
        if not failures:
            failures = [v.verdict_without_lines(text, status)]
        verdict = v.kata_verdict(failures)
    passed = re.search(r"\[  PASSED  \] (\d+) test", text)
    ran = re.search(r"\[==========\] (\d+) tests? from", text)
    seed = re.search(r"^kata: level=\S+ seed=(\d+)", text, re.M)
    first_verdict = re.search(r"^kata: verdict after ([\d.]+) s", text, re.M)
    seconds = result.durations[min(run, len(result.durations) - 1)] if result.durations else 0.0
    return Outcome(
        verdict=verdict,
        failures=failures,
        log=log,
        learner_lines=v.learner_lines(text, impl_prefix) if verdict != "PASS" else [],
        passed_tests=int(passed.group(1)) if passed else 0,
        total_tests=int(ran.group(1)) if ran else 0,
        seconds=seconds,
        seed=seed.group(1) if seed else "",
        verdict_seconds=float(first_verdict.group(1)) if first_verdict else seconds,
    )


def combined(tsan, asan):
    """One kata's outcome from its ThreadSanitizer run and its AddressSanitizer run (None when
    the kata has none). The verdict is the ThreadSanitizer run's, unless that run passed; the
    failures of both are kept (the AddressSanitizer ones say so in their detail), so a verdict
    that only the AddressSanitizer run gives (a LEAK found by LeakSanitizer) is never lost."""
    if asan is None:
        return tsan
    marked = [v.Verdict(f.cls, f.test, f"(AddressSanitizer build) {f.detail}")
              for f in asan.failures]
    if tsan.verdict == "PASS":
        if asan.verdict == "PASS":
            tsan.passed_tests += asan.passed_tests
            tsan.total_tests += asan.total_tests
            tsan.seconds += asan.seconds
            return tsan
        asan.failures = marked
        return asan
    if asan.verdict not in ("PASS", "BUILD_ERROR"):
        tsan.failures = tsan.failures + marked
    return tsan
