"""The katas, read from the one place that describes them.

exercises/tracks.bzl orders the tracks; exercises/<track>/katas.bzl describes each track's
katas (the same files the BUILD macros read); each kata's page exercises/<track>/<kata>.md holds
its three hints. Nothing here is a copy of those facts.
"""

import ast
import dataclasses
import difflib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _read_assignment(path, name):
    """The literal value assigned to `name` in a Starlark file (a Python-compatible literal)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise KeyError(f"{path} assigns no {name}")


@dataclasses.dataclass(frozen=True)
class Kata:
    track: str
    name: str
    title: str
    learner_files: tuple
    points: float
    forbidden: tuple      # ((regex, what), ...)
    mutants: dict         # bug -> declared verdict
    position: int         # place in the learning path, from 0
    bench: bool = False   # graders/<track>/<kata>_bench.cc benchmarks it (`./kata bench`)
    asan: bool = False    # its grader also runs under AddressSanitizer (`<kata>_test_asan`)

    @property
    def id(self):
        return f"{self.track}/{self.name}"

    def __hash__(self):
        return hash(self.id)

    @property
    def page(self):
        return ROOT / "exercises" / self.track / f"{self.name}.md"

    def exercise_paths(self):
        return [ROOT / "exercises" / self.track / f for f in self.learner_files]

    def solution_paths(self):
        return [ROOT / "solutions" / self.track / f for f in self.learner_files]

    def relative_files(self):
        return [f"exercises/{self.track}/{f}" for f in self.learner_files]

    @property
    def exercise_target(self):
        return f"//exercises/{self.track}:{self.name}_test"

    @property
    def solution_target(self):
        return f"//solutions/{self.track}:{self.name}_test"

    def mutant_target(self, bug):
        return f"//graders/{self.track}:{self.name}_mutant_{bug}_test"

    # The same graders under AddressSanitizer and LeakSanitizer (katas with "asan": True).
    # They are built with --config=asan, in an output directory of their own.
    @staticmethod
    def asan_target(label):
        return label + "_asan"

    def hints(self):
        """The page's hints, in order (the <details> blocks of its "## Hints" section)."""
        text = self.page.read_text() if self.page.exists() else ""
        blocks = re.findall(r"<details>\s*<summary>[^<]*</summary>(.*?)</details>", text, re.S)
        return [b.strip() for b in blocks]


@dataclasses.dataclass(frozen=True)
class Track:
    name: str
    title: str
    katas: tuple


def load():
    """Every track of the learning path, in order."""
    tracks = []
    position = 0
    for track_name in _read_assignment(ROOT / "exercises" / "tracks.bzl", "PATH"):
        data = _read_assignment(ROOT / "exercises" / track_name / "katas.bzl", "TRACK")
        katas = []
        for k in data["katas"]:
            katas.append(Kata(
                track=track_name,
                name=k["name"],
                title=k.get("title", ""),
                learner_files=tuple(k["learner_files"]),
                points=k.get("points", 1),
                forbidden=tuple(tuple(p) for p in k.get("forbidden", [])),
                mutants=dict(k.get("mutants", {})),
                position=position,
                bench=bool(k.get("bench", False)),
                asan=bool(k.get("asan", False)),
            ))
            position += 1
        tracks.append(Track(name=track_name, title=data.get("title", ""), katas=tuple(katas)))
    return tracks


def all_katas(tracks=None):
    return [k for t in (tracks or load()) for k in t.katas]


class UnknownName(Exception):
    pass


def select(names, tracks=None):
    """Katas named by "track", "track/kata" or "kata"; all of them when `names` is empty."""
    tracks = tracks or load()
    katas = all_katas(tracks)
    if not names:
        return katas
    chosen = []
    for raw in names:
        name = raw.strip("/")
        if name.startswith("exercises/"):
            name = name[len("exercises/"):]
        found = [k for k in katas if name in (k.track, k.id, k.name)]
        if not found:
            candidates = [t.name for t in tracks] + [k.id for k in katas]
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UnknownName(f"no track or kata is called '{raw}'{hint}. "
                              f"`./kata list` shows them all.")
        chosen.extend(k for k in found if k not in chosen)
    return chosen
