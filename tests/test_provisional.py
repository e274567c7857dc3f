"""Provisional results (TẠM TÍNH): `score` and `explain` run while the survey or the appraisal
is incomplete; what is missing counts as the criteria set's `provisional` object says; every
output carries the mark; `decision` refuses such results unless --provisional is given."""

from __future__ import annotations

import json

import docx
import openpyxl
import pytest

from scoring.numbers import from_number
from scoring.validate import validator

from scenario import FORM_READ_WARNING, TIME, run
from test_validation import EXAMPLE_SET, apply_mutation, cli_args, copy_example, example_missing

pytestmark = [example_missing, pytest.mark.filterwarnings(FORM_READ_WARNING)]



def scored(work, *mutations):
    """Copy the example under work, apply the mutations, score: (paths, out, document, CLI result)."""
    paths = copy_example(work)
    for mutation in mutations:
        apply_mutation(work, mutation)
    out = work / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    return paths, out, json.loads((out / "results.json").read_text(encoding="utf-8")), result


@pytest.fixture(scope="module")
def complete(tmp_path_factory):
    return scored(tmp_path_factory.mktemp("complete"))


@pytest.fixture(scope="module")
def empty_survey(tmp_path_factory):
    return scored(tmp_path_factory.mktemp("empty-survey"), {"file": "@survey", "text": ""})


def by_code(document):
    return {c["code"]: c for c in document["communes"]}


def test_complete_inputs_are_final(complete):
    _, out, document, result = complete
    assert document["provisional"] is False and document["provisional_reasons"] == []
    assert "TẠM TÍNH" not in result.stdout
    assert run("decision", out / "results.json", "--out", out / "qd.docx").exit_code == 0


def test_an_empty_survey_gives_provisional_results(empty_survey, complete):
    _, _, document, result = empty_survey
    assert not list(validator("results").iter_errors(document))
    assert document["provisional"] is True
    [reason] = document["provisional_reasons"]
    assert reason["kind"] == "survey_missing" and reason["policy"] == "exclude"
    assert len(reason["communes"]) == 11 and reason["leaves"] == 11 * 7
    assert "[survey-missing]" in result.stderr and "tệp số phiếu điều tra xã hội học rỗng" in result.stderr
    before = by_code(complete[2])
    for code, commune in by_code(document).items():
        # the survey area (30 points) leaves the maximum; everything else is as with the survey
        assert from_number(commune["survey"]) == 0
        assert from_number(commune["max"]) == from_number(before[code]["max"]) - 3000
        assert from_number(commune["total"]) == from_number(before[code]["total"]) - from_number(before[code]["survey"])
        survey_leaves = [leaf for leaf in commune["leaves"] if leaf["section"] == "survey"]
        assert len(survey_leaves) == 7
        assert all(leaf["flags"] == ["survey_missing"] and leaf["counted_max"] == 0 and leaf["final"] == 0
                   and "chưa có số phiếu điều tra xã hội học" in leaf["reason"] for leaf in survey_leaves)
    # Đăk Tờ Kan by hand: 65,83 appraised + 1,00 bonus = 66,83 of 97,50 − 30 = 67,50 → 99,01 %
    dak_to_kan = by_code(document)["23506"]
    assert (dak_to_kan["total"], dak_to_kan["max"], dak_to_kan["index"]) == (66.83, 67.5, 99.01)


def test_every_output_says_tam_tinh(empty_survey):
    _, out, _, result = empty_survey
    assert result.stdout.startswith("KẾT QUẢ TẠM TÍNH: chưa có đủ số phiếu điều tra xã hội học: 11 đơn vị")
    sheet = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True).worksheets[0]
    rows = [row for row in sheet.iter_rows(max_row=6, values_only=True)]
    assert rows[0][0].endswith("(TẠM TÍNH)")
    assert rows[4][0].startswith("KẾT QUẢ TẠM TÍNH: chưa có đủ số phiếu")
    decision = docx.Document(str(out / "quyet-dinh.docx"))
    assert decision.paragraphs[0].text.startswith("DỰ THẢO - KẾT QUẢ TẠM TÍNH")
    assert decision.core_properties.title.startswith("[TẠM TÍNH] Quyết định")


def test_the_decision_refuses_provisional_results_unless_asked(empty_survey):
    _, out, _, _ = empty_survey
    refused = run("decision", out / "results.json", "--out", out / "qd.docx")
    assert refused.exit_code == 1
    assert "/provisional: kết quả là TẠM TÍNH" in refused.stderr and "[results-provisional]" in refused.stderr
    assert not (out / "qd.docx").exists()
    asked = run("decision", out / "results.json", "--out", out / "qd.docx", "--provisional")
    assert asked.exit_code == 0, asked.output
    document = docx.Document(str(out / "qd.docx"))
    assert document.paragraphs[0].text.startswith("DỰ THẢO - KẾT QUẢ TẠM TÍNH")
    assert document.core_properties.title.startswith("[TẠM TÍNH]")


def test_explain_says_tam_tinh(tmp_path):
    paths = copy_example(tmp_path)
    apply_mutation(tmp_path, {"file": "@survey", "text": ""})
    result = run("explain", "23503", *cli_args(paths))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("KẾT QUẢ TẠM TÍNH")
    assert "Chưa có số phiếu điều tra xã hội học: 8.1.1, 8.1.2" in result.stdout


@pytest.mark.parametrize("policy, counted", [("exclude", False), ("zero", True)])
def test_one_missing_tally_counts_as_the_criteria_set_says(policy, counted, tmp_path, complete):
    """Đăk Hà lacks question 8.1.1 (max 4): excluded, its maximum is 97,50 − 4 = 93,50;
    counted as zero, it stays 97,50. Its total loses the 8.1.1 points either way; the other
    communes are untouched."""
    mutations = [{"file": "@survey", "patch": [{"op": "remove", "path": "/tallies/23503/8.1.1"}]}]
    if policy != "exclude":
        mutations.append({"file": "@criteria", "patch": [{"op": "add", "path": "/provisional",
                                                          "value": {"survey_missing": policy}}]})
    _, _, document, result = scored(tmp_path, *mutations)
    assert "xã mã 23503 cho câu 8.1.1; kết quả là TẠM TÍNH [survey-missing]" in result.stderr
    [reason] = document["provisional_reasons"]
    assert reason["communes"] == ["23503"] and reason["leaves"] == 1 and reason["policy"] == policy
    before, after = by_code(complete[2]), by_code(document)
    leaf_before = next(leaf for leaf in before["23503"]["leaves"] if leaf["code"] == "8.1.1")
    expected_max = from_number(before["23503"]["max"]) - (0 if counted else 400)
    assert from_number(after["23503"]["max"]) == expected_max
    assert from_number(after["23503"]["total"]) == from_number(before["23503"]["total"]) - from_number(leaf_before["final"])
    for code in before:
        if code != "23503":
            assert (after[code]["total"], after[code]["max"], after[code]["index"]) == \
                   (before[code]["total"], before[code]["max"], before[code]["index"])


def test_unappraised_judgement_leaves_by_policy(tmp_path, complete):
    """Default (self_score): the bundled example's unappraised judgement leaves count the
    self-score and the results are final. With "exclude" they leave points and maximum and
    the results are provisional; with "provisional" the scores stay, marked TẠM TÍNH."""
    before = by_code(complete[2])
    awaiting = {code: c["flags"]["awaiting_appraisal"] for code, c in before.items() if c["flags"]["awaiting_appraisal"]}
    assert awaiting and complete[2]["provisional"] is False

    _, _, document, _ = scored(tmp_path / "exclude", {"file": "@criteria", "patch": [
        {"op": "add", "path": "/provisional", "value": {"awaiting_appraisal": "exclude"}}]})
    [reason] = document["provisional_reasons"]
    assert reason["kind"] == "awaiting_appraisal" and sorted(reason["communes"]) == sorted(awaiting)
    assert reason["leaves"] == sum(len(codes) for codes in awaiting.values())
    after = by_code(document)
    for code, codes in awaiting.items():
        leaves = {leaf["code"]: leaf for leaf in before[code]["leaves"]}
        assert from_number(after[code]["max"]) == from_number(before[code]["max"]) - sum(from_number(leaves[c]["max"]) for c in codes)
        assert from_number(after[code]["total"]) == from_number(before[code]["total"]) - sum(from_number(leaves[c]["final"]) for c in codes)

    _, _, document, _ = scored(tmp_path / "provisional", {"file": "@criteria", "patch": [
        {"op": "add", "path": "/provisional", "value": {"awaiting_appraisal": "provisional"}}]})
    assert document["provisional"] is True and document["provisional_reasons"][0]["policy"] == "provisional"
    assert [(c["code"], c["index"]) for c in document["communes"]] == [(c["code"], c["index"]) for c in complete[2]["communes"]]


def test_no_survey_file_at_all(tmp_path):
    paths = copy_example(tmp_path)
    (tmp_path / EXAMPLE_SET / "survey.json").unlink()
    out = tmp_path / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    assert "không có tệp survey.json (dùng --survey); kết quả là TẠM TÍNH [survey-missing]" in result.stderr
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["provisional"] and "survey" not in {f["role"] for f in document["inputs"]}
