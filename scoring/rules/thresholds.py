"""Thresholds shared by ratio_thresholds and value_thresholds (not a kind of its own).

A threshold is a bound and the points for reaching it. The bound is exact (a Fraction: a
percentage for a ratio, a value for a value) and inclusive ("từ 90%": reached at 90%) unless
``strict`` ("trên 90%": reached only above 90%; for an at-most direction, "dưới").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .base import Checks, hundredths, pts


@dataclass(frozen=True)
class Threshold:
    """Reaching ``at`` gives ``points`` (hundredths). ``at`` is exact: a percentage or a value."""

    at: Fraction
    points: int
    strict: bool = False


def bound_of(raw) -> tuple[object, bool]:
    """The bound as written and whether it is strict: {"at": 90} (inclusive) or {"above": 90}
    / {"below": 90} (strict)."""
    for key in ("above", "below"):
        if key in raw:
            return raw[key], True
    return raw["at"], False


def bound_key(raw) -> str:
    return next((key for key in ("above", "below") if key in raw), "at")


def check_order(checks: Checks, increasing: bool) -> list[Decimal]:
    """Thresholds are listed best first: strictly decreasing bounds (increasing for an
    at-most value); each gives no more than the leaf's maximum. Returns the bounds."""
    rule, at = checks.raw, checks.at
    bounds = [(Decimal(bound_of(t)[0]), bound_of(t)[1]) for t in rule["thresholds"]]
    ordered = all((b > a) if increasing else (b < a) for (a, _), (b, _) in zip(bounds, bounds[1:]))
    if not ordered:
        checks.add(at + "/thresholds", "thresholds-order",
                   "các ngưỡng phải tăng dần" if increasing else "các ngưỡng phải giảm dần (ngưỡng cao nhất trước)")
    for index, threshold in enumerate(rule["thresholds"]):
        checks.not_above(threshold["points"], f"{at}/thresholds/{index}/points", "điểm của ngưỡng")
    checks.not_above(rule["otherwise"], at + "/otherwise", "điểm khi không đạt ngưỡng nào")
    return [bound for bound, _ in bounds]


def number_text(value: Fraction) -> str:
    """A bound (Fraction with at most two decimals) as text: 95 → "95", 87.5 → "87,5"."""
    return pts(int(value * 100))
