"""./kata watch: a burst of saves is graded once, saves are noticed by polling and by inotify,
and a passing kata hands over to the next unfinished one."""

import collections
import contextlib
import io
import os
import shutil
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import catalog
import check
import outcome
import state
import watch


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ScriptedWatcher:
    """Saves at scripted times: changes(timeout) moves the fake clock to the next save when it
    comes within the timeout, else by the whole timeout."""

    def __init__(self, clock, saves):
        self.clock = clock
        self.saves = list(saves)  # (time, path), in time order
        self.waits = []

    def changes(self, timeout=None):
        self.waits.append(timeout)
        if self.saves and (timeout is None or self.saves[0][0] <= self.clock.now + timeout):
            when, path = self.saves.pop(0)
            self.clock.now = max(self.clock.now, when)
            return {path}
        if timeout is None:
            raise AssertionError("would wait forever")
        self.clock.now += timeout
        return set()


class DebounceTest(unittest.TestCase):
    def test_a_burst_of_saves_is_one_grading_after_the_last_save(self):
        clock = FakeClock()
        watcher = ScriptedWatcher(clock, [(1.0, "a.cc"), (1.1, "a.h"), (1.25, "a.cc"),
                                          (5.0, "a.h")])
        saved = watch.wait_for_save(watcher, quiet=0.3, clock=clock)
        self.assertEqual(saved, {"a.cc", "a.h"})
        self.assertAlmostEqual(clock.now, 1.25 + 0.3)
        # The save at 5.0 is a burst of its own, for the next call.
        self.assertEqual(watch.wait_for_save(watcher, quiet=0.3, clock=clock), {"a.h"})
        self.assertAlmostEqual(clock.now, 5.3)

    def test_waits_without_timeout_until_the_first_save(self):
        clock = FakeClock()
        watcher = ScriptedWatcher(clock, [(2.0, "a.cc")])
        watch.wait_for_save(watcher, quiet=0.3, clock=clock)
        self.assertIsNone(watcher.waits[0])
        self.assertTrue(all(w is not None for w in watcher.waits[1:]))

    def test_debouncer_is_due_only_after_a_quiet_spell(self):
        d = watch.Debouncer(quiet=0.5)
        self.assertFalse(d.due(10.0))
        self.assertIsNone(d.wait_time(10.0))
        d.saw({"x"}, 10.0)
        self.assertFalse(d.due(10.4))
        self.assertAlmostEqual(d.wait_time(10.2), 0.3)
        d.saw({"y"}, 10.4)
        self.assertFalse(d.due(10.8))
        self.assertTrue(d.due(10.9))
        self.assertEqual(d.take(), {"x", "y"})
        self.assertFalse(d.due(20.0))


class FileWatcherTest(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="kata-watch-test-"))
        self.addCleanup(shutil.rmtree, self.dir)
        self.file = self.dir / "counter.cc"
        self.file.write_text("skeleton\n")
        (self.dir / "other.cc").write_text("not watched\n")

    def _save_by_rename(self, text):
        # How many editors save: write a new file, rename it over the old one.
        temporary = self.dir / ".counter.cc.swp"
        temporary.write_text(text)
        os.replace(temporary, self.file)

    def test_polling_notices_a_touch_a_rename_and_a_deletion_but_not_other_files(self):
        watcher = watch.PollingWatcher([self.file], sleep=lambda seconds: None)
        self.assertEqual(watcher.changes(timeout=0), set())
        (self.dir / "other.cc").write_text("changed\n")
        self.assertEqual(watcher.changes(timeout=0), set())
        stat = self.file.stat()
        os.utime(self.file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        self.assertEqual(watcher.changes(timeout=0), {str(self.file)})
        self.assertEqual(watcher.changes(timeout=0), set())
        self._save_by_rename("skeleton\n")
        self.assertEqual(watcher.changes(timeout=0), {str(self.file)})
        self.file.unlink()
        self.assertEqual(watcher.changes(timeout=0), {str(self.file)})

    def test_polling_without_timeout_looks_until_something_changes(self):
        looks = []

        def sleep(seconds):
            looks.append(seconds)
            if len(looks) == 3:
                self.file.write_text("edited, and longer\n")

        watcher = watch.PollingWatcher([self.file], interval=1.0, sleep=sleep)
        self.assertEqual(watcher.changes(), {str(self.file)})
        self.assertEqual(looks, [1.0, 1.0, 1.0])

    @unittest.skipUnless(shutil.which("inotifywait"), "inotifywait (inotify-tools) is missing")
    def test_inotify_notices_a_write_a_rename_and_a_touch_but_not_other_files(self):
        watcher = watch.InotifyWatcher([self.file])
        self.addCleanup(watcher.close)
        (self.dir / "other.cc").write_text("changed\n")
        self.assertEqual(watcher.changes(timeout=0.3), set())
        self.file.write_text("edited\n")
        self.assertEqual(watcher.changes(timeout=5), {str(self.file)})
        self._save_by_rename("edited again\n")
        self.assertEqual(watcher.changes(timeout=5), {str(self.file)})
        os.utime(self.file)
        self.assertEqual(watcher.changes(timeout=5), {str(self.file)})

    def test_no_inotify_means_polling(self):
        watcher = watch.open_watcher([self.file], poll=True)
        self.assertIsInstance(watcher, watch.PollingWatcher)


Kata = collections.namedtuple("Kata", "id")


class NextKataTest(unittest.TestCase):
    KATAS = [Kata("threads/a"), Kata("threads/b"), Kata("sync/c"), Kata("sync/d")]

    def test_the_next_unfinished_after_the_one_that_passed(self):
        verdicts = {"threads/a": "PASS", "threads/b": "PASS", "sync/c": "RACE"}
        self.assertEqual(watch.next_unfinished(self.KATAS[1], self.KATAS, verdicts.get).id,
                         "sync/c")

    def test_wraps_round_to_an_earlier_unfinished_kata(self):
        verdicts = {"threads/a": "NOT_STARTED", "threads/b": "PASS", "sync/c": "PASS",
                    "sync/d": "PASS"}
        self.assertEqual(watch.next_unfinished(self.KATAS[3], self.KATAS, verdicts.get).id,
                         "threads/a")

    def test_none_when_every_other_kata_passes(self):
        verdicts = {k.id: "PASS" for k in self.KATAS}
        self.assertIsNone(watch.next_unfinished(self.KATAS[0], self.KATAS, verdicts.get))


class IdleWatcher:
    how = "test"

    def close(self):
        pass


class WatchLoopTest(unittest.TestCase):
    """The loop with grading faked: `verdicts` is what the grader gives, `saved` the state."""

    def run_watch(self, names, verdicts, saved, saves=0):
        tracks = catalog.load()
        graded = []
        fake_state = {"katas": {k: {"verdict": v} for k, v in saved.items()}}

        def grade(katas):
            kata = katas[0]
            graded.append(kata.id)
            fake_state["katas"][kata.id] = {"verdict": verdicts[kata.id]}
            return {kata: outcome.Outcome(verdicts[kata.id], [])}, None

        waits = []

        def wait_for_save(watcher):
            waits.append(watcher)
            if len(waits) > saves:
                raise KeyboardInterrupt
            return {"saved.cc"}

        out = io.StringIO()
        with mock.patch.object(check, "grade", grade), \
                mock.patch.object(state, "load", lambda: fake_state), \
                mock.patch.object(watch, "open_watcher", lambda paths, poll: IdleWatcher()), \
                mock.patch.object(watch, "wait_for_save", wait_for_save), \
                contextlib.redirect_stdout(out):
            code = watch.run(names, tracks, poll=True)
        return code, graded, out.getvalue()

    def test_a_pass_moves_on_to_the_next_unfinished_kata_and_ctrl_c_exits_0(self):
        first, second = [k.id for k in catalog.all_katas()[:2]]
        code, graded, text = self.run_watch([], {first: "PASS", second: "NOT_STARTED"}, {},
                                            saves=1)
        self.assertEqual(code, 0)
        self.assertEqual(graded, [first, second, second])
        self.assertIn(f"{first} passes! Next on the path: {second}", text)
        self.assertIn("after a save of saved.cc", text)
        self.assertIn("kata watch: stopped", text)

    def test_a_named_kata_that_passes_already_stays_watched(self):
        first, second = [k.id for k in catalog.all_katas()[:2]]
        code, graded, text = self.run_watch([second], {second: "PASS"}, {})
        self.assertEqual((code, graded), (0, [second]))
        self.assertIn("passes already; watching it anyway", text)

    def test_the_last_unfinished_kata_passing_ends_the_watch(self):
        katas = [k.id for k in catalog.all_katas()]
        code, graded, text = self.run_watch([], {katas[-1]: "PASS"},
                                            {k: "PASS" for k in katas[:-1]})
        self.assertEqual((code, graded), (0, [katas[-1]]))
        self.assertIn("so does every other kata", text)


if __name__ == "__main__":
    unittest.main()
