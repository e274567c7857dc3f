"""What every rule kind provides, and the small helpers their texts share.

A rule kind is a frozen dataclass holding the parameters of one leaf's rule, exact (points
in integer hundredths, thresholds as Fractions, dates as dates), built from the criteria
JSON by ``from_json``. The class carries what is the same for every leaf of the kind: its
name in the criteria format (``kind``), its Vietnamese label, the facts a commune reports
for it, and its parameter checks (``check``). The instance scores: ``score_all`` over one
column of the fact table (numpy, all communes at once) and ``score_one`` for one commune
(plain Python, the reference the vectorised formula is tested against); ``detail`` says in
Vietnamese what the rule saw and decided, ``form_text`` how the leaf is scored, for the
forms. Nothing outside scoring.rules tests a kind's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from ..numbers import format_points, to_hundredths
from ..errors import message

# add(pointer, code, message): how a parameter check reports an issue (scoring.validate)
Report = Callable[[str, str, str], None]


def pts(hundredths: int) -> str:
    """Points as written in a sentence: 0,75 / 2 / 1,5."""
    return format_points(hundredths, decimals=0)


def lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, but keep acronyms (TTHC, CCHC, UBND)."""
    first_word = text.split(" ", 1)[0]
    if len(first_word) > 1 and first_word.isupper():
        return text
    return text[:1].lower() + text[1:]


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def exact(value) -> Fraction:
    """A JSON number (int, Decimal, or a float written with at most two decimals) as a Fraction."""
    return Fraction(Decimal(value)) if not isinstance(value, float) else Fraction(Decimal(str(value)))


def hundredths(value) -> int:
    return to_hundredths(value)


class Checks:
    """The parameter checks of one leaf's rule: where it is and how to report (scoring.validate)."""

    def __init__(self, raw: Mapping, node_max: int, code: str, at: str, add: Report):
        self.raw, self.max, self.code, self.at, self.add = raw, node_max, code, at, add

    def unique_ids(self, items, key: str, at: str, what: str) -> None:
        """Ids of a rule's named parts (conditions, periods) may not repeat (``duplicate-code``)."""
        seen: set = set()
        for index, item in enumerate(items):
            if item[key] in seen:
                self.add(f"{at}/{index}/{key}", "duplicate-code",
                         message("duplicate-code", "named", what=what, id=item[key], leaf=self.code))
            seen.add(item[key])

    def not_above(self, value, at: str, what: str) -> None:
        """A parameter in points may not exceed the leaf's maximum."""
        if to_hundredths(value) > self.max:
            self.add(at, "points-above-max", message("points-above-max", what=what, points=pts(to_hundredths(value)),
                                                     max=pts(self.max), leaf=self.code))


def check_floor(checks: Checks, outcomes) -> None:
    """Outcomes may carry negative points ("không thực hiện: 0 và trừ thêm 0,25"), never below the
    rule's ``floor`` (0 unless the rule names a lower one). ``outcomes``: (pointer, points) pairs."""
    floor = to_hundredths(checks.raw.get("floor", 0))
    for at, value in outcomes:
        if to_hundredths(value) < floor:
            checks.add(at, "points-below-floor",
                       message("points-below-floor", None if "floor" in checks.raw else "undeclared",
                               points=pts(to_hundredths(value)), floor=pts(floor), leaf=checks.code))


def signed_pts(hundredths_value: int) -> str:
    """Points of an outcome in words: "1 điểm", "trừ 0,25 điểm"."""
    return f"trừ {pts(-hundredths_value)} điểm" if hundredths_value < 0 else f"{pts(hundredths_value)} điểm"


@dataclass(frozen=True)
class RuleKind:
    """The parameters of one leaf's rule; subclasses are the kinds (one module each)."""

    kind: ClassVar[str]                    # the name in the criteria format ("yes_no", …)
    label: ClassVar[str]                   # in Vietnamese, as messages name the kind
    facts: ClassVar[tuple[str, ...]] = ()  # the facts a commune reports for it
    survey: ClassVar[bool] = False         # scored from the survey tallies (only in a survey area)
    awaits_appraisal: ClassVar[bool] = False  # scored by the council; the self-score stands until then
    reads_documents: ClassVar[bool] = False   # reads the evidence documents themselves (their dates)
    # its reason, in the common case, is its detail on the earliest accepted document alone (the
    # deadline): a national run words it from the entry's JSON (scoring.engine, issue 19)
    reason_names_first_document: ClassVar[bool] = False
    # the same facts recur across communes (a yes/no, a choice): a run words each reason once
    # (scoring.engine.LeafResult.reason); False where the facts are counts, nearly all distinct
    reasons_repeat: ClassVar[bool] = True
    nothing_can_arise: ClassVar[bool] = False  # a zero denominator means nothing arose this year
    date_fields: ClassVar[tuple[str, ...]] = ()  # parameters that are dates (YYYY-MM-DD)

    @classmethod
    def from_json(cls, raw: Mapping) -> "RuleKind":  # pragma: no cover - every kind defines it
        raise NotImplementedError

    @classmethod
    def check(cls, checks: Checks) -> None:
        """The kind's part of the criteria set's meaning checks (the schema has passed)."""

    # ------------------------------------------------------------ what other modules ask

    @property
    def lowest(self) -> int:
        """The lowest score a self-assessment or an appraisal may give the leaf (hundredths)."""
        return 0

    @property
    def step(self) -> int | None:
        """The step every score of the leaf must be a multiple of (hundredths), or None."""
        return None

    @property
    def choices(self) -> tuple:
        """The options a commune picks from (objects with value, label, points), or ()."""
        return ()

    @property
    def answers(self) -> tuple:
        """The survey answer options (objects with code, label, share), or ()."""
        return ()

    def fact_label(self, name: str) -> str | None:
        """What the criteria set calls one of the kind's facts ("Số hồ sơ đúng hạn"), or None."""
        return None

    def fact_unit(self, name: str) -> str | None:
        return None

    def fact_options(self, name: str) -> tuple | None:
        """The allowed values of a fact chosen from a list, or None (any value of its type)."""
        return None

    def named_conditions(self) -> tuple:
        """The conditions a commune states one by one in the fact ``conditions`` (objects with
        id and label), or (): the kinds that read such a fact (scoring.rules.all_of)."""
        return ()

    def due_periods(self) -> tuple:
        """The documents due each by its own deadline, matched by an evidence document's
        ``period`` (objects with id, label, deadline), or () (scoring.rules.periodic_reports)."""
        return ()

    # ------------------------------------------------------------ scoring

    def score_all(self, leaf, facts, column: int, tallies: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(points in hundredths, nothing arose) of every commune on the leaf: one column of
        the fact table (scoring.facts.FactTable); ``tallies``: survey answers, communes ×
        the rule's answer options."""
        raise NotImplementedError

    def score_one(self, leaf, facts: Mapping[str, Any], *, first_day: dt.date | None = None,
                  tallies: Mapping[str, int] | None = None, self_score: int | None = None,
                  documents=None) -> tuple[int, bool]:
        """(points in hundredths, nothing arose) of one commune: the plain formula, the
        reference ``score_all`` is tested against. ``facts``: the reported facts;
        ``first_day``: the date of the earliest accepted document; ``tallies``: survey
        answers per option code; ``self_score``: the commune's self-score (hundredths);
        ``documents``: the accepted evidence documents (scoring.facts.accepted_documents)."""
        raise NotImplementedError

    # ------------------------------------------------------------ texts

    def detail(self, leaf, facts: Mapping, score: int, *, first_document=None, tallies=None, documents=None) -> str:
        """What the rule saw and decided, without the score: "87,50% hồ sơ đúng hạn (175/200), dưới ngưỡng 95%"."""
        raise NotImplementedError

    def form_text(self, leaf) -> str:
        """How the leaf is scored, in one paragraph a commune official can follow (the forms)."""
        raise NotImplementedError


class FloorLowest:
    """Mixin for kinds with a ``floor`` parameter (hundredths): the lowest score a
    self-assessment or an appraisal may give is the floor when it is negative, else 0 (a
    positive floor binds the rule's formula, not the council)."""

    floor: int

    @property
    def lowest(self) -> int:
        return min(0, self.floor)


def nothing(size: int) -> np.ndarray:
    return np.zeros(size, dtype=bool)
