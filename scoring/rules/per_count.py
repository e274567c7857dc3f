"""per_count: a fixed amount per counted item, at most the leaf's maximum (points). Bonus and
penalty items such as "Mỗi sáng kiến CCHC được công nhận: 0,5 điểm"; the commune reports
``count`` (a whole number)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, RuleKind, hundredths, lower_first, nothing, pts


@dataclass(frozen=True)
class PerCount(RuleKind):
    """points_each × count, at most the maximum."""

    kind = "per_count"
    label = "tính theo số lượng"
    facts = ("count",)

    counted: str
    points_each: int

    @classmethod
    def from_json(cls, raw) -> "PerCount":
        return cls(counted=raw["counted"], points_each=hundredths(raw["points_each"]))

    @classmethod
    def check(cls, checks: Checks) -> None:
        checks.not_above(checks.raw["points_each"], checks.at + "/points_each", "điểm mỗi lần")

    def fact_label(self, name):
        return self.counted if name == "count" else None

    def score_all(self, leaf, facts, column, tallies=None):
        points = np.minimum(self.points_each * facts.count[:, column], leaf.max)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        return min(self.points_each * facts.get("count", 0), leaf.max), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        count = facts.get("count", 0)
        return (f"{lower_first(self.counted)}: {count} × {pts(self.points_each)} điểm, "
                f"tối đa {pts(leaf.max)} điểm")

    def form_text(self, leaf):
        # the label is a count ("Số sáng kiến …"): "cho mỗi Số sáng kiến" read badly
        return (f"{pts(self.points_each)} điểm cho mỗi trường hợp ({lower_first(self.counted)}), "
                f"tối đa {pts(leaf.max)} điểm. Ghi số lượng.")
