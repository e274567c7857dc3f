"""Excel's limits on every sheet the engine writes, kept loudly (issue 19).

Excel holds at most 1,048,576 rows and 16,384 columns on a sheet and 31 characters (UTF-16
code units) in a sheet's name, which may not hold ``[ ] : * ? / \\`` nor start or end with
an apostrophe. xlsxwriter does not fail past the last row or column: ``write_*`` returns -1
and the cell is simply not in the file. So:

- every workbook the engine writes (the results workbook, the forms, the round's board) is
  made with :func:`guard`: its sheets refuse a cell past the last row or column by raising
  :class:`ExcelLimitError` (code ``excel-limit``, naming the file, the sheet, the row or
  column asked for and the limit). The writer's output is atomic, so nothing is left behind;
- lists that can run past the last row on a national run (the workbook's "Tự chấm khác kết
  quả" and "Thiếu kiểm chứng") are split into numbered sheets (:func:`part_ranges`,
  :func:`part_names`), each saying which rows it holds and where the next part is;
- sheet names made from data go through :func:`sheet_name` (cut to 31 UTF-16 units, the
  forbidden characters replaced, unique whatever the case).

``MAX_ROWS`` and ``MAX_COLUMNS`` are read when used, so a test may lower them
(``monkeypatch.setattr(sheet_limits, "MAX_ROWS", 40)``) to see a split or a refusal
without writing a million rows.
"""

from __future__ import annotations

import re
import unicodedata

from xlsxwriter.worksheet import Worksheet

from ..errors import InputError, Issue, message
from ..vietnamese import format_count
from .fast_rows import FastRows
from .xlsx_text import truncate_utf16

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
SHEET_NAME_MAX = 31  # UTF-16 code units

_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def _column_name(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


class ExcelLimitError(InputError):
    """A sheet was asked for a cell past Excel's last row or column (code ``excel-limit``)."""


def limit_issue(file: str, sheet: str, row: int, col: int) -> Issue:
    """The problem of a cell at 0-based (row, col) that ``sheet`` of ``file`` cannot hold."""
    if row >= MAX_ROWS:
        what = f"dòng {format_count(row + 1)}, quá số dòng tối đa của một trang Excel ({format_count(MAX_ROWS)})"
    else:
        what = f"cột {format_count(col + 1)}, quá số cột tối đa của một trang Excel ({format_count(MAX_COLUMNS)})"
    return Issue(file, "", "excel-limit",
                 message("excel-limit", "cell", sheet=sheet, what=what))


class GuardedWorksheet(FastRows, Worksheet):
    """An xlsxwriter worksheet that raises instead of silently dropping a cell past the limits
    (and takes whole rows at once: scoring.writers.fast_rows)."""

    file_label = "bảng tính"

    def _check_dimensions(self, row, col, ignore_row=False, ignore_col=False):
        if row >= MAX_ROWS or col >= MAX_COLUMNS:
            raise ExcelLimitError([limit_issue(self.file_label, self.name, row, col)])
        return Worksheet._check_dimensions(self, row, col, ignore_row, ignore_col)


def guard(book, file_label: str):
    """Make every sheet ``book`` (an xlsxwriter Workbook, before its first add_worksheet)
    adds a :class:`GuardedWorksheet` naming ``file_label`` in its messages; returns ``book``."""
    book.worksheet_class = type("GuardedWorksheet", (GuardedWorksheet,), {"file_label": file_label})
    return book


def output_label(path) -> str:
    """The name a person knows an output by: ``ket-qua.xlsx`` for the temporary
    ``.ket-qua.xlsx.1a2b.tmp`` that write_atomic renames into place."""
    name = getattr(path, "name", None) or str(path)
    found = re.fullmatch(r"\.(.+)\.[^.]+\.tmp", name)
    return found.group(1) if found else name


def rows_per_part(first_row: int) -> int:
    """How many list rows fit on one sheet whose list starts at 0-based ``first_row``."""
    return MAX_ROWS - first_row


def part_ranges(count: int, first_row: int) -> list[tuple[int, int]]:
    """``count`` list rows cut into parts that each fit below ``first_row``: [(start, stop)],
    at least one (empty) part."""
    size = rows_per_part(first_row)
    return [(start, min(start + size, count)) for start in range(0, count, size)] or [(0, 0)]


def part_names(base: str, parts: int, used: set | None = None) -> list[str]:
    """Sheet names of a list in ``parts`` parts: ``base``, ``base (2)``, ``base (3)``…, each a
    valid, unique sheet name (``used``: the casefolded names already taken, updated)."""
    used = set() if used is None else used
    return [base] + [sheet_name(base, used, suffix=f" ({number})") for number in range(2, parts + 1)]


def sheet_name(text: str, used: set, *, suffix: str = "", fallback: str = "Trang") -> str:
    """A valid, unique sheet name from ``text`` (a commune's name, an area's title): NFC, the
    characters Excel refuses (``[ ] : * ? / \\`` and controls) replaced by "-", spaces
    folded, no apostrophe at either end, cut to 31 UTF-16 units with ``suffix`` kept whole,
    then " (2)", " (3)"… while the name (whatever its case) is in ``used`` (casefolded names,
    updated) or is "History", which Excel reserves."""
    base = _FORBIDDEN.sub("-", " ".join(unicodedata.normalize("NFC", str(text)).split()))
    base = base.strip("'").strip() or fallback
    suffix = _FORBIDDEN.sub("-", suffix)
    number = 1
    while True:
        tail = suffix + (f" ({number})" if number > 1 else "")
        candidate = (truncate_utf16(base, SHEET_NAME_MAX - len(tail)).rstrip() + tail).strip().strip("'")
        if candidate and candidate.casefold() not in used and candidate.casefold() != "history":
            used.add(candidate.casefold())
            return candidate
        number += 1
