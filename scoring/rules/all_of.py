"""all_of: every named condition holds → the leaf's maximum, else ``not_done`` (points; 0
unless the row takes points away, down to the rule's ``floor``). Rows such as "Xác định đầy
đủ nhiệm vụ và bố trí kinh phí thực hiện: 1 điểm; không: 0" (issue 13): the commune reports
the fact ``conditions``, one true/false per condition id ({"nhiem_vu": true, "kinh_phi":
false}); the reason names each condition and what was reported, so the council sees which
one failed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, FloorLowest, RuleKind, check_floor, hundredths, nothing, pts, signed_pts


@dataclass(frozen=True)
class Condition:
    id: str
    label: str


@dataclass(frozen=True)
class AllOf(FloorLowest, RuleKind):
    """Full points when every condition is reported true; a condition reported false or not
    reported gives ``not_done``."""

    kind = "all_of"
    label = "đạt đủ các điều kiện"
    facts = ("conditions",)

    items: tuple[Condition, ...]
    not_done: int = 0  # hundredths; negative when failing costs points
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "AllOf":
        return cls(items=tuple(Condition(c["id"], c["label"]) for c in raw["conditions"]),
                   not_done=hundredths(raw.get("not_done", 0)), floor=hundredths(raw.get("floor", 0)))

    @classmethod
    def check(cls, checks: Checks) -> None:
        checks.unique_ids(checks.raw["conditions"], "id", checks.at + "/conditions", "điều kiện")
        if "not_done" in checks.raw:
            checks.not_above(checks.raw["not_done"], checks.at + "/not_done", "điểm khi không đạt")
            check_floor(checks, [(checks.at + "/not_done", checks.raw["not_done"])])

    def named_conditions(self):
        return self.items

    def fact_label(self, name):
        return "; ".join(c.label for c in self.items)

    @property
    def full_mask(self) -> int:
        """Bit i set for condition i: the fact table's ``conditions`` cell when all hold."""
        return (1 << len(self.items)) - 1

    def score_all(self, leaf, facts, column, tallies=None):
        held = (facts.conditions[:, column] & self.full_mask) == self.full_mask
        points = np.where(held, leaf.max, self.not_done)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        stated = facts.get("conditions") or {}
        return (leaf.max if all(stated.get(c.id) is True for c in self.items) else self.not_done), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        stated = facts.get("conditions") or {}

        def said(condition):
            value = stated.get(condition.id)
            return "có" if value is True else "không" if value is False else "không khai"

        parts = "; ".join(f"{c.label}: {said(c)}" for c in self.items)
        failed = [c.label for c in self.items if stated.get(c.id) is not True]
        if not failed:
            return f"{parts} → đạt đủ {len(self.items)} điều kiện"
        return f"{parts} → không đạt (chưa đạt: {'; '.join(failed)})"

    def form_text(self, leaf):
        listed = "; ".join(f"({i}) {c.label}" for i, c in enumerate(self.items, start=1))
        return (f"Đạt khi có đủ tất cả {len(self.items)} điều kiện: {listed}. Đủ: {pts(leaf.max)} điểm; "
                f"thiếu một điều kiện: {signed_pts(self.not_done)}. Ghi \"có\" hoặc \"không\" cho từng điều kiện "
                "ở các dòng điều kiện bên dưới tiêu chí.")
