"""The flake report is filled track by track: a run replaces its katas' rows, keeps the rest."""

import tempfile
import unittest
from pathlib import Path

import selftest


class FlakeReportTest(unittest.TestCase):
    def test_a_later_run_replaces_its_rows_and_keeps_the_others(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "flake-report.txt"
            selftest._write_flake_report(
                [("sync/counter", 20, 20, 3.5, ""), ("sync/event", 19, 20, 4.0, "DEADLOCK: x")],
                20, "thorough", "10 minutes", path=path)
            selftest._write_flake_report([("sync/event", 100, 100, 4.2, "")], 100, "thorough",
                                         "40 minutes", path=path)
            text = path.read_text()
            counter = next(l for l in text.splitlines() if "sync/counter" in l)
            event = next(l for l in text.splitlines() if "sync/event" in l)
            self.assertIn("20/20", counter)
            self.assertIn("100/100", event)
            self.assertNotIn("DEADLOCK", text, "the replaced row's failure must be gone")
            self.assertIn("sync: 20 runs each at the thorough level, 10 minutes", text)
            self.assertIn("sync: 100 runs each at the thorough level, 40 minutes", text)

    def test_rows_follow_the_learning_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "flake-report.txt"
            selftest._write_flake_report([("sync/event", 5, 5, 1.0, "")], 5, "thorough", path=path)
            selftest._write_flake_report([("threads/spawn_join", 5, 5, 1.0, "")], 5, "thorough",
                                         path=path)
            lines = path.read_text().splitlines()
            first = next(i for i, l in enumerate(lines) if "threads/spawn_join" in l)
            second = next(i for i, l in enumerate(lines) if "sync/event" in l)
            self.assertLess(first, second)


if __name__ == "__main__":
    unittest.main()
