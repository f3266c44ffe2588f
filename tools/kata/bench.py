"""./kata bench: a kata's benchmark run on the learner's code and on the reference solution,
side by side.

A kata has a benchmark when its katas.bzl entry says "bench": True; tools/kata.bzl then makes
`<kata>_bench` (graders/<track>/<kata>_bench.cc, Google Benchmark) in exercises/<track> and in
solutions/<track>. Both run optimised and without a sanitizer (--config=bench), one after the
other, and write their results as JSON, which the table is made from.
"""

import dataclasses
import json
import subprocess

import bazel
from catalog import ROOT
from ui import ui

_NANOSECONDS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


@dataclasses.dataclass
class Timing:
    name: str
    real_time: float
    unit: str

    def nanoseconds(self):
        return self.real_time * _NANOSECONDS.get(self.unit, 1)

    def __str__(self):
        return f"{self.real_time:.4g} {self.unit}"


def targets(kata):
    """(the learner's benchmark, the reference's), the labels tools/kata.bzl gives them."""
    return (f"//exercises/{kata.track}:{kata.name}_bench",
            f"//solutions/{kata.track}:{kata.name}_bench")


def timings(report):
    """{benchmark name: Timing} from Google Benchmark's JSON; the mean when it repeated."""
    found = {}
    for b in report.get("benchmarks", []):
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "mean":
                found[name] = Timing(name, b["real_time"], b.get("time_unit", "ns"))
        elif name not in found:
            found[name] = Timing(name, b["real_time"], b.get("time_unit", "ns"))
    return found


LIBRARY_PREFIX = "BM_Library_"


def _suffix(name):
    """The arguments of a benchmark name: "BM_Queue/2/real_time" -> "/2/real_time"."""
    return name[name.find("/"):] if "/" in name else ""


def table(yours, reference):
    """The two runs as lines of text: one row per benchmark, in the reference's order. Rows
    named BM_Library_* time a library from Debian on the same workload: they do not depend on
    which implementation is linked, so they come once, after the others, as yardsticks, with
    your time over the library's for the same arguments."""
    names = list(reference) + [n for n in yours if n not in reference]
    libraries = [n for n in names if n.startswith(LIBRARY_PREFIX)]
    names = [n for n in names if n not in libraries]
    width = max([len("benchmark")] + [len(n) for n in names + libraries])
    lines = [f"{'benchmark':<{width}}  {'yours':>12}  {'reference':>12}  {'yours/reference':>15}"]
    for name in names:
        mine, theirs = yours.get(name), reference.get(name)
        ratio = (f"{mine.nanoseconds() / theirs.nanoseconds():.2f}x"
                 if mine and theirs and theirs.nanoseconds() else "")
        lines.append(f"{name:<{width}}  {str(mine or '-'):>12}  {str(theirs or '-'):>12}  "
                     f"{ratio:>15}")
    if libraries:
        lines.append("")
        lines.append(f"{'libraries, same workload':<{width}}  {'time':>12}  {'':>12}  "
                     f"{'yours/library':>15}")
        for name in libraries:
            lib = reference.get(name) or yours.get(name)
            mine = next((yours[n] for n in names
                         if n in yours and _suffix(n) == _suffix(name)), None)
            ratio = (f"{mine.nanoseconds() / lib.nanoseconds():.2f}x"
                     if mine and lib and lib.nanoseconds() else "")
            lines.append(f"{name:<{width}}  {str(lib or '-'):>12}  {'':>12}  {ratio:>15}")
    return lines


def _run(label, output, log):
    """`bazel run --config=bench label`, results to `output`; returns (ok, console text)."""
    command = [bazel.bazel_binary(), "run", "--config=bench", "--color=no", "--curses=no",
               label, "--", f"--benchmark_out={output}", "--benchmark_out_format=json"]
    log.write("$ " + " ".join(command) + "\n")
    log.flush()
    proc = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
                          errors="replace")
    log.write(proc.stdout)
    return proc.returncode == 0 and output.exists(), proc.stdout


def run(kata):
    """Runs both benchmarks and prints the table; returns the exit code."""
    if not kata.bench:
        ui.error(f"{kata.id} has no benchmark. Katas about speed have one (their katas.bzl "
                 f"entry says \"bench\": True); `./kata check {kata.id}` grades this one.")
        return 2
    directory = bazel.STATE_DIR / "bench" / kata.track / kata.name
    directory.mkdir(parents=True, exist_ok=True)
    log_path = bazel.STATE_DIR / "logs" / "bazel-bench.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results = {}
    with open(log_path, "w") as log:
        for who, label in zip(("yours", "reference"), targets(kata)):
            output = directory / f"{who}.json"
            output.unlink(missing_ok=True)
            ui.info(f"building and running {label} (optimised, no sanitizer)...")
            ok, console = _run(label, output, log)
            if not ok:
                ui.error(f"the benchmark of {'your code' if who == 'yours' else 'the reference'}"
                         f" did not run; the end of its output:")
                print("\n".join("  " + l for l in console.strip().splitlines()[-10:]))
                print(f"  Bazel's output: {log_path.relative_to(ROOT)}")
                return 1
            results[who] = timings(json.loads(output.read_text()))
    print()
    print(ui.bold(f"{kata.id}: your code against the reference (wall time per iteration; "
                  f"lower is faster)"))
    for line in table(results["yours"], results["reference"]):
        print("  " + line)
    print(ui.dim(f"\n  full results: {directory.relative_to(ROOT)}/yours.json, reference.json"))
    return 0
