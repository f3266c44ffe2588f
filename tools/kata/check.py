"""./kata check: grade the learner's katas and explain each failure."""

import os
import textwrap

import bazel
import outcome as outcomes
import results_json
import state
import verdicts as v
from catalog import ROOT
from ui import ui

SYMBOL = {"PASS": "ok", "NOT_STARTED": "--"}


def _rel(path):
    try:
        return os.path.relpath(path, os.getcwd())
    except ValueError:
        return str(path)


def grade(katas, level="quick", seed=None, noise=True):
    """Runs the graders of `katas` on the learner's code; returns {kata: Outcome} (or None and
    a problem when Bazel itself failed)."""
    targets = [k.exercise_target for k in katas]
    asan = [k.asan_target(k.exercise_target) for k in katas if k.asan]
    ui.info(f"grading {len(katas)} kata{'s' if len(katas) != 1 else ''} at the {level} level "
            f"(ThreadSanitizer, stress, deadlock watchdog"
            f"{'; AddressSanitizer too where the kata asks for it' if asan else ''})...")
    run = bazel.run_tests_with_asan(targets, asan, level=level, seed=seed, noise=noise,
                                    label="check")
    if run.problem:
        return None, run
    graded = {}
    for kata in katas:
        prefix = f"exercises/{kata.track}/"
        outcome = outcomes.combined(
            outcomes.from_result(run.results[kata.exercise_target], prefix),
            outcomes.from_result(run.results[kata.asan_target(kata.exercise_target)], prefix)
            if kata.asan else None)
        graded[kata] = outcome
        state.record_verdict(kata.id, outcome.verdict, outcome.seed)
        results_json.write(bazel.STATE_DIR / "results" / kata.track / kata.name / "results.json",
                           outcome)
    return graded, run


def print_outcome(kata, outcome, detailed=True):
    verdict = outcome.verdict
    colour = ui.green if verdict == "PASS" else ui.dim if verdict == "NOT_STARTED" else ui.red
    head = f"{kata.id:<28} {colour(f'{verdict:<12}')}"
    if verdict == "PASS":
        print(f"{head} {outcome.passed_tests}/{outcome.total_tests} tests passed "
              f"({outcome.seconds:.1f} s)")
        return
    if verdict == "NOT_STARTED":
        print(f"{head} not started: edit {', '.join(kata.relative_files())}")
        if detailed:
            print(f"{'':<29} read {_rel(kata.page)}; stuck? ./kata hint {kata.id}")
        return
    print(f"{head} {v.EXPLANATIONS.get(verdict, '')}")
    if not detailed:
        return
    indent = " " * 4
    if verdict == "BUILD_ERROR":
        if outcome.compiler_error:
            file, line, message = outcome.compiler_error
            print(f"{indent}{ui.bold(f'{file}:{line}')}: error: {message}")
            code = v.source_line(file, line)
            if code:
                print(f"{indent}  {line:>4} | {code}")
        else:
            lines = [l for l in outcome.build_output.splitlines() if "error" in l.lower()][:5]
            print(textwrap.indent("\n".join(lines) or "(see the Bazel log)", indent))
        return
    shown = 0
    for failure in outcome.failures:
        if failure.cls == "NOT_STARTED" and verdict != "NOT_STARTED":
            continue
        if shown == 3:
            rest = len([f for f in outcome.failures if f.cls != "NOT_STARTED"]) - shown
            if rest > 0:
                print(f"{indent}... and {rest} more failing test{'s' if rest > 1 else ''}")
            break
        print(f"{indent}{ui.bold(failure.cls)} in {failure.test}")
        for line in textwrap.wrap(failure.detail, width=96):
            print(f"{indent}  {line}")
        shown += 1
    if outcome.learner_lines:
        print(f"{indent}Your code involved:")
        for what, function, where, code in outcome.learner_lines:
            print(f"{indent}  {what}: {function}  {ui.bold(where)}")
            if code:
                print(f"{indent}      | {code}")
    print(f"{indent}{ui.dim('full log: ' + _rel(outcome.log))}")
    if outcome.seed:
        print(f"{indent}{ui.dim(f'same schedule noise again: ./kata check {kata.id} --seed {outcome.seed}')}")


def print_progress(tracks, katas_shown):
    current = state.load()
    for track in tracks:
        if not any(k.track == track.name for k in katas_shown):
            continue
        done = sum(1 for k in track.katas if state.verdict_of(k.id, current) == "PASS")
        print(f"{track.name:<10} {ui.bar(done, len(track.katas))}")


def run(katas, tracks, level="quick", seed=None, noise=True):
    graded, run_outcome = grade(katas, level=level, seed=seed, noise=noise)
    if graded is None:
        ui.error("Bazel could not run the graders:")
        print(textwrap.indent(run_outcome.problem, "  "))
        print(f"  full Bazel output: {_rel(run_outcome.bazel_log)}")
        return 2
    print()
    for kata in katas:
        print_outcome(kata, graded[kata])
    print()
    print_progress(tracks, katas)
    passed = sum(1 for o in graded.values() if o.verdict == "PASS")
    print(f"\n{passed} of {len(katas)} passed ({run_outcome.seconds:.0f} s). "
          f"Results: {_rel(bazel.STATE_DIR / 'results')}/<track>/<kata>/results.json")
    return 0 if passed == len(katas) else 1
