"""The self-assessment form for the two rule kinds of issue 13: an all_of leaf gets one row per
condition (its có/không in the "Đạt" column), a periodic_reports leaf's documents a "Kỳ báo
cáo" each; a filled form reads back into the submission the scenario cases score, and every
problem comes back at its cell. A form written before the period column existed still reads."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from scoring.forms import FormError, dumps_exact, load_criteria, read_self_assessment_form, write_self_assessment_form

from scenario import write_scenario

CASES = Path(__file__).parent / "cases" / "kinds"
SHEET, DOCS = "Tự đánh giá", "Tài liệu kiểm chứng"


def _case(kind: str, index: int = 0) -> dict:
    return json.loads((CASES / f"{kind}.json").read_text(encoding="utf-8"))["cases"][index]


def _leaves_and_periodic() -> dict:
    """One criteria set with both kinds: the all_of case's two leaves and a periodic_reports leaf."""
    all_of, periodic = _case("all_of"), _case("periodic_reports", 1)
    leaf = dict(periodic["leaves"][1], code="1.3")
    return {"leaves": all_of["leaves"] + [leaf], "communes": []}


def _submission(conditions: dict, documents: list) -> dict:
    return {"criteria_id": "thu-nghiem", "year": 2023,
            "commune": {"code": "00002", "name": "Xã Thử", "type": "xã"},
            "report": {"number": "1/BC-UBND", "date": "2024-01-08", "signer": "A Vinh"},
            "leaves": {"1.1": {"facts": {"conditions": conditions}, "self_score": 0},
                       "1.2": {"facts": {"conditions": {"nhiem_vu": True, "kinh_phi": True, "phan_cong": False}},
                               "self_score": Decimal("-0.25")},
                       "1.3": {"self_score": Decimal("0.25"), "evidence": documents}}}


DOCUMENTS = [{"number": "41/BC-UBND", "date": "2023-03-15", "title": "Báo cáo quý I", "issuer": "UBND xã", "period": "q1"},
             {"number": "42/BC-UBND", "date": "2023-07-01", "title": "Báo cáo 6 tháng", "issuer": "UBND xã",
              "period": "sau_thang"}]


def _form(tmp_path, draft=None):
    paths = write_scenario(_leaves_and_periodic(), tmp_path)
    source = load_criteria(paths["criteria"])
    data, skipped = write_self_assessment_form(source, {"code": "00002", "name": "Xã Thử", "type": "xã"}, draft)
    assert skipped == []
    form = tmp_path / "form.xlsx"
    form.write_bytes(data)
    return source, form


def _edit(path: Path, change) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)


def _rows(sheet) -> dict:
    return {sheet.cell(row, 1).value: row for row in range(4, sheet.max_row + 1) if sheet.cell(row, 1).value}


def test_conditions_and_periods_come_back_exactly(tmp_path):
    submission = _submission({"nhiem_vu": True, "kinh_phi": False}, DOCUMENTS)
    source, form = _form(tmp_path, submission)
    book = openpyxl.load_workbook(form)
    rows = _rows(book[SHEET])
    # the conditions sit on their own rows under the leaf, in order, with their có/không in F
    assert rows["1.1/nhiem_vu"] == rows["1.1"] + 1 and rows["1.1/kinh_phi"] == rows["1.1"] + 2
    assert rows["1.2"] == rows["1.1"] + 3 and rows["1.2/phan_cong"] == rows["1.2"] + 3
    assert [book[SHEET].cell(rows[key], 6).value for key in ("1.1/nhiem_vu", "1.1/kinh_phi", "1.2/phan_cong")] == ["có", "không", "không"]
    assert book[SHEET].cell(rows["1.1/kinh_phi"], 2).value == "– Đã bố trí kinh phí thực hiện"
    assert book[DOCS].cell(1, 7).value == "Kỳ báo cáo" and book[DOCS].cell(3, 7).value == "sau_thang"
    back = read_self_assessment_form(form, source, base_dir=tmp_path)
    assert json.loads(dumps_exact(back.data), parse_float=Decimal) == submission


def test_a_commune_fills_the_conditions_and_periods_by_hand(tmp_path):
    """Conditions typed có/không on their rows; a period typed by its label ("Báo cáo 6 tháng")."""
    source, form = _form(tmp_path)

    def fill(book):
        sheet, docs = book[SHEET], book[DOCS]
        rows = _rows(sheet)
        for key, value in (("1.1/nhiem_vu", "có"), ("1.1/kinh_phi", "không"), ("1.2/nhiem_vu", "có"),
                           ("1.2/kinh_phi", "có"), ("1.2/phan_cong", "không")):
            sheet.cell(rows[key], 6).value = value
        for code, points in (("1.1", 0), ("1.2", -0.25), ("1.3", 0.25)):
            sheet.cell(rows[code], 13).value = points
        for row, values in enumerate((["1.3", "41/BC-UBND", "15/03/2023", "Báo cáo quý I", "UBND xã", None, "q1"],
                                      ["1.3", "42/BC-UBND", "01/07/2023", "Báo cáo 6 tháng", "UBND xã", None, "Báo cáo 6 tháng"]),
                                     start=2):
            for column, value in enumerate(values, start=1):
                docs.cell(row, column).value = value
        guide = book["Hướng dẫn"]
        guide["B8"], guide["B9"], guide["B10"] = "1/BC-UBND", "08/01/2024", "A Vinh"

    _edit(form, fill)
    back = read_self_assessment_form(form, source, base_dir=tmp_path)
    assert back.data["leaves"]["1.1"]["facts"] == {"conditions": {"nhiem_vu": True, "kinh_phi": False}}
    assert [d["period"] for d in back.data["leaves"]["1.3"]["evidence"]] == ["q1", "sau_thang"]


def test_condition_and_period_problems_come_back_at_their_cells(tmp_path):
    submission = _submission({"nhiem_vu": True, "kinh_phi": False}, DOCUMENTS)
    source, form = _form(tmp_path, submission)

    def spoil(book):
        sheet, docs = book[SHEET], book[DOCS]
        rows = _rows(sheet)
        sheet.cell(rows["1.1/kinh_phi"], 6).value = None          # a condition left empty
        sheet.cell(rows["1.2/phan_cong"], 6).value = "có lẽ"      # not có/không
        docs.cell(2, 7).value = "quý 5"                           # no such period
        docs.cell(3, 7).value = None                              # a report naming no period
        docs.cell(4, 1).value, docs.cell(4, 2).value, docs.cell(4, 3).value = "1.1", "5/KH-UBND", "01/02/2023"
        docs.cell(4, 4).value, docs.cell(4, 5).value, docs.cell(4, 7).value = "Kế hoạch", "UBND xã", "q1"  # 1.1 has no periods

    _edit(form, spoil)
    with pytest.raises(FormError) as raised:
        read_self_assessment_form(form, source, base_dir=tmp_path)
    book = openpyxl.load_workbook(form)
    rows = _rows(book[SHEET])
    found = {(issue.pointer, issue.code) for issue in raised.value.issues}
    assert {(f"{SHEET}!F{rows['1.1/kinh_phi']}", "fact-missing"), (f"{SHEET}!F{rows['1.2/phan_cong']}", "form-cell-invalid"),
            (f"{DOCS}!G2", "evidence-period-unknown"), (f"{DOCS}!G4", "evidence-period-unknown"),
            (f"{DOCS}!A3", "evidence-period-missing")} <= found, found


def test_a_form_without_the_period_column_still_reads(tmp_path):
    """Forms sent to communes before issue 13 have six evidence columns: read as before."""
    submission = _submission({"nhiem_vu": True, "kinh_phi": True}, [])
    del submission["leaves"]["1.3"]["evidence"]
    source, form = _form(tmp_path, submission)
    _edit(form, lambda book: book[DOCS].delete_cols(7))
    back = read_self_assessment_form(form, source, base_dir=tmp_path)
    assert json.loads(dumps_exact(back.data), parse_float=Decimal) == submission


def test_the_rule_column_says_how_to_fill_them(tmp_path):
    source, form = _form(tmp_path)
    book = openpyxl.load_workbook(form)
    rows = _rows(book[SHEET])
    all_of, periodic = book[SHEET].cell(rows["1.1"], 4).value, book[SHEET].cell(rows["1.3"], 4).value
    assert "Đạt khi có đủ tất cả 2 điều kiện: (1) Đã xác định đầy đủ nhiệm vụ; (2) Đã bố trí kinh phí thực hiện" in all_of
    assert "Báo cáo quý I (ghi kỳ \"q1\"): hạn 15/03/2023" in periodic
    assert "mỗi báo cáo chậm trừ 0,25 điểm, mỗi báo cáo không có trừ 0,5 điểm, thấp nhất trừ 0,25 điểm" in periodic


def test_the_workbook_names_each_condition_and_each_report_period():
    """The results workbook's facts and evidence cells (read from results.json): conditions by
    their labels with có/không, documents with the period they report on."""
    from scoring.writers.workbook import evidence_text, facts_text

    facts = {"conditions": {"nhiem_vu": True, "kinh_phi": False},
             "condition_labels": {"nhiem_vu": "Đã xác định đầy đủ nhiệm vụ", "kinh_phi": "Đã bố trí kinh phí thực hiện"}}
    assert facts_text(facts) == "Đã xác định đầy đủ nhiệm vụ: có; Đã bố trí kinh phí thực hiện: không"
    assert evidence_text([{"number": "41/BC-UBND", "date": "2023-03-15", "period": "q1"},
                          {"number": "12/KH-UBND", "date": "2023-01-10"}]) == "41/BC-UBND ngày 15/03/2023 (kỳ q1); 12/KH-UBND ngày 10/01/2023"
