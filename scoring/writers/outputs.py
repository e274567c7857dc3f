"""The three outputs of a scoring run, written as one step: results.json, the workbook and
the decision draft (what ``cli.py score`` writes, and what the benchmark measures)."""

from __future__ import annotations

import time
from pathlib import Path

from ..engine import Results
from ..model import InputFile
from ..workers import collector_paused, in_background
from .atomic import write_output_set
from .decision import render_decision
from .results_json import stream_results
from ..errors import InputError
from .national_lists import csv_names
from .workbook import (DETAIL_SHEET_MAX_COMMUNES, PER_COMMUNE_SHEETS_MAX, excel_limit_issues,
                       render_workbook)

RESULTS_NAME = "results.json"
WORKBOOK_NAME = "ket-qua.xlsx"
DECISION_NAME = "quyet-dinh.docx"
ORDER = (RESULTS_NAME, WORKBOOK_NAME, DECISION_NAME)

# The output layouts (issue 19). What the three outputs hold depends on the layout, and only
# there: within one layout, each commune more costs more (bench/run.py --cliff checks it).
DISTRICT, PROVINCE, NATIONAL = "district", "province", "national"
LAYOUTS = (DISTRICT, PROVINCE, NATIONAL)
AUTO = "auto"


def output_layout(communes: int, requested: str = AUTO) -> str:
    """The layout of a run's outputs: ``requested`` when it names one of LAYOUTS, else (AUTO)
    chosen by the number of communes, as a district or a province runs its round:

    - DISTRICT (up to PER_COMMUNE_SHEETS_MAX, 30): everything of PROVINCE, and one sheet per
      commune in the workbook;
    - PROVINCE (up to DETAIL_SHEET_MAX_COMMUNES, 200: every post-2025 province): results.json
      indented, the workbook's "Chi tiết" sheet (one row per commune × leaf) and both leaf
      lists as sheets, written from the document with every leaf;
    - NATIONAL (above): results.json compact and streamed, no "Chi tiết", the two leaf lists
      in companion CSV files, the workbook written from the flagged leaves only by a forked
      process.

    A layout leaves work out, so the run's cost falls where AUTO changes layout (31 and 201
    communes); within one layout it never falls when communes rise. Raises ValueError for a
    name that is none of these."""
    if requested == AUTO:
        if communes > DETAIL_SHEET_MAX_COMMUNES:
            return NATIONAL
        return DISTRICT if communes <= PER_COMMUNE_SHEETS_MAX else PROVINCE
    if requested not in LAYOUTS:
        raise ValueError(f"unknown output layout {requested!r} (one of {', '.join((AUTO,) + LAYOUTS)})")
    return requested


def write_outputs(results: Results, files: tuple[InputFile, ...], *, generated_at: str, out, force: bool,
                  timings: dict | None = None, progress=None, layout: str = AUTO) -> tuple[list[Path], dict]:
    """Write results.json, ket-qua.xlsx and quyet-dinh.docx into ``out`` as one set (see
    write_output_set: a reader sees the old three or the new three; one run at a time);
    return the paths written and the results document the decision read.

    ``layout``: AUTO or one of LAYOUTS (output_layout). results.json always holds every leaf.
    In the district and province layouts the workbook and the
    decision read the same document, with every leaf. In the national layout (no
    per-leaf sheet) results.json is rendered first on every core, keeping the light
    document (only the flagged leaves: missing evidence, self-score differing, as the
    file has them: no leaf's entry or reason is made twice); the workbook, the longest
    output, is then written from it by a forked process while this one writes the
    decision from the communes' totals. ``timings``, when given, receives each output's seconds;
    ``progress(done, total)`` is called as communes are written to results.json.

    On such a national run the workbook's two long leaf lists go to companion CSV files
    (scoring/writers/national_lists.py), written by the workbook's process into the same
    output set: the old set or the new one, CSVs included, never a mix. A later smaller
    run's set has no CSV: the folder's links to the old ones are removed with the swap.
    """
    out = Path(out)
    criteria_file = next((f.path for f in files if f.role == "criteria"), "")
    chosen = output_layout(len(results.communes), layout)
    national = chosen == NATIONAL
    # "Chi tiết" asked for (a layout named) and too long for a sheet: refused; chosen by
    # default: left out (render_workbook; Thông tin says so)
    asked_detail = layout != AUTO and not national
    too_much = excel_limit_issues(results.criteria, criteria_file, len(results.communes), detail_sheet=asked_detail)
    if too_much:  # before anything is written: the workbook would silently lose cells
        raise InputError(too_much)
    kept: dict = {"csv": {}}
    companions = csv_names() if national else {}  # {sheet: companion CSV name}

    def stage_csv(sheet):
        def produce(tmp):  # the workbook's process writes it: here only where
            kept["csv"][sheet] = (tmp, companions[sheet])
        return produce

    def write_results(tmp):
        # national: the light document comes with the file (its flagged leaves are rendered
        # for the file anyway: issue 19), the rendering on every core
        kept["document"] = stream_results(results, files, generated_at=generated_at, target=tmp,
                                          keep="flagged" if national else "all", progress=progress, indent=not national)

    def write_workbook(tmp):
        document = kept["document"]
        if not national:
            render_workbook(document, tmp, per_commune_sheets=chosen == DISTRICT, detail_sheet=asked_detail or None)
            return None
        running = in_background("ghi bảng tính", national_workbook, document, tmp, kept["csv"])
        if running is None:  # no fork here: written in this process
            national_workbook(document, tmp, kept["csv"])
        # the workbook's process has its own copy: here (the decision, the caller) the
        # communes' totals are enough
        kept["document"] = {**document, "communes": [{**commune, "leaves": []} for commune in document["communes"]]}
        return running

    def write_decision(tmp):
        tmp.write_bytes(render_decision(kept["document"]))

    produce = {RESULTS_NAME: write_results, WORKBOOK_NAME: write_workbook, DECISION_NAME: write_decision}
    order = ORDER
    names = {RESULTS_NAME: "json", WORKBOOK_NAME: "workbook", DECISION_NAME: "decision"}
    steps = [(name, stage_csv(sheet)) for sheet, name in companions.items()]
    steps += [(name, _timed(produce[name], names[name], timings)) for name in order]
    shown = ORDER + tuple(companions.values())
    retired = [name for name in csv_names().values() if name not in shown]
    with collector_paused():
        written = write_output_set(out, steps, force=force, retire=retired)
    return sorted(written, key=lambda path: shown.index(path.name)), kept["document"]


def national_workbook(document: dict, target, lists_csv: dict | None = None) -> None:
    """The workbook of a national run from the light document (stream_results keep="flagged":
    only the flagged leaves; no "Chi tiết", no sheet per commune: they would need every leaf);
    ``lists_csv``: the companion CSVs of its lists (render_workbook)."""
    render_workbook(document, target, per_commune_sheets=False, detail_sheet=False, lists_csv=lists_csv)


def _timed(produce, name: str, timings: dict | None):
    """``produce`` recording its seconds in ``timings[name]`` (until done, when it runs elsewhere)."""
    if timings is None:
        return produce

    def run(tmp):
        started = time.perf_counter()
        running = produce(tmp)
        if not hasattr(running, "wait"):
            timings[name] = time.perf_counter() - started
            return None
        return _TimedWait(running, started, name, timings)

    return run


class _TimedWait:
    def __init__(self, running, started, name, timings):
        self.running, self.started, self.name, self.timings = running, started, name, timings

    def wait(self):
        self.running.wait()
        self.timings[self.name] = time.perf_counter() - self.started

    def cancel(self):
        self.running.cancel()
