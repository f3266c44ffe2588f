"""./kata solution and ./kata diff stay shut until the kata passes, unless --force."""

import contextlib
import io
import unittest
from unittest import mock

import catalog
import learner
import main
import state


def run_kata(*argv, verdict):
    """main() with `verdict` as the kata's last verdict; returns (exit code, output)."""
    out = io.StringIO()
    with mock.patch.object(state, "verdict_of", return_value=verdict), \
            contextlib.redirect_stdout(out):
        code = main.main(list(argv))
    return code, out.getvalue()


class RefusalTest(unittest.TestCase):
    KATA = catalog.select(["sync/counter"])[0]

    def test_refused_before_the_kata_passes(self):
        for verdict in (None, "NOT_STARTED", "RACE", "BUILD_ERROR"):
            reason = learner.locked(self.KATA, verdict, force=False, command="diff")
            self.assertIsNotNone(reason, verdict)
            self.assertIn("./kata diff sync/counter --force", reason)
            self.assertIn("./kata check sync/counter", reason)

    def test_open_once_it_passes_or_with_force(self):
        self.assertIsNone(learner.locked(self.KATA, "PASS", force=False, command="solution"))
        self.assertIsNone(learner.locked(self.KATA, "RACE", force=True, command="solution"))

    def test_solution_refused_with_exit_2_and_shown_with_force(self):
        code, text = run_kata("solution", "sync/counter", verdict="RACE")
        self.assertEqual(code, 2)
        self.assertIn("opens once your kata passes (it is RACE at its last check)", text)
        self.assertNotIn("==> solutions/", text)
        code, text = run_kata("solution", "sync/counter", "--force", verdict="RACE")
        self.assertEqual(code, 0)
        self.assertIn("==> solutions/sync/counter.h <==", text)
        self.assertIn("==> solutions/sync/counter.cc <==", text)

    def test_diff_refused_with_exit_2_and_shown_once_passed(self):
        code, text = run_kata("diff", "sync/counter", verdict=None)
        self.assertEqual(code, 2)
        self.assertIn("not graded yet", text)
        code, text = run_kata("diff", "sync/counter", verdict="PASS")
        self.assertEqual(code, 0)
        self.assertIn("--- exercises/sync/counter.h (yours)", text)
        self.assertIn("+++ solutions/sync/counter.h (reference)", text)

    def test_a_whole_track_is_refused(self):
        code, text = run_kata("solution", "sync", "--force", verdict="PASS")
        self.assertEqual(code, 2)
        self.assertIn("name one", text)

    def test_the_diff_goes_from_yours_to_the_reference(self):
        lines = learner.unified_diff("mine.cc", "a\nb\n", "ref.cc", "a\nc\n")
        self.assertEqual(lines[:2], ["--- mine.cc (yours)", "+++ ref.cc (reference)"])
        self.assertIn("-b", lines)
        self.assertIn("+c", lines)
        self.assertEqual(learner.unified_diff("x", "same\n", "y", "same\n"), [])


if __name__ == "__main__":
    unittest.main()
