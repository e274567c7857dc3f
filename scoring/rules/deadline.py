"""deadline: the date of the earliest accepted evidence document against the criteria's
deadline (points). Rows such as "Ban hành kế hoạch CCHC năm đúng thời hạn 1; chậm 0,5; không
ban hành 0" (``late`` without ``late_until``: late whenever; with it, up to that day); the
commune reports no fact, only the document (number, date). Late or missing may take points
away, down to the rule's ``floor``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..text import reading_note
from ..vietnamese import format_date
from .base import Checks, FloorLowest, RuleKind, check_floor, hundredths, nothing, pts, signed_pts
from ..errors import message


def describe_document(document) -> str:
    """"12/KH-UBND ngày 05/01/2023"; a number written with look-alikes says what was read:
    "12/QÐ-UBND (đọc là loại QĐ; số ghi bằng ký tự gần giống: Ð (U+00D0)) ngày …"."""
    note = reading_note(document.number)
    shown = f"{document.number} ({note})" if note else document.number
    return f"{shown} ngày {format_date(document.date.isoformat())}"


@dataclass(frozen=True)
class Deadline(FloorLowest, RuleKind):
    """On or before ``deadline`` → ``on_time``; later → ``late`` (up to ``late_until`` when given;
    no ``late``: no late tier); later still or no document → ``missing``."""

    kind = "deadline"
    label = "theo thời hạn"
    reads_documents = True
    reason_names_first_document = True  # detail() names the earliest document it counted
    date_fields = ("deadline", "late_until")

    deadline: dt.date
    late_until: dt.date | None
    on_time: int
    late: int | None  # None: a late document counts as none
    missing: int
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "Deadline":
        return cls(deadline=dt.date.fromisoformat(raw["deadline"]),
                   late_until=dt.date.fromisoformat(raw["late_until"]) if raw.get("late_until") else None,
                   on_time=hundredths(raw["on_time"]), late=hundredths(raw["late"]) if "late" in raw else (0 if raw.get("late_until") else None),
                   missing=hundredths(raw["missing"]), floor=hundredths(raw.get("floor", 0)))


    @classmethod
    def check(cls, checks: Checks) -> None:
        rule, at = checks.raw, checks.at
        if hundredths(rule["on_time"]) != checks.max:
            checks.add(at + "/on_time", "max-unreachable", message("max-unreachable", "on_time"))
        for key in ("late", "missing"):
            if key in rule:
                checks.not_above(rule[key], f"{at}/{key}", "điểm")
        check_floor(checks, [(f"{at}/{key}", rule[key]) for key in ("late", "missing") if key in rule])
        if rule.get("late_until") and rule["late_until"] < rule["deadline"]:
            checks.add(at + "/late_until", "deadline-order", message("deadline-order"))

    def score_all(self, leaf, facts, column, tallies=None):
        days = facts.first_day[:, column]
        present = days > 0
        points = np.full(days.shape[0], self.missing, dtype=np.int64)
        if self.late is not None:
            in_time = present if self.late_until is None else present & (days <= self.late_until.toordinal())
            points = np.where(in_time, self.late, points)
        points = np.where(present & (days <= self.deadline.toordinal()), self.on_time, points)
        return np.asarray(points, dtype=np.int64), nothing(days.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        if first_day is None:
            return self.missing, False
        if first_day <= self.deadline:
            return self.on_time, False
        if self.late is not None and (self.late_until is None or first_day <= self.late_until):
            return self.late, False
        return self.missing, False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        deadline = format_date(self.deadline.isoformat())
        if first_document is None:
            return f"không có văn bản (hạn {deadline})"
        day = first_document.date
        text = f"văn bản {describe_document(first_document)}"
        if day <= self.deadline:
            return f"{text}, đúng hạn (hạn {deadline})"
        if self.late is not None and (self.late_until is None or day <= self.late_until):
            return f"{text}, chậm so với hạn {deadline}"
        return f"{text}, sau hạn cuối {format_date((self.late_until or self.deadline).isoformat())}: coi như không ban hành"

    def form_text(self, leaf):
        text = f"Tính theo ngày của văn bản kiểm chứng sớm nhất: đến ngày {format_date(self.deadline.isoformat())}: {pts(self.on_time)} điểm"
        if self.late is not None and self.late_until:
            text += f"; đến ngày {format_date(self.late_until.isoformat())}: {signed_pts(self.late)}"
            text += f"; sau đó hoặc không có văn bản: {signed_pts(self.missing)}."
        elif self.late is not None:
            text += f"; sau ngày đó (chậm, không kể bao lâu): {signed_pts(self.late)}; không có văn bản: {signed_pts(self.missing)}."
        else:
            text += f"; sau đó hoặc không có văn bản: {signed_pts(self.missing)}."
        return text + " Không cần nhập số liệu; kê văn bản ở trang Tài liệu kiểm chứng."
