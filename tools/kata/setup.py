"""What ./kata needs on the machine, and installing it on Debian and Ubuntu.

Each requirement is found by what it provides (a command or a file), not by a package
database, so a hand-built toolchain counts too. Missing ones are installed with apt-get when
the user is root on Debian or Ubuntu, after one `apt-get update`; otherwise ./kata prints the
exact command and stops, so nothing is ever half-installed behind the user's back.
"""

import dataclasses
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ui import ui


@dataclasses.dataclass(frozen=True)
class Requirement:
    name: str
    package: str      # the Debian package that provides it
    why: str
    needed_for: str   # "grading", "stacks", "watch", "selftest"

    def present(self):
        return _PROBES[self.name]()


def _any_file(*patterns):
    return any(glob.glob(p) for p in patterns)


_PROBES = {
    "bazel": lambda: _any_file("/usr/bin/bazel-4*", "/usr/bin/bazel-real") or bool(
        os.environ.get("BAZEL_REAL")) or _bazelisk(),
    "clang": lambda: shutil.which("clang") is not None and shutil.which("clang++") is not None,
    "tsan runtime": lambda: _any_file(
        "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.tsan-x86_64.a",
        "/usr/lib/clang/*/lib/linux/libclang_rt.tsan-x86_64.a",
        "/usr/lib/llvm-*/lib/clang/*/lib/x86_64-pc-linux-gnu/libclang_rt.tsan.a"),
    "llvm-symbolizer": lambda: shutil.which("llvm-symbolizer") is not None,
    "googletest sources": lambda: Path("/usr/src/googletest/googletest/src/gtest-all.cc").exists(),
    "gdb": lambda: shutil.which("gdb") is not None,
    "inotifywait": lambda: shutil.which("inotifywait") is not None,
    "tmux": lambda: shutil.which("tmux") is not None,
    "google benchmark": lambda: Path("/usr/include/benchmark/benchmark.h").exists(),
    "tbb": lambda: Path("/usr/include/oneapi/tbb/concurrent_queue.h").exists(),
    "moodycamel": lambda: Path("/usr/include/concurrentqueue/blockingconcurrentqueue.h").exists(),
    "libuv": lambda: Path("/usr/include/uv.h").exists(),
}


def _bazelisk():
    """A bazelisk (or another Bazel launcher) on PATH that is not Debian's wrapper alone."""
    bazel = shutil.which("bazel")
    if bazel is None:
        return False
    try:
        head = Path(bazel).read_bytes()[:4096]
    except OSError:
        return False
    # Debian's /usr/bin/bazel is a shell wrapper that needs /usr/bin/bazel-<version> beside it.
    return b"get_bazel_version" not in head


REQUIREMENTS = [
    Requirement("bazel", "bazel-bootstrap", "builds and runs the graders (Bazel 4.2.3)", "grading"),
    Requirement("clang", "clang", "the compiler (clang 14)", "grading"),
    Requirement("tsan runtime", "libclang-rt-14-dev", "ThreadSanitizer's runtime library",
                "grading"),
    Requirement("llvm-symbolizer", "llvm", "file and line numbers in ThreadSanitizer reports",
                "grading"),
    Requirement("googletest sources", "googletest", "GoogleTest and GoogleMock, built from source",
                "grading"),
    Requirement("gdb", "gdb", "the stacks of stuck threads when a test deadlocks", "grading"),
    Requirement("inotifywait", "inotify-tools", "./kata watch notices saves at once", "watch"),
    Requirement("tmux", "tmux", "the terminal test of ./kata watch", "selftest"),
    Requirement("google benchmark", "libbenchmark-dev", "./kata bench: the katas' benchmarks",
                "bench"),
    Requirement("tbb", "libtbb-dev", "./kata bench: TBB's queue as a yardstick", "bench"),
    Requirement("moodycamel", "libconcurrentqueue-dev",
                "./kata bench: moodycamel's queue as a yardstick", "bench"),
    Requirement("libuv", "libuv1-dev", "./kata bench: libuv's event loop as a yardstick",
                "bench"),
]


def missing(purposes):
    return [r for r in REQUIREMENTS if r.needed_for in purposes and not r.present()]


def _debian_like():
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return False
    return any(word in text for word in ("ID=debian", "ID=ubuntu", "ID_LIKE=debian",
                                         'ID_LIKE="debian', "ID_LIKE=ubuntu"))


def install_command(packages):
    return "apt-get update && apt-get install -y " + " ".join(packages)


def ensure(purposes=("grading",), quiet=False):
    """Installs what `purposes` need, or explains what to install. Returns True when ready."""
    absent = missing(purposes)
    if not absent:
        return True
    packages = sorted({r.package for r in absent})
    names = ", ".join(r.name for r in absent)
    if os.geteuid() != 0 or not _debian_like() or shutil.which("apt-get") is None:
        where = ("you are not root" if os.geteuid() != 0 else "this is not Debian or Ubuntu")
        ui.error(f"missing: {names}.")
        print(f"  ./kata installs these itself only as root on Debian or Ubuntu ({where}).")
        print("  Install them, then run the same command again:")
        print(f"    sudo {install_command(packages)}" if _debian_like() else
              "    " + "; ".join(f"{r.name}: {r.why}" for r in absent))
        print("  (`./kata doctor` lists every requirement and what each is for.)")
        return False
    if not quiet:
        ui.info(f"installing {', '.join(packages)} (first run only; apt-get, a few minutes)...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + packages):
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            ui.error(f"`{' '.join(command)}` failed (exit {result.returncode}):")
            print("\n".join(result.stdout.strip().splitlines()[-15:]))
            print(f"  Nothing else was changed. Fix the problem above, or run: {install_command(packages)}")
            return False
    still = missing(purposes)
    if still:
        ui.error("installed " + ", ".join(packages) + " but still missing: " +
                 ", ".join(r.name for r in still))
        return False
    fix_mmap_rnd_bits()
    return True


def fix_mmap_rnd_bits():
    """ThreadSanitizer in clang 14 fails ("unexpected memory mapping") when the kernel
    randomises mmap with more than 28 bits; lower it when we may, otherwise say how."""
    path = Path("/proc/sys/vm/mmap_rnd_bits")
    try:
        bits = int(path.read_text())
    except (OSError, ValueError):
        return True
    if bits <= 28:
        return True
    if os.geteuid() == 0:
        try:
            path.write_text("28")
            ui.info(f"lowered vm.mmap_rnd_bits from {bits} to 28 for ThreadSanitizer (clang 14)")
            return True
        except OSError:
            pass
    ui.warn(f"vm.mmap_rnd_bits is {bits}; ThreadSanitizer (clang 14) needs 28 or less. "
            "Run: sudo sysctl vm.mmap_rnd_bits=28")
    return False


def doctor():
    """Prints every requirement, whether it is there, and how to get what is missing."""
    ok = True
    print(ui.bold("What ./kata needs"))
    for r in REQUIREMENTS:
        present = r.present()
        ok &= present or r.needed_for not in ("grading",)
        mark = ui.green("ok     ") if present else ui.red("missing")
        print(f"  {mark}  {r.name:<20} {r.why}  [{r.package}; for {r.needed_for}]")
    absent = [r for r in REQUIREMENTS if not r.present()]
    if absent:
        print("\nTo install what is missing:\n  sudo " +
              install_command(sorted({r.package for r in absent})))
        print("  (`./kata check` and `./kata selftest` do this themselves when run as root.)")
    try:
        bits = int(Path("/proc/sys/vm/mmap_rnd_bits").read_text())
        state = ui.green("ok     ") if bits <= 28 else ui.red("too high")
        print(f"\n  {state}  vm.mmap_rnd_bits = {bits} (ThreadSanitizer needs 28 or less)")
        ok &= bits <= 28
    except (OSError, ValueError):
        pass
    print(f"\n  python {sys.version.split()[0]}")
    return ok
