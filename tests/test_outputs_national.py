"""Outputs of a national run: results.json streamed, the light document built by workers, and
the workbook written by a forked process (from what those workers kept) beside the decision.

The bundled 11 communes are treated as a national run by lowering the thresholds; the
outputs must be exactly what the same writers give in this process, and a workbook process
that fails or dies must leave every previous output as it was (exit 3, one line).
"""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from click.testing import CliRunner

import scoring.files as files_module
import scoring.quick as load_module
import scoring.writers.outputs as outputs
import scoring.writers.workbook as workbook
from cli import cli
from scoring.engine import score
from scoring.load import load_inputs
from scoring.writers import national_lists, results_json
from scoring.writers.decision import render_decision
from test_validation import cli_args, copy_example, example_missing, snapshot

pytestmark = [
    example_missing,
    pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2,
                       reason="the workbook is written beside the other outputs only where a process can fork"),
    pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),
]

TIME = "2024-02-01T08:00:00+07:00"


@pytest.fixture
def national(monkeypatch):
    """11 communes written the national way; records each background start."""
    monkeypatch.setattr(outputs, "DETAIL_SHEET_MAX_COMMUNES", 3)
    monkeypatch.setattr(workbook, "DETAIL_SHEET_MAX_COMMUNES", 3)
    monkeypatch.setattr(results_json, "INDENT_UP_TO", 3)
    monkeypatch.setattr(results_json, "CHUNK", 4)  # three chunks: the worker pools are used
    started = []
    real = outputs.in_background

    def spy(what, function, *args):
        started.append(what)
        return real(what, function, *args)

    monkeypatch.setattr(outputs, "in_background", spy)
    monkeypatch.delenv("CCHC_DEBUG", raising=False)
    return started


@pytest.fixture
def example(tmp_path):
    return copy_example(tmp_path / "example")


def run_score(paths, out):
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--force", "--time", TIME])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_national_outputs_are_those_the_writers_give_in_process(national, example, tmp_path):
    out = tmp_path / "out"
    result = run_score(example, out)
    assert result.exit_code == 0, result.output
    assert national == ["ghi bảng tính"]  # the workbook was written by another process
    inputs = load_inputs(example["criteria"], example["submissions"])
    results = score(inputs)
    whole = results_json.dumps(results_json.results_document(results, inputs.files, generated_at=TIME))
    assert (out / "results.json").read_bytes() == whole
    light = results_json.results_document(results, inputs.files, generated_at=TIME, leaves="flagged")
    # the national layout: the two leaf lists in companion CSVs of the same set (issue 19)
    companions = {sheet: (tmp_path / f"expected-{name}", name) for sheet, name in national_lists.csv_names().items()}
    workbook.render_workbook(light, tmp_path / "expected.xlsx", per_commune_sheets=False, detail_sheet=False,
                             lists_csv=companions)
    assert (out / "ket-qua.xlsx").read_bytes() == (tmp_path / "expected.xlsx").read_bytes()
    for expected, name in companions.values():
        assert (out / name).read_bytes() == expected.read_bytes()
    # the decision reads the communes' totals only: the same draft from any of the documents
    assert (out / "quyet-dinh.docx").read_bytes() == render_decision(light)
    assert sorted(p.name for p in out.iterdir()) == [".cchc", "ket-qua-thieu-kiem-chung.csv", "ket-qua-tu-cham-khac.csv",
                                                     "ket-qua.xlsx", "quyet-dinh.docx", "results.json"]


def previous_outputs(example, tmp_path):
    out = tmp_path / "out"
    assert run_score(example, out).exit_code == 0
    return out, snapshot(out)


def test_a_failing_workbook_process_changes_nothing(national, example, tmp_path, monkeypatch):
    out, before = previous_outputs(example, tmp_path)

    def fail(document, target, **options):
        raise RuntimeError("boom in the workbook process")

    monkeypatch.setattr(outputs, "render_workbook", fail)
    result = run_score(example, out)
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1 and "boom in the workbook process" in result.stderr
    assert national == ["ghi bảng tính"] * 2  # the earlier run and this one
    assert snapshot(out) == before


def test_a_killed_workbook_process_changes_nothing(national, example, tmp_path, monkeypatch):
    out, before = previous_outputs(example, tmp_path)

    def die(document, target, **options):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(outputs, "render_workbook", die)
    result = run_score(example, out)
    assert result.exit_code == 3, result.output
    assert "bị dừng đột ngột bởi tín hiệu SIGKILL" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(out) == before


def test_a_failing_results_writer_stops_the_workbook_process(national, example, tmp_path, monkeypatch):
    out, before = previous_outputs(example, tmp_path)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "stream_results", fail)
    result = run_score(example, out)
    assert result.exit_code == 3, result.output
    assert snapshot(out) == before
    assert not [child for child in multiprocessing.active_children() if child.name == "cchc-ghi bảng tính"]


@pytest.mark.parametrize("way", ["national", "district"])
def test_a_submission_edited_during_the_run_is_refused(way, example, tmp_path, monkeypatch, request):
    """The leaf entries are read again from the files while the explanations are written; a
    file edited after it was validated must not slip its new content into the results."""
    if way == "national":
        request.getfixturevalue("national")
    out, before = previous_outputs(example, tmp_path)
    edited = sorted(example["submissions"].glob("*.json"))[3]
    real = outputs.stream_results

    def edit_then_write(*args, **kwargs):
        edited.write_bytes(edited.read_bytes().replace(b'"self_score": 1', b'"self_score": 2', 1) + b" ")
        return real(*args, **kwargs)

    monkeypatch.setattr(outputs, "stream_results", edit_then_write)
    monkeypatch.setattr(load_module, "PARALLEL_FROM", 1 if way == "national" else 10_000)
    files_module.reread_leaves.cache_clear()
    result = run_score(example, out)
    assert result.exit_code == 1, result.output
    assert f"{edited.name}:: " in result.stderr and "[file-changed]" in result.stderr
    assert snapshot(out) == before


def test_writing_results_reports_progress(national, example, tmp_path):
    inputs = load_inputs(example["criteria"], example["submissions"])
    seen = []
    outputs.write_outputs(score(inputs), inputs.files, generated_at=TIME, out=tmp_path / "out", force=False,
                          progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, 11), (8, 11), (11, 11)]  # one call per chunk of communes written


def test_the_progress_bar_is_drawn_on_a_terminal_only(monkeypatch):
    import io

    import cli as cli_module

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(cli_module, "PROGRESS_FROM", 5)
    terminal, pipe = Terminal(), io.StringIO()
    with cli_module.progress_bar("Ghi kết quả", terminal) as progress:
        for done in (4, 8, 11):
            progress(done, 11)
    assert "Ghi kết quả" in terminal.getvalue() and "100%" in terminal.getvalue()
    with cli_module.progress_bar("Ghi kết quả", pipe) as progress:
        assert progress is None
    assert pipe.getvalue() == ""
