#!/usr/bin/env python3
"""Benchmark the whole scoring pipeline against the floor of reading and writing the same data.

    python bench/run.py                       # N = 11, 168, 3321, 10600 (generated years)
    python bench/run.py --communes 3321       # one size
    python bench/run.py --communes 11 --bundled   # the bundled example (real criteria set)

For each N a synthetic year is generated (bench/generate.py: ~100 leaves, every rule kind,
evidence, a tenth of it with a scan file to find on disk, not-applicable claims, multi-line
explanations, appraisals, survey tallies) and the real pipeline runs in a
fresh process, phase by phase:

  load      read + validate every input (scoring.load.load_inputs)
  score     the scoring core on loaded inputs (scoring.engine.score)
  json      build the results document and write results.json
  workbook  write the workbook (scoring.writers.workbook)
  decision  write the decision draft (scoring.writers.decision)

and the floors for the same data:

  parse     json.loads of every input file (standard library)
  cells     writing the same number of cells as the workbook with bare xlsxwriter
  dump      json.dumps of the finished results document

Printed per phase: wall time, peak memory so far (RSS), and the ratio to its floor
(load/parse, json/dump, workbook/cells; the whole run/(parse + cells + dump)). Load, score
and the parse floor are the fastest of 3 runs; the inputs are read once before any timing
(page cache). Memory: the whole run's peak (all its processes, proportional set size,
sampled every 0.5 s) and each process's peak RSS. Targets (issue 6):
load ≤ 2× parse at 3,321; score ≤ 0.25 s at 3,321 and ≤ 0.75 s at 10,600; whole run ≤ 2×
floor and < 30 s at 3,321; peak memory < 1.5 GB at 10,600.
"""

from __future__ import annotations

import argparse
import hashlib
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

SIZES = (11, 168, 3321, 10600)
REPEAT = 3  # load, score and the parse floor: the fastest of 3 runs (the outputs run once)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU-seconds so far of this process and of its finished child processes (user + system):
    on a shared machine wall time depends on the neighbours, CPU time much less (issue 19)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_command(args: list, cwd=None) -> dict:
    """Run a command in a child process; its wall seconds, CPU-seconds (its own and its
    children's, from wait4) and peak RSS (MB). Fails loudly when the command fails."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd or ROOT, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise RuntimeError(f"{args} failed: {err.read().decode(errors='replace')[-2000:]}")
    return {"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}


class MemorySampler:
    """The memory the whole run holds (this process and its worker processes), sampled
    every 0.5 s as the sum of their proportional set sizes (Linux /proc): pages shared by
    a forked worker and its parent count once, unlike adding up each process's RSS."""

    def __init__(self):
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if Path("/proc/self/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self):
        while not self._stop.wait(0.5):
            self.peak_kb = max(self.peak_kb, sum(self._pss(pid) for pid in self._tree()))

    @staticmethod
    def _tree() -> list[int]:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
        tree, found = {os.getpid()}, True
        while found:
            found = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    found = True
        return sorted(tree)

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0


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


def measure(year: Path, out: Path) -> dict:
    """Run the pipeline on one generated year, in this process; return the figures.

    The outputs are written exactly as ``cli.py score`` writes them
    (scoring.writers.outputs.write_outputs), which reports each output's time.
    """
    from scoring.engine import score
    from scoring.load import load_inputs
    from scoring.writers.outputs import write_outputs
    from scoring.writers.results_json import json_layout
    import xlsxwriter

    figures: dict = {}
    # read every input once first: the pipeline and the parse floor then both read from the
    # page cache (otherwise whichever runs first pays for the disk)
    for path in [year / "criteria.json", year / "appraisal.json", year / "survey.json"] + sorted((year / "communes").glob("*.json")):
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

    with MemorySampler() as sampler:
        def load():
            return load_inputs(year / "criteria.json", year / "communes", year / "appraisal.json", year / "survey.json")

        inputs = phase("load", load)
        results = phase("score", lambda: score(inputs))
        timings: dict = {}
        phase("outputs", lambda: write_outputs(results, inputs.files, generated_at="2026-01-15T08:00:00+07:00",
                                              out=out, force=True, timings=timings))
    figures["run_peak_mb"] = sampler.peak_kb / 1024
    figures["workers_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["communes"] = len(inputs.submissions)
    figures["leaves"] = len(inputs.criteria.leaves)
    results = None  # the measured run's results and inputs go before the timing-only runs
    again("score", lambda: score(inputs))
    inputs = None
    again("load", load)
    for name in ("json", "workbook", "decision"):
        figures[name] = {"seconds": timings[name], "peak_mb": figures["outputs"]["peak_mb"]}

    # floors
    files = [year / "criteria.json", year / "appraisal.json", year / "survey.json"] + sorted((year / "communes").glob("*.json"))
    def floor(name, work, repeat=REPEAT):
        """The fastest of ``repeat`` runs of ``work``: wall and CPU-seconds."""
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
    # the floor of writing results.json: json.dumps of the same (full) document, built beforehand
    full = json.loads((out / "results.json").read_bytes())
    floor("dump", lambda: json.dumps(full, ensure_ascii=False, **json_layout(full)), repeat=1)
    floor("dump_msgspec", lambda: msgspec.json.encode(full), repeat=1)
    if orjson is not None:
        floor("dump_orjson", lambda: orjson.dumps(full), repeat=1)
    del full
    raw = (out / "results.json").read_bytes()
    floor("parse_results", lambda: json.loads(raw), repeat=1)  # the floor of reading results.json whole
    del raw
    cells = _count_cells(out / "ket-qua.xlsx")
    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(str(out / "floor.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    for index in range(cells):
        row, column = divmod(index, 20)
        if column % 2:
            sheet.write_number(row, column, index / 100)
        else:
            sheet.write_string(row, column, "Đăk Hà")
    workbook.close()
    figures["cells"] = {"seconds": time.perf_counter() - started, "count": cells}
    figures["results_rows"] = _count_rows(out / "ket-qua.xlsx")
    figures["input_mb"] = sum(p.stat().st_size for p in files) / 1e6
    figures["results_mb"] = (out / "results.json").stat().st_size / 1e6
    return figures


PARSE_FILES = """import json, pathlib, sys
year = pathlib.Path(sys.argv[1])
for path in [*sorted((year / "communes").glob("*.json")), *(year / name for name in ("criteria.json", "appraisal.json", "survey.json"))]:
    json.loads(path.read_bytes())
"""


def commands(year: Path, out: Path) -> dict:
    """The commands as a person runs them, each in a process of its own (wall, CPU-seconds
    of it and its workers, peak RSS): validate, the whole score, decision from the
    results.json score wrote (issue 19's targets)."""
    cli = [sys.executable, str(ROOT / "cli.py")]
    inputs = ["--criteria", str(year / "criteria.json"), "--submissions", str(year / "communes"),
              "--appraisal", str(year / "appraisal.json"), "--survey", str(year / "survey.json")]
    # the parse floor as a process of its own just before and after validate: CPU-seconds on a
    # shared machine drift within minutes, a ratio needs both measured at the same time
    parse = [sys.executable, "-c", PARSE_FILES, str(year)]
    found = {"cmd_startup": run_command([sys.executable, "-c", "import cli"]),
             "cmd_parse_before": run_command(parse),
             "cmd_validate": run_command(cli + ["validate"] + inputs),
             "cmd_parse_after": run_command(parse),
             "cmd_score": run_command(cli + ["score"] + inputs + ["--out", str(out), "--force", "--time", "2026-01-15T08:00:00"])}
    found["cmd_decision"] = run_command(cli + ["decision", str(out / "results.json"), "--out", str(out / "qd.docx"), "--force"])
    return found


def report(figures: dict) -> str:
    pipeline = ["load", "score", "json", "workbook", "decision"]
    floor = {"load": "parse", "json": "dump", "workbook": "cells"}
    lines = [f"N = {figures['communes']} communes × {figures['leaves']} leaves "
             f"(inputs {figures['input_mb']:.1f} MB, results.json {figures['results_mb']:.1f} MB, "
             f"workbook {figures['cells']['count']} cells)"]
    lines.append(f"  load average (1, 5, 15 min) after the run: {', '.join(f'{x:.2f}' for x in figures.get('load_average', ()))}")
    lines.append(f"  {'phase':<10}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}  {'floor':<8}{'floor s':>9}{'ratio':>7}")
    for name in pipeline:
        f = figures[name]
        peak = f"{f['peak_mb']:>9.0f}" if name in ("load", "score") else f"{'':>9}"  # outputs: one peak, below
        cpu = f"{f['cpu']:>8.2f}" if "cpu" in f else f"{'':>8}"
        peak = cpu + peak
        base = floor.get(name)
        if base:
            b = figures[base]["seconds"]
            lines.append(f"  {name:<10}{f['seconds']:>9.3f}{peak}  {base:<8}{b:>9.3f}{f['seconds'] / b:>7.2f}")
        else:
            lines.append(f"  {name:<10}{f['seconds']:>9.3f}{peak}")
    # the whole run as cli.py score does it: load, score, and the three outputs written as one step
    whole = sum(figures[name]["seconds"] for name in ("load", "score", "outputs"))
    whole_floor = sum(figures[name]["seconds"] for name in ("parse", "cells", "dump"))
    lines.append(f"  {'whole run':<10}{whole:>9.3f}{'':>9}  {'floors':<8}{whole_floor:>9.3f}{whole / whole_floor:>7.2f}")
    lines.append(f"  outputs, CPU-seconds of all processes (results.json, workbook, decision together): "
                 f"{figures['outputs']['cpu']:.2f}; whole run CPU {sum(figures[n]['cpu'] for n in ('load', 'score', 'outputs')):.2f} s")
    extra = [(name, figures[name]) for name in ("parse", "parse_msgspec", "parse_orjson", "dump", "dump_msgspec", "dump_orjson",
                                                "parse_results") if name in figures]
    lines.append("  floors (wall / CPU s): " + "; ".join(f"{name} {f['seconds']:.3f}/{f['cpu']:.3f}" for name, f in extra)
                 + ("" if "parse_orjson" in figures else " (orjson not installed: pip install orjson to see its floors)"))
    rows = figures.get("results_rows") or {"": 0}
    longest = max(rows, key=rows.get)
    lines.append(f"  bare cells {figures['cells']['count']}: {figures['cells']['seconds']:.3f} s; longest sheet "
                 f"'{longest}' {rows[longest]:,} rows (Excel: 1,048,576), {len(rows)} sheets")
    for name, what in (("cmd_validate", "cli.py validate"), ("cmd_score", "cli.py score (whole)"),
                       ("cmd_decision", "cli.py decision results.json")):
        if name in figures:
            f = figures[name]
            ratio = ""
            if name == "cmd_validate":
                work = f["cpu"] - figures["cmd_startup"]["cpu"]
                ratio = (f"; less starting Python and importing cli ({figures['cmd_startup']['cpu']:.2f} CPU s): "
                         f"{work:.2f} CPU s, {work / figures['parse']['cpu']:.2f}× json.loads of the inputs")
                if "cmd_parse_before" in figures:  # whole processes, measured beside it
                    floor = (figures["cmd_parse_before"]["cpu"] + figures["cmd_parse_after"]["cpu"]) / 2
                    ratio += (f"\n  {'':<30}a bare process json.loads-ing the same files just before and after: "
                              f"{figures['cmd_parse_before']['cpu']:.2f} and {figures['cmd_parse_after']['cpu']:.2f} CPU s; "
                              f"validate is {f['cpu'] / floor:.2f}× their mean (whole processes, start-up included)")
            lines.append(f"  {what:<30}{f['seconds']:>8.2f} s wall{f['cpu']:>8.2f} CPU s{f['peak_mb']:>7.0f} MB peak RSS{ratio}")
    lines.append(f"  peak memory: {figures['run_peak_mb']:.0f} MB for the whole run (all its processes, shared pages "
                 f"once); RSS {figures['outputs']['peak_mb']:.0f} MB in the main process, "
                 f"{figures['workers_peak_mb']:.0f} MB in the largest worker process")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, action="append", help="sizes to run (repeatable); default 11 168 3321 10600")
    parser.add_argument("--leaves", type=int, default=100)
    parser.add_argument("--bundled", action="store_true", help="use the bundled criteria set instead of a generated one")
    parser.add_argument("--scans", type=float, default=0.1, help="share of evidence documents naming a scan file (default 0.1)")
    parser.add_argument("--keep", type=Path, help="keep generated years and outputs under this folder "
                                                  "(reused while the generator and its settings are the same)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # internal: measure one year in this process
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    if args.one:
        out = args.one / "out"
        out.mkdir(exist_ok=True)
        print(json.dumps(measure(args.one, out)))
        return
    from bench.generate import generate

    base = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; work folder {base}")
    for size in args.communes or SIZES:
        year = base / f"year-{size}"
        # a kept year is reused only if the same generator made it with the same settings
        made_from = [ROOT / "bench" / "generate.py"] + ([ROOT / "criteria" / "tu-mo-rong-2023.json"] if args.bundled else [])
        stamp = json.dumps({"made from": [hashlib.sha256(path.read_bytes()).hexdigest() for path in made_from],
                            "leaves": args.leaves, "bundled": args.bundled, "scans": args.scans})
        if not (year / "communes").is_dir() or not (year / "generated.json").is_file() \
                or (year / "generated.json").read_text(encoding="utf-8") != stamp:
            shutil.rmtree(year, ignore_errors=True)
            generate(year, size, args.leaves, criteria_file=ROOT / "criteria" / "tu-mo-rong-2023.json" if args.bundled else None,
                     scans=args.scans)
            (year / "generated.json").write_text(stamp, encoding="utf-8")
        run = subprocess.run([sys.executable, __file__, "--one", str(year)], capture_output=True, text=True, cwd=ROOT)
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            sys.exit(run.returncode)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        figures.update(commands(year, base / f"out-{size}"))
        figures["load_average"] = os.getloadavg()
        print(report(figures))
        if args.json:
            print(json.dumps(figures))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
