"""./kata watch in a real terminal (tmux): it grades at once, grades again after a save, and
Ctrl-C ends it with exit code 0.

It runs on the repository itself, so it needs Bazel, and the kata's files untouched (the
skeleton, whose verdict is known: NOT_STARTED). The save is a touch (os.utime): the content is
unchanged. It records sync/counter's verdict in .kata/state.json, as `./kata check` would.
"""

import os
import shutil
import signal
import subprocess
import time
import unittest

from catalog import ROOT

KATA = "sync/counter"
FILES = ["exercises/sync/counter.h", "exercises/sync/counter.cc"]
TARGET = "//exercises/sync:counter_test"
GRADING_SECONDS = 300  # one grading: ~10 s once built; minutes while other Bazel commands run


def _untouched(files):
    proc = subprocess.run(["git", "status", "--porcelain", "--"] + files, cwd=ROOT,
                          capture_output=True, text=True)
    return proc.returncode == 0 and not proc.stdout.strip()


@unittest.skipUnless(shutil.which("tmux") and shutil.which("bazel") and shutil.which("git"),
                     "needs tmux, bazel and git")
class WatchInTerminalTest(unittest.TestCase):
    def setUp(self):
        if not _untouched(FILES):
            self.skipTest(f"{KATA}'s files are edited, so its verdict is not known")
        # Built first (on a fresh clone that takes minutes), so the test times only watch.
        build = subprocess.run(["bazel", "build", TARGET], cwd=ROOT, capture_output=True,
                               text=True)
        self.assertEqual(build.returncode, 0, f"bazel build {TARGET} failed:\n"
                                              f"{build.stderr[-2000:]}")
        # A tmux server of our own (-L), so the user's sessions are never touched.
        self.tmux = ["tmux", "-L", f"kata-watch-test-{os.getpid()}"]
        command = f"./kata watch {KATA} --poll; echo kata-watch-exit=$?; sleep 30"
        subprocess.run(self.tmux + ["new-session", "-d", "-s", "watch", "-x", "160", "-y", "50",
                                    "-c", str(ROOT), command], check=True)
        socket = subprocess.run(self.tmux + ["display-message", "-p", "#{socket_path}"],
                                capture_output=True, text=True).stdout.strip()
        if socket:  # tmux leaves its socket file behind
            self.addCleanup(lambda: os.path.exists(socket) and os.unlink(socket))
        self.addCleanup(subprocess.run, self.tmux + ["kill-server"], capture_output=True)
        # Should this test die before its cleanup, a watchdog still ends the server, and the
        # watch with it, in 20 minutes.
        end_server = " ".join(self.tmux + ["kill-server"])
        watchdog = subprocess.Popen(["sh", "-c", f"sleep 1200; {end_server}"],
                                    start_new_session=True)
        self.addCleanup(watchdog.wait)  # cleanups run last first: this after the kill
        self.addCleanup(os.killpg, watchdog.pid, signal.SIGTERM)

    def screen(self):
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", "watch"],
                              capture_output=True, text=True).stdout

    def wait_for(self, predicate, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.5)
        self.fail(f"no {what} within {seconds} s; the screen:\n{self.screen()}")

    def test_grades_then_grades_again_after_a_save_then_ctrl_c_exits_0(self):
        first = self.wait_for(lambda s: "run 1" in s and "NOT_STARTED" in s and "watching" in s,
                              GRADING_SECONDS, "first grading")
        self.assertIn(f"kata watch: {KATA}", first)
        self.assertIn("polling every second", first)

        os.utime(ROOT / FILES[1])  # a save that changes nothing
        second = self.wait_for(lambda s: "run 2" in s and "NOT_STARTED" in s and "watching" in s,
                               GRADING_SECONDS, "second grading after a save")
        self.assertIn("after a save of counter.cc", second)

        subprocess.run(self.tmux + ["send-keys", "-t", "watch", "C-c"], check=True)
        last = self.wait_for(lambda s: "kata-watch-exit=" in s, 15, "exit after Ctrl-C")
        self.assertIn("kata-watch-exit=0", last)
        self.assertNotIn("Traceback", last)


if __name__ == "__main__":
    unittest.main()
