"""scoring/writers/fast_rows.py: a row written whole gives the bytes of the same cells written
one by one (write_text, write_number, set_row), whatever the text, numbers and order of
rows, sheets and formats; the workbooks of the bundled example and of a generated
province are unchanged (their bytes are pinned elsewhere: test_workbook, test_rendered)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.numbers import from_number, to_number
from scoring.writers import fast_rows
from scoring.writers.fast_rows import write_row
from scoring.writers.sheet_limits import ExcelLimitError, guard
from scoring.writers.xlsx_text import SAFE_OPTIONS, write_text

TEXTS = st.one_of(
    st.sampled_from(["", " lề trái", "lề phải ", "<r>giàu</r>", "<r>x", "_x0000_", "a&b<c>\"d'", "Xã Đăk Hà",
                     "dòng\nhai", "\t", "x" * 20_000, "\x01\x1f\ufffe\uffff", "=SUM(A1)"]),
    st.text(max_size=40),
)
NUMBERS = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=64),
                    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
                    st.integers(-2**70, 2**70))
VALUES = st.one_of(st.none(), TEXTS, NUMBERS)
ROW = st.tuples(st.integers(0, 3), st.lists(st.tuples(VALUES, st.integers(0, 3)), min_size=1, max_size=6),
                st.one_of(st.none(), st.sampled_from([15.0, 16.2, 33.3, 100.0])))


def _book(rows_by_sheet, fast: bool, convert: bool = True) -> bytes:
    """A workbook of 2 sheets written alternately (format indices are handed out as rows
    are flushed, so the order matters): every row through write_row, or cell by cell."""
    folder = tempfile.mkdtemp()
    path = Path(folder) / "x.xlsx"
    book = guard(xlsxwriter.Workbook(str(path), {**SAFE_OPTIONS, "constant_memory": True, "tmpdir": folder}), "x.xlsx")
    book.set_properties({"created": datetime(2024, 2, 1, 8)})
    formats = [book.add_format({"bold": True}), book.add_format({"num_format": "0.00"}),
               book.add_format({"text_wrap": True, "border": 1}), book.add_format({"italic": True, "border": 2})]
    sheets = [book.add_worksheet("Một"), book.add_worksheet("Hai")]
    rows = [1, 1]
    for sheet_number, (gap, cells, height) in rows_by_sheet:
        ws = sheets[sheet_number]
        rows[sheet_number] += gap + 1
        row = rows[sheet_number]
        values, fmts = [value for value, _ in cells], [formats[index] for _, index in cells]
        kinds = "".join("t" if value is None and index % 2 or isinstance(value, str) else "n" for value, index in cells)
        if fast:
            write_row(ws, row, 2, values, fmts, kinds, height, convert_decimal=convert)
            continue
        for offset, (value, fmt, kind) in enumerate(zip(values, fmts, kinds)):
            if kind == "t":
                write_text(ws, row, 2 + offset, value, fmt)
            elif value is None:
                ws.write_blank(row, 2 + offset, None, fmt)
            else:
                if convert and isinstance(value, Decimal):
                    value = to_number(from_number(value))
                ws.write_number(row, 2 + offset, value, fmt)
        if height is not None:
            ws.set_row(row, height)
    book.close()
    written = path.read_bytes()
    shutil.rmtree(folder)
    return written


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), ROW.map(lambda item: item)), min_size=1, max_size=12),
       st.booleans())
def test_same_bytes_as_cell_by_cell(rows, convert):
    rows = [(sheet, row) for sheet, row in rows]
    assert _book(rows, fast=True, convert=convert) == _book(rows, fast=False, convert=convert)


def _file_book(folder):
    """A workbook as the engine makes them (constant_memory needs a file: in_memory turns it off)."""
    return guard(xlsxwriter.Workbook(str(folder / "x.xlsx"), {**SAFE_OPTIONS, "constant_memory": True,
                                                              "tmpdir": str(folder)}), "x.xlsx")


def test_plain_rows_take_the_fast_path(tmp_path):
    """The rows of the workbook's long sheets do not go cell by cell (else no gain)."""
    book = _file_book(tmp_path)
    fmt = book.add_format({"bold": True})
    ws = book.add_worksheet("Một")
    write_row(ws, 3, 0, ("Xã A", 12.5, None, ""), (fmt,) * 4, "tntt", 30.0)
    assert ws._fast_pending is not None and not ws.table
    write_row(ws, 4, 0, ("<r>x</r>",), (fmt,), "t")  # xlsxwriter's rich-text trap: cell by cell (write_text)
    assert ws._fast_pending is None and ws.table[4]
    book.close()


def test_a_row_written_twice_is_refused(tmp_path):
    book = _file_book(tmp_path)
    fmt = book.add_format({"bold": True})
    ws = book.add_worksheet("Một")
    write_row(ws, 3, 0, ("a",), (fmt,), "t")
    with pytest.raises(ValueError):
        write_row(ws, 3, 1, ("b",), (fmt,), "t")
    book.close()


def test_a_cell_added_to_a_row_given_whole_is_refused(tmp_path):
    """xlsxwriter would write the row twice (two <row r="1">: Excel repairs the file): refused
    when the row is flushed, so the atomic writer leaves no such workbook."""
    book = _file_book(tmp_path)
    fmt = book.add_format({"bold": True})
    ws = book.add_worksheet("Một")
    write_row(ws, 0, 0, ("a", 1), (fmt, fmt), "tn")
    ws.write_number(0, 5, 2, fmt)
    with pytest.raises(ValueError, match="cells written to row 0 after write_row"):
        write_row(ws, 1, 0, ("b",), (fmt,), "t")


def test_past_the_last_row_or_column_is_refused(monkeypatch, tmp_path):
    from scoring.writers import sheet_limits

    monkeypatch.setattr(sheet_limits, "MAX_ROWS", 10)
    monkeypatch.setattr(sheet_limits, "MAX_COLUMNS", 5)
    book = _file_book(tmp_path)
    fmt = book.add_format({"bold": True})
    ws = book.add_worksheet("Một")
    with pytest.raises(ExcelLimitError):
        write_row(ws, 10, 0, ("a",), (fmt,), "t")
    with pytest.raises(ExcelLimitError):
        write_row(ws, 2, 3, ("a", "b", "c"), (fmt,) * 3, "ttt")
    assert fast_rows._COLUMNS[:3] == ["A", "B", "C"]
    for sheet in book.worksheets():
        sheet.row_data_fh.close()


def test_a_later_set_row_holds(tmp_path):
    """set_row after write_row: the last height holds, as when the cells are written one by one."""
    written = []
    for fast in (True, False):
        folder = tmp_path / str(fast)
        folder.mkdir()
        book = _file_book(folder)
        book.set_properties({"created": datetime(2024, 2, 1, 8)})
        fmt = book.add_format({"bold": True})
        ws = book.add_worksheet("Một")
        if fast:
            write_row(ws, 3, 0, ("a", 1), (fmt, fmt), "tn", 30.0)
        else:
            write_text(ws, 3, 0, "a", fmt)
            ws.write_number(3, 1, 1, fmt)
            ws.set_row(3, 30.0)
        ws.set_row(3, 50.0)
        write_text(ws, 4, 0, "b", fmt)
        book.close()
        written.append((folder / "x.xlsx").read_bytes())
    assert written[0] == written[1]


def test_text_where_a_number_belongs_fails_as_before(tmp_path):
    """A number column given text: write_number's TypeError (the workbook's bad-data check),
    not a text cell; a text column given a number: its text, as write_text writes it."""
    book = _file_book(tmp_path)
    fmt = book.add_format({"bold": True})
    ws = book.add_worksheet("Một")
    write_row(ws, 2, 0, (12,), (fmt,), "t")
    assert ws.table[2][0].string == "12"
    with pytest.raises(TypeError):
        write_row(ws, 3, 0, ("không phải số",), (fmt,), "n")
    book.close()
