"""proportional: max × numerator / denominator, rounded half up to the hundredth (points).
Rows such as "Tỷ lệ công chức đạt chuẩn × 2 điểm"; the commune reports ``numerator`` and
``denominator`` (whole numbers); a zero denominator means nothing arose this year."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import format_percent_fraction, round_half_up
from .base import RuleKind, lower_first, pts


@dataclass(frozen=True)
class Proportional(RuleKind):
    """The leaf's maximum times the ratio, half up."""

    kind = "proportional"
    label = "tỷ lệ thuận"
    reasons_repeat = False  # counts: nearly every commune's reason differs (see RuleKind)
    facts = ("numerator", "denominator")
    nothing_can_arise = True

    numerator: str
    denominator: str

    @classmethod
    def from_json(cls, raw) -> "Proportional":
        return cls(numerator=raw["numerator"], denominator=raw["denominator"])

    def fact_label(self, name):
        return {"numerator": self.numerator, "denominator": self.denominator}.get(name)

    def score_all(self, leaf, facts, column, tallies=None):
        numerator, denominator = facts.numerator[:, column], facts.denominator[:, column]
        nothing_arose = denominator == 0
        points = round_half_up(leaf.max * numerator, np.where(nothing_arose, 1, denominator))
        return np.asarray(np.where(nothing_arose, 0, points), dtype=np.int64), nothing_arose

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        if denominator == 0:
            return 0, True
        quotient = Fraction(leaf.max * numerator, denominator)
        whole, rest = divmod(quotient.numerator, quotient.denominator)  # the quotient is never negative
        return whole + (2 * rest >= quotient.denominator), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        ratio = format_percent_fraction(numerator, denominator)
        return (f"{self.numerator}: {numerator}/{denominator} ({lower_first(self.denominator)}) = {ratio}"
                f"; điểm = {pts(leaf.max)} × {numerator}/{denominator}")

    def form_text(self, leaf):
        return f"Điểm = {pts(leaf.max)} × Tử số ({self.numerator}) / Mẫu số ({self.denominator})."
