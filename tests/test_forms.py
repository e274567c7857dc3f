"""Excel forms: the self-assessment form, the appraisal form, survey tables and `check`.

Round trips go through the command line (click's runner) for every bundled commune; broken
forms are made by editing generated ones with openpyxl, and every problem must come back at
its sheet and cell.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import warnings
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from cli import cli
from scoring.engine import score
from scoring.errors import CODES
from scoring.forms import (
    FormError, dumps_exact, load_criteria, read_self_assessment_form, write_self_assessment_form,
)
from scoring.forms.appraisal import AGREED
from scoring.files import read_json, submission_files
from scoring.load import load_inputs
from scoring.numbers import format_points

from scenario import criteria_document, write_scenario

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = ROOT / "criteria" / "tu-mo-rong-2023.json"
YEAR_DIR = ROOT / "submissions" / "tu-mo-rong-2023"
COMMUNES = YEAR_DIR / "communes"
FIXTURES = Path(__file__).parent / "fixtures" / "forms"

BUNDLED = CRITERIA.is_file() and COMMUNES.is_dir() and bool(submission_files(COMMUNES))
needs_bundled = pytest.mark.skipif(not BUNDLED, reason="the bundled example (criteria/tu-mo-rong-2023.json, "
                                                       "submissions/tu-mo-rong-2023/) is not there")
COMMUNE_FILES = submission_files(COMMUNES) if BUNDLED else []

LINE = re.compile(r"^(?P<file>.+?\.(?:xlsx|csv))(?:!(?P<where>[^:]+))?: (?P<message>.*) \[(?P<code>[a-z0-9-]+)\]$")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def problems(result) -> list[tuple[str, str]]:
    """The (location, code) of every problem line the CLI printed."""
    found = []
    for line in result.stderr.splitlines():
        match = LINE.match(line)
        if match:
            found.append((match["where"] or "", match["code"]))
    return found


def content(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "$schema"}


def leaf_rows(sheet) -> dict[str, int]:
    return {sheet.cell(row, 1).value: row for row in range(4, sheet.max_row + 1) if sheet.cell(row, 1).value}


def edit(path: Path, change) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
        change(book)
        book.save(path)
    return path


@pytest.fixture(scope="module")
def source():
    if not BUNDLED:
        pytest.skip("the bundled example is not there")
    return load_criteria(CRITERIA)


# ---------------------------------------------------------------- self-assessment form


@needs_bundled
@pytest.mark.parametrize("path", COMMUNE_FILES, ids=lambda p: p.stem)
def test_form_from_submission_then_import_gives_the_submission_back(path, tmp_path):
    form = tmp_path / "form.xlsx"
    made = run("form", "--from", path, "--out", form)
    assert made.exit_code == 0, made.output
    out = tmp_path / "communes" / "back.json"
    back = run("import", form, "--out", out)
    assert back.exit_code == 0, back.output
    assert content(read_json(out).data) == content(read_json(path).data)


@needs_bundled
def test_a_form_with_a_text_a_score_above_max_and_a_deleted_row_reports_each_cell(source, tmp_path):
    original = COMMUNE_FILES[0]
    form = tmp_path / "form.xlsx"
    assert run("form", "--from", original, "--out", form).exit_code == 0
    leaves = [leaf for leaf in source.criteria.leaves if leaf.section == "area"]
    ratio = next(leaf for leaf in leaves if leaf.rule.kind == "ratio_thresholds")
    first = leaves[0]
    deleted = leaves[max(leaves.index(ratio), 0) + 2]
    rows = {}

    def damage(book):
        sheet = book["Tự đánh giá"]
        rows.update(leaf_rows(sheet))
        sheet.cell(rows[ratio.code], 8).value = "ba mươi sáu"
        sheet.cell(rows[first.code], 13).value = float(first.max / 100 + 1)
        sheet.delete_rows(rows[deleted.code])

    edit(form, damage)
    out = tmp_path / "out.json"
    result = run("import", form, "--out", out)
    assert result.exit_code == 1
    assert problems(result) == [
        (f"Tự đánh giá!M{rows[first.code]}", "self-score-above-max"),
        (f"Tự đánh giá!H{rows[ratio.code]}", "form-cell-type"),
        (f"Tự đánh giá!A{rows[deleted.code]}", "form-row-missing"),
    ]
    assert "không ghi kết quả nào" in result.stderr
    assert not out.exists()


@needs_bundled
def test_dates_as_excel_dates_or_dd_mm_yyyy_text_and_a_date_that_is_not_one(tmp_path):
    form = tmp_path / "form.xlsx"
    run("form", "--from", COMMUNE_FILES[0], "--out", form)

    def dates(book):
        sheet = book["Tài liệu kiểm chứng"]
        sheet["C2"].value = "05/02/2023"
        sheet["C3"].value = "31/02/2023"
        sheet["C4"].value = "hôm qua"

    edit(form, dates)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert problems(result) == [("Tài liệu kiểm chứng!C3", "form-date-invalid"),
                                ("Tài liệu kiểm chứng!C4", "form-date-invalid")]
    def repair(book):
        sheet = book["Tài liệu kiểm chứng"]
        sheet["C3"].value = "06/02/2023"
        sheet["C4"].value = datetime.datetime(2023, 2, 6)

    edit(form, repair)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 0, result.output
    leaves = read_json(tmp_path / "out.json").data["leaves"]
    first_documents = [doc for leaf in leaves.values() for doc in leaf.get("evidence", [])][:3]
    assert [d["date"] for d in first_documents] == ["2023-02-05", "2023-02-06", "2023-02-06"]


@needs_bundled
def test_a_moved_row_is_reported(source, tmp_path):
    form = tmp_path / "form.xlsx"
    run("form", "--from", COMMUNE_FILES[0], "--out", form)
    codes = [leaf.code for leaf in source.criteria.leaves if leaf.section == "area"]

    def swap(book):
        sheet = book["Tự đánh giá"]
        rows = leaf_rows(sheet)
        a, b = rows[codes[0]], rows[codes[1]]
        for column in range(1, 16):
            first, second = sheet.cell(a, column), sheet.cell(b, column)
            first.value, second.value = second.value, first.value

    edit(form, swap)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1
    assert [code for _, code in problems(result)] == ["form-row-moved"]


@pytest.mark.parametrize("changes", [{"id": "thu-nghiem"}, {"id": "tu-mo-rong-2023", "year": 2024}],
                         ids=["another set", "another year"])
@needs_bundled
def test_a_form_made_for_another_criteria_set_or_year_is_refused(changes, tmp_path):
    document = criteria_document({"leaves": [
        {"code": "1.1", "title": "Ban hành kế hoạch", "max": 1, "rule": {"kind": "yes_no", "question": "Có kế hoạch"}}]})
    document.update(changes)
    other = tmp_path / "other.json"
    other.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    form = tmp_path / "form.xlsx"
    assert run("form", "--criteria", other, "--commune", "00001", "--out", form).exit_code == 0
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1
    assert problems(result) == [("Hướng dẫn!B4", "form-criteria-mismatch")]


def test_a_file_that_is_not_a_form(tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("không phải bảng tính", encoding="utf-8")
    blank = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(blank)
    for path in (text, blank):
        result = run("import", path, "--out", tmp_path / "out.json")
        assert result.exit_code == 1
        assert problems(result) == [("", "form-not-a-form")]
        assert not (tmp_path / "out.json").exists()


@needs_bundled
def test_formula_like_text_stays_text(tmp_path):
    draft = copy.deepcopy(read_json(COMMUNE_FILES[0]).data)
    draft["commune"]["name"] = '=HYPERLINK("http://example.com","Đăk Hà")'
    code = next(iter(draft["leaves"]))
    draft["leaves"][code]["explanation"] = "=1+1"
    # xlsxwriter copies a string shaped like "<r>…</r>" into the XML unescaped
    draft["report"]["signer"] = '<r><f>1+1</f></r>'
    draft["leaves"][code].setdefault("evidence", []).append(
        {"number": "+12/KH", "date": "2023-02-01", "title": "@SUM(A1)", "issuer": "-UBND"})
    draft_path = tmp_path / "draft.json"
    draft_path.write_text(dumps_exact(draft).decode("utf-8"), encoding="utf-8")
    form = tmp_path / "form.xlsx"
    assert run("form", "--from", draft_path, "--out", form).exit_code == 0
    with zipfile.ZipFile(form) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    book = openpyxl.load_workbook(form)
    assert book["Hướng dẫn"]["B6"].data_type == "s"
    assert book["Hướng dẫn"]["B6"].value == draft["commune"]["name"]
    out = tmp_path / "communes" / "back.json"
    result = run("import", form, "--out", out)
    assert result.exit_code == 0, result.output
    assert content(read_json(out).data) == content(json.loads(dumps_exact(draft), parse_float=Decimal))


@needs_bundled
def test_existing_output_needs_force(tmp_path):
    form = tmp_path / "form.xlsx"
    assert run("form", "--from", COMMUNE_FILES[0], "--out", form).exit_code == 0
    assert run("form", "--from", COMMUNE_FILES[0], "--out", form).exit_code == 2
    assert run("form", "--from", COMMUNE_FILES[0], "--out", form, "--force").exit_code == 0
    out = tmp_path / "out.json"
    out.write_text("{}", encoding="utf-8")
    assert run("import", form, "--out", out).exit_code == 2
    assert out.read_text(encoding="utf-8") == "{}"
    assert run("appraisal-form", "--out", form).exit_code == 2


@needs_bundled
def test_a_blank_form_names_the_commune_and_lists_what_is_missing(tmp_path):
    form = tmp_path / "form.xlsx"
    code = read_json(COMMUNE_FILES[0]).data["commune"]["code"]
    assert run("form", "--commune", code, "--out", form).exit_code == 0
    book = openpyxl.load_workbook(form)
    assert book["Hướng dẫn"]["B6"].value == read_json(COMMUNE_FILES[0]).data["commune"]["name"]
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1
    # the facts, the self-scores and the covering report's number, date and signer are required (issue 16)
    assert {code for _, code in problems(result)} == {"fact-missing", "form-cell-empty"}
    empty = {where for where, code in problems(result) if code == "form-cell-empty"}
    assert {"Hướng dẫn!B8", "Hướng dẫn!B9", "Hướng dẫn!B10"} <= empty
    assert any(where.startswith("Tự đánh giá!M") for where in empty)  # the self-scores
    assert run("form", "--commune", "12", "--out", tmp_path / "x.xlsx").exit_code == 2


# ---------------------------------------------------------------- exact numbers, any values (property)

SMALL = {"leaves": [
    {"code": "1.1", "title": "Hồ sơ đúng hạn", "max": 2, "not_applicable": "exclude",
     "rule": {"kind": "ratio_thresholds", "numerator": "Số hồ sơ đúng hạn", "denominator": "Tổng số hồ sơ",
              "thresholds": [{"at": 100, "points": 2}, {"at": 95, "points": 1}], "otherwise": 0},
     "evidence": {"required": True, "types": ["BC"], "description": "Báo cáo"}},
    {"code": "1.2", "title": "Tỷ lệ số hóa", "max": 1,
     "rule": {"kind": "value_thresholds", "value": "Tỷ lệ", "unit": "%", "direction": "at_least",
              "thresholds": [{"at": 90, "points": 1}], "otherwise": 0}},
    {"code": "1.3", "title": "Chất lượng", "max": 1.5, "rule": {"kind": "judgement", "step": 0.25}},
    {"code": "1.4", "title": "Mức độ", "max": 1, "rule": {"kind": "choice", "options": [
        {"value": "du", "label": "Đầy đủ", "points": 1}, {"value": "thieu", "label": "Chưa đầy đủ", "points": 0.5}]}},
    {"code": "1.5", "title": "Có quy chế", "max": 1, "not_applicable": "full",
     "rule": {"kind": "yes_no", "question": "Đã ban hành quy chế"}},
    {"code": "1.6", "title": "Báo cáo đúng hạn", "max": 1,
     "rule": {"kind": "deduction", "violation": "Báo cáo trễ hạn", "per_violation": 0.25}},
], "adjustments": {"bonus": {"title": "Điểm thưởng", "cap": 1, "items": [
    {"code": "T.1", "title": "Sáng kiến", "max": 1, "rule": {"kind": "per_count", "counted": "Sáng kiến", "points_each": 0.5}}]}}}

TEXT = st.text(alphabet="abcdeđươăâêôàáảãạ ĐƯ=+-@/0123456789,.", min_size=1, max_size=25).map(str.strip).filter(bool)


def hundredths(low: int, high: int, step: int = 1):
    return st.integers(low // step, high // step).map(lambda n: Decimal(n * step) / 100)


@st.composite
def submissions(draw):
    leaves = {}
    total = draw(st.integers(1, 500))
    leaves["1.1"] = {"facts": {"numerator": draw(st.integers(0, total)), "denominator": total},
                     "self_score": draw(hundredths(0, 200))}
    leaves["1.2"] = {"facts": {"value": draw(hundredths(-100000, 100000))}, "self_score": draw(hundredths(0, 100))}
    leaves["1.3"] = {"self_score": draw(hundredths(0, 150, 25))}
    # the form requires a self-score on every leaf not claimed not applicable (issue 16)
    leaves["1.4"] = {"facts": {"choice": draw(st.sampled_from(["du", "thieu"]))}, "self_score": draw(hundredths(0, 100))}
    if draw(st.booleans()):
        leaves["1.5"] = {"not_applicable": True, "self_score": Decimal(1)}
    else:
        leaves["1.5"] = {"facts": {"done": draw(st.booleans())}, "self_score": draw(hundredths(0, 100))}
    leaves["1.6"] = {"facts": {"violations": draw(st.integers(0, 9))}, "self_score": draw(hundredths(0, 100, 25))}
    if draw(st.booleans()):
        leaves["T.1"] = {"facts": {"count": draw(st.integers(0, 5))}}
    for code in leaves:
        if draw(st.booleans()):
            leaves[code]["explanation"] = draw(TEXT)
    documents = draw(st.lists(st.tuples(st.sampled_from(sorted(leaves)), TEXT, TEXT, st.dates(
        min_value=datetime.date(2022, 10, 1), max_value=datetime.date(2024, 1, 31)), st.booleans()), max_size=4,
        # the same document twice on a leaf is refused (form-row-duplicate)
        unique_by=lambda d: (d[0], " ".join(d[1].casefold().split()), d[3])))
    for code, number, title, day, with_file in documents:
        document = {"number": number, "date": day.isoformat(), "title": title, "issuer": "UBND xã"}
        if with_file:
            document["file"] = f"evidence/{number.replace('/', '-')}.pdf"
        leaves[code].setdefault("evidence", []).append(document)
    # and the covering report's number, date and signer
    report = {"number": draw(TEXT), "date": draw(st.dates(min_value=datetime.date(2023, 1, 1),
                                                          max_value=datetime.date(2024, 3, 1))).isoformat(),
              "signer": draw(TEXT)}
    return {"criteria_id": "thu-nghiem", "year": 2023, "commune": {"code": "00001", "name": draw(TEXT), "type": "xã"},
            "report": report, "leaves": leaves}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submission=submissions())
def test_any_submission_comes_back_exactly(submission, tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    paths = write_scenario({**SMALL, "communes": []}, folder)
    source = load_criteria(paths["criteria"])
    content_bytes, skipped = write_self_assessment_form(source, submission["commune"], submission)
    assert skipped == []
    form = folder / "form.xlsx"
    form.write_bytes(content_bytes)
    back = read_self_assessment_form(form, source, base_dir=folder)
    assert json.loads(dumps_exact(back.data), parse_float=Decimal) == submission


def test_small_criteria_form_reports_choice_and_yes_no_words(tmp_path):
    paths = write_scenario({**SMALL, "communes": []}, tmp_path)
    source = load_criteria(paths["criteria"])
    data, _ = write_self_assessment_form(source, {"code": "00001", "name": "Xã Thử", "type": "xã"})
    form = tmp_path / "form.xlsx"
    form.write_bytes(data)

    def fill(book):
        sheet = book["Tự đánh giá"]
        rows = leaf_rows(sheet)
        sheet.cell(rows["1.4"], 7).value = "Gần đủ"      # not an option
        sheet.cell(rows["1.5"], 6).value = "có lẽ"       # not có/không
        sheet.cell(rows["1.6"], 11).value = 1.5          # not a whole number
        sheet.cell(rows["1.3"], 13).value = 0.3          # off the judgement step
        sheet.cell(rows["1.2"], 13).value = 0.125        # three decimals
        documents = book["Tài liệu kiểm chứng"]           # a bonus item with a document but no count
        for column, value in enumerate(["T.1", "3/BC-UBND", "01/02/2023", "Báo cáo sáng kiến", "UBND xã"], start=1):
            documents.cell(2, column).value = value

    edit(form, fill)
    with pytest.raises(FormError) as raised:
        read_self_assessment_form(form, source, base_dir=tmp_path)
    found = {(issue.pointer.split("!")[1][0], issue.code) for issue in raised.value.issues}
    assert {("G", "fact-invalid"), ("F", "form-cell-invalid"), ("K", "form-cell-type"), ("M", "score-off-step"),
            ("M", "precision"), ("L", "fact-missing")} <= found


def test_the_form_locks_what_is_printed_and_opens_what_is_asked(tmp_path):
    paths = write_scenario({**SMALL, "communes": []}, tmp_path)
    data, _ = write_self_assessment_form(load_criteria(paths["criteria"]), {"code": "00001", "name": "Xã Thử", "type": "xã"})
    form = tmp_path / "form.xlsx"
    form.write_bytes(data)
    book = openpyxl.load_workbook(form)
    assert book["_meta"].sheet_state == "hidden"
    sheet = book["Tự đánh giá"]
    assert sheet.protection.sheet and book["Hướng dẫn"].protection.sheet
    row = leaf_rows(sheet)["1.1"]  # ratio: Tử số (H), Mẫu số (I); not applicable allowed (N)
    unlocked = {sheet.cell(row, column).column_letter for column in range(1, 16)
                if not sheet.cell(row, column).protection.locked}
    assert unlocked == {"H", "I", "M", "N", "O"}
    kinds = {v.type for v in sheet.data_validations.dataValidation}
    assert {"list", "whole", "decimal"} <= kinds
    assert {v.type for v in book["Tài liệu kiểm chứng"].data_validations.dataValidation} == {"list", "date"}


# ---------------------------------------------------------------- check


@needs_bundled
@pytest.mark.parametrize("path", COMMUNE_FILES, ids=lambda p: p.stem)
def test_check_total_equals_the_engine_without_appraisal(path):
    inputs = load_inputs(CRITERIA, COMMUNES)
    results = score(replace(inputs, appraisal=None))
    code = read_json(path).data["commune"]["code"]
    expected = next(c for c in results.communes if c.code == code)
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert f"Tổng điểm tạm tính: {format_points(expected.appraised, decimals=0)}/" in result.stdout
    assert "chưa có kết quả thẩm định" in result.stdout


@needs_bundled
def test_check_reads_a_filled_form_too(tmp_path):
    form = tmp_path / "form.xlsx"
    run("form", "--from", COMMUNE_FILES[0], "--out", form)
    from_form, from_json = run("check", form), run("check", COMMUNE_FILES[0])
    assert from_form.exit_code == 0, from_form.output
    total = re.search(r"Tổng điểm tạm tính: .*", from_json.stdout).group(0)
    assert total in from_form.stdout


def test_check_lists_leaves_above_their_evidence_and_lacking_it(tmp_path):
    case = {"leaves": SMALL["leaves"][:2], "communes": [{"code": "00001", "leaves": {
        "1.1": {"facts": {"numerator": 90, "denominator": 100}, "self_score": 2},
        "1.2": {"facts": {"value": 95}, "self_score": 1}}}]}
    paths = write_scenario(case, tmp_path)
    result = run("check", paths["submissions"] / "00001.json", "--criteria", paths["criteria"])
    assert result.exit_code == 0, result.output
    assert "Tiêu chí tự chấm cao hơn điểm theo tài liệu kiểm chứng (1):\n  - 1.1 " in result.stdout
    assert "Tiêu chí thiếu tài liệu kiểm chứng (1):\n  - 1.1 " in result.stdout
    assert "Tổng điểm tạm tính: 1/3 điểm" in result.stdout


# ---------------------------------------------------------------- appraisal form


@needs_bundled
def test_appraisal_form_round_trips_the_bundled_appraisal(tmp_path):
    form = tmp_path / "appraisal.xlsx"
    made = run("appraisal-form", "--out", form)
    assert made.exit_code == 0, made.output
    out = tmp_path / "appraisal.json"
    result = run("import", form, "--out", out)
    assert result.exit_code == 0, result.output
    original, back = read_json(YEAR_DIR / "appraisal.json").data, read_json(out).data

    def key(entry):
        return entry["commune"], entry["leaf"], entry["stage"]

    assert sorted(back["entries"], key=key) == sorted(original["entries"], key=key)
    assert {k: v for k, v in content(back).items() if k != "entries"} == \
           {k: v for k, v in content(original).items() if k != "entries"}


@needs_bundled
def test_appraisal_scores_out_of_range_off_step_or_changed_without_reason(source, tmp_path):
    form = tmp_path / "appraisal.xlsx"
    run("appraisal-form", "--out", form)
    judgement = next(leaf for leaf in source.criteria.leaves if leaf.rule.kind == "judgement")
    cells = {}

    def fill(book):
        sheet = book["Thẩm định"]
        free = [row for row in range(4, sheet.max_row + 1) if sheet.cell(row, 10).value is None
                and sheet.cell(row, 13).value is None and sheet.cell(row, 11).value is None]
        judged = next(r for r in free if sheet.cell(r, 3).value == judgement.code)
        scored = [r for r in free if r != judged and (sheet.cell(r, 7).value or 0) > 0]
        above, changed, agreed, reason_only = scored[:4]
        sheet.cell(judged, 10).value = 0.3
        sheet.cell(above, 10).value = float(sheet.cell(above, 5).value) + 1
        sheet.cell(changed, 10).value = 0
        sheet.cell(agreed, 10).value = sheet.cell(agreed, 7).value
        sheet.cell(reason_only, 14).value = "Giữ nguyên"
        cells.update(judged=judged, above=above, changed=changed, agreed=agreed, reason_only=reason_only)

    edit(form, fill)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1
    assert sorted(problems(result)) == sorted([
        (f"Thẩm định!J{cells['judged']}", "score-off-step"),
        (f"Thẩm định!J{cells['above']}", "score-above-max"),
        (f"Thẩm định!K{cells['changed']}", "appraisal-reason-missing"),
        (f"Thẩm định!M{cells['reason_only']}", "appraisal-score-missing"),
    ])

    def fix(book):
        sheet = book["Thẩm định"]
        for name in ("judged", "above", "changed"):
            sheet.cell(cells[name], 10).value = None
        sheet.cell(cells["reason_only"], 14).value = None

    edit(form, fix)
    out = tmp_path / "out.json"
    assert run("import", form, "--out", out).exit_code == 0
    added = [e for e in read_json(out).data["entries"] if e["reason"] == AGREED]
    assert len(added) == 1 and added[0]["stage"] == 1


# ---------------------------------------------------------------- survey tables


def survey_rows(tallies: dict) -> list[list]:
    rows = [["Mã xã", "Tên xã", "Câu hỏi", "A", "B", "C", "D"]]
    for commune, questions in tallies.items():
        for question, counts in questions.items():
            rows.append([commune, "", question] + [counts.get(option, 0) for option in "ABCD"])
    return rows


@needs_bundled
def test_survey_csv_becomes_the_survey_file(tmp_path):
    original = read_json(YEAR_DIR / "survey.json").data
    csv_path = tmp_path / "phieu.csv"
    text = "\n".join(",".join(str(v) for v in row) for row in survey_rows(original["tallies"])) + "\n"
    csv_path.write_bytes("\ufeff".encode("utf-8") + text.encode("utf-8"))
    out = tmp_path / "survey.json"
    result = run("import", csv_path, "--out", out)
    assert result.exit_code == 0, result.output
    back = read_json(out).data
    assert back["tallies"] == {c: {q: {o: n for o, n in t.items()} | {o: 0 for o in "ABCD" if o not in t}
                                   for q, t in qs.items()} for c, qs in original["tallies"].items()}
    assert back["criteria_id"] == original["criteria_id"] and back["conducted_by"]


@needs_bundled
def test_bad_survey_csv_reports_each_cell(tmp_path):
    result = run("import", FIXTURES / "survey-bad.csv", "--out", tmp_path / "survey.json")
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "survey.json").exists()
    assert sorted(problems(result)) == sorted([
        ("R2C1", "survey-missing"), ("R2C6", "survey-tally-invalid"), ("R3C4", "survey-tally-invalid"),
        ("R4C3", "survey-not-survey-leaf"), ("R5C1", "form-cell-type"), ("R6C3", "form-row-duplicate"),
        ("R7C3", "survey-empty"), ("R8C4", "survey-tally-invalid"),
    ])


@needs_bundled
def test_survey_workbook_with_a_title_row(tmp_path):
    original = read_json(YEAR_DIR / "survey.json").data
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Số phiếu"
    sheet.append(["Kết quả điều tra xã hội học năm 2023"])
    sheet.append([])
    header, *rows = survey_rows(original["tallies"])
    sheet.append(header)
    for row in rows:
        sheet.append([int(row[0])] + row[1:])  # a commune code typed as a number
    path = tmp_path / "phieu.xlsx"
    book.save(path)
    out = tmp_path / "survey.json"
    assert run("import", path, "--out", out, "--kind", "survey").exit_code == 0
    assert set(read_json(out).data["tallies"]) == set(original["tallies"])
    sheet["D5"].value = "năm"
    book.save(path)
    result = run("import", path, "--out", out, "--force")
    assert result.exit_code == 1
    assert problems(result) == [("Số phiếu!D5", "survey-tally-invalid")]


def test_every_form_code_is_documented():
    used = set()
    for path in (ROOT / "scoring" / "forms").glob("*.py"):
        used |= set(re.findall(r'"((?:form|survey|appraisal)-[a-z-]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(CODES), sorted(used - set(CODES))
