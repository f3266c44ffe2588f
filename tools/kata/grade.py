"""./kata grade: grade a whole class's submissions, isolated from each other and from the
instructor's tree, and write a gradebook, a report, JUnit XML and results.json files.

    ./kata grade SUBMISSION... --out DIR [--tracks LIST] [--katas LIST]
                 [--level quick|thorough] [--jobs N]

How (docs/grading.md says more):
  - Each submission is read by submission.py: only the learner files the katas declare
    (exercises/<track>/<file>), from a directory, a git repository's HEAD or an archive, never
    following or creating links. A missing file means the skeleton.
  - Each job j has a copy of the instructor's tree, DIR/.work/tree-<j> (the files git knows,
    without the reference solutions no kata builds on), and its own Bazel output base,
    DIR/.work/base-<j>. A submission's files are laid over the tree, the katas' graders are
    run by `bazel test`, and everything is put back. All jobs share one disk cache,
    DIR/.work/cache, so graders, GoogleTest and unchanged files are built once for the class.
  - Every action runs in Bazel's linux-sandbox: a read-only file system, no network, /tmp and
    /dev/shm private, and blocked: the instructor's repository (or its solutions, .git,
    exercises and graders when DIR is inside it), the other jobs' trees and output bases, the
    submissions themselves, the results, and /root. Each grader runs under
    tools/grading/limits.py (no capabilities, its own PID namespace, limits on CPU time, wall
    time, memory, processes, file size and output), which turns a kill into a verdict.
"""

import dataclasses
import datetime
import fcntl
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import bazel
import catalog
import gradebook as gb
import outcome as outcomes
import results_json
import submission as submissions
import verdicts as v
from catalog import ROOT
from ui import ui

LEVELS = ("quick", "thorough")

# Limits of one grader run (tools/grading/limits.py). Bazel's own timeout comes after the wall
# limit, as the last resort.
WALL_SECONDS = {"quick": 300, "thorough": 900}
LIMITS = {"memory": 2048, "processes": 32, "file-size": 64, "output": 16}
WORKSPACE = "concurrency_katas"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")   # clang colours its diagnostics


@dataclasses.dataclass
class Options:
    out: Path
    katas: list
    level: str = "thorough"
    jobs: int = 1
    memory_mib: int = LIMITS["memory"]
    verbose: bool = False
    bazel_flags: list = dataclasses.field(default_factory=list)
    wait_for_lock: float = 0     # seconds to wait for another run using the same DIR


# The command ------------------------------------------------------------------------------

def add_command(sub):
    """Registers `./kata grade` (main.py calls this)."""
    p = sub.add_parser(
        "grade", help="instructors: grade a class's submissions into a gradebook and a report",
        description="Grade learners' submissions (directories, git repositories, .tar.gz or "
                    ".zip archives of their copy of this repository), each isolated in Bazel's "
                    "linux-sandbox under resource limits. Writes DIR/gradebook.csv, "
                    "DIR/report.html, DIR/junit.xml and DIR/learners/<name>/<track>/<kata>/"
                    "results.json. See docs/grading.md.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    p.add_argument("--out", required=True, metavar="DIR", help="where to write the results")
    p.add_argument("--tracks", metavar="LIST",
                   help="comma-separated tracks (or track/kata) to grade; default: all")
    p.add_argument("--katas", metavar="LIST",
                   help="comma-separated katas (track/kata) to grade, within --tracks")
    p.add_argument("--level", choices=LEVELS, default="thorough",
                   help="stress level (default thorough)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="submissions graded at once, each with its own tree and Bazel server "
                        "(default: half the cores, at least 2 and at most 8)")
    p.add_argument("--memory", type=int, default=LIMITS["memory"], metavar="MIB",
                   help=f"resident memory allowed to one grader (default {LIMITS['memory']})")
    p.add_argument("--bazel-flag", action="append", default=[], metavar="FLAG",
                   help="one more Bazel flag for every build, e.g. --bazel-flag=--config=remote "
                        "(a remote cache for big classes: docs/grading.md); repeatable")
    p.add_argument("--verbose", action="store_true", help="show Bazel's command lines")
    p.set_defaults(func=cmd_grade)


def _split(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def cmd_grade(args):
    import setup
    tracks = catalog.load()
    katas = catalog.select(_split(args.tracks), tracks)
    if args.katas:
        chosen = catalog.select(_split(args.katas), tracks)
        katas = [k for k in katas if k in chosen]
    if not katas:
        ui.error("no kata to grade: --katas names none of the --tracks")
        return 2
    if not setup.ensure(("grading",)):
        return 2
    setup.fix_mmap_rnd_bits()
    cores = os.cpu_count() or 1
    jobs = args.jobs or (1 if cores < 2 else max(2, min(cores // 2, 8)))
    options = Options(out=Path(args.out).resolve(), katas=katas, level=args.level,
                      jobs=max(1, jobs), memory_mib=args.memory, verbose=args.verbose,
                      bazel_flags=list(args.bazel_flag))
    return run([Path(s) for s in args.submissions], options)


# Instructor's trees -----------------------------------------------------------------------

# Never part of a grading tree (when the repository is not a git checkout).
_NOT_INSTRUCTOR = (".git", ".kata", "__pycache__", "compile_commands.json", "user.bazelrc")


def instructor_files():
    """The instructor's files, relative to ROOT: what git tracks, and new files it does not
    ignore (a kata being written), as they are in the working tree. Without git, every file
    but Bazel's output links, .kata/ and the like."""
    proc = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard"], capture_output=True)
    if proc.returncode == 0:
        names = {n for n in proc.stdout.decode().split("\0") if n}
    else:
        names = set()
        for path in ROOT.rglob("*"):
            rel = path.relative_to(ROOT)
            if any(part in _NOT_INSTRUCTOR or part.startswith("bazel-") for part in rel.parts):
                continue
            names.add(rel.as_posix())
    return sorted(n for n in names if (ROOT / n).is_file() and not (ROOT / n).is_symlink())


def _builds_on(kata):
    data = catalog._read_assignment(ROOT / "exercises" / kata.track / "katas.bzl", "TRACK")
    for entry in data["katas"]:
        if entry["name"] == kata.name:
            return entry.get("builds_on", [])
    return []


def solutions_needed(katas):
    """Reference solution files the graded katas link (their "builds_on"); the others stay
    out of the grading trees."""
    by_id = {k.id: k for k in catalog.all_katas()}
    needed = set()
    for kata in katas:
        for name in _builds_on(kata):
            base = by_id.get(f"{kata.track}/{name}")
            if base:
                needed.update(f"solutions/{kata.track}/{f}" for f in base.learner_files)
    return needed


def make_tree(tree, files, keep_solutions):
    """A fresh copy of the instructor's files at `tree`: no reference solution (but their
    BUILD files, and what `keep_solutions` names), nothing a learner wrote."""
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    for name in files:
        parts = name.split("/")
        if parts[0] == "solutions" and len(parts) > 2 and parts[-1] != "BUILD" \
                and name not in keep_solutions:
            continue
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    os.chmod(tree / "tools" / "grading" / "limits.py", 0o755)


# Bazel ------------------------------------------------------------------------------------

class Job:
    """One grading tree, its Bazel server and output base."""

    def __init__(self, index, options, work):
        self.index = index
        self.options = options
        self.work = work
        self.tree = work / f"tree-{index}"
        self.base = work / f"base-{index}"
        self.blocked = []
        self.process = None      # the Bazel client running now
        self.stopping = False

    def startup(self):
        return [bazel.bazel_binary(), f"--output_base={self.base}", "--max_idle_secs=900"]

    def flags(self, for_test=True):
        cores = os.cpu_count() or 1
        share = max(1, cores // self.options.jobs)
        wall = WALL_SECONDS[self.options.level]
        flags = [
            "--color=no", "--curses=no", "--show_progress_rate_limit=5",
            f"--disk_cache={self.work / 'cache'}",
            "--spawn_strategy=linux-sandbox",
            "--nosandbox_debug",   # Bazel 4.2.3 here would put its debug lines in every log
            "--nosandbox_default_allow_network",
            "--sandbox_tmpfs_path=/dev/shm",
            f"--jobs={share}",
        ]
        private = [Path("/dev/shm")]
        if not _is_within(self.work, Path("/tmp")):
            flags.append("--sandbox_tmpfs_path=/tmp")
            private.append(Path("/tmp"))
        # What an empty /tmp already hides cannot be blocked (the sandbox mounts over it).
        flags += [f"--sandbox_block_path={p}" for p in self.blocked
                  if not any(_is_within(p, d) for d in private)]
        limits = [f"--wall={wall}", f"--cpu={2 * wall}", f"--memory={self.options.memory_mib}",
                  f"--processes={LIMITS['processes']}", f"--file-size={LIMITS['file-size']}",
                  f"--output={LIMITS['output']}"]
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
        flags.append("--run_under=" + " ".join(
            [python, "-B", "-S", str(self.tree / "tools" / "grading" / "limits.py")] + limits))
        flags += list(self.options.bazel_flags)
        if for_test:
            flags += ["--keep_going", "--nocache_test_results", f"--local_test_jobs={share}",
                      f"--test_timeout={wall + 60}", "--test_output=summary",
                      "--test_summary=terse"]
            if self.options.level == "thorough":
                flags.append("--config=thorough")
        return flags

    def run(self, command, log_path, timeout):
        """Runs Bazel in the tree; returns its exit code (None when it ran out of time)."""
        with open(log_path, "w") as log:
            log.write("$ " + " ".join(command) + "\n")
            log.flush()
            if self.stopping:
                return None
            process = subprocess.Popen(command, cwd=self.tree, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            self.process = process
            try:
                return process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGINT)   # Bazel cancels the build
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                return None
            except KeyboardInterrupt:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                raise
            finally:
                self.process = None

    def stop(self):
        """Interrupted: no new build, and the running one cancelled."""
        self.stopping = True
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)

    def shutdown(self):
        subprocess.run(self.startup() + ["shutdown"], cwd=self.tree, capture_output=True,
                       timeout=120)

    def clean_learner_outputs(self):
        """Removes what the previous submission left in the output base (its objects, test
        binaries and logs), which the next one's sandbox could otherwise read."""
        out = self.base / "execroot" / WORKSPACE / "bazel-out"
        if not out.is_dir():
            return
        for config in out.iterdir():
            for kind in ("bin", "testlogs"):
                shutil.rmtree(config / kind / "exercises", ignore_errors=True)


def _is_within(path, parent):
    try:
        Path(path).resolve().relative_to(Path(parent).resolve())
        return True
    except ValueError:
        return False


def block_list(protect, keep):
    """Paths to hide from the sandbox: each path of `protect`, or, when it holds something of
    `keep` (a job's own tree and output base), its other entries, recursively."""
    keep = [Path(k).resolve() for k in keep]
    blocked = []

    def visit(path):
        if path.is_symlink() or not path.exists():
            return
        if not any(_is_within(k, path) for k in keep):
            blocked.append(str(path))
            return
        if any(k == path for k in keep) or not path.is_dir():
            return
        for child in sorted(path.iterdir()):
            visit(child)

    for p in protect:
        visit(Path(p).resolve())
    unique = []
    for b in blocked:
        if b not in unique:
            unique.append(b)
    return unique


def _install_base(job):
    """Bazel's install base (its embedded tools), which the sandbox must keep visible. Asked of
    the job's own server: never of the instructor's, which others may be using."""
    proc = subprocess.run(job.startup() + ["info", "install_base"], cwd=job.tree,
                          capture_output=True, text=True, timeout=600)
    return proc.stdout.strip() if proc.returncode == 0 else ""


# Grading one submission -------------------------------------------------------------------

def _failed_actions(bep_path):
    """label -> stderr text of every failed action, from the Build Event Protocol file."""
    failed = {}
    try:
        lines = Path(bep_path).read_text().splitlines()
    except OSError:
        return failed
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        ident = event.get("id", {})
        # A failed action has no "success" at all: proto3's JSON leaves out false values.
        if "actionCompleted" in ident and event.get("action", {}).get("success") is not True:
            uri = event.get("action", {}).get("stderr", {}).get("uri", "")
            path = bazel._path_of(uri) if uri else ""
            text = Path(path).read_text(errors="replace") if path and os.path.exists(path) else ""
            label = ident["actionCompleted"].get("label", "")
            failed[label] = failed.get(label, "") + text
    return failed


def _source_line(files, tree, where):
    file, _, line = where.rpartition(":")
    data = files.get(file)
    try:
        text = data.decode(errors="replace") if data is not None else \
            (tree / file).read_text(errors="replace")
        lines = text.splitlines()
        n = int(line)
        return lines[n - 1].strip() if 0 < n <= len(lines) else ""
    except (OSError, ValueError):
        return ""


def grade_submission(job, sub, katas, out):
    """Grades `sub` in `job`'s tree; returns a gradebook.LearnerGrade."""
    started = time.monotonic()
    learner = gb.LearnerGrade(name=sub.name, source=sub.source, kind=sub.kind,
                              notes=sub.all_notes(), error=sub.error)
    here = out / "learners" / sub.name
    if sub.error:
        for kata in katas:
            _set_error(learner, kata, "REJECTED", f"the submission was not graded: {sub.error}",
                       here)
        return learner

    # Lay the learner's files over the tree (the skeleton where a file is missing).
    skeleton = {}
    for kata in katas:
        for rel in kata.relative_files():
            path = job.tree / rel
            skeleton[rel] = (ROOT / rel).read_bytes() if (ROOT / rel).is_file() else b""
            _write_file(path, sub.files.get(rel, skeleton[rel]))
    job.clean_learner_outputs()

    targets = [k.exercise_target for k in katas]
    bep = job.work / "logs" / f"bep-{job.index}.json"
    bep.unlink(missing_ok=True)
    log_path = job.work / "logs" / f"bazel-{job.index}.log"
    wall = WALL_SECONDS[job.options.level]
    share = max(1, (os.cpu_count() or 1) // job.options.jobs)
    timeout = 900 + (len(katas) // share + 1) * (wall + 90)
    command = job.startup() + ["test"] + job.flags() + \
        [f"--build_event_json_file={bep}", "--"] + targets
    if job.options.verbose:
        print("  $ " + " ".join(command), flush=True)
    code = job.run(command, log_path, timeout)
    results = {t: bazel.TargetResult(t) for t in targets}
    bazel._read_bep(bep, results)
    bazel_tail = _tail(log_path)
    if code is not None and code not in (0, 1, 3, 4) or \
            (code == 1 and all(r.status == "NO_STATUS" for r in results.values())):
        # Bazel itself failed (a server crash, the machine out of memory): once more.
        job.shutdown()
        bep.unlink(missing_ok=True)
        code = job.run(command, log_path, timeout)
        results = {t: bazel.TargetResult(t) for t in targets}
        bazel._read_bep(bep, results)
        bazel_tail = _tail(log_path)
    failed_actions = _failed_actions(bep)

    # Katas that ask for it are graded under AddressSanitizer too: a second run, with
    # --config=asan (its own output directory), whose verdicts combine with the first's.
    asan_targets = [k.asan_target(k.exercise_target) for k in katas if k.asan]
    asan_results = {}
    if asan_targets and code is not None:
        asan_bep = job.work / "logs" / f"bep-{job.index}-asan.json"
        asan_bep.unlink(missing_ok=True)
        asan_command = job.startup() + ["test"] + job.flags() + bazel.ASAN_FLAGS_LIST + \
            [f"--build_event_json_file={asan_bep}", "--"] + asan_targets
        if job.options.verbose:
            print("  $ " + " ".join(asan_command), flush=True)
        job.run(asan_command, job.work / "logs" / f"bazel-{job.index}-asan.log", timeout)
        asan_results = {t: bazel.TargetResult(t) for t in asan_targets}
        bazel._read_bep(asan_bep, asan_results)

    for kata in katas:
        result = results[kata.exercise_target]
        prefix = f"exercises/{kata.track}/"
        if code is None and not result.logs and result.status in ("NO_STATUS", "BUILD_ERROR"):
            _set_error(learner, kata, "TIMEOUT",
                       f"grading took more than {timeout} s and was stopped", here)
            continue
        if result.status == "NO_STATUS" and not result.logs and not failed_actions:
            _set_error(learner, kata, "ERROR", "Bazel did not run the grader:\n" + bazel_tail,
                       here)
            continue
        own = [text for label, text in failed_actions.items()
               if label in (f"//exercises/{kata.track}:{kata.name}", kata.exercise_target)]
        if own:
            result.build_error = ANSI.sub("", "\n".join(own))
        oc = outcomes.from_result(result, prefix)
        if oc.verdict == "BUILD_ERROR" and not oc.build_output.strip():
            # No compiler output: the action failed for another reason (the sandbox, Bazel).
            _set_error(learner, kata, "ERROR", "Bazel could not build or run the grader:\n" +
                       bazel_tail, here)
            continue
        if oc.verdict == "BUILD_ERROR":
            errors = v.COMPILER_ERROR.findall(oc.build_output)
            mine = [e for e in errors if e[0] in kata.relative_files()]
            if mine:
                oc.compiler_error = (mine[0][0], int(mine[0][1]), mine[0][3])
        elif oc.verdict == "PASS" and (oc.total_tests == 0 or
                                       oc.passed_tests != oc.total_tests):
            # A pass must be the grader's: every test it has, run to the end.
            oc.verdict = "CRASH"
            oc.failures = [v.Verdict("CRASH", "(whole grader)",
                                     "the grader ended without running all its tests")]
        asan_result = asan_results.get(kata.asan_target(kata.exercise_target))
        if asan_result is not None and oc.verdict not in ("BUILD_ERROR",):
            oc = outcomes.combined(oc, outcomes.from_result(asan_result, prefix))
        _record(learner, kata, oc, sub, job, here)
    learner.seconds = time.monotonic() - started
    # Put the skeletons back: the next submission starts from the instructor's tree.
    for rel, data in skeleton.items():
        _write_file(job.tree / rel, data)
    return learner


def _write_file(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _tail(path, lines=30):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    errors = [l for l in text if l.startswith(("ERROR", "FATAL"))]
    return "\n".join((errors or text)[-lines:])


def _set_error(learner, kata, verdict, message, here):
    grade = gb.KataGrade(kata_id=kata.id, verdict=verdict, points=0, max_points=kata.points,
                         failures=[v.Verdict(verdict, "(whole grader)", message.splitlines()[0]
                                             if message else "")],
                         excerpt=message, results=gb.error_results(message))
    gb.write_results(here / kata.track / kata.name / "results.json", grade.results)
    learner.katas[kata.id] = grade


def _record(learner, kata, oc, sub, job, here):
    where = here / kata.track / kata.name
    where.mkdir(parents=True, exist_ok=True)
    excerpt = ""
    log_rel = ""
    if oc.log and os.path.exists(oc.log):
        shutil.copyfile(oc.log, where / "test.log")
        oc.log = str(where / "test.log")
        log_rel = f"learners/{sub.name}/{kata.track}/{kata.name}/test.log"
        excerpt = gb.log_excerpt(v.read(oc.log), oc.verdict, oc.failures)
    if oc.verdict == "BUILD_ERROR":
        (where / "build.log").write_text(oc.build_output)
        log_rel = f"learners/{sub.name}/{kata.track}/{kata.name}/build.log"
        excerpt = gb.build_excerpt(oc.build_output, prefer=kata.relative_files())
    results = results_json.build(oc)
    gb.write_results(where / "results.json", results)
    lines = [(what, function, place, _source_line(sub.files, job.tree, place))
             for what, function, place, _ in oc.learner_lines]
    learner.katas[kata.id] = gb.KataGrade(
        kata_id=kata.id, verdict=oc.verdict,
        points=kata.points if oc.verdict == "PASS" else 0, max_points=kata.points,
        failures=oc.failures, compiler_error=oc.compiler_error, learner_lines=lines,
        excerpt=excerpt, log=log_rel, seconds=oc.seconds, results=results)


# The run ----------------------------------------------------------------------------------

def read_submissions(paths, katas):
    wanted = {rel for k in katas for rel in k.relative_files()}
    subs, seen = [], set()
    for path in paths:
        sub = submissions.read(path, wanted)
        name = submissions.safe_name(sub.name)
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name}-{n}", n + 1
        if candidate != sub.name:
            if candidate != name:
                sub.note(f"graded as {candidate}: another submission is also called {name}")
            sub.name = candidate
        seen.add(candidate)
        subs.append(sub)
    return subs


def run(paths, options):
    """Grades the submissions at `paths`; writes the outputs; returns the exit code (0 when
    everything was graded, whatever the verdicts)."""
    started = time.monotonic()
    out = options.out
    if _is_within(ROOT, out) or _is_within(out, ROOT):
        # Inside, Bazel would take the grading trees for packages of the repository.
        ui.error(f"--out {out} is inside the repository (or holds it); choose a directory "
                 f"outside {ROOT}")
        return 2
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    lock = open(work / "lock", "w")
    deadline = time.monotonic() + options.wait_for_lock
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() > deadline:
                ui.error(f"another ./kata grade is using {out}; wait for it, or choose another "
                         f"--out")
                lock.close()
                return 2
            time.sleep(2)
    try:
        return _run_locked(paths, options, out, work, started)
    finally:
        lock.close()


def _run_locked(paths, options, out, work, started):
    katas = options.katas
    for d in (out, work, work / "logs", out / "learners"):
        d.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "learners")
    (out / "learners").mkdir()

    subs = read_submissions(paths, katas)
    ui.info(f"grading {len(subs)} submission{'s' if len(subs) != 1 else ''} on "
            f"{len(katas)} kata{'s' if len(katas) != 1 else ''} at the {options.level} level, "
            f"{options.jobs} at a time (linux-sandbox, ThreadSanitizer)")
    files = instructor_files()
    keep_solutions = solutions_needed(katas)
    jobs = [Job(j, options, work) for j in range(min(options.jobs, max(1, len(subs))))]
    options.jobs = len(jobs)
    protect = [ROOT, out, Path("/root"), Path.home()] + [Path(p) for p in paths]
    for job in jobs:
        make_tree(job.tree, files, keep_solutions)
        job.base.mkdir(parents=True, exist_ok=True)
    install_base = _install_base(jobs[0])
    for job in jobs:
        keep = [job.tree, job.base] + ([install_base] if install_base else [])
        job.blocked = block_list(protect, keep)

    # Warm-up: build every grader once (with the skeletons) in the first tree, so that the
    # other jobs find GoogleTest, the harness and the graders in the shared cache.
    first = jobs[0]
    ui.info("building the graders once for the class (shared cache)...")
    warm_log = work / "logs" / "bazel-warmup.log"
    try:
        code = first.run(first.startup() + ["build"] + first.flags(for_test=False) +
                         ["--keep_going", "--"] + [k.exercise_target for k in katas],
                         warm_log, 3600)
    except KeyboardInterrupt:
        first.stop()
        for job in jobs:
            job.shutdown()
        raise
    asan_targets = [k.asan_target(k.exercise_target) for k in katas if k.asan]
    if code == 0 and asan_targets:
        try:
            code = first.run(first.startup() + ["build"] + first.flags(for_test=False) +
                             bazel.ASAN_FLAGS_LIST + ["--keep_going", "--"] + asan_targets,
                             work / "logs" / "bazel-warmup-asan.log", 3600)
        except KeyboardInterrupt:
            first.stop()
            for job in jobs:
                job.shutdown()
            raise
        if code != 0:
            warm_log = work / "logs" / "bazel-warmup-asan.log"
    if code != 0:
        text = _tail(warm_log)
        if code != 1 or "linux-sandbox failed" in text or "sandbox" in text.lower() and \
                "not supported" in text.lower():
            ui.error("Bazel could not build the graders in the grading tree:\n" + text +
                     f"\n(full output: {warm_log})")
            if "sandbox" in text.lower():
                print("  ./kata grade needs Bazel's linux-sandbox (user namespaces); see "
                      "docs/grading.md.")
            for job in jobs:
                job.shutdown()
            return 2
        ui.warn("some graders do not build even with the skeletons (the instructor's tree):\n" +
                text + f"\n(full output: {warm_log})")

    pending = queue.Queue()
    for sub in subs:
        pending.put(sub)
    graded = {}
    lock = threading.Lock()
    done = [0]

    def worker(job):
        while not job.stopping:
            try:
                sub = pending.get_nowait()
            except queue.Empty:
                return
            try:
                learner = grade_submission(job, sub, katas, out)
            except Exception as e:  # noqa: BLE001 - one submission never stops the run
                learner = gb.LearnerGrade(name=sub.name, source=sub.source, kind=sub.kind,
                                          notes=sub.all_notes(), error=sub.error)
                for kata in katas:
                    _set_error(learner, kata, "ERROR", f"grading failed: {e!r}",
                               out / "learners" / sub.name)
            with lock:
                graded[sub.name] = learner
                done[0] += 1
                verdicts = " ".join(learner.katas[k.id].verdict for k in katas)
                print(f"  [{done[0]}/{len(subs)}] {sub.name}: {verdicts} "
                      f"({_points(learner.total)}/{_points(sum(k.points for k in katas))}, "
                      f"{learner.seconds:.0f} s)", flush=True)

    threads = [threading.Thread(target=worker, args=(job,), daemon=True) for job in jobs]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(timeout=1)
    except KeyboardInterrupt:
        for job in jobs:
            job.stop()
        for t in threads:
            t.join(timeout=120)
        raise
    finally:
        for job in jobs:
            job.shutdown()

    learners = [graded[s.name] for s in subs]
    seconds = time.monotonic() - started
    write_outputs(out, katas, learners, options.level, seconds)
    per = seconds / max(1, len(subs))
    ui.info(f"graded {len(subs)} submission{'s' if len(subs) != 1 else ''} in {seconds:.0f} s "
            f"({per:.1f} s each). Wrote {out / 'gradebook.csv'}, {out / 'report.html'}, "
            f"{out / 'junit.xml'} and learners/<name>/<track>/<kata>/results.json")
    return 0


def _points(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def write_outputs(out, katas, learners, level, seconds):
    kata_ids = [k.id for k in katas]
    max_points = sum(k.points for k in katas)
    gb.write_csv(out / "gradebook.csv", kata_ids, learners, max_points)
    gb.write_junit(out / "junit.xml", kata_ids, learners)
    gb.write_html(out / "report.html", kata_ids, learners, max_points,
                  {"level": level, "seconds": seconds,
                   "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M")})
    summary = {"level": level, "seconds": round(seconds, 1), "katas": kata_ids,
               "learners": {l.name: {"total": l.total, "seconds": round(l.seconds, 1),
                                     "verdicts": {k: g.verdict for k, g in l.katas.items()},
                                     "notes": ([l.error] if l.error else []) + l.notes}
                            for l in learners}}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
