"""deduction: the leaf's maximum less a fixed amount per violation, not below a floor (points;
the floor may be negative). Rows such as "Báo cáo chậm: trừ 0,25 điểm mỗi lần"; the commune
reports ``violations`` (a whole number)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, FloorLowest, RuleKind, hundredths, lower_first, nothing, pts


@dataclass(frozen=True)
class Deduction(FloorLowest, RuleKind):
    """max − per_violation × violations, at least ``floor``."""

    kind = "deduction"
    label = "trừ điểm theo vi phạm"
    facts = ("violations",)

    violation: str
    per_violation: int
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "Deduction":
        return cls(violation=raw["violation"], per_violation=hundredths(raw["per_violation"]),
                   floor=hundredths(raw.get("floor", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        rule, at = checks.raw, checks.at
        checks.not_above(rule["per_violation"], at + "/per_violation", "điểm trừ mỗi vi phạm")
        if "floor" in rule:
            checks.not_above(rule["floor"], at + "/floor", "mức sàn")


    def fact_label(self, name):
        return self.violation if name == "violations" else None

    def score_all(self, leaf, facts, column, tallies=None):
        points = np.maximum(leaf.max - self.per_violation * facts.violations[:, column], self.floor)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        return max(leaf.max - self.per_violation * facts.get("violations", 0), self.floor), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        violations = facts.get("violations", 0)
        if violations == 0:
            return f"không có vi phạm ({lower_first(self.violation)})"
        # the label often names its own unit ("lượt công chức …"): "2 lần lượt …" read badly
        return (f"{lower_first(self.violation)}: {violations}, "
                f"trừ {pts(self.per_violation)} điểm mỗi lần")

    def form_text(self, leaf):
        return (f"{pts(leaf.max)} điểm, trừ {pts(self.per_violation)} điểm cho mỗi lần vi phạm ({lower_first(self.violation)}), "
                f"thấp nhất {pts(self.floor)} điểm. Ghi số lần vi phạm (0 nếu không có).")
