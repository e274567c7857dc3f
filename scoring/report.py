"""Text for the terminal: the ranking table and a commune's explanation. Pure: returns strings.

Both work on the results document (the dict written as results.json), so what the
terminal shows is exactly what the files say.
"""

from __future__ import annotations

import unicodedata

from .numbers import format_points, from_number
from .provisional import banner
from .vietnamese import format_count

SECTION_NAMES = {"area": "", "survey": "", "bonus": "Điểm thưởng", "penalty": "Điểm trừ"}


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def table(headers, rows, numeric) -> str:
    """A plain text table; columns in ``numeric`` are right-aligned."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(_pad(c, widths[i], i in numeric) for i, c in enumerate(cells)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(r) for r in rows])


def num(value, decimals=2) -> str:
    return "" if value is None else format_points(from_number(value), decimals=decimals)


UNDEFINED_INDEX = "không xác định"  # what is shown for an index that cannot be computed (max 0)
UNRANKED = "không xếp hạng"


def index_text(commune: dict) -> str:
    """The index as shown: 85,13 or "không xác định"."""
    return UNDEFINED_INDEX if commune.get("index") is None else num(commune["index"])


def ranking_table(document: dict) -> str:
    """The ranking as the council reads it: one line per commune, best first within each block."""
    headers = ["Hạng", "Mã", "Đơn vị", "Tự chấm", "Thẩm định", "ĐTXHH", "Thưởng/trừ", "Tổng", "Tối đa", "Chỉ số %", "Xếp loại"]
    blocks = document["criteria"]["blocks"]
    missing = document.get("not_submitted") or []
    parts = [banner(document["provisional_reasons"])] if document.get("provisional") else []
    for block in blocks:
        rows = [["-" if c["rank"] is None else str(c["rank"]), c["code"], c["name"], num(c["self_assessed"]),
                 num(c["appraised"]), num(c["survey"]), num(c["adjustment"]), num(c["total"]), num(c["max"]),
                 index_text(c), c["band"] or "-"]
                for c in document["communes"] if c["block"] == block["id"]]
        # registered units without a submission: listed, not scored, not ranked
        rows += [["-", u["code"], u["name"]] + [""] * 7 + [u["status"]] for u in missing if u["block"] == block["id"]]
        if not rows:
            continue
        title = block["name"] if len(blocks) > 1 else ""
        parts.append((title + "\n" if title else "") + table(headers, rows, numeric={0, 3, 4, 5, 6, 7, 8, 9}))
    undefined = [c for c in document["communes"] if c.get("index_note")]
    if undefined:
        parts.append("\n".join(f"{c['name']} (mã {c['code']}): {c['index_note']}." for c in undefined))
    summary = document["summary"]
    bands = ", ".join(f"{name}: {format_count(count)}" for name, count in summary["bands"].items())
    parts.append(f"{units_scored(summary)}; chỉ số bình quân {num(summary['average_index'])}%; {bands}.")
    parts.append(f"Tiêu chí thiếu tài liệu kiểm chứng: {format_count(summary['missing_evidence'])}; "
                 f"tiêu chí điểm tự chấm khác kết quả: {format_count(summary['self_differs'])}.")
    return "\n\n".join(parts)


def units_scored(summary: dict) -> str:
    """How many units were scored, and with a registry how many it lists and how many did not
    submit: "11 đơn vị, 10 đã chấm điểm, 1 chưa nộp hồ sơ" or "11 đơn vị đã chấm điểm"."""
    scored = summary.get("scored", summary["communes"])
    registered = summary.get("registered")
    if registered is None:
        return f"{scored} đơn vị đã chấm điểm"
    text = f"{registered} đơn vị trong danh sách, {scored} đã chấm điểm"
    if summary.get("not_submitted"):
        text += f", {summary['not_submitted']} chưa nộp hồ sơ"
    return text


def legal_sources(leaves) -> list[str]:
    """The legal source of each leaf (criteria set's legal_ref) under its area's table, leaves
    sharing a source named together: "Căn cứ (1.1.1, 1.1.2): Kế hoạch số 312/KH-UBND …"."""
    codes_by_source: dict = {}
    for leaf in leaves:
        if leaf.get("legal_ref"):
            codes_by_source.setdefault(leaf["legal_ref"], []).append(leaf["code"])
    return [f"Căn cứ ({', '.join(codes)}): {source}" for source, codes in codes_by_source.items()]


def rank_text(commune: dict, criteria: dict) -> str:
    """"hạng 3", or for a block the set does not rank (issue 13) "không xếp hạng (Đặc khu: khối không xếp hạng)"."""
    if commune.get("rank") is not None:
        return f"hạng {commune['rank']}"
    block = next((b for b in criteria.get("blocks", ()) if b["id"] == commune.get("block")), None)
    if block is not None and block.get("ranked") is False:
        return f"không xếp hạng ({block['name']}: khối không xếp hạng)"
    return "không xếp hạng"


def node_lines(commune: dict, area: str) -> list[str]:
    """The area's criteria with children, points ÷ applicable maximum (issue 13), one line:
    "Chỉ số theo tiêu chí: 1.1: 1,5/3 (50,00%); 1.2: …"; none when the area has no such criterion."""
    parts = [f"{n['code']}: {num(n['points'])}/{num(n['max'])}"
             + (f" ({num(n['index'])}%)" if n["index"] is not None else " (không áp dụng)")
             for n in commune.get("nodes", ()) if n["area"] == area]
    return [f"Chỉ số theo tiêu chí: {'; '.join(parts)}"] if parts else []


def explain(document: dict, commune: dict) -> str:
    """A commune's leaf-by-leaf breakdown with reasons: the answer to "why this score?"."""
    criteria = document["criteria"]
    lines = [banner(document["provisional_reasons"])] if document.get("provisional") else []
    lines += [
        (f"{commune['name']} (mã {commune['code']}, {commune['type']}): chỉ số {num(commune['index'])}%, "
         f"{rank_text(commune, criteria)}, xếp loại {commune['band']}") if commune.get("index") is not None else
        (f"{commune['name']} (mã {commune['code']}, {commune['type']}): chỉ số {UNDEFINED_INDEX}, {UNRANKED}, "
         f"không xếp loại ({commune.get('index_note') or ''})"),
        f"Tổng điểm {num(commune['total'])}/{num(commune['max'])} = điểm thẩm định {num(commune['appraised'])} "
        f"+ ĐTXHH {num(commune['survey'])} + thưởng {num(commune['bonus'])} − trừ {num(commune['penalty'])}"
        f" (tự chấm: {num(commune['self_assessed'])})",
        *([f"Ghi chú: {commune['survey_note']}."] if commune.get("survey_note") else []),
        f"Bộ tiêu chí: {criteria['title']} ({criteria['id']})",
        "",
    ]
    leaves_by_area: dict = {}
    for leaf in commune["leaves"]:
        leaves_by_area.setdefault(leaf["area"] or leaf["section"], []).append(leaf)
    headers = ["Mã", "Tối đa", "Tự chấm", "Kiểm chứng", "Thẩm định", "Kết quả", "Lý do"]
    sections = [(a["code"], f"{a['code']}. {a['title']}: {num(a['points'])}/{num(a['max'])}"
                 + (f" ({num(a['index'])}%)" if a["index"] is not None else ""))
                for a in commune["areas"]]
    sections += [("bonus", f"Điểm thưởng: {num(commune['bonus'])} (sau giới hạn)"),
                 ("penalty", f"Điểm trừ: {num(commune['penalty'])} (sau giới hạn)")]
    for key, title in sections:
        leaves = leaves_by_area.get(key)
        if not leaves:
            continue
        rows = [[leaf["code"], num(leaf["max"], 0), num(leaf["self_score"], 0), num(leaf["evidence_score"], 0),
                 num(leaf["appraised_score"], 0), num(leaf["final"], 0) if leaf["not_applicable"] != "exclude" else "KAD",
                 leaf["reason"]] for leaf in leaves]
        lines += [title, table(headers, rows, numeric={1, 2, 3, 4, 5})]
        lines += node_lines(commune, key) + legal_sources(leaves) + [""]
    flags = commune["flags"]
    notes = [
        ("Thiếu tài liệu kiểm chứng", flags["missing_evidence"]),
        ("Tự chấm cao hơn kết quả", flags["self_above"]),
        ("Tự chấm thấp hơn kết quả", flags["self_below"]),
        ("Chờ Hội đồng thẩm định chấm", flags["awaiting_appraisal"]),
        ("Chưa có số phiếu điều tra xã hội học", [leaf["code"] for leaf in commune["leaves"]
                                                 if "survey_missing" in leaf["flags"]]),
        ("Không áp dụng", commune["not_applicable"]),
    ]
    for label, codes in notes:
        if codes:
            lines.append(f"{label}: {', '.join(codes)}")
    lines.append("KAD: không áp dụng, loại khỏi điểm tối đa.")
    return "\n".join(lines).rstrip() + "\n"
