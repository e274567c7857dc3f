"""The national layout of the workbook's two leaf lists (issue 19).

Above the national threshold (scoring/writers/outputs.py, ``NATIONAL_MIN_COMMUNES``) the
lists "Tự chấm khác kết quả" and "Thiếu kiểm chứng" are written to companion CSV files
beside the workbook (:data:`CSV_NAMES`), in the same order and with the same columns as the
sheets plus the ranking block; the sheet of each list keeps its title and says which file
holds the list, how many rows it has and how many rows each ranking block has there.
"""

from __future__ import annotations

from scoring.numbers import to_number
from scoring.vietnamese import format_count
from scoring.writers.list_csv import csv_points, csv_text, write_csv
from scoring.writers.xlsx_text import write_text

CSV_SELF = "ket-qua-tu-cham-khac.csv"
CSV_MISSING = "ket-qua-thieu-kiem-chung.csv"
SUMMARY_HEADERS = ("Khối xếp hạng", "Số đơn vị có trong danh sách", "Số dòng trong tệp CSV")


def csv_names() -> dict:
    """{sheet name: companion CSV file name} of the national layout."""
    from scoring.writers.workbook import SHEET_MISSING, SHEET_SELF

    return {SHEET_SELF: CSV_SELF, SHEET_MISSING: CSV_MISSING}


def list_to_csv(builder, ws, name: str, rows: list) -> None:
    """Write the list ``name`` (rows as _Builder.self_differs_rows / missing_rows give them)
    to its CSV (builder.lists_csv[name] = (path, shown name)) and, on ``ws``, where it is."""
    from scoring.writers import workbook as wb

    path, shown = builder.lists_csv[name]
    self_list = name == wb.SHEET_SELF
    headers = list(wb.SELF_HEADERS if self_list else wb.MISSING_HEADERS)
    headers.insert(1, "Khối xếp hạng")
    blocks = builder.block_names

    # 100,000 rows at 3,321 communes, nearly every field one of a few thousand values (a
    # commune's block, code and name; a leaf's title; points): each made safe once
    commune_fields: dict = {}
    texts: dict = {}
    reason_text = wb.reason_text

    def text(value):
        safe = texts.get(value)
        if safe is None:
            safe = texts[value] = csv_text(value)
        return safe

    def lines():
        for number, entry in enumerate(rows, start=1):
            commune, leaf = entry[0], entry[1]
            fields = commune_fields.get(id(commune))
            if fields is None:
                fields = commune_fields[id(commune)] = (
                    commune, [csv_text(blocks.get(commune["block"], commune["block"])), csv_text(commune["code"]),
                              csv_text(commune["name"])])
            get = leaf.get
            line = [str(number), *fields[1], text(leaf["code"]), text(get("title")),
                    csv_points(get("max")), csv_points(get("self_score")), csv_points(get("final"))]
            if self_list:
                line.append(csv_points(to_number(entry[2])))
            line.append(csv_text(reason_text(leaf)))
            yield line

    write_csv(path, [csv_text(header) for header in headers], lines())

    per_block: dict = {}
    for entry in rows:
        counts = per_block.setdefault(entry[0]["block"], [set(), 0])
        counts[0].add(entry[0]["code"])
        counts[1] += 1
    order = [block["id"] for block in builder.criteria.get("blocks") or []]
    order += sorted((block for block in per_block if block not in order), key=str)

    if self_list:
        title, order_text = "CÁC TIÊU CHÍ CÓ ĐIỂM CUỐI CÙNG KHÁC ĐIỂM TỰ CHẤM", "chênh lệch lớn nhất trước"
    else:
        title = "CÁC TIÊU CHÍ TỰ CHẤM ĐIỂM NHƯNG THIẾU TÀI LIỆU KIỂM CHỨNG"
        order_text = "theo mã xã rồi mã tiêu chí"
    write_text(ws, 0, 0, title, builder.f_title)
    write_text(ws, 1, 0, f"Danh sách đầy đủ ({format_count(len(rows))} dòng, {order_text}) ở tệp {shown} cùng thư mục "
               "với bảng tính này (mở bằng Excel hoặc LibreOffice; lọc theo cột Khối xếp hạng hoặc Mã xã).",
               builder.f_subtitle)
    count = len(builder.communes)
    why = (f"Kết quả có {format_count(count)} đơn vị (trên {format_count(wb.DETAIL_SHEET_MAX_COMMUNES)})"
           if count > wb.DETAIL_SHEET_MAX_COMMUNES else f"Kết quả có {format_count(count)} đơn vị, theo bố cục toàn quốc (--layout national)")
    write_text(ws, 2, 0, f"{why}: danh sách ghi ra tệp CSV; bảng dưới đây cho biết số dòng của từng khối trong tệp.",
               builder.f_subtitle)
    header = 3
    builder._headers(ws, header, SUMMARY_HEADERS, (40, 16, 16))
    row = header + 1
    for block in order:
        communes, count = per_block.get(block, (set(), 0))
        write_text(ws, row, 0, blocks.get(block, block), builder.f_text)
        ws.write_number(row, 1, len(communes), builder.f_int)
        ws.write_number(row, 2, count, builder.f_int)
        row += 1
    write_text(ws, row, 0, "Tổng cộng", builder.f_bold_text)
    ws.write_number(row, 1, len({entry[0]["code"] for entry in rows}), builder.f_int)
    ws.write_number(row, 2, len(rows), builder.f_int)
    builder._print_setup(ws, header)
