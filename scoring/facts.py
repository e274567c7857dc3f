"""The facts of every commune on every leaf, as arrays (communes × leaves).

The engine applies each rule to a whole column at once, so it needs the reported facts laid
out as numpy arrays rather than as one object per commune and leaf. ``extract`` builds
them in one pass over the submissions' leaf entries, converting only what the rules need
(points to hundredths, the earliest accepted evidence date), and checks on those arrays
what validation needs to know about every entry (scoring.validate.leaf_issues explains the
few it marks). The entries themselves are not kept: explanations read them again. Pure:
plain data in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import (
    FACTS_BY_KIND, SECTION_AREA, SECTION_SURVEY, CriteriaSet, LazyReports, LeafReport, Submission, document_type,
    is_real_date,
)
from .numbers import exact_hundredths


@dataclass(frozen=True)
class FactTable:
    """Arrays of shape (communes, leaves), leaves in the criteria set's order."""

    self_score: np.ndarray      # int64 hundredths (0 when absent)
    has_self: np.ndarray        # bool
    claimed_na: np.ndarray      # bool: the commune claims "không áp dụng"
    has_evidence: np.ndarray    # bool: at least one document of an accepted type
    first_day: np.ndarray       # int64 day ordinal of the earliest accepted document (0 none)
    done: np.ndarray            # bool (yes_no)
    choice: np.ndarray          # int64 option index (choice), -1 when none
    numerator: np.ndarray       # int64
    denominator: np.ndarray     # int64
    value: np.ndarray           # int64 hundredths (value_thresholds)
    violations: np.ndarray      # int64
    count: np.ndarray           # int64


def _hundredths(value) -> int:
    """Exact hundredths of an already validated number (int, Decimal with ≤ 2 decimals)."""
    if isinstance(value, int):
        return value * 100
    return int(value.scaleb(2))


def reports_as_json(submission: Submission) -> dict:
    """The submission's leaves as validated JSON dicts (as read, or rebuilt from model objects)."""
    leaves = submission.leaves
    if isinstance(leaves, LazyReports):
        return leaves.raw
    return {code: report.to_json() for code, report in leaves.items()}


def fact_table(criteria: CriteriaSet, submissions) -> FactTable:
    """Lay out every commune's reported facts per leaf; one pass, no per-rule logic."""
    return fact_block(criteria, [reports_as_json(submission) for submission in submissions])


def fact_block(criteria: CriteriaSet, reports) -> FactTable:
    """The fact table of a list of submissions' leaf entries (validated JSON dicts, one per commune).

    The loader builds one block per group of files it reads (possibly in another process)
    and joins them with ``concat_facts``; ``fact_table`` is the same for model objects.
    """
    return extract(criteria, reports).facts


@dataclass(frozen=True)
class Extraction:
    """A fact table and what the quick meaning check found while building it."""

    facts: FactTable
    clean: np.ndarray        # bool per commune: nothing scoring.validate.leaf_issues could object to
    key_counts: list[int]    # keys inside each commune's "leaves" object, counted as parsed


# one bit per fact a leaf entry can state: the quick meaning check compares them with what the rule needs
FACT_BITS = {"done": 1, "choice": 2, "numerator": 4, "denominator": 8, "value": 16, "violations": 32, "count": 64}


@dataclass(frozen=True)
class _Columns:
    """Per leaf, as rows of numbers, what the quick meaning check compares against."""

    na_allowed: np.ndarray
    survey: np.ndarray
    area: np.ndarray
    needed: np.ndarray       # FACT_BITS of the facts the rule needs
    max: np.ndarray
    floor: np.ndarray        # lowest self-score allowed (below 0 only for deductions)
    step: np.ndarray         # judgement step (1 elsewhere)
    judgement: np.ndarray


def _columns(criteria: CriteriaSet) -> _Columns:
    cached = criteria.__dict__.get("_fact_columns")
    if cached is not None:
        return cached
    leaves = criteria.leaves
    columns = _Columns(
        na_allowed=np.array([leaf.not_applicable is not None for leaf in leaves], dtype=bool),
        survey=np.array([leaf.section == SECTION_SURVEY for leaf in leaves], dtype=bool),
        area=np.array([leaf.section == SECTION_AREA for leaf in leaves], dtype=bool),
        needed=np.array([sum(FACT_BITS[name] for name in FACTS_BY_KIND[leaf.rule.kind]) for leaf in leaves], dtype=np.int64),
        max=np.array([leaf.max for leaf in leaves], dtype=np.int64),
        floor=np.array([min(0, leaf.rule.floor) if leaf.rule.kind == "deduction" else 0 for leaf in leaves], dtype=np.int64),
        step=np.array([leaf.rule.step or 1 if leaf.rule.kind == "judgement" else 1 for leaf in leaves], dtype=np.int64),
        judgement=np.array([leaf.rule.kind == "judgement" for leaf in leaves], dtype=bool),
    )
    object.__setattr__(criteria, "_fact_columns", columns)  # a cache, not state: the set is frozen
    return columns


def extract(criteria: CriteriaSet, reports) -> Extraction:
    """Lay out the facts of schema-valid leaf entries, one pass; mark the communes whose
    entries the full meaning check (scoring.validate.leaf_issues) must look at.

    A commune is clean when every one of its entries passes the checks below, done on the
    arrays; anything they cannot decide (an evidence file to look for on disk, an unknown
    code, a number with more than two decimals) marks it too. Marking is cheap and only
    costs a closer look, so the marks cover every problem leaf_issues can find.
    """
    leaves = criteria.leaves
    width, size = len(leaves), len(reports)
    cells = size * width
    position = {leaf.code: index for index, leaf in enumerate(leaves)}
    accepted = [frozenset(leaf.evidence_types) if leaf.evidence_types else None for leaf in leaves]
    options = [{o.value: i for i, o in enumerate(leaf.rule.options)} for leaf in leaves]
    window = criteria.evidence_window
    first_allowed, last_allowed = (window[0].isoformat(), window[1].isoformat()) if window else ("", "\uffff")

    self_score, has_self, present = [0] * cells, [False] * cells, [False] * cells
    claimed_na, has_evidence, first_day = [False] * cells, [False] * cells, [""] * cells
    done, choice, fact_bits = [False] * cells, [-1] * cells, [0] * cells
    numerator, denominator, value, violations, count = ([0] * cells for _ in range(5))
    marked = [False] * size
    key_counts = [0] * size
    days: list[str] = []          # every evidence date, to check they are real calendar dates
    type_of: dict[str, str] = {}  # document number → type (numbers repeat across communes)
    day_rows: list[int] = []      # where each row's dates start in ``days``

    for row, entries in enumerate(reports):
        base = row * width
        keys = len(entries)
        day_rows.append(len(days))
        for code, raw in entries.items():
            column = position.get(code)
            if column is None:  # an unknown code: leaf_issues names it
                marked[row] = True
                continue
            cell = base + column
            present[cell] = True
            keys += len(raw)
            score = raw.get("self_score")
            if score is not None:
                kind = type(score)  # floats and ints inline: they are nearly all of them
                hundredths = round(score * 100) if kind is float else score * 100 if kind is int else exact_hundredths(score)
                if hundredths is None:
                    marked[row] = True
                else:
                    self_score[cell] = hundredths
                    has_self[cell] = True
            if raw.get("not_applicable"):
                claimed_na[cell] = True
            facts = raw.get("facts")
            if facts:
                keys += len(facts)
                bits = 0
                for name, fact in facts.items():
                    if name == "numerator":
                        numerator[cell] = int(fact)
                    elif name == "denominator":
                        denominator[cell] = int(fact)
                    elif name == "done":
                        done[cell] = bool(fact)
                    elif name == "choice":
                        index = options[column].get(fact)
                        if index is None:
                            marked[row] = True
                        else:
                            choice[cell] = index
                    elif name == "value":
                        hundredths = exact_hundredths(fact)
                        if hundredths is None:
                            marked[row] = True
                        else:
                            value[cell] = hundredths
                    elif name == "violations":
                        violations[cell] = int(fact)
                    elif name == "count":
                        count[cell] = int(fact)
                    bits |= FACT_BITS.get(name, 128)
                fact_bits[cell] = bits
            documents = raw.get("evidence")
            if documents:
                types = accepted[column]
                earliest = ""
                for document in documents:
                    keys += len(document)
                    day = document["date"]  # ISO dates order as text
                    days.append(day)
                    if day < first_allowed or day > last_allowed or "file" in document:
                        marked[row] = True  # outside the year, or a file to look for on disk
                    if earliest and day >= earliest:
                        continue
                    if types is not None:
                        number = document["number"]
                        doc_type = type_of.get(number)
                        if doc_type is None:
                            doc_type = type_of[number] = document_type(number)
                        if doc_type not in types:
                            continue
                    earliest = day
                if earliest:
                    has_evidence[cell] = True
                    first_day[cell] = earliest
        key_counts[row] = keys

    if not _real_dates(days):  # a date that does not exist (2025-02-30, 0000-01-01): find its commune
        day_rows.append(len(days))
        for row in range(size):
            if not all(map(is_real_date, days[day_rows[row]:day_rows[row + 1]])):
                marked[row] = True
                first_day[row * width:(row + 1) * width] = [""] * width

    def matrix(values, dtype):
        return np.array(values, dtype=dtype).reshape(size, width)

    table_days = np.array([d or "NaT" for d in first_day], dtype="datetime64[D]")
    # day ordinals as datetime.date.toordinal() counts them (0001-01-01 is day 1)
    ordinals = np.where(np.isnat(table_days), 0, table_days.astype(np.int64) + 719163)
    table = FactTable(
        self_score=matrix(self_score, np.int64), has_self=matrix(has_self, bool),
        claimed_na=matrix(claimed_na, bool), has_evidence=matrix(has_evidence, bool),
        first_day=ordinals.reshape(size, width).astype(np.int64),
        done=matrix(done, bool), choice=matrix(choice, np.int64),
        numerator=matrix(numerator, np.int64), denominator=matrix(denominator, np.int64),
        value=matrix(value, np.int64), violations=matrix(violations, np.int64), count=matrix(count, np.int64),
    )
    return Extraction(table, _clean_rows(criteria, table, matrix(present, bool), matrix(fact_bits, np.int64),
                                         np.array(marked, dtype=bool)), key_counts)


def _real_dates(days: list[str]) -> bool:
    """Every ISO date a real calendar date, as datetime.date reads them (numpy checks months
    and days at C speed, but also takes the year 0, which datetime.date refuses)."""
    try:
        converted = np.array(days, dtype="datetime64[D]")
    except ValueError:
        return False
    return not len(converted) or bool(converted.min() >= np.datetime64("0001-01-01"))


def _clean_rows(criteria, table: FactTable, present, fact_bits, marked) -> np.ndarray:
    """Communes none of whose entries breaks a rule leaf_issues checks (the checks as arrays)."""
    c = _columns(criteria)
    claimed = table.claimed_na
    stated = lambda name: (fact_bits & FACT_BITS[name]) != 0  # noqa: E731
    has_numerator, has_denominator = stated("numerator"), stated("denominator")
    score = table.self_score
    suspicious = (
        (claimed & ~c.na_allowed)                                   # na-not-allowed
        | (present & c.survey)                                      # survey-leaf-in-submission
        | (~present & c.area)                                       # leaf-missing
        | ((fact_bits & ~c.needed) != 0)                            # fact-unexpected
        | (present & ~claimed & ((fact_bits & c.needed) != c.needed))  # fact-missing
        | (has_numerator & has_denominator & (table.numerator > table.denominator))
        | (has_denominator & (table.denominator == 0) & ~claimed & ~c.na_allowed)  # zero-denominator
        | (table.has_self & ((score > c.max) | (score < c.floor) | (c.judgement & (score % c.step != 0))))
    )
    return ~(suspicious.any(axis=1) | marked)


def concat_facts(criteria: CriteriaSet, blocks) -> FactTable:
    """Fact tables of consecutive groups of communes, stacked in order (rows follow the blocks)."""
    blocks = list(blocks)
    if not blocks:
        return fact_block(criteria, [])
    if len(blocks) == 1:
        return blocks[0]
    return FactTable(**{name: np.concatenate([getattr(block, name) for block in blocks])
                        for name in FactTable.__dataclass_fields__})


def accepted_documents(leaf, report: LeafReport | None):
    """Evidence documents of a type the leaf accepts (any type when it names none)."""
    if report is None:
        return []
    if not leaf.evidence_types:
        return list(report.evidence)
    return [d for d in report.evidence if d.doc_type in leaf.evidence_types]


def first_document(leaf, report: LeafReport | None):
    """The earliest accepted document (the one a deadline rule reads), or None."""
    documents = accepted_documents(leaf, report)
    return min(documents, key=lambda d: (d.date, d.number)) if documents else None
