"""Thresholds shared by ratio_thresholds and value_thresholds (not a kind of its own).

A threshold is a bound and the points for reaching it. The bound is exact (a Fraction: a
percentage for a ratio, a value for a value) and inclusive ("từ 90%": reached at 90%) unless
``strict`` ("trên 90%": reached only above 90%; for an at-most direction, "dưới").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .base import Checks, capital, pts
from ..errors import message


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
                   message("thresholds-order", "increasing" if increasing else None))
    for index, threshold in enumerate(rule["thresholds"]):
        key = bound_key(threshold)
        if (key == "above" and increasing) or (key == "below" and not increasing):
            checks.add(f"{at}/thresholds/{index}/{key}", "threshold-bound-direction",
                       message("threshold-bound-direction", "below" if key == "below" else None))
        checks.not_above(threshold["points"], f"{at}/thresholds/{index}/points", "điểm của ngưỡng")
    checks.not_above(rule["otherwise"], at + "/otherwise", "điểm khi không đạt ngưỡng nào")
    return [bound for bound, _ in bounds]


def number_text(value: Fraction) -> str:
    """A bound (Fraction with at most two decimals) as text: 95 → "95", 87.5 → "87,5"."""
    return pts(int(value * 100))


def decimal_text(value: Fraction, decimals: int) -> str:
    """A non-negative or negative exact value rounded half up to ``decimals`` places, with a
    decimal comma: (90, 2) → "90,00"; (Fraction(180009, 2000), 3) → "90,005"."""
    scaled = value * 10 ** decimals
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    whole += 2 * rest >= scaled.denominator
    sign = "-" if scaled < 0 and whole else ""
    digits = str(whole).rjust(decimals + 1, "0")
    head, tail = digits[:-decimals] if decimals else digits, digits[-decimals:] if decimals else ""
    head = f"{int(head):,}".replace(",", ".")
    return sign + head + ("," + tail if tail else "")


def unambiguous(value: Fraction, bounds, decimals: int = 2, most: int = 12) -> tuple[str, int]:
    """``value`` as text with ``decimals`` places, or more when the rounded text would read as
    one of ``bounds`` that the exact value is not equal to (90,005 would show "90,01" next to a
    bound of 90,01 it did not reach). Returns the text and the places used."""
    while decimals < most:
        shown = Fraction(round_text_value(value, decimals))
        if not any(shown == bound != value for bound in bounds):
            break
        decimals += 1
    return decimal_text(value, decimals), decimals


def round_text_value(value: Fraction, decimals: int) -> Fraction:
    """``value`` rounded half up (away from zero) to ``decimals`` places, exactly."""
    scaled = value * 10 ** decimals
    whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
    whole += 2 * rest >= scaled.denominator
    return Fraction(-whole if scaled < 0 else whole, 10 ** decimals)


def passed_text(threshold: Threshold, unit: str, at_least: bool = True) -> str:
    """The comparison a reached threshold made: "đạt ngưỡng 95%", "trên ngưỡng 90%" (at most: "không quá", "dưới")."""
    if at_least:
        return f"{'trên' if threshold.strict else 'đạt'} ngưỡng {number_text(threshold.at)}{unit}"
    return f"{'dưới' if threshold.strict else 'không quá'} {number_text(threshold.at)}{unit}"


def missed_text(threshold: Threshold, unit: str, at_least: bool = True) -> str:
    """The comparison a threshold not reached made: "không vượt 90%", "chưa đạt 90,01%" (at most: "không dưới", "vượt")."""
    if at_least:
        return f"{'không vượt' if threshold.strict else 'chưa đạt'} {number_text(threshold.at)}{unit}"
    return f"{'không dưới' if threshold.strict else 'vượt'} {number_text(threshold.at)}{unit}"


def ladder_text(thresholds, otherwise: int, unit: str, at_least: bool = True, none: str | None = None) -> str:
    """The tiers in words, each with its range: "Trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới
    70%: 0 điểm"; at most: "Dưới 2 ngày: 1 điểm; từ 2 ngày đến 5 ngày: 0,5 điểm; trên 5 ngày: 0 điểm".
    ``none``: the words of a first at-most bound of 0 ("không có nhiệm vụ nào", never "không quá
    0 nhiệm vụ")."""
    def bound(t):
        return f"{number_text(t.at)}{unit}"

    steps, previous = [], None
    for t in thresholds:
        if at_least:
            lower = f"{'trên' if t.strict else 'từ'} {bound(t)}"
            text = lower if previous is None else f"{lower} đến {'' if previous.strict else 'dưới '}{bound(previous)}"
        elif previous is None and none and t.at == 0 and not t.strict:
            text = none
        elif previous is None:
            text = f"{'dưới' if t.strict else 'không quá'} {bound(t)}"
        else:
            text = f"{'từ' if previous.strict else 'trên'} {bound(previous)} đến {'dưới ' if t.strict else ''}{bound(t)}"
        steps.append(f"{text}: {pts(t.points)} điểm")
        previous = t
    last = thresholds[-1]
    if at_least:
        rest = f"{bound(last)} trở xuống" if last.strict else f"dưới {bound(last)}"
    else:
        rest = f"{bound(last)} trở lên" if last.strict else f"trên {bound(last)}"
    if last.strict:
        rest = "từ " + rest
    return capital("; ".join(steps)) + f"; {rest}: {pts(otherwise)} điểm."
