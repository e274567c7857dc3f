"""Exact points.

Every point, total and index is an integer number of hundredths (85,13 points is 8513).
Inputs are parsed with ``Decimal`` (never float), and exactly one rounding function,
:func:`round_half_up`, turns an exact quotient into hundredths. Sums of hundredths are
exact, so a total always equals the sum of its parts.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal
from fractions import Fraction
from functools import lru_cache
import sys

HUNDRED = 100
_WIDE = Context(prec=40, Emax=MAX_EMAX, Emin=MIN_EMIN)  # not the thread's context: nothing may round


class NotHundredths(ValueError):
    """A number that has more than two decimals (points are kept to the hundredth)."""


def round_half_up(numerator, denominator=1):
    """Round numerator / denominator to the nearest integer, ties away from zero.

    This is the rule of the Vietnamese criteria sets: "làm tròn đến hai chữ số thập phân,
    từ 5 trở lên làm tròn lên" (85,125 → 85,13). Python's round() and Babel round half to
    even, which is wrong here. Works on Python ints and on numpy integer arrays alike; the
    denominator must be positive. Callers pass quotients already scaled to hundredths.
    """
    np = sys.modules.get("numpy")  # an array comes from numpy already imported: no import paid here (issue 19)
    if np is not None and (isinstance(numerator, np.ndarray) or isinstance(denominator, np.ndarray)):
        numerator = np.asarray(numerator, dtype=np.int64)
        denominator = np.asarray(denominator, dtype=np.int64)
        magnitude = (2 * np.abs(numerator) + denominator) // (2 * denominator)
        return np.where(numerator < 0, -magnitude, magnitude)
    if isinstance(numerator, Fraction):
        numerator, denominator = numerator.numerator, numerator.denominator * denominator
    numerator, denominator = int(numerator), int(denominator)
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


_DECIMAL_HUNDREDTHS: dict = {}  # Decimal → its hundredths, for those read off their digits (to_hundredths)


def to_hundredths(value) -> int:
    """Exact hundredths of a JSON number (int or Decimal); more than two decimals is an error.

    Points in criteria and submissions are stated to the hundredth (quarter points are
    0.25); a value like 0.125 is rejected rather than silently rounded. Works on the
    number's digits, not through decimal arithmetic, so no context rounding, overflow or
    underflow can change the answer (1E-999999999 is not 0; 1e999999999 is too large).
    """
    kind = type(value)
    if kind is Decimal:  # the usual literal (0.75, 12.5, 3): read off its digits at once
        try:
            known = _DECIMAL_HUNDREDTHS.get(value)
        except TypeError:  # a signalling NaN cannot be hashed: refused below, as any NaN
            known = None
        if known is not None:
            return known
        sign, digits, exponent = value.as_tuple()
        if type(exponent) is int and -2 <= exponent <= 2 and len(digits) <= 13:
            hundredths = int(value.scaleb(2, _WIDE))  # exact: at most 15 digits, well within _WIDE's precision
            if len(_DECIMAL_HUNDREDTHS) < 4096:
                # the same few scores come back thousands of times (an appraisal's 6,000 entries);
                # equal Decimals have equal hundredths, whatever their exponent
                _DECIMAL_HUNDREDTHS[value] = hundredths
            return hundredths
    if isinstance(value, bool):
        raise NotHundredths(str(value))
    if isinstance(value, int):
        return value * HUNDRED
    try:
        number = Decimal(value)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise NotHundredths(str(value)) from exc
    if not number.is_finite():
        raise NotHundredths(str(value))
    if number.is_zero():
        return 0
    if number.adjusted() > 15 or number.adjusted() < -2:  # beyond any points, or below 0,01
        raise NotHundredths(str(value))
    sign, digits, exponent = number.as_tuple()
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    if shift >= 0:
        result = coefficient * 10 ** shift
    else:
        divisor = 10 ** -shift  # at most 10 ** (number of digits written)
        if coefficient % divisor:
            raise NotHundredths(str(value))
        result = coefficient // divisor
    return -result if sign else result


def exact_hundredths(value) -> int | None:
    """Hundredths of a JSON number as read, or None when it has more than two decimals.

    The common cases first (ints, Decimals with at most two decimals); floats come only from
    literals with at most two decimals and few digits (the loader's float hook,
    scoring.quick._float_or_decimal, reads every other literal as a Decimal), so ×100 and
    rounding is exact.
    """
    kind = type(value)
    if kind is int:
        return value * HUNDRED
    if kind is float:
        return round(value * HUNDRED)
    try:
        return to_hundredths(value)
    except NotHundredths:
        return None


def is_hundredths(value) -> bool:
    """True when the number can be kept exactly in hundredths."""
    try:
        to_hundredths(value)
    except NotHundredths:
        return False
    return True


def to_number(hundredths):
    """Hundredths → a JSON/Excel number (float whose shortest repr is the exact decimal).

    8513 → 85.13. A float with at most two decimals and fewer than 15 significant digits
    prints back exactly, so results JSON and workbook cells show the exact value.
    """
    if hundredths is None:
        return None
    value = int(hundredths)
    if value % HUNDRED == 0:
        return value // HUNDRED
    return value / HUNDRED


@lru_cache(maxsize=1 << 16)
def format_points(hundredths, *, decimals: int = 2) -> str:
    """Hundredths → Vietnamese text with a decimal comma and dot thousands: 123456 → "1.234,56".

    decimals=2 always shows two decimals (indices: "85,70"); decimals=0 drops a zero
    fractional part and trailing zeros (points in sentences: "0,5", "2").
    """
    # cached: a run formats the same few hundred point values hundreds of thousands of times
    value = int(hundredths)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), HUNDRED)
    whole_text = f"{whole:,}".replace(",", ".")
    frac_text = f"{frac:02d}"
    if decimals == 0:
        frac_text = frac_text.rstrip("0")
    return f"{sign}{whole_text},{frac_text}" if frac_text else f"{sign}{whole_text}"


def format_percent_fraction(numerator: int, denominator: int) -> str:
    """A ratio as a Vietnamese percentage with two decimals, half up: 7/8 → "87,50%"."""
    return format_points(round_half_up(numerator * HUNDRED * HUNDRED, denominator)) + "%"


def from_number(value) -> int:
    """A number read back from results JSON or a workbook (85.13) → hundredths (8513), exactly.

    Goes through the shortest decimal text of the float, so 85.13 gives 8513, not 8512.
    """
    if isinstance(value, float):
        value = Decimal(repr(value))
    return to_hundredths(value)
