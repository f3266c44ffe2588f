#!/usr/bin/env python3
"""Runs one grader under resource limits: the `--run_under` wrapper of `./kata grade`.

    limits.py [--cpu S] [--wall S] [--memory MIB] [--processes N] [--file-size MIB]
              [--output MIB] [--] PROGRAM [ARGS...]

Inside Bazel's linux-sandbox (its own PID namespace, a read-only file system) it adds what the
sandbox does not limit, and turns every kill into a verdict line the grading reads
(`KATA-VERDICT: <CLASS> <test>: <detail>`):
  --cpu        RLIMIT_CPU of each process, and the CPU time of the whole tree, polled (TIMEOUT)
  --wall       wall-clock time (TIMEOUT)
  --memory     resident memory (VmRSS) of all the processes together, polled (CRASH). Not
               RLIMIT_AS: ThreadSanitizer reserves terabytes of virtual memory.
  --processes  processes alive at once (CRASH). RLIMIT_NPROC is not enforced for root, so the
               grader runs in a PID namespace of its own, where the wrapper counts its
               processes (as a child subreaper, orphans included) and, past the limit, kills
               the namespace's init: the kernel then ends every process in it at once, a fork
               bomb or a process that left its session included.
  --file-size  RLIMIT_FSIZE: the largest file a process may write (CRASH); no core dumps
  --output     what the grader prints (its log) (CRASH)
and it takes every capability away from the grader. Bazel's linux-sandbox runs a test as root
of a user namespace, with all the capabilities there: enough to unmount the sandbox's blocked
paths (the solutions, the other submissions) and read what they hide. The grader runs with an
empty capability set and bounding set, the "no root" secure bits and no_new_privs, so it stays
behind the sandbox's mounts. (Another uid is not an option there: the namespace maps only 0.)
It also catches what a normal exit hides: a program that exits with status 0 before its tests
finished (exit(0) or _exit(0) in the middle of a test, or before the first one) gets CRASH.

Python 3 standard library only; also runs outside Bazel (the unit tests do).
"""

import ctypes
import os
import re
import resource
import signal
import select
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
POLL_SECONDS = 0.05
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MIB = 1 << 20

DEFAULTS = {"cpu": 600.0, "wall": 300.0, "memory": 4096.0, "processes": 32,
            "file_size": 64.0, "output": 16.0}

RUN = re.compile(rb"^\[ RUN      \] (\S+)")
END = re.compile(rb"^\[ {7}OK \] |^\[  FAILED  \] ")
FINISHED = re.compile(rb"^\[==========\] \d+ tests? from .* ran\.")


def parse(argv):
    options = dict(DEFAULTS)
    i = 0
    while i < len(argv) and argv[i].startswith("--"):
        if argv[i] == "--":
            i += 1
            break
        name, _, value = argv[i][2:].partition("=")
        key = name.replace("-", "_")
        if key not in options:
            raise SystemExit(f"limits.py: unknown option {argv[i]}")
        if not value:
            i += 1
            value = argv[i]
        options[key] = type(DEFAULTS[key])(value)
        i += 1
    if i >= len(argv):
        raise SystemExit(__doc__)
    return options, argv[i:]


class Output:
    """Copies the grader's output to ours, following which test runs and counting bytes.
    Single-threaded (pump() in the main loop): a process that made a new PID namespace for its
    children cannot start threads any more."""

    def __init__(self, fd, limit_bytes):
        self.fd = fd
        self.limit = limit_bytes
        self.bytes = 0
        self.current_test = None
        self.last_test = None
        self.finished = False
        self.over_limit = False
        self.closed = False
        self.pending = b""
        os.set_blocking(fd, False)

    def _line(self, line):
        m = RUN.match(line)
        if m:
            self.current_test = self.last_test = m.group(1).decode(errors="replace")
        elif END.match(line):
            self.current_test = None
        elif FINISHED.match(line):
            self.finished = True

    def pump(self, timeout):
        """Copies what the grader printed, waiting up to `timeout` seconds for it."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return
            for _ in range(64):  # at most 4 MiB per call, then the limits get a look
                try:
                    chunk = os.read(self.fd, 65536)
                except BlockingIOError:
                    break
                except OSError:
                    chunk = b""
                if not chunk:
                    self.closed = True
                    if self.pending:
                        self._line(self.pending)
                    return
                self._copy(chunk)

    def _copy(self, chunk):
        if self.over_limit:
            return  # drained, so that writers are not blocked while they are killed
        room = self.limit - self.bytes
        if len(chunk) > room:
            chunk = chunk[:max(room, 0)]
            self.over_limit = True
        self.bytes += len(chunk)
        try:
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        except OSError:
            pass
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            self._line(line)
        self.pending = self.pending[-4096:]


def _set_limits(options):
    cpu = max(1, int(options["cpu"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = int(options["file_size"] * MIB)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP, SECBIT_KEEP_CAPS_LOCKED... and their locks: uid 0 gets no
# capability back at execve, and nothing can undo it.
SECURE_BITS = 0x2F
CAPABILITY_VERSION_3 = 0x20080522


def drop_capabilities():
    """Empties the bounding, inheritable, permitted, effective and ambient capability sets of
    this process (before it runs the grader). Raises OSError when that is impossible and the
    process holds capabilities; a process without any has nothing to drop."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
    cap = 0
    while libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 or ctypes.get_errno() != 22:
        cap += 1   # EINVAL: past the last capability this kernel knows
        if cap > 63:
            break
    libc.prctl(PR_SET_SECUREBITS, SECURE_BITS, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    # Root must lose the bounding set too (execve would give it back otherwise); another user
    # cannot drop it, and with no_new_privs it gains nothing from it.
    names = ("CapEff", "CapPrm", "CapBnd") if os.getuid() == 0 else ("CapEff", "CapPrm")
    with open("/proc/self/status") as f:
        left = [l.strip() for l in f if l.startswith(names)]
    if any(int(l.split()[1], 16) for l in left):
        raise OSError(1, "capabilities remain: " + ", ".join(left))


def _processes():
    """{pid: (ppid, cpu seconds, rss bytes)} of every process we can see."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rfind(b")") + 2:].split()
        try:
            ppid = int(fields[1])
            cpu = (int(fields[11]) + int(fields[12])) / TICKS
            rss = int(fields[21]) * PAGE
        except (IndexError, ValueError):
            continue
        found[int(name)] = (ppid, cpu, rss)
    return found


def _descendants(table, root):
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


REAPED = {}  # pid -> wait status of every child reaped so far


def _reap():
    """Reaps every exited child (orphans come to us, as the subreaper) into REAPED."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        REAPED[pid] = status


def _kill_all(me, group):
    """Kills every descendant until none is left (a fork bomb included): the grader's session
    at once, then whatever left it (stopped first, so that it cannot fork while it is killed).
    In the sandbox, the end of its PID namespace is the backstop."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, signal.SIGKILL)  # the grader's session, at once
        except OSError:
            pass
        pids = _descendants(_processes(), me)
        if not pids:
            return
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.02)
        _reap()


CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18


def _new_pid_namespace():
    """Puts our next child in a new PID (and mount) namespace, when we may (root of the
    sandbox's user namespace may). Killing that child, its init, then ends every process of
    the grader at once, in the kernel: one that forks without end, or leaves its session."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWPID) == 0


def _namespace_init(command, options):
    """PID 1 of the grader's namespace: mounts the namespace's own /proc (so that the grader's
    getpid() and /proc agree, for gdb), starts the grader, reaps orphans, and leaves with the
    grader's status (128 + signal when a signal killed it). Its end ends the namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0 or \
            libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0 or \
            libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) != 0:
        raise OSError(ctypes.get_errno(), "cannot mount /proc in the grader's namespace")
    grader = os.fork()
    if grader == 0:
        try:
            _exec_grader(command, options)
        except BaseException as e:  # noqa: BLE001
            os.write(2, f"limits.py: cannot run {command[0]}: {e}\n".encode())
        os._exit(127)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
        if pid == grader:
            os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status)
                     else os.WEXITSTATUS(status))


def _exec_grader(command, options):
    # Python ignores these; a grader must get the default actions back.
    for number in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(number, signal.SIG_DFL)
    _set_limits(options)
    drop_capabilities()
    os.execvp(command[0], command)


def main(argv):
    options, command = parse(argv)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # without it, processes that escape by double fork are not counted
    me = os.getpid()
    read_end, write_end = os.pipe()
    started = time.monotonic()
    namespaced = _new_pid_namespace()
    child = os.fork()
    if child == 0:
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.dup2(write_end, 2)
            os.close(write_end)
            os.setsid()
            if namespaced:
                _namespace_init(command, options)  # never returns
            _exec_grader(command, options)
        except BaseException as e:  # noqa: BLE001 - report anything, then leave
            os.write(2, f"limits.py: cannot run {command[0]}: {e}\n".encode())
        os._exit(127)
    os.close(write_end)
    output = Output(read_end, int(options["output"] * MIB))

    stopped_by = []

    def on_signal(number, _frame):
        stopped_by.append(number)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)

    reason = None     # (class, detail) of a kill
    status = None
    peak_rss = peak_processes = 0
    cpu_total = 0.0
    while status is None:
        output.pump(POLL_SECONDS)
        _reap()
        if child in REAPED:
            status = REAPED[child]
            break
        if stopped_by:
            break
        table = _processes()
        pids = _descendants(table, me)
        rss = sum(table[p][2] for p in pids)
        times = os.times()
        cpu_total = sum(table[p][1] for p in pids) + times.children_user + times.children_system
        peak_rss = max(peak_rss, rss)
        processes = len(pids) - (1 if namespaced else 0)
        peak_processes = max(peak_processes, processes)
        elapsed = time.monotonic() - started
        if processes > options["processes"]:
            reason = ("CRASH", f"forked more than {options['processes']} processes "
                               f"(the limit of the grading run)")
        elif rss > options["memory"] * MIB:
            reason = ("CRASH", f"used more than {options['memory']:.0f} MiB of memory "
                               f"(the limit of the grading run)")
        elif cpu_total > options["cpu"]:
            reason = ("TIMEOUT", f"used more than {options['cpu']:.0f} s of CPU time "
                                 f"(the limit of the grading run)")
        elif elapsed > options["wall"]:
            reason = ("TIMEOUT", f"ran for more than {options['wall']:.0f} s "
                                 f"(the wall-clock limit of the grading run)")
        elif output.over_limit:
            reason = ("CRASH", f"printed more than {options['output']:.0f} MiB "
                               f"(the limit of the grading run)")
        if reason:
            break

    _kill_all(me, child)
    for _ in range(250):
        _reap()
        if child in REAPED:
            status = REAPED[child]
            break
        time.sleep(0.02)
    times = os.times()  # now with every reaped process, the grader included
    cpu_total = max(cpu_total, times.children_user + times.children_system)
    drain_until = time.monotonic() + 5
    while not output.closed and time.monotonic() < drain_until:
        output.pump(0.1)
    if output.over_limit and reason is None:
        reason = ("CRASH", f"printed more than {options['output']:.0f} MiB "
                           f"(the limit of the grading run)")

    code = 1
    if status is not None:
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        # Killed by the signal, or a shell that reports its child's death the same way.
        if code > 128:
            if reason is None and code - 128 == signal.SIGXCPU:
                reason = ("TIMEOUT", f"used more than {int(options['cpu'])} s of CPU time "
                                     f"(the limit of the grading run)")
            elif reason is None and code - 128 == signal.SIGXFSZ:
                reason = ("CRASH", f"wrote a file larger than {options['file_size']:.0f} MiB "
                                   f"(the limit of the grading run)")
    if reason is None and not stopped_by and status is not None and code == 0:
        premature = os.environ.get("TEST_PREMATURE_EXIT_FILE")
        if premature and os.path.exists(premature):
            reason = ("CRASH", "the program exited with status 0 in the middle of a test")
        elif not output.finished:
            reason = ("CRASH", "the program exited with status 0 before its tests finished")
    if stopped_by and reason is None:
        reason = ("TIMEOUT", f"stopped by signal {stopped_by[0]} (Bazel's time limit)")

    test = output.current_test or output.last_test or "(whole grader)"
    lines = []
    if reason:
        lines.append(f"KATA-VERDICT: {reason[0]} {test}: {reason[1]}")
        code = code or 1
    lines.append(f"kata-limits: peak {peak_rss / MIB:.0f} MiB resident, {peak_processes} "
                 f"process(es), {cpu_total:.1f} s CPU, {time.monotonic() - started:.1f} s, "
                 f"{output.bytes} bytes of output")
    try:
        sys.stdout.write("\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()
    except OSError:
        pass
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
