"""ratio_thresholds: the share numerator/denominator (percent) against thresholds (points).
Rows such as "Tỷ lệ hồ sơ giải quyết đúng hạn: 100% → 2; từ 95% → 1; dưới 95% → 0"; the
commune reports ``numerator`` and ``denominator`` (whole numbers); a zero denominator means
nothing arose this year."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .base import Checks, RuleKind, exact, hundredths, lower_first
from ..errors import message
from .thresholds import (
    Threshold, bound_of, check_order, ladder_text, missed_text, number_text, passed_text, round_text_value, unambiguous,
)


@dataclass(frozen=True)
class RatioThresholds(RuleKind):
    """The first threshold the ratio reaches (compared exactly, on the unrounded ratio), else ``otherwise``."""

    kind = "ratio_thresholds"
    label = "ngưỡng tỷ lệ"
    reasons_repeat = False  # counts: nearly every commune's reason differs (see RuleKind)
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
            checks.add(checks.at + "/thresholds", "thresholds-order", message("thresholds-order", "percent"))

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

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        if denominator == 0:
            return 0, True
        ratio = exact(numerator) * 100 / exact(denominator)
        for threshold in self.thresholds:
            if ratio > threshold.at or (ratio == threshold.at and not threshold.strict):
                return threshold.points, False
        return self.otherwise, False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        """The counts, the ratio and the comparison that decided: "36/40 (…) = 90,00%, không vượt
        90%, đạt ngưỡng 70%". A threshold above the one reached is named when the ratio shown
        reads as its bound; the ratio gets more digits when, rounded, it would equal a bound
        it is not equal to ("90,005%, chưa đạt 90,01%")."""
        numerator, denominator = facts.get("numerator", 0), facts.get("denominator", 0)
        if numerator.__class__ is int and denominator.__class__ is int and numerator >= 0 and denominator > 0:
            text = self._whole_detail(numerator, denominator)
            if text is not None:
                return text
        ratio = exact(numerator) * 100 / (exact(denominator) or 1)  # facts as read: 36 or 36.0
        shown, _ = unambiguous(ratio, [t.at for t in self.thresholds])
        parts = [f"{self.numerator}: {numerator}/{denominator} ({lower_first(self.denominator)}) = {shown}%"]
        reached = next((t for t in self.thresholds if self.reaches(t, numerator, denominator)), None)
        looks_like = round_text_value(ratio, 2)
        # the tiers above the one reached (all but the lowest, which the last words name, when none was)
        above = self.thresholds[:self.thresholds.index(reached)] if reached is not None else self.thresholds[:-1]
        for threshold in above:
            if looks_like == threshold.at:  # the two decimals alone would not say why this tier was missed
                parts.append(missed_text(threshold, "%"))
        if reached is not None:
            parts.append(passed_text(reached, "%"))
        else:
            lowest = self.thresholds[-1]
            parts.append(f"{'không vượt' if lowest.strict else 'dưới'} ngưỡng {number_text(lowest.at)}%")
        return ", ".join(parts)

    def _whole_detail(self, numerator: int, denominator: int) -> str | None:
        """``detail`` for whole counts (numerator ≥ 0, denominator > 0), in integers: the same
        text, without Fractions (a national run words 60,000 of them). None where the ratio
        needs more than two decimals (it would read as a bound it is not equal to)."""
        words = self._words
        scaled = numerator * 10000  # the ratio in hundredths of a percent, times the denominator
        shown = (2 * scaled + denominator) // (2 * denominator)  # half up, two decimals
        for bound in words[0]:
            if shown == bound and bound * denominator != scaled:
                return None  # unambiguous() would add decimals
        text = f"{shown // 100:,}".replace(",", ".") + f",{shown % 100:02d}"
        parts = [f"{words[1]}: {numerator}/{denominator} ({words[2]}) = {text}%"]
        reached = next((position for position, t in enumerate(self.thresholds)
                        if self.reaches(t, numerator, denominator)), None)
        for bound, missed in words[3][:len(self.thresholds) - 1 if reached is None else reached]:
            if shown == bound:
                parts.append(missed)
        parts.append(words[4] if reached is None else words[5][reached])
        return ", ".join(parts)

    @cached_property
    def _words(self) -> tuple:
        """What ``_whole_detail`` writes the same for every commune: the bounds in hundredths of
        a percent (None when finer), the rule's names, each threshold's missed and passed words,
        the words when none is reached."""
        bounds = tuple(int(t.at * 100) if (t.at * 100).denominator == 1 else None for t in self.thresholds)
        lowest = self.thresholds[-1]
        return (tuple(bound for bound in bounds if bound is not None), self.numerator, lower_first(self.denominator),
                tuple((bound, missed_text(t, "%")) for bound, t in zip(bounds, self.thresholds)),
                f"{'không vượt' if lowest.strict else 'dưới'} ngưỡng {number_text(lowest.at)}%",
                tuple(passed_text(t, "%") for t in self.thresholds))

    def form_text(self, leaf):
        return (f"Tỷ lệ = Tử số ({self.numerator}) / Mẫu số ({self.denominator}). "
                + ladder_text(self.thresholds, self.otherwise, "%"))
