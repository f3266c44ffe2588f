#!/usr/bin/env python3
"""A mutant's files as unified diffs against the reference solution.

A mutant (graders/<track>/mutants/<kata>/<bug>/) keeps, for each kata file it changes,
`<file>.diff`: a unified diff from solutions/<track>/<file>, after a few "#" lines saying what
the bug is. The build patches the solution with it (tools/kata.bzl); only exact hunks apply, so
a solution that moved under a mutant fails the build, naming the diff and the hunk.

  mutant_diff.py apply SOLUTION DIFF OUT   write SOLUTION patched by DIFF to OUT
  mutant_diff.py make DIR...               turn a mutant directory's full copies into diffs

Python's standard library only: no `patch` program is needed.
"""

import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_NEWLINE = "\\ No newline at end of file"


class DoesNotApply(Exception):
    pass


def _lines(text):
    """Lines with their endings; only "\n" ends a line (unlike str.splitlines)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _hunks(diff_text, name):
    """[(header, old start, [(" " | "-" | "+", line)])] of a one-file unified diff; the text
    before its "---" line is its description and is skipped."""
    lines = _lines(diff_text)
    i = 0
    while i < len(lines) and not lines[i].startswith("--- "):
        i += 1
    if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
        raise DoesNotApply(f"{name}: no '---' and '+++' lines: not a unified diff")
    i += 2
    hunks = []
    while i < len(lines):
        match = HUNK.match(lines[i])
        if not match:
            raise DoesNotApply(f"{name}: line {i + 1}: expected a hunk (@@ ... @@), found "
                               f"{lines[i].rstrip()!r} (one file per diff)")
        header = lines[i].rstrip("\n")
        old_count = int(match.group(2) or "1")
        new_count = int(match.group(4) or "1")
        i += 1
        body = []
        olds = news = 0
        while i < len(lines) and (olds < old_count or news < new_count or
                                  lines[i].startswith("\\")):
            line = lines[i]
            i += 1
            if line.startswith("\\"):  # the line before has no newline
                if not body:
                    raise DoesNotApply(f"{name}: {header}: '\\' line before any line")
                kind, text = body[-1]
                body[-1] = (kind, text.removesuffix("\n"))
                continue
            kind, text = line[:1], line[1:]
            if line == "\n":  # an empty context line whose space was trimmed
                kind, text = " ", "\n"
            if kind not in " -+":
                raise DoesNotApply(f"{name}: {header}: line {i}: {line.rstrip()!r} is not a "
                                   f"context, removed or added line")
            olds += kind in " -"
            news += kind in " +"
            body.append((kind, text))
        if (olds, news) != (old_count, new_count):
            raise DoesNotApply(f"{name}: {header}: the hunk has {olds} old and {news} new "
                               f"lines, its header says {old_count} and {new_count}")
        start = int(match.group(1))
        hunks.append((header, start - 1 if old_count else start, body))
    return hunks


def apply(solution_text, diff_text, name="diff"):
    """The solution's text patched by the diff. Every hunk must apply exactly where it says:
    DoesNotApply names the hunk and the first line that differs."""
    old = _lines(solution_text)
    out = []
    at = 0
    for number, (header, start, body) in enumerate(_hunks(diff_text, name), 1):
        where = f"{name}: hunk {number} ({header})"
        if start < at:
            raise DoesNotApply(f"{where} overlaps the hunk before it")
        if start > len(old):
            raise DoesNotApply(f"{where} starts after the solution's end ({len(old)} lines)")
        out += old[at:start]
        at = start
        for kind, text in body:
            if kind == "+":
                out.append(text)
                continue
            found = old[at] if at < len(old) else None
            if found != text:
                raise DoesNotApply(
                    f"{where} does not apply: the solution's line {at + 1} is "
                    f"{'(end of file)' if found is None else repr(found)}, the diff expects "
                    f"{text!r}")
            if kind == " ":
                out.append(text)
            at += 1
    return "".join(out + old[at:])


def diff(solution_text, mutant_text, solution_name, mutant_name, description=()):
    """A unified diff (3 lines of context) from the solution to the mutant, after the
    description's lines as "# " comments."""
    old, new = _lines(solution_text), _lines(mutant_text)
    out = [f"# {line}".rstrip() + "\n" for line in description]
    out += [f"--- {solution_name}\n", f"+++ {mutant_name}\n"]
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(3):
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += _marked(" ", old[a1:a2])
                continue
            out += _marked("-", old[a1:a2])
            out += _marked("+", new[b1:b2])
    return "".join(out)


def _range(begin, end):
    """A hunk header's "start,count" (an empty range starts at the line before it)."""
    count = end - begin
    start = begin + 1 if count else begin
    return f"{start}" if count == 1 else f"{start},{count}"


def _marked(kind, lines):
    out = []
    for line in lines:
        out.append(kind + line if line.endswith("\n") else f"{kind}{line}\n{NO_NEWLINE}\n")
    return out


def description(bug, solution_text, mutant_text):
    """What the bug is: the mutant's first block of "//" comment lines that the solution does
    not have, after the bug's name."""
    known = set(_lines(solution_text))
    block = []
    for line in _lines(mutant_text):
        comment = line.strip().startswith("//")
        if comment and line not in known:
            block.append(line.strip().removeprefix("//").strip())
        elif block:
            break
    return [f"{bug}: {block[0]}" if block else f"{bug}"] + block[1:]


def solution_of(mutant_dir, name):
    """The reference solution a file of graders/<track>/mutants/<kata>/<bug>/ is a version of."""
    parts = Path(mutant_dir).resolve().parts
    if len(parts) < 6 or parts[-3] != "mutants" or parts[-5] != "graders":
        raise DoesNotApply(f"{mutant_dir}: not a mutant directory "
                           f"(graders/<track>/mutants/<kata>/<bug>/)")
    return Path(*parts[:-5]) / "solutions" / parts[-4] / name


def patched(mutant_dir, name):
    """The mutant's version of kata file `name`, as bytes: its full copy, the solution patched
    by `<name>.diff`, or the solution itself when the mutant leaves the file alone."""
    mutant_dir = Path(mutant_dir)
    solution = solution_of(mutant_dir, name)
    if (mutant_dir / name).exists():
        return (mutant_dir / name).read_bytes()
    if (mutant_dir / f"{name}.diff").exists():
        return apply(_read(solution), _read(mutant_dir / f"{name}.diff"),
                     str(mutant_dir / f"{name}.diff")).encode("utf-8")
    return solution.read_bytes()


def make(mutant_dir):
    """Replaces each full copy in a mutant directory by `<file>.diff`, having checked that the
    diff gives back the copy byte for byte. Returns the diffs written."""
    mutant_dir = Path(mutant_dir)
    bug = mutant_dir.resolve().name
    copies = sorted(p for p in mutant_dir.iterdir() if p.is_file() and p.suffix != ".diff")
    texts = {}
    for copy in copies:
        solution = solution_of(mutant_dir, copy.name)
        if not solution.exists():
            raise DoesNotApply(f"{copy}: no solution {solution} to diff it against")
        texts[copy] = (solution, _read(solution), _read(copy))
    described = {copy: description(bug, old, new) for copy, (_, old, new) in texts.items()}
    # The bug is usually told once, in the first file; the others point to it.
    teller = next((copy for copy, lines in described.items() if lines != [bug]), None)
    written = []
    for copy, (solution, old, new) in texts.items():
        lines = described[copy]
        if lines == [bug] and teller is not None:
            lines = [f"{bug}: see {teller.name}.diff"]
        text = diff(old, new, _relative(solution), _relative(copy), lines)
        target = copy.with_name(copy.name + ".diff")
        if apply(old, text, str(target)).encode("utf-8") != copy.read_bytes():
            raise DoesNotApply(f"{target}: the diff does not give back {copy} (not converted)")
        target.write_text(text, encoding="utf-8", newline="")
        copy.unlink()
        written.append(target)
    return written


def _relative(path):
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "apply":
            solution, diff_path, out = argv[1:]
            text = apply(_read(solution), _read(diff_path), diff_path)
            Path(out).write_text(text, encoding="utf-8", newline="")
            return 0
        if len(argv) >= 2 and argv[0] == "make":
            for directory in argv[1:]:
                for target in make(directory):
                    print(f"wrote {_relative(target)}")
            return 0
    except DoesNotApply as e:
        print(f"mutant_diff: {e}", file=sys.stderr)
        return 1
    usage = [line for line in __doc__.splitlines() if line.startswith("  mutant_diff.py")]
    print("usage:\n" + "\n".join(usage), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
