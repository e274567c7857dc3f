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

from .xlsx_text import write_text

SHEET_CRITERIA = "Theo tiêu chí"
FIXED_HEADERS = ("STT", "Mã xã", "Tên đơn vị", "Chỉ số hài lòng ĐTXHH (%)", "Xếp hạng chỉ số hài lòng trong khối")
FIXED_WIDTHS = (5, 8, 24, 12, 12)
NODE_HEADERS = ("Điểm", "Tối đa áp dụng", "Chỉ số (%)")
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
        ws.set_column(col, col + 2, 10)
        write_text(ws, TOP, col, f"{code}. {title}", builder.f_header_across)
        ws.write_blank(TOP, col + 1, None, builder.f_header_across)
        ws.write_blank(TOP, col + 2, None, builder.f_header_across)
    ws.set_row(TOP, 60)
    for col in range(first):
        ws.write_blank(SUB, col, None, builder.f_header)
    for i in range(len(columns)):
        for offset, header in enumerate(NODE_HEADERS):
            write_text(ws, SUB, first + 3 * i + offset, header, builder.f_header)
    row = SUB
    for number, commune in enumerate(builder.communes, start=1):
        row += 1
        ws.write_number(row, 0, number, builder.f_int)
        write_text(ws, row, 1, commune["code"], builder.f_code)
        write_text(ws, row, 2, commune["name"], builder.f_text)
        _number(ws, row, 3, commune.get("survey_index"), builder.f_index, builder.f_text)
        _number(ws, row, 4, commune.get("survey_rank"), builder.f_int, builder.f_text)
        by_code = {node["code"]: node for node in commune.get("nodes") or ()}
        for i, (code, _title) in enumerate(columns):
            node = by_code.get(code) or {}
            col = first + 3 * i
            _number(ws, row, col, node.get("points"), builder.f_points, builder.f_text)
            _number(ws, row, col + 1, node.get("max"), builder.f_points, builder.f_text)
            _number(ws, row, col + 2, node.get("index"), builder.f_index, builder.f_text)
    ws.freeze_panes(SUB + 1, 3)
    ws.autofilter(SUB, 0, max(row, SUB), first + 3 * len(columns) - 1)
    builder._print_setup(ws, SUB)
    ws.repeat_rows(TOP, SUB)


def _number(ws, row: int, col: int, value, fmt, blank_fmt) -> None:
    if value is None:
        ws.write_blank(row, col, None, blank_fmt)
    else:
        ws.write_number(row, col, value, fmt)
