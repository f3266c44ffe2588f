"""Reading a grader's log: its verdict lines, and the learner's code a failure involves."""

import dataclasses
import re
from pathlib import Path

from catalog import ROOT

# One line per class: what the verdict means, in the learner's terms.
EXPLANATIONS = {
    "PASS": "every test passed",
    "NOT_STARTED": "still the skeleton: a function throws kata::NotImplemented",
    "BUILD_ERROR": "the code does not compile",
    "RACE": "two threads access the same memory without synchronisation, one of them writing",
    "LOCK_ORDER": "threads lock the same mutexes in different orders: they can deadlock",
    "DEADLOCK": "the threads stopped making progress: each waits for something that never comes",
    "STARVATION": "one thread never got its turn while the others kept going",
    "WRONG_RESULT": "a result or an invariant is wrong (often an atomicity bug that "
                    "ThreadSanitizer cannot see)",
    "CRASH": "the program crashed, aborted, or threw an exception nobody caught",
    "TIMEOUT": "everything moved, but far too slowly",
    "LEAK": "a thread (or another resource) was left behind",
    "FORBIDDEN": "the code uses a standard primitive that this kata asks you to build yourself",
    "BUSY_WAIT": "a thread that should sleep while it waits kept burning CPU (spinning or polling)",
}

VERDICT_LINE = re.compile(r"^KATA-VERDICT: ([A-Z_]+) (.*)$", re.M)
COMPILER_ERROR = re.compile(r"^([\w./+-]+):(\d+):(\d+): (?:fatal )?error: (.*)$", re.M)


@dataclasses.dataclass
class Verdict:
    cls: str
    test: str
    detail: str


def verdicts_in(log_text):
    found = []
    for cls, rest in VERDICT_LINE.findall(log_text):
        test, _, detail = rest.partition(": ")
        found.append(Verdict(cls, test, detail))
    if found:
        # Sanitizer reports the harness could not turn into a line of their own.
        found += sanitizer_verdicts(log_text, found)
    return found


LSAN_REPORT = "ERROR: LeakSanitizer: detected memory leaks"
LSAN_SUMMARY = re.compile(r"SUMMARY: (?:Address|Leak)Sanitizer: (\d+) byte\(s\) leaked in "
                          r"(\d+) allocation\(s\)")
ASAN_ERROR = re.compile(r"ERROR: AddressSanitizer: ([\w-]+)")
TEST_STARTED = re.compile(r"^\[ RUN      \] (\S+)$", re.M)
TEST_ENDED = re.compile(r"^\[ +(?:OK|FAILED) +\] (\S+)", re.M)
SOURCE_FRAME = re.compile(r"#\d+ 0x[0-9a-f]+ in (.*?) (?:/proc/self/cwd/)?"
                          r"((?:exercises|solutions|graders)/[\w./-]+:\d+)")


# A file path as it appears in a sanitizer report (absolute or relative to Bazel's root).
_REPORTED_PATH = re.compile(r"(?:/proc/self/cwd/)?(?:bazel-out/[^/\s]+/bin/)?"
                            r"(?:exercises|solutions|graders)/[\w./-]+")


def _source_paths(text):
    """Every file path in a sanitizer report turned into the file in the repository (see
    real_path): exercises/async/gather.h, graders/async/mutants/gather/x/gather.h..."""
    return _REPORTED_PATH.sub(lambda m: real_path(m.group(0)), text)


def sanitizer_verdicts(log_text, found):
    """Verdicts for AddressSanitizer and LeakSanitizer reports in a log that has none for them.

    The harness gives LEAK to the first test after which LeakSanitizer finds a leak; a leak it
    could not attribute (left at exit, or in a grader without that check) is reported at exit,
    after GoogleTest's output, and becomes LEAK here. An AddressSanitizer error (use after
    free, overflow...) ends the process at once, without a verdict line: it is the CRASH of
    the test that was running."""
    extra = []
    log_text = _source_paths(log_text)
    if LSAN_REPORT in log_text and not any(f.cls == "LEAK" for f in found):
        report = log_text[log_text.index(LSAN_REPORT):]
        summary = LSAN_SUMMARY.search(report)
        where = SOURCE_FRAME.search(report)
        detail = "LeakSanitizer found memory never freed"
        if summary:
            detail += f": {summary.group(1)} byte(s) in {summary.group(2)} allocation(s)"
        if where:
            function = re.sub(r"\(.*", "", where.group(1)).replace("kata::", "")
            detail += f", the first allocated in {function} at {where.group(2)}"
        extra.append(Verdict("LEAK", "(at exit)", detail))
    error = ASAN_ERROR.search(log_text)
    if error:
        started = TEST_STARTED.findall(log_text[:error.start()])
        ended = set(TEST_ENDED.findall(log_text[:error.start()]))
        running = [t for t in started if t not in ended]
        test = running[-1] if running else "(unknown test)"
        if not any(f.test == test for f in found):
            where = SOURCE_FRAME.search(log_text, error.end())
            detail = f"AddressSanitizer: {error.group(1)}"
            if where:
                detail += f" at {where.group(2)}"
            extra.append(Verdict("CRASH", test, detail))
    return extra


def kata_verdict(verdicts):
    """The kata's overall verdict: FORBIDDEN if the kata's rule was broken (whatever else
    failed), else the first real failure, else NOT_STARTED."""
    if any(v.cls == "FORBIDDEN" for v in verdicts):
        return "FORBIDDEN"
    for v in verdicts:
        if v.cls != "NOT_STARTED":
            return v.cls
    return "NOT_STARTED" if verdicts else None


def verdict_without_lines(log_text, bazel_status):
    """A verdict for a failed run that printed none (the process died before it could)."""
    if bazel_status == "TIMEOUT":
        return Verdict("TIMEOUT", "(whole grader)", "Bazel's own time limit ended the grader")
    if "ThreadSanitizer: CHECK failed" in log_text:
        return Verdict("CRASH", "(unknown test)",
                       "ThreadSanitizer's own consistency check failed: usually a thread "
                       "joined twice, or a std::thread used from two threads at once")
    if "ERROR: AddressSanitizer" in log_text or LSAN_REPORT in log_text:
        return sanitizer_verdicts(log_text, [])[0]
    if "ThreadSanitizer: data race" in log_text:
        return Verdict("RACE", "(unknown test)", "ThreadSanitizer reported a data race")
    if "DEADLYSIGNAL" in log_text or "Segmentation fault" in log_text:
        return Verdict("CRASH", "(unknown test)", "the grader died of a signal")
    if "premature exit" in log_text.lower() or "TEST_PREMATURE_EXIT_FILE" in log_text:
        return Verdict("CRASH", "(unknown test)", "the program exited in the middle of a test")
    return Verdict("CRASH", "(unknown test)",
                   "the grader stopped without a verdict (it exited or was killed early)")


def first_compiler_error(stderr_text, prefer_prefix=""):
    """(file, line, message) of the first compiler error, preferring files under a prefix."""
    errors = [(real_path(file, prefer_prefix), line, column, message) for file, line, column, message
              in COMPILER_ERROR.findall(re.sub(r"\x1b\[[0-9;]*m", "", stderr_text))]
    preferred = [e for e in errors if prefer_prefix and e[0].startswith(prefer_prefix)]
    for file, line, _, message in preferred or errors:
        return file, int(line), message
    return None


_OUTPUT_TREE = re.compile(r"^bazel-out/[^/]+/bin/")
_VIRTUAL_INCLUDE = re.compile(r"^(.+?)/_virtual_includes/([^/]+)/[^/]+/(.+)$")


def real_path(path, impl_prefix=""):
    """The repository path of a file named in a compiler message or a stack frame.

    Bazel compiles from its execution root (/proc/self/cwd/ in the debug information), headers
    are reached through a library's include prefix (<pkg>/_virtual_includes/<lib>/<track>/<file>)
    and generated files (patched mutants) live in bazel-out/<cfg>/bin/. A header of the
    implementation's own package is the implementation's (`impl_prefix`, e.g.
    "graders/sync/mutants/lazy/plain_flag/"), a mutant library's (<kata>_mutant_<bug>) is its
    mutant directory's, and one of another package is that package's."""
    path = path.removeprefix("/proc/self/cwd/")
    path = _OUTPUT_TREE.sub("", path)
    virtual = _VIRTUAL_INCLUDE.match(path)
    if virtual:
        package, library, file = virtual.groups()
        kata, mutant, bug = library.partition("_mutant_")
        if impl_prefix.startswith(package + "/"):
            owner = impl_prefix
        elif mutant:
            owner = f"{package}/mutants/{kata}/{bug}/"
        else:
            owner = package + "/"
        path = owner + file
    return path


def source_line(path, line):
    """Line `line` of a repository file, or of the generated file of that name (a patched
    mutant exists only in the output tree)."""
    for place in (ROOT / path, ROOT / "bazel-bin" / path):
        try:
            lines = place.read_text().splitlines()
        except OSError:
            continue
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return ""


# "#0 kata::sync::Counter::increment() /proc/self/cwd/exercises/sync/counter.cc:7:3 (x+0x1)":
# the function may hold spaces, the path does not, and the module's offset (and build id) end it.
FRAME = re.compile(r"#\d+\s+(.*)\s+(\S+?):(\d+)(?::\d+)?(?:\s+\([^()]*\))*\s*$")
# "    kata::sync::Bank::transfer at exercises/sync/bank.cc:31" (graders/support/stacks.cc).
WATCHDOG_FRAME = re.compile(r"^\s+(.*) at (\S+):(\d+)\s*$")
ACCESS = re.compile(r"^\s{2}(\S.*?):\s*$")
_STD_STRING = re.compile(r"std::(?:__cxx11::)?basic_string<char, std::char_traits<char>, "
                         r"std::allocator<char>\s*>")


def short_function(name):
    """A function's name without its parameters, kata:: or std::string's template spelling."""
    name = _STD_STRING.sub("std::string", name)
    name = re.sub(r"\s+(?=>)", "", name)  # "Future<std::string >" spelled the C++03 way
    name = name.replace("(anonymous namespace)", "{anonymous}")
    name = re.sub(r"\(.*", "", name).replace("{anonymous}", "(anonymous namespace)")
    return name.replace("kata::", "")


def learner_lines(log_text, impl_prefix):
    """The learner's own code in a failure: for each ThreadSanitizer access (or each stuck
    thread of a watchdog report), the first frame in `impl_prefix`, as
    (what, function, "file:line", source text)."""
    out = []
    # ThreadSanitizer reports.
    for report in re.findall(r"WARNING: ThreadSanitizer:.*?(?=SUMMARY: ThreadSanitizer|\Z)",
                             log_text, re.S):
        what = None
        taken = False
        for line in report.splitlines():
            header = ACCESS.match(line)
            if header and not line.startswith("    "):
                # Where a mutex or a heap block was created is context, not the bug.
                skip = "created at" in line or line.strip().startswith(("Location is", "Thread T"))
                what, taken = (None if skip else header.group(1)), False
                continue
            frame = FRAME.search(line)
            if not (frame and what and not taken):
                continue
            path = real_path(frame.group(2), impl_prefix)
            if path.startswith(impl_prefix):
                out.append((_short_access(what), short_function(frame.group(1)),
                            f"{path}:{frame.group(3)}", source_line(path, int(frame.group(3)))))
                taken = True
    # Watchdog summaries: "  Thread 3" then "    func at file:line".
    match = re.search(r"Where the threads are.*?:\n(.*?)-----", log_text, re.S)
    if match:
        thread = None
        for line in match.group(1).splitlines():
            if line.startswith("  ") and not line.startswith("    "):
                thread, taken = line.strip(), False
                continue
            m = WATCHDOG_FRAME.match(line)
            if not (m and thread and not taken):
                continue
            path = real_path(m.group(2), impl_prefix)
            if path.startswith(impl_prefix):
                out.append((thread + " waits in", short_function(m.group(1)),
                            f"{path}:{m.group(3)}", source_line(path, int(m.group(3)))))
                taken = True
    unique = []
    for item in out:
        if item not in unique:
            unique.append(item)
    return unique[:8]


def _short_access(text):
    text = re.sub(r" of size \d+ at 0x[0-9a-f]+", "", text)
    text = re.sub(r" at 0x[0-9a-f]+", "", text)
    return text


def excerpt(text, limit=500):
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 3] + "..."


def read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""
