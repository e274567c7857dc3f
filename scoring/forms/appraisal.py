"""The appraisal council's form: every commune × self-assessed leaf on one long sheet.

Layout:

* "Hướng dẫn": the criteria set (B4, locked), the council's name (B5, input) and how to fill.
* "Thẩm định": title, header on row 3, then one row per commune (in Vietnamese alphabetical
  order of names) × self-assessed leaf (criteria order), with an autofilter so the council
  can show one commune at a time. Locked: A commune code, B name, C leaf code, D title,
  E maximum, F self-score, G the score the evidence gives (the engine without appraisal),
  H warnings (missing evidence, self-score above/below, awaiting the council's judgement,
  not applicable), I the engine's explanation. Input: J score of the first appraisal,
  K its reason, L its date; M score after the commune's explanation (stage 2), N reason,
  O date. P "Đề nghị giải trình" (input, "có": the first appraisal asks the commune to
  explain this leaf; read back as the stage-1 entry's explanation_requested), Q the
  commune's explanation (locked: its submission's explanation_round, with the
  supplementary documents) for the second appraisal. Pre-filled from an existing
  appraisal file. (P and Q come after O so that forms made before them still read.)
* "_meta" (hidden): form id and version, criteria id and year, the commune codes in order.

One long sheet (rather than a sheet per commune) keeps a province's 168 communes in one
table that filters and sorts like any list.

Reading back: a score gives an entry (commune, leaf, stage, score, reason, date); a score
outside 0..max (or the deduction floor), off the leaf's step (judgement leaves), or a
score other than the previous one (the evidence score for stage 1, the stage-1 score or
else the evidence score for stage 2) without a reason is an error at its cell. A score
equal to the previous one may go without a reason: the entry then says the council agrees.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from ..writers.workbook import EXCEL_MAX_ROWS

from .. import __version__
from ..engine import FLAG_AWAITING, FLAG_MISSING_EVIDENCE, FLAG_NA, FLAG_SELF_ABOVE, FLAG_SELF_BELOW, score
from ..files import ParsedFile
from ..model import NA_EXCLUDE, Inputs
from ..writers.streamed_rows import add_streamed_sheet, close_streamed
from ..writers.xlsx_text import write_text
from ..numbers import format_points, to_hundredths, to_number
from ..validate import check_appraisal
from ..vietnamese import format_count, sort_key
from . import cells as c
from ..errors import message
from .inputs import CouncilInputs, CriteriaSource
from .self_assessment import (
    ImportResult, _header_ok, _new_book, _text, _validation, _write_head, _write_meta_sheet, form_leaves, self_score_floor,
)
from .texts import pts

SHEET_GUIDE = "Hướng dẫn"
SHEET_APPRAISAL = "Thẩm định"
GUIDE_CRITERIA_ROW, GUIDE_COUNCIL_ROW, GUIDE_APPRAISER_ROW = 4, 5, 6
HEADER_ROW, FIRST_ROW = 3, 4
(COL_COMMUNE, COL_NAME, COL_LEAF, COL_TITLE, COL_MAX, COL_SELF, COL_EVIDENCE, COL_FLAGS, COL_REASON) = range(1, 10)
STAGE_COLUMNS = {1: (10, 11, 12), 2: (13, 14, 15)}  # score, reason, date
COL_REQUEST, COL_ANSWER = 16, 17  # đề nghị giải trình (input, stage 1); the commune's explanation (shown)
HEADERS = {
    COL_COMMUNE: "Mã xã", COL_NAME: "Tên xã", COL_LEAF: "Mã tiêu chí", COL_TITLE: "Tiêu chí", COL_MAX: "Tối đa",
    COL_SELF: "Tự chấm", COL_EVIDENCE: "Theo kiểm chứng", COL_FLAGS: "Cảnh báo", COL_REASON: "Giải thích điểm kiểm chứng",
    10: "Điểm thẩm định lần 1", 11: "Lý do lần 1", 12: "Ngày lần 1",
    13: "Điểm sau giải trình", 14: "Lý do sau giải trình", 15: "Ngày sau giải trình",
    COL_REQUEST: "Đề nghị giải trình", COL_ANSWER: "Giải trình của xã",
}
STAGES = tuple(STAGE_COLUMNS)
# the data rows' columns A..Q: s text, n number or date; and their formats (_Formats' names)
ROW_KINDS = "ssssnnnss" + "nsn" * len(STAGE_COLUMNS) + "ss"
ROW_FORMATS = ("locked",) * 4 + ("locked_number",) * 3 + ("locked",) * 2 \
    + ("input_number", "input_text", "input_date") * len(STAGE_COLUMNS) + ("input_text", "locked")
AGREED = "Hội đồng thống nhất với điểm theo tài liệu kiểm chứng."
AGREED_STAGE_2 = "Hội đồng giữ nguyên điểm thẩm định lần 1."


def default_council(criteria) -> str:
    unit = criteria.issuer.get("unit_name") or criteria.issuer.get("name", "")
    return f"Hội đồng thẩm định Chỉ số CCHC {unit}".strip()


@lru_cache(maxsize=None)
def _flags_words(flags: tuple, not_applicable: str | None) -> str:
    """The "Cảnh báo" column of a leaf with these flags (a tuple of the engine's FLAG_SETS) and
    not-applicable policy, worded once per combination."""
    words = []
    if FLAG_NA in flags:
        words.append("Không áp dụng (loại khỏi điểm tối đa)" if not_applicable == NA_EXCLUDE
                     else "Không áp dụng (tính đủ điểm)")
    if FLAG_MISSING_EVIDENCE in flags:
        words.append("Thiếu tài liệu kiểm chứng")
    if FLAG_SELF_ABOVE in flags:
        words.append("Tự chấm cao hơn điểm kiểm chứng")
    if FLAG_SELF_BELOW in flags:
        words.append("Tự chấm thấp hơn điểm kiểm chứng")
    if FLAG_AWAITING in flags:
        words.append("Hội đồng chấm (tiêu chí thẩm định)")
    return "; ".join(words)


def write_appraisal_form(inputs: CouncilInputs, *, created: dt.datetime | None = None, communes_chosen=None,
                         areas=None, appraiser: str | None = None, target=None) -> bytes | None:
    """The council's appraisal form as .xlsx bytes, pre-filled from the appraisal file if any;
    with ``target`` (a path or a binary file) written there instead and None returned (a
    national form, 65 MB at 10,600 communes, is then never held whole in memory).

    Split appraisal: ``communes_chosen`` (codes) and/or ``areas`` (area codes) restrict the
    rows to those communes and the leaves of those areas; ``appraiser`` (a team or person)
    is written on the guide sheet and read back into the appraisal file. An unknown code
    or area is a FormUsageError.
    """
    from . import FormUsageError

    source = inputs.source
    criteria = source.criteria
    results = score(Inputs(criteria, inputs.submissions, None, None), facts=inputs.facts)
    communes = sorted(results.communes, key=lambda r: (sort_key(r.name), r.code))
    leaves = form_leaves(criteria)
    if communes_chosen:
        unknown = sorted(set(communes_chosen) - {r.code for r in communes})
        if unknown:
            raise FormUsageError(f"không có hồ sơ của xã mã {', '.join(unknown)}")
        communes = [r for r in communes if r.code in set(communes_chosen)]
    if areas:
        # the bonus and penalty items belong to no area: "bonus" and "penalty" choose them
        known_areas = list(dict.fromkeys(leaf.area or leaf.section for leaf in leaves))
        unknown = [area for area in areas if area not in known_areas]
        if unknown:
            raise FormUsageError(f"lĩnh vực {', '.join(unknown)} không có trên phiếu thẩm định (có: {', '.join(known_areas)})")
        leaves = [leaf for leaf in leaves if (leaf.area or leaf.section) in set(areas)]
    needed = len(communes) * len(leaves) + 10
    if needed > EXCEL_MAX_ROWS:  # xlsxwriter would silently drop the rows beyond
        def dotted(count: int) -> str:  # 1.048.576
            return f"{count:,}".replace(",", ".")
        raise FormUsageError(f"phiếu thẩm định cần {dotted(needed)} dòng ({dotted(len(communes))} đơn vị × {len(leaves)} tiêu chí), "
                             f"vượt {dotted(EXCEL_MAX_ROWS)} dòng của một trang Excel: hãy tạo phiếu cho từng nhóm xã "
                             "(--communes) hoặc từng nhóm lĩnh vực (--areas)")
    existing = {}
    if inputs.appraisal_data:
        for entry in inputs.appraisal_data["entries"]:
            existing[(entry["commune"], entry["leaf"], entry["stage"])] = entry
    council = inputs.appraisal_data["council"] if inputs.appraisal_data else default_council(criteria)

    buffer, book, f = _new_book(f"Phiếu thẩm định Chỉ số CCHC năm {criteria.year}", created, criteria.year)
    guide = book.add_worksheet(SHEET_GUIDE)
    sheet = add_streamed_sheet(book, SHEET_APPRAISAL)
    meta = book.add_worksheet(c.META_SHEET)
    pairs = [("form", c.FORM_IDS[c.KIND_APPRAISAL]), ("version", str(c.FORM_VERSION)), ("criteria_id", criteria.id),
             ("year", str(criteria.year)), ("engine_version", __version__)]
    # the communes and the leaves on this form (all, or those chosen)
    _write_meta_sheet(meta, pairs, [(3, "communes", [commune.code for commune in communes]),
                                    (5, "leaves", [leaf.code for leaf in leaves])])

    _write_guide(guide, f, criteria, council, appraiser or (inputs.appraisal_data or {}).get("appraiser") or "")
    widths = {COL_COMMUNE: 8, COL_NAME: 16, COL_LEAF: 9, COL_TITLE: 40, COL_MAX: 7, COL_SELF: 8, COL_EVIDENCE: 10,
              COL_FLAGS: 28, COL_REASON: 45, 10: 11, 11: 36, 12: 12, 13: 11, 14: 36, 15: 12,
              COL_REQUEST: 11, COL_ANSWER: 45}
    scope = f", lĩnh vực {', '.join(dict.fromkeys(leaf.area or leaf.section for leaf in leaves))}" if areas else ""
    _write_head(sheet, f, f"Thẩm định Chỉ số CCHC năm {criteria.year}: {format_count(len(communes))} đơn vị{scope}"
                + (f" ({appraiser})" if appraiser else ""),
                "Nhập điểm, lý do và ngày ở ô trắng. Lọc theo cột Mã xã để xem từng đơn vị.", HEADERS, widths,
                header_row=HEADER_ROW, freeze_column=COL_TITLE)
    # the rows stream (scoring.writers.streamed_rows): one number per cell until the package
    # is zipped, a commune's leaf results built, used and dropped (issue 19)
    sheet.stream_rows(FIRST_ROW - 1, ROW_KINDS, [getattr(f, name) for name in ROW_FORMATS])
    r = FIRST_ROW - 1
    leaf_rows: dict[str, list[int]] = {code: [] for code in dict.fromkeys(leaf.code for leaf in leaves)}
    leaf_cells = [(leaf.code, leaf.title, to_number(leaf.max), leaf_rows[leaf.code]) for leaf in leaves]
    column_of = {leaf.code: column for column, leaf in enumerate(criteria.leaves)}
    columns = [column_of[leaf.code] for leaf in leaves]
    add_row, date_number = sheet.add_row, sheet.date_number
    for commune in communes:
        fields = commune.leaf_fields(columns)  # leaf_results' fields, no LeafResult per leaf
        for (code, title, maximum, rows), (raw, self_score, evidence_score, na, flags, reason) in zip(leaf_cells, fields):
            values = [commune.code, commune.name, code, title, maximum,
                      None if self_score is None else to_number(self_score), to_number(evidence_score or 0),
                      _flags_words(flags, na), reason]
            rows.append(r)
            for stage in STAGES:
                entry = existing.get((commune.code, code, stage))
                if entry is None:
                    values += (None, None, None)
                else:
                    values += (to_number(to_hundredths(entry["score"])), entry["reason"],
                               date_number(dt.datetime.fromisoformat(entry["date"])) if entry.get("date") else None)
            asked = (existing.get((commune.code, code, 1)) or {}).get("explanation_requested")
            values += (c.YES if asked else None, answer_text(raw))
            add_row(values)
            r += 1
    last = r - 1
    score_letters = [c.column_letter(cols[0]) for cols in STAGE_COLUMNS.values()]
    for leaf in leaves:  # one validation per leaf over all its score cells (a province has 100s of communes)
        rows = leaf_rows.get(leaf.code)
        if not rows:
            continue
        floor = self_score_floor(leaf)
        step = f", theo bước {pts(leaf.rule.step)}" if leaf.rule.step else ""
        cells_text = " ".join(f"{letter}{row + 1}" for row in rows for letter in score_letters)
        sheet.data_validation(rows[0], STAGE_COLUMNS[1][0] - 1, rows[0], STAGE_COLUMNS[1][0] - 1, _validation(
            f"Điểm thẩm định {leaf.code}", f"Từ {pts(floor)} đến {pts(leaf.max)} điểm{step}. "
            "Khác điểm trước đó thì phải ghi lý do.", validate="decimal", criteria="between",
            minimum=to_number(floor), maximum=to_number(leaf.max), multi_range=cells_text))
    if last >= FIRST_ROW - 1:
        sheet.data_validation(FIRST_ROW - 1, COL_REQUEST - 1, last, COL_REQUEST - 1, _validation(
            "Đề nghị giải trình", f"Ghi '{c.YES}' nếu Hội đồng đề nghị xã giải trình tiêu chí này (cần điểm lần 1).",
            validate="list", source=[c.YES, c.NO]))
        for _, _, date_col in STAGE_COLUMNS.values():
            sheet.data_validation(FIRST_ROW - 1, date_col - 1, last, date_col - 1, _validation(
                "Ngày thẩm định", "Nhập ngày dạng dd/mm/yyyy (không bắt buộc).", validate="date", criteria="between",
                minimum=dt.date(2000, 1, 1), maximum=dt.date(2100, 12, 31)))
    sheet.autofilter(HEADER_ROW - 1, 0, max(last, HEADER_ROW - 1), len(HEADERS) - 1)
    sheet.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})
    guide.activate()
    return close_streamed(book, buffer, target)


def answer_text(raw) -> str:
    """The commune's explanation of a leaf after the first appraisal (its submission's
    explanation_round), with its supplementary documents, as one text ("" when none)."""
    answer = (raw or {}).get("explanation_round")
    if not answer:
        return ""
    documents = [f"{d['number']} ngày {dt.date.fromisoformat(str(d['date'])):%d/%m/%Y}: {d['title']}"
                 for d in answer.get("evidence") or ()]
    return answer["explanation"] + (f" (tài liệu bổ sung: {'; '.join(documents)})" if documents else "")


def _write_guide(guide, f, criteria, council: str, appraiser: str = "") -> None:
    guide.set_column(0, 0, 30)
    guide.set_column(1, 1, 90)
    write_text(guide, 0, 0, f"PHIẾU THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ NĂM {criteria.year}", f.title)
    write_text(guide, 1, 0, f"{criteria.title} — {criteria.issuer.get('name', '')}", f.subtitle)
    write_text(guide, GUIDE_CRITERIA_ROW - 1, 0, "Bộ tiêu chí", f.bold)
    write_text(guide, GUIDE_CRITERIA_ROW - 1, 1, f"{criteria.id} (năm {criteria.year})", f.locked)
    write_text(guide, GUIDE_COUNCIL_ROW - 1, 0, "Hội đồng thẩm định", f.bold)
    _text(guide, GUIDE_COUNCIL_ROW - 1, 1, council, f.input_text)
    write_text(guide, GUIDE_APPRAISER_ROW - 1, 0, "Người (tổ) thẩm định", f.bold)
    _text(guide, GUIDE_APPRAISER_ROW - 1, 1, appraiser, f.input_text)
    lines = [
        "CÁCH ĐIỀN PHIẾU",
        f"1. Trang \"{SHEET_APPRAISAL}\": mỗi dòng là một tiêu chí của một đơn vị. Cột \"Theo kiểm chứng\" là điểm "
        "chương trình tính từ số liệu và tài liệu kiểm chứng của xã; cột \"Cảnh báo\" nêu điều cần xem.",
        "2. Thẩm định lần 1: nhập điểm ở cột \"Điểm thẩm định lần 1\". Điểm khác điểm theo kiểm chứng thì phải ghi lý do. "
        "Để trống: giữ điểm theo kiểm chứng.",
        "3. Đề nghị xã giải trình: ghi \"có\" ở cột \"Đề nghị giải trình\" (cần điểm lần 1). Sau giải trình của xã "
        "(cột \"Giải trình của xã\"): nhập ở các cột \"sau giải trình\"; điểm khác lần 1 thì phải ghi lý do.",
        "4. Điểm từ 0 đến điểm tối đa, tối đa hai chữ số thập phân; tiêu chí thẩm định chấm theo bước của tiêu chí.",
        "5. Ngày: dd/mm/yyyy, không bắt buộc.",
        "6. Không thêm, xóa hay đổi thứ tự dòng, cột. Chương trình đọc lại phiếu (python cli.py import) "
        "và báo từng ô sai nếu có.",
    ]
    for offset, line in enumerate(lines):
        row = GUIDE_COUNCIL_ROW + 1 + offset
        if offset == 0:
            write_text(guide, row, 0, line, f.bold)
        else:
            guide.merge_range(row, 0, row, 1, line, f.plain)
            guide.set_row(row, 15 * (len(line) // 110 + 1) + 3)
    guide.protect()


# ---------------------------------------------------------------- reading


def read_appraisal_form(path, source: CriteriaSource, *, sheets=None) -> ImportResult:
    """A filled appraisal form → the appraisal document, or FormError with every problem at its cell."""
    path = Path(path)
    criteria = source.criteria
    shown, problems, sheets, meta = c.open_form(
        path, criteria, kind=c.KIND_APPRAISAL, sheets=sheets, required=(SHEET_GUIDE, SHEET_APPRAISAL),
        criteria_cell=f"{SHEET_GUIDE}!B{GUIDE_CRITERIA_ROW}",
        not_this_kind=message("form-not-a-form", "appraisal"))
    council_at = f"{SHEET_GUIDE}!B{GUIDE_COUNCIL_ROW}"
    council = c.text_of(sheets[SHEET_GUIDE].value(GUIDE_COUNCIL_ROW, 2))
    if council is None:
        problems.add(council_at, "form-cell-empty", message("form-cell-empty", "council"))
    meta_sheet = sheets[c.META_SHEET]
    communes = [c.text_of(meta_sheet.value(row, 4)) for row in range(2, meta_sheet.last_row + 1)]
    communes = [code for code in communes if code]
    leaves = form_leaves(criteria)
    on_form = [c.text_of(meta_sheet.value(row, 6)) for row in range(2, meta_sheet.last_row + 1)]
    if c.text_of(meta_sheet.value(1, 6)) == "leaves":  # a split form: only the leaves it was made with
        on_form = {code for code in on_form if code}
        leaves = [leaf for leaf in leaves if leaf.code in on_form]
    appraiser = c.text_of(sheets[SHEET_GUIDE].value(GUIDE_APPRAISER_ROW, 2))
    sheet = sheets[SHEET_APPRAISAL]
    entries: list[dict] = []
    locations = {"": council_at, "/council": council_at, "/criteria_id": f"{SHEET_GUIDE}!B{GUIDE_CRITERIA_ROW}",
                 "/year": f"{SHEET_GUIDE}!B{GUIDE_CRITERIA_ROW}", "/entries": f"{SHEET_APPRAISAL}!A{HEADER_ROW}"}
    has_request = not c.is_blank(sheet.value(HEADER_ROW, COL_REQUEST))  # forms made before the column have none
    headers = HEADERS if has_request else {k: v for k, v in HEADERS.items() if k < COL_REQUEST}
    if _header_ok(sheet, HEADER_ROW, headers, problems):
        found: dict[tuple, list[int]] = {}
        known = set(communes)
        for row in range(FIRST_ROW, sheet.last_row + 1):
            commune = c.text_of(sheet.value(row, COL_COMMUNE))
            code = c.text_of(sheet.value(row, COL_LEAF))
            if commune is None and code is None:
                if any(not c.is_blank(sheet.value(row, col)) for cols in STAGE_COLUMNS.values() for col in cols):
                    problems.add(c.cell(sheet.name, COL_COMMUNE, row), "form-row-unknown",
                                 message("form-row-unknown", "appraisal"))
                continue
            leaf = criteria.leaf(code) if code else None
            if commune not in known:
                problems.add(c.cell(sheet.name, COL_COMMUNE, row), "unknown-commune",
                             message("unknown-commune", "form", commune=commune or ''))
                continue
            if leaf is None or leaf not in leaves:
                problems.add(c.cell(sheet.name, COL_LEAF, row), "unknown-leaf",
                             message("unknown-leaf", "appraisal_form", leaf=code or '', criteria=criteria.id))
                continue
            found.setdefault((commune, code), []).append(row)
        keys = [(commune, leaf.code) for commune in communes for leaf in leaves]
        expected = [(key, FIRST_ROW + index) for index, key in enumerate(keys)]
        c.check_row_order(expected, found, problems, sheet.name, code_column=COL_LEAF,
                          describe=lambda key: f"xã {key[0]}, tiêu chí {key[1]}")
        for (commune, code), rows in sorted(found.items(), key=lambda item: item[1][0]):
            entries += _read_row(sheet, rows[0], commune, criteria.leaf(code), problems, locations, len(entries),
                                 has_request)
    document = {"criteria_id": criteria.id, "year": criteria.year, "council": council or "", "entries": entries}
    if appraiser:
        document = {"criteria_id": criteria.id, "year": criteria.year, "council": council or "",
                    "appraiser": appraiser, "entries": entries}
        locations["/appraiser"] = f"{SHEET_GUIDE}!B{GUIDE_APPRAISER_ROW}"
    if not problems:
        found_issues = check_appraisal(ParsedFile(shown, document, "", ()), criteria, None)
        c.map_issues(found_issues, problems, locations, council_at)
    problems.raise_if_any()
    return ImportResult(c.KIND_APPRAISAL, document, [])


def _read_row(sheet: c.SheetData, row: int, commune: str, leaf, problems: c.Problems, locations: dict,
              first_index: int, has_request: bool = False) -> list[dict]:
    name = sheet.name
    evidence = None
    try:
        if not c.is_blank(sheet.value(row, COL_EVIDENCE)):
            evidence = to_hundredths(c.points_of(sheet.value(row, COL_EVIDENCE)))
    except c.CellValueError as error:
        problems.add(c.cell(name, COL_EVIDENCE, row), error.code, error.message)
    entries = []
    previous = evidence
    for stage, (score_col, reason_col, date_col) in STAGE_COLUMNS.items():
        raw_score, raw_reason, raw_date = (sheet.value(row, col) for col in (score_col, reason_col, date_col))
        at_score, at_reason, at_date = (c.cell(name, col, row) for col in (score_col, reason_col, date_col))
        if c.is_blank(raw_score):
            if not c.is_blank(raw_reason) or not c.is_blank(raw_date):
                problems.add(at_score, "appraisal-score-missing",
                             message("appraisal-score-missing", commune=commune, leaf=leaf.code))
            continue
        try:
            value = c.points_of(raw_score)
        except c.CellValueError as error:
            problems.add(at_score, error.code, error.message)
            continue
        hundredths = to_hundredths(value)
        floor = self_score_floor(leaf)
        if hundredths > leaf.max:
            problems.add(at_score, "score-above-max",
                         message("score-above-max", score=format_points(hundredths, decimals=0), max=pts(leaf.max), leaf=leaf.code))
        elif hundredths < floor:
            problems.add(at_score, "score-below-min",
                         message("score-below-min", score=format_points(hundredths, decimals=0), floor=pts(floor)))
        elif leaf.rule.step and hundredths % leaf.rule.step:
            problems.add(at_score, "score-off-step", message("score-off-step", leaf=leaf.code, step=pts(leaf.rule.step)))
        reason = c.text_of(raw_reason)
        if reason is None and problems.has(at_score):
            reason = ""  # the score itself is wrong: that is the problem to fix first
        elif reason is None:
            if previous is not None and hundredths == previous:
                reason = AGREED_STAGE_2 if stage == 2 and entries else AGREED
            else:
                shown_before = "" if previous is None else f" ({pts(previous)})"
                problems.add(at_reason, "appraisal-reason-missing",
                             message("appraisal-reason-missing", None if stage == 1 or not entries else "stage_2",
                                     score=format_points(hundredths, decimals=0), previous=shown_before))
        entry = {"commune": commune, "leaf": leaf.code, "stage": stage, "score": value, "reason": reason or ""}
        if not c.is_blank(raw_date):
            try:
                entry["date"] = c.date_of(raw_date).isoformat()
            except c.CellValueError as error:
                problems.add(at_date, error.code, error.message)
        base = f"/entries/{first_index + len(entries)}"
        locations[base] = at_score
        locations[base + "/score"] = at_score
        locations[base + "/reason"] = at_reason
        locations[base + "/date"] = at_date
        locations[base + "/commune"] = c.cell(name, COL_COMMUNE, row)
        locations[base + "/leaf"] = c.cell(name, COL_LEAF, row)
        entries.append(entry)
        previous = hundredths
    if has_request:
        _read_request(sheet, row, commune, leaf, entries, problems, locations, first_index)
    return entries


def _read_request(sheet, row, commune, leaf, entries, problems, locations, first_index) -> None:
    """Column P: "có" marks the row's stage-1 entry explanation_requested; "có" without a
    first-appraisal score is an error (the council asks about a score it has given)."""
    at = c.cell(sheet.name, COL_REQUEST, row)
    raw = sheet.value(row, COL_REQUEST)
    if c.is_blank(raw):
        return
    try:
        if not c.yes_no_of(raw):
            return
    except c.CellValueError as error:
        return problems.add(at, error.code, error.message)
    first = next((index for index, entry in enumerate(entries) if entry["stage"] == 1), None)
    if first is None:
        problems.add(at, "appraisal-score-missing",
                     message("appraisal-score-missing", "request", commune=commune, leaf=leaf.code))
        return
    entries[first]["explanation_requested"] = True
    locations[f"/entries/{first_index + first}/explanation_requested"] = at
