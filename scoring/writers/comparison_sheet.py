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
HEADER_ROW = 3  # with a one-line source; each more line of it moves the header down
UP, DOWN = "#C6EFCE", "#FFC7CE"  # Excel's own good / bad fills
MATCH_TEXT = {"code": "theo mã đơn vị", "none": "không có kết quả năm trước"}


def write_comparison_sheet(builder, ws) -> None:
    """Fill ``ws`` from ``builder.results["comparison"]`` (builder: the workbook's _Builder,
    for its formats, print set-up and workbook)."""
    from .workbook import _DEFAULT_ROW_HEIGHT, CHART_ALL_COMMUNES_MAX, CHART_TOP_BOTTOM, row_height  # it imports this one

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
    # the files' paths can be long (several files after a merger): on lines of the sheet's width,
    # never one line that fit-to-width would shrink the whole sheet for
    lines = _lines(source, sum(WIDTHS))
    for number, text in enumerate(lines, 1):
        write_text(ws, number, 0, text, builder.f_subtitle)
    header_row = HEADER_ROW + len(lines) - 1
    builder._headers(ws, header_row, HEADERS, WIDTHS)
    row = header_row
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
    first, last = header_row + 1, row
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
    # Long texts run to the right over empty cells, on as many rows as they need (wrapped in an
    # 11-character column they printed over the rows below): the names of the largest changes,
    # and the award rules, which come before the band table: the chart beside it would hide them.
    f_line = add({"valign": "top"})
    for title, key in (("Tăng nhiều nhất", "largest_rises"), ("Giảm nhiều nhất", "largest_falls")):
        row += 1
        # the decimal comma in the change only (a unit's name may hold a full stop)
        text = ", ".join(f"{item['name']} ({format(item['change'], '+.2f').replace('.', ',')})" for item in summary[key])
        write_text(ws, row, 2, title, builder.f_label)
        row = _write_lines(ws, row, 5, text or "không có", f_line)
    rules = comparison["eligibility_rules"]
    if rules:
        row += 2
        write_text(ws, row, 0, "Điều kiện xét khen thưởng", builder.f_section)
        for rule in rules:
            # "Không xét khen thưởng: " before every rule's text reads whole ("…đơn vị chỉ số dưới 50,00%" did not)
            row = _write_lines(ws, row + 1, 2, f"Không xét khen thưởng: {rule['text']}", builder.f_label, bold=True)
            row = _write_lines(ws, row + 1, 2, f"Căn cứ: {rule['legal_source']}", f_line)
    row += 2
    band_head = row
    for col, header in ((2, "Xếp loại"), (3, "Năm trước"), (4, "Năm nay")):
        write_text(ws, row, col, header, builder.f_header)
    for item in summary["bands"]:
        row += 1
        write_text(ws, row, 2, item["band"], builder._band_format(item["band"]))
        ws.write_number(row, 3, item["previous"], builder.f_int)
        ws.write_number(row, 4, item["this_year"], builder.f_int)
    # The chart(s) of this year against last year, from a new page (a chart cut by a page break
    # is unreadable): all units up to CHART_ALL_COMMUNES_MAX, as the unit table lists them;
    # above (a province's round), as "Biểu đồ" does, the CHART_TOP_BOTTOM highest and lowest
    # indices this year, each chart beside the table of what it shows, each on a page of its own.
    breaks = [band_head - 1]  # from the blank row above: LibreOffice also draws a chart anchored
    # on a page's first row in the foot of the page before
    units = comparison["units"]
    if len(units) <= CHART_ALL_COMMUNES_MAX:
        # every unit, in the table's order: one chart while it fits a printed page, else the
        # table's rows shared out among charts of at most CHART_TOP_BOTTOM bars, each from a
        # page of its own (a chart of 50 units, 1,220 px, was cut across two pages)
        parts = 1 if len(units) <= ONE_PAGE_UNITS else -(-len(units) // CHART_TOP_BOTTOM)
        size, top = -(-len(units) // parts), band_head
        for number, start in enumerate(range(first, last + 1, size)):
            title = f"Chỉ số CCHC năm {builder.year} so với năm trước" + (f" ({number + 1}/{parts})" if parts > 1 else "")
            height = _chart(builder, ws, title, start, min(start + size - 1, last), top)
            if number + 1 < parts:
                top += -(-height // 20) + 2  # below the chart (rows of 20 px), from a new page
                breaks.append(top - 1)
    else:
        ranked = sorted((unit for unit in units if unit["index"] is not None),
                        key=lambda unit: (-unit["index"], unit["code"]))
        shown = min(CHART_TOP_BOTTOM, len(ranked))
        groups = [(f"{shown} đơn vị có Chỉ số CCHC năm {builder.year} cao nhất", ranked[:shown]),
                  (f"{shown} đơn vị có Chỉ số CCHC năm {builder.year} thấp nhất", ranked[len(ranked) - shown:])]
        top, row = band_head, row + 2  # the first table under the band table, its chart beside both
        for number, (title, group) in enumerate(groups):
            write_text(ws, row, 2, f"Số liệu biểu đồ: {title}", builder.f_label)
            row += 1
            for col, header in ((2, "Tên đơn vị"), (3, "Năm trước"), (4, "Năm nay")):
                write_text(ws, row, col, header, builder.f_header)
            data_first = row + 1
            for unit in group:
                row += 1
                write_text(ws, row, 2, unit["name"], builder.f_text)
                _number(ws, row, 3, unit["previous_index"], builder.f_index, builder.f_text)
                ws.write_number(row, 4, unit["index"], builder.f_index)
            height = _chart(builder, ws, f"Chỉ số CCHC năm {builder.year} so với năm trước: {title}",
                            data_first, row, top)
            row = max(row, top + -(-height // 20)) + 2  # below the table and the chart (rows of 20 px)
            if number + 1 < len(groups):
                breaks.append(row - 1)
                top = row
    ws.set_h_pagebreaks(breaks)
    builder._print_setup(ws, header_row)


ONE_PAGE_UNITS = 40  # a chart of 40 units (1,000 px) prints on one page at this sheet's scale, one of 50 did not


def _chart(builder, ws, title: str, first: int, last: int, anchor: int) -> int:
    """A bar chart of last year's and this year's index of the rows ``first``..``last`` (the
    unit's name in column C, the indices in D and E), at row ``anchor``, column H; returns its
    height in pixels."""
    chart = builder.wb.add_chart({"type": "bar"})
    for col, name, color in ((3, "Năm trước", "#A6A6A6"), (4, "Năm nay", "#2F75B5")):
        chart.add_series({"name": name, "categories": [ws.name, first, 2, last, 2],
                          "values": [ws.name, first, col, last, col], "fill": {"color": color}, "gap": 50})
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "max": 100, "num_format": "0"})
    chart.set_legend({"position": "bottom"})
    height = max(320, 22 * (last - first + 1) + 120)
    chart.set_size({"width": 720, "height": height})
    ws.insert_chart(anchor, 7, chart)
    return height


def _lines(text: str, room: float, bold: bool = False) -> list[str]:
    """``text`` cut between words into lines of at most ``room`` characters' width, as a
    person reads it; a word longer than a line (a file's path) is cut after a "/" where it
    can be, else where the line is full."""
    import re

    from .workbook import wrapped_lines

    def fits(candidate):  # no line holds 3 characters a unit of width: longer is not measured
        return len(candidate) <= room * 3 and wrapped_lines(candidate, room, 11, bold) <= 1

    lines, current = [], ""
    for word in text.split():  # spaces and line ends between words: one space, as printed
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
            current = ""
        for piece in re.findall(r"[^/\\]*[/\\]?", word):  # after each separator
            while piece:
                joined = current + piece
                if fits(joined):
                    current, piece = joined, ""
                elif current:
                    lines.append(current)
                    current = ""
                else:  # no separator near enough: as many characters as the line holds (at least one)
                    low, high = 1, min(len(piece), int(room * 3) + 1)
                    while low < high:  # the longest start that fits: a search, the text may be long
                        middle = (low + high + 1) // 2
                        low, high = (middle, high) if fits(piece[:middle]) else (low, middle - 1)
                    cut = low
                    lines.append(piece[:cut])
                    piece = piece[cut:]
    return lines + [current] if current or not lines else lines


def _write_lines(ws, row: int, col: int, text: str, fmt, bold: bool = False) -> int:
    """Write ``text`` from (row, col) on one line running right over the empty cells, or on as
    many rows as it needs when longer than the columns from ``col`` to the last; returns the
    last row written."""
    for number, line in enumerate(_lines(text, sum(WIDTHS[col:]), bold)):
        write_text(ws, row + number, col, line, fmt)
    return row + number


def _number(ws, row: int, col: int, value, fmt, empty_fmt) -> None:
    if value is None:
        write_text(ws, row, col, "—", empty_fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
