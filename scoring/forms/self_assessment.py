"""The commune's self-assessment form: written from the criteria set, read back into a submission.

Layout (one workbook per commune):

* "Hướng dẫn": what the form is (criteria set, year), the commune (code locked; name,
  type and the covering report's number, date, signer and contact are input cells at
  fixed rows B6:B11) and how to fill the form.
* "Tự đánh giá": a title row, the header on row 3, then one row per self-assessed leaf
  (areas, then bonus and penalty items) in the criteria set's order, with grey heading
  rows for areas and criteria. Columns A-E are locked (code, title, maximum, the rule in
  words, the evidence required); F-L are the facts (Đạt, Phương án, Tử số, Mẫu số, Giá trị,
  Số vi phạm, Số lượng), white and unlocked only where the leaf's rule uses them; M the
  self-score, N not applicable (unlocked only where the criteria set allows it), O the
  explanation. Data validation: có/không and option lists, whole numbers ≥ 0 for counts,
  0..max for the self-score. No formulas anywhere. A leaf whose rule names conditions
  (all_of, issue 13) is followed by one row per condition: column A "1.6/ke_hoach", its
  label, its có/không in the "Đạt" column (the only open cell of the row).
* "Tài liệu kiểm chứng": one row per evidence document: leaf code, number, date, title,
  issuer, file (path relative to the submissions folder), and the period it reports on
  (G "Kỳ báo cáo", for periodic_reports leaves: the period's id or label; issue 13; a form
  written before has no column G and is read as before). A leaf's documents keep their
  row order. Every row of columns A-G is an input row.
* "_meta" (hidden): form id and version, criteria id and year, commune code, and the lists
  the validations use.

Every sheet is protected without a password so that the locked cells stay as written.

Reading back: rows are matched by the leaf code in column A (a row deleted, moved, repeated
or added is reported at its cell); texts are taken without surrounding spaces; "có"/"không"
(also x, TRUE/FALSE); options by label or value; numbers exactly (0,25 stays 0.25; a number
typed as text is accepted); dates as real Excel dates or dd/mm/yyyy text. An empty bonus or
penalty row is left out (nothing to report). The assembled submission then goes through
scoring.validate.check_submission and each issue is reported at the cell it came from; a
scan not found beside the output is only a warning.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..errors import Issue, message, pointer
from ..files import ParsedFile
from ..model import SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY, CriteriaSet, Leaf
from ..text import fold_document_number, match_key, same_text
from ..writers.sheet_limits import guard
from ..writers.xlsx_text import write_text
from ..numbers import to_number
from ..vietnamese import format_count
from . import cells as c
from .inputs import CriteriaSource, submission_issues
from .texts import evidence_text, pts, rule_text

SHEET_GUIDE = "Hướng dẫn"
SHEET_LEAVES = "Tự đánh giá"
SHEET_EVIDENCE = "Tài liệu kiểm chứng"

# "Hướng dẫn": label in A, value in B, at fixed rows
GUIDE_ROWS = {
    "criteria": (4, "Bộ tiêu chí"),
    "code": (5, "Mã đơn vị hành chính"),
    "name": (6, "Tên đơn vị"),
    "type": (7, "Loại hình đơn vị"),
    "report_number": (8, "Báo cáo tự đánh giá số"),
    "report_date": (9, "Ngày báo cáo"),
    "signer": (10, "Người ký báo cáo"),
    "contact": (11, "Người liên hệ, điện thoại"),
}
REPORT_FIELDS = {"report_number": "number", "report_date": "date", "signer": "signer", "contact": "contact"}
REPORT_REQUIRED = ("report_number", "report_date", "signer")  # the covering report: its number, date and signer

# "Tự đánh giá" columns (1-based)
HEADER_ROW, FIRST_ROW = 3, 4
COL_CODE, COL_TITLE, COL_MAX, COL_RULE, COL_EVIDENCE = 1, 2, 3, 4, 5
FACT_COLUMNS = {"done": 6, "choice": 7, "numerator": 8, "denominator": 9, "value": 10, "violations": 11, "count": 12}
COL_SELF, COL_NA, COL_EXPLANATION = 13, 14, 15
LEAF_HEADERS = {
    COL_CODE: "Mã", COL_TITLE: "Tiêu chí", COL_MAX: "Điểm tối đa", COL_RULE: "Cách chấm điểm",
    COL_EVIDENCE: "Tài liệu kiểm chứng cần có",
    FACT_COLUMNS["done"]: "Đạt (có/không)", FACT_COLUMNS["choice"]: "Phương án", FACT_COLUMNS["numerator"]: "Tử số",
    FACT_COLUMNS["denominator"]: "Mẫu số", FACT_COLUMNS["value"]: "Giá trị", FACT_COLUMNS["violations"]: "Số vi phạm",
    FACT_COLUMNS["count"]: "Số lượng",
    COL_SELF: "Điểm tự chấm", COL_NA: "Không áp dụng", COL_EXPLANATION: "Giải trình",
}
INPUT_COLUMNS = tuple(FACT_COLUMNS.values()) + (COL_SELF, COL_NA, COL_EXPLANATION)

# "Tài liệu kiểm chứng" columns
DOC_HEADER_ROW, DOC_FIRST_ROW, DOC_LAST_ROW = 1, 2, 2000
DOC_COLUMNS = {"leaf": 1, "number": 2, "date": 3, "title": 4, "issuer": 5, "file": 6, "period": 7}
DOC_HEADERS = {1: "Mã tiêu chí", 2: "Số văn bản", 3: "Ngày ban hành", 4: "Trích yếu (tên văn bản)",
               5: "Cơ quan ban hành", 6: "Tệp đính kèm (đường dẫn)", 7: "Kỳ báo cáo"}
COL_PERIOD = DOC_COLUMNS["period"]  # issue 13: forms written before it have no such column, and are still read
DOC_REQUIRED = {"number": "số văn bản", "date": "ngày ban hành", "title": "trích yếu", "issuer": "cơ quan ban hành"}
COUNT_LIMIT = 100_000_000

# the submission schema's length limits, checked at the cell so that validation sees a well-formed document
TEXT_LIMITS = {"name": 200, "report_number": 100, "signer": 200, "contact": 200, "explanation": 5000,
               "number": 100, "title": 1000, "issuer": 300, "file": 500}
SCORE_LIMIT = 1000

FACT_NAMES = {"done": "Đạt", "choice": "Phương án", "numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị",
              "violations": "Số vi phạm", "count": "Số lượng"}


# ---------------------------------------------------------------- layout shared by writer and reader


@dataclass(frozen=True)
class Row:
    """A row of the leaves sheet: a heading (area, criterion, bonus/penalty section) or a leaf."""

    text: str
    leaf: Leaf | None = None
    level: int = 0
    condition: object = None  # one of the leaf's named conditions (issue 13): a row of its own, under the leaf's

    @property
    def is_leaf(self) -> bool:
        """The leaf's own row (not a heading, not one of its condition rows)."""
        return self.leaf is not None and self.condition is None


def condition_key(leaf: Leaf, condition) -> str:
    """Column A of a condition's row: "1.6/ke_hoach" (a leaf code never holds "/")."""
    return f"{leaf.code}/{condition.id}"


def layout(source: CriteriaSource) -> list[Row]:
    """The rows of "Tự đánh giá" from FIRST_ROW on, in the criteria set's order (survey areas left out)."""
    criteria, rows = source.criteria, []

    def walk(nodes, level):
        for node in nodes:
            if node.leaf is None:
                rows.append(Row(f"{node.code}. {node.title} ({pts(node.max)} điểm)", level=level))
                walk(node.children, level + 1)
            elif node.leaf.section == SECTION_SURVEY:  # a survey question inside a content area (issue 13)
                rows.append(Row(f"{node.code}. {node.title} ({pts(node.max)} điểm): {SURVEY_ROW_NOTE}", level=level))
            else:
                rows.append(Row(node.title, node.leaf))
                rows.extend(Row(condition.label, node.leaf, level + 1, condition)
                            for condition in node.leaf.rule.named_conditions())

    for area in criteria.areas:
        if area.source == "survey":
            continue
        rows.append(Row(f"{area.code}. {area.title} ({pts(area.max)} điểm)"))
        walk(area.criteria, 1)
    for title, cap, items in ((criteria.bonus_title, criteria.bonus_cap, criteria.bonus_items),
                              (criteria.penalty_title, criteria.penalty_cap, criteria.penalty_items)):
        if items:
            rows.append(Row(f"{title} (tối đa {pts(cap)} điểm)"))
            walk(items, 1)
    return rows


# what the form says on a survey question inside a content area: the commune does not score it
SURVEY_ROW_NOTE = "điểm từ điều tra xã hội học (xã không tự chấm)"


def form_leaves(criteria: CriteriaSet) -> list[Leaf]:
    return [leaf for leaf in criteria.leaves if leaf.section != SECTION_SURVEY]


def self_score_floor(leaf: Leaf) -> int:
    return leaf.rule.lowest


def find_commune(code: str, folder) -> dict | None:
    """The name and type of a commune from a submission in ``folder`` (no leaves are taken)."""
    from ..files import read_json, submission_files

    folder = Path(folder)
    if not folder.is_dir():
        return None
    for path in submission_files(folder):
        data = read_json(path).data
        commune = data.get("commune") if isinstance(data, dict) else None
        if isinstance(commune, dict) and commune.get("code") == code:
            return {"code": code, "name": commune.get("name", ""), "type": commune.get("type", "")}
    return None


# ---------------------------------------------------------------- writing


class _Formats:
    def __init__(self, book):
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True, "border": 1}
        self.title = book.add_format({"font_name": "Times New Roman", "font_size": 14, "bold": True})
        self.subtitle = book.add_format({"font_name": "Times New Roman", "font_size": 11, "italic": True})
        self.plain = book.add_format({"font_name": "Times New Roman", "font_size": 11, "text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"font_name": "Times New Roman", "font_size": 11, "bold": True})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter"})
        self.locked = book.add_format(base)
        self.locked_number = book.add_format({**base, "num_format": "0.##", "align": "center"})
        self.heading = book.add_format({**base, "bold": True, "bg_color": "#F2F2F2"})
        self.grey = book.add_format({**base, "bg_color": "#BFBFBF"})
        self.input_text = book.add_format({**base, "locked": False, "num_format": "@", "bg_color": "#FFFFFF"})
        self.input_number = book.add_format({**base, "locked": False, "bg_color": "#FFFFFF", "align": "center"})
        self.input_date = book.add_format({**base, "locked": False, "num_format": "dd/mm/yyyy", "bg_color": "#FFFFFF",
                                           "align": "center"})
        self.input_column_text = book.add_format({"font_name": "Times New Roman", "font_size": 11, "locked": False,
                                                  "num_format": "@", "text_wrap": True, "valign": "top"})
        self.input_column_date = book.add_format({"font_name": "Times New Roman", "font_size": 11, "locked": False,
                                                  "num_format": "dd/mm/yyyy", "valign": "top"})


def _new_book(title: str, created: dt.datetime | None, year: int):
    """A form's workbook in memory: (buffer, xlsxwriter book with the safe options and a fixed
    creation time, default 1 January of ``year``; its formats)."""
    buffer = io.BytesIO()
    book = guard(xlsxwriter.Workbook(buffer, c.WORKBOOK_OPTIONS), title)  # past Excel's last row: excel-limit
    book.set_properties({"title": title, "author": "cchc-scoring", "created": created or dt.datetime(year, 1, 1)})
    return buffer, book, _Formats(book)


def _write_head(sheet, f: _Formats, title: str, subtitle: str, headers: dict, widths: dict, *,
                header_row: int, freeze_column: int) -> None:
    """A form sheet's top: column widths, the title (row 1), the subtitle (row 2), the header
    row (1-based ``header_row``, 32 pt high) and panes frozen below it and before ``freeze_column``."""
    for column, width in widths.items():
        sheet.set_column(column - 1, column - 1, width)
    write_text(sheet, 0, 0, title, f.title)
    write_text(sheet, 1, 0, subtitle, f.subtitle)
    for column, header in headers.items():
        write_text(sheet, header_row - 1, column - 1, header, f.header)
    sheet.set_row(header_row - 1, 32)
    sheet.freeze_panes(header_row, freeze_column)


def _write_meta_sheet(meta, pairs, lists=()) -> None:
    """The hidden, protected "_meta" sheet the reader checks: ``pairs`` (key, value) in A:B,
    then each of ``lists`` (column, title, values) as a title in row 1 and values below."""
    for row, (key, value) in enumerate(pairs):
        write_text(meta, row, 0, key)
        write_text(meta, row, 1, value)
    for column, title, values in lists:
        write_text(meta, 0, column, title)
        for index, value in enumerate(values, start=1):
            write_text(meta, index, column, value)
    meta.hide()
    meta.protect()


def _limit(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _validation(title: str, message: str, **rule) -> dict:
    options = {"input_title": _limit(title, 32), "input_message": _limit(message, 255),
               "error_title": _limit(title, 32), "error_message": _limit(message, 255), "error_type": "stop"}
    options.update(rule)
    return options


def _as_excel_number(value):
    """A JSON number (int or Decimal) as the number written to a cell, exact to the hundredth."""
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass
class _Prefill:
    """What a draft submission puts in the form, and what it could not carry over."""

    leaves: dict = field(default_factory=dict)
    documents: list = field(default_factory=list)  # (leaf code, document dict)
    report: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def _prefill(criteria: CriteriaSet, draft: dict | None, shown: str) -> _Prefill:
    result = _Prefill()
    if not draft:
        return result
    result.report = dict(draft.get("report") or {})
    for code, raw in draft.get("leaves", {}).items():
        where = pointer("leaves", code)
        leaf = criteria.leaf(code)
        if leaf is None or leaf.section == SECTION_SURVEY:
            result.warnings.append(Issue(shown, where, "unknown-leaf",
                                         message("unknown-leaf", "draft", leaf=code, criteria=criteria.id)))
            continue
        kept = {"facts": {}}
        needed = leaf.rule.facts
        for name, value in (raw.get("facts") or {}).items():
            if name not in needed:
                result.warnings.append(Issue(shown, f"{where}/facts/{name}", "fact-unexpected",
                                             message("fact-unexpected", "draft", leaf=code, name=name)))
            elif leaf.rule.fact_options(name) is not None and value not in leaf.rule.fact_options(name):
                result.warnings.append(Issue(shown, f"{where}/facts/choice", "fact-invalid",
                                             message("fact-invalid", "draft", choice=value, leaf=code)))
            else:
                kept["facts"][name] = value
        for name in ("self_score", "explanation"):
            if raw.get(name) is not None:
                kept[name] = raw[name]
        if raw.get("not_applicable"):
            if leaf.not_applicable is None:
                result.warnings.append(Issue(shown, f"{where}/not_applicable", "na-not-allowed",
                                             message("na-not-allowed", "draft", leaf=code)))
            else:
                kept["not_applicable"] = True
        result.leaves[code] = kept
        for document in raw.get("evidence") or ():
            result.documents.append((code, document))
    return result


def write_self_assessment_form(source: CriteriaSource, commune: dict, draft: dict | None = None, *,
                               draft_name: str = "", created: dt.datetime | None = None) -> tuple[bytes, list[Issue]]:
    """The self-assessment form of one commune as .xlsx bytes, and what the draft could not fill.

    ``commune``: code (required), name and type (may be empty: then the commune fills them).
    ``draft``: a submission (this year's draft or last year's) whose values pre-fill the form.
    """
    criteria = source.criteria
    prefill = _prefill(criteria, draft, draft_name)
    buffer, book, f = _new_book(f"Phiếu tự đánh giá Chỉ số CCHC năm {criteria.year}", created, criteria.year)
    guide = book.add_worksheet(SHEET_GUIDE)
    sheet = book.add_worksheet(SHEET_LEAVES)
    docs = book.add_worksheet(SHEET_EVIDENCE)
    meta = book.add_worksheet(c.META_SHEET)
    leaves = form_leaves(criteria)
    choice_ranges = _write_meta(meta, criteria, commune["code"], leaves)
    _write_guide(guide, f, criteria, commune, prefill.report)
    _write_leaves(sheet, f, criteria, layout(source), prefill, choice_ranges, commune)
    _write_documents(docs, f, prefill, len(leaves))
    guide.activate()
    book.close()
    return buffer.getvalue(), prefill.warnings


def _write_meta(meta, criteria: CriteriaSet, commune_code: str, leaves: list[Leaf]) -> dict[str, str]:
    pairs = [("form", c.FORM_IDS[c.KIND_SELF]), ("version", str(c.FORM_VERSION)), ("criteria_id", criteria.id),
             ("year", str(criteria.year)), ("commune_code", commune_code), ("engine_version", __version__)]
    _write_meta_sheet(meta, pairs, [(3, "leaves", [leaf.code for leaf in leaves])])
    ranges = {"__leaves__": f"='{c.META_SHEET}'!$D$2:$D${len(leaves) + 1}" if leaves else ""}
    column = 4
    for leaf in leaves:
        if not leaf.rule.choices:
            continue
        write_text(meta, 0, column, leaf.code)
        for index, option in enumerate(leaf.rule.choices, start=1):
            write_text(meta, index, column, option.label)
        letter = c.column_letter(column + 1)
        ranges[leaf.code] = f"='{c.META_SHEET}'!${letter}$2:${letter}${len(leaf.rule.choices) + 1}"
        column += 1
    write_text(meta, 0, column, "unit_types")
    for index, unit_type in enumerate(c.UNIT_TYPES, start=1):
        write_text(meta, index, column, unit_type)
    return ranges


def _write_guide(guide, f: _Formats, criteria: CriteriaSet, commune: dict, report: dict) -> None:
    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 80)
    write_text(guide, 0, 0, f"PHIẾU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {criteria.year}", f.title)
    write_text(guide, 1, 0, f"{criteria.title} — {criteria.issuer.get('name', '')}", f.subtitle)
    values = {
        "criteria": (f"{criteria.id} (năm {criteria.year})", f.locked),
        "code": (commune["code"], f.locked),
        "name": (commune.get("name") or "", f.input_text),
        "type": (commune.get("type") or "", f.input_text),
        "report_number": (report.get("number", ""), f.input_text),
        "signer": (report.get("signer", ""), f.input_text),
        "contact": (report.get("contact", ""), f.input_text),
    }
    for key, (row, label) in GUIDE_ROWS.items():
        write_text(guide, row - 1, 0, label, f.bold)
        if key == "report_date":
            day = report.get("date")
            if day and _iso_ok(day):
                guide.write_datetime(row - 1, 1, dt.datetime.fromisoformat(day), f.input_date)
            elif day:
                write_text(guide, row - 1, 1, day, f.input_date)
            else:
                guide.write_blank(row - 1, 1, None, f.input_date)
            guide.data_validation(row - 1, 1, row - 1, 1, _validation(
                "Ngày báo cáo", "Nhập ngày dạng dd/mm/yyyy.", validate="date", criteria="between",
                minimum=dt.date(2000, 1, 1), maximum=dt.date(2100, 12, 31)))
            continue
        text, style = values[key]
        _text(guide, row - 1, 1, text, style)
    type_row = GUIDE_ROWS["type"][0] - 1
    guide.data_validation(type_row, 1, type_row, 1, _validation(
        "Loại hình đơn vị", "Chọn: " + ", ".join(c.UNIT_TYPES) + ".", validate="list", source=list(c.UNIT_TYPES)))
    name_row = GUIDE_ROWS["name"][0] - 1
    guide.data_validation(name_row, 1, name_row, 1, _validation(
        "Tên đơn vị", "Tên xã/phường/thị trấn/đặc khu, ví dụ Đăk Hà.", validate="length", criteria="between",
        minimum=1, maximum=200))
    lines = [
        "CÁCH ĐIỀN PHIẾU",
        f"1. Điền tên đơn vị, loại hình và thông tin báo cáo ở các ô trắng bên trên (B{GUIDE_ROWS['name'][0]}:B{GUIDE_ROWS['contact'][0]}).",
        f"2. Trang \"{SHEET_LEAVES}\": mỗi dòng là một tiêu chí. Chỉ nhập vào ô trắng; ô xám không cần nhập. "
        "Cột \"Cách chấm điểm\" nói rõ tiêu chí cần số liệu nào.",
        "3. Đạt, Không áp dụng: ghi \"có\" hoặc \"không\". Phương án: chọn trong danh sách. "
        "Tử số, Mẫu số, Số vi phạm, Số lượng: số nguyên (0 nếu không có). Giá trị: số, dùng dấu phẩy thập phân theo máy.",
        "4. Điểm tự chấm: từ 0 đến điểm tối đa của tiêu chí, tối đa hai chữ số thập phân (ví dụ 0,25).",
        "5. Không áp dụng: chỉ ở tiêu chí cho phép (ô trắng); ghi lý do ở cột Giải trình.",
        "6. Giải trình: bắt buộc khi tự chấm điểm mà chưa có tài liệu kiểm chứng, hoặc khi khai không áp dụng.",
        f"7. Trang \"{SHEET_EVIDENCE}\": mỗi dòng một văn bản: mã tiêu chí, số văn bản (ví dụ 04/KH-UBND), "
        "ngày ban hành (dd/mm/yyyy), trích yếu, cơ quan ban hành, đường dẫn tệp bản chụp (tương đối trong thư mục hồ sơ). "
        "Một văn bản dùng cho nhiều tiêu chí thì ghi nhiều dòng.",
        f"8. Không thêm, xóa hay đổi thứ tự dòng, cột ở trang \"{SHEET_LEAVES}\". Các trang được khóa (không mật khẩu) "
        "để giữ nguyên các ô đã in sẵn.",
        "9. Nộp tệp này; chương trình đọc lại phiếu (python cli.py import) và báo từng ô sai nếu có.",
    ]
    survey_areas = [a for a in criteria.areas if a.source == "survey"]
    if survey_areas:
        lines.append("Lĩnh vực " + ", ".join(f"{a.code} ({a.title}, {pts(a.max)} điểm)" for a in survey_areas)
                     + " được chấm theo kết quả điều tra xã hội học, xã không tự chấm.")
    start = max(row for row, _ in GUIDE_ROWS.values()) + 1
    for offset, line in enumerate(lines):
        if offset == 0:
            write_text(guide, start, 0, line, f.bold)
        else:
            guide.merge_range(start + offset, 0, start + offset, 1, line, f.plain)
            guide.set_row(start + offset, 15 * (len(line) // 100 + 1) + 3)  # merged cells do not grow by themselves
    guide.protect()


def _text(sheet, row: int, column: int, text, style) -> None:
    """A text cell, always as text (never a formula, number or link); empty → a blank formatted cell."""
    if text:
        write_text(sheet, row, column, str(text), style)
    else:
        sheet.write_blank(row, column, None, style)


def _iso_ok(text) -> bool:
    try:
        dt.date.fromisoformat(str(text))
    except ValueError:
        return False
    return True


def _write_leaves(sheet, f: _Formats, criteria: CriteriaSet, rows: list[Row], prefill: _Prefill,
                  choice_ranges: dict, commune: dict) -> None:
    widths = {COL_CODE: 9, COL_TITLE: 42, COL_MAX: 8, COL_RULE: 48, COL_EVIDENCE: 36, COL_SELF: 10, COL_NA: 11,
              COL_EXPLANATION: 40}
    name = commune.get("name") or commune["code"]
    _write_head(sheet, f, f"Tự đánh giá Chỉ số CCHC năm {criteria.year}: {name} (mã {commune['code']})",
                "Chỉ nhập vào ô trắng. Ô xám: tiêu chí không dùng số liệu này.", LEAF_HEADERS,
                {column: widths.get(column, 11) for column in range(1, COL_EXPLANATION + 1)},
                header_row=HEADER_ROW, freeze_column=COL_TITLE)
    for offset, row in enumerate(rows):
        r = FIRST_ROW - 1 + offset
        if row.leaf is None:
            sheet.write_blank(r, COL_CODE - 1, None, f.heading)
            write_text(sheet, r, COL_TITLE - 1, row.text, f.heading)
            for column in range(COL_MAX, COL_EXPLANATION + 1):
                sheet.write_blank(r, column - 1, None, f.heading)
            continue
        if row.condition is not None:
            _write_condition_row(sheet, f, r, row.leaf, row.condition, prefill.leaves.get(row.leaf.code, {}))
            continue
        _write_leaf_row(sheet, f, r, row.leaf, prefill.leaves.get(row.leaf.code, {}), choice_ranges)
    sheet.protect("", {"format_columns": True, "format_rows": True})


def _write_leaf_row(sheet, f: _Formats, r: int, leaf: Leaf, filled: dict, choice_ranges: dict) -> None:
    write_text(sheet, r, COL_CODE - 1, leaf.code, f.locked)
    write_text(sheet, r, COL_TITLE - 1, leaf.title, f.locked)
    sheet.write_number(r, COL_MAX - 1, to_number(leaf.max), f.locked_number)
    write_text(sheet, r, COL_RULE - 1, rule_text(leaf), f.locked)
    write_text(sheet, r, COL_EVIDENCE - 1, evidence_text(leaf), f.locked)
    rule, needed = leaf.rule, leaf.rule.facts
    facts = filled.get("facts", {})
    for name, column in FACT_COLUMNS.items():
        col = column - 1
        if name not in needed:
            sheet.write_blank(r, col, None, f.grey)
            continue
        value = facts.get(name)
        if name == "done":
            _text(sheet, r, col, None if value is None else (c.YES if value else c.NO), f.input_text)
            sheet.data_validation(r, col, r, col, _validation("Đạt", f"{rule.fact_label(name)}: ghi \"có\" hoặc \"không\".",
                                                              validate="list", source=[c.YES, c.NO]))
        elif name == "choice":
            label = next((o.label for o in rule.choices if o.value == value), "")
            _text(sheet, r, col, label, f.input_text)
            sheet.data_validation(r, col, r, col, _validation(
                "Phương án", "Chọn: " + "; ".join(o.label for o in rule.choices), validate="list",
                source=choice_ranges[leaf.code]))
        else:
            if value is None:
                sheet.write_blank(r, col, None, f.input_number)
            else:
                sheet.write_number(r, col, _as_excel_number(value), f.input_number)
            label = rule.fact_label(name) or FACT_NAMES[name]
            if name == "value":
                unit = f" ({rule.fact_unit(name)})" if rule.fact_unit(name) else ""
                sheet.data_validation(r, col, r, col, _validation(
                    FACT_NAMES[name], f"{label}{unit}: một số.", validate="decimal", criteria="between",
                    minimum=-COUNT_LIMIT, maximum=COUNT_LIMIT))
            else:
                sheet.data_validation(r, col, r, col, _validation(
                    FACT_NAMES[name], f"{label}: số nguyên, không âm.", validate="integer", criteria="between",
                    minimum=0, maximum=COUNT_LIMIT))
    self_score = filled.get("self_score")
    if self_score is None:
        sheet.write_blank(r, COL_SELF - 1, None, f.input_number)
    else:
        sheet.write_number(r, COL_SELF - 1, _as_excel_number(self_score), f.input_number)
    floor = self_score_floor(leaf)
    step = f", theo bước {pts(rule.step)}" if rule.step else ""
    sheet.data_validation(r, COL_SELF - 1, r, COL_SELF - 1, _validation(
        "Điểm tự chấm", f"Từ {pts(floor)} đến {pts(leaf.max)} điểm{step}, tối đa hai chữ số thập phân.",
        validate="decimal", criteria="between", minimum=to_number(floor), maximum=to_number(leaf.max)))
    if leaf.not_applicable is None:
        sheet.write_blank(r, COL_NA - 1, None, f.grey)
    else:
        _text(sheet, r, COL_NA - 1, c.YES if filled.get("not_applicable") else None, f.input_text)
        sheet.data_validation(r, COL_NA - 1, r, COL_NA - 1, _validation(
            "Không áp dụng", "Ghi \"có\" nếu năm nay không phát sinh; ghi lý do ở cột Giải trình.",
            validate="list", source=[c.YES, c.NO]))
    _text(sheet, r, COL_EXPLANATION - 1, filled.get("explanation"), f.input_text)


def _write_condition_row(sheet, f: _Formats, r: int, leaf: Leaf, condition, filled: dict) -> None:
    """One named condition of an all_of leaf (issue 13): its key and label locked, its có/không
    in the "Đạt" column; every other cell grey."""
    write_text(sheet, r, COL_CODE - 1, condition_key(leaf, condition), f.locked)
    write_text(sheet, r, COL_TITLE - 1, f"– {condition.label}", f.locked)
    for column in (COL_MAX, COL_RULE, COL_EVIDENCE):
        sheet.write_blank(r, column - 1, None, f.locked)
    col = FACT_COLUMNS["done"] - 1
    for column in INPUT_COLUMNS:
        if column - 1 != col:
            sheet.write_blank(r, column - 1, None, f.grey)
    value = (filled.get("facts", {}).get("conditions") or {}).get(condition.id)
    _text(sheet, r, col, None if value is None else (c.YES if value else c.NO), f.input_text)
    sheet.data_validation(r, col, r, col, _validation("Đạt", f"{condition.label}: ghi \"có\" hoặc \"không\".",
                                                      validate="list", source=[c.YES, c.NO]))


def _write_documents(docs, f: _Formats, prefill: _Prefill, leaf_count: int) -> None:
    widths = {1: 11, 2: 18, 3: 14, 4: 50, 5: 28, 6: 40, 7: 16}
    for column, width in widths.items():
        style = f.input_column_date if column == DOC_COLUMNS["date"] else f.input_column_text
        docs.set_column(column - 1, column - 1, width, style)
    for column, header in DOC_HEADERS.items():
        write_text(docs, DOC_HEADER_ROW - 1, column - 1, header, f.header)
    docs.freeze_panes(DOC_HEADER_ROW, 0)
    for offset, (code, document) in enumerate(prefill.documents):
        r = DOC_FIRST_ROW - 1 + offset
        write_text(docs, r, 0, code, f.input_text)
        _text(docs, r, 1, document.get("number"), f.input_text)
        day = document.get("date", "")
        if _iso_ok(day):
            docs.write_datetime(r, 2, dt.datetime.fromisoformat(day), f.input_date)
        else:
            write_text(docs, r, 2, day, f.input_date)
        _text(docs, r, 3, document.get("title"), f.input_text)
        _text(docs, r, 4, document.get("issuer"), f.input_text)
        _text(docs, r, 5, document.get("file"), f.input_text)
        _text(docs, r, COL_PERIOD - 1, document.get("period"), f.input_text)
    first, last = DOC_FIRST_ROW - 1, DOC_LAST_ROW - 1
    if leaf_count:
        docs.data_validation(first, 0, last, 0, _validation(
            "Mã tiêu chí", "Chọn mã tiêu chí mà văn bản này chứng minh.", validate="list",
            source=f"='{c.META_SHEET}'!$D$2:$D${leaf_count + 1}"))
    docs.data_validation(first, 2, last, 2, _validation(
        "Ngày ban hành", "Nhập ngày dạng dd/mm/yyyy.", validate="date", criteria="between",
        minimum=dt.date(2000, 1, 1), maximum=dt.date(2100, 12, 31)))
    docs.protect("", {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True})


# ---------------------------------------------------------------- reading


@dataclass
class ImportResult:
    """A form read back: the document (submission, appraisal or survey), its kind and warnings."""

    kind: str
    data: dict
    warnings: list = field(default_factory=list)


def read_self_assessment_form(path, source: CriteriaSource, *, sheets=None, base_dir=None,
                               blank_rows: list | None = None) -> ImportResult:
    """A filled self-assessment form → a submission dict that passes validation, or FormError
    with every problem at its cell. ``base_dir``: the submissions folder the evidence file
    paths are relative to (default: the form's folder); a file not there is a warning.
    ``blank_rows`` (a list, for ``check`` on a form being filled): the codes of area leaves
    whose row is left wholly empty are appended to it and the leaves left out of the
    submission instead of being errors (the document is then partial)."""
    path = Path(path)
    criteria = source.criteria
    shown, problems, sheets, meta = c.open_form(
        path, criteria, kind=c.KIND_SELF, sheets=sheets, required=(SHEET_GUIDE, SHEET_LEAVES, SHEET_EVIDENCE),
        criteria_cell=f"{SHEET_GUIDE}!B{GUIDE_ROWS['criteria'][0]}",
        not_this_kind=message("form-not-a-form", "self_assessment"))
    commune_code = meta.get("commune_code", "")
    locations = {"": f"{SHEET_GUIDE}!A1", "/leaves": f"{SHEET_LEAVES}!A{HEADER_ROW}"}
    commune, report = _read_guide(sheets[SHEET_GUIDE], commune_code, problems, locations)
    leaves = _read_leaves(sheets[SHEET_LEAVES], criteria, source, problems, locations, blank_rows)
    _read_documents(sheets[SHEET_EVIDENCE], criteria, leaves, problems, locations)
    _empty_optional_rows(sheets[SHEET_LEAVES], criteria, leaves, problems)
    document = {"criteria_id": criteria.id, "year": criteria.year, "commune": commune}
    if report:
        document["report"] = report
    document["leaves"] = {leaf.code: leaves[leaf.code] for leaf in criteria.leaves if leaf.code in leaves}
    errors, warnings = submission_issues(ParsedFile(shown, document, "", ()), criteria,
                                         Path(base_dir) if base_dir else path.parent)
    c.map_issues(errors, problems, locations, f"{SHEET_GUIDE}!A1",
                 skip_codes={"schema-required", "fact-missing", "leaf-missing",
                             "report-field-empty"})  # the form says form-cell-empty at the cell
    problems.raise_if_any()
    mapped = c.Problems(shown)
    c.map_issues(warnings, mapped, locations, f"{SHEET_GUIDE}!A1")
    base = Path(base_dir) if base_dir else path.parent
    return ImportResult(c.KIND_SELF, document, c.summarize_missing_files(mapped.issues, base))


def _guide_value(sheet: c.SheetData, key: str, problems: c.Problems):
    row, label = GUIDE_ROWS[key]
    found = c.text_of(sheet.value(row, 1))
    if found != label:
        problems.add(f"{SHEET_GUIDE}!A{row}", "form-row-moved",
                     message("form-row-moved", "guide", row=row, label=label))
        return None
    return sheet.value(row, 2)


def _read_guide(sheet: c.SheetData, code: str, problems: c.Problems, locations: dict) -> tuple[dict, dict]:
    def at(key):
        return f"{SHEET_GUIDE}!B{GUIDE_ROWS[key][0]}"

    # a value with a problem is replaced by a placeholder so that the rest is still validated;
    # the document is never written while a problem remains
    commune = {"code": code, "name": "?", "type": c.UNIT_TYPES[0]}
    locations["/commune"] = locations["/commune/code"] = at("code")
    for key in ("name", "type"):
        locations[f"/commune/{key}"] = at(key)
        raw = _guide_value(sheet, key, problems)
        value = _limited_text(raw, "name", at(key), problems) if key == "name" else c.text_of(raw)
        if value is None:
            if not problems.has(f"{SHEET_GUIDE}!A{GUIDE_ROWS[key][0]}") and not problems.has(at(key)):
                problems.add(at(key), "form-cell-empty", message("form-cell-empty", "guide", field=GUIDE_ROWS[key][1].lower()))
        elif key == "type" and c.unit_type_of(value) is None:
            problems.add(at(key), "form-cell-invalid",
                         message("form-cell-invalid", "unit_type", unit_types=", ".join(c.UNIT_TYPES), value=value))
        else:
            commune[key] = c.unit_type_of(value) if key == "type" else value
    report = {}
    locations["/report"] = at("report_number")
    for key, name in REPORT_FIELDS.items():
        locations[f"/report/{name}"] = at(key)
        value = _guide_value(sheet, key, problems)
        if c.is_blank(value):
            if key in REPORT_REQUIRED and not problems.has(f"{SHEET_GUIDE}!A{GUIDE_ROWS[key][0]}"):
                problems.add(at(key), "form-cell-empty", message("form-cell-empty", "guide_required", field=GUIDE_ROWS[key][1].lower()))
            continue
        if name == "date":
            try:
                report[name] = c.date_of(value).isoformat()
            except c.CellValueError as error:
                problems.add(at(key), error.code, error.message)
        else:
            text = _limited_text(value, key, at(key), problems)
            if text is not None:
                report[name] = text
    return commune, report


def _limited_text(value, key: str, where: str, problems: c.Problems) -> str | None:
    """A text cell within the schema's length limit (else reported, and left out)."""
    text = c.text_of(value)
    if c.legacy_problem(text, where, problems):
        return None
    if text is not None and len(text) > TEXT_LIMITS[key]:
        problems.add(where, "schema-maxLength", f"dài quá {format_count(TEXT_LIMITS[key])} ký tự ({format_count(len(text))} ký tự)")
        return None
    return text


def _header_ok(sheet: c.SheetData, row: int, headers: dict, problems: c.Problems) -> bool:
    ok = True
    for column, header in headers.items():
        if c.text_of(sheet.value(row, column)) != header:
            problems.add(c.cell(sheet.name, column, row), "form-column-moved",
                         message("form-column-moved", header=header))
            ok = False
    return ok


def _read_leaves(sheet: c.SheetData, criteria: CriteriaSet, source: CriteriaSource, problems: c.Problems,
                 locations: dict, blank_rows: list | None = None) -> dict:
    if not _header_ok(sheet, HEADER_ROW, LEAF_HEADERS, problems):
        return {}
    found: dict[str, list[int]] = {}
    conditions = {condition_key(r.leaf, r.condition): r for r in layout(source) if r.condition is not None}
    condition_rows: dict[tuple, int] = {}  # (leaf code, condition id) → its row
    for row in range(FIRST_ROW, sheet.last_row + 1):
        code = c.text_of(sheet.value(row, COL_CODE))
        if code in conditions:
            condition_rows.setdefault((conditions[code].leaf.code, conditions[code].condition.id), row)
            continue
        if code is None:
            if any(not c.is_blank(sheet.value(row, column)) for column in INPUT_COLUMNS):
                problems.add(c.cell(sheet.name, COL_CODE, row), "form-row-unknown",
                             message("form-row-unknown"))
            continue
        leaf = criteria.leaf(code)
        if leaf is None:
            problems.add(c.cell(sheet.name, COL_CODE, row), "unknown-leaf", message("unknown-leaf", "form", leaf=code, criteria=criteria.id))
            continue
        if leaf.section == SECTION_SURVEY:
            problems.add(c.cell(sheet.name, COL_CODE, row), "survey-leaf-in-submission",
                         message("survey-leaf-in-submission", leaf=code))
            continue
        found.setdefault(code, []).append(row)
    expected = [(row.leaf.code, FIRST_ROW + offset) for offset, row in enumerate(layout(source)) if row.is_leaf]
    c.check_row_order(expected, found, problems, sheet.name, code_column=COL_CODE,
                      describe=lambda code: f"tiêu chí {code}")
    leaves = {}
    for code, rows in found.items():
        own = {key[1]: row for key, row in condition_rows.items() if key[0] == code}
        if blank_rows is not None and criteria.leaf(code).section == SECTION_AREA \
                and all(c.is_blank(sheet.value(rows[0], column)) for column in INPUT_COLUMNS) \
                and all(c.is_blank(sheet.value(row, FACT_COLUMNS["done"])) for row in own.values()):
            blank_rows.append(code)
            continue
        leaf_dict = _read_leaf_row(sheet, criteria.leaf(code), rows[0], problems, locations, own)
        if leaf_dict is not None:
            leaves[code] = leaf_dict
    return leaves


def _empty_optional_rows(sheet: c.SheetData, criteria: CriteriaSet, leaves: dict, problems: c.Problems) -> None:
    """A bonus or penalty item left empty but given evidence documents still needs its facts."""
    for row in range(FIRST_ROW, sheet.last_row + 1):
        code = c.text_of(sheet.value(row, COL_CODE))
        leaf = criteria.leaf(code) if code else None
        if leaf is None or leaf.section not in (SECTION_BONUS, SECTION_PENALTY) or code not in leaves:
            continue
        if set(leaves[code]) == {"evidence"}:
            for fact in leaf.rule.facts:
                problems.add(c.cell(sheet.name, FACT_COLUMNS.get(fact, COL_CODE), row), "fact-missing",
                             message("fact-missing", "evidence_only", leaf=code, column=FACT_NAMES[fact]))


def _read_leaf_row(sheet: c.SheetData, leaf: Leaf, row: int, problems: c.Problems, locations: dict,
                   condition_rows: dict | None = None) -> dict | None:
    here = pointer("leaves", leaf.code)
    name = sheet.name
    locations[here] = c.cell(name, COL_CODE, row)
    needed = leaf.rule.facts
    locations[here + "/facts"] = c.cell(name, FACT_COLUMNS[needed[0]] if needed and needed[0] in FACT_COLUMNS else COL_CODE, row)
    locations[here + "/self_score"] = c.cell(name, COL_SELF, row)
    locations[here + "/not_applicable"] = c.cell(name, COL_NA, row)
    locations[here + "/explanation"] = c.cell(name, COL_EXPLANATION, row)
    result: dict = {}
    facts: dict = {}
    empty_needed = []
    for fact, column in FACT_COLUMNS.items():
        where = c.cell(name, column, row)
        locations[f"{here}/facts/{fact}"] = where
        value = sheet.value(row, column)
        if c.is_blank(value):
            if fact in needed:
                empty_needed.append((fact, where))
            continue
        try:
            facts[fact] = _fact_value(leaf, fact, value)
        except c.CellValueError as error:
            problems.add(where, error.code, f"tiêu chí {leaf.code}, cột {FACT_NAMES[fact]}: {error.message}")
    try:
        claimed_na = not c.is_blank(sheet.value(row, COL_NA)) and c.yes_no_of(sheet.value(row, COL_NA))
    except c.CellValueError as error:
        problems.add(c.cell(name, COL_NA, row), error.code, error.message)
        claimed_na = False
    stated = _read_conditions(sheet, leaf, row, condition_rows or {}, problems, locations, claimed_na)
    if stated:
        facts["conditions"] = stated
    if facts:
        result["facts"] = facts
    value = sheet.value(row, COL_SELF)
    if c.is_blank(value) and leaf.section == SECTION_AREA and not claimed_na:
        # never counted as 0 silently: a judgement leaf would stand at its self-score until appraised
        problems.add(c.cell(name, COL_SELF, row), "form-cell-empty", message("form-cell-empty", "self_score", leaf=leaf.code))
    if not c.is_blank(value):
        try:
            points = c.points_of(value)
            if abs(points) > SCORE_LIMIT:
                raise c.CellValueError("self-score-above-max" if points > 0 else "self-score-below-min",
                                       message("self-score-above-max", "form", score=value, max=pts(leaf.max), leaf=leaf.code)
                                       if points > 0 else
                                       message("self-score-below-min", "form", score=value, max=pts(leaf.max), leaf=leaf.code))
            result["self_score"] = points
        except c.CellValueError as error:
            problems.add(c.cell(name, COL_SELF, row), error.code, f"tiêu chí {leaf.code}, điểm tự chấm: {error.message}")
    explanation = _limited_text(sheet.value(row, COL_EXPLANATION), "explanation", c.cell(name, COL_EXPLANATION, row),
                                problems)
    if explanation is not None:
        result["explanation"] = explanation
    if claimed_na:
        result["not_applicable"] = True
    optional = leaf.section in (SECTION_BONUS, SECTION_PENALTY)
    if optional and not result and all(c.is_blank(sheet.value(row, column)) for column in INPUT_COLUMNS):
        return None  # a bonus or penalty item with nothing to report
    if not claimed_na:
        for fact, where in empty_needed:
            problems.add(where, "fact-missing", message("fact-missing", "column", leaf=leaf.code, column=FACT_NAMES[fact]))
    return result


def _read_conditions(sheet: c.SheetData, leaf: Leaf, row: int, condition_rows: dict, problems: c.Problems,
                     locations: dict, claimed_na: bool) -> dict:
    """The có/không of each named condition of the leaf (issue 13), from its own row's "Đạt"
    cell: {condition id: bool}; an empty cell is fact-missing (unless the leaf is claimed not
    applicable), a condition row deleted is form-row-missing at the leaf's row."""
    stated = {}
    column = FACT_COLUMNS["done"]
    for condition in leaf.rule.named_conditions():
        at_row = condition_rows.get(condition.id)
        if at_row is None:
            problems.add(c.cell(sheet.name, COL_CODE, row), "form-row-missing",
                         message("form-row-missing", "condition", key=condition_key(leaf, condition), label=condition.label,
                                 leaf=leaf.code))
            continue
        where = c.cell(sheet.name, column, at_row)
        locations[pointer("leaves", leaf.code, "facts", "conditions", condition.id)] = where
        value = sheet.value(at_row, column)
        if c.is_blank(value):
            if not claimed_na:
                problems.add(where, "fact-missing", message("fact-missing", "condition_cell", leaf=leaf.code,
                                                            label=condition.label))
            continue
        try:
            stated[condition.id] = c.yes_no_of(value)
        except c.CellValueError as error:
            problems.add(where, error.code, f"tiêu chí {leaf.code}, điều kiện \"{condition.label}\": {error.message}")
    return stated


def _fact_value(leaf: Leaf, fact: str, value):
    if fact == "done":
        return c.yes_no_of(value)
    if fact == "choice":
        text = c.text_of(value)
        for option in leaf.rule.choices:  # the label as shown in the list, whatever the case (or the code)
            if same_text(text, option.label) or text == option.value:
                return option.value
        labels = "; ".join(o.label for o in leaf.rule.choices) or "(tiêu chí không chấm theo phương án)"
        raise c.CellValueError("fact-invalid", message("fact-invalid", "form", choice=text, options=labels))
    if fact == "value":
        number = c.points_of(value)
        if abs(number) > COUNT_LIMIT:
            raise c.CellValueError("form-cell-type", message("form-cell-type", "too_large", limit=COUNT_LIMIT))
        return number
    number = c.count_of(value)
    if number > COUNT_LIMIT:
        raise c.CellValueError("form-cell-type", message("form-cell-type", "too_large", limit=COUNT_LIMIT))
    return number


def _read_documents(sheet: c.SheetData, criteria: CriteriaSet, leaves: dict, problems: c.Problems,
                    locations: dict) -> None:
    has_period = not c.is_blank(sheet.value(DOC_HEADER_ROW, COL_PERIOD))  # forms written before issue 13 have none
    headers = DOC_HEADERS if has_period else {k: v for k, v in DOC_HEADERS.items() if k != COL_PERIOD}
    if not _header_ok(sheet, DOC_HEADER_ROW, headers, problems):
        return
    name = sheet.name
    listed: dict = {}  # (leaf, number, date) → the row it was first written on
    for row in range(DOC_FIRST_ROW, sheet.last_row + 1):
        values = {key: sheet.value(row, column) for key, column in DOC_COLUMNS.items() if has_period or key != "period"}
        if all(c.is_blank(v) for v in values.values()):
            continue
        code = c.text_of(values["leaf"])
        at = {key: c.cell(name, column, row) for key, column in DOC_COLUMNS.items()}
        if code is None:
            problems.add(at["leaf"], "form-cell-empty", message("form-cell-empty", "document_leaf"))
            continue
        leaf = criteria.leaf(code)
        if leaf is None or leaf.section == SECTION_SURVEY:
            problems.add(at["leaf"], "unknown-leaf", message("unknown-leaf", "document", leaf=code))
            continue
        document = {}
        for key, label in DOC_REQUIRED.items():
            if c.is_blank(values[key]):
                problems.add(at[key], "form-cell-empty", message("form-cell-empty", "document", field=label))
        if not c.is_blank(values["date"]):
            try:
                document["date"] = c.date_of(values["date"]).isoformat()
            except c.CellValueError as error:
                problems.add(at["date"], error.code, error.message)
        for key in ("number", "title", "issuer", "file"):
            text = _limited_text(values[key], key, at[key], problems)
            if text is not None:
                document[key] = text
        if not c.is_blank(values.get("period")):
            period = _period_of(leaf, c.text_of(values["period"]))
            if period is None:
                periods = leaf.rule.due_periods()
                problems.add(at["period"], "evidence-period-unknown",
                             message("evidence-period-unknown", leaf=code, period=c.text_of(values['period']),
                                     periods="; ".join(f"{p.id} ({p.label})" for p in periods)) if periods
                             else message("evidence-period-unknown", "none", leaf=code, period=c.text_of(values['period'])))
            else:
                document["period"] = period
        document = {key: document[key] for key in ("number", "date", "title", "issuer", "file", "period") if key in document}
        if leaf.section == SECTION_AREA and code not in leaves:
            continue  # the leaf's row is gone: reported there
        if any(key not in document for key in DOC_REQUIRED):
            continue  # reported at its cells; the rest of the form is still checked
        target = leaves.setdefault(code, {})
        same = (code, match_key(fold_document_number(document["number"])), document["date"])  # look-alikes too
        if same in listed:
            problems.add(at["leaf"], "form-row-duplicate",
                         message("form-row-duplicate", "document", number=document['number'],
                                 date=f"{document['date'][8:]}/{document['date'][5:7]}/{document['date'][:4]}",
                                 leaf=code, first=listed[same]))
            continue
        listed[same] = row
        index = len(target.setdefault("evidence", []))
        target["evidence"].append(document)
        base = pointer("leaves", code, "evidence", index)
        locations[base] = at["leaf"]
        for key in ("number", "date", "title", "issuer", "file", "period"):
            if key in at:
                locations[f"{base}/{key}"] = at[key]


def _period_of(leaf: Leaf, text: str) -> str | None:
    """A period of the leaf's rule as typed in the form: its id ("q1") or its label ("Báo cáo quý I")."""
    for period in leaf.rule.due_periods():
        if text == period.id or same_text(text, period.label):
            return period.id
    return None
