"""Why a leaf got its score, in Vietnamese a commune official can read.

Pure text functions over a leaf, the commune's report and the numbers the engine computed.
The engine calls ``leaf_reason`` once per commune and leaf.
"""

from __future__ import annotations

from .model import NA_EXCLUDE, Document, Leaf, LeafReport
from .numbers import format_percent_fraction, format_points, to_hundredths
from .text import document_type, reading_note
from .vietnamese import format_date


def pts(hundredths: int) -> str:
    """Points as written in a sentence: 0,75 / 2 / 1,5."""
    return format_points(hundredths, decimals=0)


def score_of(value: int, maximum: int) -> str:
    return f"{pts(value)}/{pts(maximum)}"


def describe_document(document: Document) -> str:
    """"12/KH-UBND ngày 05/01/2023"; a number written with look-alikes says what was read:
    "12/QÐ-UBND (đọc là loại QĐ; số ghi bằng ký tự gần giống: Ð (U+00D0)) ngày …"."""
    note = reading_note(document.number)
    shown = f"{document.number} ({note})" if note else document.number
    return f"{shown} ngày {format_date(document.date.isoformat())}"


def _documents_not_accepted(leaf: Leaf, report: LeafReport | None) -> str:
    """The documents listed for a leaf none of which is of a type it accepts, with the type
    read from each number: "; tài liệu đã kê: 05/BC-UBND (loại BC)"."""
    numbers = report.evidence_numbers if report is not None else ()
    if not numbers or not leaf.evidence_types:
        return ""
    listed = ", ".join(f"{number} (loại {document_type(number) or '?'})" for number in numbers)
    return f"; tài liệu đã kê không thuộc loại được nhận ({', '.join(leaf.evidence_types)}): {listed}"


def lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, but keep acronyms (TTHC, CCHC, UBND)."""
    first_word = text.split(" ", 1)[0]
    if len(first_word) > 1 and first_word.isupper():
        return text
    return text[:1].lower() + text[1:]


def _percent_value(at) -> str:
    """A threshold (Fraction) as text: 95 → "95", 87.5 → "87,5"."""
    return pts(int(at * 100))


def rule_detail(leaf: Leaf, report: LeafReport | None, score: int, *, first_document: Document | None = None,
                tallies=None) -> str:
    """What the rule saw and decided, without the score: "87,50% hồ sơ đúng hạn (175/200), dưới ngưỡng 95%"."""
    rule = leaf.rule
    facts = report.facts if report else {}
    kind = rule.kind
    if kind == "yes_no":
        return f"{rule.question} → {'Có' if facts.get('done') else 'Không'}"
    if kind == "choice":
        chosen = next((o for o in rule.options if o.value == facts.get("choice")), None)
        return f"mức \"{chosen.label}\"" if chosen else "không chọn mức nào"
    if kind == "deadline":
        deadline = format_date(rule.deadline.isoformat())
        if first_document is None:
            return f"không có văn bản (hạn {deadline})"
        day = first_document.date
        text = f"văn bản {describe_document(first_document)}"
        if day <= rule.deadline:
            return f"{text}, đúng hạn (hạn {deadline})"
        if rule.late_until and day <= rule.late_until:
            return f"{text}, chậm so với hạn {deadline}"
        return f"{text}, sau hạn cuối {format_date((rule.late_until or rule.deadline).isoformat())}: coi như không ban hành"
    if kind in ("ratio_thresholds", "proportional"):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        ratio = format_percent_fraction(numerator, denominator)
        text = f"{rule.numerator}: {numerator}/{denominator} ({lower_first(rule.denominator)}) = {ratio}"
        if kind == "proportional":
            return f"{text}; điểm = {pts(leaf.max)} × {numerator}/{denominator}"
        reached = next((t for t in rule.thresholds if t.points == score and numerator * 100 * t.at.denominator >= t.at.numerator * denominator), None)
        if reached is not None:
            return f"{text}, đạt ngưỡng {_percent_value(reached.at)}%"
        lowest = rule.thresholds[-1]
        return f"{text}, dưới ngưỡng {_percent_value(lowest.at)}%"
    if kind == "value_thresholds":
        value_h = to_hundredths(facts.get("value", 0))
        unit = f" {rule.unit}" if rule.unit else ""
        text = f"{rule.value}: {pts(value_h)}{unit}"
        at_least = rule.direction == "at_least"
        for threshold in rule.thresholds:
            limit = threshold.at * 100
            if (value_h >= limit) if at_least else (value_h <= limit):
                return f"{text}, {'đạt từ' if at_least else 'không quá'} {_percent_value(threshold.at)}{unit}"
        last = rule.thresholds[-1]
        return f"{text}, {'dưới' if at_least else 'vượt'} mức {_percent_value(last.at)}{unit}"
    if kind == "deduction":
        violations = facts.get("violations", 0)
        if violations == 0:
            return f"không có vi phạm ({lower_first(rule.violation)})"
        return f"{violations} lần {lower_first(rule.violation)}, trừ {pts(rule.per_violation)} điểm mỗi lần"
    if kind == "per_count":
        count = facts.get("count", 0)
        return f"{count} × {pts(rule.points_each)} điểm ({lower_first(rule.counted)}), tối đa {pts(leaf.max)}"
    if kind == "survey":
        tallies = tallies or {}
        respondents = sum(tallies.values())
        parts = ", ".join(f"{o.code}: {tallies.get(o.code, 0)}" for o in rule.survey_options)
        return f"{respondents} phiếu ({parts})"
    if kind == "judgement":
        return "điểm do Hội đồng thẩm định chấm theo bước " + pts(rule.step)
    return kind


def _readings(report, first: Document | None) -> str:
    """Document numbers written with look-alikes, with what was read from them (the one the
    deadline rule describes already says it): "; số văn bản 12/QÐ-UBND: đọc là loại QĐ; …"."""
    numbers = report.evidence_numbers if report is not None else ()
    notes = [(number, reading_note(number)) for number in numbers if not number.isascii() or "D" in number]
    return "".join(f"; số văn bản {number}: {note}" for number, note in notes
                   if note and (first is None or number != first.number))


def leaf_reason(leaf: Leaf, report: LeafReport | None, *, evidence_score: int | None, final: int,
                self_score: int | None, na_policy: str | None, auto_na: bool, missing_evidence: bool,
                rule_score: int, appraisal=None, first_document: Document | None = None, tallies=None) -> str:
    """The whole explanation of a leaf's final score, starting with "final/max: "."""
    return _leaf_reason(leaf, report, evidence_score=evidence_score, final=final, self_score=self_score,
                        na_policy=na_policy, auto_na=auto_na, missing_evidence=missing_evidence, rule_score=rule_score,
                        appraisal=appraisal, first_document=first_document, tallies=tallies) \
        + _readings(report, first_document)


def _leaf_reason(leaf: Leaf, report: LeafReport | None, *, evidence_score: int | None, final: int,
                 self_score: int | None, na_policy: str | None, auto_na: bool, missing_evidence: bool,
                 rule_score: int, appraisal=None, first_document: Document | None = None, tallies=None) -> str:
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
    detail = rule_detail(leaf, report, rule_score, first_document=first_document, tallies=tallies)
    if missing_evidence:
        text = (f"{head}không được tính điểm vì thiếu tài liệu kiểm chứng ({leaf.evidence_description})"
                f"{_documents_not_accepted(leaf, report)}; theo số liệu báo cáo: {detail} → {pts(rule_score)}")
        if report and report.explanation:
            text += f"; giải trình của xã: {report.explanation}"
        return text
    if leaf.rule.kind == "judgement":
        if self_score is None:
            return f"{head}chưa có điểm tự chấm và chưa được thẩm định ({detail})"
        return f"{head}tạm tính theo điểm tự chấm, chờ Hội đồng thẩm định ({detail})"
    return head + detail
