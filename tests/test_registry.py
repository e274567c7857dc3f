"""The year's list of units (registry.json): every registered unit appears in every output;
one without a submission is "chưa nộp" (not scored, not ranked, counted in the decision's
wording), and the run exits 0 with a warning. Without a registry the summary says how many
units were scored."""

from __future__ import annotations

import json

import docx
import openpyxl
import pytest

from scoring.engine import score
from scoring.load import load_inputs
from scoring.registry import NOT_SUBMITTED
from scoring.validate import validator

from scenario import TIME, run
from test_validation import EXAMPLE_SET, apply_mutation, cli_args, copy_example, example_missing

pytestmark = example_missing



@pytest.fixture(scope="module")
def one_missing(tmp_path_factory):
    """The bundled example with Tê Xăng's file removed, scored: (out folder, document, CLI result)."""
    work = tmp_path_factory.mktemp("registry")
    paths = copy_example(work)
    apply_mutation(work, {"file": "@communes/23533-te-xang.json", "delete": True})
    out = work / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "results.json").read_text(encoding="utf-8")), result


def test_results_list_the_unit_that_did_not_submit(one_missing):
    _, document, _ = one_missing
    assert document["summary"]["registered"] == 11
    assert document["summary"]["scored"] == document["summary"]["communes"] == 10
    assert document["summary"]["not_submitted"] == 1
    assert document["not_submitted"] == [{"code": "23533", "name": "Tê Xăng", "type": "xã", "block": "xa",
                                          "predecessors": [], "status": NOT_SUBMITTED}]
    assert "23533" not in {c["code"] for c in document["communes"]}  # not scored, not ranked
    assert sorted(c["rank"] for c in document["communes"]) == list(range(1, 11))
    assert not list(validator("results").iter_errors(document))


def test_the_run_warns_and_exits_0(one_missing):
    _, _, result = one_missing
    assert "Cảnh báo:" in result.stderr and "Tê Xăng (mã 23533) chưa nộp" in result.stderr
    assert "[not-submitted]" in result.stderr
    table = result.stdout
    assert "23533  Tê Xăng" in table and "chưa nộp" in table
    assert "11 đơn vị trong danh sách, 10 đã chấm điểm, 1 chưa nộp hồ sơ" in table


def test_the_workbook_lists_the_unit(one_missing):
    out, _, _ = one_missing
    workbook = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    rows = [row for row in workbook.worksheets[0].iter_rows(values_only=True) if row and row[1] == "23533"]
    assert rows == [(11, "23533", "Tê Xăng", "xã", None, None, None, None, None, None, None, None, NOT_SUBMITTED)]
    about = [row for row in workbook["Thông tin"].iter_rows(values_only=True) if row and row[0]]
    labels = {row[0]: row[1] for row in about}
    assert labels["Số đơn vị trong danh sách"] == 11 and labels["Số đơn vị được đánh giá"] == 10
    assert "Tê Xăng (23533)" in labels["Đơn vị chưa nộp hồ sơ (không chấm điểm, không xếp hạng)"]


def test_the_decision_counts_the_unit(one_missing):
    out, _, _ = one_missing
    document = docx.Document(str(out / "quyet-dinh.docx"))
    article = next(p.text for p in document.paragraphs if p.text.startswith("Điều 1."))
    assert "10 xã (trong tổng số 11 đơn vị, 10 đã chấm điểm; 01 đơn vị chưa nộp hồ sơ tự đánh giá: xã Tê Xăng)" in article
    annex = document.tables[-1]
    last = [cell.text for cell in annex.rows[-1].cells]
    assert last[1] == "Xã Tê Xăng" and last[-1] == NOT_SUBMITTED and last[2:-1] == [""] * (len(last) - 3)


def test_explain_says_not_submitted(tmp_path):
    paths = copy_example(tmp_path)
    apply_mutation(tmp_path, {"file": "@communes/23533-te-xang.json", "delete": True})
    result = run("explain", "23533", *cli_args(paths))
    assert result.exit_code == 0, result.output
    assert "Tê Xăng (mã 23533, xã): chưa nộp hồ sơ tự đánh giá" in result.stdout


def test_the_bundled_example_is_fully_registered():
    inputs = load_inputs()
    assert inputs.registry is not None and len(inputs.registry.units) == 11 and not inputs.warnings
    assert {s.code for s in inputs.submissions} == inputs.registry.codes
    for submission in inputs.submissions:
        unit = inputs.registry.unit(submission.code)
        assert (unit.name, unit.type) == (submission.name, submission.type)
    assert score(inputs).not_submitted == ()
    assert [f.role for f in inputs.files][-1] == "registry"


def test_an_explicit_registry_file(tmp_path):
    """--registry FILE is used wherever it is; a unit it adds without a submission is listed."""
    paths = copy_example(tmp_path)
    registry = json.loads((tmp_path / EXAMPLE_SET / "registry.json").read_text(encoding="utf-8"))
    (tmp_path / EXAMPLE_SET / "registry.json").unlink()
    registry["units"].append({"code": "23540", "name": "Đăk Tơ Lung", "type": "xã", "predecessors": ["23536", "23539"]})
    elsewhere = tmp_path / "danh-sach.json"
    elsewhere.write_text(json.dumps(registry, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run("score", *cli_args(paths), "--registry", elsewhere, "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["not_submitted"] == [{"code": "23540", "name": "Đăk Tơ Lung", "type": "xã", "block": "xa",
                                          "predecessors": ["23536", "23539"], "status": NOT_SUBMITTED}]
    assert document["summary"]["registered"] == 12 and document["summary"]["scored"] == 11


def test_without_a_registry_the_summary_says_how_many_were_scored(tmp_path):
    paths = copy_example(tmp_path)
    (tmp_path / EXAMPLE_SET / "registry.json").unlink()
    out = tmp_path / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    assert "11 đơn vị đã chấm điểm;" in result.stdout and "Cảnh báo" not in result.stderr
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["summary"]["scored"] == 11 and document["summary"]["registered"] is None
    assert document["not_submitted"] == [] and "registry" not in {f["role"] for f in document["inputs"]}


def test_a_submission_outside_the_registry_stops_the_run(tmp_path):
    paths = copy_example(tmp_path)
    apply_mutation(tmp_path, {"file": "@registry", "patch": [{"op": "remove", "path": "/units/10"}]})
    out = tmp_path / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 1
    assert "23533-te-xang.json:/commune/code: mã đơn vị 23533 không có trong danh sách đơn vị" in result.stderr
    assert not out.exists()
