"""tools/grading/limits.py, the --run_under wrapper of `./kata grade`: each limit turns into
a verdict line, and nothing it started outlives it. (Bounded programs only: no real fork
bomb runs outside a sandbox here.)"""

import os
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

from catalog import ROOT

LIMITS = ROOT / "tools" / "grading" / "limits.py"
FINISHED = 'echo "[==========] 1 test from 1 test suite ran. (1 ms total)"'


def run(options, *command, env=None, cwd=None):
    proc = subprocess.run([sys.executable, "-B", str(LIMITS), *options, "--", *command],
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)
    return proc.returncode, proc.stdout + proc.stderr


class Limits(unittest.TestCase):
    def test_a_normal_run_passes_through(self):
        code, out = run([], "sh", "-c", FINISHED)
        self.assertEqual(code, 0, out)
        self.assertNotIn("KATA-VERDICT", out)
        self.assertIn("kata-limits: peak", out)

    def test_exit_code_and_signals_pass_through(self):
        code, _ = run([], "sh", "-c", "exit 3")
        self.assertEqual(code, 3)
        code, _ = run([], "sh", "-c", "kill -SEGV $$")
        self.assertEqual(code, 128 + 11)

    def test_status_0_before_the_tests_finished_is_a_crash(self):
        code, out = run([], "sh", "-c", 'echo "[ RUN      ] Counter.Starts"; exit 0')
        self.assertNotEqual(code, 0)
        self.assertIn("KATA-VERDICT: CRASH Counter.Starts: the program exited with status 0",
                      out)

    def test_premature_exit_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            marker = Path(tmp) / "premature"
            env = dict(os.environ, TEST_PREMATURE_EXIT_FILE=str(marker))
            code, out = run([], "sh", "-c", f"touch {marker}; {FINISHED}", env=env)
        self.assertNotEqual(code, 0)
        self.assertIn("in the middle of a test", out)

    def test_memory(self):
        code, out = run(["--memory", "100"], sys.executable, "-c",
                        "x = []\nwhile True: x.append(bytearray(8 << 20))")
        self.assertNotEqual(code, 0)
        self.assertIn("KATA-VERDICT: CRASH (whole grader): used more than 100 MiB", out)

    def test_processes(self):
        started = time.monotonic()
        code, out = run(["--processes", "10"], "sh", "-c",
                        'echo "[ RUN      ] Fork.Many"; for i in $(seq 30); do sleep 60 & done; '
                        'wait')
        self.assertNotEqual(code, 0)
        self.assertIn("KATA-VERDICT: CRASH Fork.Many: forked more than 10 processes", out)
        self.assertLess(time.monotonic() - started, 30, "the sleeping children were not killed")

    def test_cpu_time(self):
        code, out = run(["--cpu", "1"], sys.executable, "-c", "while True: pass")
        self.assertNotEqual(code, 0)
        self.assertIn("KATA-VERDICT: TIMEOUT", out)
        self.assertIn("s of CPU time", out)

    def test_wall_time_and_stray_processes(self):
        started = time.monotonic()
        code, out = run(["--wall", "1"], "sh", "-c", "setsid sleep 60 & sleep 60")
        self.assertNotEqual(code, 0)
        self.assertIn("ran for more than 1 s", out)
        self.assertLess(time.monotonic() - started, 30)

    def test_file_size(self):
        with tempfile.TemporaryDirectory() as tmp:
            code, out = run(["--file-size", "1"], "sh", "-c",
                            'echo "[ RUN      ] File.Big"; head -c 3000000 /dev/zero > big',
                            cwd=tmp)
            self.assertLessEqual((Path(tmp) / "big").stat().st_size, 1 << 20)
        self.assertNotEqual(code, 0)
        self.assertIn("KATA-VERDICT: CRASH File.Big: wrote a file larger than 1 MiB", out)

    def test_output(self):
        code, out = run(["--output", "1"], "sh", "-c", "yes 0123456789")
        self.assertNotEqual(code, 0)
        self.assertIn("printed more than 1 MiB", out)
        self.assertLess(len(out), (1 << 20) + 4096)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to show the capabilities go")
    def test_no_capabilities(self):
        code, out = run([], "sh", "-c", f"grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status; {FINISHED}")
        self.assertEqual(code, 0, out)
        for line in out.splitlines():
            if line.startswith("Cap"):
                self.assertEqual(int(line.split()[1], 16), 0, line)


if __name__ == "__main__":
    unittest.main()
