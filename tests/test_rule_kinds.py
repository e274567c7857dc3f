"""Every rule kind (scoring.rules): the vectorised formula over all communes agrees with the
plain one-commune formula on generated facts, and the registry is the one place that knows
the kinds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import survey_counts
from scoring.facts import accepted_documents, fact_table, first_document
from scoring.model import SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY, Area, CriteriaSet, frozen_mapping
from scoring.rules import KINDS, RuleKind

from test_properties import BANDS, BLOCKS, WINDOW_START, adjustment_leaf, area_leaf, inputs_for, quarters, survey_leaf

import datetime as dt

ROOT = Path(__file__).resolve().parent.parent
AREA_KINDS = [kind for kind, cls in KINDS.items() if not cls.survey and kind != "per_count"]


@st.composite
def criteria_of(draw, kind: str) -> CriteriaSet:
    """A set whose area leaves are all of ``kind``, with a survey question and a bonus and a penalty item."""
    leaves = [draw(area_leaf(f"1.{i + 1}", kind if kind in AREA_KINDS else None)) for i in range(draw(st.integers(1, 4)))]
    survey = [survey_leaf("2.1", draw(quarters))]
    bonus = [adjustment_leaf("T1", SECTION_BONUS, draw(quarters), draw(st.integers(1, 100)))]
    penalty = [adjustment_leaf("D1", SECTION_PENALTY, draw(quarters), draw(st.integers(1, 100)))]
    areas = (Area("1", "Lĩnh vực 1", sum(l.max for l in leaves), "self_assessment"),
             Area("2", "Điều tra xã hội học", survey[0].max, "survey"))
    return CriteriaSet(
        id="thu-nghiem", year=2023, title="Bộ tiêu chí thử", issuer=frozen_mapping({"name": "UBND huyện Thử"}),
        legal_source=frozen_mapping({"number": "1/QĐ-UBND"}), total_points=sum(a.max for a in areas), index_cap=None,
        evidence_window=(WINDOW_START, dt.date(2024, 1, 31)), areas=areas, leaves=tuple(leaves + survey + bonus + penalty),
        bonus_title="Điểm thưởng", bonus_cap=100, penalty_title="Điểm trừ", penalty_cap=100,
        bands=BANDS, blocks=BLOCKS, tie_break=())


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_vectorised_and_scalar_formulas_agree(kind, data):
    criteria = data.draw(criteria_of(kind))
    inputs = data.draw(inputs_for(criteria, 1, 8))
    submissions = list(inputs.submissions)
    facts = fact_table(criteria, submissions)
    tallies_of = inputs.survey.tallies if inputs.survey else {}
    counts = survey_counts(criteria, submissions, tallies_of)
    checked = set()
    for column, leaf in enumerate(criteria.leaves):
        points, nothing_arose = leaf.rule.score_all(leaf, facts, column, counts.get(column))
        for row, submission in enumerate(submissions):
            report = submission.leaves.get(leaf.code)
            document = first_document(leaf, report)
            expected = leaf.rule.score_one(
                leaf, dict(report.facts) if report else {}, first_day=document.date if document else None,
                tallies=tallies_of.get(submission.code, {}).get(leaf.code) if leaf.section == SECTION_SURVEY else None,
                self_score=report.self_score if report else None, documents=accepted_documents(leaf, report))
            assert (int(points[row]), bool(nothing_arose[row])) == expected, (leaf.code, leaf.rule, dict(report.facts) if report else None)
        checked.add(leaf.rule.kind)
    assert kind in checked


def test_every_kind_has_its_module_and_says_its_rule():
    """One module per kind under scoring/rules, each with a docstring stating the rule and its unit."""
    folder = ROOT / "scoring" / "rules"
    for kind, cls in KINDS.items():
        assert (folder / f"{kind}.py").is_file(), kind
        assert cls.__module__ == f"scoring.rules.{kind}"
        module_doc = __import__(cls.__module__, fromlist=["_"]).__doc__
        assert module_doc and module_doc.startswith(f"{kind}:") and "points" in module_doc, kind
        assert issubclass(cls, RuleKind) and cls.label and cls.__doc__


def test_no_module_outside_the_rules_switches_on_a_kind():
    """Only scoring/rules knows the kinds' names: no `rule.kind == "…"`, `kind in (…)` or table by kind
    elsewhere. ("survey" is also a section and an area source, "choice" a fact: those names are not
    the kinds'; form kinds and cell kinds are not rule kinds.)"""
    names = "|".join(kind for kind in KINDS if kind not in ("survey", "choice"))
    pattern = re.compile(rf"""rule\.kind\s*(==|!=|\bin\b)|\["kind"\]\s*(==|!=|\bin\b)|["']({names})["']|_BY_KIND|FACTS_BY""")
    offenders = []
    for path in (ROOT / "scoring").rglob("*.py"):
        if "rules" in path.relative_to(ROOT / "scoring").parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_every_kind_has_its_scenario_cases():
    """tests/cases/kinds/<kind>.json: at least one case per kind, each with its hand arithmetic in a note."""
    import json

    folder = ROOT / "tests" / "cases" / "kinds"
    assert {path.stem for path in folder.glob("*.json")} == set(KINDS)
    for path in folder.glob("*.json"):
        cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
        assert cases, path.name
        for case in cases:
            assert len(case.get("note", "")) > 40 and case["expected"], (path.name, case["name"])


def test_form_texts_state_each_tier_with_its_range():
    """Issue 13: the form says "trên 90%" / "từ 70% đến 90%", never "from 90,01%"."""
    from scoring.model import SECTION_AREA, Leaf
    from scoring.rules import build_rule

    def text(rule, maximum=200):
        return build_rule(rule).form_text(Leaf("1.1", "Tỷ lệ", maximum, SECTION_AREA, "1", build_rule(rule)))

    ratio = {"kind": "ratio_thresholds", "numerator": "Số đạt", "denominator": "Tổng số", "otherwise": 0,
             "thresholds": [{"above": 90, "points": 2}, {"at": 70, "points": 1}]}
    assert text(ratio).endswith("Trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm.")
    ratio["thresholds"] = [{"at": 100, "points": 2}, {"at": 95, "points": 1}]
    assert text(ratio).endswith("Từ 100%: 2 điểm; từ 95% đến dưới 100%: 1 điểm; dưới 95%: 0 điểm.")
    value = {"kind": "value_thresholds", "value": "Số ngày", "unit": "ngày", "direction": "at_most", "otherwise": 0,
             "thresholds": [{"below": 2, "points": 1}, {"at": 5, "points": 0.5}]}
    assert text(value, 100).endswith("Dưới 2 ngày: 1 điểm; từ 2 ngày đến 5 ngày: 0,5 điểm; trên 5 ngày: 0 điểm.")
    yes_no = {"kind": "yes_no", "question": "Thực hiện chế độ báo cáo", "not_done": -0.25, "floor": -0.25}
    assert "không đạt trừ 0,25 điểm" in text(yes_no, 100)
    deadline = {"kind": "deadline", "deadline": "2023-01-15", "on_time": 1, "late": 0.5, "missing": 0}
    assert "sau ngày đó (chậm, không kể bao lâu): 0,5 điểm; không có văn bản: 0 điểm" in text(deadline, 100)
