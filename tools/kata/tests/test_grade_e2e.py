"""`./kata grade` end to end: a small class graded on sync/counter, each verdict asserted.

The class is built from the repository's own files: the reference solution, a mutant, code
that does not compile, and hostile code (it reads the solutions, deletes and writes files,
forks without end, calls exit(0)), as a directory, a git repository, a zip and tarballs (one
with "..", absolute paths and links). The grading directory is kept (outside the repository, in
/var/tmp/kata-grade-selftest) so that its cache makes later runs fast (about a minute; the
first one builds GoogleTest).
"""

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import catalog
import grade
from catalog import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutant_diff  # noqa: E402

COUNTER = "exercises/sync/counter"
SOLUTION_H = (ROOT / "solutions/sync/counter.h").read_bytes()
SOLUTION_CC = (ROOT / "solutions/sync/counter.cc").read_bytes()
RACY_CC = mutant_diff.patched(ROOT / "graders/sync/mutants/counter/unlocked_read", "counter.cc")
BROKEN_CC = SOLUTION_CC.replace(b"++value_;", b"++value_ +;", 1)


def hostile_cc(marker):
    """A counter whose first increment attacks: it reads the solution, deletes files, writes
    outside its sandbox, then forks without end."""
    solution = ROOT / "solutions/sync/counter.cc"
    return f'''// Hostile: reads, deletes and writes outside, then forks without end.
#include "sync/counter.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {{
void report(const char* what, bool ok) {{
  std::printf("HOSTILE %s: %s\\n", what, ok ? "DONE" : "denied");
  std::fflush(stdout);
}}

void attack() {{
  namespace fs = std::filesystem;
  std::error_code ec;
  report("read-solution", static_cast<bool>(std::ifstream("{solution}")));
  report("umount-solutions", umount2("{ROOT / 'solutions'}", MNT_DETACH) == 0);
  report("remove-solution", fs::remove("{solution}", ec));
  report("write-repository", static_cast<bool>(std::ofstream("{ROOT / 'HOSTILE'}")));
  report("write-marker", static_cast<bool>(std::ofstream("{marker}") << "pwned"));
  fs::remove_all(".", ec);
  for (;;) {{
    if (fork() < 0) usleep(1000);
  }}
}}
}}  // namespace
'''.encode() + SOLUTION_CC.replace(b'#include "sync/counter.h"\n', b"", 1).replace(
        b"void Counter::increment() {\n", b"void Counter::increment() {\n  attack();\n", 1)


EXITING_CC = SOLUTION_CC.replace(b'#include "sync/counter.h"\n',
                                 b'#include "sync/counter.h"\n\n#include <cstdlib>\n', 1).replace(
    b"long Counter::value() const {\n", b"long Counter::value() const {\n  std::exit(0);\n", 1)


def _tar(path, entries, top=""):
    """entries: (name, bytes) for files, (name, ("symlink"|"hardlink", target)) for links."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(top + name if not name.startswith(("/", "..")) else name)
            if isinstance(data, tuple):
                info.type = tarfile.SYMTYPE if data[0] == "symlink" else tarfile.LNKTYPE
                info.linkname = data[1]
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))


def make_class(directory, marker):
    """The submissions, and the verdict each must get on sync/counter."""
    d = Path(directory)
    expected = {}

    alice = d / "alice"                        # a directory: the reference solution
    (alice / "exercises/sync").mkdir(parents=True)
    (alice / f"{COUNTER}.h").write_bytes(SOLUTION_H)
    (alice / f"{COUNTER}.cc").write_bytes(SOLUTION_CC)
    (alice / "graders").mkdir()                # not in the whitelist: ignored
    (alice / "graders/counter_grader.cc").write_text("int main() { return 0; }\n")
    expected["alice"] = "PASS"

    bob = d / "bob"                            # a git repository: HEAD is racy, the working
    (bob / "exercises/sync").mkdir(parents=True)   # tree (not committed) is correct
    (bob / f"{COUNTER}.h").write_bytes(SOLUTION_H)
    (bob / f"{COUNTER}.cc").write_bytes(RACY_CC)
    git = ["git", "-C", str(bob), "-c", "user.name=bob", "-c", "user.email=bob@example.com"]
    subprocess.run(["git", "init", "-q", str(bob)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "counter"], check=True)
    (bob / f"{COUNTER}.cc").write_bytes(SOLUTION_CC)
    expected["bob"] = "RACE"

    with zipfile.ZipFile(d / "carol.zip", "w") as z:   # a zip that does not compile
        z.writestr(f"{COUNTER}.h", SOLUTION_H)
        z.writestr(f"{COUNTER}.cc", BROKEN_CC)
    expected["carol"] = "BUILD_ERROR"

    mallory = d / "mallory"                    # a directory: hostile code
    (mallory / "exercises/sync").mkdir(parents=True)
    (mallory / f"{COUNTER}.h").write_bytes(SOLUTION_H)
    (mallory / f"{COUNTER}.cc").write_bytes(hostile_cc(marker))
    expected["mallory"] = "CRASH"

    _tar(d / "eve.tar.gz", [(f"{COUNTER}.h", SOLUTION_H), (f"{COUNTER}.cc", EXITING_CC)],
         top="eve-katas/")                     # one top folder; exit(0) in a test
    expected["eve"] = "CRASH"

    _tar(d / "trudy.tar.gz", [                 # "..", an absolute path and links
        ("../../escaped.txt", b"outside"),
        (str(Path(marker).with_name("absolute.txt")), b"absolute"),
        (f"{COUNTER}.h", SOLUTION_H),
        (f"{COUNTER}.cc", ("symlink", str(ROOT / "solutions/sync/counter.cc"))),
        ("exercises/sync/counter.md", ("hardlink", "/etc/passwd")),
    ])
    # The counter.cc link is refused: the skeleton's counter.cc stays, with the solution's
    # header: it compiles, and every test is NOT_STARTED.
    expected["trudy"] = "NOT_STARTED"
    paths = [alice, d / "bob", d / "carol.zip", mallory, d / "eve.tar.gz", d / "trudy.tar.gz"]
    return paths, expected


@unittest.skipIf(shutil.which("bazel") is None, "bazel is not installed")
@unittest.skipIf(os.environ.get("KATA_SKIP_E2E") == "1", "KATA_SKIP_E2E=1")
class GradeEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="kata-grade-class-")
        cls.marker = Path(cls.tmp.name) / "pwned.txt"
        paths, cls.expected = make_class(cls.tmp.name, cls.marker)
        cls.out = Path(os.environ.get("KATA_GRADE_SELFTEST_DIR", "/var/tmp/kata-grade-selftest"))
        katas = catalog.select(["sync/counter"])
        # Another selftest running at the same time grades into the same directory (its warm
        # cache is the point): wait for it.
        options = grade.Options(out=cls.out, katas=katas, level="quick", jobs=2,
                                wait_for_lock=1200)
        started = time.monotonic()
        cls.output = io.StringIO()
        with contextlib.redirect_stdout(cls.output):
            cls.code = grade.run(paths, options)
        cls.seconds = time.monotonic() - started
        cls.summary = json.loads((cls.out / "summary.json").read_text())

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def verdict(self, name):
        return self.summary["learners"][name]["verdicts"]["sync/counter"]

    def log(self, name):
        return (self.out / "learners" / name / "sync/counter/test.log").read_text(errors="replace")

    def test_every_verdict(self):
        self.assertEqual(self.code, 0, self.output.getvalue())
        got = {name: self.verdict(name) for name in self.expected}
        self.assertEqual(got, self.expected)

    def test_build_error_names_the_learners_line(self):
        results = json.loads((self.out / "learners/carol/sync/counter/results.json").read_text())
        self.assertEqual(results["status"], "error")
        self.assertIn("exercises/sync/counter.cc:", results["message"])

    def test_race_names_the_learners_code(self):
        self.assertIn("ThreadSanitizer: data race", self.log("bob"))
        results = json.loads((self.out / "learners/bob/sync/counter/results.json").read_text())
        self.assertEqual(results["status"], "fail")

    def test_hostile_code_is_contained(self):
        log = self.log("mallory")
        self.assertIn("forked more than", log)
        for attempt in ("read-solution", "umount-solutions", "remove-solution",
                        "write-repository", "write-marker"):
            self.assertIn(f"HOSTILE {attempt}: ", log)
        for attempt in ("read-solution", "umount-solutions", "remove-solution",
                        "write-repository"):
            self.assertIn(f"HOSTILE {attempt}: denied", log)
        self.assertFalse(self.marker.exists(), "the hostile code wrote outside its sandbox")
        self.assertFalse((ROOT / "HOSTILE").exists())
        self.assertTrue((ROOT / "solutions/sync/counter.cc").exists())

    def test_exit_in_a_test_is_a_crash(self):
        self.assertIn("exited", self.log("eve"))

    def test_unsafe_archive_entries_are_refused_and_reported(self):
        notes = " ".join(self.summary["learners"]["trudy"]["notes"])
        self.assertIn("'..'", notes)
        self.assertIn("absolute path", notes)
        self.assertIn("symbolic link", notes)
        self.assertIn("hard link", notes)
        self.assertFalse((Path(self.tmp.name).parent / "escaped.txt").exists())
        self.assertFalse(Path(self.marker).with_name("absolute.txt").exists())

    def test_outputs(self):
        with open(self.out / "gradebook.csv") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r["learner"] for r in rows], list(self.expected))
        points = catalog.select(["sync/counter"])[0].points
        alice = next(r for r in rows if r["learner"] == "alice")
        self.assertEqual(float(alice["sync/counter points"]), points)
        self.assertEqual(float(alice["total"]), points)
        suites = ET.parse(self.out / "junit.xml").getroot().findall("testsuite")
        self.assertEqual(len(suites), len(self.expected))
        html = (self.out / "report.html").read_text()
        for name in self.expected:
            self.assertIn(name, html)
        for name in self.expected:
            self.assertTrue((self.out / "learners" / name / "sync/counter/results.json").exists())


if __name__ == "__main__":
    unittest.main()
