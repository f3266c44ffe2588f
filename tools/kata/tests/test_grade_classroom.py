"""The GitHub Classroom workflow template is generated from the metadata and committed: it
must be up to date, with one command-grader step per kata carrying the kata's points."""

import importlib.util
import re
import unittest

import catalog
from catalog import ROOT

GENERATOR = ROOT / "tools" / "classroom" / "generate.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("classroom_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ClassroomTemplate(unittest.TestCase):
    def test_committed_template_is_up_to_date(self):
        generate = load_generator()
        committed = generate.TEMPLATE.read_text() if generate.TEMPLATE.exists() else ""
        self.assertEqual(committed, generate.render(),
                         "tools/classroom/classroom.yml is out of date with the katas' "
                         "metadata: run tools/classroom/generate.py")

    def test_one_step_per_kata_with_its_points(self):
        text = load_generator().render()
        katas = catalog.all_katas()
        steps = re.findall(r"command: \"\./kata check (\S+)\"\n\s+timeout: (\d+)\n"
                           r"\s+max-score: (\S+)", text)
        self.assertEqual([s[0] for s in steps], [k.id for k in katas])
        for (kata_id, timeout, score), kata in zip(steps, katas):
            self.assertEqual(float(score), float(kata.points), kata_id)
            self.assertGreater(int(timeout), 0)
        self.assertEqual(text.count("uses: classroom-resources/autograding-command-grader@v1"),
                         len(katas))
        runners = re.search(r"runners: (\S+)", text).group(1).split(",")
        self.assertEqual(len(runners), len(katas))
        for runner in runners:
            self.assertIn(f"{runner.upper()}_RESULTS: \"${{{{steps.{runner}.outputs.result}}}}\"",
                          text)

    def test_yaml_parses_when_pyyaml_is_there(self):
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed (the other tests check the text)")
        data = yaml.safe_load(load_generator().render())
        steps = data["jobs"]["run-autograding-tests"]["steps"]
        graders = [s for s in steps if s.get("uses", "").startswith(
            "classroom-resources/autograding-command-grader")]
        self.assertEqual(len(graders), len(catalog.all_katas()))
        for step in graders:
            self.assertEqual(set(step["with"]), {"test-name", "setup-command", "command",
                                                 "timeout", "max-score"})


if __name__ == "__main__":
    unittest.main()
