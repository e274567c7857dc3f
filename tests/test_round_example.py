"""The bundled round in progress (submissions/vi-du-dang-cham, made by
tools/make_round_example.py from the bundled year): `status` shows every state of the round
at least once, with the registry's deadlines; `score` on it is TẠM TÍNH everywhere and
lists the commune that has not submitted; the decision refuses it without --provisional.
And `status` on the bundled finished year says what `score` makes of the same inputs.

The states by hand (tools/make_round_example.py's docstring): Tê Xăng has no file; Đăk Rơ
Ông, Tu Mơ Rông, Ngọc Yêu, Đăk Na, Măng Ri, Văn Xuôi wait for the first appraisal; Đăk Tờ
Kan was appraised once (3 judgement leaves, nothing marked); Ngọc Lây was appraised once
with 3.2.1 marked and has not answered; Đăk Hà was appraised once with 1.5.3 marked and
answered; Đăk Sao was marked on 6.3, answered and appraised again. The survey tallies of
Đăk Rơ Ông, Đăk Na and Văn Xuôi are not in. At 07/02/2024 only the self-assessment
deadline (10/01/2024) has passed: Tê Xăng is late, 28 days."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from scoring import load, score
from scoring.status import STATES, round_status
from scoring.validate import validator

from scenario import FORM_READ_WARNING, run

ROOT = Path(__file__).resolve().parent.parent
ROUND = ROOT / "submissions" / "vi-du-dang-cham"
ARGS = ["--submissions", ROUND / "communes"]
AS_OF = "2024-02-07"
TIME = "2024-02-07T08:00:00+07:00"
EXPECTED = {
    "23503": "explanation_received", "23506": "appraised_1", "23509": "submitted", "23512": "appraised_2",
    "23515": "submitted", "23518": "submitted", "23521": "submitted", "23524": "submitted", "23527": "submitted",
    "23530": "explanation_requested", "23533": "not_submitted"}
# the board's result column: final only where nothing remains (Đăk Tờ Kan, Đăk Sao)
RESULT = {code: "tạm tính" for code in EXPECTED} | {"23506": "chính thức", "23512": "chính thức",
                                                     "23533": "chưa có kết quả"}

pytestmark = [pytest.mark.skipif(not ROUND.is_dir(), reason="the bundled round example is not there"),
              pytest.mark.filterwarnings(FORM_READ_WARNING)]


def _tool():
    spec = importlib.util.spec_from_file_location("make_round_example", ROOT / "tools" / "make_round_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(folder: Path) -> dict:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != "README.md"}


def test_the_committed_example_is_what_the_tool_makes(tmp_path):
    _tool().make(tmp_path / "round")
    made, committed = _files(tmp_path / "round"), _files(ROUND)
    assert sorted(made) == sorted(committed)
    assert [name for name in made if made[name] != committed[name]] == []
    assert not any(name.startswith("communes/23533") or name.startswith("communes/evidence/23533") for name in made)


def test_the_board_shows_every_state(tmp_path):
    inputs = load(submissions=ROUND / "communes")
    board = round_status(inputs, score(inputs), as_of=dt.date.fromisoformat(AS_OF))
    assert {unit["code"]: unit["state"] for unit in board["units"]} == EXPECTED
    assert set(EXPECTED.values()) == set(STATES) and all(board["counts"].values())
    assert board["counts"] == {"not_submitted": 1, "submitted": 6, "appraised_1": 1, "explanation_requested": 1,
                               "explanation_received": 1, "appraised_2": 1}
    unit = {unit["code"]: unit for unit in board["units"]}
    assert unit["23530"]["explanation_requested"] == ["3.2.1"] and unit["23530"]["explanation_received"] == []
    assert unit["23503"]["explanation_requested"] == unit["23503"]["explanation_received"] == ["1.5.3"]
    assert unit["23512"]["appraisal"]["stage_2"] == 1 and unit["23512"]["explanation_received"] == ["6.3"]
    assert unit["23506"]["appraisal"] == {"stage_1": 3, "stage_2": 0, "appraisers": ["Tổ thẩm định số 1 (Phòng Nội vụ)"],
                                          "awaiting": []}
    assert unit["23530"]["appraisal"]["appraisers"] == ["Tổ thẩm định số 2 (Văn phòng HĐND và UBND)"]
    assert {code for code, u in unit.items() if u["survey"]["done"] == 0 and u["submitted"]} == {"23509", "23521", "23527"}
    assert [code for code, u in unit.items() if u["late"]] == ["23533"]
    assert (board["provisional"], board["final"]) == (8, 2)
    assert board["scored"]["provisional"] is True and board["scored"]["banner"].startswith("KẾT QUẢ TẠM TÍNH")


def test_status_prints_and_writes_every_state(tmp_path):
    out = tmp_path / "theo-doi.xlsx"
    result = run("status", *ARGS, "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert ("11 đơn vị trong danh sách: chưa nộp: 1; đã nộp, chờ thẩm định: 6; đã thẩm định lần 1: 1; "
            "đề nghị giải trình: 1; đã giải trình, chờ thẩm định lần 2: 1; đã thẩm định lần 2: 1.") in text
    assert "Kết quả tạm tính: 8; chính thức: 2." in text
    assert "Lệnh score với cùng dữ liệu: KẾT QUẢ TẠM TÍNH: chưa có đủ số phiếu điều tra xã hội học: 3 đơn vị" in text
    assert "Hạn nộp hồ sơ tự đánh giá: 10/01/2024 (đã qua 28 ngày)." in text
    assert "Hạn thẩm định lần 1: 09/02/2024 (còn 2 ngày)." in text
    assert "23533 Tê Xăng: chưa nộp hồ sơ tự đánh giá; quá hạn: nộp hồ sơ tự đánh giá." in text
    assert "23530 Ngọc Lây: chờ xã giải trình 1 tiêu chí (3.2.1)." in text
    assert "23503 Đăk Hà: chờ thẩm định lần 2: 1 tiêu chí đã giải trình (1.5.3)." in text
    assert "[not-submitted]" in result.stderr and result.stderr.count("[survey-missing]") == 3
    sheet = openpyxl.load_workbook(out)["Theo dõi"]
    assert sheet["A4"].value.startswith("Lệnh score với cùng dữ liệu: KẾT QUẢ TẠM TÍNH")
    rows = {row[1]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert {code: row[3] for code, row in rows.items()} == {code: STATES[state] for code, state in EXPECTED.items()}
    assert {code: row[11] for code, row in rows.items()} == RESULT
    assert rows["23533"][12].endswith("quá hạn: nộp hồ sơ tự đánh giá")


def test_score_on_the_round_is_tam_tinh_everywhere(tmp_path):
    out = tmp_path / "out"
    result = run("score", *ARGS, "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("KẾT QUẢ TẠM TÍNH: chưa có đủ số phiếu điều tra xã hội học: 3 đơn vị")
    assert "11 đơn vị trong danh sách, 10 đã chấm điểm, 1 chưa nộp hồ sơ" in result.stdout
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert not list(validator("results").iter_errors(document))
    assert document["provisional"] is True
    [reason] = document["provisional_reasons"]
    assert (reason["kind"], sorted(reason["communes"])) == ("survey_missing", ["23509", "23521", "23527"])
    assert [unit["code"] for unit in document["not_submitted"]] == ["23533"]
    leaves = {(c["code"], leaf["code"]): leaf for c in document["communes"] for leaf in c["leaves"]}
    asked = leaves[("23530", "3.2.1")]["stages"]
    assert asked["appraisal_1"]["explanation_requested"] is True and asked["explanation"] is None
    assert asked["appraisal_1"]["appraised_by"] == "Tổ thẩm định số 2 (Văn phòng HĐND và UBND)"
    answered = leaves[("23503", "1.5.3")]["stages"]
    assert answered["explanation"]["evidence"][0]["number"] == "21/KH-UBND" and answered["appraisal_2"] is None
    again = leaves[("23512", "6.3")]
    assert (again["self_score"], again["stages"]["appraisal_1"]["score"], again["stages"]["appraisal_2"]["score"],
            again["final"]) == (1, 0, 1, 1)
    sheet = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True).worksheets[0]
    assert next(sheet.iter_rows(max_row=1, values_only=True))[0].endswith("(TẠM TÍNH)")
    assert docx.Document(str(out / "quyet-dinh.docx")).paragraphs[0].text.startswith("DỰ THẢO - KẾT QUẢ TẠM TÍNH")
    refused = run("decision", out / "results.json", "--out", tmp_path / "qd.docx")
    assert refused.exit_code == 1 and "[results-provisional]" in refused.stderr
    assert not (tmp_path / "qd.docx").exists()


def test_status_on_the_finished_year_agrees_with_score():
    """The bundled year: 4 communes appraised (2 twice), 7 never; score counts their 21
    judgement leaves at the self-score (the criteria set's default) and is final, which the
    board says beside its own "tạm tính" (work left) for those 7."""
    result = run("status", "--as-of", "2024-02-01")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "11 đơn vị trong danh sách: đã nộp, chờ thẩm định: 7; đã thẩm định lần 1: 2; đã thẩm định lần 2: 2." in text
    assert "Kết quả tạm tính: 7; chính thức: 4." in text
    assert ("Lệnh score với cùng dữ liệu cho kết quả chính thức: theo bộ tiêu chí, 21 tiêu chí chấm theo nhận định "
            "chưa được Hội đồng thẩm định (7 đơn vị) được tính theo điểm tự chấm") in text
    assert "TẠM TÍNH" not in text and "quá hạn" not in text and "Cảnh báo" not in result.stderr


def test_notice_on_the_round(tmp_path):
    """A notice reports the first appraisal: written for Ngọc Lây (3.2.1 marked); refused, with
    nothing written, for a commune not yet appraised or one that has not submitted."""
    out = tmp_path / "thong-bao"
    made = run("notice", "23530", *ARGS, "--out", out)
    assert made.exit_code == 0, made.output
    assert "Ngọc Lây, 1 tiêu chí đề nghị giải trình" in made.stdout
    sheet = openpyxl.load_workbook(out / "giai-trinh-23530.xlsx")["Giải trình"]
    marked = [row[0].value for row in sheet.iter_rows(min_row=4) if row[0].value and row[7].value == "Đề nghị giải trình"]
    assert marked == ["3.2.1"]
    waiting = run("notice", "23509", *ARGS, "--out", tmp_path / "a")
    assert waiting.exit_code == 2 and "chưa có kết quả thẩm định lần 1 của xã mã 23509" in waiting.output
    absent = run("notice", "23533", "99999", *ARGS, "--out", tmp_path / "b")
    assert absent.exit_code == 2
    assert "xã Tê Xăng (mã 23533) chưa nộp hồ sơ tự đánh giá; không có hồ sơ của xã mã 99999" in absent.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    every = run("notice", "--all", *ARGS, "--out", tmp_path / "c")
    assert every.exit_code == 0, every.output
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        f"giai-trinh-{code}.xlsx" for code in ("23503", "23506", "23512", "23530")]
