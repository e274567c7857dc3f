"""A survey question inside a content area (issue 13: "some tables give every row a survey
column: a leaf scored from survey tallies may sit in any area, and that area's sub-index
counts it"). The scores are the scenario cases in tests/cases/survey_in_area.json; here: the
commune's form shows the row without asking for a score and reads back, the round's status
counts it with the survey, and the bonus/penalty items still refuse a survey question."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import openpyxl

from scoring.engine import score
from scoring.forms import load_criteria, read_self_assessment_form, write_self_assessment_form
from scoring.forms.self_assessment import SURVEY_ROW_NOTE
from scoring.load import load_inputs
from scoring.status import round_status
from scoring.files import ParsedFile
from scoring.validate import check_criteria

from scenario import criteria_document, write_scenario

CASE = json.loads((Path(__file__).parent / "cases" / "survey_in_area.json").read_text(encoding="utf-8"))["cases"][0]


def test_the_form_shows_the_survey_row_without_asking_for_a_score_and_reads_back(tmp_path):
    paths = write_scenario(CASE, tmp_path)
    source = load_criteria(paths["criteria"])
    commune = {"code": "00001", "name": "Xã 00001", "type": "xã"}
    leaves = {code: {**entry, "self_score": score} for (code, entry), score
              in zip(CASE["communes"][0]["leaves"].items(), (5.4, 1))}
    draft = {"criteria_id": "thu-nghiem", "year": 2023, "commune": commune, "leaves": leaves,
             "report": {"number": "5/BC-UBND", "date": "2024-01-08", "signer": "Nguyễn Văn A"}}
    data, skipped = write_self_assessment_form(source, commune, draft)
    assert skipped == []
    form = tmp_path / "form.xlsx"
    form.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sheet = openpyxl.load_workbook(form)["Tự đánh giá"]
    codes = [sheet.cell(row, 1).value for row in range(4, sheet.max_row + 1)]
    assert "1.2.1" in codes and "1.2.2" not in codes and "2.1" not in codes
    titles = [sheet.cell(row, 2).value for row in range(4, sheet.max_row + 1)]
    survey_row = next(t for t in titles if t and t.startswith("1.2.2."))
    assert SURVEY_ROW_NOTE in survey_row and "điểm từ điều tra xã hội học" in survey_row
    # the row sits inside its area, right after 1.2.1 and before the form's end (no survey area)
    assert titles.index(survey_row) == codes.index("1.2.1") + 1
    assert not any(t and t.startswith("2. ") for t in titles)
    back = read_self_assessment_form(form, source, base_dir=tmp_path)
    assert set(back.data["leaves"]) == {"1.1", "1.2.1"}


def test_the_round_status_counts_it_with_the_survey(tmp_path):
    paths = write_scenario(CASE, tmp_path)
    inputs = load_inputs(**paths)
    board = round_status(inputs, score(inputs))
    unit = next(u for u in board["units"] if u["code"] == "00002")
    assert unit["survey"]["total"] == 2  # 1.2.2 (content area 1) and 2.1 (the survey area)
    area = next(a for a in unit["areas"] if a["code"] == "1")
    assert area["filled"]["total"] == 2  # 1.1 and 1.2.1: the commune does not fill 1.2.2


def test_a_survey_question_is_still_refused_among_the_bonus_items():
    document = criteria_document({**CASE})
    survey_leaf = copy.deepcopy(CASE["leaves"][1]["items"][1])
    survey_leaf.update(code="T.1", max=1)
    document["adjustments"] = {"bonus": {"title": "Điểm thưởng", "cap": 1, "items": [survey_leaf]}}
    found = [(issue.pointer, issue.code) for issue in check_criteria(ParsedFile("criteria.json", document, "", ()))]
    assert ("/adjustments/bonus/items/0/rule/kind", "survey-area") in found


def test_check_says_the_survey_question_of_a_content_area_is_not_counted_yet(tmp_path):
    from scoring.forms.check import check_text, provisional_score

    paths = write_scenario(CASE, tmp_path)
    source = load_criteria(paths["criteria"])
    text = check_text(source, provisional_score(paths["submissions"] / "00001.json", source, base_dir=paths["submissions"]))
    assert "tiêu chí 1.2.2 (Người dân đánh giá việc công khai thủ tục hành chính, 4 điểm), điểm từ điều tra xã hội học" in text
    assert "lĩnh vực 2 (Điều tra xã hội học" in text
    # area 1 before the survey: 1.1 (9/10 × 6 = 5,4) and 1.2.1 (1), of 7 (1.2.2 waits for the survey)
    assert "Tổng điểm tạm tính: 6,4/7 điểm (phần tự đánh giá)." in text
