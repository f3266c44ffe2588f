"""What `./kata grade` writes: gradebook.csv, junit.xml, report.html, results.json; and the
pieces of grade.py that need no Bazel (blocked paths, instructor trees, submissions' names)."""

import csv
import html.parser
import json
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

import catalog
import grade
import gradebook as gb
import verdicts as v

KATAS = ["sync/counter", "sync/bank"]

RACE_LOG = """\
kata: level=quick seed=7 stall=4s noise=on (replay with KATA_SEED=7)
[==========] Running 2 tests from 1 test suite.
[ RUN      ] Counter.Starts
[       OK ] Counter.Starts (0 ms)
[ RUN      ] Counter.Concurrent
WARNING: ThreadSanitizer: data race (pid=2)
  Write of size 8 at 0x7b04 by thread T2:
    #0 kata::sync::Counter::increment() /proc/self/cwd/exercises/sync/counter.cc:7:3
KATA-VERDICT: RACE Counter.Concurrent: data race <&> "quoted"
[  FAILED  ] Counter.Concurrent (12 ms)
"""


def learners():
    race = v.Verdict("RACE", "Counter.Concurrent", 'data race <&> "quoted"')
    alice = gb.LearnerGrade(name="alice", source="/subs/alice.tar.gz", kind="tar", seconds=12)
    alice.katas["sync/counter"] = gb.KataGrade("sync/counter", "PASS", 1, 1, seconds=2.5)
    alice.katas["sync/bank"] = gb.KataGrade("sync/bank", "PASS", 2, 2, seconds=3.0)
    bob = gb.LearnerGrade(name="bob <b>", source="/subs/bob", kind="git", seconds=20,
                          notes=["'../x': a path with '..', refused"])
    bob.katas["sync/counter"] = gb.KataGrade(
        "sync/counter", "RACE", 0, 1, failures=[race],
        learner_lines=[("Write", "sync::Counter::increment", "exercises/sync/counter.cc:7",
                        "++value_;")],
        excerpt=gb.log_excerpt(RACE_LOG, "RACE", [race]), log="learners/bob/x/test.log")
    bob.katas["sync/bank"] = gb.KataGrade(
        "sync/bank", "BUILD_ERROR", 0, 2,
        compiler_error=("exercises/sync/bank.cc", 3, "expected ';'"),
        excerpt="exercises/sync/bank.cc:3:1: error: expected ';'\x1b")
    carol = gb.LearnerGrade(name="carol", source="/subs/carol.rar", error="not an archive")
    for kata in KATAS:
        carol.katas[kata] = gb.KataGrade(kata, "REJECTED", 0, 1 if kata == "sync/counter" else 2,
                                         excerpt="not an archive")
    return [alice, bob, carol]


class Outputs(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.learners = learners()

    def tearDown(self):
        self.tmp.cleanup()

    def test_gradebook_has_points_and_verdict_per_kata_and_a_total(self):
        path = self.dir / "gradebook.csv"
        gb.write_csv(path, KATAS, self.learners, 3)
        with open(path) as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["learner", "sync/counter points", "sync/counter verdict",
                                   "sync/bank points", "sync/bank verdict", "total", "max",
                                   "notes"])
        self.assertEqual(rows[1][:7], ["alice", "1", "PASS", "2", "PASS", "3", "3"])
        self.assertEqual(rows[2][:7], ["bob <b>", "0", "RACE", "0", "BUILD_ERROR", "0", "3"])
        self.assertIn("'..'", rows[2][7])
        self.assertEqual(rows[3][2], "REJECTED")
        self.assertEqual(rows[3][7], "not an archive")

    def test_junit_has_a_suite_per_learner_and_a_case_per_kata(self):
        path = self.dir / "junit.xml"
        gb.write_junit(path, KATAS, self.learners)
        root = ET.parse(path).getroot()
        suites = root.findall("testsuite")
        self.assertEqual([s.get("name") for s in suites], ["alice", "bob <b>", "carol"])
        self.assertEqual(root.get("tests"), "6")
        bob = suites[1]
        self.assertEqual(bob.get("failures"), "1")
        self.assertEqual(bob.get("errors"), "1")
        cases = {c.get("name"): c for c in bob.findall("testcase")}
        failure = cases["sync/counter"].find("failure")
        self.assertEqual(failure.get("type"), "RACE")
        self.assertIn('data race <&> "quoted"', failure.get("message"))
        self.assertIn("KATA-VERDICT: RACE", failure.text)
        self.assertEqual(cases["sync/bank"].find("error").get("type"), "BUILD_ERROR")
        self.assertNotIn("\x1b", path.read_text())
        self.assertIsNone(suites[0].find("testcase").find("failure"))

    def test_html_is_self_contained_escaped_and_explains_each_verdict(self):
        path = self.dir / "report.html"
        gb.write_html(path, KATAS, self.learners, 3, {"level": "quick", "seconds": 42})
        text = path.read_text()
        parser = html.parser.HTMLParser()
        parser.feed(text)                       # well-formed enough to parse
        self.assertNotIn("<script", text)
        self.assertNotIn("http://", text.replace('href="#', ""))
        self.assertNotIn("bob <b>", text)
        self.assertIn("bob &lt;b&gt;", text)
        self.assertIn(v.EXPLANATIONS["RACE"], text)
        self.assertIn(v.EXPLANATIONS["BUILD_ERROR"], text)
        self.assertIn(gb.EXTRA_EXPLANATIONS["REJECTED"], text)
        self.assertIn("exercises/sync/counter.cc:7", text)
        self.assertIn("KATA-VERDICT: RACE Counter.Concurrent", text)   # the log excerpt
        self.assertIn("3 / 3", text)

    def test_log_excerpt_is_the_failing_tests_block(self):
        race = v.Verdict("RACE", "Counter.Concurrent", "x")
        excerpt = gb.log_excerpt(RACE_LOG, "RACE", [race])
        self.assertTrue(excerpt.startswith("[ RUN      ] Counter.Concurrent"))
        self.assertNotIn("Counter.Starts", excerpt)

    def test_results_json(self):
        path = self.dir / "a" / "results.json"
        gb.write_results(path, gb.error_results("nothing to grade"))
        data = json.loads(path.read_text())
        self.assertEqual(data, {"version": 2, "status": "error", "message": "nothing to grade",
                                "tests": []})


class Pieces(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_block_list_hides_everything_but_what_a_job_needs(self):
        out = self.dir / "out"
        for d in ("learners/alice", ".work/tree-0", ".work/base-0", ".work/tree-1",
                  ".work/base-1", ".work/cache", "elsewhere"):
            (out / d).mkdir(parents=True)
        (out / "gradebook.csv").write_text("")
        blocked = grade.block_list([out], [out / ".work/tree-0", out / ".work/base-0"])
        self.assertEqual(sorted(Path(b).relative_to(out).as_posix() for b in blocked),
                         [".work/base-1", ".work/cache", ".work/tree-1", "elsewhere",
                          "gradebook.csv", "learners"])
        self.assertEqual(grade.block_list([self.dir / "missing"], []), [])
        self.assertEqual(grade.block_list([out / "learners"], [out / ".work/tree-0"]),
                         [str(out / "learners")])

    def test_grading_trees_have_no_reference_solution(self):
        files = grade.instructor_files()
        self.assertIn("exercises/sync/counter.cc", files)
        self.assertIn("tools/grading/limits.py", files)
        tree = self.dir / "tree"
        grade.make_tree(tree, files, keep_solutions=set())
        self.assertTrue((tree / "exercises/sync/counter.cc").exists())
        self.assertTrue((tree / "solutions/sync/BUILD").exists())
        self.assertFalse((tree / "solutions/sync/counter.cc").exists())
        self.assertFalse((tree / ".kata").exists())

    def test_instructor_files_without_git(self):
        import subprocess
        from unittest import mock
        failed = subprocess.CompletedProcess([], 128, b"", b"not a git repository")
        with mock.patch.object(grade.subprocess, "run", return_value=failed):
            files = grade.instructor_files()
        self.assertIn("exercises/sync/counter.cc", files)
        self.assertIn("tools/grading/limits.py", files)
        self.assertFalse([f for f in files if f.startswith((".git/", ".kata/", "bazel-"))])

    def test_points_come_from_the_metadata(self):
        kata = catalog.select(["sync/counter"])[0]
        data = catalog._read_assignment(catalog.ROOT / "exercises/sync/katas.bzl", "TRACK")
        declared = next(k["points"] for k in data["katas"] if k["name"] == "counter")
        self.assertEqual(kata.points, declared)

    def test_duplicate_names_are_told_apart(self):
        for name in ("alice", "alice.zip"):
            p = self.dir / ("a" if name == "alice" else "b") / name
            p.parent.mkdir()
            if name.endswith(".zip"):
                import zipfile
                with zipfile.ZipFile(p, "w") as z:
                    z.writestr("README", "x")
            else:
                p.mkdir()
        katas = catalog.select(["sync/counter"])
        subs = grade.read_submissions([self.dir / "a/alice", self.dir / "b/alice.zip"], katas)
        self.assertEqual([s.name for s in subs], ["alice", "alice-2"])


if __name__ == "__main__":
    unittest.main()
