#!/usr/bin/env python3
"""Turns the reference solutions' benchmarks into the figures of docs/models.md.

  tools/plot_benchmarks.py --run      run every kata benchmark on the reference solution
                                      (optimised, no sanitizer) into docs/bench/<track>-<kata>.json
  tools/plot_benchmarks.py            redraw docs/bench.svg and the tables of docs/models.md
                                      from those files

A benchmark named `Family/arg...` (Google Benchmark's convention) becomes one bar per family in
the group of its first argument (1, 2, 4 workers...). The value drawn is, in order of
preference, a "speedup" counter, items per second, or the wall time per iteration. The tables
go between the markers `<!-- bench:begin -->` and `<!-- bench:end -->` of docs/models.md, so
the page always shows the figures the plot was drawn from. No third-party Python: the SVG is
written by hand.
"""

import argparse
import html
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "kata"))

import bazel  # noqa: E402  (after the path is set)
import catalog  # noqa: E402

BENCH_DIR = ROOT / "docs" / "bench"
PAGE = ROOT / "docs" / "models.md"
SVG = ROOT / "docs" / "bench.svg"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"]
_UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_benchmarks():
    """Runs each kata's benchmark on the reference solution; returns the files written."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for kata in catalog.all_katas():
        if not kata.bench:
            continue
        out = BENCH_DIR / f"{kata.track}-{kata.name}.json"
        label = f"//solutions/{kata.track}:{kata.name}_bench"
        print(f"running {label} ...", flush=True)
        proc = subprocess.run(
            [bazel.bazel_binary(), "run", "--config=bench",
             "--color=no", "--curses=no", label, "--",
             f"--benchmark_out={out}", "--benchmark_out_format=json"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0 or not out.exists():
            print(proc.stdout[-3000:])
            raise SystemExit(f"{label} failed")
        written.append(out)
    return written


def _value(b):
    """(value, what it is, higher is better) of one benchmark entry."""
    if "speedup" in b:
        return b["speedup"], "speed-up over sequential (x)", True
    if "items_per_second" in b:
        return b["items_per_second"] / 1e6, "million items per second", True
    if "bytes_per_second" in b:
        return b["bytes_per_second"] / 2**20, "MiB per second", True
    ns = b["real_time"] * _UNIT_NS.get(b.get("time_unit", "ns"), 1)
    return ns / 1e6, "ms per iteration (lower is better)", False


def read(path):
    """{title, measure, higher_better, groups: [arg], families: [name], values: {(f, g): v},
    rows: [(name, value text)]} of one Google Benchmark JSON file."""
    data = json.loads(path.read_text())
    entries = [b for b in data.get("benchmarks", [])
               if b.get("run_type") != "aggregate" or b.get("aggregate_name") == "mean"]
    seen, families, groups, values, rows = set(), [], [], {}, []
    measure, higher = "", True
    for b in entries:
        name = b.get("run_name", b["name"])
        if name in seen:
            continue
        seen.add(name)
        parts = [p for p in name.split("/") if not p.startswith(("real_time", "process_time",
                                                                 "min_time", "iterations"))]
        family = parts[0].removeprefix("BM_")
        group = parts[1] if len(parts) > 1 else ""
        value, measure, higher = _value(b)
        if family not in families:
            families.append(family)
        if group not in groups:
            groups.append(group)
        values[(family, group)] = value
        ms = b["real_time"] * _UNIT_NS.get(b.get("time_unit", "ns"), 1) / 1e6
        extra = "".join(f", {k} {b[k]:.3g}" for k in ("speedup",) if k in b)
        rows.append((name, f"{ms:.3g} ms{extra}"))
    context = data.get("context", {})
    machine = f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz"
    return dict(title=path.stem.replace("-", "/", 1), measure=measure, higher_better=higher,
                groups=groups, families=families, values=values, rows=rows, machine=machine,
                date=context.get("date", ""))


def markdown(panels):
    out = []
    for p in panels:
        out.append(f"### `{p['title']}`\n")
        out.append(f"Measured {p['date'][:10]} on {p['machine']}; "
                   f"`./kata bench {p['title']}` runs it on yours.\n")
        out.append("| benchmark | wall time per iteration |")
        out.append("|---|---|")
        out += [f"| `{name}` | {text} |" for name, text in p["rows"]]
        out.append("")
    return "\n".join(out)


def svg(panels):
    """Grouped bar charts, one panel per benchmark file, stacked vertically."""
    width, panel_h, top, left = 760, 260, 40, 70
    parts = []
    y0 = 0
    for p in panels:
        chart_w, chart_h = width - left - 170, panel_h - top - 50
        vmax = max(p["values"].values(), default=1) or 1
        parts.append(f'<text x="{width / 2}" y="{y0 + 22}" text-anchor="middle" '
                     f'font-size="15" font-weight="bold">{html.escape(p["title"])}: '
                     f'{html.escape(p["measure"])}</text>')
        base = y0 + top + chart_h
        parts.append(f'<line x1="{left}" y1="{base}" x2="{left + chart_w}" y2="{base}" '
                     f'stroke="#333"/>')
        for i in range(5):
            v = vmax * i / 4
            y = base - chart_h * i / 4
            parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" '
                         f'font-size="11">{v:.3g}</text>')
            parts.append(f'<line x1="{left}" y1="{y}" x2="{left + chart_w}" y2="{y}" '
                         f'stroke="#ddd"/>')
        groups, families = p["groups"], p["families"]
        group_w = chart_w / max(1, len(groups))
        bar_w = group_w * 0.8 / max(1, len(families))
        for gi, group in enumerate(groups):
            gx = left + gi * group_w + group_w * 0.1
            for fi, family in enumerate(families):
                v = p["values"].get((family, group))
                if v is None:
                    continue
                h = chart_h * v / vmax
                parts.append(f'<rect x="{gx + fi * bar_w:.1f}" y="{base - h:.1f}" '
                             f'width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                             f'fill="{COLOURS[fi % len(COLOURS)]}"><title>{html.escape(family)}'
                             f' {html.escape(group)}: {v:.3g}</title></rect>')
            label = (f"{group} worker" + ("" if group == "1" else "s")) if group.isdigit() else group
            parts.append(f'<text x="{left + gi * group_w + group_w / 2}" y="{base + 18}" '
                         f'text-anchor="middle" font-size="12">{html.escape(label)}</text>')
        for fi, family in enumerate(families):
            y = y0 + top + 16 * fi
            parts.append(f'<rect x="{left + chart_w + 16}" y="{y}" width="12" height="12" '
                         f'fill="{COLOURS[fi % len(COLOURS)]}"/>')
            parts.append(f'<text x="{left + chart_w + 34}" y="{y + 10}" font-size="12">'
                         f'{html.escape(family)}</text>')
        y0 += panel_h
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y0}" '
            f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>'
            + "".join(parts) + "</svg>\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true",
                        help="run the benchmarks first (bazel run --config=bench)")
    args = parser.parse_args(argv)
    if args.run:
        run_benchmarks()
    files = sorted(BENCH_DIR.glob("*.json"))
    if not files:
        raise SystemExit(f"no benchmark results in {BENCH_DIR}; run with --run first")
    panels = [read(f) for f in files]
    SVG.write_text(svg(panels))
    page = PAGE.read_text()
    if BEGIN not in page or END not in page:
        raise SystemExit(f"{PAGE} has no {BEGIN} ... {END} block")
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    PAGE.write_text(head + BEGIN + "\n" + markdown(panels) + END + tail)
    print(f"wrote {SVG.relative_to(ROOT)} and the tables of {PAGE.relative_to(ROOT)} "
          f"from {len(files)} benchmark files")


if __name__ == "__main__":
    main(sys.argv[1:])
