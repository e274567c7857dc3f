"""Why a leaf got its score, in Vietnamese a commune official can read.

Pure text functions over a leaf, the commune's report and the numbers the engine computed.
The engine calls ``leaf_reason`` once per commune and leaf.
"""

from __future__ import annotations

from functools import lru_cache

from .model import NA_EXCLUDE, Document, Leaf, LeafReport
from .rules.base import lower_first, pts  # noqa: F401 - the sentence helpers, shared with the kinds' texts
from .rules.deadline import describe_document  # noqa: F401
from .text import document_type, reading_note


@lru_cache(maxsize=1 << 16)  # a national run words 330,000 of them, nearly all of a few hundred pairs (issue 19)
def score_of(value: int, maximum: int) -> str:
    return f"{pts(value)}/{pts(maximum)}"


def _documents_not_accepted(leaf: Leaf, report: LeafReport | None) -> str:
    """The documents listed for a leaf none of which is of a type it accepts, with the type
    read from each number: "; tài liệu đã kê: 05/BC-UBND (loại BC)"."""
    numbers = report.evidence_numbers if report is not None else ()
    if not numbers or not leaf.evidence_types:
        return ""
    listed = ", ".join(f"{number} (loại {document_type(number) or '?'})" for number in numbers)
    return f"; tài liệu đã kê không thuộc loại được nhận ({', '.join(leaf.evidence_types)}): {listed}"


def rule_detail(leaf: Leaf, report: LeafReport | None, score: int, *, first_document: Document | None = None,
                tallies=None, documents=None) -> str:
    """What the rule saw and decided, without the score (the kind's ``detail``, scoring.rules);
    ``documents``: the accepted evidence documents, for the kinds that read them."""
    return leaf.rule.detail(leaf, report.facts if report else {}, score, first_document=first_document, tallies=tallies,
                            documents=documents)


def _readings(report, first: Document | None) -> str:
    """Document numbers written with look-alikes, with what was read from them (the one the
    deadline rule describes already says it): "; số văn bản 12/QÐ-UBND: đọc là loại QĐ; …"."""
    numbers = report.evidence_numbers if report is not None else ()
    if not numbers:
        return ""
    first_number = None if first is None else first.number
    return "".join(_reading(number) for number in numbers if number != first_number)


# the same document numbers recur across a national run's 330,000 leaves: each is read once
# (a pure function of the number's text)
@lru_cache(maxsize=1 << 16)
def _reading(number: str) -> str:
    """The reason's words on one document number written with look-alikes, or ""."""
    note = reading_note(number) if not number.isascii() or "D" in number else None
    return f"; số văn bản {number}: {note}" if note else ""


def leaf_reason(leaf: Leaf, report: LeafReport | None, *, evidence_score: int | None, final: int,
                self_score: int | None, na_policy: str | None, auto_na: bool, missing_evidence: bool,
                rule_score: int, appraisal=None, first_document: Document | None = None, tallies=None,
                documents=None, readings: bool = True) -> str:
    """The whole explanation of a leaf's final score, starting with "final/max: ";
    ``readings=False``: without its end on document numbers written with look-alikes
    (``evidence_readings`` words it)."""
    body = _leaf_reason(leaf, report, evidence_score=evidence_score, final=final, self_score=self_score,
                        na_policy=na_policy, auto_na=auto_na, missing_evidence=missing_evidence, rule_score=rule_score,
                        appraisal=appraisal, first_document=first_document, tallies=tallies, documents=documents)
    return body + _readings(report, first_document) if readings else body


def evidence_readings(numbers) -> str:
    """The end of a reason on the listed document numbers written with look-alikes (none of
    them the one a deadline rule describes): "; số văn bản 12/QÐ-UBND: đọc là loại QĐ; …"."""
    return "".join(map(_reading, numbers)) if numbers else ""


def _leaf_reason(leaf: Leaf, report: LeafReport | None, *, evidence_score: int | None, final: int,
                 self_score: int | None, na_policy: str | None, auto_na: bool, missing_evidence: bool,
                 rule_score: int, appraisal=None, first_document: Document | None = None, tallies=None,
                documents=None) -> str:
    head = f"{score_of(final, leaf.max)}: "
    if appraisal is not None:
        stage = "sau giải trình" if appraisal.stage == 2 else "lần 1"
        checked = "" if evidence_score is None else f" (theo kiểm chứng: {score_of(evidence_score, leaf.max)})"
        return f"{head}Hội đồng thẩm định {stage}: {appraisal.reason}{checked}"
    if na_policy is not None:
        why = "không phát sinh (mẫu số bằng 0)" if auto_na else "xã khai không áp dụng"
        if report and report.explanation:
            why += f": {report.explanation}"
        if na_policy == NA_EXCLUDE:
            return f"Không áp dụng, loại khỏi điểm tối đa ({pts(leaf.max)} điểm); {why}"
        return f"{head}Không áp dụng, được tính đủ điểm; {why}"
    detail = rule_detail(leaf, report, rule_score, first_document=first_document, tallies=tallies, documents=documents)
    if missing_evidence:
        text = (f"{head}không được tính điểm vì thiếu tài liệu kiểm chứng ({leaf.evidence_description})"
                f"{_documents_not_accepted(leaf, report)}; theo số liệu báo cáo: {detail} → {pts(rule_score)}")
        if report and report.explanation:
            text += f"; giải trình của xã: {report.explanation}"
        return text
    if leaf.rule.awaits_appraisal:
        if self_score is None:
            return f"{head}chưa có điểm tự chấm và chưa được thẩm định ({detail})"
        return f"{head}tạm tính theo điểm tự chấm, chờ Hội đồng thẩm định ({detail})"
    return head + detail


def scored_reason(leaf: Leaf, facts, final: int, rule_score: int, tallies=None, first_document=None) -> str:
    """``leaf_reason`` without its end on document numbers, in its most common case, worded
    directly: a leaf scored by its rule alone (not appraised, applicable, its evidence in
    order, not awaiting the council, of a kind that does not read the documents themselves,
    or a deadline given its ``first_document``): "final/max: " and what the rule saw.
    ``facts``: the reported facts ({} when none)."""
    return f"{score_of(final, leaf.max)}: " + leaf.rule.detail(leaf, facts, rule_score, first_document=first_document,
                                                               tallies=tallies, documents=None)
