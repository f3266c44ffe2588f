"""tools/mutant_diff.py: mutants kept as diffs against the reference solution."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from catalog import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutant_diff  # noqa: E402

SOLUTION = """\
// Counter: many threads add to it.
#pragma once

#include <mutex>

class Counter {
 public:
  void increment() {
    std::lock_guard<std::mutex> lock(mu_);
    ++value_;
  }

 private:
  std::mutex mu_;
  long value_ = 0;
};
"""

MUTANT = """\
// Mutant (RACE): increment() takes no lock.
// Two threads' ++value_ race.
// Counter: many threads add to it.
#pragma once

#include <mutex>

class Counter {
 public:
  void increment() {
    ++value_;
  }

 private:
  std::mutex mu_;
  long value_ = 0;
};"""


class MutantDiffTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)
        (self.tmp / "solutions" / "sync").mkdir(parents=True)
        (self.tmp / "solutions" / "sync" / "counter.h").write_text(SOLUTION)
        self.mutant_dir = self.tmp / "graders" / "sync" / "mutants" / "counter" / "unlocked"
        self.mutant_dir.mkdir(parents=True)

    def test_a_diff_gives_back_the_mutant_byte_for_byte(self):
        text = mutant_diff.diff(SOLUTION, MUTANT, "a", "b", ["unlocked: no lock"])
        self.assertTrue(text.startswith("# unlocked: no lock\n--- a\n+++ b\n@@ "))
        self.assertIn("\\ No newline at end of file", text)
        self.assertEqual(mutant_diff.apply(SOLUTION, text), MUTANT)

    def test_gnu_patch_reads_the_same_diff_despite_its_description(self):
        if not shutil.which("patch"):
            self.skipTest("patch is not installed")
        (self.tmp / "counter.h").write_text(SOLUTION)
        (self.tmp / "counter.h.diff").write_text(
            mutant_diff.diff(SOLUTION, MUTANT, "a", "b", ["unlocked: no lock"]))
        subprocess.run(["patch", "-s", str(self.tmp / "counter.h"), str(self.tmp / "counter.h.diff")],
                       check=True)
        self.assertEqual((self.tmp / "counter.h").read_text(), MUTANT)

    def test_make_replaces_each_copy_by_a_diff_that_tells_the_bug(self):
        (self.mutant_dir / "counter.h").write_text(MUTANT)
        written = mutant_diff.make(self.mutant_dir)
        self.assertEqual([p.name for p in written], ["counter.h.diff"])
        self.assertFalse((self.mutant_dir / "counter.h").exists())
        text = written[0].read_text()
        self.assertTrue(text.startswith("# unlocked: Mutant (RACE): increment() takes no lock.\n"
                                        "# Two threads' ++value_ race.\n--- "), text)
        self.assertEqual(mutant_diff.patched(self.mutant_dir, "counter.h"), MUTANT.encode())

    def test_patched_is_the_copy_the_diff_or_the_untouched_solution(self):
        self.assertEqual(mutant_diff.patched(self.mutant_dir, "counter.h"), SOLUTION.encode())
        (self.mutant_dir / "counter.h").write_text(MUTANT)
        self.assertEqual(mutant_diff.patched(self.mutant_dir, "counter.h"), MUTANT.encode())

    def test_a_diff_that_does_not_apply_names_the_file_the_hunk_and_the_line(self):
        text = mutant_diff.diff(SOLUTION, MUTANT, "a", "b")
        moved = SOLUTION.replace("    ++value_;", "    value_ += 1;")
        with self.assertRaises(mutant_diff.DoesNotApply) as caught:
            mutant_diff.apply(moved, text, "counter.h.diff")
        message = str(caught.exception)
        self.assertIn("counter.h.diff: hunk 2 (@@ -6,11 +8,10 @@) does not apply", message)
        self.assertIn("line 10 is '    value_ += 1;\\n'", message)

    def test_the_command_line_fails_loudly_and_writes_nothing(self):
        diff_path = self.tmp / "counter.h.diff"
        diff_path.write_text(mutant_diff.diff(SOLUTION, MUTANT, "a", "b"))
        moved = self.tmp / "moved.h"
        moved.write_text(SOLUTION.replace("#pragma once", "#ifndef COUNTER_H"))
        out = self.tmp / "out.h"
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / "mutant_diff.py"), "apply",
                               str(moved), str(diff_path), str(out)],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("hunk 1", proc.stderr)
        self.assertFalse(out.exists())

    def test_every_mutant_of_the_repository_applies(self):
        for diff_path in sorted(ROOT.glob("graders/*/mutants/*/*/*.diff")):
            name = diff_path.name.removesuffix(".diff")
            with self.subTest(mutant=str(diff_path.relative_to(ROOT))):
                mutant_diff.patched(diff_path.parent, name)


if __name__ == "__main__":
    unittest.main()
