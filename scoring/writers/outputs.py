"""The three outputs of a scoring run, written as one step: results.json, the workbook and
the decision draft (what ``cli.py score`` writes, and what the benchmark measures)."""

from __future__ import annotations

import time
from pathlib import Path

from ..engine import Results
from ..model import InputFile
from ..workers import collector_paused, in_background
from .atomic import write_all_atomic
from .decision import render_decision
from .results_json import light_document, stream_results
from .workbook import DETAIL_SHEET_MAX_COMMUNES, render_workbook

RESULTS_NAME = "results.json"
WORKBOOK_NAME = "ket-qua.xlsx"
DECISION_NAME = "quyet-dinh.docx"
ORDER = (RESULTS_NAME, WORKBOOK_NAME, DECISION_NAME)


def write_outputs(results: Results, files: tuple[InputFile, ...], *, generated_at: str, out, force: bool,
                  timings: dict | None = None) -> tuple[list[Path], dict]:
    """Write results.json, ket-qua.xlsx and quyet-dinh.docx into ``out`` (all or none, see
    write_all_atomic); return the paths written and the results document the workbook read.

    results.json always holds every leaf. The workbook and the decision read a document
    with every leaf for a district or province; above DETAIL_SHEET_MAX_COMMUNES (no
    per-leaf sheet) they read the light document, with only the flagged leaves (missing
    evidence, self-score differing), and the workbook, the longest output, is written by a
    forked process while this one writes results.json and the decision. ``timings``, when
    given, receives each output's seconds (the benchmark reads them).
    """
    out = Path(out)
    national = len(results.communes) > DETAIL_SHEET_MAX_COMMUNES
    kept: dict = {}

    def write_results(tmp):
        document = stream_results(results, files, generated_at=generated_at, target=tmp,
                                  keep="none" if national else "all")
        kept.setdefault("document", document)

    def write_workbook(tmp):
        if national:
            running = in_background("ghi bảng tính", render_workbook, kept["document"], tmp)
            if running is not None:
                return running
        render_workbook(kept["document"], tmp)
        return None

    def write_decision(tmp):
        tmp.write_bytes(render_decision(kept["document"]))

    produce = {RESULTS_NAME: write_results, WORKBOOK_NAME: write_workbook, DECISION_NAME: write_decision}
    # the workbook starts first on national runs: it runs beside the other two
    order = (WORKBOOK_NAME, RESULTS_NAME, DECISION_NAME) if national else ORDER
    names = {RESULTS_NAME: "json", WORKBOOK_NAME: "workbook", DECISION_NAME: "decision"}
    with collector_paused():
        if national:
            kept["document"] = light_document(results, files, generated_at=generated_at)
        written = write_all_atomic([(out / name, _timed(produce[name], names[name], timings)) for name in order],
                                   force=force)
    return sorted(written, key=lambda path: ORDER.index(path.name)), kept["document"]


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
