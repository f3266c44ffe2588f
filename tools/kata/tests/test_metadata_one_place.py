"""A kata's facts are declared once: its points in exercises/<track>/katas.bzl, its hints in
its page. Changing them there changes what `./kata hint` prints and what the gradebook counts,
with nothing else to edit."""

import contextlib
import csv
import io
import shutil
import tempfile
import types
import unittest
from pathlib import Path

import catalog
import grade
import gradebook as gb
import main
import outcome

REPO = catalog.ROOT


class MetadataIsDeclaredOnce(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root)
        for rel in ["exercises/tracks.bzl", "exercises/sync/katas.bzl", "exercises/sync/counter.md"]:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / rel, self.root / rel)
        (self.root / "exercises/tracks.bzl").write_text('PATH = ["sync"]\n')
        self.original_root, catalog.ROOT = catalog.ROOT, self.root
        self.addCleanup(setattr, catalog, "ROOT", self.original_root)

    def edit(self, rel, old, new):
        path = self.root / rel
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))

    def counter(self):
        return catalog.select(["sync/counter"])[0]

    def test_points_edited_in_katas_bzl_are_what_the_gradebook_counts(self):
        self.assertEqual(self.counter().points, 1)
        self.edit("exercises/sync/katas.bzl",
                  '"learner_files": ["counter.h", "counter.cc"],\n            "points": 1,',
                  '"learner_files": ["counter.h", "counter.cc"],\n            "points": 4,')
        kata = self.counter()
        self.assertEqual(kata.points, 4)

        # The grade of a passing kata, as `./kata grade` records it, and the gradebook row.
        out = self.root / "out"
        learner = gb.LearnerGrade(name="alice")
        passed = outcome.Outcome("PASS", [], passed_tests=3, total_tests=3)
        grade._record(learner, kata, passed, types.SimpleNamespace(name="alice", files={}),
                      types.SimpleNamespace(tree=self.root), out / "learners" / "alice")
        gb.write_csv(out / "gradebook.csv", [kata.id], [learner], kata.points)
        with (out / "gradebook.csv").open() as f:
            row = next(csv.DictReader(f))
        self.assertEqual(row["sync/counter points"], "4")
        self.assertEqual(row["sync/counter verdict"], "PASS")

    def test_a_hint_edited_in_the_page_is_what_kata_hint_prints(self):
        first = self.counter().hints()[0]
        self.edit("exercises/sync/counter.md", first, "Look at the lock first (edited).")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main.cmd_hint(types.SimpleNamespace(kata="sync/counter", number=1))
        self.assertEqual(code, 0)
        self.assertIn("Look at the lock first (edited).", printed.getvalue())
        self.assertNotIn(first, printed.getvalue())


if __name__ == "__main__":
    unittest.main()
