"""yes_no: done → the leaf's maximum, not done → 0 (points). Rows such as "Ban hành quy chế
làm việc: đạt / không đạt"; the commune reports ``done`` (true/false)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, RuleKind, nothing, pts


@dataclass(frozen=True)
class YesNo(RuleKind):
    """Full points when done, else 0."""

    kind = "yes_no"
    label = "đạt/không đạt"
    facts = ("done",)

    question: str

    @classmethod
    def from_json(cls, raw) -> "YesNo":
        return cls(question=raw["question"])

    def fact_label(self, name):
        return self.question

    def score_all(self, leaf, facts, column, tallies=None):
        points = np.where(facts.done[:, column], leaf.max, 0)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None):
        return (leaf.max if facts.get("done") else 0), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None):
        return f"{self.question} → {'Có' if facts.get('done') else 'Không'}"

    def form_text(self, leaf):
        return f"{self.question}: đạt {pts(leaf.max)} điểm, không đạt 0 điểm. Ghi \"có\" hoặc \"không\" ở cột Đạt."
