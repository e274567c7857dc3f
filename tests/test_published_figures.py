"""Issue 13: a block marked not ranked, and the figures provinces publish per ranking block,
through the command line and read back as a person sees them (results.json against its
schema, the workbook with openpyxl, the decision with python-docx). The arithmetic of the
cases is in their notes (tests/cases/blocks.json)."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from cli import cli
from scoring.validate import validator

from scenario import write_scenario

CASES = json.loads((Path(__file__).parent / "cases" / "blocks.json").read_text(encoding="utf-8"))["cases"]
TIME = "2024-02-01T08:00:00+07:00"


@pytest.fixture(scope="module")
def special_zone(tmp_path_factory):
    """The case with an unranked special-zone block, scored by the CLI: (out folder, results document, CLI result)."""
    work = tmp_path_factory.mktemp("blocks")
    paths = write_scenario(CASES[0], work)
    out = work / "out"
    result = CliRunner().invoke(cli, ["score", "--criteria", str(paths["criteria"]), "--submissions", str(paths["submissions"]),
                                      "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "results.json").read_text(encoding="utf-8")), result


def test_results_follow_their_schema_and_name_the_unranked_block(special_zone):
    _, document, _ = special_zone
    assert not list(validator("results").iter_errors(document))
    assert [b.get("ranked", True) for b in document["criteria"]["blocks"]] == [True, False, True]
    zone = next(c for c in document["communes"] if c["code"] == "00003")
    assert (zone["block"], zone["index"], zone["band"], zone["rank"]) == ("dac-khu", 80, "Tốt", None)
    assert [row["id"] for row in document["summary"]["blocks"]] == ["xa", "dac-khu", "phuong"]


def test_the_terminal_table_leaves_the_rank_empty(special_zone):
    _, _, result = special_zone
    line = next(line for line in result.stdout.splitlines() if "00003" in line)
    assert line.split()[0] == "-" and "Tốt" in line


def test_the_workbook_shows_index_and_band_without_rank(special_zone):
    out, _, _ = special_zone
    workbook = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    row = next(row for row in workbook.worksheets[0].iter_rows(values_only=True) if row and row[1] == "00003")
    assert row[-1] == "Tốt" and row[-2] is None and 80 in row


def test_the_decision_annex_shows_index_and_band_without_rank(special_zone):
    out, _, _ = special_zone
    document = docx.Document(str(out / "quyet-dinh.docx"))
    annex = document.tables[-1]
    row = next([cell.text for cell in r.cells] for r in annex.rows if any("00003" in cell.text for cell in r.cells))
    assert row[-1] == "Tốt" and row[-2] == "" and "80,00" in row


def test_explain_names_the_unranked_block(special_zone, tmp_path):
    paths = write_scenario(CASES[0], tmp_path)
    result = CliRunner().invoke(cli, ["explain", "00003", "--criteria", str(paths["criteria"]),
                                      "--submissions", str(paths["submissions"])])
    assert result.exit_code == 0, result.output
    assert "chỉ số 80,00%, không xếp hạng (Đặc khu: khối không xếp hạng), xếp loại Tốt" in result.stdout


def test_explain_gives_every_criterion_its_index(tmp_path):
    case = json.loads((Path(__file__).parent / "cases" / "nodes.json").read_text(encoding="utf-8"))["cases"][0]
    paths = write_scenario(case, tmp_path)
    result = CliRunner().invoke(cli, ["explain", "00001", "--criteria", str(paths["criteria"]),
                                      "--submissions", str(paths["submissions"])])
    assert result.exit_code == 0, result.output
    assert "Chỉ số theo tiêu chí: 1.1: 1,00/3,00 (33,33%); 1.2: 1,50/2,00 (75,00%); 1.2.2: 0,50/1,00 (50,00%)" in result.stdout


def test_the_decision_states_band_shares_and_each_block(special_zone):
    out, _, _ = special_zone
    document = docx.Document(str(out / "quyet-dinh.docx"))
    text = [p.text for p in document.paragraphs]
    assert "- Xếp loại Xuất sắc: 01 đơn vị (25,00%);" in text
    assert "- Khối xã (02 đơn vị): chỉ số bình quân 80,00%; Xuất sắc 01 (50,00%), Khá 01 (50,00%);" in text
    assert "- Đặc khu (01 đơn vị): chỉ số bình quân 80,00%; Tốt 01 (100,00%); không xếp hạng;" in text


def test_the_workbook_states_band_shares_and_each_block(special_zone):
    out, _, _ = special_zone
    workbook = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    labels = {row[0]: row[1] for row in workbook["Thông tin"].iter_rows(values_only=True) if row and row[0]}
    assert labels["Số đơn vị và tỷ lệ theo xếp loại"] == \
        "Xuất sắc: 1 (25,00%); Tốt: 1 (25,00%); Khá: 1 (25,00%); Trung bình: 1 (25,00%); Yếu: 0 (0,00%)"
    assert labels["Đặc khu"] == ("1 đơn vị; chỉ số bình quân 80,00%; Xuất sắc: 0 (0,00%); Tốt: 1 (100,00%); Khá: 0 (0,00%); "
                                 "Trung bình: 0 (0,00%); Yếu: 0 (0,00%); không xếp hạng")


def test_an_optional_survey_not_held_is_said_and_is_not_provisional(tmp_path):
    case = json.loads((Path(__file__).parent / "cases" / "optional_survey.json").read_text(encoding="utf-8"))["cases"][0]
    paths = write_scenario(case, tmp_path)
    out = tmp_path / "out"
    args = ["--criteria", str(paths["criteria"]), "--submissions", str(paths["submissions"]), "--survey", str(paths["survey"])]
    result = CliRunner().invoke(cli, ["score", *args, "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    assert "xã mã 00002 không có số phiếu điều tra xã hội học (bộ tiêu chí không bắt buộc)" in result.stderr
    assert "TẠM TÍNH" not in result.stderr
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not list(validator("results").iter_errors(document))
    assert document["provisional"] is False and document["provisional_reasons"] == []
    communes = {c["code"]: c for c in document["communes"]}
    assert "survey_note" not in communes["00001"]
    assert communes["00002"]["survey_note"].startswith("không tổ chức điều tra xã hội học tại đơn vị")
    leaf = next(l for l in communes["00002"]["leaves"] if l["code"] == "2.1")
    assert (leaf["final"], leaf["counted_max"], leaf["flags"]) == (0, 0, ["no_survey"])
    explained = CliRunner().invoke(cli, ["explain", "00002", *args])
    assert "Ghi chú: không tổ chức điều tra xã hội học tại đơn vị" in explained.stdout
    assert "TẠM TÍNH" not in explained.stdout
