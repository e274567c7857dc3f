"""survey: a question of the sociological survey, max × Σ(tally × share) / (100 × Σ tally),
half up to the hundredth (points). Rows of the survey area ("Ông/bà có hài lòng …? A 100%,
B 60%, C 20%, D 0%"); the tallies come from the survey file, not from the commune."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..numbers import round_half_up
from .base import Checks, RuleKind, nothing
from ..errors import message

PERCENT = 100 * 100  # shares in hundredths of a percent


@dataclass(frozen=True)
class SurveyOption:
    code: str
    label: str
    share: Fraction  # percent of the leaf's points


@dataclass(frozen=True)
class SurveyQuestion(RuleKind):
    """The answers' shares, weighted by their tallies; no answers give 0."""

    kind = "survey"
    label = "điều tra xã hội học"
    reasons_repeat = False  # counts: nearly every commune's reason differs (see RuleKind)
    survey = True

    question: str
    options: tuple[SurveyOption, ...]

    @classmethod
    def from_json(cls, raw) -> "SurveyQuestion":
        return cls(question=raw["question"], options=tuple(
            SurveyOption(o["code"], o["label"], Fraction(Decimal(o["share"]))) for o in raw["options"]))

    @classmethod
    def check(cls, checks: Checks) -> None:
        rule, at = checks.raw, checks.at
        codes = [o["code"] for o in rule["options"]]
        for index, option_code in enumerate(codes):
            if codes.index(option_code) != index:
                checks.add(f"{at}/options/{index}/code", "duplicate-code", message("duplicate-code", "option", option=option_code))
        if max(Decimal(o["share"]) for o in rule["options"]) != 100:
            checks.add(at + "/options", "max-unreachable", message("max-unreachable", "survey"))

    @property
    def answers(self):
        return self.options

    def score_all(self, leaf, facts, column, tallies=None):
        shares = np.array([int(o.share * 100) for o in self.options], dtype=np.int64)  # hundredths of a percent
        counts = tallies  # communes × the question's options, in the rule's order
        respondents = counts.sum(axis=1)
        points = round_half_up(leaf.max * (counts @ shares), np.where(respondents == 0, 1, respondents) * PERCENT)
        return np.asarray(points, dtype=np.int64), nothing(counts.shape[0])

    def score_one(self, leaf, facts, *, first_day=None, tallies=None, self_score=None, documents=None):
        tallies = tallies or {}
        respondents = sum(tallies.values())
        if respondents == 0:
            return 0, False
        weighted = sum(count * next(o.share for o in self.options if o.code == code) for code, count in tallies.items())
        quotient = Fraction(leaf.max) * weighted / (100 * respondents)
        whole, rest = divmod(quotient.numerator, quotient.denominator)
        return whole + (2 * rest >= quotient.denominator), False

    def detail(self, leaf, facts, score, *, first_document=None, tallies=None, documents=None):
        tallies = tallies or {}
        respondents = sum(tallies.values())
        parts = ", ".join(f"{o.code}: {tallies.get(o.code, 0)}" for o in self.options)
        return f"{respondents} phiếu ({parts})"

    def form_text(self, leaf):  # survey leaves are not on the commune's form
        return "Chấm theo kết quả điều tra xã hội học."
