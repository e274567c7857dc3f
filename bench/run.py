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
        started = time.perf_counter()
        result = work()
        figures[name] = {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}
        return result

    def again(name, work):
        """Time ``work`` REPEAT - 1 more times, after the measured run (so the memory figures
        stay those of one run); keep the fastest (noise on a shared machine only adds)."""
        for _ in range(REPEAT - 1):
            started = time.perf_counter()
            work()
            figures[name]["seconds"] = min(figures[name]["seconds"], time.perf_counter() - started)

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
    parse_times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        for path in files:
            json.loads(path.read_bytes())
        parse_times.append(time.perf_counter() - started)
    figures["parse"] = {"seconds": min(parse_times)}
    # the floor of writing results.json: json.dumps of the same (full) document, built beforehand
    full = json.loads((out / "results.json").read_bytes())
    started = time.perf_counter()
    json.dumps(full, ensure_ascii=False, **json_layout(full))
    figures["dump"] = {"seconds": time.perf_counter() - started}
    del full
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
    figures["input_mb"] = sum(p.stat().st_size for p in files) / 1e6
    figures["results_mb"] = (out / "results.json").stat().st_size / 1e6
    return figures


def report(figures: dict) -> str:
    pipeline = ["load", "score", "json", "workbook", "decision"]
    floor = {"load": "parse", "json": "dump", "workbook": "cells"}
    lines = [f"N = {figures['communes']} communes × {figures['leaves']} leaves "
             f"(inputs {figures['input_mb']:.1f} MB, results.json {figures['results_mb']:.1f} MB, "
             f"workbook {figures['cells']['count']} cells)"]
    lines.append(f"  {'phase':<10}{'seconds':>9}{'peak MB':>9}  {'floor':<8}{'floor s':>9}{'ratio':>7}")
    for name in pipeline:
        f = figures[name]
        peak = f"{f['peak_mb']:>9.0f}" if name in ("load", "score") else f"{'':>9}"  # outputs: one peak, below
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
        print(report(figures))
        if args.json:
            print(json.dumps(figures))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
