"""Running graders with Bazel and reading back, per target, what happened.

Every run writes a Build Event Protocol file; results come from it (status, log files, the
stderr of a failed compile) rather than from Bazel's human-readable output.
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from catalog import ROOT
from ui import ui

STATE_DIR = ROOT / ".kata"


def bazel_binary():
    found = shutil.which("bazel")
    return found if found else str(ROOT / "tools" / "bazel")


@dataclasses.dataclass
class TargetResult:
    label: str
    status: str = "NO_STATUS"      # PASSED, FAILED, TIMEOUT, FLAKY, BUILD_ERROR, NO_STATUS
    logs: list = dataclasses.field(default_factory=list)       # one per run
    run_statuses: list = dataclasses.field(default_factory=list)
    durations: list = dataclasses.field(default_factory=list)  # seconds, one per run
    build_error: str = ""          # compiler output of the failed action

    def passed(self):
        return self.status == "PASSED"


@dataclasses.dataclass
class RunOutcome:
    results: dict           # label -> TargetResult
    exit_code: int
    bazel_log: Path
    seconds: float
    problem: str = ""       # Bazel itself failed (bad BUILD file, crash, interrupted)


def _path_of(uri):
    return unquote(urlparse(uri).path) if uri.startswith("file://") else uri


def run_tests(targets, level="quick", seed=None, runs_per_test=None, extra_flags=(),
              cache_results=False, label="grading", noise=None):
    """`bazel test` on `targets`; returns a RunOutcome. Shows progress while it runs."""
    STATE_DIR.mkdir(exist_ok=True)
    (STATE_DIR / "logs").mkdir(exist_ok=True)
    bep = Path(tempfile.mkstemp(prefix="bep-", suffix=".json", dir=STATE_DIR)[1])
    bazel_log = STATE_DIR / "logs" / f"bazel-{label}.log"
    command = [bazel_binary(), "test", "--keep_going", "--color=no", "--curses=no",
               "--show_progress_rate_limit=2", f"--build_event_json_file={bep}",
               "--test_output=summary"]
    if level == "thorough":
        command.append("--config=thorough")
    if seed is not None:
        command.append(f"--test_env=KATA_SEED={seed}")
    if noise is not None:
        command.append(f"--test_env=KATA_NOISE={1 if noise else 0}")
    if runs_per_test:
        command.append(f"--runs_per_test={runs_per_test}")
    if not cache_results:
        command.append("--nocache_test_results")
    command += list(extra_flags)
    command += ["--"] + list(targets)
    started = time.monotonic()
    exit_code = _run_with_progress(command, bazel_log)
    seconds = time.monotonic() - started
    results = {t: TargetResult(t) for t in targets}
    _read_bep(bep, results)
    bep.unlink(missing_ok=True)
    _keep_logs(results, STATE_DIR / "logs" / label)
    problem = ""
    if exit_code not in (0, 3, 4) and not any(r.status != "NO_STATUS" for r in results.values()):
        # 1: build failure (handled per target), 3: tests failed, 4: no tests; others: Bazel.
        if exit_code != 1:
            problem = _tail(bazel_log)
    if exit_code == 1 and all(r.status == "NO_STATUS" for r in results.values()):
        problem = _tail(bazel_log)
    return RunOutcome(results, exit_code, bazel_log, seconds, problem)


ASAN_FLAGS = ("--config=asan",)
ASAN_FLAGS_LIST = list(ASAN_FLAGS)


def run_tests_with_asan(targets, asan_targets, label="grading", **options):
    """run_tests() on `targets` (ThreadSanitizer), then on `asan_targets` with --config=asan
    (their own output directory): one RunOutcome whose results hold both sets of labels."""
    run = run_tests(targets, label=label, **options)
    if run.problem or not asan_targets:
        return run
    extra = tuple(options.pop("extra_flags", ())) + ASAN_FLAGS
    asan = run_tests(asan_targets, label=label + "-asan", extra_flags=extra, **options)
    run.results.update(asan.results)
    run.seconds += asan.seconds
    run.problem = asan.problem
    if asan.exit_code not in (0, 3, 4) and run.exit_code in (0, 3, 4):
        run.exit_code = asan.exit_code
    return run


def _keep_logs(results, directory):
    """Copies each test log out of bazel-testlogs, which the next run of the same target
    overwrites (the selftest runs mutants twice), and points the results at the copies."""
    if directory.exists():
        shutil.rmtree(directory)
    for result in results.values():
        kept = []
        for run, log in enumerate(result.logs):
            name = result.label.strip("/").replace("/", "_").replace(":", "_")
            copy = directory / f"{name}.run{run + 1}.log"
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(log, copy)
                kept.append(str(copy))
            except OSError:
                kept.append(log)
        result.logs = kept


def _tail(path, lines=25):
    text = path.read_text(errors="replace").splitlines()
    errors = [l for l in text if l.startswith("ERROR")]
    return "\n".join((errors or text)[-lines:])


def _run_with_progress(command, log_path):
    """Runs Bazel, keeping its whole output in `log_path` and showing one progress line."""
    tty = sys.stdout.isatty()
    last_print = 0.0
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(command) + "\n")
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        try:
            for line in process.stdout:
                log.write(line)
                text = line.strip()
                if not text.startswith("[") and not text.startswith("INFO: Analyzed"):
                    continue
                now = time.monotonic()
                if tty:
                    width = shutil.get_terminal_size((100, 20)).columns - 1
                    sys.stdout.write("\r\033[K" + ui.dim(text[:width]))
                    sys.stdout.flush()
                elif now - last_print > 30:
                    print("  " + text[:150], flush=True)
                    last_print = now
            process.wait()
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
        finally:
            if tty:
                sys.stdout.write("\r\033[K")
                sys.stdout.flush()
    return process.returncode


def _read_bep(path, results):
    failed_actions = []  # (label, stderr path)
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        ident = event.get("id", {})
        if "testResult" in ident:
            label = ident["testResult"]["label"]
            result = results.setdefault(label, TargetResult(label))
            payload = event.get("testResult", {})
            status = payload.get("status", "NO_STATUS")
            result.run_statuses.append(status)
            for output in payload.get("testActionOutput", []):
                if output.get("name") == "test.log":
                    result.logs.append(_path_of(output.get("uri", "")))
            millis = payload.get("testAttemptDurationMillis")
            if millis is not None:
                result.durations.append(int(millis) / 1000)
        elif "testSummary" in ident:
            label = ident["testSummary"]["label"]
            result = results.setdefault(label, TargetResult(label))
            result.status = event.get("testSummary", {}).get("overallStatus", result.status)
        elif "targetCompleted" in ident:
            label = ident["targetCompleted"]["label"]
            # Protobuf's JSON leaves out false booleans: no "success" means it failed.
            if label in results and (event.get("aborted") or
                                     not event.get("completed", {}).get("success", False)):
                results[label].status = "BUILD_ERROR"
        elif "actionCompleted" in ident:
            action = event.get("action", {})
            if not action.get("success", False):
                stderr = action.get("stderr", {}).get("uri", "")
                failed_actions.append((ident["actionCompleted"].get("label", ""),
                                       _path_of(stderr) if stderr else ""))
    for result in results.values():
        if result.status == "NO_STATUS" and not result.logs:
            result.status = "BUILD_ERROR" if failed_actions else "NO_STATUS"
        if result.status == "BUILD_ERROR":
            package = result.label.split(":")[0]
            texts = [Path(p).read_text(errors="replace") for l, p in failed_actions
                     if p and os.path.exists(p) and l.split(":")[0] == package]
            texts = texts or [Path(p).read_text(errors="replace") for _, p in failed_actions
                              if p and os.path.exists(p)]
            result.build_error = "\n".join(texts)
        if result.status == "NO_STATUS" and result.run_statuses:
            result.status = "FAILED" if any(s != "PASSED" for s in result.run_statuses) else "PASSED"
