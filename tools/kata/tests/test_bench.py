"""./kata bench: a kata without a benchmark is refused; results become a side-by-side table."""

import contextlib
import dataclasses
import io
import unittest

import bench
import catalog
import main


def report(*benchmarks):
    return {"context": {}, "benchmarks": list(benchmarks)}


def iteration(name, real_time, unit="ns"):
    return {"name": name, "run_name": name, "run_type": "iteration", "real_time": real_time,
            "cpu_time": real_time, "time_unit": unit, "iterations": 1000}


class BenchTest(unittest.TestCase):
    def test_a_kata_without_a_benchmark_is_refused_with_exit_2(self):
        kata = catalog.select(["sync/counter"])[0]
        self.assertFalse(kata.bench)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main.main(["bench", "sync/counter"])
        self.assertEqual(code, 2)
        self.assertIn("sync/counter has no benchmark", out.getvalue())

    def test_the_targets_are_the_ones_the_bazel_macro_makes(self):
        kata = dataclasses.replace(catalog.select(["sync/counter"])[0], bench=True)
        self.assertEqual(bench.targets(kata), ("//exercises/sync:counter_bench",
                                               "//solutions/sync:counter_bench"))

    def test_repetitions_are_summed_up_by_their_mean(self):
        mean = {"name": "BM_Add_mean", "run_name": "BM_Add", "run_type": "aggregate",
                "aggregate_name": "mean", "real_time": 12.0, "time_unit": "ns"}
        stddev = dict(mean, name="BM_Add_stddev", aggregate_name="stddev", real_time=1.0)
        found = bench.timings(report(iteration("BM_Add", 10.0), iteration("BM_Add", 14.0),
                                     mean, stddev))
        self.assertEqual(found["BM_Add"].real_time, 12.0)

    def test_the_table_compares_in_a_common_unit(self):
        yours = bench.timings(report(iteration("BM_Add/threads:2", 2.0, "us"),
                                     iteration("BM_Only_yours", 5.0)))
        reference = bench.timings(report(iteration("BM_Add/threads:2", 500.0, "ns"),
                                         iteration("BM_Only_reference", 1.0, "ms")))
        lines = bench.table(yours, reference)
        self.assertIn("yours/reference", lines[0])
        add = next(l for l in lines if l.startswith("BM_Add/threads:2"))
        self.assertIn("2 us", add)
        self.assertIn("500 ns", add)
        self.assertTrue(add.rstrip().endswith("4.00x"))
        self.assertEqual([l.split()[0] for l in lines[1:]],
                         ["BM_Add/threads:2", "BM_Only_reference", "BM_Only_yours"])

    def test_library_rows_come_once_as_yardsticks_for_the_same_arguments(self):
        yours = bench.timings(report(iteration("BM_Queue/2", 30.0, "ms"),
                                     iteration("BM_Library_Tbb/2", 9.0, "ms")))
        reference = bench.timings(report(iteration("BM_Queue/2", 20.0, "ms"),
                                         iteration("BM_Library_Tbb/2", 10.0, "ms")))
        lines = bench.table(yours, reference)
        self.assertEqual(sum(1 for l in lines if l.startswith("BM_Library_Tbb/2")), 1)
        tbb = next(l for l in lines if l.startswith("BM_Library_Tbb/2"))
        self.assertIn("10 ms", tbb)                      # the reference run's measurement
        self.assertTrue(tbb.rstrip().endswith("3.00x"))  # yours (30 ms) over the library's
        queue = next(l for l in lines if l.startswith("BM_Queue/2"))
        self.assertTrue(queue.rstrip().endswith("1.50x"))
        self.assertLess(lines.index(queue), lines.index(tbb))


if __name__ == "__main__":
    unittest.main()
