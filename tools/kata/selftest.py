"""./kata selftest: the project's own tests.

Every grader is run against its reference solution (several runs at the thorough level: it
must pass every time), its untouched skeleton (every failing test must be NOT_STARTED) and each
of its mutants (the grader must give the verdict the mutant declares). The harness's own unit
tests, the CLI's tests and a lint of every kata's files run too. The last line is
"N passed, N failed".
"""

import dataclasses
import json
import os
import re
import subprocess
import sys
import time
import unittest

import bazel
import catalog
import outcome as outcomes
from catalog import ROOT
from ui import ui


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    skipped: bool = False


def _lint(katas):
    """Static checks of each kata's files against the catalog's rules."""
    checks = []
    for kata in katas:
        problems = []
        for path in kata.exercise_paths() + kata.solution_paths():
            if not path.exists():
                problems.append(f"missing {path.relative_to(ROOT)}")
        for path in kata.solution_paths():
            if path.exists() and re.search(r"NotImplemented|TODO", path.read_text()):
                problems.append(f"{path.relative_to(ROOT)} still has TODO/NotImplemented")
        if not any("NotImplemented" in p.read_text() for p in kata.exercise_paths() if p.exists()):
            problems.append("the skeleton throws no kata::NotImplemented")
        if not kata.page.exists():
            problems.append(f"missing page {kata.page.relative_to(ROOT)}")
        elif len(kata.hints()) != 3:
            problems.append(f"the page has {len(kata.hints())} hints, not 3")
        if len(kata.mutants) < 3:
            problems.append(f"only {len(kata.mutants)} mutants (at least 3)")
        if len(set(kata.mutants.values())) < 2:
            problems.append("all mutants declare the same verdict class")
        for bug in kata.mutants:
            if not (ROOT / "graders" / kata.track / "mutants" / kata.name / bug).is_dir():
                problems.append(f"mutant directory {bug} is missing")
        checks.append(Check(f"lint {kata.id}", not problems, "; ".join(problems)))
    return checks


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _lint_links():
    """Every relative link of the Markdown pages (README, docs, tracks, katas) names a file
    that exists: the learning path must not lead to a missing page."""
    pages = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md")) + \
        sorted((ROOT / "exercises").glob("*/*.md"))
    broken = []
    for page in pages:
        for target in _LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:|#", target):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    return Check(f"links in {len(pages)} pages", not broken, "; ".join(broken[:10]))


def _cli_tests():
    suite = unittest.defaultTestLoader.discover(str(ROOT / "tools" / "kata" / "tests"),
                                                top_level_dir=str(ROOT / "tools" / "kata"))
    result = unittest.TextTestRunner(stream=open("/dev/null", "w"), verbosity=0).run(suite)
    failures = [f"{t.id()}: {tb.strip().splitlines()[-1]}" for t, tb in
                result.failures + result.errors]
    return Check(f"CLI unit tests ({result.testsRun})", not failures, "; ".join(failures))


def _skeleton_untouched(kata):
    """True when the learner's files equal git's HEAD (in a fresh clone, the skeleton), or are
    new files not committed yet (a kata being written)."""
    files = kata.relative_files()
    proc = subprocess.run(["git", "status", "--porcelain", "--"] + files, cwd=ROOT,
                          capture_output=True, text=True)
    changed = [l for l in proc.stdout.splitlines() if not l.startswith("??")]
    return proc.returncode == 0 and not changed


def _fmt_time(seconds):
    return f"{seconds:.1f}s"


def run(katas, runs=3, level="thorough", compare_noise=False, write_docs=False):
    """Runs the checks; returns the exit code. `runs` solution runs at `level` (the flake
    check); `compare_noise` grades the mutants a second time without schedule noise, for the
    matrix; `write_docs` writes the matrix and the flake report into docs/."""
    started = time.monotonic()
    checks = []
    print(ui.bold("Static checks"))
    checks += _lint(katas)
    checks.append(_lint_links())
    checks.append(_cli_tests())
    for c in checks:
        _print_check(c)

    support = ["//graders/support:all"]
    mutants = {(k, bug): k.mutant_target(bug) for k in katas for bug in k.mutants}
    print(ui.bold("\nGraders against skeletons and mutants (quick level, schedule noise on)"))
    # Katas with "asan": their skeleton and mutants are graded under AddressSanitizer too.
    asan_quick = [k.asan_target(k.exercise_target) for k in katas if k.asan] + \
        [k.asan_target(label) for (k, _), label in mutants.items() if k.asan]
    quick = bazel.run_tests_with_asan(
        support + [k.exercise_target for k in katas] + list(mutants.values()), asan_quick,
        level="quick", noise=True, label="selftest-quick")
    if quick.problem:
        ui.error("Bazel failed:\n" + quick.problem)
        return 2
    quiet = None
    if compare_noise:
        print(ui.bold("Graders against mutants again, without schedule noise"))
        quiet = bazel.run_tests(list(mutants.values()), level="quick", noise=False,
                                label="selftest-quiet")
        if quiet.problem:
            ui.error("Bazel failed:\n" + quiet.problem)
            return 2
    print(ui.bold(f"Graders against reference solutions ({runs} runs each, {level} level)"))
    solutions = bazel.run_tests_with_asan(
        [k.solution_target for k in katas],
        [k.asan_target(k.solution_target) for k in katas if k.asan],
        level=level, noise=True, runs_per_test=runs, label="selftest-solutions")
    if solutions.problem:
        ui.error("Bazel failed:\n" + solutions.problem)
        return 2

    checks += _check_benchmarks(katas)

    harness = [(l, r) for l, r in quick.results.items() if l.startswith("//graders/support")
               and l not in support]
    for label, result in harness:
        checks.append(Check(f"harness test {label}", result.passed(), result.status))
    if not harness:
        checks.append(Check("harness tests", False, "no harness test ran"))

    rows = []   # (kata, implementation, expected, got, seconds, seconds without noise)
    flakes = [] # (kata, runs passed, runs, slowest run, first failure)
    for kata in katas:
        checks.append(_check_solution(kata, solutions.results[kata.solution_target], runs, level,
                                      rows, flakes))
        if kata.asan:
            checks.append(_check_solution(
                kata, solutions.results[kata.asan_target(kata.solution_target)], runs, level,
                rows, flakes, sanitizer="asan"))
        checks.append(_check_skeleton(kata, quick.results[kata.exercise_target], rows,
                                      quick.results.get(kata.asan_target(kata.exercise_target))))
        for bug, declared in kata.mutants.items():
            checks.append(_check_mutant(kata, bug, declared, quick, quiet, rows))

    matrix = _matrix_text(rows, compare_noise)
    print(ui.bold("\nKill matrix (verdict and time to it)"))
    print(matrix)
    if write_docs:
        _write_docs(matrix, flakes, runs, level, compare_noise)
    failed = [c for c in checks if not c.ok]
    print(ui.bold("\nChecks"))
    for c in checks:
        if not c.ok or c.skipped:
            _print_check(c)
    print(f"  ({sum(1 for c in checks if c.ok and not c.skipped)} checks passed; "
          f"failures and skips listed above)")
    print(f"\nselftest: {time.monotonic() - started:.0f} s")
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


def run_flake(katas, runs, level="thorough"):
    """`--flake N`: only the reference solutions, N runs each at `level`, schedule noise on;
    writes docs/flake-report.txt. Returns the exit code (0 when every run passed)."""
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    print(ui.bold(f"Reference solutions, {runs} runs each ({level} level, schedule noise on)"))
    solutions = bazel.run_tests_with_asan(
        [k.solution_target for k in katas],
        [k.asan_target(k.solution_target) for k in katas if k.asan],
        level=level, noise=True, runs_per_test=runs, label="selftest-flake")
    if solutions.problem:
        ui.error("Bazel failed:\n" + solutions.problem)
        return 2
    rows, flakes, checks = [], [], []
    for k in katas:
        checks.append(_check_solution(k, solutions.results[k.solution_target], runs, level, rows,
                                      flakes))
        if k.asan:
            checks.append(_check_solution(k, solutions.results[k.asan_target(k.solution_target)],
                                          runs, level, rows, flakes, sanitizer="asan"))
    for c in checks:
        _print_check(c)
    elapsed = time.monotonic() - started
    note = (f"{elapsed / 60:.0f} minutes; load average {load_before:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end (2 cores)")
    _write_flake_report(flakes, runs, level, note)
    failed = [c for c in checks if not c.ok]
    print(f"\nflake check: {note}")
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


def _check_benchmarks(katas):
    """Each benchmark builds (optimised, no sanitizer) and runs once, briefly, on the reference
    solution, so `./kata bench` never meets a broken one. Its figures are not judged here."""
    checks = []
    benched = [k for k in katas if k.bench]
    if benched:
        print(ui.bold(f"Benchmarks of the reference solutions (a short run each)"))
    for kata in benched:
        label = f"//solutions/{kata.track}:{kata.name}_bench"
        proc = subprocess.run(
            [bazel.bazel_binary(), "run", "--config=bench", "--color=no", "--curses=no", label,
             "--", "--benchmark_min_time=0.01"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace")
        tail = " | ".join(proc.stdout.strip().splitlines()[-3:])
        checks.append(Check(f"{kata.id}: benchmark runs", proc.returncode == 0,
                            f"exit {proc.returncode}: {tail}"))
        _print_check(checks[-1])
    return checks


def _check_solution(kata, result, runs, level, rows, flakes, sanitizer=""):
    """The reference solution must pass every run (`sanitizer`: "asan" for the
    AddressSanitizer build of its grader)."""
    outcomes_ = [outcomes.from_result(result, f"solutions/{kata.track}/", run=i)
                 for i in range(max(1, len(result.logs)))]
    passed = sum(1 for o in outcomes_ if o.verdict == "PASS")
    bad = [o for o in outcomes_ if o.verdict != "PASS"]
    ok = result.status == "PASSED" and passed == runs
    first = ""
    if bad:
        first = f"{bad[0].verdict}: " + "; ".join(
            f"{f.test}: {f.detail}" for f in bad[0].failures[:2]) + f" (log {bad[0].log})"
    slowest = max(result.durations) if result.durations else 0
    under = f", {sanitizer}" if sanitizer else ""
    rows.append((kata.id, f"solution ({runs} runs, {level}{under})", "PASS",
                 f"PASS {passed}/{runs}" if ok else f"FAIL {passed}/{runs}", slowest, None))
    flakes.append((kata.id + (f" ({sanitizer})" if sanitizer else ""), passed, runs, slowest,
                   first))
    return Check(f"{kata.id}: solution passes{' under ' + sanitizer if sanitizer else ''}", ok,
                 f"{passed}/{runs} runs passed" + (f"; {first}" if first else ""))


def _check_skeleton(kata, result, rows, asan_result=None):
    """The untouched skeleton: every failing test NOT_STARTED (skipped once edited), in the
    AddressSanitizer build too when the kata has one."""
    if not _skeleton_untouched(kata):
        rows.append((kata.id, "skeleton", "NOT_STARTED", "(edited: skipped)", 0, None))
        return Check(f"{kata.id}: skeleton is NOT_STARTED", True,
                     "skipped: the exercise files are edited", skipped=True)
    prefix = f"exercises/{kata.track}/"
    skeleton = outcomes.from_result(result, prefix)
    if asan_result is not None:
        asan = outcomes.from_result(asan_result, prefix)
        skeleton.failures = skeleton.failures + asan.failures
        if asan.verdict not in ("PASS", "NOT_STARTED"):
            skeleton.verdict = asan.verdict
    ok = skeleton.verdict == "NOT_STARTED" and all(
        f.cls == "NOT_STARTED" for f in skeleton.failures)
    rows.append((kata.id, "skeleton", "NOT_STARTED", skeleton.verdict,
                 skeleton.verdict_seconds, None))
    detail = f"got {skeleton.verdict}"
    if not ok and skeleton.failures:
        detail += f" ({skeleton.failures[0].test}: {skeleton.failures[0].detail})"
    return Check(f"{kata.id}: skeleton is NOT_STARTED", ok, detail)


def _check_mutant(kata, bug, declared, quick, quiet, rows):
    """The grader must give the mutant's declared verdict (in one of its failing tests)."""
    prefix = f"graders/{kata.track}/mutants/{kata.name}/{bug}/"
    asan = None
    if kata.asan:
        # A mutant's verdict may come from the AddressSanitizer run alone (a LEAK that only
        # LeakSanitizer sees): both runs count.
        asan = outcomes.from_result(quick.results[kata.asan_target(kata.mutant_target(bug))],
                                    prefix)
    mutant = outcomes.combined(outcomes.from_result(quick.results[kata.mutant_target(bug)],
                                                    prefix), asan)
    classes = [f.cls for f in mutant.failures] or [mutant.verdict]
    ok = declared in classes
    without = None
    if quiet is not None:
        other = outcomes.from_result(quiet.results[kata.mutant_target(bug)], prefix)
        without = (other.verdict_seconds if declared in ([f.cls for f in other.failures]
                                                         or [other.verdict]) else None)
    rows.append((kata.id, f"mutant {bug}", declared, declared if ok else mutant.verdict,
                 mutant.verdict_seconds, without))
    detail = f"got {mutant.verdict}"
    if not ok:
        detail += " (" + "; ".join(f.test + ": " + f.detail for f in mutant.failures[:2]) + \
            f") log {mutant.log}"
    return Check(f"{kata.id}: mutant {bug} gives {declared}", ok, detail)


def _write_docs(matrix, flakes, runs, level, compare_noise):
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    if compare_noise:
        (docs / "kill-matrix.txt").write_text(
            f"Kill matrix, measured {stamp} by `./kata selftest --matrix` on this repository's "
            f"2-core test machine.\nTimes are from the grader's start to its first verdict "
            f"(solutions: the slowest run).\n\n{matrix}\n")
    print("\nwrote docs/kill-matrix.txt")


FLAKE_ROW = re.compile(r"^  (\S+/\S+(?: \(\w+\))?)\s+(\d+)/(\d+)\s+(\w+)\s+([\d.]+)s\s+"
                       r"(\d{4}-\d\d-\d\d)\s+(.*)$")


def _write_flake_report(flakes, runs, level, note="", path=None):
    """Writes the flake report. A run of some katas replaces their rows and keeps the others'
    (each row says when it was measured), so the report can be filled track by track."""
    path = path or ROOT / "docs" / "flake-report.txt"
    path.parent.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    rows, batches = {}, []
    if path.exists():
        in_runs = False
        for line in path.read_text().splitlines():
            if line == "Runs:":
                in_runs = True
            elif in_runs and line.startswith("  "):
                batches.append(line[2:])
            elif (m := FLAKE_ROW.match(line)):
                rows[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4),
                                    float(m.group(5)), m.group(6), m.group(7))
    for kata_id, passed, total, slowest, first in flakes:
        rows[kata_id] = (passed, total, level, slowest, stamp, first or "-")
    katas = sorted({k.split(" ")[0].split("/")[0] for k, *_ in flakes})
    batches.append(f"{stamp} {' '.join(katas)}: {runs} runs each at the {level} level"
                   + (f", {note}" if note else ""))
    lines = ["Flake report: each reference solution run N times in a row with schedule noise on,",
             "by `./kata selftest --flake N [TRACK...]` on this repository's 2-core test machine.",
             "A run of some tracks replaces their rows and keeps the others.", "",
             f"  {'kata':<32} {'passed':>9}  {'level':<8}  {'slowest':>7}  {'measured':<10}  "
             "first failure"]
    order = {k.id: i for i, k in enumerate(catalog.all_katas())}
    for kata_id, (passed, total, lvl, slowest, measured, first) in sorted(
            rows.items(), key=lambda r: (order.get(r[0].split(" ")[0], len(order)), r[0])):
        lines.append(f"  {kata_id:<32} {passed:>4}/{total:<4}  {lvl:<8}  {slowest:>6.1f}s  "
                     f"{measured:<10}  {first}")
    lines += ["", "Runs:"] + [f"  {b}" for b in batches]
    path.write_text("\n".join(lines) + "\n")


def _print_check(c):
    mark = ui.yellow("skip") if c.skipped else ui.green("ok  ") if c.ok else ui.red("FAIL")
    print(f"  {mark} {c.name}" + (f": {c.detail}" if c.detail and (not c.ok or c.skipped) else ""))


def _matrix_text(rows, compare_noise=False):
    """The kill matrix: every implementation of every kata, the verdict expected and given,
    and the grader's time to it, with schedule noise (and without, when compared)."""
    header = ("kata", "implementation", "expected", "got", "noise on")
    if compare_noise:
        header += ("noise off",)
    table = [header]
    for kata, impl, expected, got, seconds, without in rows:
        mark = "" if str(got).startswith((expected, "(")) else "  <-- wrong"
        row = (kata, impl, expected, got + mark, _fmt_time(seconds) if seconds else "-")
        if compare_noise:
            row += ("-" if without is None or impl.startswith(("solution", "skeleton"))
                    else _fmt_time(without),)
        table.append(row)
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    return "\n".join("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in table)
