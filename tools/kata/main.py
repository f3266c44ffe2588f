"""./kata: learn and grade concurrent programming in C++. `./kata --help` for the commands."""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog  # noqa: E402
import learner  # noqa: E402
import setup  # noqa: E402
from ui import ui  # noqa: E402

LEVELS = ("quick", "thorough")


def cmd_list(args):
    import state
    tracks = catalog.load()
    current = state.load()
    total = done = 0
    for track in tracks:
        passed = sum(1 for k in track.katas if state.verdict_of(k.id, current) == "PASS")
        total += len(track.katas)
        done += passed
        print(f"{ui.bold(track.name):<10} {ui.bar(passed, len(track.katas))}  {track.title}")
        for kata in track.katas:
            verdict = state.verdict_of(kata.id, current)
            if verdict == "PASS":
                label = ui.green("passed      ")
            elif verdict in (None, "NOT_STARTED"):
                label = ui.dim("not started ")
            else:
                label = ui.red(f"{verdict:<12}")
            print(f"    {label} {kata.id:<28} {kata.title}")
        print()
    print(f"overall    {ui.bar(done, total)}")
    nxt = _next_kata(tracks, current)
    if nxt:
        print(f"\nnext: {nxt.id}  (./kata next)")
    return 0


def _next_kata(tracks, current):
    import state
    for kata in catalog.all_katas(tracks):
        if state.verdict_of(kata.id, current) != "PASS":
            return kata
    return None


def cmd_next(args):
    import state
    tracks = catalog.load()
    kata = _next_kata(tracks, state.load())
    if kata is None:
        print(ui.green("Every kata passes. Well done!"))
        return 0
    print(ui.bold(f"Next: {kata.id}: {kata.title}"))
    print(f"  read:   {os.path.relpath(kata.page)}")
    print(f"  edit:   {', '.join(kata.relative_files())}")
    print(f"  check:  ./kata check {kata.id}")
    print(f"  stuck?  ./kata hint {kata.id}")
    return 0


def cmd_check(args):
    import check
    tracks = catalog.load()
    katas = catalog.select(args.names, tracks)
    if not setup.ensure(("grading",)):
        return 2
    setup.fix_mmap_rnd_bits()
    return check.run(katas, tracks, level=args.level, seed=args.seed, noise=not args.no_noise)


def cmd_hint(args):
    import state
    katas = catalog.select([args.kata])
    if len(katas) != 1:
        ui.error(f"'{args.kata}' names {len(katas)} katas; name one, e.g. {katas[0].id}")
        return 2
    kata = katas[0]
    hints = kata.hints()
    if not hints:
        ui.error(f"{kata.id} has no hints in {kata.page}")
        return 2
    if args.number:
        index = args.number - 1
        if not 0 <= index < len(hints):
            ui.error(f"{kata.id} has hints 1 to {len(hints)}")
            return 2
    else:
        index = state.next_hint(kata.id, len(hints))
        if index is None:
            print(f"All {len(hints)} hints of {kata.id} are shown already; "
                  f"`./kata hint {kata.id} N` shows hint N again.")
            return 0
    print(ui.bold(f"Hint {index + 1} of {len(hints)} for {kata.id}:"))
    print(hints[index])
    return 0


def cmd_doctor(args):
    return 0 if setup.doctor() else 1


def cmd_selftest(args):
    import selftest
    katas = catalog.select(args.names)
    # The selftest also drives `./kata watch` in a terminal (tmux, inotify-tools) and runs the
    # benchmarks (Google Benchmark, and the libraries they compare with).
    if not setup.ensure(("grading", "watch", "selftest", "bench")):
        return 2
    setup.fix_mmap_rnd_bits()
    if args.flake:
        return selftest.run_flake(katas, args.flake, level=args.level)
    return selftest.run(katas, runs=args.runs, level=args.level, compare_noise=args.matrix,
                        write_docs=args.matrix)


def main(argv):
    parser = argparse.ArgumentParser(
        prog="./kata",
        description="Concurrency katas in C++: exercises graded under ThreadSanitizer, with "
                    "stress tests and a deadlock watchdog.",
        epilog="Start with `./kata next`. Every command has --help.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="every track and kata with its state (the default)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("next", help="the first unfinished kata: what to read, edit and run")
    p.set_defaults(func=cmd_next)

    p = sub.add_parser("check", help="grade katas: ./kata check sync, ./kata check sync/counter",
                       description="Grade the learner's katas (a track, track/kata, or all) "
                                   "and explain each failure. Exit 0 only if all pass.")
    p.add_argument("names", nargs="*", metavar="TRACK[/KATA]")
    p.add_argument("--level", choices=LEVELS, default="quick",
                   help="stress level (default quick; thorough is what instructors use)")
    p.add_argument("--seed", type=int, help="replay the schedule noise of an earlier run")
    p.add_argument("--no-noise", action="store_true",
                   help="no random yields at your mutexes and condition variables")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("hint", help="the next hint of a kata (three, gentle to explicit)")
    p.add_argument("kata", metavar="KATA")
    p.add_argument("number", nargs="?", type=int, help="show hint N again")
    p.set_defaults(func=cmd_hint)

    learner.add_commands(sub)  # watch, solution, diff, reset, ide, bench

    import grade
    grade.add_command(sub)  # grade: instructors grade a class (docs/grading.md)

    p = sub.add_parser("doctor", help="what is installed, what is missing, how to fix it")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("selftest", help="the project's tests: every grader against its solution, "
                                        "skeleton and mutants",
                       description="Run every grader against its reference solution (several "
                                   "runs), its skeleton and its mutants; print the matrix.")
    p.add_argument("names", nargs="*", metavar="TRACK[/KATA]")
    p.add_argument("--runs", type=int, default=3, help="runs of each solution (default 3)")
    p.add_argument("--level", choices=LEVELS, default="thorough",
                   help="stress level of the solution runs (default thorough)")
    p.add_argument("--matrix", action="store_true",
                   help="also grade the mutants without schedule noise and write "
                        "docs/kill-matrix.txt")
    p.add_argument("--flake", type=int, metavar="N",
                   help="only the reference solutions, N runs each (thorough), into "
                        "docs/flake-report.txt")
    p.set_defaults(func=cmd_selftest)

    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return cmd_list(args)
    try:
        return args.func(args)
    except catalog.UnknownName as e:
        ui.error(str(e))
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
