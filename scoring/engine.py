"""The scoring engine: loaded inputs → results. Pure: no files, no printing, no clock.

The work is laid out as matrices of integer hundredths, communes × leaves, and each rule
is applied to a whole column at once (numpy), so the cost grows with the number of leaves,
not with communes × leaves of Python code. Totals, indices, ranks and bands are computed
on those matrices; only the readable reasons are assembled per commune and leaf.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, NamedTuple

import numpy as np

from .facts import FactTable, accepted_documents, earliest, fact_table, reports_as_json
from .model import (
    NA_EXCLUDE, NA_FULL, SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY,
    AppraisalEntry, CriteriaSet, Document, Inputs, Leaf, LeafReport,
)
from .numbers import round_half_up
from .provisional import provisional_reasons
from .text import document_type
from .reasons import evidence_readings, leaf_reason, scored_reason

PERCENT = 100 * 100  # index in hundredths of a percent = total × PERCENT / max

FLAG_MISSING_EVIDENCE = "missing_evidence"
FLAG_SELF_ABOVE = "self_above"
FLAG_SELF_BELOW = "self_below"
FLAG_AWAITING = "awaiting_appraisal"
FLAG_NA = "not_applicable"
FLAG_APPRAISED = "appraised"
FLAG_SURVEY_MISSING = "survey_missing"  # no tallies yet for this commune and question (provisional)
FLAG_NO_SURVEY = "no_survey"  # an optional survey not held for this commune: left out of the maximum (issue 13)
NO_SURVEY_NOTE = ("không tổ chức điều tra xã hội học tại đơn vị (bộ tiêu chí không bắt buộc): các câu hỏi điều tra "
                  "được loại khỏi điểm tối đa, chỉ số tính trên phần thẩm định")


@dataclass(frozen=True)
class LeafResult:
    """One commune's result on one leaf. Points in hundredths; the reason is written on first use."""

    leaf: Leaf
    raw: Mapping | None  # the commune's entry for the leaf, as validated JSON (None: not reported)
    self_score: int | None
    evidence_score: int | None
    appraisal: AppraisalEntry | None
    final: int
    counted_max: int
    not_applicable: str | None
    flags: tuple[str, ...]
    tallies: Mapping | None = None
    stages: Mapping | None = None  # {stage: AppraisalEntry} of every appraisal stage (None: not appraised)
    rule_score: int = 0
    nothing_arose: bool = False
    uncredited: bool = False
    # the run's reasons already worded, by what they say (see reason): shared by a run's results
    memo: dict | None = field(default=None, repr=False, compare=False)

    @property
    def code(self) -> str:
        return self.leaf.code

    @cached_property
    def report(self) -> LeafReport | None:
        """The commune's report on the leaf (exact points, real dates), converted on first use."""
        return None if self.raw is None else LeafReport.from_json(self.raw)

    @cached_property
    def reason(self) -> str:
        """Why the final score, in Vietnamese (see leaf_reason_text)."""
        report = self.report if self.leaf.rule.reads_documents else None  # converted once, kept
        return leaf_reason_text(self.leaf, self.raw, self.flags, self.self_score, self.evidence_score, self.appraisal,
                                self.final, self.counted_max, self.not_applicable, self.nothing_arose, self.uncredited,
                                self.rule_score, self.tallies, self.memo, report)


def leaf_reason_text(leaf: Leaf, raw: Mapping | None, flags: tuple, self_score: int | None, evidence_score: int | None,
                     appraisal: AppraisalEntry | None, final: int, counted_max: int, not_applicable: str | None,
                     nothing_arose: bool, uncredited: bool, rule_score: int, tallies: Mapping | None,
                     memo: dict | None = None, report: LeafReport | None = None) -> str:
    """Why a commune's leaf got its final score, in Vietnamese (scoring.reasons), from the
    fields of its LeafResult (``raw``: its entry as validated JSON; ``report``: the same as a
    LeafReport when already converted).

    A national run has 330,000 reasons and most kinds' repeat (a yes/no, a choice): with the
    run's ``memo`` each distinct sentence is worded once, keyed by everything it reads
    (reason_key), and only its end on the commune's own document numbers (evidence_readings)
    is added each time."""
    rule = leaf.rule
    if (memo is not None and appraisal is None and not_applicable is None and not uncredited
            and not rule.reads_documents and not rule.awaits_appraisal and _UNUSUAL_FLAGS.isdisjoint(flags)):
        # the common case: the rule's detail alone, the branch leaf_reason would take
        # (tests/test_results_fast.py compares the two); worded directly for the kinds whose
        # reasons differ (counts), once per (leaf, final, rule's points, facts) for the others
        facts = raw.get("facts") if raw is not None else None
        ending = evidence_readings([document["number"] for document in raw.get("evidence") or ()]) if raw else ""
        said = _scored_key(leaf.code, final, rule_score, facts) if rule.reasons_repeat and tallies is None else None
        if said is None:
            return scored_reason(leaf, facts or {}, final, rule_score, tallies) + ending
        text = memo.get(said)
        if text is None:
            text = memo[said] = scored_reason(leaf, facts or {}, final, rule_score, None)
        return text + ending
    if (memo is not None and rule.reason_names_first_document and raw is not None and appraisal is None and not_applicable is None
            and not uncredited and not rule.awaits_appraisal and _UNUSUAL_FLAGS.isdisjoint(flags)):
        return _first_document_reason(leaf, raw, final, rule_score)
    if (memo is None or appraisal is not None or rule.reads_documents or not rule.reasons_repeat
            or FLAG_NO_SURVEY in flags or FLAG_SURVEY_MISSING in flags):
        return _word_reason(leaf, raw, flags, self_score, evidence_score, appraisal, final, counted_max, not_applicable,
                            nothing_arose, uncredited, rule_score, tallies, report)
    numbers = tuple([document["number"] for document in raw.get("evidence") or ()]) if raw is not None else ()
    try:
        key = reason_key(leaf, raw, numbers, flags, self_score, final, counted_max, not_applicable, nothing_arose,
                         uncredited, rule_score, tallies)
        text = memo.get(key)
    except TypeError:  # a fact that is a list or an object: worded each time
        return _word_reason(leaf, raw, flags, self_score, evidence_score, appraisal, final, counted_max, not_applicable,
                            nothing_arose, uncredited, rule_score, tallies, report)
    if text is None:
        text = memo[key] = _word_reason(leaf, raw, flags, self_score, evidence_score, appraisal, final, counted_max,
                                        not_applicable, nothing_arose, uncredited, rule_score, tallies, report,
                                        readings=False)
    return text + evidence_readings(numbers)


def facts_key(facts) -> tuple | None:
    """A leaf's facts (the report's dict) as part of a memo key: each fact's name, class and
    value, a float by its repr (-0.0 is not 0.0; 1, 1.0 and True, equal in Python, are told
    apart by their class); () for none; None when a fact is a list or an object (not
    hashable: worded each time). The one key of scored_reason's, reason_key's and
    results.json's shared facts entries."""
    said = ()
    if facts:
        for name, value in facts.items():
            kind = value.__class__
            if kind is dict or kind is list:
                return None
            said += (name, kind, repr(value) if kind is float else value)
    return said


def _scored_key(code, final, rule_score, facts) -> tuple | None:
    """What scored_reason reads of a leaf without tallies, as a memo key (facts_key); None
    when a fact is a list or an object (worded each time)."""
    said = facts_key(facts)
    return None if said is None else ("scored", code, final, rule_score) + said


def _first_document_reason(leaf, raw, final, rule_score) -> str:
    """The reason of a leaf whose rule names its first document (the deadline kind:
    reason_names_first_document) in its common case (not appraised, applicable, its evidence
    in order, not awaiting the council), the branch leaf_reason takes, from the JSON: the
    earliest accepted document (by date, then number, as facts.earliest) read from the
    entry without a LeafReport, and its end on the other document numbers
    (evidence_readings) (tests/test_results_fast.py compares it with the sentence worded
    afresh). Not remembered: each commune's document has its own number and date."""
    evidence = raw.get("evidence") or ()
    types = leaf.evidence_types
    first = earliest([Document(document["number"], dt.date.fromisoformat(document["date"]), "", "")
                      for document in evidence if not types or document_type(document["number"]) in types])
    text = scored_reason(leaf, {}, final, rule_score, None, first_document=first)
    return text + evidence_readings([document["number"] for document in evidence
                                     if first is None or document["number"] != first.number])


# flags under which a reason is not the rule's detail alone (scored_reason)
_UNUSUAL_FLAGS = frozenset({FLAG_NO_SURVEY, FLAG_SURVEY_MISSING, FLAG_MISSING_EVIDENCE})


def reason_key(leaf, raw, numbers, flags, self_score, final, counted_max, not_applicable, nothing_arose, uncredited,
               rule_score, tallies) -> tuple:
    """What the reason of a leaf without appraisal or documents read depends on, but for its
    end on document numbers: the report as _RawView reads it (a float fact by its repr,
    -0.0; the document numbers only where the reason lists them: evidence missing), the
    scores, flags and tallies. Raises TypeError when a fact is not hashable."""
    said = None
    if raw is not None:
        facts = raw.get("facts")
        missing = FLAG_MISSING_EVIDENCE in flags or uncredited
        key = facts_key(facts)
        if key is None:
            raise TypeError("a fact that is a list or an object")
        said = (key, raw.get("explanation"), bool(raw.get("not_applicable", False)),
                numbers if missing else bool(numbers))
    return (leaf.code, flags, final, self_score, counted_max, not_applicable, nothing_arose, uncredited, rule_score,
            None if tallies is None else tuple(tallies.items()), said)


def _word_reason(leaf, raw, flags, self_score, evidence_score, appraisal, final, counted_max, not_applicable,
                 nothing_arose, uncredited, rule_score, tallies, report=None, readings: bool = True) -> str:
    if FLAG_NO_SURVEY in flags:
        return NO_SURVEY_NOTE
    if FLAG_SURVEY_MISSING in flags:
        counted = "tạm tính 0 điểm" if counted_max else "loại khỏi điểm tối đa"
        return f"chưa có số phiếu điều tra xã hội học của câu này (kết quả tạm tính: {counted})"
    reads_documents = leaf.rule.reads_documents
    documents = first = None
    if reads_documents:
        if report is None and raw is not None:
            report = LeafReport.from_json(raw)
        documents = accepted_documents(leaf, report)  # once: the first of them is the one the rule reads
        first = earliest(documents)
    else:
        report = _RawView(raw)
    return leaf_reason(
        leaf, report, evidence_score=evidence_score if appraisal is not None else None,
        final=final, self_score=self_score, na_policy=not_applicable,
        auto_na=nothing_arose and not (report and report.not_applicable),
        missing_evidence=(FLAG_MISSING_EVIDENCE in flags or uncredited) and appraisal is None,
        rule_score=rule_score, appraisal=appraisal,
        first_document=first, tallies=tallies, documents=documents,
        readings=readings,
    )


class _RawView:
    """What the reasons read of a report (facts, explanation, not-applicable), straight from
    the JSON: converting every entry to a LeafReport would cost more than the sentence."""

    __slots__ = ("facts", "explanation", "not_applicable", "evidence_numbers")

    def __new__(cls, raw):
        if raw is None:
            return None
        view = object.__new__(cls)
        view.facts = raw.get("facts") or {}
        view.explanation = raw.get("explanation")
        view.not_applicable = bool(raw.get("not_applicable", False))
        view.evidence_numbers = [document["number"] for document in raw.get("evidence") or ()]
        return view


class AreaResult(NamedTuple):
    """A commune's points in one area (a tuple: a national run makes 30,000 of them)."""

    code: str
    title: str
    points: int
    max: int
    index: int | None  # hundredths of a percent; None when every leaf was excluded
    self_assessed: int | None  # None for the survey area


@dataclass(frozen=True)
class CommuneResult:
    """One commune's totals; its leaf results are assembled from the run's matrices when asked for."""

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
    index: int | None  # None: undefined (no applicable point: every leaf excluded), see index_note
    rank: int | None   # None with the index: an undefined index is not ranked
    band: str | None
    _run: "_Run" = field(repr=False, compare=False)
    _row: int = field(repr=False, compare=False)
    index_note: str | None = None  # why the index is undefined (Vietnamese), else None
    survey_note: str | None = None  # an optional survey not held for the commune (Vietnamese), else None
    # the survey (satisfaction) index (issue 13): survey points ÷ the applicable maximum of the
    # survey leaves wherever they sit, hundredths of a percent, half up (None without one), and
    # its competition rank within the block (None: no survey index, or a block not ranked)
    survey_index: int | None = None
    survey_rank: int | None = None

    @cached_property
    def areas(self) -> tuple[AreaResult, ...]:
        """Points, maximum and index per area (assembled from the run's matrices when asked for)."""
        return self._run.area_results(self._row)

    @cached_property
    def nodes(self) -> tuple:
        """Points, applicable maximum and index of every criterion with children (scoring.nodes)."""
        from .nodes import inner_nodes, node_results

        run, row = self._run, self._row
        if getattr(run, "inner_nodes", None) is None:  # once per run
            run.inner_nodes = inner_nodes(run.criteria)
        return node_results(run.criteria, run.final[row], run.counted_max[row], run.inner_nodes)

    @property
    def adjustment(self) -> int:
        return self.bonus - self.penalty

    @cached_property
    def leaves(self) -> tuple[LeafResult, ...]:
        return self._run.leaf_results(self._row)

    def leaf_results(self, flags: tuple[str, ...] = ()) -> tuple[LeafResult, ...]:
        """The leaf results (only those carrying one of ``flags``, if given), built afresh and
        not kept: for writers that stream many communes."""
        return self._run.leaf_results(self._row, flags)

    def flagged(self, flag: str) -> tuple[str, ...]:
        """Codes of the leaves carrying a flag, in criteria order."""
        return self._run.flagged(self._row, flag)

    def leaf_fields(self, columns) -> list[tuple]:
        """(raw, self_score, evidence_score, not_applicable, flags, reason) of the leaves at
        ``columns`` (indexes in criteria.leaves), as leaf_results gives them, built afresh."""
        return self._run.leaf_fields(self._row, columns)

    @property
    def not_applicable(self) -> tuple[str, ...]:
        return self.flagged(FLAG_NA)


class Communes(tuple):
    """The communes' results in ranking order (a tuple of CommuneResult); called,
    ``results.communes()``, they come as plain data (scoring.api.commune_data)."""

    __slots__ = ()

    def __call__(self) -> list[dict]:
        from .api import commune_data

        return [commune_data(commune) for commune in self]


@dataclass(frozen=True)
class Results:
    """A scoring run's results: pure data, holding everything they report."""

    criteria: CriteriaSet
    communes: Communes  # ranking order: block, rank, code
    band_counts: Mapping[str, int] = field(default_factory=dict)
    average_index: int | None = None
    # with a registry (scoring.registry): how many units it lists, and those without a
    # submission (not scored, not ranked), in the registry's order; None/() without one
    registered: int | None = None
    not_submitted: tuple = ()
    # why the results are provisional (TẠM TÍNH): scoring.provisional.reasons; () when final
    provisional: tuple = ()
    # against last year (scoring.previous.compare, results.json "comparison"); None without --previous
    comparison: Mapping | None = None

    def commune(self, code: str) -> dict:
        """One commune's result as plain data, points as exact Decimals (scoring.api.commune_data);
        KeyError when no commune has that code."""
        from .api import commune_data

        for commune in self.communes:
            if commune.code == code:
                return commune_data(commune)
        raise KeyError(code)

    def to_frames(self) -> dict:
        """The results as pandas DataFrames (scoring.api.to_frames)."""
        from .api import to_frames

        return to_frames(self)


# ---------------------------------------------------------------- the rules, one column at a time


def score_rule(leaf: Leaf, facts: FactTable, column: int, tallies: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The points each commune's facts give under the leaf's rule, and where nothing arose.

    ``tallies`` (survey questions only) holds each commune's answers per option, as a
    matrix communes × the rule's options (survey_counts).

    Returns (points in hundredths, nothing_arose) for one column of the fact table: the
    kind's vectorised formula (scoring.rules). Every rule is exact integer arithmetic; the
    only rounding (proportional, survey) is round_half_up.
    """
    return leaf.rule.score_all(leaf, facts, column, tallies)


# ---------------------------------------------------------------- scoring


class _Run:
    """The matrices of one scoring run (communes × leaves), shared by its CommuneResults."""

    def __init__(self, criteria, submissions, facts, survey_tallies, appraisals, stages=None):
        self.criteria, self.submissions, self.facts = criteria, submissions, facts
        self.stages = stages or {}  # {(row, column): {stage: entry}}: every stage, for the explanation loop
        self.survey_tallies, self.appraisals = survey_tallies, appraisals  # appraisals: {(row, column): entry}
        shape = facts.self_score.shape
        self.rule_points = np.zeros(shape, dtype=np.int64)
        self.evidence_points = np.zeros(shape, dtype=np.int64)
        self.final = np.zeros(shape, dtype=np.int64)
        self.counted_max = np.zeros(shape, dtype=np.int64)
        self.nothing_arose = np.zeros(shape, dtype=bool)
        self.not_applicable = np.zeros(shape, dtype=bool)
        self.uncredited = np.zeros(shape, dtype=bool)  # not credited for lack of evidence
        self.flags: dict[str, np.ndarray] = {}
        self.reasons: dict = {}  # reasons worded so far, by what they depend on (LeafResult.reason)
        self.flag_bits = np.zeros(shape, dtype=np.int64)
        # per commune and area, as lists (points, maximum, index or None, self-assessed or None)
        self.areas: tuple[list, list, list, list] = ([], [], [], [])
        self.area_codes: list[str] = []
        self.area_titles: list[str] = []

    def area_results(self, row: int) -> tuple[AreaResult, ...]:
        points, maxima, indices, selfs = self.areas  # lists per commune, set by score()
        return tuple(map(AreaResult, self.area_codes, self.area_titles, points[row], maxima[row], indices[row], selfs[row]))

    def flagged(self, row: int, flag: str) -> tuple[str, ...]:
        columns = np.flatnonzero(self.flags[flag][row])
        leaves = self.criteria.leaves
        return tuple(leaves[column].code for column in columns)

    def row_lists(self, row: int) -> tuple[list, ...]:
        """The row's leaf columns as Python lists, in the order (has_self, self_score,
        not_applicable, evidence_points, final, counted_max, rule_points, nothing_arose,
        uncredited, flag_bits): element access on numpy arrays is slow, a row is read leaf
        by leaf (leaf_results, leaf_fields)."""
        facts = self.facts
        return (facts.has_self[row].tolist(), facts.self_score[row].tolist(), self.not_applicable[row].tolist(),
                self.evidence_points[row].tolist(), self.final[row].tolist(), self.counted_max[row].tolist(),
                self.rule_points[row].tolist(), self.nothing_arose[row].tolist(), self.uncredited[row].tolist(),
                self.flag_bits[row].tolist())

    def _leaf_values(self, row: int, columns):
        """Per leaf of the row in ``columns``, what leaf_results and leaf_fields give it, by the
        same rules in one place: (column, leaf, raw, self_score, evidence_score, final,
        counted_max, not_applicable, flags, tallies, rule_score, nothing_arose, uncredited)."""
        submission = self.submissions[row]
        (has_self, self_score, not_applicable, evidence, final, counted, rule_points, nothing_arose, uncredited,
         flags_row) = self.row_lists(row)
        tallies = self.survey_tallies.get(submission.code, {})
        raw_leaves = reports_as_json(submission)
        leaves = self.criteria.leaves
        for column in columns:
            leaf = leaves[column]
            survey = leaf.section == SECTION_SURVEY
            rule_score = rule_points[column]
            yield (column, leaf, raw_leaves.get(leaf.code), self_score[column] if has_self[column] else None,
                   None if survey else evidence[column], final[column], counted[column],
                   leaf.not_applicable if not_applicable[column] else None, FLAG_SETS[flags_row[column]],
                   tallies.get(leaf.code, {}) if survey else None, rule_score, nothing_arose[column],
                   uncredited[column] and rule_score > 0)

    def leaf_results(self, row: int, flags: tuple[str, ...] = ()) -> tuple[LeafResult, ...]:
        """The row's leaf results; with ``flags``, only the leaves carrying one of them."""
        columns = range(len(self.criteria.leaves))
        if flags:
            mask = sum(1 << FLAG_ORDER.index(flag) for flag in flags)
            columns = [column for column, bits in enumerate(self.flag_bits[row].tolist()) if bits & mask]
        appraisals, stages, memo = self.appraisals, self.stages, self.reasons
        return tuple(LeafResult(leaf=leaf, raw=raw, self_score=own, evidence_score=evidence_score,
                                appraisal=appraisals.get((row, column)), stages=stages.get((row, column)),
                                final=final, counted_max=counted, not_applicable=na, flags=leaf_flags,
                                tallies=tallies, rule_score=rule_score, nothing_arose=nothing_arose,
                                uncredited=uncredited, memo=memo)
                     for (column, leaf, raw, own, evidence_score, final, counted, na, leaf_flags, tallies, rule_score,
                          nothing_arose, uncredited) in self._leaf_values(row, columns))

    def leaf_fields(self, row: int, columns) -> list[tuple]:
        """(raw, self_score, evidence_score, not_applicable, flags, reason) of the row's leaves in
        ``columns``: those fields of leaf_results, without a LeafResult per leaf (the appraisal
        form's 300,000 rows at 3,321 communes, issue 19; tests/test_streamed_rows.py compares
        the two)."""
        appraisals, memo = self.appraisals, self.reasons
        return [(raw, own, evidence_score, na, leaf_flags,
                 leaf_reason_text(leaf, raw, leaf_flags, own, evidence_score, appraisals.get((row, column)), final,
                                  counted, na, nothing_arose, uncredited, rule_score, tallies, memo))
                for (column, leaf, raw, own, evidence_score, final, counted, na, leaf_flags, tallies, rule_score,
                     nothing_arose, uncredited) in self._leaf_values(row, columns)]


FLAG_ORDER = (FLAG_NA, FLAG_MISSING_EVIDENCE, FLAG_APPRAISED, FLAG_AWAITING, FLAG_SELF_ABOVE, FLAG_SELF_BELOW,
              FLAG_SURVEY_MISSING, FLAG_NO_SURVEY)
# every combination of flags as a tuple, indexed by its bit mask (bit i = FLAG_ORDER[i])
FLAG_SETS = tuple(tuple(flag for i, flag in enumerate(FLAG_ORDER) if mask >> i & 1) for mask in range(1 << len(FLAG_ORDER)))


def score(inputs: Inputs, facts: FactTable | None = None) -> Results:
    """Score every commune: leaves, areas, totals, index, rank within its block, band.

    ``facts`` is the fact table of the inputs when the caller already built it
    (scoring.facts.fact_table); otherwise it is built here.
    """
    if inputs.check_only:
        # its files were not hashed (their entries cannot be read again safely) and its fact
        # table was not kept: a silent rebuild would score what may no longer be on disk
        raise ValueError("inputs loaded with check_only=True are only checked, never scored: load them without it")
    criteria = inputs.criteria
    submissions = list(inputs.submissions)
    size, width = len(submissions), len(criteria.leaves)
    if facts is None:
        facts = inputs.facts if inputs.facts is not None else fact_table(criteria, submissions)
    survey_tallies = inputs.survey.tallies if inputs.survey else {}
    row_of = {s.code: row for row, s in enumerate(submissions)}
    column_of = {leaf.code: column for column, leaf in enumerate(criteria.leaves)}
    appraisals, stages = {}, {}
    if inputs.appraisal:
        for (commune, code), entry in inputs.appraisal.latest().items():
            if commune in row_of and code in column_of:
                appraisals[(row_of[commune], column_of[code])] = entry
        for entry in inputs.appraisal.entries:
            if entry.commune in row_of and entry.leaf in column_of:
                stages.setdefault((row_of[entry.commune], column_of[entry.leaf]), {})[entry.stage] = entry
    run = _Run(criteria, submissions, facts, survey_tallies, appraisals, stages)
    appraised = np.zeros((size, width), dtype=bool)
    appraised_points = np.zeros((size, width), dtype=np.int64)
    for (row, column), entry in appraisals.items():
        appraised[row, column] = True
        appraised_points[row, column] = entry.score

    counts = survey_counts(criteria, submissions, survey_tallies)
    survey_missing = survey_gaps(criteria, submissions, survey_tallies)
    # an optional survey (survey_required false) not held for a commune (no tallies at all):
    # its survey leaves leave its maximum; final, not provisional
    unsurveyed = np.zeros_like(survey_missing)
    if not criteria.survey_required and survey_missing.size:
        survey_columns = np.array([leaf.section == SECTION_SURVEY for leaf in criteria.leaves], dtype=bool)
        if survey_columns.any():
            none_held = survey_missing[:, survey_columns].all(axis=1)
            unsurveyed = survey_missing & none_held[:, None]
            survey_missing = survey_missing & ~unsurveyed
    judgement = np.array([leaf.rule.awaits_appraisal and leaf.section != SECTION_SURVEY for leaf in criteria.leaves])
    # judgement leaves not appraised yet, left out until appraised when the set says so
    held_back = judgement & ~appraised if criteria.awaiting_appraisal == "exclude" else np.zeros((size, width), dtype=bool)
    for column, leaf in enumerate(criteria.leaves):
        rule_points, nothing_arose = score_rule(leaf, facts, column, counts.get(column))
        not_applicable = (facts.claimed_na[:, column] | nothing_arose) & (leaf.not_applicable is not None)
        # a leaf that requires evidence is not credited without an accepted document
        uncredited = np.zeros(size, dtype=bool)
        if leaf.evidence_required and leaf.section != SECTION_SURVEY:
            uncredited = ~facts.has_evidence[:, column] & ~not_applicable
        evidence_points = np.where(uncredited, 0, rule_points)
        if leaf.not_applicable == NA_FULL:
            evidence_points = np.where(not_applicable, leaf.max, evidence_points)
        elif leaf.not_applicable == NA_EXCLUDE:
            evidence_points = np.where(not_applicable, 0, evidence_points)
        # the council's appraisal overrides, and makes the leaf applicable again
        not_applicable &= ~appraised[:, column]
        run.rule_points[:, column] = rule_points
        run.nothing_arose[:, column] = nothing_arose
        run.not_applicable[:, column] = not_applicable
        run.uncredited[:, column] = uncredited
        run.evidence_points[:, column] = evidence_points
        run.final[:, column] = np.where(appraised[:, column], appraised_points[:, column], evidence_points)
        if leaf.section in (SECTION_AREA, SECTION_SURVEY):
            run.counted_max[:, column] = np.where(not_applicable & (leaf.not_applicable == NA_EXCLUDE), 0, leaf.max)
        # provisional runs: what is missing counts as the criteria set says
        left_out = (held_back[:, column] | unsurveyed[:, column]
                    | (survey_missing[:, column] & (criteria.survey_missing == "exclude")))
        if left_out.any():
            run.final[:, column] = np.where(left_out | survey_missing[:, column], 0, run.final[:, column])
            run.counted_max[:, column] = np.where(left_out, 0, run.counted_max[:, column])
        elif survey_missing[:, column].any():
            run.final[:, column] = np.where(survey_missing[:, column], 0, run.final[:, column])

    final, counted = run.final, run.counted_max
    has_self = facts.has_self
    selfs = np.where(has_self, facts.self_score, 0)
    excluded = run.not_applicable & np.array([leaf.not_applicable == NA_EXCLUDE for leaf in criteria.leaves])
    compared = has_self & ~excluded & ~held_back & (selfs != final)
    run.flags = {
        FLAG_NA: run.not_applicable,
        # flagged when the commune claimed points without the required document
        FLAG_MISSING_EVIDENCE: run.uncredited & has_self & (selfs > 0),
        FLAG_APPRAISED: appraised,
        FLAG_AWAITING: judgement & ~appraised,
        FLAG_SELF_ABOVE: compared & (selfs > final),
        FLAG_SELF_BELOW: compared & (selfs < final),
        FLAG_SURVEY_MISSING: survey_missing,
        FLAG_NO_SURVEY: unsurveyed,
    }
    run.flag_bits = sum(run.flags[flag].astype(np.int64) << bit for bit, flag in enumerate(FLAG_ORDER))
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
    # points ÷ applicable maximum: with no applicable point (every leaf excluded as not
    # applicable) the index is undefined, neither 0 nor 100: not ranked, not banded
    defined = maximum > 0
    index = round_half_up(total * PERCENT, np.where(defined, maximum, 1))
    index = np.where(defined, index, 0)
    if criteria.index_cap is not None:
        index = np.minimum(index, criteria.index_cap)  # both in hundredths of a percent
    missing_count = run.flags[FLAG_MISSING_EVIDENCE].sum(axis=1)

    keys = {"total": total, "survey": survey_total, "appraised": appraised_total,
            "fewer_missing_evidence": -missing_count}
    ranks = np.zeros(size, dtype=np.int64)
    # a block the set marks not ranked (e.g. a special zone): index and band, no rank
    in_ranked_block = np.array([criteria.block_of(s.type).ranked for s in submissions], dtype=bool)
    ranked_rows = np.flatnonzero(defined & in_ranked_block)
    ranks[ranked_rows] = _ranks(criteria, [submissions[row] for row in ranked_rows], index[ranked_rows],
                                {name: values[ranked_rows] for name, values in keys.items()})
    # the survey (satisfaction) index and its rank within the block (issue 13): survey points ÷
    # the applicable maximum of every survey leaf (a survey area's or a content area's column)
    survey_max = counted[:, sections == SECTION_SURVEY].sum(axis=1)
    surveyed = survey_max > 0
    survey_index = round_half_up(survey_total * PERCENT, np.where(surveyed, survey_max, 1))
    survey_ranks = np.zeros(size, dtype=np.int64)
    survey_rows = np.flatnonzero(surveyed & in_ranked_block)
    survey_ranks[survey_rows] = _ranks(criteria, [submissions[row] for row in survey_rows], survey_index[survey_rows],
                                       {}, tie_break=())
    survey_index_list = [int(value) if ok else None for value, ok in zip(survey_index.tolist(), surveyed.tolist())]
    survey_rank_list = [int(survey_ranks[row]) if row_ok else None
                        for row, row_ok in enumerate((surveyed & in_ranked_block).tolist())]
    minima = np.array([band.min_index for band in criteria.bands], dtype=np.int64)
    # bands are ordered best first with decreasing thresholds: the first one reached
    reached = index[:, None] >= minima[None, :]
    # a negative index (penalties) reaches no threshold: it takes the lowest band
    band_of = np.where(reached.any(axis=1), np.argmax(reached, axis=1), len(minima) - 1) if size else np.zeros(0, dtype=np.int64)
    band_names = [criteria.bands[int(b)].name if ok else None for b, ok in zip(band_of, defined.tolist())]

    area_masks = [np.array([leaf.area == area.code for leaf in criteria.leaves]) for area in criteria.areas]
    area_points = np.stack([final[:, mask].sum(axis=1) for mask in area_masks], axis=1) if size else np.zeros((0, 0))
    area_max = np.stack([counted[:, mask].sum(axis=1) for mask in area_masks], axis=1) if size else np.zeros((0, 0))
    area_self = np.stack([selfs[:, mask].sum(axis=1) for mask in area_masks], axis=1) if size else np.zeros((0, 0))
    area_index = round_half_up(area_points * PERCENT, np.where(area_max == 0, 1, area_max)) if size else area_points
    blocks = {unit_type: block.id for block in criteria.blocks for unit_type in block.unit_types}

    # per area: None where every leaf was excluded (no index), and no self-assessed part for the survey
    area_index = np.where(area_max == 0, None, area_index).tolist() if size else []
    survey_area = np.array([area.source == "survey" for area in criteria.areas], dtype=bool)
    area_self = np.where(survey_area, None, area_self).tolist() if size else []
    run.areas = (area_points.tolist(), area_max.tolist(), area_index, area_self)
    run.area_codes, run.area_titles = [area.code for area in criteria.areas], [area.title for area in criteria.areas]
    (self_total, appraised_total, survey_total, bonus, penalty, total, maximum, index_list, rank_list) = (
        m.tolist() for m in (self_total, appraised_total, survey_total, bonus, penalty, total, maximum, index, ranks))
    defined_list = defined.tolist()
    index_list = [value if ok else None for value, ok in zip(index_list, defined_list)]
    rank_list = [value if ok and in_block else None
                 for value, ok, in_block in zip(rank_list, defined_list, in_ranked_block.tolist())]
    # ranking order: block, rank, code
    block_position = {unit_type: position for position, block in enumerate(criteria.blocks) for unit_type in block.unit_types}
    # (unranked communes last in their block)
    order = sorted(range(size), key=lambda row: (block_position[submissions[row].type], rank_list[row] is None,
                                                 rank_list[row] or 0, submissions[row].code))
    unsurveyed_rows = unsurveyed.any(axis=1).tolist() if size else []
    communes = []
    for row in order:
        submission = submissions[row]
        communes.append(CommuneResult(
            code=submission.code, name=submission.name, type=submission.type,
            block=blocks[submission.type], file=submission.path,
            self_assessed=self_total[row], appraised=appraised_total[row], survey=survey_total[row],
            bonus=bonus[row], penalty=penalty[row], total=total[row], max=maximum[row],
            index=index_list[row], rank=rank_list[row], band=band_names[row], _run=run, _row=row,
            index_note=None if defined_list[row] else UNDEFINED_INDEX_NOTE,
            survey_note=NO_SURVEY_NOTE if unsurveyed_rows[row] else None,
            survey_index=survey_index_list[row], survey_rank=survey_rank_list[row],
        ))
    counts = {band.name: 0 for band in criteria.bands}
    for name in band_names:
        if name is not None:
            counts[name] += 1
    scored = int(defined.sum())
    average = int(round_half_up(int(index[defined].sum()), scored)) if scored else None
    registry = inputs.registry
    provisional = provisional_reasons(criteria, submissions, survey_missing, judgement & ~appraised)
    if registry is None:
        return Results(criteria, Communes(communes), counts, average, provisional=provisional)
    return Results(criteria, Communes(communes), counts, average, registered=len(registry.units),
                   not_submitted=registry.missing(row_of), provisional=provisional)


UNDEFINED_INDEX_NOTE = ("chỉ số không xác định: mọi tiêu chí của xã đều không áp dụng (điểm tối đa áp dụng "
                        "bằng 0), nên không chia được điểm đạt cho điểm tối đa; xã không được xếp hạng, xếp loại")


def survey_gaps(criteria: CriteriaSet, submissions, survey_tallies) -> np.ndarray:
    """communes × leaves: True where a survey question has no tallies for the commune yet (no
    survey file, an empty one, or the question missing). The loader lets this through only
    when the criteria set's provisional.survey_missing is not "error"."""
    gaps = np.zeros((len(submissions), len(criteria.leaves)), dtype=bool)
    for column, leaf in enumerate(criteria.leaves):
        if leaf.section != SECTION_SURVEY:
            continue
        for row, submission in enumerate(submissions):
            questions = survey_tallies.get(submission.code)
            gaps[row, column] = not questions or leaf.code not in questions
    return gaps


def survey_counts(criteria: CriteriaSet, submissions, survey_tallies) -> dict[int, np.ndarray]:
    """Per survey question (by column), the answers of every commune per option: a matrix
    communes × the rule's options, laid out in one pass over the tallies."""
    columns = {leaf.code: (column, {o.code: i for i, o in enumerate(leaf.rule.answers)})
               for column, leaf in enumerate(criteria.leaves) if leaf.section == SECTION_SURVEY}
    cells = {column: [0] * (len(submissions) * len(options)) for column, options in columns.values()}
    for row, submission in enumerate(submissions):
        questions = survey_tallies.get(submission.code)
        if not questions:
            continue
        for code, answers in questions.items():
            found = columns.get(code)
            if found is None:  # validation refuses other questions; hand-built inputs may not
                continue
            column, options = found
            values, base = cells[column], row * len(options)
            for option, count in answers.items():
                index = options.get(option)
                if index is not None:
                    values[base + index] = count
    return {column: np.array(cells[column], dtype=np.int64).reshape(len(submissions), len(options))
            for column, options in columns.values()}


def _ranks(criteria: CriteriaSet, submissions, index: np.ndarray, keys: Mapping[str, np.ndarray],
           tie_break: tuple[str, ...] | None = None) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) within each block: index first, then the set's tie-breakers
    (``tie_break``: other keys of ``keys`` instead; ``()`` for none, as the survey ranking).

    Communes equal on the index and on every tie-breaker share a rank; the next rank skips.
    """
    tie_break = criteria.tie_break if tie_break is None else tie_break
    size = len(index)
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    block_position = {block.id: position for position, block in enumerate(criteria.blocks)}
    blocks = np.array([block_position[criteria.block_of(s.type).id] for s in submissions], dtype=np.int64)
    compared = np.stack([index] + [keys[name] for name in tie_break], axis=1).astype(np.int64)
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


