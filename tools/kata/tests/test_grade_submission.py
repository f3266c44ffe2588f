"""Reading submissions safely: archives with "..", absolute paths, links and oversized files;
only whitelisted files; directories, git repositories, zips and tarballs."""

import io
import os
import subprocess
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

import submission

WANTED = {"exercises/sync/counter.h", "exercises/sync/counter.cc"}
H, CC = b"// counter.h\n", b"// counter.cc\n"


def make_tar(path, entries, mode="w:gz"):
    """entries: (name, bytes) files, or (name, ("symlink"|"hardlink"|"fifo", target))."""
    with tarfile.open(path, mode) as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                info.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                             "fifo": tarfile.FIFOTYPE}[data[0]]
                info.linkname = data[1]
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


class Names(unittest.TestCase):
    def test_learner_name_drops_the_extension(self):
        self.assertEqual(submission.learner_name("/x/alice.tar.gz"), "alice")
        self.assertEqual(submission.learner_name("/x/bob.zip"), "bob")
        self.assertEqual(submission.learner_name("/x/carol.tgz"), "carol")
        self.assertEqual(submission.learner_name("/x/dave/"), "dave")
        self.assertEqual(submission.learner_name("/x/erin.git"), "erin")

    def test_unsafe_names(self):
        self.assertIn("..", submission.unsafe_reason("../x"))
        self.assertIn("..", submission.unsafe_reason("a/../../x"))
        self.assertIn("absolute", submission.unsafe_reason("/etc/passwd"))
        self.assertIn("absolute", submission.unsafe_reason("C:/x"))
        self.assertIn("backslash", submission.unsafe_reason("a\\b"))
        self.assertEqual(submission.unsafe_reason("./exercises/sync/counter.cc"), "")
        self.assertEqual(submission.normalise("./exercises//sync/counter.cc"),
                         "exercises/sync/counter.cc")

    def test_safe_name(self):
        self.assertEqual(submission.safe_name("Zoë O'Neil"), "Zo_O_Neil")
        self.assertEqual(submission.safe_name(".."), "learner")


class Archives(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_tar_gz_refuses_dotdot_absolute_and_links_and_reports_them(self):
        path = self.dir / "mallory.tar.gz"
        make_tar(path, [
            ("../../escape.cc", b"x"),
            ("/etc/cron.d/evil", b"x"),
            ("exercises/sync/counter.h", ("symlink", "/etc/passwd")),
            ("exercises/sync/counter.cc", ("hardlink", "exercises/sync/other.cc")),
            ("exercises/sync/pipe", ("fifo", "")),
        ])
        sub = submission.read(path, WANTED)
        self.assertEqual(sub.error, "")
        self.assertEqual(sub.files, {})
        notes = "\n".join(sub.notes)
        self.assertIn("'../../escape.cc': a path with '..', refused", notes)
        self.assertIn("'/etc/cron.d/evil': an absolute path, refused", notes)
        self.assertIn("exercises/sync/counter.h: a symbolic link", notes)
        self.assertIn("exercises/sync/counter.cc: a hard link", notes)
        self.assertIn("special file", notes)
        # Nothing was written anywhere.
        self.assertFalse((self.dir.parent / "escape.cc").exists())
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()), ["mallory.tar.gz"])

    def test_tar_gz_with_one_top_folder_takes_only_whitelisted_files(self):
        path = self.dir / "alice.tar.gz"
        make_tar(path, [
            ("alice-katas/exercises/sync/counter.h", H),
            ("alice-katas/exercises/sync/counter.cc", CC),
            ("alice-katas/graders/sync/counter_grader.cc", b"int main() {}"),
            ("alice-katas/.bazelrc", b"build --spawn_strategy=local"),
            ("alice-katas/exercises/sync/katas.bzl", b"TRACK = {}"),
        ])
        sub = submission.read(path, WANTED)
        self.assertEqual(sub.name, "alice")
        self.assertEqual(sub.kind, "tar")
        self.assertEqual(sub.files, {"exercises/sync/counter.h": H,
                                     "exercises/sync/counter.cc": CC})
        self.assertEqual(sub.notes, [])

    def test_oversized_files_are_ignored_and_reported(self):
        big = b"x" * (submission.MAX_FILE_BYTES + 1)
        path = self.dir / "bob.tar.gz"
        make_tar(path, [("exercises/sync/counter.cc", big), ("exercises/sync/counter.h", H)])
        sub = submission.read(path, WANTED)
        self.assertEqual(list(sub.files), ["exercises/sync/counter.h"])
        self.assertIn("over the limit", sub.notes[0])

    def test_zip(self):
        path = self.dir / "carol.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("exercises/sync/counter.h", H)
            z.writestr("exercises/sync/counter.cc", CC)
            z.writestr("../outside.txt", b"x")
            z.writestr("/abs.txt", b"x")
            link = zipfile.ZipInfo("exercises/sync/link.h")
            link.external_attr = (0o120777 << 16)
            z.writestr(link, "/etc/passwd")
            z.writestr("README.md", b"ignored")
        sub = submission.read(path, WANTED)
        self.assertEqual(sub.kind, "zip")
        self.assertEqual(sub.files, {"exercises/sync/counter.h": H,
                                     "exercises/sync/counter.cc": CC})
        notes = "\n".join(sub.notes)
        self.assertIn("'..'", notes)
        self.assertIn("absolute path", notes)
        self.assertIn("exercises/sync/link.h: a symbolic link, refused", notes)

    def test_zip_symlink_on_a_whitelisted_name_is_not_followed(self):
        path = self.dir / "dan.zip"
        with zipfile.ZipFile(path, "w") as z:
            link = zipfile.ZipInfo("exercises/sync/counter.cc")
            link.external_attr = (0o120777 << 16)
            z.writestr(link, "../../solutions/sync/counter.cc")
        sub = submission.read(path, WANTED)
        self.assertEqual(sub.files, {})
        self.assertIn("symbolic link", sub.notes[0])

    def test_oversized_zip_entry(self):
        path = self.dir / "erin.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("exercises/sync/counter.cc", b"\0" * (submission.MAX_FILE_BYTES + 10))
        sub = submission.read(path, WANTED)
        self.assertEqual(sub.files, {})
        self.assertIn("over the limit", sub.notes[0])

    def test_corrupt_archive_is_an_error_not_a_crash(self):
        path = self.dir / "frank.tar.gz"
        path.write_bytes(b"not a tarball at all")
        sub = submission.read(path, WANTED)
        self.assertTrue(sub.error)
        path = self.dir / "gina.zip"
        path.write_bytes(b"PK\x03\x04 broken")
        self.assertTrue(submission.read(path, WANTED).error)

    def test_unknown_file_type(self):
        path = self.dir / "hal.rar"
        path.write_bytes(b"x")
        self.assertIn("not a directory", submission.read(path, WANTED).error)


class Directories(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_directory_takes_only_whitelisted_regular_files(self):
        root = self.dir / "ivan"
        (root / "exercises/sync").mkdir(parents=True)
        (root / "exercises/sync/counter.h").write_bytes(H)
        secret = self.dir / "secret.cc"
        secret.write_bytes(b"secret")
        os.symlink(secret, root / "exercises/sync/counter.cc")
        (root / "exercises/sync/BUILD").write_text("cc_library()")
        sub = submission.read(root, WANTED)
        self.assertEqual(sub.kind, "directory")
        self.assertEqual(sub.files, {"exercises/sync/counter.h": H})
        self.assertIn("symbolic link", sub.notes[0])

    def test_symlinked_directory_is_not_followed(self):
        root = self.dir / "judy"
        (root / "exercises").mkdir(parents=True)
        elsewhere = self.dir / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "counter.cc").write_bytes(CC)
        os.symlink(elsewhere, root / "exercises/sync")
        sub = submission.read(root, WANTED)
        self.assertEqual(sub.files, {})

    def test_directory_with_one_top_folder(self):
        root = self.dir / "kim"
        (root / "kim-katas/exercises/sync").mkdir(parents=True)
        (root / "kim-katas/exercises/sync/counter.cc").write_bytes(CC)
        sub = submission.read(root, WANTED)
        self.assertEqual(sub.files, {"exercises/sync/counter.cc": CC})

    def test_git_repository_gives_head_not_the_working_tree(self):
        root = self.dir / "leo"
        (root / "exercises/sync").mkdir(parents=True)
        (root / "exercises/sync/counter.cc").write_bytes(CC)
        (root / "exercises/sync/counter.h").write_bytes(H)
        git = ["git", "-C", str(root), "-c", "user.name=l", "-c", "user.email=l@x"]
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "x"], check=True)
        os.remove(root / "exercises/sync/counter.h")
        os.symlink("/etc/passwd", root / "exercises/sync/counter.h")
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-qm", "link"], check=True)
        (root / "exercises/sync/counter.cc").write_bytes(b"// not committed\n")
        sub = submission.read(root, WANTED)
        self.assertEqual(sub.kind, "git")
        self.assertEqual(sub.files, {"exercises/sync/counter.cc": CC})
        self.assertIn("symbolic link", " ".join(sub.notes))

    def test_missing_submission(self):
        self.assertIn("no such", submission.read(self.dir / "nobody", WANTED).error)


if __name__ == "__main__":
    unittest.main()
