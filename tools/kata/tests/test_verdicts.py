"""Verdict lines, the learner's lines in reports, compiler errors and results.json."""

import types
import unittest

import outcome
import results_json
import verdicts

TSAN_LOG = """\
kata: level=quick seed=42 stall=4s (replay with KATA_SEED=42)
[ RUN      ] Counter.StartsAtZero
[       OK ] Counter.StartsAtZero (0 ms)
[ RUN      ] Counter.Concurrent
==================
WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 8 at 0x7b0400000010 by thread T2 (mutexes: write M0):
    #0 kata::sync::Counter::increment() /proc/self/cwd/exercises/sync/counter.cc:7:3 (x+0x1)
    #1 (anonymous namespace)::Body /proc/self/cwd/graders/sync/counter_grader.cc:40:9 (x+0x2)

  Previous read of size 8 at 0x7b0400000010 by thread T3:
    #0 kata::sync::Counter::value() const /proc/self/cwd/exercises/sync/counter.cc:23:10 (x+0x3)

  Mutex M0 (0x7b04) created at:
    #0 pthread_mutex_lock <null> (x+0x4)
    #1 kata::sync::Counter::increment() /proc/self/cwd/exercises/sync/counter.cc:6:3 (x+0x5)

SUMMARY: ThreadSanitizer: data race /proc/self/cwd/exercises/sync/counter.cc:7:3 in increment

KATA-VERDICT: RACE Counter.Concurrent: data race: two threads touch the same memory
"""

WATCHDOG_LOG = """\
[ RUN      ] Bank.Opposite
KATA-VERDICT: DEADLOCK Bank.Opposite: no thread made progress for 4.0 s
Where the threads are (frames in exercises/sync/ and in the grader):
  Thread 3
    kata::sync::Bank::transfer at exercises/sync/bank.cc:31
    (anonymous namespace)::Run at graders/sync/bank_grader.cc:50
  Thread 2
    kata::sync::Bank::transfer at exercises/sync/bank.cc:30
----- stacks of all threads (gdb) -----
"""

# A grader built with --config=asan: the harness gave LEAK to the test after which
# LeakSanitizer found a leak; the report at exit lists it again.
LSAN_ATTRIBUTED_LOG = """\
[ RUN      ] Task.FramesAreFreed
[       OK ] Task.FramesAreFreed (3 ms)

=================================================================
==12==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 96 byte(s) in 1 object(s) allocated from:
    #0 0x55d0 in operator new(unsigned long) (/x/task_test_asan+0x1)
    #1 0x55d1 in answer() /proc/self/cwd/graders/async/task_grader.cc:68:1

SUMMARY: AddressSanitizer: 96 byte(s) leaked in 1 allocation(s).

KATA-VERDICT: LEAK Task.FramesAreFreed: memory allocated during this test was never freed
[ RUN      ] Task.Next
[       OK ] Task.Next (1 ms)
"""

# The leak found only at exit (after GoogleTest's output), next to another test's verdict.
LSAN_AT_EXIT_LOG = """\
[ RUN      ] Gather.Order
KATA-VERDICT: WRONG_RESULT Gather.Order: results out of order
[  FAILED  ] Gather.Order (2 ms)
[  FAILED  ] 1 test, listed below:

=================================================================
==40==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 128 byte(s) in 2 object(s) allocated from:
    #0 0x4f1 in operator new(unsigned long) (/x/gather_test_asan+0x1)
    #1 0x4f2 in kata::async::create_task<int>(kata::async::EventLoop&) /proc/self/cwd/bazel-out/k8-fastbuildasan/bin/exercises/async/_virtual_includes/gather/async/gather.h:120:3

SUMMARY: AddressSanitizer: 128 byte(s) leaked in 2 allocation(s).
"""

# AddressSanitizer stops the process at a use after free: no verdict line at all.
ASAN_UAF_LOG = """\
[ RUN      ] Task.ValuesComeBack
[       OK ] Task.ValuesComeBack (1 ms)
[ RUN      ] Task.ExceptionsCross
=================================================================
==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc 0x1 bp 0x2 sp 0x3
READ of size 8 at 0x6020 thread T0
    #0 0x51 in std::coroutine_handle<void>::resume() /usr/include/c++/12/coroutine:240:29
    #1 0x52 in kata::async::Task<int>::Awaiter::await_resume() /proc/self/cwd/exercises/async/task.h:77:5
SUMMARY: AddressSanitizer: heap-use-after-free
"""


class SanitizerReportsTest(unittest.TestCase):
    def test_a_leak_the_harness_attributed_is_not_counted_twice(self):
        found = verdicts.verdicts_in(LSAN_ATTRIBUTED_LOG)
        self.assertEqual([(f.cls, f.test) for f in found], [("LEAK", "Task.FramesAreFreed")])

    def test_a_leak_reported_only_at_exit_becomes_a_leak_verdict(self):
        found = verdicts.verdicts_in(LSAN_AT_EXIT_LOG)
        self.assertEqual([f.cls for f in found], ["WRONG_RESULT", "LEAK"])
        self.assertEqual(found[1].test, "(at exit)")
        self.assertIn("128 byte(s) in 2 allocation(s)", found[1].detail)
        self.assertIn("exercises/async/gather.h:120", found[1].detail)
        self.assertIn("async::create_task<int>", found[1].detail)

    def test_a_mutants_header_is_named_by_its_file_in_the_repository(self):
        text = LSAN_AT_EXIT_LOG.replace(
            "bin/exercises/async/_virtual_includes/gather/async/gather.h",
            "bin/graders/async/_virtual_includes/gather_mutant_state_cycle/async/gather.h")
        self.assertIn("graders/async/mutants/gather/state_cycle/gather.h:120",
                      verdicts.verdicts_in(text)[1].detail)

    def test_a_leak_without_any_verdict_line_is_the_runs_verdict(self):
        text = LSAN_AT_EXIT_LOG.replace(
            "KATA-VERDICT: WRONG_RESULT Gather.Order: results out of order\n", "")
        self.assertEqual(verdicts.verdicts_in(text), [])
        verdict = verdicts.verdict_without_lines(text, "FAILED")
        self.assertEqual(verdict.cls, "LEAK")
        self.assertIn("128 byte(s)", verdict.detail)

    def test_an_addresssanitizer_error_is_the_crash_of_the_running_test(self):
        verdict = verdicts.verdict_without_lines(ASAN_UAF_LOG, "FAILED")
        self.assertEqual((verdict.cls, verdict.test), ("CRASH", "Task.ExceptionsCross"))
        self.assertIn("heap-use-after-free", verdict.detail)
        self.assertIn("exercises/async/task.h:77", verdict.detail)
        with_line = "KATA-VERDICT: NOT_STARTED Task.ValuesComeBack: x\n" + ASAN_UAF_LOG
        self.assertEqual([(f.cls, f.test) for f in verdicts.verdicts_in(with_line)],
                         [("NOT_STARTED", "Task.ValuesComeBack"),
                          ("CRASH", "Task.ExceptionsCross")])

    def test_the_addresssanitizer_run_decides_when_the_threadsanitizer_run_passed(self):
        V = verdicts.Verdict
        passed = outcome.Outcome("PASS", [], passed_tests=3, total_tests=3)
        leak = outcome.Outcome("LEAK", [V("LEAK", "Task.Frames", "never freed")])
        both = outcome.combined(passed, leak)
        self.assertEqual(both.verdict, "LEAK")
        self.assertEqual(both.failures[0].test, "Task.Frames")
        self.assertTrue(both.failures[0].detail.startswith("(AddressSanitizer build) "))
        race = outcome.Outcome("RACE", [V("RACE", "Task.Race", "")])
        leak = outcome.Outcome("LEAK", [V("LEAK", "Task.Frames", "never freed")])
        both = outcome.combined(race, leak)
        self.assertEqual(both.verdict, "RACE")
        self.assertEqual([f.cls for f in both.failures], ["RACE", "LEAK"])
        self.assertIs(outcome.combined(race, None), race)
        clean = outcome.combined(outcome.Outcome("PASS", [], passed_tests=3, total_tests=3),
                                 outcome.Outcome("PASS", [], passed_tests=3, total_tests=3))
        self.assertEqual((clean.verdict, clean.total_tests), ("PASS", 6))


# A header-only kata: frames name the header through its library's include prefix, and a
# patched mutant's files are in Bazel's output tree.
HEADER_TSAN_LOG = """\
WARNING: ThreadSanitizer: data race (pid=7)
  Read of size 4 at 0x7b1000000040 by main thread:
    #0 kata::futures::Future<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >::done() const /proc/self/cwd/bazel-out/k8-fastbuild/bin/graders/futures/_virtual_includes/future_mutant_unlocked_status/futures/future.h:88:12 (t+0xd1) (BuildId: e9a9beb52bc3c86bef0b50e10478780a38b96bbe)
    #1 (anonymous namespace)::Poll /proc/self/cwd/graders/futures/future_grader.cc:120:5 (t+0xd2)

  Previous write of size 4 at 0x7b1000000040 by thread T1 (mutexes: write M7):
    #0 kata::futures::Future<int>::set_value(int) bazel-out/k8-fastbuild/bin/graders/futures/_virtual_includes/future_mutant_unlocked_status/futures/future.h:140:13 (t+0xd3)
    #1 std::__invoke_impl<void> /usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/invoke.h:61:14 (t+0xd4)

  Previous write of size 8 at 0x7b1000000080 by thread T2:
    #0 kata::futures::Executor::submit() /proc/self/cwd/bazel-out/k8-fastbuild/bin/solutions/futures/_virtual_includes/future/futures/future.h:60:3 (t+0xd5)

SUMMARY: ThreadSanitizer: data race
"""

GENERATED_WATCHDOG_LOG = """\
Where the threads are (frames in graders/sync/mutants/counter/unlocked/ and in the grader):
  Thread 2
    kata::sync::Counter::increment at bazel-out/k8-fastbuild/bin/graders/sync/mutants/counter/unlocked/counter.cc:9
  Thread 3
    kata::sync::Lazy<int>::get at /proc/self/cwd/bazel-out/k8-fastbuild/bin/exercises/sync/_virtual_includes/lazy/sync/lazy.h:31
-----
"""


class RealPathTest(unittest.TestCase):
    def test_the_execution_root_and_the_output_tree_are_dropped(self):
        self.assertEqual(verdicts.real_path("/proc/self/cwd/exercises/sync/counter.cc"),
                         "exercises/sync/counter.cc")
        self.assertEqual(verdicts.real_path(
            "/proc/self/cwd/bazel-out/k8-fastbuild/bin/graders/sync/mutants/counter/x/counter.cc"),
            "graders/sync/mutants/counter/x/counter.cc")

    def test_an_include_prefix_leads_to_the_implementations_directory(self):
        virtual = "bazel-out/k8-fastbuild/bin/graders/futures/_virtual_includes/future_mutant_x/futures/future.h"
        self.assertEqual(verdicts.real_path(virtual, "graders/futures/mutants/future/x/"),
                         "graders/futures/mutants/future/x/future.h")
        self.assertEqual(verdicts.real_path(
            "/proc/self/cwd/bazel-out/k8-fastbuild/bin/exercises/futures/_virtual_includes/future/futures/future.h",
            "exercises/futures/"), "exercises/futures/future.h")

    def test_a_header_of_another_package_stays_in_that_package(self):
        self.assertEqual(verdicts.real_path(
            "bazel-out/k8-fastbuild/bin/solutions/futures/_virtual_includes/future/futures/future.h",
            "exercises/futures/"), "solutions/futures/future.h")
        self.assertEqual(verdicts.real_path(
            "bazel-out/k8-fastbuild/bin/exercises/sync/_virtual_includes/lazy/sync/lazy.h"),
            "exercises/sync/lazy.h")


class VerdictsTest(unittest.TestCase):
    def test_verdict_lines_are_split_into_class_test_and_detail(self):
        found = verdicts.verdicts_in(TSAN_LOG)
        self.assertEqual(len(found), 1)
        self.assertEqual((found[0].cls, found[0].test), ("RACE", "Counter.Concurrent"))
        self.assertTrue(found[0].detail.startswith("data race"))

    def test_the_first_real_failure_decides_the_kata(self):
        V = verdicts.Verdict
        self.assertEqual(verdicts.kata_verdict([V("NOT_STARTED", "a", ""), V("RACE", "b", "")]),
                         "RACE")
        self.assertEqual(verdicts.kata_verdict([V("NOT_STARTED", "a", "")]), "NOT_STARTED")
        self.assertIsNone(verdicts.kata_verdict([]))

    def test_tsan_accesses_point_at_the_learners_lines_but_not_at_mutex_creation(self):
        lines = verdicts.learner_lines(TSAN_LOG, "exercises/sync/")
        where = [l[2] for l in lines]
        self.assertEqual(where, ["exercises/sync/counter.cc:7", "exercises/sync/counter.cc:23"])
        self.assertIn("thread T2", lines[0][0])
        self.assertNotIn("0x", lines[0][0])

    def test_watchdog_summary_gives_each_stuck_threads_frame(self):
        lines = verdicts.learner_lines(WATCHDOG_LOG, "exercises/sync/")
        self.assertEqual([l[2] for l in lines],
                         ["exercises/sync/bank.cc:31", "exercises/sync/bank.cc:30"])
        self.assertTrue(lines[0][0].startswith("Thread 3"))

    def test_header_only_katas_and_patched_mutants_show_the_implementations_lines(self):
        lines = verdicts.learner_lines(HEADER_TSAN_LOG, "graders/futures/mutants/future/unlocked_status/")
        self.assertEqual([l[2] for l in lines],
                         ["graders/futures/mutants/future/unlocked_status/future.h:88",
                          "graders/futures/mutants/future/unlocked_status/future.h:140"])
        self.assertEqual(lines[0][1], "futures::Future<std::string>::done")
        self.assertEqual(lines[1][1], "futures::Future<int>::set_value")

    def test_watchdog_frames_in_the_output_tree_are_the_implementations(self):
        lines = verdicts.learner_lines(GENERATED_WATCHDOG_LOG, "graders/sync/mutants/counter/unlocked/")
        self.assertEqual([l[2] for l in lines], ["graders/sync/mutants/counter/unlocked/counter.cc:9"])
        lines = verdicts.learner_lines(GENERATED_WATCHDOG_LOG, "exercises/sync/")
        self.assertEqual([(l[1], l[2]) for l in lines], [("sync::Lazy<int>::get", "exercises/sync/lazy.h:31")])

    def test_function_names_lose_parameters_and_std_strings_spelling(self):
        self.assertEqual(verdicts.short_function("(anonymous namespace)::Body(int) const"),
                         "(anonymous namespace)::Body")
        self.assertEqual(verdicts.short_function(
            "kata::q::Queue<std::basic_string<char, std::char_traits<char>, std::allocator<char>>>::put(int)"),
            "q::Queue<std::string>::put")

    def test_source_lines_of_a_generated_file_come_from_the_output_tree(self):
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as tmp:
            generated = Path(tmp) / "bazel-bin" / "graders" / "x.cc"
            generated.parent.mkdir(parents=True)
            generated.write_text("int a;\n  int b;\n")
            old_root, verdicts.ROOT = verdicts.ROOT, Path(tmp)
            try:
                self.assertEqual(verdicts.source_line("graders/x.cc", 2), "int b;")
                self.assertEqual(verdicts.source_line("graders/missing.cc", 1), "")
            finally:
                verdicts.ROOT = old_root

    def test_compiler_errors_in_a_header_name_the_learners_file(self):
        stderr = ("bazel-out/k8-fastbuild/bin/exercises/sync/_virtual_includes/lazy/sync/lazy.h:"
                  "12:5: error: expected ';'\n")
        self.assertEqual(verdicts.first_compiler_error(stderr, "exercises/sync/"),
                         ("exercises/sync/lazy.h", 12, "expected ';'"))

    def test_compiler_errors_prefer_the_learners_files(self):
        stderr = ("external/x/y.h:1:1: error: from elsewhere\n"
                  "exercises/sync/counter.cc:12:5: error: use of undeclared identifier 'mu'\n")
        self.assertEqual(verdicts.first_compiler_error(stderr, "exercises/"),
                         ("exercises/sync/counter.cc", 12, "use of undeclared identifier 'mu'"))

    def test_a_run_without_verdict_lines_still_gets_one(self):
        self.assertEqual(verdicts.verdict_without_lines("", "TIMEOUT").cls, "TIMEOUT")
        self.assertEqual(verdicts.verdict_without_lines("==1==ThreadSanitizer:DEADLYSIGNAL",
                                                        "FAILED").cls, "CRASH")


class ResultsJsonTest(unittest.TestCase):
    def test_exercism_shape_with_passing_and_failing_tests(self):
        import tempfile, os
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(TSAN_LOG)
        try:
            result = types.SimpleNamespace(status="FAILED", logs=[f.name],
                                           run_statuses=["FAILED"], durations=[1.0],
                                           build_error="")
            o = outcome.from_result(result, "exercises/sync/")
            data = results_json.build(o)
        finally:
            os.unlink(f.name)
        self.assertEqual(o.verdict, "RACE")
        self.assertEqual(o.seed, "42")
        self.assertEqual(data["status"], "fail")
        self.assertEqual([t["status"] for t in data["tests"]], ["pass", "fail"])
        self.assertTrue(data["tests"][1]["message"].startswith("RACE: "))
        self.assertLessEqual(len(data["tests"][1]["output"]), 500)

    def _build(self, log_text):
        import tempfile, os
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(log_text)
        try:
            result = types.SimpleNamespace(status="FAILED", logs=[f.name],
                                           run_statuses=["FAILED"], durations=[1.0],
                                           build_error="")
            o = outcome.from_result(result, "exercises/async/")
            return o, results_json.build(o)
        finally:
            os.unlink(f.name)

    def test_a_verdict_given_after_a_test_passed_makes_that_test_fail(self):
        o, data = self._build(LSAN_ATTRIBUTED_LOG)
        self.assertEqual(o.verdict, "LEAK")
        self.assertEqual([(t["name"], t["status"]) for t in data["tests"]],
                         [("Task.FramesAreFreed", "fail"), ("Task.Next", "pass")])
        self.assertTrue(data["tests"][0]["message"].startswith("LEAK: "))

    def test_a_verdict_outside_every_test_gets_an_entry_of_its_own(self):
        at_exit = LSAN_AT_EXIT_LOG.replace(
            "KATA-VERDICT: WRONG_RESULT Gather.Order: results out of order\n", "").replace(
            "[  FAILED  ] Gather.Order (2 ms)\n[  FAILED  ] 1 test, listed below:\n",
            "[       OK ] Gather.Order (2 ms)\n")
        o, data = self._build(at_exit)
        self.assertEqual(o.verdict, "LEAK")
        self.assertEqual([(t["name"], t["status"]) for t in data["tests"]],
                         [("Gather.Order", "pass"), ("(at exit)", "fail")])

    def test_build_errors_are_status_error_with_the_compiler_message(self):
        result = types.SimpleNamespace(
            status="BUILD_ERROR", logs=[], run_statuses=[], durations=[],
            build_error="exercises/sync/counter.cc:3:1: error: expected ';'\n")
        data = results_json.build(outcome.from_result(result, "exercises/sync/"))
        self.assertEqual(data["status"], "error")
        self.assertIn("exercises/sync/counter.cc:3", data["message"])


if __name__ == "__main__":
    unittest.main()
