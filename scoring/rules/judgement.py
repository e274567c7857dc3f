"""judgement: the appraisal council's score, 0 to the maximum in fixed steps (points). Rows
such as "Chất lượng báo cáo CCHC: Hội đồng chấm, bước 0,25"; until appraised the commune's
self-score stands provisionally. The commune reports no fact."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, RuleKind, hundredths, nothing, pts
from ..errors import message


@dataclass(frozen=True)
class Judgement(RuleKind):
    """The appraiser's score; before it, the self-score (0 without one)."""

    kind = "judgement"
    label = "thẩm định chấm"
    awaits_appraisal = True

    points_step: int
    aspects: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw) -> "Judgement":
        return cls(points_step=hundredths(raw["step"]), aspects=tuple(raw.get("aspects", ())))

    @classmethod
    def check(cls, checks: Checks) -> None:
        step = hundredths(checks.raw["step"])
        if checks.max % step:
            checks.add(checks.at + "/step", "step-invalid", message("step-invalid", step=pts(step), max=pts(checks.max)))

    @property
    def step(self) -> int:
        return self.points_step

    def score_all(self, leaf, facts, column, tallies=None):
        points = np.where(facts.has_self[:, column], facts.self_score[:, column], 0)
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        return (0 if self_score is None else self_score), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        return "điểm do Hội đồng thẩm định chấm theo bước " + pts(self.points_step)

    def form_text(self, leaf):
        text = f"Hội đồng thẩm định chấm từ 0 đến {pts(leaf.max)} điểm, theo bước {pts(self.points_step)} điểm."
        if self.aspects:
            text += " Xem xét: " + "; ".join(self.aspects) + "."
        return text + " Xã tự chấm tạm theo bước này."
