"""The explanation loop end to end on one commune (Đăk Sao, 23512): the council marks leaves
"đề nghị giải trình" on the first appraisal → `notice` → the commune fills the explanation
and a supplementary document → `import --kind explanation` puts it into its submission
without losing the original claim → the second appraisal → `score`: every stage (self,
evidence, appraisal 1, explanation, appraisal 2, final) is in results.json."""

from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest

from scoring.validate import validator

from scenario import FORM_READ_WARNING, TIME, run
from test_validation import EXAMPLE_SET, cli_args, copy_example, example_missing

TIME = "2024-02-01T08:00:00+07:00"
ISSUE = re.compile(r"^(?P<file>[^:]+?)!(?P<sheet>[^!]+)!(?P<cell>[A-Z]+\d+): .+ \[(?P<code>[a-z-]+)\]$")

pytestmark = [example_missing, pytest.mark.filterwarnings(FORM_READ_WARNING)]



def first_round(tmp_path):
    """The example as it stood after the first appraisal: Đăk Sao's 6.3 and 1.5.3 marked for
    explanation, its stage-2 entry not there yet."""
    paths = copy_example(tmp_path)
    appraisal_path = tmp_path / EXAMPLE_SET / "appraisal.json"
    appraisal = json.loads(appraisal_path.read_text(encoding="utf-8"))
    appraisal["entries"] = [e for e in appraisal["entries"] if not (e["commune"] == "23512" and e["stage"] == 2)]
    for entry in appraisal["entries"]:
        if entry["commune"] == "23512" and entry["leaf"] in ("6.3", "1.5.3"):
            entry["explanation_requested"] = True
    appraisal_path.unlink()
    appraisal_path.write_text(json.dumps(appraisal, ensure_ascii=False, indent=1), encoding="utf-8")
    return paths, appraisal_path


def rows_of(path):
    sheet = openpyxl.load_workbook(path)["Giải trình"]
    return sheet, {row[0].value: row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value}


def test_the_whole_cycle_on_one_commune(tmp_path):
    paths, appraisal_path = first_round(tmp_path)
    notices = tmp_path / "thong-bao"
    made = run("notice", "23512", *cli_args(paths), "--out", notices)
    assert made.exit_code == 0, made.output
    assert "2 tiêu chí đề nghị giải trình" in made.stdout
    form = notices / "giai-trinh-23512.xlsx"

    # the commune reads it: its leaves, the marked ones highlighted with a place to answer
    book = openpyxl.load_workbook(form)
    sheet = book["Giải trình"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert rows["6.3"][7].value == "Đề nghị giải trình" and rows["6.3"][0].fill.fgColor.rgb.endswith("FFE699")
    assert rows["6.3"][5].value == 0 and rows["6.3"][3].value == 1 and "Quyết định" in rows["6.3"][6].value
    assert rows["5.1"][7].value in (None, "") and rows["5.1"][5].value == 1.62
    assert not rows["6.3"][8].protection.locked and rows["5.1"][8].protection.locked

    # it answers
    sheet.cell(rows["6.3"][0].row, 9, "Xã đã ban hành Quyết định kiện toàn Tổ một cửa; gửi bổ sung.")
    for column, value in ((10, "10/QĐ-UBND"), (11, dt.datetime(2023, 3, 15)),
                          (12, "Quyết định kiện toàn Bộ phận Một cửa xã Đăk Sao"), (13, "UBND xã Đăk Sao")):
        sheet.cell(rows["6.3"][0].row, column, value)
    sheet.cell(rows["1.5.3"][0].row, 9, "Xã có thêm tuyên truyền qua nhóm Zalo thôn.")
    book.save(form)

    submission = tmp_path / EXAMPLE_SET / "communes" / "23512-dak-sao.json"
    original = json.loads(submission.read_text(encoding="utf-8"))
    answered = tmp_path / "23512-dak-sao.json"
    read = run("import", form, "--kind", "explanation", "--submission", submission, "--out", answered,
               "--criteria", paths["criteria"])
    assert read.exit_code == 0, read.output
    back = json.loads(answered.read_text(encoding="utf-8"))
    for code in original["leaves"]:  # the original claim is untouched
        kept = {k: v for k, v in back["leaves"][code].items() if k != "explanation_round"}
        assert kept == original["leaves"][code], code
    assert back["leaves"]["6.3"]["explanation_round"] == {
        "explanation": "Xã đã ban hành Quyết định kiện toàn Tổ một cửa; gửi bổ sung.",
        "evidence": [{"number": "10/QĐ-UBND", "date": "2023-03-15", "title": "Quyết định kiện toàn Bộ phận Một cửa xã Đăk Sao",
                      "issuer": "UBND xã Đăk Sao"}]}
    assert set(code for code, leaf in back["leaves"].items() if "explanation_round" in leaf) == {"6.3", "1.5.3"}
    submission.unlink()
    submission.write_text(answered.read_text(encoding="utf-8"), encoding="utf-8")

    # the second appraisal
    appraisal = json.loads(appraisal_path.read_text(encoding="utf-8"))
    appraisal["entries"] += [
        {"commune": "23512", "leaf": "6.3", "stage": 2, "score": 1, "reason": "Đã bổ sung Quyết định số 10/QĐ-UBND.",
         "date": "2024-01-29"},
        {"commune": "23512", "leaf": "1.5.3", "stage": 2, "score": 0.5, "reason": "Giữ nguyên: chưa có tài liệu.",
         "date": "2024-01-29"}]
    appraisal_path.unlink()
    appraisal_path.write_text(json.dumps(appraisal, ensure_ascii=False, indent=1), encoding="utf-8")

    out = tmp_path / "out"
    scored = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert scored.exit_code == 0, scored.output
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not list(validator("results").iter_errors(document))
    dak_sao = next(c for c in document["communes"] if c["code"] == "23512")
    leaf = next(leaf for leaf in dak_sao["leaves"] if leaf["code"] == "6.3")
    assert (leaf["self_score"], leaf["evidence_score"], leaf["final"]) == (1, 0, 1)
    stages = leaf["stages"]
    assert stages["appraisal_1"]["score"] == 0 and stages["appraisal_1"]["explanation_requested"] is True
    assert stages["explanation"]["explanation"].startswith("Xã đã ban hành Quyết định")
    assert stages["explanation"]["evidence"][0]["number"] == "10/QĐ-UBND"
    assert stages["appraisal_2"] == {"score": 1, "reason": "Đã bổ sung Quyết định số 10/QĐ-UBND.", "date": "2024-01-29",
                                     "appraised_by": appraisal["council"], "explanation_requested": False}
    untouched = next(leaf for leaf in dak_sao["leaves"] if leaf["code"] == "1.1.1")
    assert untouched["stages"] is None


def test_the_answer_is_checked_cell_by_cell(tmp_path):
    paths, _ = first_round(tmp_path)
    notices = tmp_path / "thong-bao"
    assert run("notice", "--all", *cli_args(paths), "--out", notices).exit_code == 0
    assert sorted(p.name for p in notices.iterdir()) == [f"giai-trinh-{code}.xlsx" for code in ("23503", "23512", "23530", "23533")]
    form = notices / "giai-trinh-23512.xlsx"
    book = openpyxl.load_workbook(form)
    sheet = book["Giải trình"]
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value}
    sheet.cell(rows["6.3"], 9, "Giải trình")
    sheet.cell(rows["6.3"], 10, "10/QĐ-UBND")
    sheet.cell(rows["6.3"], 11, "31/02/2023")          # not a date
    sheet.cell(rows["5.1"], 9, "ghi vào dòng không đề nghị")  # a row not marked
    # 1.5.3 is marked and left empty
    book.save(form)
    submission = tmp_path / EXAMPLE_SET / "communes" / "23512-dak-sao.json"
    read = run("import", form, "--kind", "explanation", "--submission", submission, "--out", tmp_path / "x.json",
               "--criteria", paths["criteria"])
    assert read.exit_code == 1
    found = {(m["cell"], m["code"]) for m in map(ISSUE.match, read.stderr.splitlines()) if m}
    assert {(f"K{rows['6.3']}", "form-date-invalid"), (f"L{rows['6.3']}", "form-cell-empty"),
            (f"I{rows['5.1']}", "form-cell-invalid"), (f"I{rows['1.5.3']}", "form-cell-empty")} <= found, read.stderr
    assert not (tmp_path / "x.json").exists()


def test_an_answer_needs_the_submission(tmp_path):
    paths, _ = first_round(tmp_path)
    notices = tmp_path / "n"
    assert run("notice", "23512", *cli_args(paths), "--out", notices).exit_code == 0
    read = run("import", notices / "giai-trinh-23512.xlsx", "--out", tmp_path / "x.json", "--criteria", paths["criteria"])
    assert read.exit_code in (1, 2)
    assert not (tmp_path / "x.json").exists()
