"""scoring.numbers: the one rounding function, exact hundredths, Vietnamese number text."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from scoring.numbers import (
    NotHundredths, format_percent_fraction, format_points, from_number, is_hundredths, round_half_up,
    to_hundredths, to_number,
)


@pytest.mark.parametrize("numerator, denominator, expected", [
    (85125, 10, 8513),      # 85,125 → 85,13 (Python's round() gives 85,12)
    (85135, 10, 8514),
    (85124, 10, 8512),
    (85126, 10, 8513),
    (-85125, 10, -8513),    # ties away from zero on both sides
    (-85124, 10, -8512),
    (1, 2, 1),
    (-1, 2, -1),
    (3, 2, 2),
    (5, 2, 3),              # half-even would give 2
    (1, 3, 0),
    (2, 3, 1),
    (-2, 3, -1),
    (0, 7, 0),
    (7, 1, 7),
    (10 ** 30 + 5, 10, 10 ** 29 + 1),  # Python ints stay exact beyond 64 bits
])
def test_round_half_up_examples(numerator, denominator, expected):
    assert round_half_up(numerator, denominator) == expected


def test_round_half_up_default_denominator_and_fraction():
    assert round_half_up(42) == 42
    assert round_half_up(Fraction(17025, 200)) == 85  # 85.125 → 85 (integer rounding)
    assert round_half_up(Fraction(851250, 10000), 1) == 85
    assert round_half_up(Fraction(1, 2)) == 1
    assert round_half_up(Fraction(-5, 2)) == -3
    assert round_half_up(Fraction(8513, 1), 100) == 85


def test_round_half_up_rejects_non_positive_denominator():
    with pytest.raises(ValueError):
        round_half_up(1, 0)
    with pytest.raises(ValueError):
        round_half_up(1, -2)


def test_round_half_up_numpy_arrays():
    numerators = np.array([85125, -85125, 5, -5, 4, -4, 0, 15], dtype=np.int64)
    result = round_half_up(numerators, 10)
    assert result.tolist() == [8513, -8513, 1, -1, 0, 0, 0, 2]
    # element-wise denominators, as the engine uses them (max × numerator / denominator)
    assert round_half_up(np.array([700, 100, 100]), np.array([8, 8, 3])).tolist() == [88, 13, 33]
    # a scalar numerator against an array of denominators
    assert round_half_up(100, np.array([8, 3, 200])).tolist() == [13, 33, 1]


def test_round_half_up_numpy_agrees_with_python_ints():
    rng = np.random.default_rng(7)
    numerators = rng.integers(-10 ** 9, 10 ** 9, size=2000)
    denominators = rng.integers(1, 10 ** 6, size=2000)
    vectorised = round_half_up(numerators, denominators).tolist()
    assert vectorised == [round_half_up(int(n), int(d)) for n, d in zip(numerators, denominators)]


@pytest.mark.parametrize("value, expected", [
    (0, 0), (1, 100), (Decimal("0.25"), 25), (Decimal("0.5"), 50), (Decimal("85.13"), 8513),
    (Decimal("-0.25"), -25), (Decimal("1.50"), 150), (Decimal("1.500"), 150), (Decimal("1E+2"), 10000),
    (100, 10000),
])
def test_to_hundredths_exact(value, expected):
    assert to_hundredths(value) == expected
    assert is_hundredths(value)


@pytest.mark.parametrize("value", [
    Decimal("0.125"), Decimal("0.001"), 0.125, 0.1,  # 0.1 as a float is not exactly 1/10
    True, False, Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), None, "abc",
])
def test_to_hundredths_rejects(value):
    with pytest.raises(NotHundredths):
        to_hundredths(value)
    assert not is_hundredths(value)


def test_equal_decimals_have_the_same_hundredths_whatever_was_read_first():
    """to_hundredths remembers the Decimals it read off their digits: a value written with
    more digits (0.250, 25E-2) gets the same answer, and one with more than two decimals that
    is not a whole hundredth is still refused."""
    for first, second in (("0.25", "0.250"), ("0.250", "0.25"), ("25E-2", "0.25"), ("1E+2", "100")):
        assert to_hundredths(Decimal(first)) == to_hundredths(Decimal(second)) == to_hundredths(Decimal(first))
    to_hundredths(Decimal("0.12"))
    with pytest.raises(NotHundredths):
        to_hundredths(Decimal("0.125"))


def test_not_hundredths_is_a_value_error():
    assert issubclass(NotHundredths, ValueError)


@pytest.mark.parametrize("hundredths, expected", [
    (8513, 85.13), (8500, 85), (0, 0), (25, 0.25), (-25, -0.25), (5, 0.05), (123456, 1234.56), (None, None),
])
def test_to_number(hundredths, expected):
    result = to_number(hundredths)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("hundredths", [8513, 8512, 1, 5, 10, 99, 101, 333, 6781, 123456789, -25, -8513, 10 ** 12 + 7])
def test_to_number_from_number_round_trip(hundredths):
    assert from_number(to_number(hundredths)) == hundredths


def test_from_number_reads_the_shortest_decimal():
    assert from_number(85.13) == 8513   # int(85.13 * 100) would give 8512
    assert from_number(0.29) == 29      # 0.29 * 100 = 28.999999999999996
    assert from_number(1.15) == 115
    assert from_number(85) == 8500
    assert from_number(Decimal("0.25")) == 25
    with pytest.raises(NotHundredths):
        from_number(0.125)


@pytest.mark.parametrize("hundredths, decimals, expected", [
    (123456, 2, "1.234,56"),
    (8570, 2, "85,70"),
    (8513, 2, "85,13"),
    (50, 2, "0,50"),
    (50, 0, "0,5"),
    (-25, 0, "-0,25"),
    (-25, 2, "-0,25"),
    (200, 0, "2"),
    (200, 2, "2,00"),
    (0, 0, "0"),
    (0, 2, "0,00"),
    (75, 0, "0,75"),
    (100000000, 2, "1.000.000,00"),
    (-123456, 2, "-1.234,56"),
    (5, 2, "0,05"),
    (5, 0, "0,05"),
])
def test_format_points(hundredths, decimals, expected):
    assert format_points(hundredths, decimals=decimals) == expected


def test_format_points_default_two_decimals():
    assert format_points(123456) == "1.234,56"
    assert format_points(50) == "0,50"


@pytest.mark.parametrize("numerator, denominator, expected", [
    (7, 8, "87,50%"),
    (1, 1, "100,00%"),
    (0, 5, "0,00%"),
    (189, 199, "94,97%"),
    (1, 3, "33,33%"),
    (2, 3, "66,67%"),
    (1, 8000, "0,01%"),     # 0,0125% → 0,01
    (1, 16000, "0,01%"),    # 0,00625% → 0,01 (half up)
    (1, 80000, "0,00%"),    # 0,00125%
    (23, 39, "58,97%"),
    (681, 800, "85,13%"),   # 85,125% → 85,13
])
def test_format_percent_fraction(numerator, denominator, expected):
    assert format_percent_fraction(numerator, denominator) == expected


@pytest.mark.parametrize("text", ["1e999999", "-1e999999", "1e-999999", "9.99e999999"])
def test_to_hundredths_extreme_exponents_are_rejected_not_crashing(text):
    """Decimal('1e999999') × 100 overflows the decimal context: a NotHundredths, never decimal.Overflow."""
    assert not is_hundredths(Decimal(text))
    with pytest.raises(NotHundredths):
        to_hundredths(Decimal(text))
