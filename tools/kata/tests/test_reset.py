"""./kata reset: the skeleton comes from git's HEAD, the learner's versions are backed up first,
and nothing is replaced without a yes. All of it in a throwaway git repository."""

import contextlib
import io
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import learner
import main
import skeleton

SKELETON = b"int answer() { throw NotImplemented(); }\n"
WORK = b"int answer() { return 42; }\n"


@unittest.skipUnless(shutil.which("git"), "git is missing")
class ResetTest(unittest.TestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp(prefix="kata-reset-test-"))
        self.addCleanup(shutil.rmtree, self.root)
        (self.root / "exercises" / "t").mkdir(parents=True)
        (self.root / "exercises" / "t" / "k.cc").write_bytes(SKELETON)
        (self.root / "exercises" / "t" / "k.h").write_bytes(b"int answer();\n")
        git = ["git", "-c", "user.name=kata", "-c", "user.email=kata@example.com"]
        for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "skeleton"]):
            subprocess.run(git + command, cwd=self.root, check=True, capture_output=True)
        self.files = ["exercises/t/k.h", "exercises/t/k.cc"]
        self.backups = self.root / ".kata" / "backups"

    def test_only_files_that_differ_from_head_are_reset(self):
        self.assertEqual(skeleton.changed_files(self.root, self.files), [])
        (self.root / "exercises/t/k.cc").write_bytes(WORK)
        self.assertEqual(skeleton.changed_files(self.root, self.files),
                         [("exercises/t/k.cc", SKELETON)])

    def test_a_deleted_file_comes_back(self):
        (self.root / "exercises/t/k.h").unlink()
        changed = skeleton.changed_files(self.root, self.files)
        self.assertEqual([name for name, _ in changed], ["exercises/t/k.h"])
        kept = skeleton.backup(self.root, ["exercises/t/k.h"], self.backups)
        skeleton.restore(self.root, changed)
        self.assertEqual((self.root / "exercises/t/k.h").read_bytes(), b"int answer();\n")
        self.assertFalse((kept / "exercises/t/k.h").exists())

    def test_a_file_git_does_not_know_has_no_skeleton(self):
        (self.root / "exercises/t/new.cc").write_bytes(WORK)
        with self.assertRaises(skeleton.NoSkeleton):
            skeleton.changed_files(self.root, ["exercises/t/new.cc"])

    def test_backup_keeps_the_learners_version_under_its_path_then_restore(self):
        (self.root / "exercises/t/k.cc").write_bytes(WORK)
        changed = skeleton.changed_files(self.root, self.files)
        kept = skeleton.backup(self.root, [name for name, _ in changed], self.backups,
                               stamp="20260101-120000")
        self.assertEqual(kept, self.backups / "20260101-120000")
        self.assertEqual((kept / "exercises/t/k.cc").read_bytes(), WORK)
        skeleton.restore(self.root, changed)
        self.assertEqual((self.root / "exercises/t/k.cc").read_bytes(), SKELETON)

    def test_two_backups_in_the_same_second_do_not_overwrite_each_other(self):
        (self.root / "exercises/t/k.cc").write_bytes(WORK)
        first = skeleton.backup(self.root, ["exercises/t/k.cc"], self.backups, stamp="same")
        (self.root / "exercises/t/k.cc").write_bytes(b"second attempt\n")
        second = skeleton.backup(self.root, ["exercises/t/k.cc"], self.backups, stamp="same")
        self.assertNotEqual(first, second)
        self.assertEqual((first / "exercises/t/k.cc").read_bytes(), WORK)
        self.assertEqual((second / "exercises/t/k.cc").read_bytes(), b"second attempt\n")

    def _reset(self, *flags, stdin):
        """`./kata reset t/k` on the throwaway repository; returns (exit code, output)."""
        kata = mock.Mock(id="t/k", relative_files=lambda: self.files)
        out = io.StringIO()
        with mock.patch.object(learner, "ROOT", self.root), \
                mock.patch.object(learner, "STATE_DIR", self.root / ".kata"), \
                mock.patch.object(learner, "_one_kata", return_value=kata), \
                mock.patch("sys.stdin", stdin), contextlib.redirect_stdout(out):
            code = main.main(["reset", "t/k"] + list(flags))
        return code, out.getvalue()

    def test_without_a_terminal_reset_needs_yes(self):
        (self.root / "exercises/t/k.cc").write_bytes(WORK)
        code, text = self._reset(stdin=io.StringIO("y\n"))  # not a terminal
        self.assertEqual(code, 2)
        self.assertIn("--yes", text)
        self.assertEqual((self.root / "exercises/t/k.cc").read_bytes(), WORK)
        self.assertFalse(self.backups.exists())

        code, text = self._reset("--yes", stdin=io.StringIO(""))
        self.assertEqual(code, 0, text)
        self.assertEqual((self.root / "exercises/t/k.cc").read_bytes(), SKELETON)
        [kept] = list(self.backups.iterdir())
        self.assertEqual((kept / "exercises/t/k.cc").read_bytes(), WORK)
        self.assertIn(f".kata/backups/{kept.name}/", text)

    def test_on_a_terminal_it_asks_and_no_changes_nothing(self):
        (self.root / "exercises/t/k.cc").write_bytes(WORK)
        terminal = mock.Mock(isatty=lambda: True)
        with mock.patch("builtins.input", return_value="n"):
            code, text = self._reset(stdin=terminal)
        self.assertEqual(code, 1)
        self.assertEqual((self.root / "exercises/t/k.cc").read_bytes(), WORK)
        with mock.patch("builtins.input", return_value="y"):
            code, text = self._reset(stdin=terminal)
        self.assertEqual(code, 0)
        self.assertEqual((self.root / "exercises/t/k.cc").read_bytes(), SKELETON)

    def test_nothing_to_reset_is_a_success(self):
        code, text = self._reset(stdin=io.StringIO(""))
        self.assertEqual(code, 0)
        self.assertIn("Nothing to reset", text)


if __name__ == "__main__":
    unittest.main()
