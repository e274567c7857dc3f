"""yes_no: done → the leaf's maximum, not done → ``not_done`` (points; 0 unless the row takes
points away: "không thực hiện: 0 và trừ 0,25" is ``not_done: -0.25`` with ``floor: -0.25``).
Rows such as "Ban hành quy chế làm việc: đạt / không đạt"; the commune reports ``done``
(true/false)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, FloorLowest, RuleKind, check_floor, hundredths, nothing, pts, signed_pts


@dataclass(frozen=True)
class YesNo(FloorLowest, RuleKind):
    """Full points when done, else 0."""

    kind = "yes_no"
    label = "đạt/không đạt"
    facts = ("done",)

    question: str
    not_done: int = 0  # hundredths; negative when not doing it costs points
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "YesNo":
        return cls(question=raw["question"], not_done=hundredths(raw.get("not_done", 0)), floor=hundredths(raw.get("floor", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        if "not_done" in checks.raw:
            checks.not_above(checks.raw["not_done"], checks.at + "/not_done", "điểm khi không đạt")
            check_floor(checks, [(checks.at + "/not_done", checks.raw["not_done"])])


    def fact_label(self, name):
        return self.question

    def score_all(self, leaf, facts, column, tallies=None):
        points = np.where(facts.done[:, column], leaf.max, self.not_done)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        return (leaf.max if facts.get("done") else self.not_done), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        return f"{self.question} → {'Có' if facts.get('done') else 'Không'}"

    def form_text(self, leaf):
        return (f"{self.question}: đạt {pts(leaf.max)} điểm, không đạt {signed_pts(self.not_done)}. "
                "Ghi \"có\" hoặc \"không\" ở cột Đạt.")
