"""The round's board as a workbook (theo-doi.xlsx, ``cli.py status --out``).

Sheets:

* "Theo dõi": the summary (units per state, provisional and final results), then one row
  per unit (the registry's order): code, name, state, leaves filled of those required,
  claims without evidence, appraisal stage reached, who appraised, leaves marked for
  explanation and explanations received, survey questions with tallies, provisional or
  final, what remains. A not-submitted unit's row is red, a late one's orange.
* "Tiến độ lĩnh vực": one row per unit × self-assessed area: leaves filled and leaves
  appraised (first appraisal) out of the area's leaves.
* "Thời hạn": the round's deadlines from the registry, with the days left at the board's date.

Text from inputs goes through write_text (never a formula); the creation time is fixed
(``created``) so that the same board gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from ..status import STATUS_HEADERS, count_lines, scored_line, status_rows
from .sheet_limits import guard
from .xlsx_text import SAFE_OPTIONS, write_text

SHEET_BOARD = "Theo dõi"
SHEET_AREAS = "Tiến độ lĩnh vực"
SHEET_DEADLINES = "Thời hạn"
BOARD_HEADER_ROW = 5  # 1-based: the summary lines above it


def write_status_workbook(board: dict, *, created: dt.datetime | None = None) -> bytes:
    """The board (scoring.status.round_status) as .xlsx bytes."""
    buffer = io.BytesIO()
    book = guard(xlsxwriter.Workbook(buffer, {**SAFE_OPTIONS, "in_memory": True}), "theo-doi.xlsx")
    book.set_properties({"title": f"Theo dõi vòng đánh giá Chỉ số CCHC năm {board['year']}", "author": "cchc-scoring",
                         "created": created or dt.datetime(board["year"], 1, 1)})
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True, "border": 1}
    title = book.add_format({"font_name": "Times New Roman", "font_size": 14, "bold": True})
    plain = book.add_format({"font_name": "Times New Roman", "font_size": 11})
    header = book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "align": "center"})
    cell = book.add_format(base)
    missing = book.add_format({**base, "bg_color": "#F8CBAD"})
    late = book.add_format({**base, "bg_color": "#FFE699"})

    sheet = book.add_worksheet(SHEET_BOARD)
    heading = f"THEO DÕI VÒNG ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {board['year']}"
    if board["as_of"]:
        heading += f" (ngày {dt.date.fromisoformat(board['as_of']):%d/%m/%Y})"
    write_text(sheet, 0, 0, heading, title)
    units = board["units"]
    for row, line in enumerate(count_lines(board), start=1):
        write_text(sheet, row, 0, line, plain)
    if scored_line(board):
        write_text(sheet, 3, 0, scored_line(board), plain)
    widths = [5, 8, 18, 24, 11, 10, 12, 20, 11, 10, 10, 12, 60]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    for column, text in enumerate(STATUS_HEADERS):
        write_text(sheet, BOARD_HEADER_ROW - 1, column, text, header)
    for offset, (unit, row) in enumerate(zip(units, status_rows(board))):
        style = missing if not unit["submitted"] else late if unit["late"] else cell
        for column, text in enumerate(row):
            write_text(sheet, BOARD_HEADER_ROW + offset, column, text, style)
    last = BOARD_HEADER_ROW + len(units) - 1
    sheet.autofilter(BOARD_HEADER_ROW - 1, 0, max(last, BOARD_HEADER_ROW - 1), len(STATUS_HEADERS) - 1)
    sheet.freeze_panes(BOARD_HEADER_ROW, 3)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(BOARD_HEADER_ROW - 1)

    areas = book.add_worksheet(SHEET_AREAS)
    for column, (text, width) in enumerate((("Mã", 8), ("Đơn vị", 18), ("Lĩnh vực", 8), ("Tên lĩnh vực", 40),
                                            ("Đã kê khai", 11), ("Đã thẩm định lần 1", 13), ("Số tiêu chí", 10))):
        areas.set_column(column, column, width)
        write_text(areas, 0, column, text, header)
    row = 1
    for unit in units:
        for area in unit["areas"]:
            style = missing if not unit["submitted"] else cell
            for column, text in enumerate((unit["code"], unit["name"], area["code"], area["title"])):
                write_text(areas, row, column, text, style)
            areas.write_number(row, 4, area["filled"]["done"], style)
            areas.write_number(row, 5, area["appraised"]["done"], style)
            areas.write_number(row, 6, area["filled"]["total"], style)
            row += 1
    areas.autofilter(0, 0, max(row - 1, 0), 6)
    areas.freeze_panes(1, 2)

    deadlines = book.add_worksheet(SHEET_DEADLINES)
    for column, (text, width) in enumerate((("Bước", 30), ("Hạn", 12), ("Còn (ngày)", 12))):
        deadlines.set_column(column, column, width)
        write_text(deadlines, 0, column, text, header)
    for row, step in enumerate(board["deadlines"], start=1):
        write_text(deadlines, row, 0, step["label"], cell)
        write_text(deadlines, row, 1, f"{dt.date.fromisoformat(step['date']):%d/%m/%Y}", cell)
        if step["days_left"] is None:
            deadlines.write_blank(row, 2, None, cell)
        else:
            deadlines.write_number(row, 2, step["days_left"], late if step["days_left"] < 0 else cell)
    if not board["deadlines"]:
        write_text(deadlines, 1, 0, "Danh sách đơn vị chưa ghi hạn các bước (deadlines).", plain)
    sheet.activate()
    book.close()
    return buffer.getvalue()
