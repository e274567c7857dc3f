"""The round's board (`status`), `check` on a half-filled form, and the appraisal form's
"Đề nghị giải trình" and "Giải trình của xã" columns (issue 14).

The board is built on a copy of the bundled example brought to a state where every step of
the round occurs once: Tê Xăng (23533) has not submitted; Đăk Hà (23503) was appraised once
and explained the leaf the council marked; Ngọc Lây (23530) was marked and has not answered;
Đăk Sao (23512) was appraised twice; Đăk Tờ Kan (23506) was appraised once without a mark;
Đăk Rơ Ông (23509) has no survey tallies; the others wait for the first appraisal."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from scoring import load, score
from scoring.status import round_status

from scenario import FORM_READ_WARNING, run
from test_validation import EXAMPLE_SET, cli_args, copy_example, example_missing

pytestmark = [example_missing, pytest.mark.filterwarnings(FORM_READ_WARNING)]
AS_OF = "2024-01-25"
DEADLINES = {"self_assessment": "2024-01-10", "appraisal_1": "2024-01-20", "explanation": "2024-01-24",
             "appraisal_2": "2024-02-05", "approval": "2024-02-15"}


def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.unlink()  # the copy may be a hard link of the template: never write through it
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def round_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("round")
    paths = copy_example(folder)
    example = folder / EXAMPLE_SET
    next(example.glob("communes/23533-*.json")).unlink()
    _edit(example / "registry.json", lambda data: data.update(deadlines=DEADLINES))

    def appraise(data):
        entries = data["entries"]
        ha = next(e for e in entries if e["commune"] == "23503" and e["stage"] == 1)
        ha["explanation_requested"] = True
        next(e for e in entries if e["commune"] == "23530" and e["stage"] == 1)["explanation_requested"] = True
        entries.append({**{k: v for k, v in ha.items() if k != "explanation_requested"}, "commune": "23506"})
        data["entries"] = [e for e in entries if e["commune"] != "23533"]
        paths["ha_leaf"] = ha["leaf"]
    _edit(example / "appraisal.json", appraise)
    _edit(next(example.glob("communes/23503-*.json")), lambda data: data["leaves"][paths["ha_leaf"]].update(
        explanation_round={"explanation": "Xã đã ban hành văn bản, gửi kèm bản chụp.", "date": "2024-01-22"}))
    _edit(example / "survey.json", lambda data: data["tallies"].pop("23509"))
    return paths


def test_the_board_shows_every_state_of_the_round(round_copy):
    inputs = load(round_copy["criteria"], round_copy["submissions"])
    board = round_status(inputs, score(inputs), as_of=dt.date.fromisoformat(AS_OF))
    states = {unit["code"]: unit["state"] for unit in board["units"]}
    assert states["23533"] == "not_submitted"
    assert states["23503"] == "explanation_received"
    assert states["23530"] == "explanation_requested"
    assert states["23512"] == "appraised_2"
    assert states["23506"] == "appraised_1"
    assert states["23509"] == "submitted"
    assert set(states.values()) == set(board["counts"]) and all(board["counts"].values())
    assert board["registered"] == 11 and len(board["units"]) == 11 and sum(board["counts"].values()) == 11
    unit = {unit["code"]: unit for unit in board["units"]}
    # the registry's order, and the late steps at 25/01/2024: self-assessment (10/01) for Tê Xăng,
    # the first appraisal (20/01) for those still waiting, the explanation (24/01) for Ngọc Lây
    assert [u["code"] for u in board["units"]] == [u.code for u in inputs.registry.units]
    assert unit["23533"]["late"] == "nộp hồ sơ tự đánh giá" and unit["23533"]["provisional"] is None
    assert unit["23530"]["late"] == "giải trình" and unit["23509"]["late"] == "thẩm định lần 1"
    assert unit["23512"]["late"] is None and unit["23512"]["provisional"] is False and not unit["23512"]["remaining"]
    # a result stays TẠM TÍNH while anything remains: here judgement leaves the council has not scored
    assert unit["23506"]["provisional"] is True and unit["23506"]["appraisal"]["awaiting"]
    assert any("chờ Hội đồng chấm" in text for text in unit["23506"]["remaining"])
    assert unit["23503"]["explanation_received"] == [round_copy["ha_leaf"]]
    assert unit["23509"]["survey"] == {"done": 0, "total": 7}
    assert any("điều tra xã hội học" in text for text in unit["23509"]["remaining"])
    assert unit["23503"]["leaves"] == {"done": 52, "total": 52}
    assert sum(area["filled"]["total"] for area in unit["23503"]["areas"]) == 52
    assert unit["23512"]["appraisal"]["stage_2"] == 1 and unit["23512"]["appraisal"]["appraisers"]
    assert [(d["step"], d["days_left"]) for d in board["deadlines"]] == [
        ("self_assessment", -15), ("appraisal_1", -5), ("explanation", -1), ("appraisal_2", 11), ("approval", 21)]


def test_status_prints_and_writes_the_board(round_copy, tmp_path):
    out = tmp_path / "theo-doi.xlsx"
    result = run("status", *cli_args(round_copy), "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "11 đơn vị trong danh sách" in text and "Hạn giải trình: 24/01/2024 (đã qua 1 ngày)." in text
    for label in ("chưa nộp", "đã nộp, chờ thẩm định", "đã thẩm định lần 1", "đề nghị giải trình",
                  "đã giải trình, chờ thẩm định lần 2", "đã thẩm định lần 2"):
        assert label in text
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Theo dõi", "Tiến độ lĩnh vực", "Thời hạn"]
    sheet = book["Theo dõi"]
    header = [cell.value for cell in sheet[5]]
    assert header[:4] == ["STT", "Mã", "Đơn vị", "Trạng thái"] and header[-1] == "Còn lại"
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert len(rows) == 11
    assert rows["23533"][3] == "chưa nộp" and rows["23533"][11] == "chưa có kết quả"
    assert rows["23512"][3] == "đã thẩm định lần 2" and rows["23512"][11] == "chính thức"
    assert rows["23530"][3] == "đề nghị giải trình" and rows["23530"][8] == "1" and rows["23530"][9] == "0"
    assert rows["23503"][4] == "52/52" and "quá hạn" not in rows["23503"][12]
    areas = list(book["Tiến độ lĩnh vực"].iter_rows(min_row=2, values_only=True))
    assert len(areas) == 11 * 7 and ("23533", "Tê Xăng", "1") == areas[-7][:3] and areas[-7][4] == 0
    deadlines = list(book["Thời hạn"].iter_rows(min_row=2, values_only=True))
    assert deadlines[2] == ("giải trình", "24/01/2024", -1)
    again = run("status", *cli_args(round_copy), "--as-of", AS_OF, "--out", out)
    assert again.exit_code == 2  # never overwritten without --force


def test_status_without_a_registry_lists_the_submissions(tmp_path):
    paths = copy_example(tmp_path)
    (tmp_path / EXAMPLE_SET / "registry.json").unlink()
    result = run("status", *cli_args(paths), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "11 đơn vị: " in result.stdout and "Hạn " not in result.stdout


def test_check_on_a_half_filled_form_reports_progress(tmp_path):
    form = tmp_path / "23503.xlsx"
    made = run("form", "--commune", "23503", "--from", EXAMPLE_SET / "communes" / "23503-dak-ha.json", "--out", form)
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(form)
    sheet = book["Tự đánh giá"]
    emptied = []
    for row in range(4, sheet.max_row + 1):
        code = sheet.cell(row, 1).value
        if code and code.split(".")[0] in ("3", "4") and sheet.cell(row, 3).value is not None:
            for column in range(6, 16):
                sheet.cell(row, column).value = None
            emptied.append((code, row))
    book.save(form)
    result = run("check", form)
    assert result.exit_code == 0, result.output
    assert f"đã kê khai {52 - len(emptied)}/52 tiêu chí" in result.stdout
    lines = result.stdout.splitlines()
    area_3 = next(line for line in lines if line.startswith("3 "))
    assert " 0/12 " in area_3
    area_1 = next(line for line in lines if line.startswith("1 "))
    assert " 10/10 " in area_1
    for code, row in emptied:
        assert f"Tự đánh giá!A{row}: tiêu chí {code} (" in result.stdout
    assert result.stdout.count("chưa kê khai: chưa tính điểm [leaf-missing]") == len(emptied) == 16
    # errors stay errors: a text in a number cell of a filled row
    book = openpyxl.load_workbook(form)
    sheet = book["Tự đánh giá"]
    ratio_row = next(row for row in range(4, sheet.max_row + 1)
                     if sheet.cell(row, 8).value is not None and str(sheet.cell(row, 1).value).startswith("1."))
    sheet.cell(ratio_row, 8).value = "ba mươi"
    book.save(form)
    failed = run("check", form)
    assert failed.exit_code == 1 and "[form-cell-type]" in failed.output


def test_the_appraisal_form_asks_for_explanations_and_shows_them(round_copy, tmp_path):
    form = tmp_path / "tham-dinh.xlsx"
    made = run("appraisal-form", *cli_args(round_copy), "--communes", "23503,23530,23509", "--out", form)
    assert made.exit_code == 0, made.output
    book = openpyxl.load_workbook(form)
    sheet = book["Thẩm định"]
    assert [sheet.cell(3, column).value for column in (16, 17)] == ["Đề nghị giải trình", "Giải trình của xã"]
    rows = {(row[0].value, row[2].value): row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value}
    ha = rows[("23503", round_copy["ha_leaf"])]
    assert sheet.cell(ha, 16).value == "có"
    assert sheet.cell(ha, 17).value == "Xã đã ban hành văn bản, gửi kèm bản chụp."
    # the council marks one more leaf of Đăk Rơ Ông (scored) and one without a score (an error)
    target = next(row for (commune, _), row in rows.items() if commune == "23509")
    unscored = next(row for (commune, _), row in rows.items() if commune == "23509" and row != target)
    sheet.cell(target, 10).value = sheet.cell(target, 7).value
    sheet.cell(target, 16).value = "có"
    sheet.cell(unscored, 16).value = "có"
    book.save(form)
    failed = run("import", form, "--out", tmp_path / "a.json")
    assert failed.exit_code == 1 and f"Thẩm định!P{unscored}: đề nghị giải trình nhưng chưa có điểm" in failed.output
    book = openpyxl.load_workbook(form)
    book["Thẩm định"].cell(unscored, 16).value = None
    book.save(form)
    done = run("import", form, "--out", tmp_path / "a.json")
    assert done.exit_code == 0, done.output
    entries = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["entries"]
    asked = sorted((e["commune"], e["leaf"]) for e in entries if e.get("explanation_requested"))
    code_9 = sheet.cell(target, 3).value
    code_30 = next(e["leaf"] for e in json.loads((round_copy["submissions"].parent / "appraisal.json")
                                                  .read_text(encoding="utf-8"))["entries"]
                   if e["commune"] == "23530" and e.get("explanation_requested"))
    assert asked == sorted([("23503", round_copy["ha_leaf"]), ("23509", code_9), ("23530", code_30)])


def test_a_form_made_before_the_request_column_still_reads(tmp_path):
    paths = copy_example(tmp_path)
    form = tmp_path / "cu.xlsx"
    assert run("appraisal-form", *cli_args(paths), "--communes", "23512", "--out", form).exit_code == 0
    book = openpyxl.load_workbook(form)
    sheet = book["Thẩm định"]
    for row in range(3, sheet.max_row + 1):
        for column in (16, 17):
            sheet.cell(row, column).value = None
    book.save(form)
    result = run("import", form, "--out", tmp_path / "a.json")
    assert result.exit_code == 0, result.output
    entries = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["entries"]
    assert entries and not any(e.get("explanation_requested") for e in entries)


def test_the_explanation_shown_is_text_never_a_formula(tmp_path):
    paths = copy_example(tmp_path)
    submission = next((tmp_path / EXAMPLE_SET / "communes").glob("23512-*.json"))
    _edit(submission, lambda data: data["leaves"]["1.1.1"].update(
        explanation_round={"explanation": "=HYPERLINK(\"http://x\",\"bấm\")"}))
    form = tmp_path / "f.xlsx"
    assert run("appraisal-form", *cli_args(paths), "--communes", "23512", "--out", form).exit_code == 0
    sheet = openpyxl.load_workbook(form)["Thẩm định"]
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 3).value == "1.1.1")
    cell = sheet.cell(row, 17)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"http://x\",\"bấm\")"


def test_check_on_a_json_draft_lacking_leaves(tmp_path):
    draft = json.loads((EXAMPLE_SET / "communes" / "23503-dak-ha.json").read_text(encoding="utf-8"))
    dropped = [code for code in draft["leaves"] if code.split(".")[0] in ("5", "6")]
    for code in dropped:
        del draft["leaves"][code]
    path = tmp_path / "nhap.json"
    path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 0, result.output
    assert f"đã kê khai {52 - len(dropped)}/52 tiêu chí" in result.stdout and len(dropped) == 12
    assert result.stdout.count("[leaf-missing]") == 12
    area_5 = next(line for line in result.stdout.splitlines() if line.startswith("5 "))
    assert " 0/7 " in area_5
    # another problem of the draft stays an error (exit 1), listed with the rest
    draft["leaves"]["1.1.1"]["self_score"] = 5
    path.write_text(json.dumps(draft, ensure_ascii=False), encoding="utf-8")
    failed = run("check", path)
    assert failed.exit_code == 1 and "[self-score-above-max]" in failed.output
