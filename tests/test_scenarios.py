"""Scenario cases as data: criteria + submissions (+ appraisal, survey) → expected points.

Each file in tests/cases holds a list of cases; each case's expected values were computed
by hand. A failure names the file and the case.
"""

import json
from pathlib import Path

import pytest

from scoring.engine import score
from scoring.load import load_inputs
from scoring.writers.results_json import results_document

from scenario import write_scenario

CASES = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES.rglob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", list(_cases()))
def test_scenario(case, tmp_path):
    paths = write_scenario(case, tmp_path)
    inputs = load_inputs(**paths)
    document = results_document(score(inputs), inputs.files, generated_at="2024-02-01T08:00:00+07:00")
    by_code = {c["code"]: c for c in document["communes"]}
    for code, expected in case["expected"].items():
        commune = by_code[code]
        for leaf_code, points in expected.get("leaves", {}).items():
            leaf = next(l for l in commune["leaves"] if l["code"] == leaf_code)
            assert leaf["final"] == points, f"{code} {leaf_code}: {leaf['reason']}"
        for key in ("self_assessed", "appraised", "survey", "bonus", "penalty", "total", "max", "index", "rank", "band",
                    "survey_index", "survey_rank"):
            if key in expected:
                assert commune[key] == expected[key], f"{code} {key}"
        for flag, codes in expected.get("flags", {}).items():
            assert commune["flags"][flag] == codes, f"{code} flag {flag}"
        for node_code, figures in expected.get("nodes", {}).items():
            node = next(n for n in commune["nodes"] if n["code"] == node_code)
            assert {key: node[key] for key in figures} == figures, f"{code} node {node_code}"
        for leaf_code, flags in expected.get("leaf_flags", {}).items():
            leaf = next(l for l in commune["leaves"] if l["code"] == leaf_code)
            assert leaf["flags"] == flags, f"{code} {leaf_code} flags"
        for area_code, figures in expected.get("areas", {}).items():
            area = next(a for a in commune["areas"] if a["code"] == area_code)
            assert {key: area[key] for key in figures} == figures, f"{code} area {area_code}"
        if "not_applicable" in expected:
            assert commune["not_applicable"] == expected["not_applicable"]
        for leaf_code, fragment in expected.get("reasons", {}).items():
            leaf = next(l for l in commune["leaves"] if l["code"] == leaf_code)
            assert fragment in leaf["reason"], f"{code} {leaf_code}: {leaf['reason']!r}"
    for block_id, figures in case.get("expected_blocks", {}).items():
        block = next(b for b in document["summary"]["blocks"] if b["id"] == block_id)
        assert {key: block[key] for key in figures} == figures, f"block {block_id}"
    if "expected_framework" in case:  # a set built on a framework: the outputs name both (issue 13)
        framework = document["criteria"]["framework"]
        assert {key: framework[key] for key in case["expected_framework"]} == case["expected_framework"]
        assert [f["role"] for f in document["inputs"]][:2] == ["criteria", "framework"]
    if "expected_provisional" in case:
        assert document["provisional"] == case["expected_provisional"], document["provisional_reasons"]
    # the published figures (issue 13): only the summary keys the case names
    for key, value in case.get("expected_summary", {}).items():
        assert document["summary"][key] == value, f"summary {key}"
