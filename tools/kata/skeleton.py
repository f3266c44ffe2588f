"""A kata's skeleton, for `./kata reset`: the learner's files as git's HEAD has them, and a
backup of the learner's versions before they are replaced.

HEAD is the skeleton in a clone nobody committed to; a learner who commits their work gets
their last commit back instead, which `./kata reset --help` says.
"""

import shutil
import subprocess
import time
from pathlib import Path


class NoSkeleton(Exception):
    pass


def skeleton_of(root, relative):
    """The bytes of `relative` (a path under `root`) in git's HEAD."""
    try:
        proc = subprocess.run(["git", "show", f"HEAD:./{relative}"], cwd=root,
                              capture_output=True)
    except OSError:
        raise NoSkeleton("git is not installed")
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        raise NoSkeleton(f"git has no {relative} at HEAD ({reason[-1] if reason else 'no git'})")
    return proc.stdout


def changed_files(root, relatives):
    """[(relative path, skeleton bytes)] of the files that differ from their skeleton (a
    missing file differs too)."""
    changed = []
    for relative in relatives:
        skeleton = skeleton_of(root, relative)
        path = Path(root) / relative
        current = path.read_bytes() if path.exists() else None
        if current != skeleton:
            changed.append((relative, skeleton))
    return changed


def backup(root, relatives, backups_dir, stamp=None):
    """Copies the files that exist into a new backups_dir/<timestamp>/, keeping their paths
    relative to `root`; returns that directory."""
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    target = Path(backups_dir) / stamp
    suffix = 1
    while target.exists():  # two resets within a second
        suffix += 1
        target = Path(backups_dir) / f"{stamp}-{suffix}"
    target.mkdir(parents=True)
    for relative in relatives:
        source = Path(root) / relative
        if source.exists():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    return target


def restore(root, changed):
    """Writes each skeleton over the learner's file (keeping the file's mode)."""
    for relative, skeleton in changed:
        path = Path(root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(skeleton)
