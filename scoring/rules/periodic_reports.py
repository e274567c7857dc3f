"""periodic_reports: several documents, each against its own deadline, from the evidence dates
(points). Rows such as "Báo cáo CCHC quý I, 6 tháng, quý III và năm, mỗi báo cáo đúng hạn: 1
điểm; không: 0" or "mỗi báo cáo chậm hoặc không gửi trừ 0,25" (issue 13). The rule lists the
periods (id, label, deadline); the commune reports no fact, only its documents, each naming
the period it reports on (the evidence document's ``period``: a period id). A period's date
is that of its earliest accepted document (as the ``deadline`` kind reads one document):
on or before the period's deadline → on time; later → late; no document → missing.

Points: every period on time → ``on_time`` (the leaf's maximum). Otherwise either
all-or-nothing, ``otherwise`` (0 unless given; may be negative down to ``floor``), or, when
``per_late`` is given, ``on_time`` less ``per_late`` for each late report and
``per_missing`` (``per_late`` unless given) for each missing one, never below ``floor``
(0 unless given)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..errors import message
from ..vietnamese import format_date
from .base import Checks, FloorLowest, RuleKind, check_floor, hundredths, nothing, pts, signed_pts
from .deadline import describe_document


@dataclass(frozen=True)
class Period:
    id: str
    label: str
    deadline: dt.date


@dataclass(frozen=True)
class PeriodicReports(FloorLowest, RuleKind):
    """Each period's earliest document against the period's deadline; all on time → ``on_time``,
    else ``otherwise`` or the per-report deductions (see the module)."""

    kind = "periodic_reports"
    label = "báo cáo định kỳ theo thời hạn"
    reads_documents = True
    date_fields = ("deadline",)  # each period's

    periods: tuple[Period, ...]
    on_time: int
    otherwise: int = 0            # all-or-nothing: any report late or missing
    per_late: int | None = None   # None: all-or-nothing; else the deduction per late report
    per_missing: int | None = None
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "PeriodicReports":
        per_late = hundredths(raw["per_late"]) if "per_late" in raw else None
        return cls(periods=tuple(Period(p["id"], p["label"], dt.date.fromisoformat(p["deadline"])) for p in raw["periods"]),
                   on_time=hundredths(raw["on_time"]), otherwise=hundredths(raw.get("otherwise", 0)), per_late=per_late,
                   per_missing=hundredths(raw["per_missing"]) if "per_missing" in raw else per_late,
                   floor=hundredths(raw.get("floor", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        rule, at = checks.raw, checks.at
        if hundredths(rule["on_time"]) != checks.max:
            checks.add(at + "/on_time", "max-unreachable", message("max-unreachable", "periods"))
        checks.unique_ids(rule["periods"], "id", at + "/periods", "kỳ báo cáo")
        for key in ("otherwise", "per_late", "per_missing"):
            if key in rule:
                checks.not_above(rule[key], f"{at}/{key}", "điểm")
        if "otherwise" in rule:
            check_floor(checks, [(at + "/otherwise", rule["otherwise"])])
        if "per_late" in rule and "per_missing" in rule and hundredths(rule["per_late"]) > hundredths(rule["per_missing"]):
            checks.add(at + "/per_late", "period-late-above-missing",
                       message("period-late-above-missing", per_late=pts(hundredths(rule['per_late'])),
                               per_missing=pts(hundredths(rule['per_missing']))))

    def due_periods(self):
        return self.periods

    # ------------------------------------------------------------ scoring

    def _points(self, late: int, missing: int):
        """Points from the counts of late and missing reports (ints or numpy arrays)."""
        if self.per_late is None:
            return np.where((late + missing) == 0, self.on_time, self.otherwise)
        return np.maximum(self.floor, self.on_time - late * self.per_late - missing * self.per_missing)

    def score_all(self, leaf, facts, column, tallies=None):
        days = facts.period_days[:, column, :len(self.periods)]
        deadlines = np.array([p.deadline.toordinal() for p in self.periods], dtype=np.int64)
        present = days > 0
        late = (present & (days > deadlines)).sum(axis=1)
        missing = (~present).sum(axis=1)
        points = self._points(late, missing)
        return np.asarray(points, dtype=np.int64), nothing(days.shape[0])

    def dates(self, documents) -> list:
        """Per period, its earliest document (the one the rule reads), or None."""
        found = []
        for period in self.periods:
            own = [d for d in documents or () if getattr(d, "period", None) == period.id]
            found.append(min(own, key=lambda d: (d.date, d.number)) if own else None)
        return found

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        found = self.dates(documents)
        late = sum(1 for period, d in zip(self.periods, found) if d is not None and d.date > period.deadline)
        missing = sum(1 for d in found if d is None)
        if self.per_late is None:
            return (self.on_time if late + missing == 0 else self.otherwise), False
        return max(self.floor, self.on_time - late * self.per_late - missing * self.per_missing), False

    # ------------------------------------------------------------ texts

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        parts, late, missing = [], 0, 0
        for period, document in zip(self.periods, self.dates(documents)):
            deadline = format_date(period.deadline.isoformat())
            if document is None:
                missing += 1
                parts.append(f"{period.label} (hạn {deadline}): không có báo cáo")
            elif document.date <= period.deadline:
                parts.append(f"{period.label} (hạn {deadline}): {describe_document(document)}, đúng hạn")
            else:
                late += 1
                parts.append(f"{period.label} (hạn {deadline}): {describe_document(document)}, chậm")
        if late + missing == 0:
            summary = f"đủ {len(self.periods)} báo cáo đúng hạn"
        else:
            summary = ", ".join(text for count, text in ((late, f"{late} báo cáo chậm"), (missing, f"{missing} báo cáo không có"))
                                if count)
            if self.per_late is not None:
                summary += (f"; trừ {pts(self.per_late)} điểm mỗi báo cáo chậm, {pts(self.per_missing)} điểm mỗi báo cáo "
                            f"không có, thấp nhất {pts(self.floor)} điểm")
        return "; ".join(parts) + f" → {summary}"

    def form_text(self, leaf):
        listed = "; ".join(f"{p.label} (ghi kỳ \"{p.id}\"): hạn {format_date(p.deadline.isoformat())}" for p in self.periods)
        text = f"Mỗi báo cáo tính theo ngày của văn bản kiểm chứng sớm nhất ghi kỳ của nó. {listed}. "
        text += f"Tất cả đúng hạn: {pts(self.on_time)} điểm; "
        if self.per_late is None:
            text += f"có báo cáo chậm hoặc không có: {signed_pts(self.otherwise)}."
        else:
            text += (f"mỗi báo cáo chậm trừ {pts(self.per_late)} điểm, mỗi báo cáo không có trừ {pts(self.per_missing)} điểm, "
                     f"thấp nhất {signed_pts(self.floor)}.")
        return text + " Không cần nhập số liệu; kê từng báo cáo ở trang Tài liệu kiểm chứng và ghi kỳ báo cáo của nó."
