#!/usr/bin/env python3
"""Makes a synthetic class to measure `./kata grade`: N learners' submissions of a track, built
from the repository's reference solutions, mutants and skeletons, in every submission format.

    tools/grading/make_class.py DIR [--learners 30] [--tracks sync] [--seed 1]

Learner i gets, for each kata, the reference solution, one of the kata's mutants (with the
verdict it declares) or the untouched skeleton, in a rotation that mixes them; the formats
rotate too (directory, .tar.gz with a top folder, .zip, git repository). DIR/expected.json
lists what each learner should get.
"""

import argparse
import io
import json
import random
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "kata"))
sys.path.insert(0, str(ROOT / "tools"))

import catalog  # noqa: E402
import mutant_diff  # noqa: E402


def kata_files(kata, choice):
    """{repo path: bytes} of the learner files for `choice`: "solution", "skeleton" or a bug."""
    files = {}
    for name in kata.learner_files:
        rel = f"exercises/{kata.track}/{name}"
        if choice == "skeleton":
            continue
        if choice == "solution":
            files[rel] = (ROOT / "solutions" / kata.track / name).read_bytes()
        else:
            files[rel] = mutant_diff.patched(
                ROOT / "graders" / kata.track / "mutants" / kata.name / choice, name)
    return files


def write_submission(directory, name, files, form):
    if form == "dir":
        for rel, data in files.items():
            path = directory / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (directory / name).mkdir(parents=True, exist_ok=True)
        return directory / name
    if form == "tar":
        path = directory / f"{name}.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for rel, data in files.items():
                info = tarfile.TarInfo(f"{name}-katas/{rel}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path
    if form == "zip":
        path = directory / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for rel, data in files.items():
                z.writestr(rel, data)
        return path
    repo = write_submission(directory, name, files, "dir")
    git = ["git", "-C", str(repo), "-c", f"user.name={name}", "-c", "user.email=l@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "katas"], check=True)
    return repo


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--tracks", default="sync")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    katas = catalog.select(args.tracks.split(","))
    rng = random.Random(args.seed)
    args.directory.mkdir(parents=True, exist_ok=True)
    expected, paths = {}, []
    forms = ["dir", "tar", "zip", "git"]
    for i in range(args.learners):
        name = f"learner{i + 1:02d}"
        files, verdicts = {}, {}
        for k, kata in enumerate(katas):
            slot = (i + k) % 3
            if slot == 0:
                choice, verdict = "solution", "PASS"
            elif slot == 1 and kata.mutants:
                choice = rng.choice(sorted(kata.mutants))
                verdict = kata.mutants[choice]
            else:
                choice, verdict = "skeleton", "NOT_STARTED"
            files.update(kata_files(kata, choice))
            verdicts[kata.id] = {"implementation": choice, "verdict": verdict}
        paths.append(str(write_submission(args.directory, name, files, forms[i % 4])))
        expected[name] = verdicts
    (args.directory / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print("\n".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
