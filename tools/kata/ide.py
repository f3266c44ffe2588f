"""./kata ide: compile_commands.json at the repository's root, so clangd (and editors built on
it) finds the katas' headers, GoogleTest and the harness, with the flags Bazel compiles with.

The commands are Bazel's own compile actions (`bazel aquery`), run from Bazel's execution
root, where the relative include paths of those actions resolve. Each entry names its source
by its path in the repository, which is the path an editor opens. A source compiled by several
targets (a grader links the exercise, the solution and every mutant) keeps the exercise's
command, so its `#include "<track>/<kata>.h"` opens the learner's header.
"""

import json
import shutil
import subprocess

import bazel
from catalog import ROOT
from ui import ui

SCOPE = "//exercises/... + //solutions/... + //graders/..."
QUERY = f'mnemonic("CppCompile", {SCOPE})'
OUTPUT = ROOT / "compile_commands.json"

# Writes generated headers and the _virtual_includes symlinks without compiling anything.
_HEADERS_ONLY = "--output_groups=compilation_prerequisites_INTERNAL_"

# Flags that make a compiler write files (dependency lists) beside Bazel's outputs.
_DROP_WITH_VALUE = {"-MF", "-MT", "-MQ"}
_DROP = {"-MD", "-MMD"}


def _preference(label):
    """Which target's command a source keeps when several compile it: the learner's first."""
    for rank, prefix in enumerate(("//exercises", "//graders/support", "//solutions")):
        if label.startswith(prefix):
            return rank
    return 3


def entries(aquery, execution_root, workspace):
    """compile_commands.json entries from `bazel aquery --output=jsonproto` output."""
    labels = {t["id"]: t["label"] for t in aquery.get("targets", [])}
    actions = sorted(aquery.get("actions", []),
                     key=lambda a: _preference(labels.get(a.get("targetId"), "")))
    result, seen = [], set()
    for action in actions:
        arguments = action.get("arguments", [])
        if "-c" not in arguments:
            continue
        source = arguments[arguments.index("-c") + 1]
        # A generated source (a mutant patched from its .diff) is no file to edit.
        if source in seen or source.startswith("bazel-out/"):
            continue
        seen.add(source)
        absolute = str(workspace / source)
        kept, skip = [], False
        for argument in arguments:
            if skip:
                skip = False
            elif argument in _DROP_WITH_VALUE:
                skip = True
            elif argument not in _DROP:
                kept.append(absolute if argument == source else argument)
        result.append({"directory": str(execution_root), "file": absolute, "arguments": kept})
    return result


def _bazel(arguments, log):
    """Runs Bazel in the workspace; its stderr goes to `log`. Returns the CompletedProcess."""
    log.write("$ bazel " + " ".join(arguments) + "\n")
    log.flush()
    return subprocess.run([bazel.bazel_binary()] + arguments, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=log, text=True)


def write():
    """Writes compile_commands.json; returns the exit code."""
    bazel.STATE_DIR.mkdir(exist_ok=True)
    (bazel.STATE_DIR / "logs").mkdir(exist_ok=True)
    log_path = bazel.STATE_DIR / "logs" / "bazel-ide.log"
    with open(log_path, "w") as log:
        ui.info("asking Bazel for the compile commands of the katas (bazel aquery)...")
        query = _bazel(["aquery", "--output=jsonproto", QUERY], log)
        if query.returncode != 0:
            ui.error(f"bazel aquery failed; see {log_path.relative_to(ROOT)}")
            return 1
        aquery = json.loads(query.stdout or "{}")
        labels = sorted({t["label"] for t in aquery.get("targets", [])})
        ui.info("making the headers those commands include (no compiling)...")
        # --keep_going: a target that does not build still gets the headers of the others.
        _bazel(["build", "--keep_going", _HEADERS_ONLY] + labels, log)
        info = _bazel(["info", "execution_root"], log)
        if info.returncode != 0:
            ui.error(f"bazel info failed; see {log_path.relative_to(ROOT)}")
            return 1
    commands = entries(aquery, info.stdout.strip(), ROOT)
    OUTPUT.write_text(json.dumps(commands, indent=1) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(commands)} sources "
          f"(the exercises, solutions and graders)")
    return _clangd_check(commands)


def _clangd_check(commands):
    """Asks clangd to open one learner source with the new file: its headers must resolve."""
    clangd = shutil.which("clangd") or shutil.which("clangd-14")
    learner = [c["file"] for c in commands if c["file"].startswith(str(ROOT / "exercises"))]
    if not clangd or not learner:
        print("  (clangd is not installed, so it was not tried: apt-get install clangd)")
        return 0
    source = learner[0]
    proc = subprocess.run([clangd, f"--check={source}"], cwd=ROOT, capture_output=True,
                          text=True, errors="replace")
    lines = proc.stderr.splitlines()
    missing = [l for l in lines if "file_not_found" in l or "file not found" in l]
    relative = source[len(str(ROOT)) + 1:]
    if missing:
        ui.error(f"clangd cannot find the headers of {relative}:")
        print("\n".join("  " + l for l in missing[:5]))
        return 1
    summary = next((l.split("] ", 1)[-1] for l in reversed(lines) if "checks completed" in l),
                   None)
    if summary is None:  # clangd 14 can crash late in --check, after the headers are read
        summary = f"clangd stopped early, exit code {proc.returncode}, but no header was missing"
    print(f"clangd --check={relative}: headers found ({summary}; errors in code you are "
          f"still writing are expected).")
    print("Editors that use clangd (VS Code's clangd extension, Neovim, Emacs, CLion) read it "
          "from the repository's root; run ./kata ide again after adding a kata.")
    return 0
