"""Vietnamese text helpers: alphabetical order and dates as officials write them."""

from __future__ import annotations

import unicodedata

# The Vietnamese alphabet; a letter's position is its primary weight. The Latin letters
# f j w z (foreign names) take their Latin places.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_WEIGHT = {letter: index for index, letter in enumerate(_ALPHABET)}
# Tone marks are a secondary key: unmarked, huyền, hỏi, ngã, sắc, nặng (the dictionary order).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a distinct letter (ă â ê ô ơ ư), kept attached to the base letter.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def _split(text: str) -> tuple[list[str], list[int]]:
    letters: list[str] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _TONES:
            if tones:
                tones[-1] = _TONES[char]
            continue
        if char in _LETTER_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + char)
            continue
        letters.append(char)
        tones.append(0)
    return letters, tones


def sort_key(text: str) -> tuple:
    """Sort key following the Vietnamese alphabet (a ă â b c d đ e ê …), tones second.

    Plain code-point order puts "Đăk Hà" after "Zô"; this key puts it after "Dục".
    Spaces sort first and other characters (digits, punctuation) by code point before
    letters, which keeps "Đăk Na" before "Đăk Rơ Ông" and "Xã 2" before "Xã A".
    """
    letters, tones = _split(text)
    primary = []
    for letter in letters:
        if letter in _LETTER_WEIGHT:
            primary.append((2, _LETTER_WEIGHT[letter], ""))
        elif letter.isspace():
            primary.append((0, 0, ""))
        else:
            primary.append((1, 0, letter))
    return (tuple(primary), tuple(tones), text)


def sorted_by_name(items, key=lambda item: item):
    """Items sorted by the Vietnamese alphabetical order of key(item)."""
    return sorted(items, key=lambda item: sort_key(key(item)))


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """Roman numerals for section headings of official documents: 4 → "IV"."""
    text = ""
    for value, numeral in _ROMAN:
        while number >= value:
            text += numeral
            number -= value
    return text


def format_count(number: int) -> str:
    """A whole number with "." between thousands, as Vietnamese documents write it: 12345 → "12.345"."""
    return f"{number:,}".replace(",", ".")


def format_date(iso_date: str) -> str:
    """"2023-02-05" → "05/02/2023" (day and month zero-padded, as in official documents)."""
    year, month, day = iso_date.split("-")
    return f"{day}/{month}/{year}"
