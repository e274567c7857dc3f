"""A long sheet's rows written to the .xlsx as it is zipped, not held as xlsxwriter cells (issue 19).

xlsxwriter keeps every cell of a sheet as a Python object until the workbook is closed,
then assembles the sheet's XML as one string in memory (``in_memory``), encodes it and
zips it. For the council's appraisal form at national scale (305,535 rows × 17 columns at
3,321 communes; 975,203 rows at 10,600) that was 1.9 GB at 3,321 and 6.2 GB at
10,600 (peak RSS). xlsxwriter's own ``constant_memory`` mode streams rows, but it writes strings
inline instead of to the shared-string table, drops the rows' ``spans`` and needs
``in_memory`` off (the package then zips temporary files with other timestamps): the
file would no longer be the same bytes.

A :class:`StreamedRows` sheet keeps the xlsxwriter semantics and bytes, with less memory
and far less CPU:

- its data rows are recorded with :meth:`StreamedRows.stream_rows` / :meth:`add_row`, one
  number per cell in a flat ``array('d')`` (a string's shared-string index, a number, or
  NaN for a blank), with the cell format fixed per column. Shared-string indexes are taken
  when the row is added, in the order xlsxwriter takes them (cell by cell), so the
  shared-string table is the same;
- when the workbook assembles the sheet (``close``), the rows before the data (title,
  header) are written by xlsxwriter as usual, the data formats get their style index in
  the order xlsxwriter's first data row would give them, and a marker stands where the
  data rows go;
- :func:`close_streamed` closes the workbook (a small package in memory), then copies the
  package entry by entry with the same zip attributes (xlsxwriter's: ``ZipInfo(name,
  (1980, 1, 1, 0, 0, 0))``, deflated), writing the marked sheet's rows in chunks through
  ``ZipFile.open(…, "w")``: deflate's output does not depend on how its input is cut, so
  the package is byte for byte the one xlsxwriter writes for the same cells
  (tests/test_streamed_rows.py), and the sheet's XML never exists whole in memory.

Each row's XML is made by one ``str.format`` of a pattern chosen by which cells are blank,
exactly as ``Worksheet._write_row``/``_write_cell`` write them (no row attributes; a
number or a date as ``{:.16G}``; a string as its shared-string index).
"""

from __future__ import annotations

import io
import math
import secrets
from pathlib import Path
from array import array
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from .xlsx_text import EXCEL_STRMAX, cell_text

TEXT, NUMBER = "s", "n"
_PLAIN_MAX = EXCEL_STRMAX // 2  # a text this short is never cut (truncate_utf16's quick test)
_BLANK = math.nan
_CHUNK_ROWS = 2000


class StreamedRows(Worksheet):
    """A worksheet whose data rows are recorded compactly and written while the package is
    zipped (see the module's docstring). Mixed in before the book's worksheet class (the
    guard of scoring.writers.sheet_limits keeps working: every row goes through
    ``_check_dimensions``)."""

    _stream = None

    def stream_rows(self, first_row: int, kinds: str, formats: list) -> None:
        """Data rows from 0-based ``first_row`` on, one column per letter of ``kinds``
        (``s`` text, ``n`` number or date serial), each column in its ``formats`` entry."""
        if len(kinds) != len(formats) or any(fmt is None for fmt in formats) or set(kinds) - {TEXT, NUMBER}:
            raise ValueError("a streamed column needs a kind and a format")
        if any(row >= first_row for row in self.table):
            raise ValueError("cells already written at or below the streamed rows")
        self._stream = _Stream(first_row, kinds, formats)

    def add_row(self, values) -> None:
        """The next data row: ``values`` per column, None (or "" for text) a blank cell
        in the column's format. Text is written as ``write_text`` writes it."""
        stream = self._stream
        row = stream.first_row + stream.count
        self._check_dimensions(row, len(stream.kinds) - 1)
        if stream.count == 0:
            self._check_dimensions(row, 0)
        strings = self.str_table
        known = strings.string_table  # text → index: xlsxwriter's _get_shared_string_index, inlined
        cells = list(values)
        if len(cells) != len(stream.kinds):
            raise ValueError(f"a streamed row has {len(stream.kinds)} cells, not {len(cells)}")
        blanks = 0
        seen = 0
        for col, bit in stream.numbers:
            if cells[col] is None:
                cells[col] = _BLANK
                blanks |= bit
        for col, bit in stream.texts:  # in column order: the shared strings are indexed as xlsxwriter indexes them
            value = cells[col]
            if value is None or value == "":
                cells[col] = _BLANK
                blanks |= bit
            elif type(value) is str and len(value) <= _PLAIN_MAX and not value.startswith("<r>"):
                index = known.get(value)
                if index is None:
                    cells[col] = strings._get_shared_string_index(value)
                else:
                    cells[col] = index
                    seen += 1
            else:  # long (cut, saying so), a "<r>…</r>" look-alike, not a str: as write_text writes it
                text = cell_text(value)
                if text.startswith("<r>") and text.endswith("</r>"):
                    cells[col] = self._rich_index(row, col, text, stream.formats[col])
                else:
                    cells[col] = strings._get_shared_string_index(text)
        strings.count += seen
        stream.cells.fromlist(cells)
        stream.blanks.append(blanks)
        stream.count += 1

    def _rich_index(self, row: int, col: int, text: str, fmt) -> int:
        """The shared-string index xlsxwriter gives ``text`` written as write_text writes a
        "<r>…</r>" look-alike (a rich string of three runs, scoring.writers.xlsx_text)."""
        self.write_rich_string(row, col, text[:1], text[1:2], text[2:], fmt)
        cell = self.table[row].pop(col)
        if not self.table[row]:
            del self.table[row]
        return cell.string

    def date_number(self, value) -> float:
        """A date or datetime as the serial number write_datetime writes."""
        return self._convert_date_time(value)

    # ------------------------------------------------------------ assembling

    def _write_sheet_data(self) -> None:
        stream = self._stream
        if stream is None or not stream.count:
            return super()._write_sheet_data()
        if self.comments or any(row >= stream.first_row for row in self.row_info):
            raise ValueError("a streamed sheet's data rows take no row settings or comments")
        self._xml_start_tag("sheetData")
        spans = self._head_spans(stream)
        for row in sorted(set(self.table) | set(self.row_info)):
            span = spans.get(row // 16)
            if self.table[row]:
                self._write_row(row, span, self.row_info.get(row))
                for col in sorted(self.table[row]):
                    self._write_cell(row, col, self.table[row][col])
                self._xml_end_tag("row")
            else:
                self._write_empty_row(row, span, self.row_info.get(row))
        # the style indexes, given in the order the first data row's cells would take them
        stream.styles = [fmt._get_xf_index() for fmt in stream.formats]
        stream.spans = spans
        stream.marker = f"<!--{secrets.token_hex(16)}-->"
        self.fh.write(stream.marker)
        self._xml_end_tag("sheetData")

    def _head_spans(self, stream) -> dict:
        """``spans`` per block of 16 rows as xlsxwriter computes them (_calculate_spans),
        over the written cells and the data rows (every data row has a cell in each column)."""
        spans: dict[int, list[int]] = {}
        for row, cells in self.table.items():
            for col in cells:
                low_high = spans.setdefault(row // 16, [col, col])
                low_high[0], low_high[1] = min(low_high[0], col), max(low_high[1], col)
        last_col = len(stream.kinds) - 1
        first_block, last_block = stream.first_row // 16, (stream.first_row + stream.count - 1) // 16
        for block in range(first_block, min(last_block, first_block + 1) + 1):
            low_high = spans.setdefault(block, [0, last_col])
            low_high[0], low_high[1] = min(low_high[0], 0), max(low_high[1], last_col)
        stream.data_span = f"1:{last_col + 1}"
        return {block: f"{low + 1}:{high + 1}" for block, (low, high) in spans.items()}

    def write_streamed_rows(self, write) -> None:
        """The data rows' XML, encoded, passed to ``write`` in chunks."""
        stream = self._stream
        width = len(stream.kinds)
        patterns: dict[int, str] = {}
        cells, blanks = stream.cells, stream.blanks
        first, spans, data_span = stream.first_row, stream.spans, stream.data_span
        parts = []
        for offset in range(stream.count):
            row = first + offset
            values = cells[offset * width:(offset + 1) * width]
            mask = blanks[offset]
            pattern = patterns.get(mask)
            if pattern is None:
                pattern = patterns[mask] = _row_pattern(stream, mask)
            span = spans.get(row // 16, data_span)
            parts.append(pattern.format(row + 1, span, *values))
            if len(parts) == _CHUNK_ROWS:
                write("".join(parts).encode("utf-8"))
                parts = []
        if parts:
            write("".join(parts).encode("utf-8"))


class _Stream:
    __slots__ = ("first_row", "kinds", "formats", "texts", "numbers", "cells", "blanks", "count", "styles", "spans", "data_span", "marker")

    def __init__(self, first_row, kinds, formats):
        self.first_row, self.kinds, self.formats = first_row, kinds, list(formats)
        self.texts = [(col, 1 << col) for col, kind in enumerate(kinds) if kind == TEXT]
        self.numbers = [(col, 1 << col) for col, kind in enumerate(kinds) if kind != TEXT]
        self.cells = array("d")  # per row, per column: the number, the text's shared-string index, NaN (blank)
        self.blanks = array("Q")  # per row: bit ``col`` set for a blank cell
        self.count = 0
        self.styles = self.spans = self.data_span = self.marker = None


def _row_pattern(stream: _Stream, blanks: int) -> str:
    """A row's XML as a format string: {0} the 1-based row, {1} its spans, {2 + col} the
    column's value (skipped for a blank cell), as Worksheet._write_row/_write_cell write it."""
    text = ['<row r="{0}" spans="{1}">']
    for col, (kind, style) in enumerate(zip(stream.kinds, stream.styles)):
        ref = xl_col_to_name(col) + "{0}"
        if blanks >> col & 1:
            text.append(f'<c r="{ref}" s="{style}"/>')
        elif kind == TEXT:
            text.append(f'<c r="{ref}" s="{style}" t="s"><v>{{{col + 2}:.0f}}</v></c>')
        else:
            text.append(f'<c r="{ref}" s="{style}"><v>{{{col + 2}:.16G}}</v></c>')
    text.append("</row>")
    return "".join(text)


def add_streamed_sheet(book, name: str):
    """A worksheet of ``book`` that can stream its data rows (the book's own worksheet
    class, the guard, mixed with StreamedRows)."""
    base = book.worksheet_class
    cls = base if issubclass(base, StreamedRows) else type(f"Streamed{base.__name__}", (StreamedRows, base), {})
    return book.add_worksheet(name, worksheet_class=cls)


def close_streamed(book, buffer: io.BytesIO, target=None) -> bytes | None:
    """Close ``book`` (an in-memory xlsxwriter Workbook writing to ``buffer``) and return the
    package's bytes with every streamed sheet's rows in place (see the module's docstring);
    with ``target`` (a path or a binary file), the package is written there and None returned."""
    book.close()
    streamed = [sheet for sheet in book.worksheets() if isinstance(sheet, StreamedRows)
                and sheet._stream is not None and sheet._stream.marker]
    if not streamed:
        if target is None:
            return buffer.getvalue()
        if hasattr(target, "write"):
            target.write(buffer.getvalue())
        else:
            Path(target).write_bytes(buffer.getvalue())
        return None
    out = io.BytesIO() if target is None else target
    written = []
    buffer.seek(0)
    with ZipFile(buffer) as package, \
            ZipFile(out, "w", compression=ZIP_DEFLATED, allowZip64=book.allow_zip64) as zipped:
        for entry in package.infolist():
            data = package.read(entry)
            info = ZipInfo(entry.filename, (1980, 1, 1, 0, 0, 0))  # as xlsxwriter writes each entry
            info.compress_type = ZIP_DEFLATED
            holder = next((sheet for sheet in streamed if sheet._stream.marker.encode() in data), None)
            if holder is None:
                zipped.writestr(info, data)
                continue
            head, tail = data.split(holder._stream.marker.encode())
            with zipped.open(info, "w") as dest:
                dest.write(head)
                holder.write_streamed_rows(dest.write)
                dest.write(tail)
            written.append(holder)
    if len(written) != len(streamed):  # never a sheet without its rows
        raise RuntimeError("a streamed sheet's rows found no place in the package")
    return out.getvalue() if target is None else None
