"""The workbook's "Theo tiêu chí" sheet (issue 13): the figures provinces publish per unit
beyond the areas' sub-indices.

One row per unit in the results' order (block, rank, code): the survey (satisfaction) index
and its rank within the block (results.json ``survey_index``, ``survey_rank``), then, for
every criterion with children (results.json ``nodes``, tree order), its points, applicable
maximum and index. Numbers are written as found in results.json, never recomputed; an
undefined index (nothing applicable under the criterion) or a unit without a survey index
is an empty cell. Rows are written in order (the workbook's constant_memory mode); every
text goes through write_text (never a formula).
"""

from __future__ import annotations

from .fast_rows import write_row
from .xlsx_text import write_text

SHEET_CRITERIA = "Theo tiêu chí"
FIXED_HEADERS = ("STT", "Mã xã", "Tên đơn vị", "Chỉ số hài lòng ĐTXHH (%)", "Xếp hạng chỉ số hài lòng trong khối")
FIXED_WIDTHS = (5, 8, 24, 12, 12)
NODE_HEADERS = ("Điểm", "Tối đa áp dụng", "Chỉ số (%)")
NODE_WIDTH = 10
TOP, SUB = 3, 4


def node_columns(communes: list) -> list[tuple[str, str]]:
    """(code, title) of every criterion with children, in tree order (the first unit's
    ``nodes``; every unit of a run has the same tree)."""
    for commune in communes:
        return [(node["code"], node["title"]) for node in commune.get("nodes") or ()]
    return []


def write_figures_sheet(builder, ws) -> None:
    """Fill ``ws`` from ``builder.communes`` (builder: the workbook's _Builder, for its
    formats and print set-up)."""
    columns = node_columns(builder.communes)
    write_text(ws, 0, 0, f"CHỈ SỐ HÀI LÒNG VÀ CHỈ SỐ THEO TIÊU CHÍ NĂM {builder.year}", builder.f_title)
    write_text(ws, 1, 0, "Chỉ số hài lòng = điểm điều tra xã hội học ÷ điểm tối đa áp dụng của các câu hỏi điều tra × 100, "
                         "xếp hạng trong khối; chỉ số tiêu chí = điểm đạt ÷ điểm tối đa áp dụng của tiêu chí × 100.",
               builder.f_subtitle)
    for col, (header, width) in enumerate(zip(FIXED_HEADERS, FIXED_WIDTHS)):
        ws.set_column(col, col, width)
        write_text(ws, TOP, col, header, builder.f_header)
    first = len(FIXED_HEADERS)
    for i, (code, title) in enumerate(columns):
        col = first + 3 * i
        ws.set_column(col, col + 2, NODE_WIDTH)
        write_text(ws, TOP, col, f"{code}. {title}", builder.f_header_across)
        ws.write_blank(TOP, col + 1, None, builder.f_header_across)
        ws.write_blank(TOP, col + 2, None, builder.f_header_across)
    # Heights that fit the wrapped headers (a criterion's title spans its three columns).
    from .workbook import row_height
    ws.set_row(TOP, row_height([*zip(FIXED_HEADERS, FIXED_WIDTHS),
                                *((f"{code}. {title}", 3 * NODE_WIDTH) for code, title in columns)],
                               bold=True, minimum=60))
    if columns:
        ws.set_row(SUB, row_height([(header, NODE_WIDTH) for header in NODE_HEADERS], bold=True))
    for col in range(first):
        ws.write_blank(SUB, col, None, builder.f_header)
    for i in range(len(columns)):
        for offset, header in enumerate(NODE_HEADERS):
            write_text(ws, SUB, first + 3 * i + offset, header, builder.f_header)
    row = SUB
    f_index, f_int, f_text, f_points = builder.f_index, builder.f_int, builder.f_text, builder.f_points
    empty: dict = {}
    kinds = "nttnn" + "nnn" * len(columns)
    for number, commune in enumerate(builder.communes, start=1):
        row += 1
        survey_index, survey_rank = commune.get("survey_index"), commune.get("survey_rank")
        values = [number, commune["code"], commune["name"], survey_index, survey_rank]
        formats = [f_int, builder.f_code, f_text, f_text if survey_index is None else f_index,
                   f_text if survey_rank is None else f_int]
        by_code = {node["code"]: node for node in commune.get("nodes") or ()}
        for code, _title in columns:
            node = by_code.get(code) or empty
            points, most, index = node.get("points"), node.get("max"), node.get("index")
            values += (points, most, index)
            formats += (f_text if points is None else f_points, f_text if most is None else f_points,
                        f_text if index is None else f_index)
        write_row(ws, row, 0, values, formats, kinds, convert_decimal=False)  # scoring/writers/fast_rows.py
    ws.freeze_panes(SUB + 1, 3)
    ws.autofilter(SUB, 0, max(row, SUB), first + 3 * len(columns) - 1)
    per_page = nodes_per_page(len(columns))
    builder._print_setup(ws, SUB, fit=per_page is None)
    ws.repeat_rows(TOP, SUB)
    if per_page is not None:  # too wide to read on one page: a few criteria per page, the unit repeated
        ws.set_print_scale(print_scale(per_page))
        ws.repeat_columns(0, first - 1)
        ws.set_v_pagebreaks([first + 3 * per_page * i for i in range(1, -(-len(columns) // per_page))])


# Printing. All columns on one page width shrink a set of ~20 criteria (65 columns) to ~22 %,
# 2.5-point letters nobody can read; beyond MIN_FIT_SCALE the criteria are printed
# NODES_PER_PAGE to a page (whole criteria, never split), with the unit columns repeated.
PAGE_POINTS = 842 - (0.5 + 0.4) * 72   # A4 landscape less the side margins (workbook _print_setup)
MIN_FIT_SCALE = 0.6
NODES_PER_PAGE = 5


def _points(width_chars: float) -> float:
    """A column's printed width in points at 100 % (xlsxwriter: width × 7 + 5 pixels)."""
    return (int(width_chars * 7 + 0.5) + 5) * 0.75


def nodes_per_page(count: int) -> int | None:
    """Criteria per printed page, or None when every column fits one page width at a legible scale."""
    fixed = sum(_points(width) for width in FIXED_WIDTHS)
    if fixed + count * 3 * _points(NODE_WIDTH) <= PAGE_POINTS / MIN_FIT_SCALE:
        return None
    return NODES_PER_PAGE


def print_scale(per_page: int) -> int:
    """The whole-percent scale at which the unit columns and ``per_page`` criteria fit the page
    width. 10 % to spare: LibreOffice prints a column ~4-6 % wider than xlsxwriter's 7 pixels a
    character (measured on the bundled workbook), and a slice too wide for the page would be
    cut again by the office suite, a lone column on a page of its own."""
    width = sum(_points(w) for w in FIXED_WIDTHS) + per_page * 3 * _points(NODE_WIDTH)
    return min(100, int(PAGE_POINTS * 0.90 / width * 100))
