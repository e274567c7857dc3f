"""A whole row of cells written at once, byte for byte as xlsxwriter writes it (issue 19).

The workbook's long sheets ("Chi tiết": one row per commune × leaf, the leaf lists, one sheet
per commune) spend most of their time in xlsxwriter's per-cell path: for every cell the A1
check, the dimension bookkeeping, a cell tuple, then, when the row is flushed, a scan of
every column, a dispatch on the cell's class name, attribute lists and three escaping
passes over the text. A row written here instead is kept whole (its cells already turned
into their XML, the text of a cell escaped once per distinct text) and flushed at exactly
the moment xlsxwriter would flush it (when the next row is begun, or when the workbook is
closed), through xlsxwriter's own ``_write_row`` for the ``<row>`` element: the format
indices are asked for in the same order, so the file is the same bytes
(tests/test_fast_rows.py: random rows against the per-cell path; the bundled example's
workbook unchanged).

Only the plain cases take this path: constant_memory mode, every cell with a format, text
that is not one of xlsxwriter's pre-built rich strings (``<r>…</r>``) nor long enough to be
cut, finite numbers, rows well inside Excel's limits, written in order. Anything else is
written cell by cell through :func:`scoring.writers.xlsx_text.write_text` and
``write_number`` as before.
"""

from __future__ import annotations

import math
from decimal import Decimal

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import RowInfo, Worksheet

from scoring.numbers import from_number, to_number
from scoring.writers.xlsx_text import EXCEL_STRMAX, write_text

_COLUMNS = [xl_col_to_name(col) for col in range(64)]
_TAILS: dict = {}  # text → the end of its inline-string cell, escaped as xlsxwriter escapes it
_TAILS_MAX = 200_000
_BLANK = "/>"


_TAIL_KEPT = 300  # characters: longer texts (a commune's own reason) seldom repeat; not kept


def _tail(ws, text: str) -> str:
    """The end of the inline-string cell of ``text``, as xlsxwriter's _write_cell makes it
    (control characters as _xHHHH_, xml:space when it starts or ends with a space, &<>
    escaped), by xlsxwriter's own functions."""
    tail = _TAILS.get(text)
    if tail is None:
        escaped = Worksheet._escape_control_characters(text)
        preserve = ' xml:space="preserve"' if _preserve_whitespace(escaped) else ""
        tail = f' t="inlineStr"><is><t{preserve}>{ws._escape_data(escaped)}</t></is></c>'
        if len(text) <= _TAIL_KEPT:
            if len(_TAILS) >= _TAILS_MAX:
                _TAILS.clear()
            _TAILS[text] = tail
    return tail


class FastRows:
    """Mixed into the workbook's worksheet class (scoring.writers.sheet_limits.guard): the
    pending whole row, flushed where xlsxwriter flushes rows."""

    _fast_pending = None

    def _write_single_row(self, current_row_num=0) -> None:
        pending = self._fast_pending
        if pending is not None:
            self._fast_pending = None
            row, col, tails, formats, pixels = pending
            if self.table.get(row):  # xlsxwriter would write a second <row> of the same number: a broken file
                raise ValueError(f"cells written to row {row} after write_row gave it whole")
            info = self.row_info.pop(row, None)  # a set_row after write_row: as xlsxwriter, the last one holds
            if info is None and pixels is not None:
                info = RowInfo(height=pixels)
            self._write_row(row, None, info)
            number = str(row + 1)
            self.fh.write("".join([f'<c r="{_COLUMNS[col + offset]}{number}" s="{fmt.xf_index or fmt._get_xf_index()}"{tail}'
                                   for offset, (tail, fmt) in enumerate(zip(tails, formats))]) + "</row>")
        Worksheet._write_single_row(self, current_row_num)


def write_num(ws, row: int, col: int, value, fmt=None, convert: bool = True) -> None:
    """Write a number exactly as given (None → an empty cell, a blank one when formatted; a
    bool refused). ``convert``: a Decimal (results read back exactly, load_results) is
    written as the float printing the same number."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    if convert and isinstance(value, Decimal):
        value = to_number(from_number(value))
    ws.write_number(row, col, value, fmt)


def _slow(ws, row: int, col: int, values, formats, kinds: str, height, convert: bool = True) -> None:
    """The same cells one by one: text by write_text, numbers by write_num, then set_row."""
    for offset, (value, fmt, kind) in enumerate(zip(values, formats, kinds)):
        if kind == "t":
            write_text(ws, row, col + offset, value, fmt)
        else:
            write_num(ws, row, col + offset, value, fmt, convert)
    if height is not None:
        ws.set_row(row, height)


_LIMITS: list = []


def _limits():
    """scoring.writers.sheet_limits (it imports this module: FastRows), its limits read when
    used (a test lowers them)."""
    from scoring.writers import sheet_limits

    _LIMITS.append(sheet_limits)
    return sheet_limits


def write_row(ws, row: int, col: int, values, formats, kinds: str, height: float | None = None, *,
              convert_decimal: bool = True) -> None:
    """Write ``values`` from column ``col`` on, each with its format (``formats``) and kind
    (``kinds``, one letter a cell: "t" text as write_text writes it, "n" a number as
    write_number writes it, None a blank cell), then give the row ``height`` points when
    given: the same cells as writing them one by one and set_row would write. A Decimal
    (results read back exactly) is written as the workbook's _write_num writes it, or, with
    ``convert_decimal=False``, as write_number writes it."""
    sheet_limits = _LIMITS[0] if _LIMITS else _limits()
    last = col + len(values) - 1
    pending = getattr(ws, "_fast_pending", None)
    if pending is not None and row <= ws.previous_row:
        raise ValueError(f"row {row} written again after write_row")  # xlsxwriter would write it twice
    if (pending is None and not isinstance(ws, FastRows)) or not ws.constant_memory \
            or not len(formats) == len(kinds) == len(values) or None in formats or height == 0 \
            or row >= sheet_limits.MAX_ROWS or last >= sheet_limits.MAX_COLUMNS or last >= len(_COLUMNS) \
            or row < ws.previous_row or (row == ws.previous_row and (ws.table.get(row) or row in ws.row_info)):
        _slow(ws, row, col, values, formats, kinds, height, convert_decimal)
        return
    tails = []
    add = tails.append
    for value, kind in zip(values, kinds):
        cls = value.__class__
        if value is None:
            add(_BLANK)
        elif kind == "t":
            if cls is not str:
                break  # write_text's str(): cell by cell
            if not value:
                add(_BLANK)
            elif len(value) * 2 > EXCEL_STRMAX or (value[:3] == "<r>" and value[-4:] == "</r>"):
                break  # cut with a note, or xlsxwriter's rich-text trap: write_text's way
            else:
                add(_TAILS.get(value) or _tail(ws, value))
        elif cls is float:
            if not math.isfinite(value):
                break
            add(f"><v>{value:.16G}</v></c>")
        elif cls is int:
            add(f"><v>{value:.16G}</v></c>")
        elif cls is Decimal and convert_decimal:  # results read back exactly: the number _write_num writes
            add(f"><v>{to_number(from_number(value)):.16G}</v></c>")
        else:
            break  # anything else (a text where a number belongs…): write_number's way, its error included
    else:
        # what the first cell written would do: the dimensions, then the previous row flushed
        if ws.dim_rowmin is None or row < ws.dim_rowmin:
            ws.dim_rowmin = row
        if ws.dim_rowmax is None or row > ws.dim_rowmax:
            ws.dim_rowmax = row
        if ws.dim_colmin is None or col < ws.dim_colmin:
            ws.dim_colmin = col
        if ws.dim_colmax is None or last > ws.dim_colmax:
            ws.dim_colmax = last
        if row > ws.previous_row:
            ws._write_single_row(row)
        pixels = None
        if height is not None:  # set_row's record of the row (its <row> attributes are written at the flush)
            pixels = int(height * 4.0 / 3.0 + 0.5)
            if pixels == 0:  # set_row hides such a row
                ws.set_row(row, height)
                pixels = None
            else:
                ws.row_sizes[row] = [pixels, False]
        ws._fast_pending = (row, col, tails, formats, pixels)
        return
    _slow(ws, row, col, values, formats, kinds, height, convert_decimal)
