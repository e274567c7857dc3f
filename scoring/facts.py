"""The facts of every commune on every leaf, as arrays (communes × leaves).

The engine applies each rule to a whole column at once, so it needs the reported facts laid
out as numpy arrays rather than as one object per commune and leaf. ``fact_table`` builds
them in one pass over the validated submissions, converting only what the rules need
(points to hundredths, the earliest accepted evidence date); the reports themselves stay as
they were read, for the explanations. Pure: plain data in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import CriteriaSet, LazyReports, LeafReport, Submission, document_type


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
    leaves = criteria.leaves
    width, size = len(leaves), len(submissions)
    cells = size * width
    position = {leaf.code: index for index, leaf in enumerate(leaves)}
    accepted = [frozenset(leaf.evidence_types) if leaf.evidence_types else None for leaf in leaves]
    options = [{o.value: i for i, o in enumerate(leaf.rule.options)} for leaf in leaves]

    self_score, has_self = [0] * cells, [False] * cells
    claimed_na, has_evidence, first_day = [False] * cells, [False] * cells, [""] * cells
    done, choice = [False] * cells, [-1] * cells
    numerator, denominator, value, violations, count = ([0] * cells for _ in range(5))

    for row, submission in enumerate(submissions):
        base = row * width
        for code, raw in reports_as_json(submission).items():
            column = position.get(code)
            if column is None:  # validation rejects unknown codes; hand-built inputs may not
                continue
            cell = base + column
            score = raw.get("self_score")
            if score is not None:
                self_score[cell] = _hundredths(score)
                has_self[cell] = True
            if raw.get("not_applicable"):
                claimed_na[cell] = True
            facts = raw.get("facts")
            if facts:
                for name, fact in facts.items():
                    if name == "numerator":
                        numerator[cell] = int(fact)
                    elif name == "denominator":
                        denominator[cell] = int(fact)
                    elif name == "done":
                        done[cell] = bool(fact)
                    elif name == "choice":
                        choice[cell] = options[column].get(fact, -1)
                    elif name == "value":
                        value[cell] = _hundredths(fact)
                    elif name == "violations":
                        violations[cell] = int(fact)
                    elif name == "count":
                        count[cell] = int(fact)
            documents = raw.get("evidence")
            if documents:
                types = accepted[column]
                earliest = ""
                for document in documents:
                    if types is None or document_type(document["number"]) in types:
                        day = document["date"]  # ISO dates order as text
                        if not earliest or day < earliest:
                            earliest = day
                if earliest:
                    has_evidence[cell] = True
                    first_day[cell] = earliest

    def matrix(values, dtype):
        return np.array(values, dtype=dtype).reshape(size, width)

    days = np.array([d or "NaT" for d in first_day], dtype="datetime64[D]")
    # day ordinals as datetime.date.toordinal() counts them (0001-01-01 is day 1)
    ordinals = np.where(np.isnat(days), 0, days.astype(np.int64) + 719163)
    return FactTable(
        self_score=matrix(self_score, np.int64), has_self=matrix(has_self, bool),
        claimed_na=matrix(claimed_na, bool), has_evidence=matrix(has_evidence, bool),
        first_day=ordinals.reshape(size, width).astype(np.int64),
        done=matrix(done, bool), choice=matrix(choice, np.int64),
        numerator=matrix(numerator, np.int64), denominator=matrix(denominator, np.int64),
        value=matrix(value, np.int64), violations=matrix(violations, np.int64), count=matrix(count, np.int64),
    )


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
