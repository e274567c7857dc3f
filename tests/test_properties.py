"""Properties of the engine on random small criteria sets and communes (hypothesis).

The generators build the model objects of scoring.model directly (already valid, as the
loader would give them) and call scoring.engine.score; every invariant is checked against
a plain re-computation from the leaf results, never against the engine's own totals.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.load import load_inputs
from scoring.model import (
    NA_EXCLUDE, NA_FULL, SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY, Appraisal,
    AppraisalEntry, Area, Band, Block, CriteriaSet, Document, Inputs, Leaf, LeafReport,
    Submission, Survey, frozen_mapping,
)
from scoring.rules import (
    AllOf, Condition, Period, PeriodicReports, Choice, ChoiceOption, Deadline, Deduction, Judgement, PerCount, Proportional, RatioThresholds, SurveyOption,
    SurveyQuestion, Threshold, ValueThresholds, YesNo,
)
from scoring.numbers import from_number, round_half_up, to_hundredths, to_number
from scoring.reasons import score_of
from scoring.writers.results_json import results_document

from scenario import write_scenario

PERCENT = 10000
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = ["yes_no", "choice", "deadline", "ratio_thresholds", "value_thresholds", "proportional", "deduction", "judgement",
         "all_of", "periodic_reports"]
CONDITIONS = (Condition("nhiem_vu", "Đã xác định nhiệm vụ"), Condition("kinh_phi", "Đã bố trí kinh phí"),
              Condition("phan_cong", "Đã phân công thực hiện"))
BANDS = (Band("Xuất sắc", 9000, None), Band("Tốt", 8000, None), Band("Khá", 7000, None),
         Band("Trung bình", 5000, None), Band("Yếu", 0, None))
BLOCKS = (Block("xa", "Khối xã", ("xã", "thị trấn", "đặc khu")), Block("phuong", "Khối phường", ("phường",)))
WINDOW_START = dt.date(2022, 10, 1)

quarters = st.integers(min_value=1, max_value=16).map(lambda k: 25 * k)   # 0,25 .. 4 points


def _at_most(draw, limit, step=25):
    """A multiple of step in 0..limit."""
    return step * draw(st.integers(min_value=0, max_value=limit // step))


# ---------------------------------------------------------------- criteria


@st.composite
def area_leaf(draw, code: str, kind: str | None = None) -> Leaf:
    kind = kind or draw(st.sampled_from(KINDS))
    maximum = draw(quarters)
    na = draw(st.sampled_from([None, NA_EXCLUDE, NA_FULL]))
    if kind == "yes_no":
        not_done = -_at_most(draw, 100) if draw(st.booleans()) else 0  # "không thực hiện: 0 và trừ thêm …"
        rule = YesNo(question="Thực hiện đúng quy định", not_done=not_done, floor=not_done)
    elif kind == "choice":
        rule = Choice(options=(ChoiceOption("du", "Đầy đủ", maximum),
                               ChoiceOption("mot_phan", "Một phần", _at_most(draw, maximum)),
                               ChoiceOption("khong", "Không", 0)))
    elif kind == "deadline":
        deadline = dt.date(2023, 1, 1) + dt.timedelta(days=draw(st.integers(0, 200)))
        late_until = draw(st.one_of(st.none(), st.integers(0, 90).map(lambda d: deadline + dt.timedelta(days=d))))
        late = draw(st.one_of(st.none(), st.just(_at_most(draw, maximum))))
        missing = _at_most(draw, late if late is not None else maximum)
        rule = Deadline(deadline=deadline, late_until=late_until, on_time=maximum, late=late, missing=missing)
    elif kind in ("ratio_thresholds", "value_thresholds"):
        ats = sorted(draw(st.lists(st.integers(0, 10000), min_size=1, max_size=3, unique=True)), reverse=True)
        points = sorted((_at_most(draw, maximum, 1) for _ in ats), reverse=True)
        points[0] = maximum
        direction = "at_least"
        if kind == "value_thresholds":
            direction = draw(st.sampled_from(["at_least", "at_most"]))
            if direction == "at_most":
                ats.reverse()
        thresholds = tuple(Threshold(Fraction(at, 100), p, draw(st.booleans())) for at, p in zip(ats, points))
        otherwise = _at_most(draw, points[-1], 1)
        if kind == "value_thresholds":
            rule = ValueThresholds(value="Giá trị", unit="%", direction=direction, thresholds=thresholds, otherwise=otherwise)
        else:
            rule = RatioThresholds(numerator="Số đạt", denominator="Tổng số", thresholds=thresholds, otherwise=otherwise)
    elif kind == "proportional":
        rule = Proportional(numerator="Số đạt", denominator="Tổng số")
    elif kind == "deduction":
        floor = -_at_most(draw, maximum) if draw(st.booleans()) else 0
        rule = Deduction(violation="Vi phạm", per_violation=draw(st.integers(1, maximum)), floor=floor)
    elif kind == "all_of":
        not_done = -_at_most(draw, 100) if draw(st.booleans()) else 0
        rule = AllOf(items=CONDITIONS[:draw(st.integers(2, 3))], not_done=not_done, floor=not_done)
    elif kind == "periodic_reports":
        count = draw(st.integers(1, 4))
        periods = tuple(Period(f"k{i + 1}", f"Báo cáo kỳ {i + 1}", dt.date(2023, 3 * i + 3, 15) + dt.timedelta(days=draw(st.integers(-20, 20))))
                        for i in range(count))
        if draw(st.booleans()):
            otherwise = -_at_most(draw, 100) if draw(st.booleans()) else 0
            rule = PeriodicReports(periods=periods, on_time=maximum, otherwise=otherwise, floor=min(0, otherwise))
        else:
            per_late = 25 * draw(st.integers(1, 4))
            floor = -_at_most(draw, maximum) if draw(st.booleans()) else 0
            rule = PeriodicReports(periods=periods, on_time=maximum, per_late=per_late,
                                   per_missing=per_late + 25 * draw(st.integers(0, 2)), floor=floor)
    else:  # judgement
        rule = Judgement(points_step=25, aspects=("Chất lượng",))
    required = draw(st.booleans())
    types = draw(st.sampled_from([(), ("KH",), ("BC", "QĐ")]))
    return Leaf(code=code, title=f"Tiêu chí {code}", max=maximum, section=SECTION_AREA, area="1", rule=rule,
                evidence_required=required, evidence_types=types, evidence_description="Tài liệu kiểm chứng",
                not_applicable=na)


def survey_leaf(code: str, maximum: int) -> Leaf:
    options = (SurveyOption("A", "Rất hài lòng", Fraction(100)), SurveyOption("B", "Hài lòng", Fraction(60)),
               SurveyOption("C", "Chưa hài lòng", Fraction(25, 2)), SurveyOption("D", "Không hài lòng", Fraction(0)))
    return Leaf(code=code, title=f"Câu hỏi {code}", max=maximum, section=SECTION_SURVEY, area="2",
                rule=SurveyQuestion(question="Ông/bà có hài lòng?", options=options))


def adjustment_leaf(code: str, section: str, maximum: int, each: int) -> Leaf:
    return Leaf(code=code, title=f"Mục {code}", max=maximum, section=section, area=None,
                rule=PerCount(counted="Số lần", points_each=each))


@st.composite
def criteria_sets(draw) -> CriteriaSet:
    leaves = [draw(area_leaf(f"1.{i + 1}")) for i in range(draw(st.integers(1, 6)))]
    areas = [Area("1", "Lĩnh vực 1", sum(l.max for l in leaves), "self_assessment")]
    survey = [survey_leaf(f"2.{i + 1}", draw(quarters)) for i in range(draw(st.integers(0, 2)))]
    if survey:
        areas.append(Area("2", "Điều tra xã hội học", sum(l.max for l in survey), "survey"))
    bonus = [adjustment_leaf(f"T{i + 1}", SECTION_BONUS, draw(quarters), draw(st.integers(1, 100)))
             for i in range(draw(st.integers(0, 2)))]
    penalty = [adjustment_leaf(f"D{i + 1}", SECTION_PENALTY, draw(quarters), draw(st.integers(1, 100)))
               for i in range(draw(st.integers(0, 2)))]
    tie_break = tuple(draw(st.lists(st.sampled_from(["total", "survey", "appraised", "fewer_missing_evidence"]),
                                    max_size=2, unique=True)))
    return CriteriaSet(
        id="thu-nghiem", year=2023, title="Bộ tiêu chí thử", issuer=frozen_mapping({"name": "UBND huyện Thử"}),
        legal_source=frozen_mapping({"number": "1/QĐ-UBND"}), total_points=sum(a.max for a in areas),
        index_cap=draw(st.sampled_from([None, 10000])),
        evidence_window=(WINDOW_START, dt.date(2024, 1, 31)), areas=tuple(areas),
        leaves=tuple(leaves + survey + bonus + penalty),
        bonus_title="Điểm thưởng" if bonus else None, bonus_cap=draw(quarters) if bonus else 0,
        penalty_title="Điểm trừ" if penalty else None, penalty_cap=draw(quarters) if penalty else 0,
        bands=BANDS, blocks=BLOCKS, tie_break=tie_break,
    )


# ---------------------------------------------------------------- communes


def _floor(leaf: Leaf) -> int:
    return min(0, leaf.rule.floor) if isinstance(leaf.rule, (Deduction, YesNo, AllOf, PeriodicReports)) else 0


def _score_in_range(draw, leaf: Leaf) -> int:
    step = leaf.rule.step if isinstance(leaf.rule, Judgement) else 25
    low, high = _floor(leaf) // step, leaf.max // step
    return step * draw(st.integers(low, high))


@st.composite
def documents(draw, periods=()):
    """Evidence documents; on a leaf whose rule lists periods, each names one (issue 13)."""
    count = draw(st.integers(0, 2 + 2 * len(periods)))
    result = []
    for index in range(count):
        doc_type = draw(st.sampled_from(["KH", "BC", "QĐ", "TB"]))
        if periods:  # near each deadline, so that on time, late and the deadline day itself all occur
            period = draw(st.sampled_from(periods))
            day = period.deadline + dt.timedelta(days=draw(st.sampled_from([-30, -1, 0, 0, 1, 40])))
            result.append(Document(f"{index + 1}/{doc_type}-UBND", day, "Báo cáo", "UBND xã", period=period.id))
            continue
        day = WINDOW_START + dt.timedelta(days=draw(st.integers(0, 487)))
        result.append(Document(f"{index + 1}/{doc_type}-UBND", day, "Văn bản", "UBND xã"))
    return tuple(result)


@st.composite
def leaf_report(draw, leaf: Leaf) -> LeafReport | None:
    kind = leaf.rule.kind
    if leaf.section in (SECTION_BONUS, SECTION_PENALTY):
        if draw(st.booleans()):
            return None  # bonus and penalty items may be omitted
        return LeafReport(facts=frozen_mapping({"count": draw(st.integers(0, 6))}))
    claimed_na = leaf.not_applicable is not None and draw(st.integers(0, 4)) == 0
    facts = {}
    if not claimed_na:
        if kind == "yes_no":
            facts = {"done": draw(st.booleans())}
        elif kind == "choice":
            facts = {"choice": draw(st.sampled_from([o.value for o in leaf.rule.options]))}
        elif kind in ("ratio_thresholds", "proportional"):
            low = 0 if leaf.not_applicable is not None else 1
            # powers of two and 200/400 make half-way quotients (x.xx5) common
            denominator = draw(st.one_of(st.integers(low, 400), st.sampled_from([8, 16, 40, 200, 400, 800])))
            facts = {"numerator": draw(st.integers(0, denominator)), "denominator": denominator}
        elif kind == "value_thresholds":
            facts = {"value": Decimal(draw(st.integers(-500, 12000))) / 100}
        elif kind == "deduction":
            facts = {"violations": draw(st.integers(0, 12))}
        elif kind == "all_of":
            facts = {"conditions": {c.id: draw(st.booleans()) for c in leaf.rule.named_conditions()}}
    self_score = _score_in_range(draw, leaf) if draw(st.booleans()) else None
    return LeafReport(facts=frozen_mapping(facts), self_score=self_score, evidence=draw(documents(leaf.rule.due_periods())),
                      not_applicable=claimed_na)


@st.composite
def inputs_for(draw, criteria: CriteriaSet, min_communes=1, max_communes=6) -> Inputs:
    count = draw(st.integers(min_communes, max_communes))
    submissions = []
    for index in range(count):
        code = f"{23500 + index:05d}"
        reports = {}
        for leaf in criteria.leaves:
            if leaf.section == SECTION_SURVEY:
                continue
            report = draw(leaf_report(leaf))
            if report is not None:
                reports[leaf.code] = report
        unit_type = draw(st.sampled_from(["xã", "phường", "thị trấn"]))
        submissions.append(Submission(f"communes/{code}.json", criteria.id, criteria.year, code, f"Xã {index}",
                                      unit_type, frozen_mapping(reports)))
    entries = []
    for submission in submissions:
        for leaf in criteria.leaves:
            if leaf.section == SECTION_SURVEY or draw(st.integers(0, 5)) != 0:
                continue
            for stage in sorted(draw(st.sets(st.sampled_from([1, 2]), min_size=1))):
                entries.append(AppraisalEntry(submission.code, leaf.code, stage, _score_in_range(draw, leaf), "Thẩm định"))
    appraisal = Appraisal("appraisal.json", "Hội đồng", tuple(draw(st.permutations(entries)))) if entries else None
    survey = None
    survey_leaves = [leaf for leaf in criteria.leaves if leaf.section == SECTION_SURVEY]
    if survey_leaves:
        tallies = {}
        for submission in submissions:
            tallies[submission.code] = frozen_mapping({
                leaf.code: frozen_mapping(draw(st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 60), min_size=1)
                                               .filter(lambda t: sum(t.values()) > 0)))
                for leaf in survey_leaves})
        survey = Survey("survey.json", "Phòng Nội vụ", frozen_mapping(tallies))
    return Inputs(criteria, tuple(submissions), appraisal, survey)


@st.composite
def scenarios(draw, min_communes=1, max_communes=6) -> Inputs:
    return draw(inputs_for(draw(criteria_sets()), min_communes, max_communes))


# ---------------------------------------------------------------- helpers


def _rank_keys(commune, criteria):
    keys = {"total": commune.total, "survey": commune.survey, "appraised": commune.appraised,
            "fewer_missing_evidence": -len(commune.flagged("missing_evidence"))}
    return (commune.index,) + tuple(keys[name] for name in criteria.tie_break)


def _fingerprint(commune) -> tuple:
    """Everything the engine says about a commune, in comparable form."""
    return (commune.code, commune.name, commune.type, commune.block, commune.self_assessed, commune.appraised,
            commune.survey, commune.bonus, commune.penalty, commune.total, commune.max, commune.index, commune.rank,
            commune.band, commune.areas,
            tuple((r.code, r.self_score, r.evidence_score, r.final, r.counted_max, r.not_applicable, r.flags, r.reason)
                  for r in commune.leaves))


def _uncapped_index(total: int, maximum: int) -> int | None:
    """None with no applicable point: the index is undefined (issue 20), neither 0 nor 100."""
    return None if maximum == 0 else round_half_up(total * PERCENT, maximum)


# ---------------------------------------------------------------- properties


@FAST
@given(scenarios())
def test_leaf_scores_stay_within_their_range(inputs):
    for commune in score(inputs).communes:
        for result in commune.leaves:
            leaf = result.leaf
            low = _floor(leaf)
            assert low <= result.final <= leaf.max, (commune.code, leaf.code, leaf.rule.kind, result.final, result.reason)
            if result.evidence_score is not None:
                assert low <= result.evidence_score <= leaf.max
            if result.not_applicable == NA_FULL:
                assert result.final == leaf.max
            if result.not_applicable == NA_EXCLUDE:
                assert result.counted_max == 0 and result.final == 0
            if result.appraisal is not None:
                assert result.final == result.appraisal.score


def _half_up(numerator, denominator) -> int:
    """Reference rounding, independent of scoring.numbers: Decimal at 60 digits, ROUND_HALF_UP."""
    with localcontext() as context:
        context.prec = 60
        return int((Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reference_rule_points(leaf: Leaf, report: LeafReport | None, tallies) -> int:
    """What the README's rule table says a leaf's facts are worth, computed the plain way."""
    rule, facts = leaf.rule, (report.facts if report else {})
    kind = rule.kind
    if kind == "yes_no":
        return leaf.max if facts.get("done") else rule.not_done
    if kind == "choice":
        return next((o.points for o in rule.options if o.value == facts.get("choice")), 0)
    if kind == "deadline":
        accepted = [d for d in (report.evidence if report else ()) if not leaf.evidence_types or d.doc_type in leaf.evidence_types]
        if not accepted:
            return rule.missing
        day = min(d.date for d in accepted)
        if day <= rule.deadline:
            return rule.on_time
        if rule.late is not None and (rule.late_until is None or day <= rule.late_until):
            return rule.late
        return rule.missing
    if kind in ("ratio_thresholds", "proportional"):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        if denominator == 0:
            return 0
        if kind == "proportional":
            return _half_up(leaf.max * numerator, denominator)
        ratio = Fraction(numerator * 100, denominator)
        return next((t.points for t in rule.thresholds if ratio > t.at or (ratio == t.at and not t.strict)), rule.otherwise)
    if kind == "value_thresholds":
        value = Fraction(Decimal(facts.get("value", 0)))
        if rule.direction == "at_least":
            reached = lambda t: value > t.at or (value == t.at and not t.strict)  # noqa: E731
        else:
            reached = lambda t: value < t.at or (value == t.at and not t.strict)  # noqa: E731
        return next((t.points for t in rule.thresholds if reached(t)), rule.otherwise)
    if kind == "deduction":
        return max(leaf.max - rule.per_violation * facts.get("violations", 0), rule.floor)
    if kind == "per_count":
        return min(rule.points_each * facts.get("count", 0), leaf.max)
    if kind == "all_of":
        stated = facts.get("conditions", {})
        return leaf.max if all(stated.get(c.id) is True for c in rule.items) else rule.not_done
    if kind == "periodic_reports":
        accepted = [d for d in (report.evidence if report else ()) if not leaf.evidence_types or d.doc_type in leaf.evidence_types]
        late = missing = 0
        for period in rule.periods:
            days = [d.date for d in accepted if d.period == period.id]
            if not days:
                missing += 1
            elif min(days) > period.deadline:
                late += 1
        if rule.per_late is None:
            return rule.on_time if late == missing == 0 else rule.otherwise
        return max(rule.floor, rule.on_time - late * rule.per_late - missing * rule.per_missing)
    if kind == "judgement":
        return report.self_score if report and report.self_score is not None else 0
    if kind == "survey":
        respondents = sum(tallies.values())
        weighted = sum(count * next(o.share for o in rule.options if o.code == code) for code, count in tallies.items())
        quotient = leaf.max * weighted / (100 * respondents)  # hundredths × percent / (100 × respondents)
        return _half_up(quotient.numerator, quotient.denominator)
    raise AssertionError(kind)


@FAST
@given(scenarios())
def test_leaf_scores_follow_the_rule_table(inputs):
    """Every leaf's final score against a plain re-implementation of the README's rules."""
    latest = inputs.appraisal.latest() if inputs.appraisal else {}
    tallies_of = inputs.survey.tallies if inputs.survey else {}
    by_code = {s.code: s for s in inputs.submissions}
    for commune in score(inputs).communes:
        submission = by_code[commune.code]
        for result in commune.leaves:
            leaf = result.leaf
            report = submission.leaves.get(leaf.code)
            tallies = tallies_of.get(commune.code, {}).get(leaf.code) if leaf.section == SECTION_SURVEY else None
            points = reference_rule_points(leaf, report, tallies)
            facts = report.facts if report else {}
            nothing_arose = leaf.rule.kind in ("ratio_thresholds", "proportional") and facts.get("denominator", 0) == 0
            not_applicable = leaf.not_applicable is not None and (bool(report and report.not_applicable) or nothing_arose)
            if not_applicable:
                points = leaf.max if leaf.not_applicable == NA_FULL else 0
            elif leaf.evidence_required and leaf.section != SECTION_SURVEY:
                accepted = [d for d in (report.evidence if report else ())
                            if not leaf.evidence_types or d.doc_type in leaf.evidence_types]
                if not accepted:
                    points = 0
            appraisal = latest.get((commune.code, leaf.code))
            expected = appraisal.score if appraisal else points
            assert result.final == expected, (commune.code, leaf.code, leaf.rule.kind, dict(facts), result.reason)
            assert (result.not_applicable is not None) == (not_applicable and appraisal is None)


@settings(max_examples=150, deadline=None)
@given(quarters, st.sampled_from([8, 16, 40, 80, 200, 400, 3, 7]).flatmap(
           lambda d: st.tuples(st.integers(0, d), st.just(d))),
       quarters, st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 9), min_size=1).filter(lambda t: sum(t.values()) > 0))
def test_proportional_and_survey_leaves_round_half_up(maximum, fraction, survey_max, tallies):
    """Half-way quotients (x.xx5) are common here: proportional max × n/d and survey shares, both half up."""
    numerator, denominator = fraction
    leaf = Leaf("1.1", "Tỷ lệ", maximum, SECTION_AREA, "1", Proportional(numerator="Số đạt", denominator="Tổng số"))
    question = survey_leaf("2.1", survey_max)
    criteria = CriteriaSet(
        id="thu-nghiem", year=2023, title="Bộ tiêu chí thử", issuer=frozen_mapping({}), legal_source=frozen_mapping({}),
        total_points=maximum + survey_max, index_cap=None, evidence_window=None,
        areas=(Area("1", "Lĩnh vực 1", maximum, "self_assessment"), Area("2", "ĐTXHH", survey_max, "survey")),
        leaves=(leaf, question), bonus_title=None, bonus_cap=0, penalty_title=None, penalty_cap=0, bands=BANDS,
        blocks=BLOCKS, tie_break=())
    report = {"1.1": LeafReport(facts=frozen_mapping({"numerator": numerator, "denominator": denominator}))}
    survey = Survey("survey.json", "Phòng Nội vụ", frozen_mapping({"00001": frozen_mapping({"2.1": frozen_mapping(tallies)})}))
    commune = score(Inputs(criteria, (Submission("a.json", "thu-nghiem", 2023, "00001", "Xã A", "xã", frozen_mapping(report)),),
                           None, survey)).communes[0]
    proportional, answered = commune.leaves
    assert proportional.final == _half_up(maximum * numerator, denominator)
    assert answered.final == reference_rule_points(question, None, tallies)
    assert commune.index == _half_up((proportional.final + answered.final) * PERCENT, maximum + survey_max)


@FAST
@given(scenarios())
def test_totals_are_sums_of_their_parts(inputs):
    criteria = inputs.criteria
    for commune in score(inputs).communes:
        def finals(section):
            return sum(r.final for r in commune.leaves if r.leaf.section == section)

        assert commune.appraised == finals(SECTION_AREA)
        assert commune.survey == finals(SECTION_SURVEY)
        assert commune.bonus == min(finals(SECTION_BONUS), criteria.bonus_cap)
        assert commune.penalty == min(finals(SECTION_PENALTY), criteria.penalty_cap)
        assert commune.total == commune.appraised + commune.survey + commune.bonus - commune.penalty
        assert commune.adjustment == commune.bonus - commune.penalty
        excluded = sum(r.leaf.max for r in commune.leaves if r.not_applicable == NA_EXCLUDE)
        assert commune.max == criteria.total_points - excluded
        assert sum(a.points for a in commune.areas) == commune.appraised + commune.survey
        assert sum(a.max for a in commune.areas) == commune.max
        self_scores = [r.self_score or 0 for r in commune.leaves if r.leaf.section == SECTION_AREA]
        assert commune.self_assessed == sum(self_scores)
        for area in commune.areas:
            assert area.index == (None if area.max == 0 else round_half_up(area.points * PERCENT, area.max))


@FAST
@given(scenarios())
def test_index_is_total_over_max_rounded_half_up(inputs):
    cap = inputs.criteria.index_cap
    for commune in score(inputs).communes:
        expected = _uncapped_index(commune.total, commune.max)
        if expected is None:
            assert commune.index is None and commune.band is None and commune.rank is None, commune.code
            continue
        if cap is None or expected <= cap:
            assert commune.index == expected, (commune.total, commune.max)
        else:
            assert commune.index <= expected
        band = next(b.name for b in BANDS if commune.index >= b.min_index) if commune.index >= 0 else "Yếu"
        assert commune.band == band


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 40).map(lambda k: 25 * k), st.integers(1, 8))
def test_index_never_exceeds_the_cap(bonus_each, count):
    """A commune with every point plus a bonus: total above max, index capped at index_cap (100 %)."""
    criteria = CriteriaSet(
        id="thu-nghiem", year=2023, title="Bộ tiêu chí thử", issuer=frozen_mapping({}), legal_source=frozen_mapping({}),
        total_points=1000, index_cap=10000, evidence_window=None, areas=(Area("1", "Lĩnh vực 1", 1000, "self_assessment"),),
        leaves=(Leaf("1.1", "Đạt", 1000, SECTION_AREA, "1", YesNo(question="Đạt")),
                adjustment_leaf("T1", SECTION_BONUS, 1000, bonus_each)),
        bonus_title="Điểm thưởng", bonus_cap=1000, penalty_title=None, penalty_cap=0, bands=BANDS, blocks=BLOCKS,
        tie_break=())
    report = {"1.1": LeafReport(facts=frozen_mapping({"done": True})), "T1": LeafReport(facts=frozen_mapping({"count": count}))}
    results = score(Inputs(criteria, (Submission("a.json", "thu-nghiem", 2023, "00001", "Xã A", "xã", frozen_mapping(report)),), None, None))
    commune = results.communes[0]
    assert commune.total > commune.max
    assert commune.index == 10000, (commune.total, commune.max, commune.index)
    assert commune.band == "Xuất sắc"


@FAST
@given(scenarios(min_communes=2), st.randoms(use_true_random=False))
def test_the_order_of_communes_changes_nothing(inputs, rnd):
    baseline = {c.code: _fingerprint(c) for c in score(inputs).communes}
    shuffled = list(inputs.submissions)
    rnd.shuffle(shuffled)
    entries = list(inputs.appraisal.entries) if inputs.appraisal else []
    rnd.shuffle(entries)
    appraisal = Appraisal(inputs.appraisal.path, inputs.appraisal.council, tuple(entries)) if inputs.appraisal else None
    again = score(Inputs(inputs.criteria, tuple(shuffled), appraisal, inputs.survey))
    assert {c.code: _fingerprint(c) for c in again.communes} == baseline
    # the ranking order is deterministic too: block, rank, code
    assert [c.code for c in again.communes] == [c.code for c in score(inputs).communes]


@FAST
@given(scenarios(min_communes=2, max_communes=8))
def test_ranks_follow_indices_within_each_block(inputs):
    criteria = inputs.criteria
    communes = score(inputs).communes
    block_order = [b.id for b in criteria.blocks]
    assert [block_order.index(c.block) for c in communes] == sorted(block_order.index(c.block) for c in communes)
    for block in criteria.blocks:
        members = [c for c in communes if c.block == block.id]
        for commune in members:
            assert commune.block == criteria.block_of(commune.type).id
        # an undefined index (nothing applicable) is neither ranked nor banded, and comes last in its block
        unranked = [c for c in members if c.index is None]
        for commune in unranked:
            assert commune.rank is None and commune.band is None, commune.code
        assert members[len(members) - len(unranked):] == unranked
        ranked = [c for c in members if c.index is not None]
        for commune in ranked:
            better = [o for o in ranked if _rank_keys(o, criteria) > _rank_keys(commune, criteria)]
            assert commune.rank == 1 + len(better), (commune.code, [(_rank_keys(o, criteria), o.rank) for o in ranked])
        for a in ranked:
            for b in ranked:
                if a.index > b.index:
                    assert a.rank < b.rank
                if a.rank == b.rank:
                    assert _rank_keys(a, criteria) == _rank_keys(b, criteria)
        assert [c.rank for c in ranked] == sorted(c.rank for c in ranked)
        if ranked:
            assert min(c.rank for c in ranked) == 1


@FAST
@given(scenarios())
def test_flags_match_the_scores(inputs):
    for commune in score(inputs).communes:
        for result in commune.leaves:
            flags = set(result.flags)
            if "self_above" in flags:
                assert result.self_score is not None and result.self_score > result.final
            if "self_below" in flags:
                assert result.self_score is not None and result.self_score < result.final
            assert not {"self_above", "self_below"} <= flags
            if result.self_score is not None and result.self_score != result.final and result.not_applicable != NA_EXCLUDE:
                assert flags & {"self_above", "self_below"}
            assert ("not_applicable" in flags) == (result.not_applicable is not None)
            assert ("appraised" in flags) == (result.appraisal is not None)
            if "awaiting_appraisal" in flags:
                assert result.leaf.rule.kind == "judgement" and result.appraisal is None
            if "missing_evidence" in flags:
                assert result.leaf.evidence_required and (result.self_score or 0) > 0
            if result.not_applicable == NA_EXCLUDE:
                assert result.reason.startswith("Không áp dụng")
            else:
                assert result.reason.startswith(score_of(result.final, result.leaf.max) + ": ")


@FAST
@given(scenarios())
def test_results_document_round_trips_the_numbers(inputs):
    results = score(inputs)
    document = json.loads(json.dumps(results_document(results, (), generated_at="2024-02-01T08:00:00+07:00")))
    for commune, written in zip(results.communes, document["communes"]):
        assert written["code"] == commune.code
        for key in ("self_assessed", "appraised", "survey", "bonus", "penalty", "total", "max", "index"):
            # an undefined index (nothing applicable) is written as null
            value = None if written[key] is None else from_number(written[key])
            assert value == getattr(commune, key), key
        for result, leaf in zip(commune.leaves, written["leaves"]):
            assert from_number(leaf["final"]) == result.final


# ---------------------------------------------------------------- numbers


fractions_ = st.tuples(st.integers(-10 ** 12, 10 ** 12), st.integers(1, 10 ** 6))


@settings(max_examples=500, deadline=None)
@given(fractions_)
def test_round_half_up_agrees_with_decimal_quantize(pair):
    numerator, denominator = pair
    # 50 significant digits: a quotient with denominator ≤ 10^6 is at least 1/(2·10^6) away from
    # a tie unless it is one, so the Decimal quotient rounds the same way as the exact fraction
    with localcontext() as context:
        context.prec = 50
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert round_half_up(numerator, denominator) == int(expected)
    assert round_half_up(Fraction(numerator, denominator)) == int(expected)
    assert round_half_up(np.array([numerator]), np.array([denominator])).tolist() == [int(expected)]


@settings(max_examples=300, deadline=None)
@given(st.integers(-10 ** 6, 10 ** 6), st.sampled_from([2, 4, 8, 10, 20, 40, 200, 1000]))
def test_round_half_up_ties_go_away_from_zero(whole, denominator):
    numerator = whole * denominator + (denominator // 2 if whole >= 0 else -(denominator // 2))
    assert round_half_up(numerator, denominator) == whole + (1 if whole >= 0 else -1)
    value = Decimal(numerator) / Decimal(denominator)
    assert round_half_up(numerator, denominator) == int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=300, deadline=None)
@given(st.integers(-10 ** 13, 10 ** 13))
def test_to_number_from_number_round_trip(hundredths):
    number = to_number(hundredths)
    assert from_number(number) == hundredths
    assert to_hundredths(Decimal(repr(number))) == hundredths
    assert from_number(json.loads(json.dumps(number))) == hundredths


# ---------------------------------------------------------------- through the files


CASES = Path(__file__).parent / "cases"


def _case_list():
    for path in sorted(CASES.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if len(case["communes"]) > 1:
                yield pytest.param(case, id=f"{path.stem}: {case['name']}")


def _communes_without_paths(paths):
    inputs = load_inputs(**paths)
    document = results_document(score(inputs), inputs.files, generated_at="x")
    communes = document["communes"]
    for commune in communes:
        commune.pop("file")
    return communes


@pytest.mark.parametrize("case", list(_case_list()))
def test_shuffling_submission_files_changes_nothing(case, tmp_path):
    """The submission files are read in name order; renaming them (so they are read in another
    order, and so the communes reach the engine in another order) changes no result."""
    baseline = _communes_without_paths(write_scenario(case, tmp_path / "a"))
    paths = write_scenario(case, tmp_path / "b")
    files = sorted(paths["submissions"].glob("*.json"))
    order = list(range(len(files)))
    random.Random(len(files)).shuffle(order)
    if order == sorted(order):
        order.reverse()
    for position, source in zip(order, files):
        source.rename(source.with_name(f"{position:03d}-{source.name}"))
    assert _communes_without_paths(paths) == baseline
