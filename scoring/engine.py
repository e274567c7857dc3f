"""The scoring engine: loaded inputs → results. Pure: no files, no printing, no clock.

The work is laid out as matrices of integer hundredths, communes × leaves, and each rule
is applied to a whole column at once (numpy), so the cost grows with the number of leaves,
not with communes × leaves of Python code. Totals, indices, ranks and bands are computed
on those matrices; only the readable reasons are assembled per commune and leaf.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from .model import (
    NA_EXCLUDE, NA_FULL, SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY,
    AppraisalEntry, CriteriaSet, Document, Inputs, Leaf, LeafReport, Submission,
)
from .numbers import round_half_up
from .reasons import leaf_reason

PERCENT = 100 * 100  # index in hundredths of a percent = total × PERCENT / max

FLAG_MISSING_EVIDENCE = "missing_evidence"
FLAG_SELF_ABOVE = "self_above"
FLAG_SELF_BELOW = "self_below"
FLAG_AWAITING = "awaiting_appraisal"
FLAG_NA = "not_applicable"
FLAG_APPRAISED = "appraised"


@dataclass(frozen=True)
class LeafResult:
    """One commune's result on one leaf. Points in hundredths."""

    leaf: Leaf
    report: LeafReport | None
    self_score: int | None
    evidence_score: int | None
    appraisal: AppraisalEntry | None
    final: int
    counted_max: int
    not_applicable: str | None
    flags: tuple[str, ...]
    reason: str
    tallies: Mapping | None = None

    @property
    def code(self) -> str:
        return self.leaf.code


@dataclass(frozen=True)
class AreaResult:
    code: str
    title: str
    points: int
    max: int
    index: int | None  # hundredths of a percent; None when every leaf was excluded
    self_assessed: int | None  # None for the survey area


@dataclass(frozen=True)
class CommuneResult:
    code: str
    name: str
    type: str
    block: str
    file: str
    self_assessed: int
    appraised: int
    survey: int
    bonus: int
    penalty: int
    total: int
    max: int
    index: int
    rank: int
    band: str
    areas: tuple[AreaResult, ...]
    leaves: tuple[LeafResult, ...]

    @property
    def adjustment(self) -> int:
        return self.bonus - self.penalty

    def flagged(self, flag: str) -> tuple[str, ...]:
        """Codes of the leaves carrying a flag, in criteria order."""
        return tuple(result.code for result in self.leaves if flag in result.flags)

    @property
    def not_applicable(self) -> tuple[str, ...]:
        return self.flagged(FLAG_NA)


@dataclass(frozen=True)
class Results:
    criteria: CriteriaSet
    communes: tuple[CommuneResult, ...]  # ranking order: block, rank, code
    band_counts: Mapping[str, int] = field(default_factory=dict)
    average_index: int | None = None


# ---------------------------------------------------------------- fact matrices


@dataclass
class _Columns:
    """The inputs of one leaf for every commune, as arrays."""

    report: list
    self_score: np.ndarray
    has_self: np.ndarray
    claimed_na: np.ndarray
    has_evidence: np.ndarray
    first_document: list


def _fact_array(reports, name, dtype=np.int64):
    return np.array([int(r.facts.get(name, 0)) if r else 0 for r in reports], dtype=dtype)


def _accepted_documents(leaf: Leaf, report: LeafReport | None) -> list[Document]:
    """Evidence documents of a type the leaf accepts (any type when it names none)."""
    if report is None:
        return []
    if not leaf.evidence_types:
        return list(report.evidence)
    return [d for d in report.evidence if d.doc_type in leaf.evidence_types]


def _columns(leaf: Leaf, submissions) -> _Columns:
    reports = [s.leaves.get(leaf.code) for s in submissions]
    accepted = [_accepted_documents(leaf, r) for r in reports]
    return _Columns(
        report=reports,
        self_score=np.array([r.self_score if r and r.self_score is not None else 0 for r in reports], dtype=np.int64),
        has_self=np.array([bool(r and r.self_score is not None) for r in reports]),
        claimed_na=np.array([bool(r and r.not_applicable) for r in reports]),
        has_evidence=np.array([bool(docs) for docs in accepted]),
        first_document=[min(docs, key=lambda d: (d.date, d.number)) if docs else None for docs in accepted],
    )


# ---------------------------------------------------------------- the rules, one column at a time


def score_rule(leaf: Leaf, columns: _Columns, tallies: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The points each commune's facts give under the leaf's rule, and where nothing arose.

    Returns (points in hundredths, auto_not_applicable). Every rule is exact integer
    arithmetic; the only rounding (proportional, survey) is round_half_up.
    """
    rule, reports, size = leaf.rule, columns.report, len(columns.report)
    nothing_arose = np.zeros(size, dtype=bool)
    kind = rule.kind
    if kind == "yes_no":
        done = np.array([bool(r and r.facts.get("done")) for r in reports])
        points = np.where(done, leaf.max, 0)
    elif kind == "choice":
        by_value = {o.value: o.points for o in rule.options}
        points = np.array([by_value.get(r.facts.get("choice"), 0) if r else 0 for r in reports], dtype=np.int64)
    elif kind == "deadline":
        days = np.array([d.date.toordinal() if d else 0 for d in columns.first_document], dtype=np.int64)
        present = days > 0
        points = np.full(size, rule.missing, dtype=np.int64)
        if rule.late_until is not None:
            points = np.where(present & (days <= rule.late_until.toordinal()), rule.late, points)
        points = np.where(present & (days <= rule.deadline.toordinal()), rule.on_time, points)
    elif kind in ("ratio_thresholds", "proportional"):
        numerator, denominator = _fact_array(reports, "numerator"), _fact_array(reports, "denominator")
        nothing_arose = denominator == 0
        safe_denominator = np.where(nothing_arose, 1, denominator)
        if kind == "proportional":
            points = round_half_up(leaf.max * numerator, safe_denominator)
        else:
            points = np.full(size, rule.otherwise, dtype=np.int64)
            # the first threshold reached wins: apply them lowest first so higher ones overwrite
            for threshold in reversed(rule.thresholds):
                reached = numerator * 100 * threshold.at.denominator >= threshold.at.numerator * safe_denominator
                points = np.where(reached, threshold.points, points)
        points = np.where(nothing_arose, 0, points)
    elif kind == "value_thresholds":
        from .numbers import to_hundredths
        values = np.array([to_hundredths(r.facts.get("value", 0)) if r else 0 for r in reports], dtype=np.int64)
        points = np.full(size, rule.otherwise, dtype=np.int64)
        for threshold in reversed(rule.thresholds):
            limit_numerator, limit_denominator = threshold.at.numerator * 100, threshold.at.denominator
            if rule.direction == "at_least":
                reached = values * limit_denominator >= limit_numerator
            else:
                reached = values * limit_denominator <= limit_numerator
            points = np.where(reached, threshold.points, points)
    elif kind == "deduction":
        violations = _fact_array(reports, "violations")
        points = np.maximum(leaf.max - rule.per_violation * violations, rule.floor)
    elif kind == "per_count":
        points = np.minimum(rule.points_each * _fact_array(reports, "count"), leaf.max)
    elif kind == "judgement":
        points = np.where(columns.has_self, columns.self_score, 0)
    elif kind == "survey":
        shares = [int(o.share * 100) for o in rule.survey_options]  # hundredths of a percent
        counts = np.array([[t.get(o.code, 0) for o in rule.survey_options] for t in tallies], dtype=np.int64)
        respondents = counts.sum(axis=1)
        weighted = counts @ np.array(shares, dtype=np.int64)
        points = round_half_up(leaf.max * weighted, np.where(respondents == 0, 1, respondents) * PERCENT)
    else:  # the schema admits no other kind
        raise ValueError(f"unknown rule kind {kind}")
    return np.asarray(points, dtype=np.int64), nothing_arose


# ---------------------------------------------------------------- scoring


def score(inputs: Inputs) -> Results:
    """Score every commune: leaves, areas, totals, index, rank within its block, band."""
    criteria = inputs.criteria
    submissions = list(inputs.submissions)
    size = len(submissions)
    latest = inputs.appraisal.latest() if inputs.appraisal else {}
    survey_tallies = inputs.survey.tallies if inputs.survey else {}

    per_leaf = []
    for leaf in criteria.leaves:
        columns = _columns(leaf, submissions)
        tallies = None
        if leaf.section == SECTION_SURVEY:
            tallies = [survey_tallies.get(s.code, {}).get(leaf.code, {}) for s in submissions]
        rule_points, nothing_arose = score_rule(leaf, columns, tallies)

        not_applicable = (columns.claimed_na | nothing_arose) & (leaf.not_applicable is not None)
        # a leaf that requires evidence is not credited without an accepted document
        uncredited = np.zeros(size, dtype=bool)
        if leaf.evidence_required and leaf.section != SECTION_SURVEY:
            uncredited = ~columns.has_evidence & ~not_applicable
        evidence_points = np.where(uncredited, 0, rule_points)
        if leaf.not_applicable == NA_FULL:
            evidence_points = np.where(not_applicable, leaf.max, evidence_points)
        elif leaf.not_applicable == NA_EXCLUDE:
            evidence_points = np.where(not_applicable, 0, evidence_points)

        appraisals = [latest.get((s.code, leaf.code)) for s in submissions]
        appraised = np.array([a is not None for a in appraisals])
        appraised_points = np.array([a.score if a else 0 for a in appraisals], dtype=np.int64)
        final = np.where(appraised, appraised_points, evidence_points)
        # an appraisal makes the leaf applicable again: the council scored it
        not_applicable = not_applicable & ~appraised
        counted_max = np.where(not_applicable & (leaf.not_applicable == NA_EXCLUDE), 0, leaf.max)
        if leaf.section in (SECTION_BONUS, SECTION_PENALTY):
            counted_max = np.zeros(size, dtype=np.int64)
        per_leaf.append(dict(leaf=leaf, columns=columns, tallies=tallies, rule_points=rule_points,
                             nothing_arose=nothing_arose, not_applicable=not_applicable,
                             # flagged when the commune claimed points without the document
                             missing=uncredited & columns.has_self & (columns.self_score > 0),
                             uncredited=uncredited & (rule_points > 0),
                             evidence_points=evidence_points, appraisals=appraisals, final=final,
                             counted_max=counted_max))

    if not per_leaf:
        return Results(criteria, ())
    final = np.stack([p["final"] for p in per_leaf], axis=1) if size else np.zeros((0, len(per_leaf)), dtype=np.int64)
    counted = np.stack([p["counted_max"] for p in per_leaf], axis=1) if size else np.zeros_like(final)
    selfs = np.stack([np.where(p["columns"].has_self, p["columns"].self_score, 0) for p in per_leaf], axis=1) if size else np.zeros_like(final)
    sections = np.array([leaf.section for leaf in criteria.leaves])

    def section_sum(matrix, section):
        return matrix[:, sections == section].sum(axis=1)

    appraised_total = section_sum(final, SECTION_AREA)
    self_total = section_sum(selfs, SECTION_AREA)
    survey_total = section_sum(final, SECTION_SURVEY)
    bonus = np.minimum(section_sum(final, SECTION_BONUS), criteria.bonus_cap)
    penalty = np.minimum(section_sum(final, SECTION_PENALTY), criteria.penalty_cap)
    total = appraised_total + survey_total + bonus - penalty
    maximum = counted.sum(axis=1)
    index = round_half_up(total * PERCENT, np.where(maximum == 0, 1, maximum))
    index = np.where(maximum == 0, 0, index)
    if criteria.index_cap is not None:
        index = np.minimum(index, criteria.index_cap)  # both in hundredths of a percent
    missing_count = np.stack([p["missing"] for p in per_leaf], axis=1).sum(axis=1) if size else np.zeros(0)

    ranks = _ranks(criteria, submissions, index, {
        "total": total, "survey": survey_total, "appraised": appraised_total,
        "fewer_missing_evidence": -missing_count,
    })
    bands = [_band(criteria, int(value)) for value in index]

    area_columns = {area.code: np.array([leaf.area == area.code for leaf in criteria.leaves]) for area in criteria.areas}
    communes = []
    for row, submission in enumerate(submissions):
        leaves = tuple(_leaf_result(p, row) for p in per_leaf)
        areas = []
        for area in criteria.areas:
            mask = area_columns[area.code]
            points, area_max = int(final[row, mask].sum()), int(counted[row, mask].sum())
            areas.append(AreaResult(
                area.code, area.title, points, area_max,
                None if area_max == 0 else int(round_half_up(points * PERCENT, area_max)),
                None if area.source == "survey" else int(selfs[row, mask].sum()),
            ))
        communes.append(CommuneResult(
            code=submission.code, name=submission.name, type=submission.type,
            block=criteria.block_of(submission.type).id, file=submission.path,
            self_assessed=int(self_total[row]), appraised=int(appraised_total[row]), survey=int(survey_total[row]),
            bonus=int(bonus[row]), penalty=int(penalty[row]), total=int(total[row]), max=int(maximum[row]),
            index=int(index[row]), rank=int(ranks[row]), band=bands[row], areas=tuple(areas), leaves=leaves,
        ))
    block_order = {block.id: position for position, block in enumerate(criteria.blocks)}
    communes.sort(key=lambda c: (block_order[c.block], c.rank, c.code))
    counts = {band.name: 0 for band in criteria.bands}
    for name in bands:
        counts[name] += 1
    average = int(round_half_up(int(index.sum()), size)) if size else None
    return Results(criteria, tuple(communes), counts, average)


def _ranks(criteria: CriteriaSet, submissions, index: np.ndarray, keys: Mapping[str, np.ndarray]) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) within each block: index first, then the set's tie-breakers.

    Communes equal on the index and on every tie-breaker share a rank; the next rank skips.
    """
    size = len(index)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    block_position = {block.id: position for position, block in enumerate(criteria.blocks)}
    blocks = np.array([block_position[criteria.block_of(s.type).id] for s in submissions], dtype=np.int64)
    compared = np.stack([index] + [keys[name] for name in criteria.tie_break], axis=1).astype(np.int64)
    # lexsort: the last key is the primary one; higher values first, so negate
    order = np.lexsort(tuple(-compared[:, column] for column in reversed(range(compared.shape[1]))) + (blocks,))
    sorted_keys, sorted_blocks = compared[order], blocks[order]
    new_block = np.ones(size, dtype=bool)
    new_block[1:] = sorted_blocks[1:] != sorted_blocks[:-1]
    new_group = new_block.copy()
    new_group[1:] |= np.any(sorted_keys[1:] != sorted_keys[:-1], axis=1)
    positions = np.arange(size)
    block_start = np.maximum.accumulate(np.where(new_block, positions, 0))
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0))
    ranks = np.empty(size, dtype=np.int64)
    ranks[order] = group_start - block_start + 1
    return ranks


def _band(criteria: CriteriaSet, index: int) -> str:
    """The first band (best first) whose threshold the index reaches."""
    for band in criteria.bands:
        if index >= band.min_index:
            return band.name
    return criteria.bands[-1].name


def _leaf_result(p: dict, row: int) -> LeafResult:
    leaf: Leaf = p["leaf"]
    columns: _Columns = p["columns"]
    report = columns.report[row]
    appraisal = p["appraisals"][row]
    has_self = bool(columns.has_self[row])
    self_score = int(columns.self_score[row]) if has_self else None
    not_applicable = bool(p["not_applicable"][row])
    na_policy = leaf.not_applicable if not_applicable else None
    final = int(p["final"][row])
    evidence_score = int(p["evidence_points"][row])
    missing = bool(p["missing"][row])
    flags = []
    if not_applicable:
        flags.append(FLAG_NA)
    if missing:
        flags.append(FLAG_MISSING_EVIDENCE)
    if appraisal is not None:
        flags.append(FLAG_APPRAISED)
    elif leaf.rule.kind == "judgement" and leaf.section != SECTION_SURVEY:
        flags.append(FLAG_AWAITING)
    if has_self and na_policy != NA_EXCLUDE and self_score != final:
        flags.append(FLAG_SELF_ABOVE if self_score > final else FLAG_SELF_BELOW)
    tallies = p["tallies"][row] if p["tallies"] is not None else None
    reason = leaf_reason(
        leaf, report, evidence_score=evidence_score if appraisal is not None else None, final=final,
        self_score=self_score, na_policy=na_policy, auto_na=bool(p["nothing_arose"][row]) and not (report and report.not_applicable),
        missing_evidence=(missing or bool(p["uncredited"][row])) and appraisal is None, rule_score=int(p["rule_points"][row]),
        appraisal=appraisal, first_document=columns.first_document[row], tallies=tallies,
    )
    return LeafResult(leaf, report, self_score, None if leaf.section == SECTION_SURVEY else evidence_score,
                      appraisal, final, int(p["counted_max"][row]), na_policy, tuple(flags), reason, tallies)
