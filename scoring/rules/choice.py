"""choice: the option the commune chose gives its points (points; an option may take points
away, down to the rule's ``floor``). Ladders such as "đầy đủ 1; một phần 0,5; không 0"; the
commune reports ``choice`` (an option's value)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import Checks, FloorLowest, RuleKind, check_floor, hundredths, nothing, pts, signed_pts
from ..errors import message


@dataclass(frozen=True)
class ChoiceOption:
    value: str
    label: str
    points: int  # hundredths


@dataclass(frozen=True)
class Choice(FloorLowest, RuleKind):
    """The chosen option's points; no choice gives 0."""

    kind = "choice"
    label = "chọn mức"
    facts = ("choice",)

    options: tuple[ChoiceOption, ...]
    floor: int = 0

    @classmethod
    def from_json(cls, raw) -> "Choice":
        return cls(options=tuple(ChoiceOption(o["value"], o["label"], hundredths(o["points"])) for o in raw["options"]),
                   floor=hundredths(raw.get("floor", 0)))


    @classmethod
    def check(cls, checks: Checks) -> None:
        rule, at = checks.raw, checks.at
        values = [o["value"] for o in rule["options"]]
        for index, option in enumerate(rule["options"]):
            checks.not_above(option["points"], f"{at}/options/{index}/points", "điểm của phương án")
            if values.index(option["value"]) != index:
                checks.add(f"{at}/options/{index}/value", "duplicate-code", message("duplicate-code", "option", option=option['value']))
        check_floor(checks, [(f"{at}/options/{index}/points", o["points"]) for index, o in enumerate(rule["options"])])
        if max(hundredths(o["points"]) for o in rule["options"]) != checks.max:
            checks.add(at + "/options", "max-unreachable", message("max-unreachable", max=pts(checks.max)))

    @property
    def choices(self):
        return self.options

    def fact_options(self, name):
        return tuple(o.value for o in self.options)

    def score_all(self, leaf, facts, column, tallies=None):
        option_points = np.array([o.points for o in self.options] + [0], dtype=np.int64)
        points = option_points[facts.choice[:, column]]  # index -1 (no choice) takes the final 0
        return np.asarray(points, dtype=np.int64), nothing(points.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        return next((o.points for o in self.options if o.value == facts.get("choice")), 0), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        chosen = next((o for o in self.options if o.value == facts.get("choice")), None)
        return f"mức \"{chosen.label}\"" if chosen else "không chọn mức nào"

    def form_text(self, leaf):
        options = "; ".join(f"{o.label}: {signed_pts(o.points)}" for o in self.options)
        return f"Chọn một mức ở cột Phương án. {options}."
