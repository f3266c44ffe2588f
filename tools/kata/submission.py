"""Reading a learner's submission safely: only the learner files the katas declare.

A submission is a learner's copy of this repository, as
  - a directory (its files as they are),
  - a git repository (a directory with .git, or a bare repository: the files of HEAD),
  - an archive: .tar.gz / .tgz / .tar / .tar.bz2 / .tar.xz, or .zip,
possibly with one top folder around the repository ("alice-katas/exercises/...").

Nothing is ever extracted to disk: the wanted files (exercises/<track>/<file> for each kata's
learner_files) are read into memory, at most MAX_FILE_BYTES each. Every entry of an archive is
looked at, and these are refused and reported, never followed or created: paths with "..",
absolute paths, backslashes or NUL bytes, symbolic and hard links, devices and FIFOs. Everything
else not in the whitelist is ignored. A missing learner file means the kata's skeleton.
"""

import dataclasses
import os
import re
import stat
import subprocess
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1 << 20          # one learner file
MAX_ENTRIES = 200_000             # entries of an archive looked at
MAX_TOTAL_BYTES = 2 << 30         # uncompressed bytes of an archive walked through
MAX_NOTES = 20                    # rejected entries reported one by one

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")


@dataclasses.dataclass
class Submission:
    name: str                     # the learner: base name without extension
    source: str                   # where it came from
    kind: str = ""                # directory, git, tar, zip
    files: dict = dataclasses.field(default_factory=dict)   # repo path -> bytes
    notes: list = dataclasses.field(default_factory=list)   # what was refused, and why
    error: str = ""               # unreadable: nothing can be graded
    hidden_notes: int = 0         # notes past MAX_NOTES

    def note(self, text):
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        else:
            self.hidden_notes += 1

    def all_notes(self):
        extra = [f"... and {self.hidden_notes} more"] if self.hidden_notes else []
        return self.notes + extra


def learner_name(path):
    """The learner's name: the base name without its extension ("alice.tar.gz" -> "alice")."""
    name = Path(str(path).rstrip("/")).name
    lowered = name.lower()
    for suffix in ARCHIVE_SUFFIXES + (".git",):
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return name


def safe_name(name):
    """A name usable as a file name and in reports."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "learner"
    return cleaned[:80]


def unsafe_reason(name):
    """Why an archive entry name is refused, or "" when it is a plain relative path."""
    if "\x00" in name:
        return "a NUL byte in the name"
    if "\\" in name:
        return "a backslash in the name"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in name.split("/"):
        return "a path with '..'"
    return ""


def normalise(name):
    """'./a//b/' -> 'a/b' (the name is known to be safe)."""
    return "/".join(p for p in name.split("/") if p not in ("", "."))


def _strip_top_folder(paths, wanted):
    """The prefix to remove: "" when the repository is at the root, "top/" when every entry
    is under one folder and the wanted files are inside it."""
    if any(p in wanted or p.startswith("exercises/") for p in paths):
        return ""
    tops = {p.split("/", 1)[0] for p in paths if p}
    if len(tops) == 1:
        top = tops.pop() + "/"
        if any(p[len(top):] in wanted or p[len(top):].startswith("exercises/")
               for p in paths if p.startswith(top)):
            return top
    return ""


def read(path, wanted):
    """The Submission at `path`, with the files of `wanted` (repository paths) it holds."""
    path = Path(path)
    sub = Submission(name=learner_name(path), source=str(path))
    try:
        if path.is_symlink():
            sub.error = "the submission is a symbolic link; give its target instead"
        elif path.is_dir():
            if (path / ".git").exists() or _is_bare_repository(path):
                sub.kind = "git"
                _read_git(path, wanted, sub)
            else:
                sub.kind = "directory"
                _read_directory(path, wanted, sub)
        elif path.is_file():
            lowered = path.name.lower()
            if lowered.endswith(".zip"):
                sub.kind = "zip"
                _read_zip(path, wanted, sub)
            elif lowered.endswith(ARCHIVE_SUFFIXES):
                sub.kind = "tar"
                _read_tar(path, wanted, sub)
            else:
                sub.error = ("not a directory, a git repository, a .tar.gz/.tgz/.tar or a .zip "
                             "archive")
        else:
            sub.error = "no such file or directory"
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError,
            RuntimeError, subprocess.SubprocessError) as e:
        sub.error = f"unreadable {sub.kind or 'submission'}: {e}"
        sub.files.clear()
    return sub


# Directories ------------------------------------------------------------------------------

def _read_directory(root, wanted, sub):
    base = root
    if not (root / "exercises").is_dir():
        children = [c for c in root.iterdir() if not c.name.startswith(".") and
                    c.is_dir() and not c.is_symlink()]
        if len(children) == 1 and (children[0] / "exercises").is_dir():
            base = children[0]
    for rel in sorted(wanted):
        data = _read_plain_file(base, rel, sub)
        if data is not None:
            sub.files[rel] = data


def _read_plain_file(base, rel, sub):
    """The bytes of base/rel when every part of the path is a real directory or file (never
    a link), the file regular and at most MAX_FILE_BYTES; else None (and a note)."""
    current = base
    parts = PurePosixPath(rel).parts
    for i, part in enumerate(parts):
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(info.st_mode):
            sub.note(f"{'/'.join(parts[:i + 1])}: a symbolic link, not followed")
            return None
        last = i == len(parts) - 1
        if not last and not stat.S_ISDIR(info.st_mode):
            return None
        if last and not stat.S_ISREG(info.st_mode):
            sub.note(f"{rel}: not a regular file, ignored")
            return None
    if info.st_size > MAX_FILE_BYTES:
        sub.note(f"{rel}: {info.st_size} bytes, over the limit of {MAX_FILE_BYTES}; ignored")
        return None
    fd = os.open(current, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        sub.note(f"{rel}: over the limit of {MAX_FILE_BYTES} bytes; ignored")
        return None
    return data


# Git repositories -------------------------------------------------------------------------

def _is_bare_repository(path):
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and \
        (path / "refs").is_dir()


def _git(repo, *args, limit=None):
    """git with nothing from the learner's configuration that could run a program."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", GIT_TERMINAL_PROMPT="0",
               HOME="/nonexistent", GIT_OPTIONAL_LOCKS="0")
    command = ["git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false",
               "-c", "core.hooksPath=/dev/null", "-c", "protocol.allow=never",
               "-C", str(repo), "--no-pager", *args]
    proc = subprocess.run(command, capture_output=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise OSError(f"git {args[0]}: " + proc.stderr.decode(errors="replace").strip()[:300])
    return proc.stdout


def _read_git(repo, wanted, sub):
    listing = _git(repo, "ls-tree", "-r", "-l", "-z", "--full-tree", "HEAD")
    entries = {}
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, obj, size = meta.decode().split()
        entries[name.decode(errors="replace")] = (mode, kind, obj, size)
    prefix = _strip_top_folder(list(entries), wanted)
    for name, (mode, kind, obj, size) in sorted(entries.items()):
        rel = name[len(prefix):] if name.startswith(prefix) else None
        if rel not in wanted:
            if mode == "120000":
                sub.note(f"{name}: a symbolic link in the repository, ignored")
            continue
        if mode == "120000":
            sub.note(f"{name}: a symbolic link, not followed")
        elif kind != "blob":
            sub.note(f"{name}: not a file ({kind}), ignored")
        elif size.isdigit() and int(size) > MAX_FILE_BYTES:
            sub.note(f"{name}: {size} bytes, over the limit of {MAX_FILE_BYTES}; ignored")
        else:
            data = _git(repo, "cat-file", "blob", obj)
            if len(data) > MAX_FILE_BYTES:
                sub.note(f"{name}: over the limit of {MAX_FILE_BYTES} bytes; ignored")
            else:
                sub.files[rel] = data


# Archives ---------------------------------------------------------------------------------

def _read_tar(path, wanted, sub):
    found = {}      # normalised name -> (member, tar)
    names = []
    total = 0
    with tarfile.open(path, "r:*") as tar:
        for count, member in enumerate(tar):
            if count >= MAX_ENTRIES:
                sub.note(f"more than {MAX_ENTRIES} entries: the rest is not read")
                break
            reason = unsafe_reason(member.name)
            if reason:
                sub.note(f"{member.name!r}: {reason}, refused")
                continue
            name = normalise(member.name)
            if member.issym() or member.islnk():
                sub.note(f"{name}: a {'symbolic' if member.issym() else 'hard'} link "
                         f"(to {member.linkname!r}), refused")
                continue
            if member.isdir():
                names.append(name + "/")
                continue
            if not member.isreg():
                sub.note(f"{name}: a device, FIFO or other special file, refused")
                continue
            names.append(name)
            total += member.size
            if total > MAX_TOTAL_BYTES:
                sub.note(f"more than {MAX_TOTAL_BYTES >> 20} MiB in the archive: "
                         f"the rest is not read")
                break
            if any(name.endswith(w) for w in wanted):
                if member.size > MAX_FILE_BYTES:
                    sub.note(f"{name}: {member.size} bytes, over the limit of "
                             f"{MAX_FILE_BYTES}; ignored")
                    continue
                handle = tar.extractfile(member)   # the data, in memory: nothing on disk
                data = handle.read(MAX_FILE_BYTES + 1) if handle else b""
                if len(data) <= MAX_FILE_BYTES:
                    found[name] = data
        prefix = _strip_top_folder(names, wanted)
    _take(found, prefix, wanted, sub)


def _read_zip(path, wanted, sub):
    found = {}
    names = []
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            sub.note(f"more than {MAX_ENTRIES} entries: the rest is not read")
            infos = infos[:MAX_ENTRIES]
        for info in infos:
            reason = unsafe_reason(info.filename)
            if reason:
                sub.note(f"{info.filename!r}: {reason}, refused")
                continue
            name = normalise(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                sub.note(f"{name}: a symbolic link, refused")
                continue
            if info.is_dir():
                names.append(name + "/")
                continue
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG):   # 0: no type (Windows, Python)
                sub.note(f"{name}: a special file, refused")
                continue
            names.append(name)
            if any(name.endswith(w) for w in wanted):
                if info.flag_bits & 0x1:
                    sub.note(f"{name}: encrypted, ignored")
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    sub.note(f"{name}: {info.file_size} bytes, over the limit of "
                             f"{MAX_FILE_BYTES}; ignored")
                    continue
                with archive.open(info) as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    sub.note(f"{name}: over the limit of {MAX_FILE_BYTES} bytes; ignored")
                    continue
                found[name] = data
    prefix = _strip_top_folder(names, wanted)
    _take(found, prefix, wanted, sub)


def _take(found, prefix, wanted, sub):
    for name, data in found.items():
        rel = name[len(prefix):] if name.startswith(prefix) else None
        if rel in wanted:
            sub.files[rel] = data
