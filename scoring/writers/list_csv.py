"""Companion CSV files of a national workbook (issue 19).

On a national run the workbook's two leaf lists ("Tự chấm khác kết quả": ~100,000 rows at
3,321 communes; "Thiếu kiểm chứng") are too long for a sheet a person can open and work in,
and were three quarters of its cells. Above the workbook's national threshold they are
written here instead, one CSV per list, in the same output set as the workbook (written by
the same process, renamed into place with it: scoring/writers/atomic.py), while the
workbook's sheet says where the list is and how many rows each ranking block has.

The files are what Excel and LibreOffice open directly: UTF-8 with a byte-order mark (so
Excel shows Vietnamese), comma-separated, CRLF line ends, every field quoted when it needs
it (csv module). Points are written as numbers with two decimals and a decimal point
(``-1.50``), exactly the hundredths of results.json.

Security: a spreadsheet opening a CSV takes a field starting with ``=``, ``+``, ``-``, ``@``
(or a tab or carriage return, which some programs strip first) for a formula. Every field
of text (names, titles, reasons: input text) goes through :func:`csv_text`, which puts an
apostrophe before such a field, as spreadsheets themselves mark text; numbers are written
by :func:`csv_points` from exact hundredths and never pass through it.
"""

from __future__ import annotations

import csv

from scoring.numbers import from_number

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value) -> str:
    """A field of text that a spreadsheet shows as that text, never runs as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_points(value) -> str:
    """A number of points (as results.json gives it) → "12.50", "-0.25"; None → ""."""
    if value is None:
        return ""
    text = _POINTS.get(value)
    if text is None:  # a run has a few hundred distinct values, written ~10⁵ times
        hundredths = from_number(value)
        sign = "-" if hundredths < 0 else ""
        whole, part = divmod(abs(hundredths), 100)
        if len(_POINTS) > 100_000:
            _POINTS.clear()
        text = _POINTS[value] = f"{sign}{whole}.{part:02d}"
    return text


_POINTS: dict = {}


def write_csv(path, headers, rows) -> int:
    """Write ``headers`` then ``rows`` (lists of fields already made safe by csv_text /
    csv_points) to ``path`` (UTF-8 with BOM, CRLF); returns the number of data rows."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(headers)

        def counted(rows):
            nonlocal count
            for row in rows:
                count += 1
                yield row

        writer.writerows(counted(rows))
    return count
