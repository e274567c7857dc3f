"""The rule kinds: one module each, and this registry, the one place that knows them all.

``KINDS`` maps a kind's name in the criteria format to its class (scoring.rules.base.RuleKind);
``build_rule`` turns a leaf's ``rule`` object (validated JSON) into that class's parameters.
A new kind is a new module here and one line in ``KINDS``, plus its part of
criteria/criteria.schema.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .all_of import AllOf, Condition
from .base import Checks, RuleKind
from .choice import Choice, ChoiceOption
from .deadline import Deadline
from .deduction import Deduction
from .judgement import Judgement
from .per_count import PerCount
from .periodic_reports import Period, PeriodicReports
from .proportional import Proportional
from .ratio_thresholds import RatioThresholds
from .survey import SurveyOption, SurveyQuestion
from .thresholds import Threshold
from .value_thresholds import ValueThresholds
from .yes_no import YesNo

KINDS: Mapping[str, type[RuleKind]] = MappingProxyType({cls.kind: cls for cls in (
    YesNo, Choice, Deadline, RatioThresholds, ValueThresholds, Proportional, Deduction, Judgement, SurveyQuestion, PerCount,
    AllOf, PeriodicReports,
)})

# every fact any kind reads, in the order the forms show them
ALL_FACTS: tuple[str, ...] = tuple(dict.fromkeys(name for cls in KINDS.values() for name in cls.facts))

# the parameters that are dates (checked as real calendar days with the rest of the set's dates)
DATE_FIELDS: frozenset[str] = frozenset(name for cls in KINDS.values() for name in cls.date_fields)


def build_rule(raw: Mapping) -> RuleKind:
    """A leaf's rule (validated JSON) → its kind's parameters, exact (points in hundredths,
    thresholds as Fractions, dates as dates). Raises KeyError for an unknown kind (the schema
    admits none)."""
    return KINDS[raw["kind"]].from_json(raw)


__all__ = ["ALL_FACTS", "DATE_FIELDS", "KINDS", "Checks", "ChoiceOption", "RuleKind", "SurveyOption", "Threshold", "build_rule",
           "Choice", "Deadline", "Deduction", "Judgement", "PerCount", "Proportional", "RatioThresholds",
           "SurveyQuestion", "ValueThresholds", "YesNo", "AllOf", "Condition", "Period", "PeriodicReports"]
