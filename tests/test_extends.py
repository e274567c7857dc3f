"""A criteria set built on a framework (scoring/extends.py, issue 13). The scores are the
scenario case tests/cases/extends.json; the error codes have their broken fixtures in
tests/fixtures/bad/ (criteria-framework-missing, criteria-change-unknown,
criteria-extends-cycle, points-mismatch-extends); here: how each change resolves, where a
problem of the result points, the library API with documents as data, a chain of
frameworks, and the outputs naming both sets (results.json, the workbook's Thông tin, the
decision's legal bases), read back as a person sees them."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import docx
import openpyxl
import pytest

from scoring.errors import InputError
from scoring.load import load_inputs

from scenario import run, write_scenario

CASE = json.loads((Path(__file__).parent / "cases" / "extends.json").read_text(encoding="utf-8"))["cases"][0]
TIME = "2024-02-01T08:00:00"


def documents(tmp_path):
    """The case's framework and extension documents, and its submissions, as data."""
    paths = write_scenario(CASE, tmp_path)
    framework = json.loads((tmp_path / "khung.json").read_text(encoding="utf-8"))
    extension = json.loads(paths["criteria"].read_text(encoding="utf-8"))
    submissions = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(paths["submissions"].glob("*.json"))]
    return framework, extension, submissions, paths


def problems(**arguments):
    with pytest.raises(InputError) as raised:
        load_inputs(**arguments)
    return [(issue.file, issue.pointer, issue.code, issue.message) for issue in raised.value.issues]


def test_the_library_takes_the_framework_as_data(tmp_path):
    framework, extension, submissions, _ = documents(tmp_path)
    inputs = load_inputs(extension, submissions, frameworks={"khung.json": framework})
    assert [leaf.code for leaf in inputs.criteria.leaves] == ["1.1", "1.2.1", "1.2.3"]
    assert inputs.criteria.framework["id"] == "khung-thu-nghiem"
    assert [f.role for f in inputs.files][:2] == ["criteria", "framework"]
    found = problems(criteria=extension, submissions=submissions)  # no framework given
    assert [(where, code) for _, where, code, _ in found] == [("/extends", "criteria-framework-missing")]


def test_a_partial_replace_keeps_the_children_and_an_added_bonus_item_counts(tmp_path):
    framework, extension, submissions, _ = documents(tmp_path)
    extension = copy.deepcopy(extension)
    # 1.2 gains a 1-point leaf: its max, the area's and the total are replaced without their children
    extension["add"].append({"under": "1.2", "node": {"code": "1.2.4", "title": "Niêm yết trực tuyến", "max": 1,
                                                      "rule": {"kind": "yes_no", "question": "Có niêm yết trực tuyến?"}}})
    extension["replace"] += [{"code": "1.2", "max": 5}, {"code": "1", "max": 11}]
    extension["total_points"] = 11
    extension["add"].append({"under": "bonus", "node": {"code": "T.1", "title": "Sáng kiến", "max": 1,
                                                        "rule": {"kind": "per_count", "counted": "Số sáng kiến", "points_each": 0.5}}})
    extension["adjustments_note"] = None  # not a key of the extension schema: refused at its pointer
    found = problems(criteria=extension, submissions=submissions, frameworks={"khung.json": framework})
    assert [(where, code) for _, where, code, _ in found] == [("", "schema-additionalProperties")]
    del extension["adjustments_note"]
    for submission in submissions:
        submission["leaves"]["1.2.4"] = {"facts": {"done": True}}
    submissions[0]["leaves"]["T.1"] = {"facts": {"count": 1}}
    found = problems(criteria=extension, submissions=submissions, frameworks={"khung.json": framework})
    # the bonus section has no title and cap in the framework: the schema says so, at the extending file
    assert found and all(where.startswith("/extends") or where.startswith("/add/") for _, where, _, _ in found), found
    extension["add"].pop()  # without the bonus item the set is whole again
    for submission in submissions:
        submission["leaves"].pop("T.1", None)
    inputs = load_inputs(extension, submissions, frameworks={"khung.json": framework})
    assert inputs.criteria.total_points == 1100
    assert [leaf.code for leaf in inputs.criteria.leaves] == ["1.1", "1.2.1", "1.2.3", "1.2.4"]


def test_a_problem_of_the_result_points_at_the_change_that_made_it(tmp_path):
    framework, extension, submissions, _ = documents(tmp_path)
    extension = copy.deepcopy(extension)
    extension["add"][0]["node"]["max"] = 3  # 1.2 = 2 + 3 ≠ 4: the framework's 1.2 and area 1 no longer add up
    extension["replace"][0]["rule"]["thresholds"][0]["points"] = 7  # above 1.1's max 6
    found = problems(criteria=extension, submissions=submissions, frameworks={"khung.json": framework})
    where = {(w, code) for _, w, code, _ in found}
    assert ("/replace/0/rule/thresholds/0/points", "points-above-max") in where, found
    mismatches = [message for _, w, code, message in found if code == "points-mismatch"]
    assert mismatches and all("khung.json:/areas/0" in message for message in mismatches), found
    assert {w for _, w, code, _ in found if code == "points-mismatch"} == {"/extends"}
    assert len({file for file, _, _, _ in found}) == 1 and "khung" not in found[0][0]  # the extending document


def test_unknown_codes_in_every_change_at_once(tmp_path):
    framework, extension, submissions, _ = documents(tmp_path)
    extension = {**extension, "replace": [{"code": "7.7", "max": 1}], "remove": ["8.8"],
                 "add": [{"under": "9.9", "node": {"code": "9.9.1"}}, {"under": "1.2", "after": "1.2.9", "node": {"code": "1.2.5"}}]}
    found = problems(criteria=extension, submissions=submissions, frameworks={"khung.json": framework})
    assert {(w, code) for _, w, code, _ in found} == {
        ("/replace/0/code", "criteria-change-unknown"), ("/remove/0", "criteria-change-unknown"),
        ("/add/0/under", "criteria-change-unknown"), ("/add/1/after", "criteria-change-unknown")}


def test_a_chain_of_frameworks_and_a_cycle(tmp_path):
    framework, extension, submissions, paths = documents(tmp_path)
    # the province's set extends the nation's (here: the same tree with another id)
    national = {**framework, "id": "khung-quoc-gia", "title": "Khung quốc gia"}
    (tmp_path / "quoc-gia.json").write_text(json.dumps(national, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "khung.json").write_text(json.dumps({"id": "khung-thu-nghiem", "extends": "quoc-gia",
                                                     "title": "Bộ tiêu chí khung của tỉnh Thử",
                                                     "legal_source": framework["legal_source"]}, ensure_ascii=False),
                                         encoding="utf-8")
    inputs = load_inputs(paths["criteria"], paths["submissions"])
    assert inputs.criteria.framework["id"] == "khung-thu-nghiem"
    assert inputs.criteria.framework["extends"]["id"] == "khung-quoc-gia"
    assert [f.role for f in inputs.files][:3] == ["criteria", "framework", "framework"]
    # a problem in what the middle set added points into the middle set's file
    (tmp_path / "khung.json").write_text(json.dumps({
        "id": "khung-thu-nghiem", "extends": "quoc-gia", "title": "Bộ tiêu chí khung của tỉnh Thử",
        "legal_source": framework["legal_source"],
        "add": [{"under": "1.2", "node": {"code": "1.2.9", "title": "Thêm", "max": 1, "rule": {"kind": "yes_no"}}}]},
        ensure_ascii=False), encoding="utf-8")
    found = problems(criteria=paths["criteria"], submissions=paths["submissions"])
    assert ("khung.json", "/add/0/node/rule", "schema-required") in [(Path(f).name, w, c) for f, w, c, _ in found], found
    (tmp_path / "quoc-gia.json").write_text(json.dumps({"id": "khung-quoc-gia", "extends": "criteria.json"}), encoding="utf-8")
    found = problems(criteria=paths["criteria"], submissions=paths["submissions"])
    assert [(Path(file).name, where, code) for file, where, code, _ in found] == [("quoc-gia.json", "/extends", "criteria-extends-cycle")]


def test_the_outputs_name_both_sets(tmp_path):
    _, _, _, paths = documents(tmp_path)
    out = tmp_path / "out"
    result = run("score", "--criteria", paths["criteria"], "--submissions", paths["submissions"], "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["criteria"]["id"] == "thu-nghiem" and results["criteria"]["framework"]["id"] == "khung-thu-nghiem"
    assert results["criteria"]["legal_source"]["number"] == "1/QĐ-UBND"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        about = openpyxl.load_workbook(out / "ket-qua.xlsx")["Thông tin"]
    pairs, values = {}, []
    for row in about.iter_rows(values_only=True):
        if row and row[0]:
            pairs.setdefault(row[0], row[1])  # the first: the inputs' list repeats "Bộ tiêu chí"
            values += [value for value in row[1:] if value is not None]
    assert pairs["Bộ tiêu chí"] == CASE["extension"]["title"]
    assert "Bộ tiêu chí khung của tỉnh Thử (mã khung-thu-nghiem" in pairs["Xây dựng trên bộ khung"]
    assert pairs["Văn bản ban hành bộ khung"].startswith("9/QĐ-UBND ngày 20/12/2022")
    assert any(str(value).endswith("khung.json") for value in values)  # the input list names the framework file
    text = "\n".join(p.text for p in docx.Document(str(out / "quyet-dinh.docx")).paragraphs)
    province, district = text.find("9/QĐ-UBND"), text.find("1/QĐ-UBND")
    assert 0 <= province < district, text[:2000]
