"""The learner's commands besides list, next, check and hint: watch, solution, diff, reset, ide
and bench. add_commands() puts them on main.py's parser; each cmd_* returns the exit code
(0 only when what was asked for was done, 2 for a refusal or a wrong name).
"""

import argparse
import difflib
import os
import sys

import catalog
import setup
import state
from bazel import STATE_DIR
from catalog import ROOT
from ui import ui


def add_commands(sub):
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "watch", help="grade a kata again on every save; move on when it passes",
        formatter_class=raw,
        description="Grade a kata (the first unfinished one unless named) and grade it again\n"
                    "each time you save one of its files, with the output of ./kata check.\n"
                    "When it passes, go on to the next unfinished kata of the learning path.\n"
                    "Saves are noticed with inotifywait (inotify-tools) when installed, else by\n"
                    "looking at the files every second.",
        epilog="Ctrl-C stops watching; the exit code is then 0.")
    p.add_argument("kata", nargs="?", metavar="KATA",
                   help="a kata (track/kata), or a track to start at its first unfinished kata")
    p.add_argument("--poll", action="store_true",
                   help="look at the files every second instead of inotify (for network file "
                        "systems and WSL's /mnt/c, where inotify sees no saves)")
    p.set_defaults(func=cmd_watch)

    for name, short, what in (
            ("solution", "the reference solution of a kata (once it passes)",
             "Print the reference solution of a kata."),
            ("diff", "your files against the reference solution (once the kata passes)",
             "Show a unified diff of your files against the reference solution.")):
        p = sub.add_parser(
            name, help=short, formatter_class=raw,
            description=f"{what}\nOnly once your kata passes (./kata check KATA): before that it "
                        f"would spoil\nthe exercise. --force shows it anyway.",
            epilog="Exit code: 0 when shown, 2 when refused.")
        p.add_argument("kata", metavar="KATA")
        p.add_argument("--force", action="store_true",
                       help="show it even though the kata has not passed")
        p.set_defaults(func=cmd_solution if name == "solution" else cmd_diff)

    p = sub.add_parser(
        "reset", help="put a kata's files back to their skeleton (keeps a backup)",
        formatter_class=raw,
        description="Put the files you edit for a kata back the way git's HEAD has them: the\n"
                    "skeleton, unless you committed your own work (then your last commit).\n"
                    "Your current versions are first copied to .kata/backups/<time>/.\n"
                    "Asks before doing it; without a terminal to ask on, needs --yes.",
        epilog="Exit code: 0 when reset (or nothing to reset), 1 when you answer no, 2 when "
               "refused.")
    p.add_argument("kata", metavar="KATA")
    p.add_argument("--yes", action="store_true", help="do not ask")
    p.set_defaults(func=cmd_reset)

    p = sub.add_parser(
        "ide", help="write compile_commands.json for clangd and editors",
        formatter_class=raw,
        description="Write compile_commands.json at the repository's root from Bazel's own\n"
                    "compile commands, so clangd finds every header, then check that clangd\n"
                    "can open a kata's source with it. Run it again after adding a kata.",
        epilog="Exit code: 0 when written and clangd finds the headers (or is not installed), "
               "1 otherwise.")
    p.set_defaults(func=cmd_ide)

    p = sub.add_parser(
        "bench", help="a kata's benchmark: your code against the reference",
        formatter_class=raw,
        description="Run a kata's benchmark (optimised, no sanitizer) on your code and on the\n"
                    "reference solution, and show the times side by side. Only katas about\n"
                    "speed have one.",
        epilog="Exit code: 0 when both ran, 1 when one failed, 2 when the kata has no "
               "benchmark.")
    p.add_argument("kata", metavar="KATA")
    p.set_defaults(func=cmd_bench)


def _reader_may_leave(command):
    """`./kata diff KATA | head` closes the pipe early: that is the reader's choice, not an
    error, so no traceback."""
    def wrapper(args):
        try:
            return command(args)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return wrapper


def _one_kata(name):
    """The kata `name` names, or None (after saying why) when it names a whole track."""
    katas = catalog.select([name])
    if len(katas) != 1:
        ui.error(f"'{name}' names {len(katas)} katas; name one, e.g. {katas[0].id}")
        return None
    return katas[0]


def _rel(path):
    return os.path.relpath(path, ROOT)


def cmd_watch(args):
    import watch
    tracks = catalog.load()
    names = [args.kata] if args.kata else []
    catalog.select(names, tracks)  # an unknown name fails here, before any installing
    if not setup.ensure(("grading",)):
        return 2
    setup.fix_mmap_rnd_bits()
    return watch.run(names, tracks, poll=args.poll)


def locked(kata, verdict, force, command):
    """Why `command` (solution or diff) is refused for `kata`, or None when it may run."""
    if force or verdict == "PASS":
        return None
    now = "not graded yet" if verdict is None else f"{verdict} at its last check"
    return (f"the reference solution of {kata.id} opens once your kata passes (it is {now}).\n"
            f"  Grade it: ./kata check {kata.id}   Stuck? ./kata hint {kata.id}\n"
            f"  To look anyway: ./kata {command} {kata.id} --force")


def _unlocked_kata(args, command):
    kata = _one_kata(args.kata)
    if kata is None:
        return None
    reason = locked(kata, state.verdict_of(kata.id), args.force, command)
    if reason:
        ui.error(reason)
        return None
    missing = [p for p in kata.solution_paths() if not p.exists()]
    if missing:
        ui.error("missing " + ", ".join(_rel(p) for p in missing))
        return None
    return kata


@_reader_may_leave
def cmd_solution(args):
    kata = _unlocked_kata(args, "solution")
    if kata is None:
        return 2
    for path in kata.solution_paths():
        print(ui.bold(f"==> {_rel(path)} <=="))
        text = path.read_text()
        print(text, end="" if text.endswith("\n") else "\n")
        print()
    return 0


def unified_diff(yours_path, yours_text, reference_path, reference_text):
    """The diff lines from the learner's file to the reference's (no trailing newlines)."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        yours_text.splitlines(keepends=True), reference_text.splitlines(keepends=True),
        fromfile=f"{yours_path} (yours)", tofile=f"{reference_path} (reference)")]


def _paint_diff_line(line):
    if line.startswith(("---", "+++")):
        return ui.bold(line)
    if line.startswith("@@"):
        return ui.cyan(line)
    if line.startswith("+"):
        return ui.green(line)
    if line.startswith("-"):
        return ui.red(line)
    return line


@_reader_may_leave
def cmd_diff(args):
    kata = _unlocked_kata(args, "diff")
    if kata is None:
        return 2
    for yours, reference in zip(kata.exercise_paths(), kata.solution_paths()):
        mine = yours.read_text() if yours.exists() else ""
        lines = unified_diff(_rel(yours), mine, _rel(reference), reference.read_text())
        if not lines:
            print(ui.dim(f"{_rel(yours)}: the same as the reference"))
        for line in lines:
            print(_paint_diff_line(line))
    print(ui.dim("\n(- lines are yours, + lines the reference's)"))
    return 0


def cmd_reset(args):
    import skeleton
    kata = _one_kata(args.kata)
    if kata is None:
        return 2
    try:
        changed = skeleton.changed_files(ROOT, kata.relative_files())
    except skeleton.NoSkeleton as e:
        ui.error(f"cannot reset {kata.id}: {e}")
        return 2
    if not changed:
        print(f"Nothing to reset: {', '.join(kata.relative_files())} are the skeleton already.")
        return 0
    names = [relative for relative, _ in changed]
    one = len(names) == 1
    print(f"Reset {kata.id}: {', '.join(names)} {'goes' if one else 'go'} back to "
          f"{'its' if one else 'their'} version in git's HEAD (the skeleton); your "
          f"{'version is' if one else 'versions are'} copied to {_rel(STATE_DIR / 'backups')}/ "
          f"first.")
    if not args.yes:
        if not sys.stdin.isatty():
            ui.error("no terminal to ask on; add --yes to reset without asking")
            return 2
        try:
            answer = input("Reset? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    kept = skeleton.backup(ROOT, names, STATE_DIR / "backups")
    skeleton.restore(ROOT, changed)
    print(ui.green(f"Reset {len(names)} file{'s' if len(names) != 1 else ''}.") +
          f" Your versions are in {_rel(kept)}/")
    print(f"  to undo: cp -r {_rel(kept)}/exercises .")
    return 0


def cmd_ide(args):
    import ide
    if not setup.ensure(("grading",)):
        return 2
    return ide.write()


def cmd_bench(args):
    import bench
    kata = _one_kata(args.kata)
    if kata is None:
        return 2
    if kata.bench and not setup.ensure(("grading", "bench")):
        return 2
    return bench.run(kata)
