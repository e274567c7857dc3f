"""ratio_thresholds: the share numerator/denominator (percent) against thresholds (points).
Rows such as "Tỷ lệ hồ sơ giải quyết đúng hạn: 100% → 2; từ 95% → 1; dưới 95% → 0"; the
commune reports ``numerator`` and ``denominator`` (whole numbers); a zero denominator means
nothing arose this year."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..numbers import format_percent_fraction
from .base import Checks, RuleKind, capital, hundredths, lower_first, pts
from .thresholds import Threshold, bound_of, check_order, number_text


@dataclass(frozen=True)
class RatioThresholds(RuleKind):
    """The first threshold the ratio reaches (compared exactly, on the unrounded ratio), else ``otherwise``."""

    kind = "ratio_thresholds"
    label = "ngưỡng tỷ lệ"
    facts = ("numerator", "denominator")
    nothing_can_arise = True

    numerator: str
    denominator: str
    thresholds: tuple[Threshold, ...]
    otherwise: int

    @classmethod
    def from_json(cls, raw) -> "RatioThresholds":
        thresholds = []
        for t in raw["thresholds"]:
            bound, strict = bound_of(t)
            thresholds.append(Threshold(Fraction(Decimal(bound)), hundredths(t["points"]), strict))
        return cls(numerator=raw["numerator"], denominator=raw["denominator"], thresholds=tuple(thresholds),
                   otherwise=hundredths(raw.get("otherwise", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        bounds = check_order(checks, increasing=False)
        if any(a > 100 or a < 0 for a in bounds):
            checks.add(checks.at + "/thresholds", "thresholds-order", "ngưỡng tỷ lệ phải trong khoảng 0-100%")

    def fact_label(self, name):
        return {"numerator": self.numerator, "denominator": self.denominator}.get(name)

    @staticmethod
    def reaches(threshold: Threshold, numerator, denominator):
        """numerator/denominator × 100 against the bound, in integers (works on numpy arrays)."""
        left = numerator * 100 * threshold.at.denominator
        right = threshold.at.numerator * denominator
        return left > right if threshold.strict else left >= right

    def score_all(self, leaf, facts, column, tallies=None):
        numerator, denominator = facts.numerator[:, column], facts.denominator[:, column]
        nothing_arose = denominator == 0
        safe_denominator = np.where(nothing_arose, 1, denominator)
        points = np.full(numerator.shape[0], self.otherwise, dtype=np.int64)
        # the first threshold reached wins: apply them lowest first so higher ones overwrite
        for threshold in reversed(self.thresholds):
            points = np.where(self.reaches(threshold, numerator, safe_denominator), threshold.points, points)
        return np.asarray(np.where(nothing_arose, 0, points), dtype=np.int64), nothing_arose

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        if denominator == 0:
            return 0, True
        ratio = Fraction(numerator * 100, denominator)
        for threshold in self.thresholds:
            if ratio > threshold.at or (ratio == threshold.at and not threshold.strict):
                return threshold.points, False
        return self.otherwise, False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        ratio = format_percent_fraction(numerator, denominator)
        text = f"{self.numerator}: {numerator}/{denominator} ({lower_first(self.denominator)}) = {ratio}"
        reached = next((t for t in self.thresholds if t.points == score and self.reaches(t, numerator, denominator)), None)
        if reached is not None:
            return f"{text}, đạt ngưỡng {number_text(reached.at)}%"
        lowest = self.thresholds[-1]
        return f"{text}, dưới ngưỡng {number_text(lowest.at)}%"

    def form_text(self, leaf):
        steps = "; ".join(f"từ {number_text(t.at)}%: {pts(t.points)} điểm" for t in self.thresholds)
        return (f"Tỷ lệ = Tử số ({self.numerator}) / Mẫu số ({self.denominator}). {capital(steps)}; "
                f"thấp hơn: {pts(self.otherwise)} điểm.")
