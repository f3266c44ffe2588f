"""./kata watch: grade a kata again on every save of its files, and move on when it passes.

Saves are noticed with inotifywait (inotify-tools) when it is installed, otherwise by comparing
the files' modification times every second; --poll forces polling, for file systems whose
changes inotify never sees (network mounts, WSL's /mnt/c). A burst of saves (an editor writing a
backup then the file, a formatter rewriting it) is graded once: grading starts after the files
have been quiet for QUIET seconds. A save during a grading is graded right after it.
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import catalog
import check
import state
from ui import ui

QUIET = 0.3           # seconds without a save before grading
POLL_INTERVAL = 1.0   # seconds between two looks at the files when polling

CLEAR_SCREEN = "\033[H\033[2J"  # leaves the scrollback alone (no \033[3J)


class Debouncer:
    """Collects the paths saved in a burst; due once `quiet` seconds pass without a save."""

    def __init__(self, quiet=QUIET):
        self.quiet = quiet
        self.pending = set()
        self.last_save = None

    def saw(self, paths, now):
        self.pending |= set(paths)
        self.last_save = now

    def due(self, now):
        # The same sum as wait_time(), so that due() is True once wait_time() is 0.
        return bool(self.pending) and now >= self.last_save + self.quiet

    def wait_time(self, now):
        """How long to wait for more saves: None (as long as it takes) until the first one."""
        if not self.pending:
            return None
        return max(0.0, self.last_save + self.quiet - now)

    def take(self):
        paths, self.pending = self.pending, set()
        return paths


def wait_for_save(watcher, quiet=QUIET, clock=time.monotonic):
    """Blocks until a burst of saves of the watched files is over; returns the paths saved."""
    debouncer = Debouncer(quiet)
    while True:
        now = clock()
        if debouncer.due(now):
            return debouncer.take()
        changed = watcher.changes(debouncer.wait_time(now))
        if changed:
            debouncer.saw(changed, clock())


class PollingWatcher:
    """Notices saves by comparing each file's modification time, size and inode every second
    (an editor that saves by renaming a new file over the old one changes the inode)."""

    how = "polling every second"

    def __init__(self, paths, interval=POLL_INTERVAL, sleep=time.sleep):
        self.paths = [str(p) for p in paths]
        self.interval = interval
        self._sleep = sleep
        self._stamps = self._look()

    def _look(self):
        stamps = {}
        for path in self.paths:
            try:
                info = os.stat(path)
                stamps[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
            except OSError:
                stamps[path] = None
        return stamps

    def changes(self, timeout=None):
        """The paths changed since the last call; waits up to `timeout` (None: until one is)."""
        while True:
            self._sleep(self.interval if timeout is None else min(timeout, self.interval))
            stamps = self._look()
            changed = {p for p in self.paths if stamps[p] != self._stamps[p]}
            self._stamps = stamps
            if changed or timeout is not None:
                return changed

    def close(self):
        pass


class WatcherUnavailable(Exception):
    pass


class InotifyWatcher:
    """Notices saves at once with `inotifywait -m` on the files' directories. Directories, not
    files: an editor that saves by renaming a new file over the old one would end a watch on
    the file itself."""

    how = "inotify"
    EVENTS = "close_write,moved_to,attrib,delete"

    def __init__(self, paths):
        self.paths = {os.path.abspath(p) for p in paths}
        directories = sorted({os.path.dirname(p) for p in self.paths})
        self._events = queue.Queue()
        try:
            self._process = subprocess.Popen(
                ["inotifywait", "-m", "-e", self.EVENTS, "--format", "%w%f"] + directories,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                errors="replace")
        except OSError as e:
            raise WatcherUnavailable(str(e))
        # inotifywait says "Watches established." on stderr once it sees every event.
        said = []
        for line in self._process.stderr:
            said.append(line.strip())
            if "Watches established" in line:
                break
        else:
            self.close()
            raise WatcherUnavailable(" ".join(said) or "inotifywait exited")
        self._readers = [
            threading.Thread(target=self._read, args=(stream, handle), daemon=True)
            for stream, handle in ((self._process.stdout, self._event),
                                   (self._process.stderr, None))]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, handle):
        for line in stream:
            if handle:
                handle(line.rstrip("\n"))

    def _event(self, path):
        path = os.path.abspath(path)
        if path in self.paths:
            self._events.put(path)

    def changes(self, timeout=None):
        """The paths saved since the last call; waits up to `timeout` (None: until one is)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        changed = set()
        while not changed:
            # Waits of a second at most: a dead inotifywait is noticed, Ctrl-C stays prompt.
            left = 1.0 if deadline is None else min(1.0, deadline - time.monotonic())
            try:
                changed.add(self._events.get(timeout=max(0.0, left)))
            except queue.Empty:
                if self._process.poll() is not None:
                    raise WatcherUnavailable("inotifywait stopped")
                if deadline is not None and time.monotonic() >= deadline:
                    break
        while not self._events.empty():
            changed.add(self._events.get_nowait())
        return changed

    def close(self):
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for reader in getattr(self, "_readers", []):
            reader.join(timeout=5)  # they stop at the end of inotifywait's output
        self._process.stdout.close()
        self._process.stderr.close()


def open_watcher(paths, poll=False):
    if not poll and shutil.which("inotifywait"):
        try:
            return InotifyWatcher(paths)
        except WatcherUnavailable as e:
            ui.warn(f"inotifywait failed ({e}); polling the files every second instead")
    return PollingWatcher(paths)


def next_unfinished(after, katas, verdict_of):
    """The first kata after `after` on the learning path (wrapping round to the start) that
    has not passed; None when every other kata has."""
    index = katas.index(after)
    for kata in katas[index + 1:] + katas[:index]:
        if verdict_of(kata.id) != "PASS":
            return kata
    return None


def first_to_watch(names, tracks):
    """The kata to start with: of those named (a kata, or a track), or of the whole path when
    none is, the first that has not passed; the first named when all have."""
    katas = catalog.select(names, tracks) if names else catalog.all_katas(tracks)
    current = state.load()
    for kata in katas:
        if state.verdict_of(kata.id, current) != "PASS":
            return kata
    return katas[0] if names else None


def run(names, tracks, poll=False):
    """The watch loop; returns the exit code (0 also when stopped with Ctrl-C)."""
    kata = first_to_watch(names, tracks)
    if kata is None:
        print(ui.green("Every kata passes. Well done!"))
        return 0
    katas = catalog.all_katas(tracks)
    # A kata the learner named that passes already stays watched (they want to work on it).
    stay_if_passing = bool(names)
    news = []
    try:
        while True:
            _watch_until_it_passes(kata, tracks, poll, news, stay_if_passing)
            stay_if_passing = False
            following = next_unfinished(kata, katas, state.verdict_of)
            if following is None:
                print(ui.green(f"\n{kata.id} passes, and so does every other kata. Well done!"))
                return 0
            news = [ui.green(f"{kata.id} passes!") + f" Next on the path: {following.id}: "
                    f"{following.title}",
                    f"  read {os.path.relpath(following.page)}, edit "
                    f"{', '.join(following.relative_files())}"]
            kata = following
    except KeyboardInterrupt:
        # A second Ctrl-C (impatient fingers) would print a traceback instead of this.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\nkata watch: stopped.")
        return 0


def _watch_until_it_passes(kata, tracks, poll, news, stay_if_passing):
    watcher = open_watcher(kata.exercise_paths(), poll=poll)
    try:
        number, why = 1, "first look"
        while True:
            _screen(kata, number, why, news if number == 1 else [])
            verdict = _grade_and_show(kata, tracks)
            if verdict == "PASS" and not (stay_if_passing and number == 1):
                return
            if verdict == "PASS":
                print(ui.dim(f"{kata.id} passes already; watching it anyway, since you named "
                             f"it."))
            files = ", ".join(p.name for p in kata.exercise_paths())
            print(ui.dim(f"\nwatching {files} ({watcher.how}); Ctrl-C to stop"), flush=True)
            try:
                saved = wait_for_save(watcher)
            except WatcherUnavailable as e:
                ui.warn(f"{e}; looking at the files every second instead")
                watcher.close()
                watcher = PollingWatcher(kata.exercise_paths())
                saved = wait_for_save(watcher)
            number += 1
            why = "after a save of " + ", ".join(sorted(os.path.basename(p) for p in saved))
    finally:
        watcher.close()


def _screen(kata, number, why, news):
    if sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        print(CLEAR_SCREEN, end="")
    for line in news:
        print(line)
    if news:
        print()
    stamp = time.strftime("%H:%M:%S")
    print(ui.bold(f"kata watch: {kata.id}") + ui.dim(f"  run {number} at {stamp}, {why}"),
          flush=True)


def _grade_and_show(kata, tracks):
    """Grades like `./kata check KATA` and prints what it prints; returns the verdict."""
    graded, run_outcome = check.grade([kata])
    if graded is None:
        ui.error("Bazel could not run the grader:")
        print("  " + run_outcome.problem.replace("\n", "\n  "))
        return None
    print()
    check.print_outcome(kata, graded[kata])
    print()
    check.print_progress(tracks, [kata])
    return graded[kata].verdict
