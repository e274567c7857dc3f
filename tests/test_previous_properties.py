"""Property tests of the year-over-year comparison (scoring/previous.py): whatever last
year's indices, every change is this year's index minus last year's, exact to the
hundredth; the counts up, down and unchanged add up to the units compared; the average is
the half-up mean of the changes; a unit is not eligible exactly when a rule excludes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import scoring
from scoring.numbers import exact_hundredths, round_half_up
from scoring.previous import compare

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = ROOT / "submissions" / "tu-mo-rong-2022" / "results.json"


@pytest.fixture(scope="module")
def bundled():
    inputs = scoring.load()
    return inputs, scoring.score(inputs), json.loads(PREVIOUS.read_text(encoding="utf-8"))


def _band(index: int, bands) -> str:
    return next(b["name"] for b in bands if index >= exact_hundredths(b["min_index"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10000)), min_size=11, max_size=11))
def test_changes_counts_and_eligibility(bundled, indices):
    inputs, results, template = bundled
    document = json.loads(json.dumps(template))
    kept = []
    for commune, index in zip(document["communes"], indices):
        if index is None:
            continue  # no result last year
        commune["index"] = index / 100
        commune["band"] = _band(index, document["criteria"]["bands"])
        kept.append(commune)
    document["communes"] = kept
    comparison = compare(results, [("x.json", document)])
    before = {c["code"]: round(c["index"] * 100) for c in kept}
    changes = []
    for unit in comparison["units"]:
        now = exact_hundredths(results.commune(unit["code"])["index"])
        if unit["code"] in before:
            change = now - before[unit["code"]]
            assert round(unit["index_change"] * 100) == change
            changes.append(change)
        else:
            assert unit["index_change"] is None and unit["match"] == "none"
        assert (unit["eligible"] is False) == bool(unit["excluded_by"])
        assert unit["eligibility"] == ("không đủ điều kiện" if unit["excluded_by"] else "đủ điều kiện")
    summary = comparison["summary"]
    assert summary["up"] + summary["down"] + summary["unchanged"] == summary["compared"] == len(changes)
    if changes:
        assert round(summary["average_change"] * 100) == round_half_up(sum(changes), len(changes))
    else:
        assert summary["average_change"] is None
