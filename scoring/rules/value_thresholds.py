"""value_thresholds: a reported value (in the rule's unit) against thresholds (points), at
least or at most. Rows such as "Số cuộc tuyên truyền: từ 6 cuộc → 1; từ 3 cuộc → 0,5"; the
commune reports ``value`` (a number with at most two decimals)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..numbers import to_hundredths
from .base import Checks, RuleKind, hundredths, nothing, pts
from .thresholds import Threshold, bound_of, check_order, ladder_text, missed_text, number_text, passed_text

AT_LEAST, AT_MOST = "at_least", "at_most"


@dataclass(frozen=True)
class ValueThresholds(RuleKind):
    """The first threshold the value reaches (``direction``: at least, or at most), else ``otherwise``."""

    kind = "value_thresholds"
    label = "ngưỡng giá trị"
    facts = ("value",)

    value: str
    unit: str | None
    direction: str
    thresholds: tuple[Threshold, ...]
    otherwise: int

    @classmethod
    def from_json(cls, raw) -> "ValueThresholds":
        thresholds = []
        for t in raw["thresholds"]:
            bound, strict = bound_of(t)
            thresholds.append(Threshold(Fraction(hundredths(bound), 100), hundredths(t["points"]), strict))
        return cls(value=raw["value"], unit=raw.get("unit"), direction=raw.get("direction", AT_LEAST),
                   thresholds=tuple(thresholds), otherwise=hundredths(raw.get("otherwise", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        check_order(checks, increasing=checks.raw["direction"] == AT_MOST)

    def fact_label(self, name):
        return self.value if name == "value" else None

    def fact_unit(self, name):
        return self.unit if name == "value" else None

    def reaches(self, threshold: Threshold, value_hundredths):
        """The value (hundredths) against the bound, in integers (works on numpy arrays)."""
        left, right = value_hundredths * threshold.at.denominator, threshold.at.numerator * 100
        if self.direction == AT_LEAST:
            return left > right if threshold.strict else left >= right
        return left < right if threshold.strict else left <= right

    def score_all(self, leaf, facts, column, tallies=None):
        values = facts.value[:, column]
        points = np.full(values.shape[0], self.otherwise, dtype=np.int64)
        for threshold in reversed(self.thresholds):
            points = np.where(self.reaches(threshold, values), threshold.points, points)
        return np.asarray(points, dtype=np.int64), nothing(values.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        value = to_hundredths(facts.get("value", 0))
        return next((t.points for t in self.thresholds if self.reaches(t, value)), self.otherwise), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        """The value and the comparison that decided: "Số cuộc: 6 cuộc, đạt ngưỡng 6 cuộc"; a
        strict bound the value equals is named: "6 cuộc, không vượt 6 cuộc, đạt ngưỡng 3 cuộc"."""
        value_h = to_hundredths(facts.get("value", 0))
        unit = f" {self.unit}" if self.unit else ""
        at_least = self.direction == AT_LEAST
        parts = [f"{self.value}: {pts(value_h)}{unit}"]
        reached = next((t for t in self.thresholds if self.reaches(t, value_h)), None)
        for threshold in self.thresholds:
            if threshold is reached:
                break
            if threshold.strict and threshold.at * 100 == value_h:
                parts.append(missed_text(threshold, unit, at_least))
        if reached is not None and self._none_allowed(reached):  # not "0 nhiệm vụ, không quá 0 nhiệm vụ"
            return f"{self.value}: {self._none(unit)}"
        if reached is not None:
            if reached.strict:
                parts.append(passed_text(reached, unit, at_least))
            else:  # as written before strict bounds existed
                parts.append(f"{'đạt từ' if at_least else 'không quá'} {number_text(reached.at)}{unit}")
        else:
            last = self.thresholds[-1]
            if last.strict:
                parts.append(f"{'không vượt' if at_least else 'không dưới'} mức {number_text(last.at)}{unit}")
            else:
                parts.append(f"{'dưới' if at_least else 'vượt'} mức {number_text(last.at)}{unit}")
        return ", ".join(parts)

    def _none_allowed(self, threshold) -> bool:
        """An "at most 0" bound: it means none at all."""
        return self.direction != AT_LEAST and threshold.at == 0 and not threshold.strict

    @staticmethod
    def _none(unit: str) -> str:
        return f"không có{unit} nào" if unit else "bằng 0"

    def form_text(self, leaf):
        unit = f" {self.unit}" if self.unit else ""
        return f"Giá trị: {self.value}. " + ladder_text(self.thresholds, self.otherwise, unit, self.direction == AT_LEAST,
                                                        none=self._none(unit))
