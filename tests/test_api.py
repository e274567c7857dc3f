"""The public API (scoring/__init__.py): the README's example runs as written, results are
pure data, DataFrames index like results.json, and inputs may be plain dicts."""

from __future__ import annotations

import doctest
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import scoring
from scoring.engine import score as score_inputs
from scoring.errors import InputError
from scoring.files import read_json, reread_leaves
from scoring.writers.results_json import results_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "submissions" / "tu-mo-rong-2023"
CRITERIA = ROOT / "criteria" / "tu-mo-rong-2023.json"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The library", 1)[1]
    return re.search(r"```pycon\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_as_written(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # wherever it is run from
    test = doctest.DocTestParser().get_doctest(readme_example(), {}, "README.md", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 8, f"{runner.failures} of {runner.tries} README lines failed"


def test_the_public_names_are_a_handful():
    assert set(scoring.__all__) == {"load", "find_issues", "score", "to_frames", "InputError", "CchcError", "Issue", "__version__",
                                    "load_previous", "compare_previous"}  # year over year (issue 15)


@pytest.fixture()
def example_copy(tmp_path):
    folder = tmp_path / "year"
    shutil.copytree(EXAMPLE, folder)
    shutil.copy(CRITERIA, folder / "criteria.json")
    return folder


def test_results_still_answer_after_their_input_files_are_deleted(example_copy):
    inputs = scoring.load(example_copy / "criteria.json", example_copy / "communes")
    results = scoring.score(inputs)
    reread_leaves.cache_clear()
    before = results_document(score_inputs(inputs), inputs.files, generated_at="t")
    shutil.rmtree(example_copy)
    reread_leaves.cache_clear()
    after = results_document(results, inputs.files, generated_at="t")
    assert after == before
    commune = results.commune("23533")
    assert commune["leaves"] and all(leaf["reason"] for leaf in commune["leaves"])
    assert results.to_frames()["leaves"].shape[0] == sum(len(c["leaves"]) for c in before["communes"])


def test_the_re_read_is_asked_for_and_keeps_its_file_changed_guarantee(example_copy):
    inputs = scoring.load(example_copy / "criteria.json", example_copy / "communes", reread_entries=True)
    results = scoring.score(inputs)
    reread_leaves.cache_clear()
    shutil.rmtree(example_copy / "communes")
    with pytest.raises(InputError) as raised:
        results.commune("23533")
    assert [issue.code for issue in raised.value.issues] == ["file-changed"]


def test_frames_index_like_results_json():
    results = scoring.score(scoring.load())
    document = results_document(results, (), generated_at="t")
    frames = results.to_frames()
    assert list(frames["communes"].index) == [c["code"] for c in document["communes"]]
    assert list(frames["areas"].index) == [(c["code"], a["code"]) for c in document["communes"] for a in c["areas"]]
    assert list(frames["leaves"].index) == [(c["code"], leaf["code"]) for c in document["communes"] for leaf in c["leaves"]]
    for c in document["communes"]:
        assert frames["communes"].loc[c["code"], "total"] == Decimal(str(c["total"]))
        for leaf in c["leaves"]:
            assert frames["leaves"].loc[(c["code"], leaf["code"]), "final"] == Decimal(str(leaf["final"]))
    # criteria: each area's children, their points the sum of their leaves'
    criteria = frames["criteria"]
    for c in document["communes"]:
        for area in c["areas"]:
            in_area = criteria.loc[c["code"]]
            in_area = in_area[in_area["area"] == area["code"]]
            leaves = [leaf for leaf in c["leaves"] if leaf["area"] == area["code"]]
            assert in_area["points"].sum() == sum(Decimal(str(leaf["final"])) for leaf in leaves)


def test_points_are_exact_decimals():
    commune = scoring.score(scoring.load()).commune("23503")
    assert isinstance(commune["total"], Decimal) and commune["total"].as_tuple().exponent == -2
    assert isinstance(commune["rank"], int)
    assert all(isinstance(leaf["final"], Decimal) for leaf in commune["leaves"])
    with pytest.raises(KeyError):
        scoring.score(scoring.load()).commune("99999")


def test_inputs_as_plain_dicts_score_as_the_files_do(monkeypatch):
    monkeypatch.chdir(EXAMPLE / "communes")  # the evidence paths are relative to the working folder by default
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((EXAMPLE / "communes").glob("*.json"))]
    as_data = scoring.load(json.loads(CRITERIA.read_text(encoding="utf-8")), documents,
                           json.loads((EXAMPLE / "appraisal.json").read_text(encoding="utf-8")),
                           json.loads((EXAMPLE / "survey.json").read_text(encoding="utf-8")),
                           registry=json.loads((EXAMPLE / "registry.json").read_text(encoding="utf-8")))
    from_files = scoring.load(CRITERIA, EXAMPLE / "communes")
    def without_file(communes):  # the file a commune came from: its name in the list, or its path
        return [{key: value for key, value in commune.items() if key != "file"} for commune in communes]

    assert without_file(scoring.score(as_data).communes()) == without_file(scoring.score(from_files).communes())


def test_problems_of_plain_dicts_are_reported_at_once():
    criteria = read_json(CRITERIA).data
    broken = json.loads(sorted((EXAMPLE / "communes").glob("*.json"))[0].read_text(encoding="utf-8"))
    broken["year"] = 2022
    del broken["commune"]["name"]
    issues = scoring.find_issues(criteria, {"mine.json": broken}, evidence_folder=EXAMPLE / "communes")
    assert {(issue.file, issue.code) for issue in issues} >= {("mine.json", "schema-required")}
    assert scoring.find_issues(criteria, []) and scoring.find_issues(criteria, [])[0].code == "no-submissions"
