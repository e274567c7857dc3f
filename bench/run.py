#!/usr/bin/env python3
"""Benchmark the whole scoring pipeline against its floors and against the spreadsheet it replaces.

    python bench/run.py                           # N = 11, 168, 3321, 10600 (generated years)
    python bench/run.py --communes 3321           # one size
    python bench/run.py --communes 11 --bundled   # the bundled example's criteria set
    python bench/run.py --cliff                   # also: the whole score around every size threshold

For each N a synthetic year is generated (bench/generate.py: ~100 leaves, every rule kind,
evidence, a tenth of it with a scan file to find on disk, not-applicable claims, multi-line
explanations, appraisals, survey tallies; kept and reused under --keep) and measured three ways.

1. The pipeline phase by phase, in a fresh process (wall seconds, CPU-seconds of the process
   and of its finished worker processes, peak RSS):

     load      read + validate every input (scoring.load.load_inputs)
     score     the scoring core on loaded inputs (scoring.engine.score)
     json, workbook, decision   the three outputs, written as cli.py score writes them
               (scoring.writers.outputs.write_outputs: one step, so one CPU figure)

   beside the floors measured in the same run: json, msgspec and orjson (when installed)
   parsing every input file and dumping the finished results document; json parsing the
   whole results.json; bare xlsxwriter writing as many cells as the workbook holds.
   Load, score and the parse floors are the fastest of 3 runs; inputs are read once first
   (page cache).

2. The commands as a person runs them, each a process of its own: ``validate``, ``score``
   (whole), ``decision`` from the results.json score wrote, ``appraisal-form`` for every
   commune; wall, CPU-seconds of the process and every process it waited for (wait4), the
   peak RSS of its largest process and the peak of the whole process tree (proportional set
   size, sampled every 0.25 s); ``validate`` five times, each between two runs of a bare
   process json.loads-ing the inputs (the floor of validate's target): the run with the
   median ratio is reported, and every run's ratio printed.

3. The status-quo anchor (bench/anchor.py, when LibreOffice is installed; --no-anchor skips
   it): the same year as the formula workbook an office builds by hand (one row per commune,
   one typed-in number per leaf, formulas for the areas, the total, the index, the rank and
   the band), opened and fully recalculated by LibreOffice headless (a profile of its own
   with "always recalculate on load"), its values checked against the engine's.

Issue 19's targets, printed with met / NOT met after each size (wall on a shared machine
depends on the neighbours: the load average is printed before and after, and the targets
are judged on CPU-seconds where the issue allows):

- the whole ``score`` at 3,321 communes: at most 10 s wall on an idle machine and at most
  12 CPU-seconds (all processes), three outputs complete;
- linear: CPU-seconds per commune at 10,600 at most 1.1× those at 3,321 (both run);
- no cliff: the whole score's CPU-seconds never fall when communes rise within an output
  layout (the sizes run, and --cliff: N-1, N, N+1 around every size threshold of scoring/,
  in each layout, ``score --layout district|province|national``, and as chosen by
  default); the default's falls where it changes layout (31 and 201 communes: outputs
  leave a sheet out there) are printed as such, any other fall is a cliff;
- ``decision`` from the national results.json at 3,321: at most 1 CPU-second (wall printed)
  and 300 MB;
- ``validate`` at 3,321: at most 2× the CPU-seconds of a bare process json.loads-ing the
  same files (the median of five alternated runs: one pair varies by ±5 %);
- the peak memory of every command at 10,600 under 1.5 GB;
- the whole ``score`` against the anchor: faster than LibreOffice recalculating the
  office's workbook (the ratio is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import TreeMemory, run_command  # noqa: E402

SIZES = (11, 168, 3321, 10600)
REPEAT = 3  # load, score and the parse floor: the fastest of 3 runs (the outputs run once)
NATIONAL = 3321  # the size issue 19's targets name
LARGEST = 10600  # the size of the memory and linearity targets
# the size thresholds of the code (module, name, what changes there), read where they live so a
# changed value moves the cliff check with it; a name not found is reported
THRESHOLDS = (
    ("scoring.writers.workbook", "PER_COMMUNE_SHEETS_MAX", "one sheet per commune up to here"),
    ("scoring.writers.workbook", "CHART_ALL_COMMUNES_MAX", "the chart shows every commune up to here"),
    ("scoring.quick", "PARALLEL_FROM", "forked workers read the submissions from here"),
    ("scoring.writers.results_json", "INDENT_UP_TO", "results.json indented up to here"),
    ("scoring.writers.workbook", "DETAIL_SHEET_MAX_COMMUNES", "the per-leaf sheet, one process, up to here"),
)
CLIFF_MARGIN = 0.05  # a fall of CPU-seconds within 5 % is noise on a shared machine, not a cliff
# nor one within 0.05 CPU-s: a process's own start varies by that much (the same score at 29
# communes, by default and as --layout district, same bytes: 0.71 and 0.73 CPU-s, fewest of 3)
CLIFF_FLOOR = 0.05


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU-seconds so far of this process and of its finished child processes (user + system):
    on a shared machine wall time depends on the neighbours, CPU time much less (issue 19)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _optional(name: str):
    """A module when installed (the bench reports its floor), else None."""
    try:
        return __import__(name)
    except ImportError:
        return None


def _count_rows(xlsx: Path) -> dict:
    """The last row of each sheet of a workbook (Excel stops at 1,048,576), by sheet name."""
    rows = {}
    with zipfile.ZipFile(xlsx) as package:
        names = re.findall(rb'<sheet name="([^"]*)" sheetId="\d+" r:id="rId(\d+)"', package.read("xl/workbook.xml"))
        for name, number in names:
            found = re.findall(rb'<row r="(\d+)"', package.read(f"xl/worksheets/sheet{int(number)}.xml"))
            rows[name.decode("utf-8")] = int(found[-1]) if found else 0
    return rows


def _count_cells(xlsx: Path) -> int:
    """Cells actually written in a workbook (counted in its sheet XML)."""
    count = 0
    with zipfile.ZipFile(xlsx) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/sheet"):
                count += len(re.findall(rb"<c ", package.read(name)))
    return count


class _CpuMarks(dict):
    """The ``timings`` write_outputs fills (output -> wall seconds), also noting this process's
    CPU-seconds and its reaped children's at each entry: an output's CPU-seconds are those
    since the previous output finished (or since ``start``). write_outputs reports an output
    when it is finished, and a forked process's CPU counts once it is reaped (when its output
    is waited for), so on a national run the workbook's process gets its own CPU-seconds and
    results.json and the decision the main process's (with their workers')."""

    def start(self):
        self._last = _cpu()
        self.cpu = {}

    def __setitem__(self, name, seconds):
        now = _cpu()
        if hasattr(self, "_last"):
            self.cpu[name] = now - self._last
            self._last = now
        super().__setitem__(name, seconds)


def _inputs(year: Path) -> list[Path]:
    return [year / "criteria.json", year / "appraisal.json", year / "survey.json"] + sorted((year / "communes").glob("*.json"))


def measure(year: Path, out: Path) -> dict:
    """Run the pipeline on one generated year, in this process; return the figures.

    The outputs are written exactly as ``cli.py score`` writes them
    (scoring.writers.outputs.write_outputs), which reports each output's time when it can.
    """
    from scoring.engine import score
    from scoring.load import load_inputs
    from scoring.writers.outputs import write_outputs
    import xlsxwriter

    figures: dict = {}
    files = [path for path in _inputs(year) if path.exists()]
    # read every input once first: the pipeline and the parse floor then both read from the
    # page cache (otherwise whichever runs first pays for the disk)
    for path in files:
        path.read_bytes()

    def phase(name, work):
        started, cpu = time.perf_counter(), _cpu()
        result = work()
        figures[name] = {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "peak_mb": _peak_mb()}
        return result

    def again(name, work):
        """Time ``work`` REPEAT - 1 more times, after the measured run (so the memory figures
        stay those of one run); keep the fastest (noise on a shared machine only adds)."""
        for _ in range(REPEAT - 1):
            started, cpu = time.perf_counter(), _cpu()
            work()
            figures[name]["seconds"] = min(figures[name]["seconds"], time.perf_counter() - started)
            figures[name]["cpu"] = min(figures[name]["cpu"], _cpu() - cpu)

    def optional(name):
        path = year / name
        return path if path.exists() else None

    # the writer's keywords as they are today (another change may add or drop one)
    accepted = inspect.signature(write_outputs).parameters
    timings = _CpuMarks()
    extra = {"timings": timings} if "timings" in accepted else {}
    with TreeMemory() as sampler:
        def load():
            return load_inputs(year / "criteria.json", year / "communes", optional("appraisal.json"), optional("survey.json"))

        inputs = phase("load", load)
        results = phase("score", lambda: score(inputs))
        timings.start()
        phase("outputs", lambda: write_outputs(results, inputs.files, generated_at="2026-01-15T08:00:00+07:00",
                                              out=out, force=True, **extra))
    figures["run_peak_mb"] = sampler.peak_mb
    figures["workers_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["communes"] = len(inputs.submissions)
    figures["leaves"] = len(inputs.criteria.leaves)
    results = None  # the measured run's results and inputs go before the timing-only runs
    again("score", lambda: score(inputs))
    inputs = None
    again("load", load)
    for name in ("json", "workbook", "decision"):
        if name in timings:
            figures[name] = {"seconds": timings[name]}
            if name in timings.cpu:
                figures[name]["cpu"] = timings.cpu[name]

    def floor(name, work, repeat=REPEAT):
        """The fastest of ``repeat`` runs of ``work``: wall and CPU-seconds (this process)."""
        best = None
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            work()
            seen = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}
            best = seen if best is None else {k: min(best[k], seen[k]) for k in best}
        figures[name] = best

    import msgspec

    def parse_all(loads):
        for path in files:
            loads(path.read_bytes())

    floor("parse", lambda: parse_all(json.loads))
    floor("parse_msgspec", lambda: parse_all(msgspec.json.decode))
    orjson = _optional("orjson")
    if orjson is not None:
        floor("parse_orjson", lambda: parse_all(orjson.loads))
    # the floor of writing results.json: dumping the same (full) document, built beforehand,
    # as results.json's layout writes it (indented up to a size, compact above)
    try:
        from scoring.writers.results_json import json_layout
    except ImportError:  # moved or renamed by another change: compact, as national runs write
        def json_layout(document):
            return {"separators": (",", ":")}
    full = json.loads((out / "results.json").read_bytes())
    floor("dump", lambda: json.dumps(full, ensure_ascii=False, **json_layout(full)), repeat=1)
    floor("dump_msgspec", lambda: msgspec.json.encode(full), repeat=1)
    if orjson is not None:
        floor("dump_orjson", lambda: orjson.dumps(full), repeat=1)
    del full
    raw = (out / "results.json").read_bytes()
    floor("parse_results", lambda: json.loads(raw), repeat=1)  # the floor of reading results.json whole
    if orjson is not None:
        floor("parse_results_orjson", lambda: orjson.loads(raw), repeat=1)
    del raw
    cells = _count_cells(out / "ket-qua.xlsx")

    def bare_cells():
        workbook = xlsxwriter.Workbook(str(out / "floor.xlsx"), {"constant_memory": True})
        sheet = workbook.add_worksheet()
        for index in range(cells):
            row, column = divmod(index, 20)
            if column % 2:
                sheet.write_number(row, column, index / 100)
            else:
                sheet.write_string(row, column, "Đăk Hà")
        workbook.close()

    floor("cells", bare_cells, repeat=1)
    (out / "floor.xlsx").unlink()
    figures["cells"]["count"] = cells
    figures["results_rows"] = _count_rows(out / "ket-qua.xlsx")
    figures["input_mb"] = sum(p.stat().st_size for p in files) / 1e6
    figures["results_mb"] = (out / "results.json").stat().st_size / 1e6
    return figures


PARSE_FILES = """import json, pathlib, sys
year = pathlib.Path(sys.argv[1])
for path in [*sorted((year / "communes").glob("*.json")), *(year / name for name in ("criteria.json", "appraisal.json", "survey.json"))]:
    if path.exists():
        json.loads(path.read_bytes())
"""


def _attempt(args: list) -> dict:
    """run_command, a failure recorded (its message) instead of stopping the bench."""
    try:
        return run_command(args, interval=0.25)
    except RuntimeError as error:
        return {"error": str(error)[-600:]}


def _cli_commands() -> str:
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"], capture_output=True, text=True, cwd=ROOT).stdout


def score_command(year: Path, out: Path, layout: str | None = None) -> list:
    inputs = ["--criteria", str(year / "criteria.json"), "--submissions", str(year / "communes")]
    for name, option in (("appraisal.json", "--appraisal"), ("survey.json", "--survey")):
        if (year / name).exists():
            inputs += [option, str(year / name)]
    return [sys.executable, str(ROOT / "cli.py"), "score"] + inputs + ["--out", str(out), "--force",
                                                                      "--time", "2026-01-15T08:00:00"] \
        + (["--layout", layout] if layout else [])


def commands(year: Path, out: Path, form: bool = True) -> dict:
    """The commands as a person runs them, each in a process of its own (wall, CPU-seconds
    of it and its workers, peak RSS, peak of the process tree): validate, the whole score,
    decision from the results.json score wrote, appraisal-form for every commune."""
    cli = [sys.executable, str(ROOT / "cli.py")]
    inputs = score_command(year, out)[3:-5]
    # the parse floor as a process of its own just before and after validate: CPU-seconds on a
    # shared machine drift within minutes, a ratio needs both measured at the same time
    parse = [sys.executable, "-c", PARSE_FILES, str(year)]
    found = {"cmd_startup": _attempt([sys.executable, "-c", "import cli"])}
    found.update(validate_runs(lambda: _attempt(cli + ["validate"] + inputs), lambda: _attempt(parse)))
    found["cmd_score"] = _attempt(score_command(year, out))
    if (out / "results.json").exists():
        found["cmd_decision"] = _attempt(cli + ["decision", str(out / "results.json"), "--out", str(out / "qd.docx"), "--force"])
    if form and "appraisal-form" in _cli_commands():
        found["cmd_appraisal_form"] = _attempt(cli + ["appraisal-form"] + [a for a in inputs if a != "--survey"
                                                                          and not a.endswith("survey.json")]
                                               + ["--out", str(out / "phieu-tham-dinh.xlsx"), "--force"])
    return found


VALIDATE_RUNS = 5  # validate's runs, each between two runs of the bare json.loads process


def validate_runs(validate, parse, runs: int = VALIDATE_RUNS) -> dict:
    """``validate()`` ``runs`` times, alternating with ``parse()`` (a run of the parse floor
    before the first and after each): CPU-seconds on a shared machine drift by ±5 % from one
    run to the next, so one pair of runs may say 1.9× or 2.1× of the same code. The run with
    the median ratio (its CPU-seconds over the mean of the floor runs beside it) is reported
    as cmd_validate, those beside it as cmd_parse_before and cmd_parse_after; every run's
    ratio under validate_ratios."""
    floors, checks = [parse()], []
    for _ in range(runs):
        checks.append(validate())
        floors.append(parse())
    ratios = [validate_ratio({"cmd_validate": v, "cmd_parse_before": before, "cmd_parse_after": after})
              for v, before, after in zip(checks, floors, floors[1:])]
    judged = [index for index, ratio in enumerate(ratios) if ratio is not None]
    if len(judged) < len(ratios):  # a run failed: it is the one reported, with its error
        chosen = next(index for index, ratio in enumerate(ratios) if ratio is None)
    else:
        chosen = sorted(judged, key=ratios.__getitem__)[len(judged) // 2]
    return {"cmd_parse_before": floors[chosen], "cmd_validate": checks[chosen], "cmd_parse_after": floors[chosen + 1],
            "validate_ratios": ratios}


COMMANDS = (("cmd_validate", "cli.py validate"), ("cmd_score", "cli.py score (whole)"),
            ("cmd_decision", "cli.py decision results.json"), ("cmd_appraisal_form", "cli.py appraisal-form (all)"))


def _mark(ok) -> str:
    return "—" if ok is None else ("met" if ok else "NOT met")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def report(figures: dict) -> str:
    cores = os.cpu_count() or 1
    floor = {"load": "parse", "json": "dump", "workbook": "cells"}
    lines = [f"N = {figures['communes']} communes × {figures['leaves']} leaves "
             f"(inputs {figures['input_mb']:.1f} MB, results.json {figures['results_mb']:.1f} MB, "
             f"workbook {figures['cells']['count']:,} cells)"]
    lines.append(f"  load average (1, 5, 15 min) on {cores} cores: before {figures.get('load_before', '?')}; "
                 f"after {figures.get('load_after', '?')}")
    lines.append(f"  {'phase':<10}{'wall s':>9}{'CPU s':>8}{'peak MB':>9}  {'floor':<8}{'wall s':>9}{'CPU s':>8}{'ratio':>7}")
    for name in ("load", "score", "json", "workbook", "decision"):
        f = figures.get(name)
        if f is None:
            lines.append(f"  {name:<10}{'(not reported by write_outputs)':>40}")
            continue
        cpu = f"{f['cpu']:>8.2f}" if "cpu" in f else f"{'—':>8}"
        peak = f"{f['peak_mb']:>9.0f}" if "peak_mb" in f else f"{'':>9}"
        base = floor.get(name)
        row = f"  {name:<10}{f['seconds']:>9.3f}{cpu}{peak}"
        if base:
            b = figures[base]
            # the ratio on CPU-seconds where both have them, else on wall
            ratio = f["cpu"] / b["cpu"] if "cpu" in f and b.get("cpu") else f["seconds"] / b["seconds"]
            row += f"  {base:<8}{b['seconds']:>9.3f}{b.get('cpu', 0):>8.2f}{ratio:>7.2f}"
        lines.append(row)
    # the whole run as cli.py score does it: load, score, and the three outputs written as one step
    whole = sum(figures[name]["seconds"] for name in ("load", "score", "outputs"))
    whole_cpu = sum(figures[name]["cpu"] for name in ("load", "score", "outputs"))
    floors = [figures[name] for name in ("parse", "cells", "dump")]
    lines.append(f"  {'outputs':<10}{figures['outputs']['seconds']:>9.3f}{figures['outputs']['cpu']:>8.2f}"
                 f"{figures['outputs']['peak_mb']:>9.0f}  (results.json, workbook, decision as one step, all processes)")
    lines.append(f"  {'whole run':<10}{whole:>9.3f}{whole_cpu:>8.2f}{'':>9}  {'floors':<8}{sum(f['seconds'] for f in floors):>9.3f}"
                 f"{sum(f['cpu'] for f in floors):>8.2f}{whole_cpu / sum(f['cpu'] for f in floors):>7.2f}")
    extra = [(name, figures[name]) for name in ("parse", "parse_msgspec", "parse_orjson", "dump", "dump_msgspec", "dump_orjson",
                                                "parse_results", "parse_results_orjson", "cells") if name in figures]
    lines.append("  floors (wall / CPU s): " + "; ".join(f"{name} {f['seconds']:.3f}/{f['cpu']:.3f}" for name, f in extra)
                 + ("" if "parse_orjson" in figures else " (orjson not installed: pip install orjson to see its floors)"))
    rows = figures.get("results_rows") or {"": 0}
    longest = max(rows, key=rows.get)
    lines.append(f"  bare cells: {figures['cells']['count']:,}; longest sheet '{longest}' {rows[longest]:,} rows "
                 f"(Excel: 1,048,576), {len(rows)} sheets")
    for name, what in COMMANDS:
        if name not in figures:
            continue
        f = figures[name]
        if "error" in f:
            lines.append(f"  {what:<30} failed: {f['error'].strip().splitlines()[-1] if f['error'].strip() else '?'}")
            continue
        ratio = ""
        if name == "cmd_validate" and "cpu" in figures.get("cmd_startup", {}):
            work = f["cpu"] - figures["cmd_startup"]["cpu"]
            ratio = (f"\n  {'':<30}less starting Python and importing cli ({figures['cmd_startup']['cpu']:.2f} CPU s): "
                     f"{work:.2f} CPU s, {work / figures['parse']['cpu']:.2f}× json.loads of the inputs in one process")
            if "cpu" in figures.get("cmd_parse_before", {}) and "cpu" in figures.get("cmd_parse_after", {}):
                ratio += (f"\n  {'':<30}a bare process json.loads-ing the same files just before and after: "
                          f"{figures['cmd_parse_before']['cpu']:.2f} and {figures['cmd_parse_after']['cpu']:.2f} CPU s")
            runs = figures.get("validate_ratios") or []
            if len(runs) > 1:
                ratio += (f"\n  {'':<30}{len(runs)} runs, each between two of that process: "
                          + ", ".join("failed" if r is None else f"{r:.2f}×" for r in runs) + " (the median run shown)")
        lines.append(f"  {what:<30}{f['seconds']:>8.2f} s wall{f['cpu']:>8.2f} CPU s{f['peak_mb']:>7.0f} MB peak RSS"
                     f"{f.get('tree_mb', 0):>7.0f} MB process tree{ratio}")
    lines.append(f"  peak memory of the bench's pipeline: {figures['run_peak_mb']:.0f} MB (all its processes, shared pages "
                 f"once); RSS {figures['outputs']['peak_mb']:.0f} MB in the main process, "
                 f"{figures['workers_peak_mb']:.0f} MB in the largest worker process")
    if figures.get("anchor"):
        from bench.anchor import describe

        lines.append("  " + describe(figures["anchor"]))
    elif "anchor_error" in figures:
        lines.append(f"  status-quo anchor failed: {figures['anchor_error']}")
    lines.extend("  " + line for line in targets(figures))
    return "\n".join(lines)


def _ok(f: dict | None) -> bool:
    return bool(f) and "error" not in f


def validate_ratio(figures: dict) -> float | None:
    """validate's CPU-seconds over a bare process json.loads-ing the same files (the mean of the
    one just before and the one just after), whole processes both."""
    v, before, after = (figures.get(name) for name in ("cmd_validate", "cmd_parse_before", "cmd_parse_after"))
    if not (_ok(v) and _ok(before) and _ok(after)):
        return None
    return v["cpu"] / ((before["cpu"] + after["cpu"]) / 2)


def targets(figures: dict) -> list[str]:
    """Issue 19's targets at this size, each with its figure and met / NOT met."""
    n = figures["communes"]
    lines = [f"targets (issue 19) at {n:,} communes; load average now {_load()} on {os.cpu_count()} cores"
             + (" (not idle: wall times are inflated, the CPU-seconds are the figures to judge)" if os.getloadavg()[0] > 1 else "")]
    s = figures.get("cmd_score")
    if n == NATIONAL:
        if _ok(s):
            lines.append(f"  whole score ≤ 10 s wall (idle machine): {s['seconds']:.2f} s: {_mark(s['seconds'] <= 10)}")
            lines.append(f"  whole score ≤ 12 CPU-s (all processes): {s['cpu']:.2f}: {_mark(s['cpu'] <= 12)}")
        d = figures.get("cmd_decision")
        if _ok(d):
            lines.append(f"  decision ≤ 1 s and ≤ 300 MB: {d['cpu']:.2f} CPU-s ({d['seconds']:.2f} s wall), "
                         f"{max(d['peak_mb'], d.get('tree_mb', 0)):.0f} MB: {_mark(d['cpu'] <= 1 and max(d['peak_mb'], d.get('tree_mb', 0)) <= 300)}")
        ratio = validate_ratio(figures)
        if ratio is not None:
            lines.append(f"  validate ≤ 2× CPU of a bare json.loads process: {ratio:.2f}×: {_mark(ratio <= 2)}")
    peaks = {what: max(figures[name]["peak_mb"], figures[name].get("tree_mb", 0)) for name, what in COMMANDS
             if _ok(figures.get(name))}
    if peaks:
        worst = max(peaks, key=peaks.get)
        verdict = _mark(peaks[worst] < 1536) if n >= LARGEST else f"{_mark(peaks[worst] < 1536)} (the target is at {LARGEST:,})"
        lines.append(f"  peak memory of any command < 1.5 GB: {peaks[worst]:.0f} MB ({worst}): {verdict}")
    a = figures.get("anchor")
    if a and _ok(s):
        verdict = _mark(s["cpu"] <= a["cpu"]) if n >= NATIONAL else f"{_mark(s['cpu'] <= a['cpu'])} (the target is at {NATIONAL:,})"
        lines.append(f"  whole score against the status quo (LibreOffice recalculating the office's workbook): "
                     f"{s['seconds'] / a['seconds']:.2f}× its wall, {s['cpu'] / a['cpu']:.2f}× its CPU-s "
                     f"(≤ 1: faster than the spreadsheet): {verdict}")
    return lines


def _score_cpu(runs: dict) -> dict:
    return {n: f["cmd_score"]["cpu"] for n, f in runs.items() if _ok(f.get("cmd_score"))}


def across(runs: dict, cliff_check: bool = True) -> list[str]:
    """The targets that compare sizes: linear up to 10,600, no cliff (whole score's CPU-seconds)."""
    cpu = _score_cpu(runs)
    lines = []
    if NATIONAL in cpu and LARGEST in cpu:
        growth = (cpu[LARGEST] / LARGEST) / (cpu[NATIONAL] / NATIONAL)
        lines.append(f"linear at {LARGEST:,}: CPU-s per commune {cpu[LARGEST] / LARGEST * 1000:.2f} ms against "
                     f"{cpu[NATIONAL] / NATIONAL * 1000:.2f} ms at {NATIONAL:,} ({growth:.2f}×, ≤ 1.1): {_mark(growth <= 1.1)}")
    if cliff_check and len(cpu) > 1:
        lines.extend(cliff_lines(cpu))
    return lines


def cliff_lines(cpu: dict, by_layout: dict | None = None, failed: list | None = None,
                differs: list | None = None) -> list[str]:
    """The whole score's CPU-seconds by size as chosen by default (``cpu``) and, when given, in
    each fixed layout (``by_layout``: layout -> size -> CPU-seconds). A size is flagged when it
    costs less than a smaller one (by more than CLIFF_MARGIN of it, and more than CLIFF_FLOOR
    CPU-seconds) in the same layout; by default,
    a fall at a size where the default layout changes (output_layout) is printed as a layout
    switch (the outputs leave something out from there), not a cliff, only when both layouts
    were measured there. ``differs``: sizes where the default's outputs were not the bytes of
    the layout it chose (output_layout): each is flagged, since then the default is not
    that layout. ``failed``: the runs that did not finish (size, layout): then the check is
    not judged."""
    from scoring.writers.outputs import AUTO, output_layout

    by_layout = by_layout or {}
    series = [(AUTO, cpu)] + sorted(by_layout.items())
    lines = [f"no cliff (CPU-s never falls when communes rise, beyond {CLIFF_MARGIN:.0%} and {CLIFF_FLOOR} CPU-s of "
             f"noise, in a layout):"]
    cliffs, switches = [], []
    for layout, figures in series:
        lines.append(f"  {'communes':>9}{'CPU s':>9}{'ms/commune':>12}   layout {layout}"
                     + (" (chosen by the number of communes)" if layout == AUTO else ""))
        most, most_at, previous = 0.0, None, None
        for n in sorted(figures):
            flag = ""
            # by default, each layout's stretch is judged on its own once both layouts were measured
            switched = layout == AUTO and previous is not None and output_layout(n) != output_layout(previous) \
                and bool(by_layout.get(output_layout(n))) and bool(by_layout.get(output_layout(previous)))
            if most_at is not None and figures[n] < most - max(most * CLIFF_MARGIN, CLIFF_FLOOR):
                if switched:
                    flag = (f"  layout switch: {output_layout(previous)} up to {previous:,} ({most:.2f} at {most_at:,}), "
                            f"{output_layout(n)} from {n:,}")
                    switches.append(n)
                else:
                    flag = f"  CLIFF: less than {most:.2f} at {most_at:,}"
                    cliffs.append(f"{n:,} ({layout})")
            if layout == AUTO and n in (differs or ()):
                flag += f"  NOT the {output_layout(n)} layout: other outputs than --layout {output_layout(n)}"
                cliffs.append(f"{n:,} ({layout}: not {output_layout(n)})")
            lines.append(f"  {n:>9,}{figures[n]:>9.2f}{figures[n] / n * 1000:>12.2f}{flag}")
            if switched or figures[n] > most:
                most, most_at = figures[n], n
            previous = n
    if failed:
        lines.append(f"  no cliff: NOT judged ({len(failed)} run(s) failed: "
                     + ", ".join(f"{n:,} ({layout})" for n, layout in failed) + ")")
        return lines
    lines.append(f"  no cliff: {_mark(not cliffs)}" + (f" (falls at {', '.join(cliffs)})" if cliffs else "")
                 + (f"; the default's layout switches at {', '.join(f'{n:,}' for n in switches)} "
                    "(README, \"The output layouts\")" if switches else ""))
    return lines


def thresholds() -> tuple[list[int], list[str]]:
    """The sizes around every threshold of THRESHOLDS (N-1, N, N+1), and what was not found."""
    import importlib

    sizes, missing = set(), []
    for module, name, _ in THRESHOLDS:
        try:
            value = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            missing.append(f"{module}.{name}")
            continue
        sizes.update(n for n in (value - 1, value, value + 1) if n > 0)
    return sorted(sizes), missing


def year_for(base: Path, size: int, args) -> Path:
    """The generated year of ``size`` communes under ``base`` (reused when the same generator
    made it with the same settings)."""
    from bench.generate import generate

    year = base / f"year-{size}"
    made_from = [ROOT / "bench" / "generate.py"] + ([ROOT / "criteria" / "tu-mo-rong-2023.json"] if args.bundled else [])
    stamp = json.dumps({"made from": [hashlib.sha256(path.read_bytes()).hexdigest() for path in made_from],
                        "leaves": args.leaves, "bundled": args.bundled, "scans": args.scans})
    if not (year / "communes").is_dir() or not (year / "generated.json").is_file() \
            or (year / "generated.json").read_text(encoding="utf-8") != stamp:
        shutil.rmtree(year, ignore_errors=True)
        generate(year, size, args.leaves, criteria_file=ROOT / "criteria" / "tu-mo-rong-2023.json" if args.bundled else None,
                 scans=args.scans)
        (year / "generated.json").write_text(stamp, encoding="utf-8")
    return year


def _output_digest(out: Path) -> str:
    """One digest of the files a run left in ``out`` (names and bytes; the set's private
    folder left out): two runs of the same inputs and --time give the same outputs or not."""
    digest = hashlib.sha256()
    for path in sorted(out.iterdir()):
        if path.name.startswith("."):
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cliff(base: Path, args, known: dict) -> list[str]:
    """The whole score (cli.py score, a process) at N-1, N, N+1 around every size threshold,
    as chosen by default and in each layout (score --layout), the layouts in turn at each size
    (the machine's load drifts over minutes: each size's figures are taken together), in
    ``args.cliff_repeat`` passes over all the sizes (a busy minute then touches one run of each
    point it meets, not every run of one point); the fewest CPU-seconds of each size and
    layout's runs, judged with ``known``
    (size -> CPU-seconds of the whole score measured already, by default: they join the
    default's series and the series of the layout it chose). The default's outputs at each
    size are compared with those of the layout it chose there: the same bytes, or the
    default is not that layout and its falls are not excused as layout switches."""
    from scoring.writers.outputs import AUTO, LAYOUTS, output_layout

    sizes, missing = thresholds()
    if args.cliff_sizes:
        sizes = sorted(set(args.cliff_sizes))
    lines = [f"cliff check: the whole score at {', '.join(f'{n:,}' for n in sizes)} communes, by default and in "
             f"each layout ({', '.join(LAYOUTS)}) "
             f"(thresholds: {', '.join(f'{name} = {getattr(__import__(module, fromlist=[name]), name, None)}' for module, name, _ in THRESHOLDS if f'{module}.{name}' not in missing)}"
             + (f"; not found: {', '.join(missing)}" if missing else "") + f"); load average {_load()}"]
    cpu = dict(known)
    by_layout = {layout: {n: seconds for n, seconds in known.items() if output_layout(n) == layout} for layout in LAYOUTS}
    failed, differs = [], []
    lines.append(f"  {'layout':>9}{'communes':>9}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}")
    print("\n".join(lines), flush=True)  # the rows as they come: the check takes minutes
    years = {size: year_for(base, size, args) for size in sizes}
    best: dict = {}      # (size, layout) → the run with the fewest CPU-seconds
    digests: dict = {}   # size → layout → the outputs' digest
    broken = set()       # (size, layout) whose run failed: not run again
    # the passes go over every size and layout in turn: a minute of load on the machine then
    # touches one run of several points, never all the runs of one point
    for attempt in range(args.cliff_repeat):
        for size in sizes:
            for layout in (AUTO,) + LAYOUTS:
                if (size, layout) in broken:
                    continue
                out = base / f"out-cliff-{size}-{layout}"
                seen = _attempt(score_command(years[size], out, None if layout == AUTO else layout))
                if "error" in seen:
                    lines.append(f"  {layout:>9}{size:>9,} failed: {seen['error'].strip().splitlines()[-1]}")
                    failed.append((size, layout))
                    broken.add((size, layout))
                    best.pop((size, layout), None)
                else:
                    if attempt == 0:
                        digests.setdefault(size, {})[layout] = _output_digest(out)
                    if (size, layout) not in best or seen["cpu"] < best[size, layout]["cpu"]:
                        best[size, layout] = seen
                    if attempt == args.cliff_repeat - 1:
                        kept = best[size, layout]
                        lines.append(f"  {layout:>9}{size:>9,}{kept['seconds']:>9.2f}{kept['cpu']:>9.2f}"
                                     f"{max(kept['peak_mb'], kept['tree_mb']):>9.0f}")
                        print(lines[-1], flush=True)
                shutil.rmtree(out, ignore_errors=True)
        if attempt < args.cliff_repeat - 1:
            print(f"  (pass {attempt + 1} of {args.cliff_repeat} done; load average {_load()})", flush=True)
    for (size, layout), kept in best.items():
        (cpu if layout == AUTO else by_layout[layout])[size] = kept["cpu"]
    for size in sizes:
        digests_here, chosen = digests.get(size, {}), output_layout(size)
        if (size, AUTO) not in best or (size, chosen) not in best:
            continue
        if digests_here.get(AUTO) != digests_here.get(chosen):
            differs.append(size)
        else:
            # the same work twice (the same bytes): both series take the fewer CPU-seconds of the two
            cpu[size] = by_layout[chosen][size] = min(cpu[size], by_layout[chosen][size])
    return [line for line in lines if " failed: " in line] + cliff_lines(cpu, by_layout, failed, differs)


def compile_modules() -> str:
    """Compile the project's modules to bytecode once, before anything is timed, as an
    installed copy has them (pip compiles what it installs): with PYTHONDONTWRITEBYTECODE set
    (some CI and sandbox environments) and a fresh clone, every command would compile the
    modules it imports again, ~0.06 CPU-s each time (measured on validate at 3,321), a cost
    no user pays twice. Like reading the inputs once for the page cache. Returns what was
    done, for the report's first line ('' when the bytecode was already there)."""
    import compileall
    import io
    from contextlib import redirect_stdout

    if not sys.flags.dont_write_bytecode and not os.environ.get("PYTHONDONTWRITEBYTECODE"):
        return ""
    with redirect_stdout(io.StringIO()):
        compileall.compile_dir(str(ROOT / "scoring"), quiet=2)
    return "PYTHONDONTWRITEBYTECODE is set: the project's modules compiled to bytecode first (as installed)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, action="append", help="sizes to run (repeatable); default 11 168 3321 10600")
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--bundled", action="store_true", help="use the bundled criteria set instead of a generated one")
    parser.add_argument("--scans", type=float, default=0.1, help="share of evidence documents naming a scan file (default 0.1)")
    parser.add_argument("--keep", type=Path, help="keep generated years and outputs under this folder "
                                                  "(reused while the generator and its settings are the same)")
    parser.add_argument("--no-anchor", action="store_true", help="skip the LibreOffice status-quo anchor")
    parser.add_argument("--no-form", action="store_true", help="skip appraisal-form (every commune × leaf: slow at national size)")
    parser.add_argument("--cliff", action="store_true", help="also run the whole score around every size threshold of scoring/, "
                                                             "by default and in each output layout")
    parser.add_argument("--cliff-sizes", type=int, nargs="+", help="the cliff check's sizes instead of the thresholds'")
    parser.add_argument("--cliff-only", action="store_true", help="only the cliff check (no per-size runs)")
    parser.add_argument("--cliff-repeat", type=int, default=3, help="runs per size in the cliff check (the fewest CPU-s kept; default 3)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure one year in this process
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if args.one:
        out = args.one / "out"
        out.mkdir(exist_ok=True)
        print(json.dumps(measure(args.one, out)))
        return

    base = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    compiled = compile_modules()
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; work folder {base}; load average {_load()}"
          + (f"; {compiled}" if compiled else ""))
    runs = {}
    for size in () if args.cliff_only else args.communes or SIZES:
        year = year_for(base, size, args)
        load_before = _load()
        run = subprocess.run([sys.executable, __file__, "--one", str(year)], capture_output=True, text=True, cwd=ROOT)
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            sys.exit(run.returncode)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        out = base / f"out-{size}"
        figures.update(commands(year, out, form=not args.no_form))
        if not args.no_anchor and (out / "results.json").exists():
            from bench.anchor import anchor

            try:
                figures["anchor"] = anchor(out / "results.json", year / "criteria.json", base / f"anchor-{size}")
            except (RuntimeError, OSError) as error:
                figures["anchor_error"] = str(error)[-600:]
        figures["load_before"], figures["load_after"] = load_before, _load()
        runs[figures["communes"]] = figures
        print(report(figures))
        if args.json:
            print(json.dumps(figures))
        sys.stdout.flush()
    if args.cliff or args.cliff_only:  # the sizes run above join the cliff check's
        lines = across(runs, cliff_check=False) + cliff(base, args, _score_cpu(runs))
    else:
        lines = across(runs)
    if lines:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
