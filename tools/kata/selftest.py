"""./kata selftest: the project's own tests.

Every grader is run against its reference solution (several runs at the thorough level: it
must pass every time), its untouched skeleton (every failing test must be NOT_STARTED) and each
of its mutants (the grader must give the verdict the mutant declares). The harness's own unit
tests, the CLI's tests and a lint of every kata's files run too. The last line is
"N passed, N failed".
"""

import dataclasses
import json
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


def _cli_tests():
    suite = unittest.defaultTestLoader.discover(str(ROOT / "tools" / "kata" / "tests"),
                                                top_level_dir=str(ROOT / "tools" / "kata"))
    result = unittest.TextTestRunner(stream=open("/dev/null", "w"), verbosity=0).run(suite)
    failures = [f"{t.id()}: {tb.strip().splitlines()[-1]}" for t, tb in
                result.failures + result.errors]
    return Check(f"CLI unit tests ({result.testsRun})", not failures, "; ".join(failures))


def _skeleton_untouched(kata):
    """True when the learner's files equal git's HEAD (in a fresh clone, the skeleton)."""
    files = kata.relative_files()
    proc = subprocess.run(["git", "status", "--porcelain", "--"] + files, cwd=ROOT,
                          capture_output=True, text=True)
    return proc.returncode == 0 and not proc.stdout.strip()


def _fmt_time(seconds):
    return f"{seconds:.1f}s"


def run(katas, runs=3, level="thorough", write_matrix=None):
    started = time.monotonic()
    checks = []
    print(ui.bold("Static checks"))
    checks += _lint(katas)
    checks.append(_cli_tests())
    for c in checks:
        _print_check(c)

    # Invocation 1, quick level: harness tests, skeletons and mutants.
    support = ["//graders/support:all"]
    skeletons = {k: k.exercise_target for k in katas}
    mutants = {(k, bug): k.mutant_target(bug) for k in katas for bug in k.mutants}
    print(ui.bold("\nGraders against skeletons and mutants (quick level)"))
    first = bazel.run_tests(support + list(skeletons.values()) + list(mutants.values()),
                            level="quick", label="selftest-quick")
    if first.problem:
        ui.error("Bazel failed:\n" + first.problem)
        return 2
    # Invocation 2: reference solutions, `runs` times each at `level`.
    print(ui.bold(f"Graders against reference solutions ({runs} runs each, {level} level)"))
    second = bazel.run_tests([k.solution_target for k in katas], level=level,
                             runs_per_test=runs, label="selftest-solutions")
    if second.problem:
        ui.error("Bazel failed:\n" + second.problem)
        return 2

    rows = []  # (kata, implementation, expected, got, seconds)
    harness = [(l, r) for l, r in first.results.items() if l.startswith("//graders/support")
               and l not in support]
    for label, result in harness:
        checks.append(Check(f"harness test {label}", result.passed(), result.status))
    if not harness:
        checks.append(Check("harness tests", False, "no harness test ran"))

    for kata in katas:
        # Solution: every run must pass.
        sol = second.results[kata.solution_target]
        sol_runs = [outcomes.from_result(sol, f"solutions/{kata.track}/", run=i)
                    for i in range(max(1, len(sol.logs)))]
        passed_runs = sum(1 for o in sol_runs if o.verdict == "PASS")
        ok = sol.status == "PASSED" and passed_runs == runs
        bad = [o for o in sol_runs if o.verdict != "PASS"]
        detail = f"{passed_runs}/{runs} runs passed"
        if bad:
            detail += f"; {bad[0].verdict}: " + "; ".join(
                f"{f.test}: {f.detail}" for f in bad[0].failures[:2]) + f" (log {bad[0].log})"
        checks.append(Check(f"{kata.id}: solution passes", ok, detail))
        rows.append((kata.id, f"solution ({runs} runs, {level})", "PASS",
                     f"PASS {passed_runs}/{runs}" if ok else f"{bad[0].verdict if bad else sol.status}"
                     f" {passed_runs}/{runs}", max(sol.durations) if sol.durations else 0))
        # Skeleton: NOT_STARTED.
        if _skeleton_untouched(kata):
            sk = outcomes.from_result(first.results[kata.exercise_target], f"exercises/{kata.track}/")
            ok = sk.verdict == "NOT_STARTED" and all(f.cls == "NOT_STARTED" for f in sk.failures)
            checks.append(Check(f"{kata.id}: skeleton is NOT_STARTED", ok,
                                f"got {sk.verdict}" + (f" ({sk.failures[0].detail})"
                                                       if not ok and sk.failures else "")))
            rows.append((kata.id, "skeleton", "NOT_STARTED", sk.verdict, sk.seconds))
        else:
            checks.append(Check(f"{kata.id}: skeleton is NOT_STARTED", True,
                                "skipped: exercise files edited", skipped=True))
            rows.append((kata.id, "skeleton", "NOT_STARTED", "(edited: skipped)", 0))
        # Mutants: the declared verdict.
        for bug, declared in kata.mutants.items():
            mu = outcomes.from_result(first.results[kata.mutant_target(bug)],
                                      f"graders/{kata.track}/mutants/{kata.name}/{bug}/")
            classes = [f.cls for f in mu.failures] or [mu.verdict]
            ok = declared in classes
            checks.append(Check(f"{kata.id}: mutant {bug} gives {declared}", ok,
                                f"got {mu.verdict}" + ("" if ok else
                                f" ({'; '.join(f.test + ': ' + f.detail for f in mu.failures[:2])})"
                                + f" log {mu.log}")))
            rows.append((kata.id, f"mutant {bug}", declared, declared if ok else mu.verdict,
                         mu.seconds))

    print(ui.bold("\nMatrix (verdict and time to it)"))
    matrix = _matrix_text(rows)
    print(matrix)
    if write_matrix:
        write_matrix.parent.mkdir(parents=True, exist_ok=True)
        write_matrix.write_text(matrix + "\n")
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


def _print_check(c):
    mark = ui.yellow("skip") if c.skipped else ui.green("ok  ") if c.ok else ui.red("FAIL")
    print(f"  {mark} {c.name}" + (f": {c.detail}" if c.detail and (not c.ok or c.skipped) else ""))


def _matrix_text(rows):
    """The kill matrix: every implementation of every kata, the verdict expected and given,
    and the grader's time to it (for solutions, the slowest run)."""
    header = ("kata", "implementation", "expected", "got", "time")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(4)]
    lines = ["  " + "  ".join(h.ljust(w) for h, w in zip(header, widths + [0]))]
    for row in rows:
        mark = "" if str(row[3]).startswith((row[2], "(")) else "   <-- wrong"
        lines.append("  " + "  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths)) +
                     f"  {_fmt_time(row[4])}{mark}")
    return "\n".join(lines)
