"""The workbook's "So sánh năm trước" sheet (score --previous; scoring/previous.py).

One row per unit (ranking order): previous index, this year's index, the change (green
when up, red when down), previous and current rank and its change, the band transition,
how the unit was matched (derived from predecessors), award eligibility and the rule that
excluded it; then the summary (average change, up/down/unchanged, band counts this year
against last year) and a chart of this year against last year. Reads results.json's
``comparison`` only; every text goes through write_text (never a formula).
"""

from __future__ import annotations

from .xlsx_text import write_text

SHEET_COMPARISON = "So sánh năm trước"
HEADERS = ("STT", "Mã xã", "Tên đơn vị", "Chỉ số năm trước (%)", "Chỉ số năm nay (%)", "Thay đổi (điểm %)",
           "Hạng năm trước", "Hạng năm nay", "Thay đổi hạng", "Xếp loại năm trước → năm nay",
           "Cách so sánh", "Khen thưởng", "Lý do không đủ điều kiện")
WIDTHS = (5, 8, 18, 11, 11, 11, 9, 9, 9, 22, 34, 14, 48)
HEADER_ROW = 3
UP, DOWN = "#C6EFCE", "#FFC7CE"  # Excel's own good / bad fills
MATCH_TEXT = {"code": "theo mã đơn vị", "none": "không có kết quả năm trước"}


def write_comparison_sheet(builder, ws) -> None:
    """Fill ``ws`` from ``builder.results["comparison"]`` (builder: the workbook's _Builder,
    for its formats, print set-up and workbook)."""
    from .workbook import _DEFAULT_ROW_HEIGHT, row_height  # the workbook module imports this one

    comparison = builder.results["comparison"]
    add = builder.wb.add_format
    cell = {"border": 1, "valign": "top"}
    f_up = add({**cell, "num_format": "+0.00;-0.00;0.00", "bg_color": UP, "font_color": "#006100"})
    f_down = add({**cell, "num_format": "+0.00;-0.00;0.00", "bg_color": DOWN, "font_color": "#9C0006"})
    f_same = add({**cell, "num_format": "+0.00;-0.00;0.00"})
    f_rank_up = add({**cell, "num_format": "+0;-0;0", "bg_color": UP, "font_color": "#006100"})
    f_rank_down = add({**cell, "num_format": "+0;-0;0", "bg_color": DOWN, "font_color": "#9C0006"})
    f_rank_same = add({**cell, "num_format": "+0;-0;0"})
    f_not = add({**cell, "bold": True, "font_color": "#9C0006", "text_wrap": True})

    previous = ", ".join(f"{item['file']} (năm {item['year']})" for item in comparison["previous"])
    write_text(ws, 0, 0, f"So sánh Chỉ số CCHC năm {builder.year} với năm trước", builder.f_title)
    approval = comparison.get("previous_approval")
    source = f"Kết quả năm trước: {previous}"
    if approval:
        source += f"; phê duyệt tại Quyết định số {approval['number']} ngày {_date(approval['date'])}"
    write_text(ws, 1, 0, source, builder.f_subtitle)
    builder._headers(ws, HEADER_ROW, HEADERS, WIDTHS)
    row = HEADER_ROW
    for number, unit in enumerate(comparison["units"], 1):
        row += 1
        ws.write_number(row, 0, number, builder.f_int)
        write_text(ws, row, 1, unit["code"], builder.f_code)
        write_text(ws, row, 2, unit["name"], builder.f_text)
        _number(ws, row, 3, unit["previous_index"], builder.f_index, builder.f_text)
        _number(ws, row, 4, unit["index"], builder.f_index, builder.f_text)
        change = unit["index_change"]
        _number(ws, row, 5, change, f_up if change and change > 0 else f_down if change and change < 0 else f_same,
                builder.f_text)
        _number(ws, row, 6, unit["previous_rank"], builder.f_int, builder.f_text)
        _number(ws, row, 7, unit["rank"], builder.f_int, builder.f_text)
        moved = unit["rank_change"]
        _number(ws, row, 8, moved, f_rank_up if moved and moved > 0 else f_rank_down if moved and moved < 0 else f_rank_same,
                builder.f_text)
        write_text(ws, row, 9, unit["transition"] or "", builder.f_text)
        how = unit["note"] if unit["match"] == "predecessors" else MATCH_TEXT[unit["match"]]
        write_text(ws, row, 10, how, builder.f_wrap)
        write_text(ws, row, 11, unit["eligibility"], f_not if unit["eligible"] is False else builder.f_text)
        reasons = "; ".join(item["message"] for item in unit["excluded_by"])
        if unit.get("eligibility_note"):
            reasons = (reasons + "; " if reasons else "") + unit["eligibility_note"]
        write_text(ws, row, 12, reasons, builder.f_wrap)
        # the wrapped cells' height (constant_memory: before the next row), or the lines print over each other
        height = max(row_height([(how, WIDTHS[10]), (reasons, WIDTHS[12])]),
                     row_height([(unit["eligibility"], WIDTHS[11])], bold=True) if unit["eligible"] is False else 0)
        if height > _DEFAULT_ROW_HEIGHT:
            ws.set_row(row, height)
    first, last = HEADER_ROW + 1, row
    summary = comparison["summary"]
    row += 2
    write_text(ws, row, 0, "Tổng hợp", builder.f_section)
    lines = [
        ("Số đơn vị so sánh được", summary["compared"]),
        ("Thay đổi bình quân (điểm %)", summary["average_change"]),
        ("Số đơn vị tăng", summary["up"]),
        ("Số đơn vị giảm", summary["down"]),
        ("Số đơn vị giữ nguyên", summary["unchanged"]),
        ("Số đơn vị không đủ điều kiện khen thưởng", summary["not_eligible"]),
    ]
    for label, value in lines:
        row += 1
        write_text(ws, row, 2, label, builder.f_label)
        _number(ws, row, 5, value, builder.f_value_index if isinstance(value, float) else builder.f_value_int,
                builder.f_value)
    # Long texts run to the right over empty cells (no wrap in an 11-character column, which
    # printed over the rows below): the names of the largest changes, and the award rules,
    # which come before the band table because the chart beside that table would hide them.
    f_line = add({"valign": "top"})
    f_long = add({"valign": "top", "text_wrap": True})
    for title, key in (("Tăng nhiều nhất", "largest_rises"), ("Giảm nhiều nhất", "largest_falls")):
        row += 1
        text = ", ".join(f"{item['name']} ({item['change']:+.2f})".replace(".", ",") for item in summary[key])
        write_text(ws, row, 2, title, builder.f_label)
        row = _line(ws, row, 5, text or "không có", f_line, f_long)
    rules = comparison["eligibility_rules"]
    if rules:
        row += 2
        write_text(ws, row, 0, "Điều kiện xét khen thưởng", builder.f_section)
        for rule in rules:
            row += 1
            row = _line(ws, row, 2, f"Không xét khen thưởng đơn vị {rule['text']}", builder.f_label, f_long, bold=True)
            row += 1
            row = _line(ws, row, 2, f"Căn cứ: {rule['legal_source']}", f_line, f_long)
    row += 2
    band_head = row
    for col, header in ((2, "Xếp loại"), (3, "Năm trước"), (4, "Năm nay")):
        write_text(ws, row, col, header, builder.f_header)
    for item in summary["bands"]:
        row += 1
        write_text(ws, row, 2, item["band"], builder._band_format(item["band"]))
        ws.write_number(row, 3, item["previous"], builder.f_int)
        ws.write_number(row, 4, item["this_year"], builder.f_int)
    sheet = ws.name
    chart = builder.wb.add_chart({"type": "bar"})
    for col, name, color in ((3, "Năm trước", "#A6A6A6"), (4, "Năm nay", "#2F75B5")):
        chart.add_series({"name": name, "categories": [sheet, first, 2, last, 2],
                          "values": [sheet, first, col, last, col], "fill": {"color": color}, "gap": 50})
    chart.set_title({"name": f"Chỉ số CCHC năm {builder.year} so với năm trước", "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "max": 100, "num_format": "0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": max(320, 22 * (last - first + 1) + 120)})
    ws.insert_chart(band_head, 7, chart)
    # the band table and the chart start a page (a chart cut by a break is unreadable), from the
    # blank row above them: LibreOffice also draws a chart anchored on the first row of a page
    # in the foot of the page before
    ws.set_h_pagebreaks([band_head - 1])
    builder._print_setup(ws, HEADER_ROW)


def _line(ws, row: int, col: int, text: str, fmt, wrapped_fmt, bold: bool = False) -> int:
    """Write ``text`` at (row, col) on one line running right over the empty cells when it
    fits the columns from ``col`` to the last (``fmt``), else wrapped in column ``col`` with
    the row's height fitted (``wrapped_fmt``); returns ``row``."""
    from .workbook import row_height, wrapped_lines

    room = sum(WIDTHS[col:])
    if wrapped_lines(text, room, 11, bold) <= 1:
        write_text(ws, row, col, text, fmt)
        return row
    write_text(ws, row, col, text, wrapped_fmt)
    ws.set_row(row, row_height([(text, WIDTHS[col])], bold=bold))
    return row


def _number(ws, row: int, col: int, value, fmt, empty_fmt) -> None:
    if value is None:
        write_text(ws, row, col, "—", empty_fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
