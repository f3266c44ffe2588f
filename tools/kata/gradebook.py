"""What `./kata grade` writes: the gradebook (CSV), the report (HTML), JUnit XML and one
Exercism-shaped results.json per learner and kata. Plain data in, files out: no Bazel here."""

import csv
import dataclasses
import datetime
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import verdicts as v

# Verdicts of a whole submission, beside the graders' own (verdicts.EXPLANATIONS).
EXTRA_EXPLANATIONS = {
    "REJECTED": "the submission could not be read safely, so nothing of it was graded",
    "ERROR": "the grading itself failed (Bazel or the machine), not the learner's code: "
             "grade this submission again",
}


def explanation(verdict):
    return v.EXPLANATIONS.get(verdict) or EXTRA_EXPLANATIONS.get(verdict, "")


@dataclasses.dataclass
class KataGrade:
    kata_id: str
    verdict: str
    points: float                # earned
    max_points: float
    failures: list = dataclasses.field(default_factory=list)    # verdicts.Verdict
    compiler_error: tuple = None                                # (file, line, message)
    learner_lines: list = dataclasses.field(default_factory=list)
    excerpt: str = ""            # the relevant part of the log
    log: str = ""                # path of the kept log, relative to the output directory
    seconds: float = 0.0
    results: dict = dataclasses.field(default_factory=dict)     # results.json

    @property
    def explanation(self):
        return explanation(self.verdict)

    def headline(self):
        """One line: what went wrong first, in the learner's terms."""
        if self.verdict == "BUILD_ERROR" and self.compiler_error:
            file, line, message = self.compiler_error
            return f"{file}:{line}: error: {message}"
        for failure in self.failures:
            if failure.cls == self.verdict:
                return f"{failure.test}: {failure.detail}"
        return ""


@dataclasses.dataclass
class LearnerGrade:
    name: str
    source: str = ""
    kind: str = ""
    notes: list = dataclasses.field(default_factory=list)
    error: str = ""
    katas: dict = dataclasses.field(default_factory=dict)       # kata id -> KataGrade
    seconds: float = 0.0

    @property
    def total(self):
        return sum(k.points for k in self.katas.values())


def _number(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# CSV --------------------------------------------------------------------------------------

def write_csv(path, kata_ids, learners, max_points):
    """One row per learner: for each kata its points and its verdict, then the total."""
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        header = ["learner"]
        for kata_id in kata_ids:
            header += [f"{kata_id} points", f"{kata_id} verdict"]
        header += ["total", "max", "notes"]
        out.writerow(header)
        for learner in learners:
            row = [learner.name]
            for kata_id in kata_ids:
                grade = learner.katas.get(kata_id)
                row += [_number(grade.points) if grade else "0", grade.verdict if grade else ""]
            notes = ([learner.error] if learner.error else []) + learner.notes
            row += [_number(learner.total), _number(max_points), "; ".join(notes)]
            out.writerow(row)


# JUnit XML --------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text):
    return _XML_BAD.sub("?", text or "")


def write_junit(path, kata_ids, learners):
    """One testsuite per learner, one testcase per kata."""
    root = ET.Element("testsuites", name="kata grade")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for learner in learners:
        suite = ET.SubElement(root, "testsuite", name=learner.name)
        counts = {"tests": 0, "failures": 0, "errors": 0}
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="source", value=_xml_text(learner.source))
        ET.SubElement(props, "property", name="points", value=_number(learner.total))
        for note in ([learner.error] if learner.error else []) + learner.notes:
            ET.SubElement(props, "property", name="note", value=_xml_text(note))
        for kata_id in kata_ids:
            grade = learner.katas.get(kata_id)
            if grade is None:
                continue
            counts["tests"] += 1
            case = ET.SubElement(suite, "testcase", classname=learner.name, name=kata_id,
                                 time=f"{grade.seconds:.3f}")
            if grade.verdict == "PASS":
                continue
            kind = "error" if grade.verdict in ("BUILD_ERROR", "REJECTED", "ERROR") else "failure"
            counts["errors" if kind == "error" else "failures"] += 1
            message = f"{grade.verdict}: {grade.explanation}"
            headline = grade.headline()
            if headline:
                message += f" ({headline})"
            element = ET.SubElement(case, kind, type=grade.verdict, message=_xml_text(message))
            element.text = _xml_text(grade.excerpt)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{learner.seconds:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# results.json -----------------------------------------------------------------------------

def write_results(path, results):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")


def error_results(message):
    """results.json of a kata that could not be graded (Exercism's status "error")."""
    return {"version": 2, "status": "error", "message": message, "tests": []}


# HTML -------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430;
       margin: 0; background: #f5f6f8; }
main { max-width: 1280px; margin: 0 auto; padding: 24px; }
.scroll { overflow-x: auto; }
table.summary th, table.summary td { padding: 5px 6px; font-size: 14px; }
table.summary th small { color: #5b6574; font-weight: 400; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0; }
.meta { color: #5b6574; margin-bottom: 20px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid #dde1e7; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chip { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px;
        font-weight: 600; letter-spacing: .02em; white-space: nowrap; }
.PASS { background: #d8f3df; color: #11602a; }
.NOT_STARTED { background: #e7e9ee; color: #4a5361; }
.BUILD_ERROR, .REJECTED, .ERROR { background: #fde7c8; color: #7a4100; }
.bad { background: #fbdada; color: #8c1616; }
section.learner { background: #fff; border: 1px solid #dde1e7; border-radius: 8px;
                  margin: 22px 0; padding: 16px 18px; }
.learner header { display: flex; justify-content: space-between; align-items: baseline; }
.score { font-size: 18px; font-weight: 600; }
.notes { background: #fff6e0; border-left: 4px solid #e0a100; padding: 6px 10px; margin: 10px 0;
         font-size: 14px; }
.notes ul { margin: 4px 0 0 18px; padding: 0; }
.kata { border-top: 1px solid #eceef2; padding: 10px 0 6px; }
.kata .title { display: flex; gap: 10px; align-items: baseline; }
.kata .why { color: #4a5361; margin: 2px 0; }
.kata .first { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px;
               margin: 4px 0; word-break: break-word; }
.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; margin: 4px 0 0; }
.code div { margin: 1px 0; }
pre { background: #1f2430; color: #e6e6e6; padding: 10px; border-radius: 6px; overflow-x: auto;
      font-size: 12.5px; line-height: 1.35; max-height: 420px; white-space: pre-wrap;
      word-break: break-word; }
details summary { cursor: pointer; color: #34508a; font-size: 14px; margin-top: 4px; }
a { color: #34508a; }
"""


def _chip(verdict):
    good = verdict in ("PASS", "NOT_STARTED", "BUILD_ERROR", "REJECTED", "ERROR")
    cls = verdict if good else f"{verdict} bad"
    return f'<span class="chip {html.escape(cls)}">{html.escape(verdict)}</span>'


def _anchor(name):
    return "l-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def write_html(path, kata_ids, learners, max_points, info):
    """A self-contained page: a summary table, then per learner and kata the verdict, its
    one-line explanation and the relevant excerpt of the log."""
    e = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>Kata grades</title><style>{_CSS}</style></head><body><main>"]
    parts.append("<h1>Kata grades</h1>")
    meta = [f"{len(learners)} submission{'s' if len(learners) != 1 else ''}",
            f"{len(kata_ids)} kata{'s' if len(kata_ids) != 1 else ''}",
            f"level {e(info.get('level', ''))}",
            f"graded {e(info.get('date', datetime.datetime.now().strftime('%Y-%m-%d %H:%M')))}"]
    if info.get("seconds") is not None:
        meta.append(f"in {info['seconds']:.0f} s")
    parts.append(f"<div class=\"meta\">{' · '.join(meta)}</div>")

    # Summary table.
    parts.append("<div class=\"scroll\"><table class=\"summary\"><thead><tr><th>learner</th>")
    for kata_id in kata_ids:
        track, _, name = kata_id.partition("/")
        parts.append(f"<th title=\"{e(kata_id)}\"><small>{e(track)}/</small><br>{e(name)}</th>")
    parts.append(f"<th>total<br><small>of {_number(max_points)}</small></th></tr></thead><tbody>")
    for learner in learners:
        parts.append(f"<tr><td><a href=\"#{_anchor(learner.name)}\">{e(learner.name)}</a></td>")
        for kata_id in kata_ids:
            grade = learner.katas.get(kata_id)
            parts.append(f"<td>{_chip(grade.verdict) if grade else ''}</td>")
        parts.append(f"<td class=\"num\">{_number(learner.total)}</td></tr>")
    parts.append("</tbody></table></div>")

    # One section per learner.
    for learner in learners:
        parts.append(f"<section class=\"learner\" id=\"{_anchor(learner.name)}\"><header>"
                     f"<h2>{e(learner.name)}</h2><span class=\"score\">"
                     f"{_number(learner.total)} / {_number(max_points)}</span></header>")
        parts.append(f"<div class=\"meta\">{e(learner.kind or 'submission')}: "
                     f"{e(learner.source)} · graded in {learner.seconds:.0f} s</div>")
        notes = ([learner.error] if learner.error else []) + learner.notes
        if notes:
            parts.append("<div class=\"notes\"><strong>About the submission</strong><ul>" +
                         "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul></div>")
        for kata_id in kata_ids:
            grade = learner.katas.get(kata_id)
            if grade is None:
                continue
            parts.append("<div class=\"kata\"><div class=\"title\">"
                         f"{_chip(grade.verdict)}<strong>{e(kata_id)}</strong>"
                         f"<span>{_number(grade.points)} / {_number(grade.max_points)} "
                         f"point{'s' if grade.max_points != 1 else ''}</span></div>")
            parts.append(f"<div class=\"why\">{e(grade.explanation)}</div>")
            headline = grade.headline()
            if headline and grade.verdict != "PASS":
                parts.append(f"<div class=\"first\">{e(headline)}</div>")
            if grade.learner_lines:
                parts.append("<div class=\"code\">" + "".join(
                    f"<div>{e(what)}: {e(function)} <strong>{e(where)}</strong>"
                    + (f"<br>&nbsp;&nbsp;&nbsp;&nbsp;| {e(code)}" if code else "") + "</div>"
                    for what, function, where, code in grade.learner_lines) + "</div>")
            if grade.excerpt and grade.verdict not in ("PASS",):
                parts.append(f"<details{' open' if grade.verdict != 'NOT_STARTED' else ''}>"
                             f"<summary>log excerpt</summary><pre>{e(grade.excerpt)}</pre>"
                             f"</details>")
            if grade.log:
                parts.append(f"<div class=\"meta\"><a href=\"{e(grade.log)}\">full log</a>"
                             f" · {grade.seconds:.1f} s</div>")
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</main></body></html>\n")
    Path(path).write_text("".join(parts))


# Log excerpts -----------------------------------------------------------------------------

def log_excerpt(text, verdict, failures, limit_lines=60, limit_chars=6000):
    """The part of a grader's log that shows the failure: the block of the first test with the
    kata's verdict (from its [ RUN ] line to the next one), else the log's end."""
    lines = text.splitlines()
    lines = [l for l in lines if "linux-sandbox" not in l]
    chosen = None
    for failure in failures:
        if failure.cls != verdict:
            continue
        start = next((i for i, l in enumerate(lines)
                      if l.startswith("[ RUN      ] ") and l[13:].strip() == failure.test), None)
        if start is not None:
            end = next((i for i in range(start + 1, len(lines))
                        if lines[i].startswith("[ RUN      ] ")), len(lines))
            chosen = lines[start:end]
        break
    if chosen is None:
        verdict_at = next((i for i, l in enumerate(lines) if l.startswith("KATA-VERDICT:")), None)
        if verdict_at is not None:
            chosen = lines[max(0, verdict_at - limit_lines // 2):verdict_at + limit_lines // 2]
        else:
            chosen = lines[-limit_lines:]
    if len(chosen) > limit_lines:
        chosen = chosen[:limit_lines - 10] + [f"... ({len(chosen) - limit_lines + 1} lines)"] + \
            chosen[-9:]
    text = "\n".join(chosen).strip()
    return text if len(text) <= limit_chars else text[:limit_chars] + "\n..."


def build_excerpt(build_output, prefer=(), limit_lines=40):
    """The compiler's first errors (and their context), preferring the kata's own files."""
    lines = [l for l in build_output.splitlines() if l.strip()]
    first = next((i for i, l in enumerate(lines)
                  if ": error:" in l and any(p in l for p in prefer)), None)
    if first is None:
        first = next((i for i, l in enumerate(lines) if "error" in l.lower()), 0)
    return "\n".join(lines[first:first + limit_lines])
