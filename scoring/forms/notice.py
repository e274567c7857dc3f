"""The explanation loop: the notice a commune gets after the first appraisal, and its answer.

After the first appraisal the council marks leaves "đề nghị giải trình" (an appraisal
entry's ``explanation_requested``). ``write_notice`` makes one workbook per commune:

* "Thông báo": the commune, and how to answer.
* "Giải trình": one row per self-assessed leaf (criteria order): A code, B title, C maximum,
  D self-score, E score from the evidence, F first-appraisal score, G its reason, H "Đề nghị
  giải trình" — all locked; the marked rows are highlighted and only they have input cells:
  I the commune's explanation, then one supplementary document: J number, K date, L title,
  M issuer, N file (path relative to the submissions folder).
* "_meta" (hidden): form id and version, criteria id and year, the commune, the leaf codes.

``read_notice`` reads the answer back (every problem at its cell, like the other forms) and
``apply_explanations`` puts it into the commune's submission as each marked leaf's
``explanation_round`` (the explanation, the supplementary documents, the date received),
leaving the original claim (facts, self-score, evidence, explanation) as it was. The second
appraisal (stage 2) then follows as before.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from .. import __version__
from ..model import SECTION_AREA
from ..numbers import to_number
from ..writers.xlsx_text import write_text
from . import cells as c
from ..errors import message
from .self_assessment import ImportResult, _header_ok, _new_book, _validation, _write_head, _write_meta_sheet

KIND_EXPLANATION = c.KIND_EXPLANATION
FORM_ID = c.FORM_IDS[KIND_EXPLANATION]
SHEET_NOTICE = "Thông báo"
SHEET_ANSWER = "Giải trình"
HEADER_ROW, FIRST_ROW = 3, 4
(COL_LEAF, COL_TITLE, COL_MAX, COL_SELF, COL_EVIDENCE, COL_APPRAISED, COL_REASON, COL_REQUESTED,
 COL_EXPLANATION, COL_NUMBER, COL_DATE, COL_DOC_TITLE, COL_ISSUER, COL_FILE) = range(1, 15)
HEADERS = {
    COL_LEAF: "Mã tiêu chí", COL_TITLE: "Tiêu chí", COL_MAX: "Tối đa", COL_SELF: "Tự chấm",
    COL_EVIDENCE: "Theo kiểm chứng", COL_APPRAISED: "Thẩm định lần 1", COL_REASON: "Lý do thẩm định",
    COL_REQUESTED: "Đề nghị giải trình", COL_EXPLANATION: "Nội dung giải trình của xã",
    COL_NUMBER: "Số văn bản bổ sung", COL_DATE: "Ngày văn bản", COL_DOC_TITLE: "Trích yếu",
    COL_ISSUER: "Cơ quan ban hành", COL_FILE: "Tệp (đường dẫn)",
}
REQUESTED = "Đề nghị giải trình"


def notice_leaves(commune) -> list:
    """The leaf results a notice lists: the self-assessed areas' leaves, in criteria order."""
    return [result for result in commune.leaves if result.leaf.section == SECTION_AREA]


def write_notice(results, commune, stage_entries: dict, *, created: dt.datetime | None = None) -> bytes:
    """One commune's notice (.xlsx bytes). ``results``: scoring.engine.Results of the round;
    ``commune``: its CommuneResult; ``stage_entries``: {leaf code: first-appraisal
    AppraisalEntry} for the commune (the marked ones carry explanation_requested)."""
    criteria = results.criteria
    buffer, book, f = _new_book(f"Thông báo kết quả thẩm định lần 1 năm {criteria.year}: {commune.name}", created,
                                criteria.year)
    marked = book.add_format({"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True,
                              "border": 1, "bold": True, "bg_color": "#FFE699"})
    guide, sheet, meta = (book.add_worksheet(name) for name in (SHEET_NOTICE, SHEET_ANSWER, c.META_SHEET))
    leaves = notice_leaves(commune)
    requested = {code for code, entry in stage_entries.items() if getattr(entry, "explanation_requested", False)}
    pairs = [("form", FORM_ID), ("version", str(c.FORM_VERSION)), ("criteria_id", criteria.id),
             ("year", str(criteria.year)), ("engine_version", __version__), ("commune", commune.code)]
    _write_meta_sheet(meta, pairs, [(3, "leaves", [result.code for result in leaves])])

    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 90)
    write_text(guide, 0, 0, f"THÔNG BÁO KẾT QUẢ THẨM ĐỊNH LẦN 1 CHỈ SỐ CCHC NĂM {criteria.year}", f.title)
    write_text(guide, 1, 0, f"{criteria.title} — {criteria.issuer.get('name', '')}", f.subtitle)
    for row, (label, value) in enumerate((("Đơn vị", f"{commune.type} {commune.name}"), ("Mã đơn vị", commune.code),
                                          ("Bộ tiêu chí", f"{criteria.id} (năm {criteria.year})"),
                                          ("Số tiêu chí đề nghị giải trình", str(len(requested)))), start=3):
        write_text(guide, row, 0, label, f.bold)
        write_text(guide, row, 1, value, f.locked)
    lines = [
        "CÁCH TRẢ LỜI",
        f"1. Trang \"{SHEET_ANSWER}\": các dòng tô vàng là tiêu chí Hội đồng đề nghị giải trình.",
        "2. Ghi nội dung giải trình; nếu có tài liệu kiểm chứng bổ sung, ghi số, ngày (dd/mm/yyyy), trích yếu, "
        "cơ quan ban hành và đường dẫn tệp (tính từ thư mục hồ sơ).",
        "3. Không thêm, xóa hay đổi thứ tự dòng, cột. Gửi lại tệp; chương trình đọc lại bằng "
        "python cli.py import --kind explanation và báo từng ô sai nếu có.",
    ]
    for offset, line in enumerate(lines, start=8):
        write_text(guide, offset, 0, line, f.bold if offset == 8 else f.plain)

    widths = {COL_LEAF: 9, COL_TITLE: 40, COL_MAX: 7, COL_SELF: 8, COL_EVIDENCE: 10, COL_APPRAISED: 10,
              COL_REASON: 40, COL_REQUESTED: 12, COL_EXPLANATION: 45, COL_NUMBER: 14, COL_DATE: 12,
              COL_DOC_TITLE: 30, COL_ISSUER: 20, COL_FILE: 30}
    _write_head(sheet, f, f"Kết quả thẩm định lần 1 của {commune.type} {commune.name} ({commune.code}): "
                          f"{len(requested)} tiêu chí đề nghị giải trình", "Chỉ nhập ở ô trắng của các dòng tô vàng.",
                HEADERS, widths, header_row=HEADER_ROW, freeze_column=COL_TITLE)
    for offset, result in enumerate(leaves):
        r = FIRST_ROW - 1 + offset
        entry = stage_entries.get(result.code)
        is_marked = result.code in requested
        style = marked if is_marked else f.locked
        write_text(sheet, r, COL_LEAF - 1, result.code, style)
        write_text(sheet, r, COL_TITLE - 1, result.leaf.title, style)
        sheet.write_number(r, COL_MAX - 1, to_number(result.leaf.max), f.locked_number)
        for column, value in ((COL_SELF, result.self_score), (COL_EVIDENCE, result.evidence_score),
                              (COL_APPRAISED, entry.score if entry else None)):
            if value is None:
                sheet.write_blank(r, column - 1, None, f.locked_number)
            else:
                sheet.write_number(r, column - 1, to_number(value), f.locked_number)
        write_text(sheet, r, COL_REASON - 1, entry.reason if entry else "", style)
        write_text(sheet, r, COL_REQUESTED - 1, REQUESTED if is_marked else "", style)
        for column in range(COL_EXPLANATION, COL_FILE + 1):
            if not is_marked:
                sheet.write_blank(r, column - 1, None, f.grey)
            elif column == COL_DATE:
                sheet.write_blank(r, column - 1, None, f.input_date)
                sheet.data_validation(r, column - 1, r, column - 1, _validation(
                    "Ngày văn bản", "Nhập ngày dạng dd/mm/yyyy.", validate="date", criteria="between",
                    minimum=dt.date(2000, 1, 1), maximum=dt.date(2100, 12, 31)))
            else:
                sheet.write_blank(r, column - 1, None, f.input_text)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    guide.activate()
    book.close()
    return buffer.getvalue()


def read_notice(path, criteria, *, sheets=None) -> ImportResult:
    """A returned notice → {"commune": code, "explanations": {leaf: {explanation, evidence}}},
    or FormError with every problem at its cell: a moved or deleted row, a date that is not a
    date, a document without number or title, an answer on a row not marked (the cells are
    locked; a copy may have lost the lock), a marked row left without an explanation."""
    shown, problems, sheets, meta = c.open_form(
        path, criteria, kind=KIND_EXPLANATION, sheets=sheets, required=(SHEET_NOTICE, SHEET_ANSWER),
        criteria_cell=f"{SHEET_NOTICE}!B6",
        not_this_kind=message("form-not-a-form", "explanation"))
    commune = meta.get("commune") or ""
    meta_sheet = sheets[c.META_SHEET]
    codes = [c.text_of(meta_sheet.value(row, 4)) for row in range(2, meta_sheet.last_row + 1)]
    codes = [code for code in codes if code]
    sheet = sheets[SHEET_ANSWER]
    explanations: dict[str, dict] = {}
    if _header_ok(sheet, HEADER_ROW, HEADERS, problems):
        found: dict[str, list[int]] = {}
        for row in range(FIRST_ROW, sheet.last_row + 1):
            code = c.text_of(sheet.value(row, COL_LEAF))
            if code is None:
                if any(not c.is_blank(sheet.value(row, col)) for col in range(COL_EXPLANATION, COL_FILE + 1)):
                    problems.add(c.cell(sheet.name, COL_LEAF, row), "form-row-unknown",
                                 message("form-row-unknown", "explanation"))
                continue
            if code not in codes:
                problems.add(c.cell(sheet.name, COL_LEAF, row), "unknown-leaf",
                             message("unknown-leaf", "explanation_form", leaf=code))
                continue
            found.setdefault(code, []).append(row)
        expected = [(code, FIRST_ROW + index) for index, code in enumerate(codes)]
        c.check_row_order(expected, found, problems, sheet.name, code_column=COL_LEAF,
                          describe=lambda key: f"tiêu chí {key}")
        for code, rows in found.items():
            answer = _read_answer(sheet, rows[0], code, problems)
            if answer is not None:
                explanations[code] = answer
    problems.raise_if_any()
    return ImportResult(KIND_EXPLANATION, {"commune": commune, "explanations": explanations}, [])


def _read_answer(sheet, row: int, code: str, problems) -> dict | None:
    name = sheet.name
    is_marked = c.text_of(sheet.value(row, COL_REQUESTED)) == REQUESTED
    values = {col: sheet.value(row, col) for col in range(COL_EXPLANATION, COL_FILE + 1)}
    if all(c.is_blank(value) for value in values.values()):
        if is_marked:
            problems.add(c.cell(name, COL_EXPLANATION, row), "form-cell-empty",
                         message("form-cell-empty", "explanation", leaf=code))
        return None
    if not is_marked:
        first = next(col for col, value in values.items() if not c.is_blank(value))
        problems.add(c.cell(name, first, row), "form-cell-invalid",
                     message("form-cell-invalid", "not_requested", leaf=code))
        return None
    explanation = c.text_of(values[COL_EXPLANATION])
    if explanation is None:
        problems.add(c.cell(name, COL_EXPLANATION, row), "form-cell-empty",
                     message("form-cell-empty", "explanation_for_document", leaf=code))
    answer = {"explanation": explanation or "", "evidence": []}
    document_cells = (COL_NUMBER, COL_DATE, COL_DOC_TITLE, COL_ISSUER, COL_FILE)
    if any(not c.is_blank(values[col]) for col in document_cells):
        document = {}
        for col, key in ((COL_NUMBER, "number"), (COL_DOC_TITLE, "title"), (COL_ISSUER, "issuer")):
            text = c.text_of(values[col])
            if text is None:
                problems.add(c.cell(name, col, row), "form-cell-empty",
                             message("form-cell-empty", "document_number", leaf=code) if key == "number" else
                             message("form-cell-empty", "document_title", leaf=code) if key == "title" else
                             message("form-cell-empty", "document_issuer", leaf=code))
            document[key] = text or ""
        try:
            document["date"] = c.date_of(values[COL_DATE]).isoformat() if not c.is_blank(values[COL_DATE]) else None
        except c.CellValueError as error:
            problems.add(c.cell(name, COL_DATE, row), error.code, error.message)
        if document.get("date") is None and c.is_blank(values[COL_DATE]):
            problems.add(c.cell(name, COL_DATE, row), "form-cell-empty", message("form-cell-empty", "document_date", leaf=code))
        file = c.text_of(values[COL_FILE])
        if file:
            document["file"] = file
        answer["evidence"].append({key: document[key] for key in ("number", "date", "title", "issuer", "file")
                                   if document.get(key) is not None})
    return answer


def apply_explanations(submission: dict, answer: dict, *, received: dt.date | None = None) -> dict:
    """The submission with each answered leaf's ``explanation_round`` set (explanation,
    supplementary documents, date received); the original claim is kept as it was. Raises
    FormUsageError when the answer is another commune's."""
    from . import FormUsageError

    if answer["commune"] != submission["commune"]["code"]:
        raise FormUsageError(f"phiếu giải trình của xã mã {answer['commune']}, hồ sơ của xã mã "
                             f"{submission['commune']['code']}")
    result = copy.deepcopy(submission)
    for code, given in answer["explanations"].items():
        entry = result["leaves"].setdefault(code, {})
        round_ = {"explanation": given["explanation"]}
        if given["evidence"]:
            round_["evidence"] = given["evidence"]
        if received is not None:
            round_["date"] = received.isoformat()
        entry["explanation_round"] = round_
    return result


def read_submission_file(path) -> dict:
    """The commune's submission the answer goes into (read exactly, schema-checked)."""
    from ..errors import InputError
    from ..files import read_json
    from ..validate import schema_issues

    parsed = read_json(Path(path))
    issues = list(parsed.issues) or (schema_issues(parsed, "submission") if parsed.data is not None else [])
    if issues:
        raise InputError(issues)
    return parsed.data
