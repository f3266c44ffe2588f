"""./kata ide: compile_commands.json entries from Bazel's compile actions."""

import unittest
from pathlib import Path

import ide

ARGS = ["/usr/bin/clang", "-MD", "-MF", "out.d", "-iquote", ".", "-Ibazel-out/inc", "-c"]


def aquery(*actions):
    labels = sorted({label for label, _ in actions})
    return {"targets": [{"id": i + 1, "label": l} for i, l in enumerate(labels)],
            "actions": [{"targetId": labels.index(label) + 1, "arguments": ARGS + [source]}
                        for label, source in actions]}


class IdeTest(unittest.TestCase):
    def test_a_shared_grader_keeps_the_exercise_command(self):
        found = ide.entries(aquery(("//solutions/sync:counter_test", "graders/sync/g.cc"),
                                   ("//graders/sync:counter_mutant_x_test", "graders/sync/g.cc"),
                                   ("//exercises/sync:counter_test", "graders/sync/g.cc"),
                                   ("//exercises/sync:counter", "exercises/sync/counter.cc")),
                            "/exec/root", Path("/work/repo"))
        self.assertEqual(len(found), 2)
        grader = next(e for e in found if e["file"].endswith("g.cc"))
        self.assertEqual(grader["file"], "/work/repo/graders/sync/g.cc")
        self.assertEqual(grader["directory"], "/exec/root")

    def test_arguments_name_the_source_by_its_repository_path_and_write_no_dep_files(self):
        [entry] = ide.entries(aquery(("//exercises/sync:counter", "exercises/sync/counter.cc")),
                              "/exec/root", Path("/work/repo"))
        self.assertEqual(entry["arguments"],
                         ["/usr/bin/clang", "-iquote", ".", "-Ibazel-out/inc", "-c",
                          "/work/repo/exercises/sync/counter.cc"])

    def test_generated_sources_are_left_out(self):
        found = ide.entries(aquery(("//graders/sync:counter_mutant_x",
                                    "bazel-out/k8-fastbuild/bin/graders/sync/mutants/counter/x/counter.cc")),
                            "/exec/root", Path("/work/repo"))
        self.assertEqual(found, [])


if __name__ == "__main__":
    unittest.main()
