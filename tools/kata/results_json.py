"""results.json in the shape of Exercism's test runner (version 2): status pass / fail /
error, and per test its name, status, message and output (at most 500 characters)."""

import json
import re

import verdicts as v


def build(outcome):
    if outcome.verdict == "BUILD_ERROR":
        message = "the code does not compile"
        if outcome.compiler_error:
            file, line, text = outcome.compiler_error
            message = f"{file}:{line}: error: {text}"
        return {"version": 2, "status": "error", "message": message, "tests": []}
    text = v.read(outcome.log)
    failed = {f.test: f for f in outcome.failures}
    tests = []
    for name in re.findall(r"^\[ RUN      \] (\S+)", text, re.M):
        failure = failed.get(name)
        if failure is None and re.search(rf"^\[       OK \] {re.escape(name)} ", text, re.M):
            tests.append({"name": name, "status": "pass"})
            continue
        failure = failure or v.Verdict(outcome.verdict, name, "the grader stopped in this test")
        block = re.search(rf"^\[ RUN      \] {re.escape(name)}$(.*?)(?=^\[ RUN      \]|\Z)",
                          text, re.M | re.S)
        tests.append({
            "name": name,
            "status": "error" if failure.cls in ("NOT_STARTED", "CRASH") else "fail",
            "message": f"{failure.cls}: {failure.detail}",
            "output": v.excerpt(block.group(1) if block else "", 500),
        })
    # A failing run whose tests all passed: its verdicts belong to no test that ran (a leak
    # LeakSanitizer found at exit). They become entries of their own.
    ran = {t["name"] for t in tests}
    all_passed = all(t["status"] == "pass" for t in tests)
    for failure in outcome.failures if outcome.verdict != "PASS" else []:
        if all_passed and failure.test not in ran:
            ran.add(failure.test)
            tests.append({"name": failure.test, "status": "fail",
                          "message": f"{failure.cls}: {failure.detail}", "output": ""})
    status = "pass" if outcome.verdict == "PASS" else "fail"
    return {"version": 2, "status": status, "tests": tests}


def write(path, outcome):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(build(outcome), indent=2) + "\n")
