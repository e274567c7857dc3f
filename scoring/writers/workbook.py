"""The ranked Excel workbook: a pure function of the results document (results.json).

``write_workbook(results, path)`` writes one .xlsx that a Home Affairs officer can open,
print and work from, and whose numbers equal the results JSON exactly (every point and
index is written as the number found in the results, never recomputed from floats; the
only computed numbers, the averages of the "Bình quân" row, are exact half-up means of
hundredths via ``scoring.numbers.round_half_up``).

Sheets, in this order:

- **Xếp hạng**: one row per commune in the results' order (block, rank, code), with a
  sub-heading row ("I. Khối xã") per ranking block when the criteria set has several
  blocks; STT runs on across blocks (a unique row number for filtering), the rank restarts.
- **Theo lĩnh vực**: communes × areas (points and sub-index), then the rows "Bình quân"
  (half-up mean over the communes; a sub-index mean is over the communes for which the
  area's index is not null) and "Cao nhất" (the commune(s) with the highest sub-index, ties
  listed in Vietnamese alphabetical order). The last two columns do the same for the total
  and the whole index.
- **Theo tiêu chí**: per commune, the survey index and its rank within the block, then every
  criterion's points, applicable maximum and index (scoring/writers/figures_sheet.py; issue 13).
- **Chi tiết**: one row per commune × leaf (see the large-run policy below).
- **Tự chấm khác kết quả**: exactly the leaves of ``flags.self_above ∪ flags.self_below``,
  largest |final − self| first, then commune code, then leaf code (natural order).
- **Thiếu kiểm chứng**: exactly the leaves of ``flags.missing_evidence``, by commune code
  then leaf code.
- **Biểu đồ**: the charts and, beside them, the cells they read.
- **Thông tin**: criteria set, legal source, engine, time of the run, every input with its
  sha256, and how to read the workbook.
- one sheet per commune (small runs only, see below), named from the commune's name.

Decisions:

- **Injection safety.** The workbook is opened with ``strings_to_formulas``,
  ``strings_to_numbers`` and ``strings_to_urls`` off and every string is written with
  ``write_string`` through :func:`scoring.writers.xlsx_text.write_text`. No formula is written anywhere. xlsxwriter
  (3.3.1) has one more trap: a string that starts with ``<r>`` and ends with ``</r>`` is
  copied into the XML *unescaped*, as if it were rich text it had built itself; with inline
  strings this lets input inject any cell, a formula included. :func:`scoring.writers.xlsx_text.write_text` writes
  such a string as three plain rich-text runs instead, which xlsxwriter escapes, so the cell
  holds exactly the input text.
- **Memory: constant_memory mode, always.** Each sheet is written strictly row by row
  (xlsxwriter then streams rows to disk and keeps no cell table; strings are inline). This
  keeps a national run's memory flat (measured: 1.4 M cells take 21 MB instead of 200 MB,
  for ~15 % more time). The price is that rows cannot be revisited and merge_range/add_table
  are unavailable: summaries are computed before their rows are written, two-row headers
  use "center across selection" instead of merged cells, and the chart sheet buffers its
  few cells and writes them in row order. xlsxwriter's temporary files live in a private
  folder beside the output and are removed even when writing fails.
- **Large runs.** The "Chi tiết" sheet is written when the run has at most
  ``DETAIL_SHEET_MAX_COMMUNES`` (200) communes: every district and every post-2025
  province (≤ 168 communes, ~17k rows). Above it (the national layout, issue 19) the
  workbook is written by a forked process from the light document (flagged leaves only),
  "Chi tiết" is left out ("Thông tin" says so and points to ``python cli.py explain MÃ_XÃ``)
  and the two leaf lists, "Tự chấm khác kết quả" (~98k rows at 3,321 communes) and "Thiếu
  kiểm chứng", go to companion CSV files of the same output set (``lists_csv``,
  scoring/writers/national_lists.py); their sheets say which file and how many rows per
  ranking block. Why 200 and not 1,000 (the threshold until issue 19): a sheet written
  below a threshold and not above makes the run's cost fall there by the sheet's cost;
  "Chi tiết" cost ~20 ms of CPU per commune (100 leaves: 1,500 cells; measured 25 CPU-s
  at 1,000 communes, when the whole national run at 1,001 took 12.5), so the threshold is
  put where that fall is smallest while every province keeps its detail sheet. Since its
  rows are written whole (below) it costs ~3.5 ms per commune (0.7 CPU-s at 200): the fall
  at 201 is smaller but still there (README, "The cliffs that remain").
  ``detail_sheet=True/False`` overrides. Per-commune sheets: when ``per_commune_sheets`` is
  None, only for runs of at most ``PER_COMMUNE_SHEETS_MAX`` (30) communes.
- **Row heights** are measured once per distinct word and per distinct (text, column)
  width (memoised: 40 % of a national workbook's time went to measuring the same titles
  and names again); the figures, hence the bytes, are those of measuring afresh.
- **Long sheets' rows are written whole** (scoring/writers/fast_rows.py: "Chi tiết", the
  leaf lists, the per-commune sheets, "Xếp hạng", "Theo lĩnh vực", "Theo tiêu chí"):
  xlsxwriter's per-cell path was ~80 % of "Chi tiết"'s time; a row given whole becomes its
  XML at once and is flushed where xlsxwriter flushes rows, so the bytes are the same
  (tests/test_fast_rows.py). A leaf's facts, evidence and reason are worded once for
  "Chi tiết" and its commune's sheet.
- **Charts.** Index by commune: horizontal bars sorted by index (highest first, then code);
  with more than ``CHART_ALL_COMMUNES_MAX`` (60) communes, two charts of the 30 highest and
  the 30 lowest (the data table beside them still lists every commune). Communes per band:
  a column chart from ``summary.bands`` in the criteria's band order, bars in the band
  colours. Area sub-indices: a radar chart (clustered columns when there are fewer than 3
  areas) of the average ("Bình quân", the same numbers as on "Theo lĩnh vực") against the
  *selected commune*, which is the first commune of the results (rank 1 of the first
  block).
- **Reproducible.** The workbook's creation time is ``generated_at`` (converted to UTC);
  xlsxwriter stamps the zip members with a fixed 1980 date, so the same results give
  byte-identical files.
- Dates are shown dd/mm/yyyy; lists sorted by name use the Vietnamese collation
  (``scoring.vietnamese.sort_key``).
"""

from __future__ import annotations

import functools
import re
import tempfile
import unicodedata
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from scoring.numbers import format_points, from_number, round_half_up, to_number
from scoring.provisional import MARK, banner
from scoring.report import UNDEFINED_INDEX
from scoring.vietnamese import format_count, format_date, roman, sort_key
from scoring.writers.atomic import write_atomic
from scoring.writers.comparison_sheet import SHEET_COMPARISON, write_comparison_sheet
from scoring.writers.figures_sheet import SHEET_CRITERIA, write_figures_sheet
from scoring.writers.fast_rows import write_num as _write_num, write_row
from scoring.writers.national_lists import list_to_csv
from scoring.writers import sheet_limits
from scoring.writers.sheet_limits import guard, output_label, part_names, part_ranges
from scoring.writers.xlsx_text import truncate_utf16, write_text

EXCEL_MAX_ROWS = 1_048_576   # Excel's limits: beyond them a cell is silently not written
EXCEL_MAX_COLUMNS = 16_384
MAX_AREAS = (EXCEL_MAX_COLUMNS - 6) // 2  # "Theo lĩnh vực": 4 columns, 2 per area, 2 for the whole index
MAX_COMMUNES = EXCEL_MAX_ROWS - 20        # the ranking: one row per commune below its header


def excel_limit_issues(criteria, criteria_file: str, communes: int, detail_sheet: bool = False) -> list:
    """What the workbook could not hold, as input problems (code excel-limit), checked before
    anything is written: more areas than "Theo lĩnh vực" has columns, more communes than
    the ranking has rows, and with ``detail_sheet`` (a layout that has "Chi tiết", asked for)
    more communes × leaves than its rows. (When the sheet is chosen by the number of
    communes, render_workbook leaves it out instead; sheet names are cut to 31 characters
    by _sheet_name.)"""
    from scoring.errors import Issue, message

    found = []
    if len(criteria.areas) > MAX_AREAS:
        found.append(Issue(criteria_file, "/areas", "excel-limit",
                           message("excel-limit", areas=format_count(len(criteria.areas)), max_areas=format_count(MAX_AREAS),
                                   max_columns=format_count(EXCEL_MAX_COLUMNS))))
    if communes > MAX_COMMUNES:
        found.append(Issue(criteria_file, "", "excel-limit",
                           message("excel-limit", "rows", communes=format_count(communes), max_rows=format_count(EXCEL_MAX_ROWS))))
    elif detail_sheet and not detail_fits(communes, len(criteria.leaves)):
        found.append(Issue(criteria_file, "", "excel-limit",
                           message("excel-limit", "detail", communes=format_count(communes),
                                   rows=format_count(communes * len(criteria.leaves)), max_rows=format_count(EXCEL_MAX_ROWS))))
    return found


def detail_fits(communes: int, leaves: int) -> bool:
    """Whether "Chi tiết" (one row per commune × leaf, below its header) fits one Excel sheet."""
    return communes * leaves < EXCEL_MAX_ROWS - 10


PER_COMMUNE_SHEETS_MAX = 30
DETAIL_SHEET_MAX_COMMUNES = 200  # issue 19: the cliff (see the module docstring)
CHART_ALL_COMMUNES_MAX = 60
CHART_TOP_BOTTOM = 30
# The chart sheet prints at 100 % on landscape A4: 1,036 pixels across and 659 down between
# the margins; charts are kept a little inside both.
CHART_WIDTH_PX = 920
CHART_PAGE_PX = 610

SHEET_RANKING = "Xếp hạng"
SHEET_AREAS = "Theo lĩnh vực"
SHEET_DETAIL = "Chi tiết"
SHEET_SELF = "Tự chấm khác kết quả"
SHEET_MISSING = "Thiếu kiểm chứng"
SHEET_CHARTS = "Biểu đồ"
SHEET_ABOUT = "Thông tin"
FIXED_SHEETS = (SHEET_RANKING, SHEET_AREAS, SHEET_CRITERIA, SHEET_DETAIL, SHEET_SELF, SHEET_MISSING, SHEET_CHARTS,
                SHEET_ABOUT)

RANKING_HEADERS = (
    "STT", "Mã xã", "Tên đơn vị", "Loại hình", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm ĐTXHH",
    "Điểm thưởng/trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại",
)
RANKING_WIDTHS = (5, 8, 26, 9, 10, 10, 10, 10, 10, 10, 10, 8, 12)
RANKING_HEADER_ROW = 5
RANKING_INDEX_COL = 10

DETAIL_HEADERS = (
    "Mã xã", "Tên đơn vị", "Mã tiêu chí", "Tiêu chí", "Lĩnh vực", "Điểm tối đa", "Số liệu báo cáo",
    "Điểm theo kiểm chứng", "Điểm tự chấm", "Điểm thẩm định", "Điểm cuối cùng", "Không áp dụng",
    "Tài liệu kiểm chứng", "Lý do", "Căn cứ pháp lý",
)
SELF_HEADERS = (
    "STT", "Mã xã", "Tên đơn vị", "Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm",
    "Điểm cuối cùng", "Chênh lệch (cuối cùng − tự chấm)", "Lý do",
)
MISSING_HEADERS = (
    "STT", "Mã xã", "Tên đơn vị", "Mã tiêu chí", "Tiêu chí", "Điểm tối đa", "Điểm tự chấm",
    "Điểm cuối cùng", "Lý do",
)
LIST_HEADER_ROW = 3

NOT_APPLICABLE_LABELS = {"exclude": "Loại khỏi điểm tối đa", "full": "Tính đủ điểm"}
SECTION_LABELS = {"bonus": "Điểm thưởng", "penalty": "Điểm trừ", "survey": "Điều tra xã hội học"}
ROLE_LABELS = {
    "criteria": "Bộ tiêu chí",
    "framework": "Bộ khung (bộ tiêu chí được xây dựng trên đó)",
    "submission": "Hồ sơ tự đánh giá",
    "appraisal": "Kết quả thẩm định",
    "survey": "Kết quả điều tra xã hội học",
    "registry": "Danh sách đơn vị",
}
TIE_BREAK_LABELS = {
    "survey": "điểm ĐTXHH cao hơn",
    "total": "tổng điểm cao hơn",
    "appraised": "điểm thẩm định cao hơn",
    "fewer_missing_evidence": "ít tiêu chí thiếu kiểm chứng hơn",
}

_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


# ---------------------------------------------------------------------------------------
# The entry point


def write_workbook(
    results: dict,
    path,
    *,
    force: bool = False,
    per_commune_sheets: bool | None = None,
    detail_sheet: bool | None = None,
) -> Path:
    """Write the ranked workbook of ``results`` (the parsed results.json) to ``path``.

    Written atomically through ``write_atomic``: an existing ``path`` is replaced only with
    ``force`` (else ``OutputExists``), and a failure leaves neither a partial workbook nor
    temporary files. ``per_commune_sheets`` / ``detail_sheet``: None chooses by the number of
    communes (≤ 30 for the per-commune sheets, ≤ DETAIL_SHEET_MAX_COMMUNES for "Chi tiết"). The same results
    always give the same bytes (the creation time is ``results["generated_at"]``).
    Returns the path written.
    """
    _created_time(results["generated_at"])  # a bad time fails before anything is touched

    def produce(tmp_path: Path) -> None:
        render_workbook(results, tmp_path, per_commune_sheets=per_commune_sheets, detail_sheet=detail_sheet)

    return write_atomic(path, produce, force=force)


def render_workbook(
    results: dict,
    target,
    *,
    per_commune_sheets: bool | None = None,
    detail_sheet: bool | None = None,
    lists_csv: dict | None = None,
) -> None:
    """Write the workbook to ``target`` directly (not atomic, replaces it): the ``produce``
    step for ``write_atomic`` / ``write_all_atomic``. Options as in :func:`write_workbook`.

    ``lists_csv`` (the national layout, issue 19): {SHEET_SELF or SHEET_MISSING: (path,
    shown name)}; each list named is written to that companion CSV (scoring/writers/list_csv.py)
    instead of its sheet, and the sheet says where it is and how many rows each block has.

    xlsxwriter's own temporary files go to a private folder beside ``target``, removed
    afterwards even when writing fails.
    """
    target = Path(target)
    created = _created_time(results["generated_at"])
    count = len(results["communes"])
    if per_commune_sheets is None:
        per_commune_sheets = count <= PER_COMMUNE_SHEETS_MAX
    if detail_sheet is None:
        leaves = len(results["communes"][0]["leaves"]) if count and "leaves" in results["communes"][0] else 0
        # one row per commune × leaf: never past Excel's last row (explain CODE gives any commune's detail)
        detail_sheet = count <= DETAIL_SHEET_MAX_COMMUNES and detail_fits(count, leaves)
    # xlsxwriter's row files go to the system's temporary folder: a killed run must not leave
    # them in the output folder
    with tempfile.TemporaryDirectory(prefix="cchc-xlsx-", ignore_cleanup_errors=True) as tmpdir:
        _Builder(results, created, per_commune_sheets, detail_sheet, lists_csv).build(target, tmpdir)


def _created_time(generated_at: str) -> datetime:
    """results["generated_at"] (ISO 8601) → the workbook's creation time, in UTC when zoned."""
    try:
        moment = datetime.fromisoformat(generated_at)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"generated_at không phải thời điểm ISO 8601: {generated_at!r}") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment


# ---------------------------------------------------------------------------------------
# Cell writing


_HUNDREDTHS: dict = {}


def _hundredths(value):
    """from_number, memoised (a run has a few hundred distinct point values, met ~10⁵ times)."""
    if value is None:
        return None
    found = _HUNDREDTHS.get(value)
    if found is None:
        if len(_HUNDREDTHS) >= _MEMO_MAX:
            _HUNDREDTHS.clear()
        found = _HUNDREDTHS[value] = from_number(value)
    return found


def _mean(values):
    """Exact half-up mean of numbers given in hundredths (None for an empty list), as a number."""
    if not values:
        return None
    return to_number(round_half_up(sum(values), len(values)))


@functools.lru_cache(maxsize=4096)
def _leaf_key(code: str) -> tuple:
    """Natural order of leaf codes: 1.2 < 1.10 < T.1."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in str(code).split("."))


def _plain_number(value) -> str:
    """A reported number as Vietnamese text: 1234 → "1.234", 12.5 → "12,5"."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_count(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        whole, _, frac = text.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = format_count(int(whole.lstrip('-') or 0))
        return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"
    return str(value)


def _value_text(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value_text(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(item) for item in value)
    if isinstance(value, (int, float, Decimal)):
        return _plain_number(value)
    return str(value)


def facts_text(facts) -> str:
    """The facts a commune reported, as readable text: "212/215", "Đã thực hiện", "Số vi phạm: 1"."""
    if not facts:
        return ""
    remaining = dict(facts)
    parts = []
    if "numerator" in remaining or "denominator" in remaining:
        numerator, denominator = remaining.pop("numerator", None), remaining.pop("denominator", None)
        parts.append(f"{_value_text(numerator) if numerator is not None else '?'}/"
                     f"{_value_text(denominator) if denominator is not None else '?'}")
    if "done" in remaining:
        parts.append("Đã thực hiện" if remaining.pop("done") else "Chưa thực hiện")
    if "choice" in remaining:  # the option's label (results.json gives it beside the internal code)
        code, label = remaining.pop("choice"), remaining.pop("choice_label", None)
        parts.append(f"Lựa chọn: {_value_text(label if label is not None else code)}")
    if "value" in remaining:
        parts.append(f"Giá trị: {_value_text(remaining.pop('value'))}")
    if "violations" in remaining:
        parts.append(f"Số vi phạm: {_value_text(remaining.pop('violations'))}")
    if "count" in remaining:
        parts.append(f"Số lượng: {_value_text(remaining.pop('count'))}")
    if isinstance(remaining.get("conditions"), dict):  # issue 13: each condition by its label, có/không
        labels = remaining.pop("condition_labels", None) or {}
        parts.extend(f"{_value_text(labels.get(key, key))}: {'có' if held is True else 'không'}"
                     for key, held in remaining.pop("conditions").items())
    if "tallies" in remaining:
        tallies = remaining.pop("tallies")
        if isinstance(tallies, dict):
            parts.append("Số phiếu: " + ", ".join(f"{key}: {_value_text(tallies[key])}" for key in sorted(tallies)))
        else:
            parts.append(f"Số phiếu: {_value_text(tallies)}")
    for key in sorted(remaining):
        parts.append(f"{key}: {_value_text(remaining[key])}")
    return "; ".join(parts)


def _date_text(value) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_date(value)
    return "" if value is None else str(value)


def evidence_text(documents) -> str:
    """Evidence documents as officials cite them: "04/KH-UBND ngày 09/01/2023; …"."""
    parts = []
    for document in documents or []:
        if not isinstance(document, dict):
            parts.append(str(document))
            continue
        label = document.get("number") or document.get("title") or ""
        date = _date_text(document.get("date"))
        text = f"{label} ngày {date}" if label and date else (label or date)
        parts.append(f"{text} (kỳ {document['period']})" if text and document.get("period") else text)
    return "; ".join(part for part in parts if part)


def reason_text(leaf: dict) -> str:
    """The leaf's reason, with the council's own words when the reason does not quote them."""
    reason = leaf.get("reason") or ""
    appraisal = leaf.get("appraisal_reason")
    if appraisal and appraisal.strip().rstrip(".").strip() not in reason:
        stage = leaf.get("appraisal_stage")
        label = f"Thẩm định lần {stage}" if stage else "Thẩm định"
        reason = f"{reason} ({label}: {appraisal})" if reason else f"{label}: {appraisal}"
    return reason


def _header_footer_text(text: str, limit: int = 200) -> str:
    """Text for a page header/footer: '&' is a control character there."""
    text = "".join(char for char in text if char.isprintable())
    return truncate_utf16(text, limit).replace("&", "&&")


def _font_for(color: str) -> str:
    """Black or white text, whichever reads better on ``color`` (#RRGGBB)."""
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#FFFFFF" if 0.299 * red + 0.587 * green + 0.114 * blue < 150 else "#000000"


def _valid_color(color) -> bool:
    return isinstance(color, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", color) is not None


def _sheet_name(name: str, code: str, used: set) -> str:
    """A unique, valid sheet name from a commune name (≤ 31 characters, no []:*?/\\)."""
    base = unicodedata.normalize("NFC", _SHEET_NAME_BAD.sub("-", str(name)))
    base = " ".join(base.split()).strip("'").strip()
    code = _SHEET_NAME_BAD.sub("-", str(code))
    candidates = [truncate_utf16(base, 31)] if base else []
    suffix = f" ({code})"
    candidates.append((truncate_utf16(base, 31 - len(suffix)).rstrip() + suffix).strip().strip("'"))
    candidates.append(truncate_utf16(code, 31))
    for candidate in candidates:
        if candidate and candidate.casefold() not in used and candidate.casefold() != "history":
            used.add(candidate.casefold())
            return candidate
    number = 2
    while True:
        tail = f" ({code}-{number})"
        candidate = (truncate_utf16(base or "Xã", 31 - len(tail)).rstrip() + tail).strip().strip("'")
        if candidate.casefold() not in used:
            used.add(candidate.casefold())
            return candidate
        number += 1


# ---------------------------------------------------------------------------------------
# The builder


class _Builder:
    def __init__(self, results: dict, created: datetime, per_commune_sheets: bool, detail_sheet: bool,
                 lists_csv: dict | None = None):
        self.results = results
        self.lists_csv = lists_csv or {}
        self._texts: dict = {}  # id(leaf) → _leaf_texts (the leaves live as long as the builder)
        self.created = created
        self.per_commune_sheets = per_commune_sheets
        self.detail_sheet = detail_sheet
        self.criteria = results["criteria"]
        self.communes = results["communes"]
        self.areas = self.criteria.get("areas") or []
        self.bands = self.criteria.get("bands") or []
        self.block_names = {block["id"]: block["name"] for block in self.criteria.get("blocks") or []}
        self.area_labels = {area["code"]: f"{area['code']}. {area['title']}" for area in self.areas}
        self.title = self.criteria.get("title") or ""
        self.year = self.criteria.get("year")
        issuer = self.criteria.get("issuer") or {}
        self.issuer_name = issuer.get("name") if isinstance(issuer, dict) else str(issuer)

    # -- set-up -------------------------------------------------------------------------

    def build(self, target: Path, tmpdir: str) -> None:
        wb = xlsxwriter.Workbook(
            str(target),
            {
                "constant_memory": True,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_format_properties": {"font_name": "Times New Roman", "font_size": 11},
            },
        )
        guard(wb, output_label(target))  # a cell past Excel's last row or column: excel-limit, never lost
        try:
            self.wb = wb
            wb.set_properties({
                "title": f"Kết quả Chỉ số CCHC năm {self.year}",
                "subject": self.title,
                "author": self.issuer_name or "",
                "company": self.issuer_name or "",
                "comments": f"{self.results['engine']['name']} {self.results['engine']['version']}",
                "created": self.created,
            })
            self._formats()
            # the two leaf lists go on as many numbered sheets as Excel's rows need (sheet_limits)
            lists = {SHEET_SELF: self.self_differs_rows(), SHEET_MISSING: self.missing_rows()}
            used = {name.casefold() for name in (*FIXED_SHEETS, SHEET_COMPARISON)}
            sheets, self.list_parts = {}, {}
            for name in FIXED_SHEETS:
                if name == SHEET_DETAIL and not self.detail_sheet:
                    continue
                if name in self.lists_csv:  # national layout: the sheet points at the companion CSV
                    self.list_parts[name] = [(wb.add_worksheet(name), (0, 0))]
                    sheets[name] = self.list_parts[name][0][0]
                elif name in lists:
                    spans = part_ranges(len(lists[name]), LIST_HEADER_ROW + 1)
                    names = part_names(name, len(spans), used)
                    self.list_parts[name] = [(wb.add_worksheet(title), span) for title, span in zip(names, spans)]
                    sheets[name] = self.list_parts[name][0][0]
                else:
                    sheets[name] = wb.add_worksheet(name)
            # with --previous: this year against last year (scoring/writers/comparison_sheet.py)
            compared = wb.add_worksheet(SHEET_COMPARISON) if self.results.get("comparison") else None
            commune_sheets = []
            if self.per_commune_sheets:
                for commune in self.communes:
                    name = _sheet_name(commune["name"], commune["code"], used)
                    commune_sheets.append((commune, wb.add_worksheet(name)))
            self._ranking(sheets[SHEET_RANKING])
            area_stats = self._by_area(sheets[SHEET_AREAS])
            write_figures_sheet(self, sheets[SHEET_CRITERIA])  # survey index and rank, per-criterion indices (issue 13)
            if self.detail_sheet:
                self._detail(sheets[SHEET_DETAIL])
            for name, write in ((SHEET_SELF, self._self_differs), (SHEET_MISSING, self._missing)):
                if name in self.lists_csv:
                    list_to_csv(self, self.list_parts[name][0][0], name, lists.pop(name))
                else:
                    write(self.list_parts[name], lists.pop(name))
            self._charts(sheets[SHEET_CHARTS], area_stats)
            self._about(sheets[SHEET_ABOUT], [ws.name for _, ws in commune_sheets])
            if compared is not None:
                write_comparison_sheet(self, compared)
            for commune, ws in commune_sheets:
                self._commune_sheet(ws, commune)
        except BaseException:
            # Do not package a half-written workbook: release xlsxwriter's row files (the
            # temporary folder is removed by the caller) and let the error through.
            for ws in wb.worksheets():
                handle = getattr(ws, "row_data_fh", None)
                if handle is not None:
                    handle.close()
            raise
        wb.close()

    def _formats(self) -> None:
        add = self.wb.add_format
        cell = {"border": 1, "valign": "top"}
        self.f_title = add({"bold": True, "font_size": 14})
        self.f_subtitle = add({"italic": True})
        self.f_section = add({"bold": True, "font_size": 12})
        self.f_header = add({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
                             "border": 1, "bg_color": "#D9E1F2"})
        self.f_header_across = add({"bold": True, "text_wrap": True, "center_across": True, "valign": "vcenter",
                                    "border": 1, "bg_color": "#D9E1F2"})
        # A block's sub-heading spans the row: borders round the row only, none between its
        # cells (LibreOffice draws a cell's vertical border through text that overflows it).
        block = {"bold": True, "top": 1, "bottom": 1, "bg_color": "#F2F2F2"}
        self.f_block = add({**block, "left": 1})
        self.f_block_across = add(block)
        self.f_block_end = add({**block, "right": 1})
        self.f_text = add(cell)
        self.f_wrap = add({**cell, "text_wrap": True})
        self.f_code = add({**cell, "num_format": "@"})
        self.f_int = add({**cell, "num_format": "0", "align": "center"})
        self.f_points = add({**cell, "num_format": "#,##0.00"})
        self.f_index = add({**cell, "num_format": "0.00"})
        self.f_bold_text = add({**cell, "bold": True})
        self.f_bold_wrap = add({**cell, "bold": True, "text_wrap": True})
        self.f_bold_points = add({**cell, "bold": True, "num_format": "#,##0.00"})
        self.f_bold_index = add({**cell, "bold": True, "num_format": "0.00"})
        self.f_label = add({"bold": True, "valign": "top"})
        self.f_label_wrap = add({"bold": True, "valign": "top", "text_wrap": True})
        self.f_value = add({"text_wrap": True, "valign": "top"})
        self.f_value_points = add({"num_format": "#,##0.00", "align": "left", "valign": "top"})
        self.f_value_index = add({"num_format": "0.00", "align": "left", "valign": "top"})
        self.f_value_int = add({"num_format": "0", "align": "left", "valign": "top"})
        self.f_band, self.f_band_wrap = {}, {}
        for band in self.bands:
            color = band.get("color")
            props = {**cell, "bold": True, "align": "center"}
            if _valid_color(color):
                props.update({"bg_color": color, "font_color": _font_for(color)})
            self.f_band[band["name"]] = add(props)
            self.f_band_wrap[band["name"]] = add({**props, "text_wrap": True})
        self.f_band_default = add({**cell, "bold": True, "align": "center"})
        self.f_band_default_wrap = add({**cell, "bold": True, "align": "center", "text_wrap": True})

    def _band_format(self, band_name):
        return self.f_band.get(band_name, self.f_band_default)

    def _band_cell(self, ws, row: int, col: int, text: str, width: float, band_name=None, also=()) -> None:
        """A band (or the note standing in for one) in a bordered cell ``width`` characters
        wide: wrapped, with the row as high as the text needs (a bordered cell clips text that
        does not fit it: "Trung bình" in a column of 8, the undefined index's note in any).
        ``also``: the row's other wrapped cells [(text, width)], for its height."""
        if row_height([(text, width)], bold=True) <= _DEFAULT_ROW_HEIGHT:
            write_text(ws, row, col, text, self._band_format(band_name) if band_name else self.f_band_default)
        else:
            write_text(ws, row, col, text, self.f_band_wrap.get(band_name, self.f_band_default_wrap))
        self._fit(ws, row, [(text, width), *also], bold=True)

    def _print_setup(self, ws, header_row: int | None, *, landscape: bool = True, fit: bool = True) -> None:
        """A4, fit to the page width (every column on each page), the header row repeated,
        "<title> - <sheet>" on top and "Trang n/N" at the foot of every page."""
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        if fit:
            ws.fit_to_pages(1, 0)
        else:
            ws.set_print_scale(100)
        ws.set_margins(left=0.5, right=0.4, top=0.7, bottom=0.7)
        if header_row is not None:
            ws.repeat_rows(header_row)
        ws.set_header("&C&B" + _header_footer_text(f"{self.title} - {ws.name}"))
        ws.set_footer("&CTrang &P/&N")

    def _headers(self, ws, row: int, headers, widths) -> None:
        for col, (header, width) in enumerate(zip(headers, widths)):
            ws.set_column(col, col, width)
            write_text(ws, row, col, header, self.f_header)
        ws.set_row(row, row_height(list(zip(headers, widths)), bold=True, minimum=45))

    @staticmethod
    def _fit(ws, row: int, cells, bold: bool = False) -> None:
        """Give ``row`` the height its wrapped ``cells`` [(text, width_chars)] need (call
        before writing the next row: constant_memory mode flushes rows in order)."""
        height = row_height(cells, bold=bold)
        if height > _DEFAULT_ROW_HEIGHT:
            ws.set_row(row, height)

    # -- Xếp hạng -----------------------------------------------------------------------

    def _ranking(self, ws) -> None:
        write_text(ws, 0, 0, f"KẾT QUẢ XẾP HẠNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ NĂM {self.year}"
                   + (f" ({MARK})" if self.results.get("provisional") else ""), self.f_title)
        if self.results.get("provisional"):  # the row above the headers says why, in red
            write_text(ws, RANKING_HEADER_ROW - 1, 0, banner(self.results.get("provisional_reasons") or []),
                       self.wb.add_format({"bold": True, "font_color": "#C00000"}))
        write_text(ws, 1, 0, self.title, self.f_subtitle)
        if self.issuer_name:
            write_text(ws, 2, 0, f"Đơn vị đánh giá: {self.issuer_name}", self.f_subtitle)
        source = self.criteria.get("legal_source") or {}
        if isinstance(source, dict) and source.get("number"):
            write_text(ws, 3, 0, f"Căn cứ: {source['number']} ngày {_date_text(source.get('date'))}"
                        + (f" ({source['title']})" if source.get("title") else ""), self.f_subtitle)
        self._headers(ws, RANKING_HEADER_ROW, RANKING_HEADERS, RANKING_WIDTHS)
        several_blocks = len(self.criteria.get("blocks") or []) > 1
        row = RANKING_HEADER_ROW + 1
        block = object()
        block_number = 0
        ranking_formats = (self.f_int, self.f_code, self.f_text, self.f_text) + (self.f_points,) * 6 \
            + (self.f_index, self.f_int)
        for number, commune in enumerate(_with_not_submitted(self.communes, self.results.get("not_submitted")), start=1):
            if several_blocks and commune["block"] != block:
                block = commune["block"]
                block_number += 1
                write_text(ws, row, 0, f"{roman(block_number)}. {self.block_names.get(block, block)}", self.f_block)
                for col in range(1, len(RANKING_HEADERS)):
                    ws.write_blank(row, col, None, self.f_block_end if col == len(RANKING_HEADERS) - 1 else self.f_block_across)
                row += 1
            _write_num(ws, row, 0, number, self.f_int)
            write_text(ws, row, 1, commune["code"], self.f_code)
            write_text(ws, row, 2, commune["name"], self.f_text)
            write_text(ws, row, 3, commune["type"], self.f_text)
            if commune.get("status"):  # a registered unit without a submission: not scored, not ranked
                for col in range(4, 12):
                    ws.write_blank(row, col, None, self.f_text)
                self._band_cell(ws, row, 12, commune["status"], RANKING_WIDTHS[12])
                row += 1
                continue
            if commune["index"] is not None:  # the common row, written whole (scoring/writers/fast_rows.py)
                band = commune["band"]
                height = row_height([(band, RANKING_WIDTHS[12])], bold=True)
                band_format = self._band_format(band) if height <= _DEFAULT_ROW_HEIGHT \
                    else self.f_band_wrap.get(band, self.f_band_default_wrap)
                write_row(ws, row, 0, (number, commune["code"], commune["name"], commune["type"], commune["self_assessed"],
                                       commune["appraised"], commune["survey"], commune["adjustment"], commune["total"],
                                       commune["max"], commune["index"], commune["rank"], band),
                          ranking_formats + (band_format,), "ntttnnnnnnnnt", _taller(height))
                row += 1
                continue
            for col, key in enumerate(("self_assessed", "appraised", "survey", "adjustment", "total", "max"), start=4):
                _write_num(ws, row, col, commune[key], self.f_points)
            if commune["index"] is None:  # undefined (no applicable point): said, not ranked, not banded
                write_text(ws, row, RANKING_INDEX_COL, UNDEFINED_INDEX, self.f_wrap)
                write_text(ws, row, 11, "-", self.f_text)
                self._band_cell(ws, row, 12, commune.get("index_note") or UNDEFINED_INDEX, RANKING_WIDTHS[12],
                                also=[(UNDEFINED_INDEX, RANKING_WIDTHS[RANKING_INDEX_COL])])
                row += 1
                continue
            _write_num(ws, row, RANKING_INDEX_COL, commune["index"], self.f_index)
            _write_num(ws, row, 11, commune["rank"], self.f_int)
            self._band_cell(ws, row, 12, commune["band"], RANKING_WIDTHS[12], commune["band"])
            row += 1
        last = row - 1
        ws.freeze_panes(RANKING_HEADER_ROW + 1, 3)
        ws.autofilter(RANKING_HEADER_ROW, 0, max(last, RANKING_HEADER_ROW), len(RANKING_HEADERS) - 1)
        if last > RANKING_HEADER_ROW:
            cap = self.criteria.get("index_cap")
            bar = {"type": "data_bar", "bar_color": "#63C384", "bar_solid": True, "min_type": "num", "min_value": 0}
            bar.update({"max_type": "num", "max_value": cap} if cap else {"max_type": "max"})
            ws.conditional_format(RANKING_HEADER_ROW + 1, RANKING_INDEX_COL, last, RANKING_INDEX_COL, bar)
        self._print_setup(ws, RANKING_HEADER_ROW)

    # -- Theo lĩnh vực ------------------------------------------------------------------

    def _area_stats(self) -> dict:
        """Per area (and "__all__" for the whole index): the exact means and the best communes."""
        stats = {}
        keys = [area["code"] for area in self.areas]
        for code in keys + ["__all__"]:
            points, indices, best, best_names = [], [], None, []
            for commune in self.communes:
                if code == "__all__":
                    entry = {"points": commune["total"], "index": commune["index"]}
                else:
                    entry = next((area for area in commune["areas"] if area["code"] == code), None)
                    if entry is None:
                        continue
                points.append(from_number(entry["points"]))
                if entry.get("index") is not None:
                    index = from_number(entry["index"])
                    indices.append(index)
                    if best is None or index > best:
                        best, best_names = index, [commune["name"]]
                    elif index == best:
                        best_names.append(commune["name"])
            stats[code] = {
                "points": _mean(points),
                "index": _mean(indices),
                "best_index": to_number(best),
                "best_names": sorted(best_names, key=sort_key),
            }
        return stats

    def _by_area(self, ws) -> dict:
        stats = self._area_stats()
        top, sub = 3, 4
        write_text(ws, 0, 0, f"ĐIỂM VÀ CHỈ SỐ THÀNH PHẦN THEO LĨNH VỰC NĂM {self.year}", self.f_title)
        write_text(ws, 1, 0, "Chỉ số thành phần (%) = điểm đạt ÷ điểm tối đa áp dụng của lĩnh vực × 100.",
                    self.f_subtitle)
        ws.set_row(top, row_height([(self.area_labels[area["code"]], 22) for area in self.areas], bold=True,
                                   minimum=45))
        ws.set_row(sub, row_height([("Chỉ số CCHC (%)", 11)], bold=True))
        for col, (header, width) in enumerate((("STT", 5), ("Mã xã", 8), ("Tên đơn vị", 26))):
            ws.set_column(col, col, width)
            write_text(ws, top, col, header, self.f_header)
        last_col = 3 + 2 * len(self.areas)
        for i, area in enumerate(self.areas):
            col = 3 + 2 * i
            ws.set_column(col, col + 1, 11)
            write_text(ws, top, col, self.area_labels[area["code"]], self.f_header_across)
            ws.write_blank(top, col + 1, None, self.f_header_across)
        ws.set_column(last_col, last_col + 1, 11)
        write_text(ws, top, last_col, "Toàn bộ chỉ số", self.f_header_across)
        ws.write_blank(top, last_col + 1, None, self.f_header_across)
        for col in range(3):
            ws.write_blank(sub, col, None, self.f_header)
        for i, area in enumerate(self.areas):
            col = 3 + 2 * i
            write_text(ws, sub, col, f"Điểm (tối đa {format_points(from_number(area['max']), decimals=0)})",
                        self.f_header)
            write_text(ws, sub, col + 1, "Chỉ số (%)", self.f_header)
        write_text(ws, sub, last_col, "Tổng điểm", self.f_header)
        write_text(ws, sub, last_col + 1, "Chỉ số CCHC (%)", self.f_header)

        row = sub + 1
        formats = (self.f_int, self.f_code, self.f_text) + (self.f_points, self.f_index) * (len(self.areas) + 1)
        kinds = "ntt" + "nn" * (len(self.areas) + 1)
        empty: dict = {}
        for number, commune in enumerate(self.communes, start=1):
            by_code = {area["code"]: area for area in commune["areas"]}
            values = [number, commune["code"], commune["name"]]
            for area in self.areas:
                entry = by_code.get(area["code"]) or empty
                values += (entry.get("points"), entry.get("index"))
            values += (commune["total"], commune["index"])
            write_row(ws, row, 0, values, formats, kinds)
            row += 1
        last_data = row - 1

        codes = [area["code"] for area in self.areas] + ["__all__"]
        ws.write_blank(row, 0, None, self.f_bold_text)
        ws.write_blank(row, 1, None, self.f_bold_text)
        write_text(ws, row, 2, "Bình quân", self.f_bold_text)
        for i, code in enumerate(codes):
            _write_num(ws, row, 3 + 2 * i, stats[code]["points"], self.f_bold_points)
            _write_num(ws, row, 4 + 2 * i, stats[code]["index"], self.f_bold_index)
        row += 1
        ws.write_blank(row, 0, None, self.f_bold_text)
        ws.write_blank(row, 1, None, self.f_bold_text)
        write_text(ws, row, 2, "Cao nhất", self.f_bold_text)
        for i, code in enumerate(codes):
            write_text(ws, row, 3 + 2 * i, ", ".join(stats[code]["best_names"]), self.f_bold_wrap)
            _write_num(ws, row, 4 + 2 * i, stats[code]["best_index"], self.f_bold_index)
        self._fit(ws, row, [(", ".join(stats[code]["best_names"]), 11) for code in codes], bold=True)

        ws.freeze_panes(sub + 1, 3)
        ws.autofilter(sub, 0, max(last_data, sub), last_col + 1)
        if last_data > sub:
            scale = {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"}
            for i in range(len(codes)):
                ws.conditional_format(sub + 1, 4 + 2 * i, last_data, 4 + 2 * i, scale)
        self._print_setup(ws, sub)
        ws.repeat_rows(top, sub)
        return stats

    # -- Chi tiết -----------------------------------------------------------------------

    def _leaf_texts(self, leaf: dict) -> tuple:
        """A leaf's facts, not-applicable label, evidence and reason as the sheets show them,
        worded once per leaf ("Chi tiết" and the commune's own sheet both show them)."""
        texts = self._texts.get(id(leaf))
        if texts is None:
            texts = self._texts[id(leaf)] = (facts_text(leaf.get("facts")),
                                             NOT_APPLICABLE_LABELS.get(leaf.get("not_applicable"), ""),
                                             evidence_text(leaf.get("evidence")), reason_text(leaf))
        return texts

    def _area_label(self, leaf: dict) -> str:
        area = leaf.get("area")
        if area is not None:
            return self.area_labels.get(area, str(area))
        return SECTION_LABELS.get(leaf.get("section"), "")

    def _detail(self, ws) -> None:
        header = LIST_HEADER_ROW
        write_text(ws, 0, 0, f"CHI TIẾT ĐIỂM THEO TỪNG TIÊU CHÍ NĂM {self.year}", self.f_title)
        write_text(ws, 1, 0, "Mỗi dòng là một tiêu chí của một đơn vị. Điểm trừ ghi số điểm bị trừ (số dương).",
                    self.f_subtitle)
        widths = (8, 20, 9, 45, 28, 8, 16, 11, 10, 10, 10, 14, 34, 50, 36)
        self._headers(ws, header, DETAIL_HEADERS, widths)
        row = header + 1
        f_code, f_wrap, f_points = self.f_code, self.f_wrap, self.f_points
        formats = (f_code, f_wrap, f_code, f_wrap, f_wrap, f_points, f_wrap, f_points, f_points, f_points, f_points,
                   f_wrap, f_wrap, f_wrap, f_wrap)
        wrapped = (1, 3, 4, 6, 11, 12, 13, 14)  # the columns whose text sets the row's height
        texts = self._leaf_texts
        for commune in self.communes:
            code, name = commune["code"], commune["name"]
            for leaf in commune["leaves"]:
                facts, not_applicable, evidence, reason = texts(leaf)
                values = (code, name, leaf["code"], leaf["title"], self._area_label(leaf), leaf["max"], facts,
                          leaf.get("evidence_score"), leaf.get("self_score"), leaf.get("appraised_score"), leaf["final"],
                          not_applicable, evidence, reason, leaf.get("legal_ref") or "")
                height = row_height([(values[col], widths[col]) for col in wrapped])
                write_row(ws, row, 0, values, formats, "tttttntnnnntttt", _taller(height))
                row += 1
        ws.freeze_panes(header + 1, 3)
        ws.autofilter(header, 0, max(row - 1, header), len(DETAIL_HEADERS) - 1)
        self._print_setup(ws, header)

    # -- Tự chấm khác kết quả / Thiếu kiểm chứng ----------------------------------------

    def self_differs_rows(self) -> list:
        rows = []
        for commune in self.communes:
            flags = commune.get("flags") or {}
            flagged = set(flags.get("self_above") or []) | set(flags.get("self_below") or [])
            by_code = {leaf["code"]: leaf for leaf in commune["leaves"]}
            for code in flagged:
                leaf = by_code.get(code) or {"code": code}
                self_h, final_h = _hundredths(leaf.get("self_score")), _hundredths(leaf.get("final"))
                gap = None if self_h is None or final_h is None else final_h - self_h
                rows.append((commune, leaf, gap))
        rows.sort(key=lambda item: (-abs(item[2] or 0), item[0]["code"], _leaf_key(item[1]["code"])))
        return rows

    def missing_rows(self) -> list:
        rows = []
        for commune in self.communes:
            by_code = {leaf["code"]: leaf for leaf in commune["leaves"]}
            for code in set((commune.get("flags") or {}).get("missing_evidence") or []):
                rows.append((commune, by_code.get(code) or {"code": code}))
        rows.sort(key=lambda item: (item[0]["code"], _leaf_key(item[1]["code"])))
        return rows

    def _leaf_list_start(self, ws, title: str, count: int, explanation: str, headers, widths,
                         parts=None, part: int = 0) -> None:
        write_text(ws, 0, 0, title, self.f_title)
        write_text(ws, 1, 0, explanation, self.f_subtitle)
        total = f"Tổng số: {format_count(count)} tiêu chí." if count else "Không có tiêu chí nào."
        if parts and len(parts) > 1:  # a list longer than a sheet: say which rows and where the rest is
            (start, stop) = parts[part][1]
            total = (f"Tổng số: {format_count(count)} tiêu chí, chia thành {len(parts)} trang (mỗi trang Excel tối đa "
                     f"{format_count(sheet_limits.MAX_ROWS)} dòng); trang này: số thứ tự {format_count(start + 1)} đến "
                     f"{format_count(stop)}")
            if part + 1 < len(parts):
                total += f"; tiếp theo ở trang '{parts[part + 1][0].name}'"
            total += "."
        write_text(ws, 2, 0, total, self.f_subtitle)
        self._headers(ws, LIST_HEADER_ROW, headers, widths)

    def _leaf_list_end(self, ws, last_row: int, columns: int) -> None:
        ws.freeze_panes(LIST_HEADER_ROW + 1, 3)
        ws.autofilter(LIST_HEADER_ROW, 0, max(last_row, LIST_HEADER_ROW), columns - 1)
        self._print_setup(ws, LIST_HEADER_ROW)

    def _self_differs(self, parts, rows) -> None:
        self._leaf_list(parts, rows, "CÁC TIÊU CHÍ CÓ ĐIỂM CUỐI CÙNG KHÁC ĐIỂM TỰ CHẤM",
                        "Chênh lệch lớn nhất trước; chênh lệch âm: đơn vị tự chấm cao hơn kết quả. "
                        "Danh sách dùng để đề nghị đơn vị giải trình.",
                        SELF_HEADERS, (5, 8, 22, 9, 45, 9, 9, 9, 12, 60), gap=True)

    def _missing(self, parts, rows) -> None:
        self._leaf_list(parts, rows, "CÁC TIÊU CHÍ TỰ CHẤM ĐIỂM NHƯNG THIẾU TÀI LIỆU KIỂM CHỨNG",
                        "Tiêu chí yêu cầu tài liệu kiểm chứng, đơn vị tự chấm điểm nhưng không có tài liệu hợp lệ: "
                        "không được tính điểm, trừ khi Hội đồng thẩm định quyết định khác.",
                        MISSING_HEADERS, (5, 8, 22, 9, 45, 9, 9, 9, 60), gap=False)

    def _leaf_list(self, parts, rows, title: str, note: str, headers, widths, gap: bool) -> None:
        """One leaf list over its numbered parts (sheet_limits): per row (commune, leaf, …) STT,
        the commune, the leaf, its maximum, self-score and final score, the gap (final −
        self, entry[2] in hundredths) when ``gap``, the reason last."""
        reason_column = len(headers) - 1
        f_int, f_code, f_wrap, f_points = self.f_int, self.f_code, self.f_wrap, self.f_points
        formats = (f_int, f_code, f_wrap, f_code, f_wrap, f_points, f_points, f_points) + ((f_points,) if gap else ()) \
            + (f_wrap,)
        kinds = "nttttnnn" + ("n" if gap else "") + "t"
        for part, (ws, (start, stop)) in enumerate(parts):
            self._leaf_list_start(ws, title, len(rows), note, headers, widths, parts, part)
            row = LIST_HEADER_ROW + 1
            for number in range(start + 1, stop + 1):
                entry = rows[number - 1]
                commune, leaf = entry[0], entry[1]
                reason = reason_text(leaf)
                values = (number, commune["code"], commune["name"], leaf["code"], leaf.get("title"), leaf.get("max"),
                          leaf.get("self_score"), leaf.get("final")) + ((to_number(entry[2]),) if gap else ()) + (reason,)
                height = row_height([(commune["name"], widths[2]), (leaf.get("title"), widths[4]),
                                     (reason, widths[reason_column])])
                write_row(ws, row, 0, values, formats, kinds, _taller(height))
                row += 1
            self._leaf_list_end(ws, row - 1, len(headers))

    # -- Biểu đồ ------------------------------------------------------------------------

    def _charts(self, ws, area_stats: dict) -> None:
        """Charts first, each whole on a printed page, then the cells they read, from a new page.

        Printed at 100 % (not "fit to width": both Excel and LibreOffice ignore manual page
        breaks then), landscape A4: the columns A-K are narrower than the page, and the page
        breaks are placed from the charts' heights so that no chart crosses one.
        """
        cells = {}  # (row, col) -> (cell_type, value, format); written in row order at the end
        heights = {}  # row -> points

        def put(row, col, cell_type, value, fmt=None):
            cells[(row, col)] = (cell_type, value, fmt)

        widths = (8, 22, 9, 2, 12, 8, 2, 26, 10, 10, 18)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        put(0, 0, "text", "BIỂU ĐỒ KẾT QUẢ CHỈ SỐ CCHC", self.f_title)
        put(1, 0, "text", "Số liệu của các biểu đồ ở các bảng phía dưới (cột A đến K), từ trang sau các biểu đồ.",
            self.f_subtitle)

        ranked = sorted((c for c in self.communes if c["index"] is not None),  # an undefined index has no bar
                        key=lambda c: (-from_number(c["index"]), c["code"]))
        selected = self.communes[0] if self.communes else None
        count = len(ranked)
        # the tables' rows are known only after the charts' rows: charts read them by position
        chart_rows = []
        if count:
            if count <= CHART_ALL_COMMUNES_MAX:
                spans = [("Chỉ số CCHC theo đơn vị (%)", 0, count - 1)]
            else:
                spans = [
                    (f"{CHART_TOP_BOTTOM} đơn vị có Chỉ số CCHC cao nhất (%)", 0, CHART_TOP_BOTTOM - 1),
                    (f"{CHART_TOP_BOTTOM} đơn vị có Chỉ số CCHC thấp nhất (%)", count - CHART_TOP_BOTTOM, count - 1),
                ]
            for title, top, bottom in spans:
                bars = bottom - top + 1
                height = min(CHART_PAGE_PX, max(300, 22 * bars + 110))
                chart_rows.append(("index", title, top, bottom, height))
        if self.bands:
            chart_rows.append(("bands", None, 0, len(self.bands) - 1, 340))
        if self.areas and selected:
            chart_rows.append(("areas", None, 0, len(self.areas) - 1, min(CHART_PAGE_PX, 560)))

        # Lay the charts out page by page (rows of 20 pixels: the chart rows hold no text).
        row, used = 2, 2 * 25
        placed, breaks = [], []
        for index, plan in enumerate(chart_rows):
            height = plan[-1]
            if index == 0 and used + height + 10 > CHART_PAGE_PX:
                # the first chart shares its page with the sheet's title: a page-high chart
                # pushed below a break left that page blank but for the title
                height = CHART_PAGE_PX - used - 10
                plan = (*plan[:-1], height)
            if used + height + 10 > CHART_PAGE_PX and used > 0:
                breaks.append(row)
                used = 0
            placed.append((row, plan))
            span = -(-(height + 10) // 20)
            row += span
            used += span * 20
        head = row + 1 if placed else 3
        first = head + 1
        if placed:
            breaks.append(head)

        sheet = ws.name
        for anchor, (which, title, top, bottom, height) in placed:
            if which == "index":
                bars = bottom - top + 1
                chart = self.wb.add_chart({"type": "bar"})
                chart.add_series({
                    "name": "Chỉ số CCHC (%)",
                    "categories": [sheet, first + top, 1, first + bottom, 1],
                    "values": [sheet, first + top, 2, first + bottom, 2],
                    "fill": {"color": "#2F75B5"},
                    "gap": 60,
                    "data_labels": {"value": True, "num_format": "0.00", "font": {"size": 8 if bars > 30 else 9}},
                })
                chart.set_title({"name": title, "name_font": {"size": 12}})
                chart.set_legend({"none": True})
                chart.set_y_axis({"reverse": True, "num_font": {"size": 8 if bars > 30 else 9}})
                chart.set_x_axis({"min": 0, "max": 100, "num_format": "0", "num_font": {"size": 9}})
            elif which == "bands":
                chart = self.wb.add_chart({"type": "column"})
                chart.add_series({
                    "name": "Số đơn vị",
                    "categories": [sheet, first, 4, first + len(self.bands) - 1, 4],
                    "values": [sheet, first, 5, first + len(self.bands) - 1, 5],
                    "points": [{"fill": {"color": band["color"]}} if _valid_color(band.get("color")) else None
                               for band in self.bands],
                    "data_labels": {"value": True},
                })
                chart.set_title({"name": "Số đơn vị theo xếp loại", "name_font": {"size": 12}})
                chart.set_legend({"none": True})
                chart.set_y_axis({"min": 0, "num_format": "0"})
            else:
                radar = len(self.areas) >= 3
                chart = self.wb.add_chart({"type": "radar", "subtype": "with_markers"} if radar else {"type": "column"})
                last = first + len(self.areas) - 1
                for col, color in ((8, "#7F7F7F"), (9, "#C00000")):
                    series = {"name": [sheet, head, col], "categories": [sheet, first, 10, last, 10],
                              "values": [sheet, first, col, last, col]}
                    series.update({"line": {"color": color, "width": 2}, "marker": {"type": "circle"}} if radar
                                  else {"fill": {"color": color}})
                    chart.add_series(series)
                chart.set_title({"name": "Chỉ số thành phần theo lĩnh vực (%): bình quân và đơn vị xếp đầu",
                                 "name_font": {"size": 12}})
                chart.set_x_axis({"num_font": {"size": 10}})
                chart.set_y_axis({"min": 0, "max": 100, "num_font": {"size": 8}})
                chart.set_legend({"position": "bottom", "font": {"size": 10}})
            chart.set_size({"width": CHART_WIDTH_PX, "height": height})
            ws.insert_chart(anchor, 0, chart, {"x_offset": 2, "y_offset": 4})

        # The tables the charts read.
        for col, header in enumerate(("Mã xã", "Tên đơn vị", "Chỉ số CCHC (%)")):
            put(head, col, "text", header, self.f_header)
        for i, commune in enumerate(ranked):
            put(first + i, 0, "text", commune["code"], self.f_code)
            put(first + i, 1, "text", commune["name"], self.f_wrap)
            put(first + i, 2, "num", commune["index"], self.f_index)
            heights[first + i] = max(heights.get(first + i, 0), row_height([(commune["name"], widths[1])]))

        band_counts = (self.results.get("summary") or {}).get("bands") or {}
        put(head, 4, "text", "Xếp loại", self.f_header)
        put(head, 5, "text", "Số đơn vị", self.f_header)
        for i, band in enumerate(self.bands):
            put(first + i, 4, "text", band["name"], self.f_wrap)
            put(first + i, 5, "num", band_counts.get(band["name"], 0), self.f_int)
            heights[first + i] = max(heights.get(first + i, 0), row_height([(band["name"], widths[4])]))

        put(head, 7, "text", "Lĩnh vực", self.f_header)
        put(head, 8, "text", "Bình quân", self.f_header)
        put(head, 9, "text", selected["name"] if selected else "", self.f_header)
        put(head, 10, "text", "Nhãn trên biểu đồ", self.f_header)
        selected_areas = {area["code"]: area for area in selected["areas"]} if selected else {}
        for i, area in enumerate(self.areas):
            label = self.area_labels[area["code"]]
            put(first + i, 7, "text", label, self.f_wrap)
            put(first + i, 8, "num", area_stats[area["code"]]["index"], self.f_index)
            put(first + i, 9, "num", (selected_areas.get(area["code"]) or {}).get("index"), self.f_index)
            put(first + i, 10, "text", _short_label(label), self.f_wrap)
            heights[first + i] = max(heights.get(first + i, 0),
                                     row_height([(label, widths[7]), (_short_label(label), widths[10])]))
        heights[head] = row_height([("Chỉ số CCHC (%)", widths[2]), (selected["name"] if selected else "", widths[9]),
                                    ("Nhãn trên biểu đồ", widths[10])], bold=True, minimum=30)

        current = None
        for (row, col), (cell_type, value, fmt) in sorted(cells.items()):
            if row != current:
                if current is not None and heights.get(current, 0) > _DEFAULT_ROW_HEIGHT:
                    ws.set_row(current, heights[current])
                current = row
            (write_text if cell_type == "text" else _write_num)(ws, row, col, value, fmt)
        if current is not None and heights.get(current, 0) > _DEFAULT_ROW_HEIGHT:
            ws.set_row(current, heights[current])

        last_row = max([row for row, _ in cells] + [head])
        ws.print_area(0, 0, last_row, len(widths) - 1)
        ws.set_h_pagebreaks(breaks)
        self._print_setup(ws, None, fit=False)  # manual breaks need a fixed scale, not "fit to"

    # -- Thông tin ----------------------------------------------------------------------

    def _about(self, ws, commune_sheet_names: list) -> None:
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 70)
        ws.set_column(2, 2, 68)
        crit = self.criteria
        summary = self.results.get("summary") or {}
        engine = self.results.get("engine") or {}
        row = 0

        def item(label, value, cell_type="text", fmt=None):
            nonlocal row
            write_text(ws, row, 0, label, self.f_label_wrap)
            if cell_type == "num":
                _write_num(ws, row, 1, value, fmt or self.f_value_points)
                self._fit(ws, row, [(label, 30)], bold=True)
            else:
                write_text(ws, row, 1, value, self.f_value)
                self._fit(ws, row, [(label, 30), (value, 70)], bold=True)
            row += 1

        def line(text, fmt=None):
            nonlocal row
            write_text(ws, row, 0, text, fmt or self.f_value)
            row += 1

        line("THÔNG TIN VỀ BẢNG TÍNH KẾT QUẢ CHỈ SỐ CCHC", self.f_title)
        row += 1
        item("Bộ tiêu chí", crit.get("title"))
        item("Mã bộ tiêu chí", crit.get("id"))
        item("Năm đánh giá", crit.get("year"), "num", self.f_value_int)
        item("Cơ quan đánh giá", self.issuer_name)
        source = crit.get("legal_source") or {}
        if isinstance(source, dict) and source:
            item("Văn bản ban hành bộ tiêu chí",
                 f"{source.get('number', '')} ngày {_date_text(source.get('date'))}"
                 + (f": {source['title']}" if source.get("title") else ""))
            if source.get("issuer"):
                item("Cơ quan ban hành văn bản", source["issuer"])
        framework = crit.get("framework")  # a set built on a framework (issue 13): name both
        while isinstance(framework, dict):
            fw_source = framework.get("legal_source") or {}
            item("Xây dựng trên bộ khung", f"{framework.get('title') or ''} (mã {framework.get('id') or ''}, "
                                          f"tệp {framework.get('path') or ''})")
            if isinstance(fw_source, dict) and fw_source.get("number"):
                item("Văn bản ban hành bộ khung", f"{fw_source.get('number', '')} ngày {_date_text(fw_source.get('date'))}"
                     + (f": {fw_source['title']}" if fw_source.get("title") else "")
                     + (f" ({fw_source['issuer']})" if fw_source.get("issuer") else ""))
            framework = framework.get("extends")
        item("Tổng điểm tối đa", crit.get("total_points"), "num")
        cap = crit.get("index_cap")
        if cap is None:
            item("Giới hạn Chỉ số CCHC", "Không giới hạn")
        else:
            item("Giới hạn Chỉ số CCHC (%)", cap, "num")
        item("Xếp loại", "; ".join(
            f"{band['name']}: từ {format_points(from_number(band['min_index']), decimals=0)}%" for band in self.bands))
        item("Khối xếp hạng", "; ".join(
            f"{block['name']} ({', '.join(block.get('unit_types') or [])})" for block in crit.get("blocks") or []))
        tie_break = crit.get("tie_break") or []
        if tie_break:
            keys = ", rồi ".join(TIE_BREAK_LABELS.get(key, key) for key in tie_break)
            item("Khi bằng Chỉ số CCHC", f"Xếp trên đơn vị có {keys}; nếu vẫn bằng nhau thì cùng hạng.")
        else:
            item("Khi bằng Chỉ số CCHC", "Các đơn vị cùng Chỉ số CCHC thì cùng hạng.")
        if summary.get("registered") is not None:
            item("Số đơn vị trong danh sách", summary["registered"], "num", self.f_value_int)
        item("Số đơn vị được đánh giá", summary.get("communes", len(self.communes)), "num", self.f_value_int)
        missing = self.results.get("not_submitted") or []
        if missing:
            item("Đơn vị chưa nộp hồ sơ (không chấm điểm, không xếp hạng)",
                 "; ".join(f"{unit['name']} ({unit['code']})" for unit in missing))
        if summary.get("average_index") is not None:
            item("Chỉ số CCHC bình quân (%)", summary["average_index"], "num", self.f_value_index)
        for label, text in published_items(summary, [band["name"] for band in self.bands]):  # issue 13
            item(label, text)
        item("Phần mềm chấm điểm", f"{engine.get('name', '')} {engine.get('version', '')}".strip())
        item("Thời điểm chấm điểm", _moment_text(self.results.get("generated_at")))
        item("Định dạng kết quả", self.results.get("format"))
        row += 1

        line("DỮ LIỆU ĐẦU VÀO (mã băm SHA-256 của từng tệp đã đọc)", self.f_section)
        for col, header in enumerate(("Vai trò", "Tệp", "SHA-256")):
            write_text(ws, row, col, header, self.f_header)
        row += 1
        for entry in self.results.get("inputs") or []:
            write_text(ws, row, 0, ROLE_LABELS.get(entry.get("role"), entry.get("role")), self.f_text)
            write_text(ws, row, 1, entry.get("path"), self.f_wrap)
            write_text(ws, row, 2, entry.get("sha256"), self.f_code)
            self._fit(ws, row, [(entry.get("path"), 70)])
            row += 1
        row += 1

        line("CÁCH ĐỌC BẢNG TÍNH", self.f_section)
        guide = [
            f"{SHEET_RANKING}: mỗi đơn vị một dòng, theo khối xếp hạng và thứ hạng. Chỉ số CCHC (%) = tổng điểm ÷ "
            "điểm tối đa áp dụng × 100, làm tròn hai chữ số thập phân (từ 5 trở lên làm tròn lên). Tổng điểm = điểm "
            "thẩm định + điểm ĐTXHH + điểm thưởng − điểm trừ. Điểm tối đa áp dụng không tính các tiêu chí không áp "
            "dụng được loại khỏi điểm tối đa.",
            f"{SHEET_AREAS}: điểm và chỉ số thành phần của từng lĩnh vực; dòng Bình quân là trung bình cộng của "
            "các đơn vị, dòng Cao nhất là đơn vị có chỉ số thành phần cao nhất.",
            f"{SHEET_CRITERIA}: chỉ số hài lòng (điểm ĐTXHH ÷ điểm tối đa áp dụng của các câu hỏi điều tra) và thứ "
            "hạng của nó trong khối; điểm, điểm tối đa áp dụng và chỉ số của từng tiêu chí.",
        ]
        if self.detail_sheet:
            guide.append(f"{SHEET_DETAIL}: mỗi tiêu chí của mỗi đơn vị một dòng: số liệu báo cáo, điểm theo tài liệu "
                         "kiểm chứng, điểm tự chấm, điểm thẩm định, điểm cuối cùng và lý do.")
        else:
            count = len(self.communes)
            if count > DETAIL_SHEET_MAX_COMMUNES:
                why = f"vì kết quả có {format_count(count)} đơn vị (trên {format_count(DETAIL_SHEET_MAX_COMMUNES)} đơn vị)"
            elif self.lists_csv:  # the national layout asked for
                why = "theo bố cục toàn quốc (--layout national)"
            elif count and not detail_fits(count, len(self.communes[0]["leaves"])):
                # one row per commune × leaf would pass Excel's last row
                rows = count * len(self.communes[0]["leaves"])
                why = (f"vì bảng cần {format_count(rows)} dòng, quá số dòng của một trang Excel "
                       f"({format_count(EXCEL_MAX_ROWS)})")
            else:  # left out by whoever wrote the workbook (render_workbook(detail_sheet=False))
                why = "vì không được yêu cầu khi ghi bảng tính này"
            guide.append(f"Bảng {SHEET_DETAIL} không được tạo {why}"
                         + ". Xem chi tiết điểm từng tiêu chí của một đơn vị bằng lệnh: python cli.py explain MÃ_XÃ "
                         "(hoặc trong tệp kết quả results.json).")
        guide += [
            f"{SHEET_SELF}: các tiêu chí có điểm cuối cùng khác điểm tự chấm, chênh lệch lớn nhất trước; dùng để "
            "đề nghị đơn vị giải trình.",
            f"{SHEET_MISSING}: các tiêu chí đơn vị tự chấm điểm nhưng thiếu tài liệu kiểm chứng theo yêu cầu.",
            f"{SHEET_CHARTS}: Chỉ số CCHC theo đơn vị, số đơn vị theo xếp loại và chỉ số thành phần theo lĩnh vực "
            "(bình quân so với đơn vị xếp đầu tiên).",
        ]
        for name, parts in self.list_parts.items():
            if len(parts) > 1:
                guide.append(f"{name}: danh sách dài hơn số dòng của một trang Excel, chia thành {len(parts)} trang: "
                             + ", ".join(f"'{ws.name}'" for ws, _ in parts) + ".")
        for name, (_, shown) in self.lists_csv.items():  # national layout (issue 19)
            guide.append(f"{name}: danh sách đầy đủ ở tệp {shown} cùng thư mục với bảng tính (UTF-8, mở bằng Excel "
                         f"hoặc LibreOffice); trang '{name}' cho biết số dòng của từng khối xếp hạng.")
        if commune_sheet_names:
            guide.append("Mỗi đơn vị có một trang riêng (mang tên đơn vị) với điểm theo lĩnh vực và từng tiêu chí.")
        guide.append("Số liệu trong bảng tính trùng khớp với tệp kết quả results.json; điểm ghi đến hai chữ số "
                     "thập phân. Mã băm SHA-256 ở trên cho phép kiểm tra dữ liệu đầu vào không bị thay đổi.")
        for text in guide:
            label, _, body = text.partition(": ") if ": " in text[:40] else ("", "", text)
            write_text(ws, row, 0, label, self.f_label_wrap)
            write_text(ws, row, 1, body, self.f_value)
            self._fit(ws, row, [(label, 30), (body, 70)], bold=True)
            row += 1
        self._print_setup(ws, None, landscape=False)

    # -- one sheet per commune ----------------------------------------------------------

    def _commune_sheet(self, ws, commune: dict) -> None:
        headers = ("Mã", "Nội dung", "Điểm tối đa", "Số liệu báo cáo", "Điểm theo kiểm chứng", "Điểm tự chấm",
                   "Điểm thẩm định", "Điểm cuối cùng", "Chỉ số (%)", "Không áp dụng", "Tài liệu kiểm chứng", "Lý do")
        widths = (9, 45, 8, 16, 11, 10, 10, 10, 9, 14, 34, 50)
        write_text(ws, 0, 0, f"{commune['name']} (mã {commune['code']})", self.f_title)
        block = self.block_names.get(commune["block"], commune["block"])
        write_text(ws, 1, 0, f"Loại hình: {commune['type']}; khối xếp hạng: {block}", self.f_subtitle)
        row = 2
        for label, value, fmt in (
            ("Tổng điểm", commune["total"], self.f_value_points),
            ("Điểm tối đa áp dụng", commune["max"], self.f_value_points),
            ("Chỉ số CCHC (%)", commune["index"], self.f_value_index),
            ("Xếp hạng trong khối", commune["rank"], self.f_value_int),
        ):
            write_text(ws, row, 1, label, self.f_label)
            if value is None and commune["index"] is None:
                text = UNDEFINED_INDEX if "Chỉ số" in label else "-"
                write_text(ws, row, 2, text, self.f_wrap)
                self._fit(ws, row, [(text, widths[2])])
            else:
                _write_num(ws, row, 2, value, fmt)
            row += 1
        write_text(ws, row, 1, "Xếp loại", self.f_label)
        if commune["band"] is None:
            self._band_cell(ws, row, 2, commune.get("index_note") or UNDEFINED_INDEX, widths[2])
        else:
            self._band_cell(ws, row, 2, commune["band"], widths[2], commune["band"])
        row += 2
        header = row
        self._headers(ws, header, headers, widths)
        row += 1

        bold_text, bold_points = self.f_bold_text, self.f_bold_points
        area_formats = (bold_text, self.f_bold_wrap, bold_points, bold_text, bold_text, bold_points, bold_text,
                        bold_points, self.f_bold_index, bold_text, bold_text, bold_text)
        leaf_formats = (self.f_code, self.f_wrap, self.f_points, self.f_wrap, self.f_points, self.f_points,
                        self.f_points, self.f_points, self.f_text, self.f_wrap, self.f_wrap, self.f_wrap)
        groups: dict = {}
        for leaf in commune["leaves"]:
            key = leaf.get("area") if leaf.get("area") is not None else leaf.get("section")
            groups.setdefault(key, []).append(leaf)
        commune_areas = {area["code"]: area for area in commune["areas"]}
        order = [area["code"] for area in self.areas] + [key for key in groups if key not in self.area_labels]
        for key in order:
            leaves = groups.get(key, [])
            area = commune_areas.get(key)
            if area is None and not leaves:
                continue
            if area is not None:
                area_title = area.get("title") or self.area_labels.get(key, key)
                height = row_height([(area_title, widths[1])], bold=True)
                write_row(ws, row, 0, (key, area_title, area["max"], None, None, area.get("self_assessed"), None,
                                       area["points"], area.get("index"), None, None, None),
                          area_formats, "ttnnnnnnnnnn", _taller(height))
                row += 1
            else:
                write_text(ws, row, 0, "", self.f_bold_text)
                label = SECTION_LABELS.get(key, str(key)) + " (sau giới hạn của phần)"
                write_text(ws, row, 1, label, self.f_bold_wrap)
                for col in range(2, 9):
                    ws.write_blank(row, col, None, self.f_bold_text)
                if key in ("bonus", "penalty"):
                    _write_num(ws, row, 7, commune[key], self.f_bold_points)
                for col in range(9, 12):
                    ws.write_blank(row, col, None, self.f_bold_text)
                row += 1
            for leaf in leaves:
                facts, not_applicable, evidence, reason = self._leaf_texts(leaf)
                values = (leaf["code"], leaf["title"], leaf["max"], facts, leaf.get("evidence_score"),
                          leaf.get("self_score"), leaf.get("appraised_score"), leaf["final"], None, not_applicable,
                          evidence, reason)
                height = row_height([(values[col], widths[col]) for col in (1, 3, 9, 10, 11)])
                write_row(ws, row, 0, values, leaf_formats, "ttntnnnnnttt",
                          _taller(height))
                row += 1
        write_row(ws, row, 0, ("", "Tổng cộng", commune["max"], None, None, commune["self_assessed"], None,
                               commune["total"], commune["index"], None, None, None),
                  (self.f_bold_text,) * 2 + area_formats[2:], "ttnnnnnnnnnn")
        ws.freeze_panes(header + 1, 2)
        self._print_setup(ws, header)


def published_items(summary: dict, band_names: list) -> list[tuple[str, str]]:
    """Issue 13: the figures results notices publish, as (label, text) lines of the "Thông tin"
    sheet: band counts and shares of the whole set, then per ranking block its units, average
    index, band counts and shares and survey index ("không xếp hạng" for a block not ranked)."""
    def share(value):
        return format_points(from_number(value))

    def bands_text(counts, shares):
        return "; ".join(f"{name}: {counts.get(name, 0)} ({share(shares.get(name, 0))}%)" for name in band_names)

    items = []
    if summary.get("band_shares") is not None:
        items.append(("Số đơn vị và tỷ lệ theo xếp loại", bands_text(summary.get("bands") or {}, summary["band_shares"])))
    for block in summary.get("blocks") or []:
        parts = [f"{block['communes']} đơn vị"]
        if block.get("average_index") is not None:
            parts.append(f"chỉ số bình quân {share(block['average_index'])}%")
        parts.append(bands_text(block.get("bands") or {}, block.get("band_shares") or {}))
        if block.get("survey_index") is not None:
            parts.append(f"chỉ số hài lòng (ĐTXHH) {share(block['survey_index'])}%")
        if block.get("ranked") is False:
            parts.append("không xếp hạng")
        items.append((f"{block['name']}", "; ".join(parts)))
    return items


def _with_not_submitted(communes: list, missing) -> list:
    """The ranked communes with the registered units that sent nothing (status "chưa nộp")
    placed after the last commune of their block (or after all, for a block with none)."""
    if not missing:
        return communes
    rows, pending = [], list(missing)
    for position, commune in enumerate(communes):
        rows.append(commune)
        following = communes[position + 1]["block"] if position + 1 < len(communes) else None
        if following != commune["block"]:
            rows += [unit for unit in pending if unit["block"] == commune["block"]]
            pending = [unit for unit in pending if unit["block"] != commune["block"]]
    return rows + pending


# ---------------------------------------------------------------------------------------
# Row heights: wrapped text must get the lines it needs (Excel and LibreOffice do not grow a
# row written with a height, and xlsxwriter cannot ask them to fit it on opening).

# Advance widths of Times New Roman (regular), in thousandths of an em. A Vietnamese letter
# with its marks (ế, ợ, Đ…) has the width of its base letter; unknown characters count wide.
_GLYPH_WIDTHS = {
    **dict.fromkeys("abcdeghknopquvxy", 500), **dict.fromkeys("acez", 444), "f": 333, "i": 278, "j": 278,
    "l": 278, "m": 778, "r": 333, "s": 389, "t": 278, "w": 722, "đ": 500,
    **dict.fromkeys("ACDGHKNOQUVXY", 722), **dict.fromkeys("BCR", 667), **dict.fromkeys("ELTZ", 611),
    **dict.fromkeys("FPS", 556), "I": 333, "J": 389, "M": 889, "W": 944, "Đ": 722,
    **dict.fromkeys("0123456789", 500), " ": 250, ".": 250, ",": 250, ":": 278, ";": 278, "!": 333,
    "(": 333, ")": 333, "[": 333, "]": 333, "/": 278, "-": 333, "–": 500, "−": 564, "+": 564, "=": 564,
    "%": 833, '"': 408, "'": 180, "“": 444, "”": 444, "…": 1000, "_": 500, "&": 778, "?": 444, "@": 921,
    "<": 564, ">": 564, "*": 500, "÷": 564, "×": 564, "≥": 549, "≤": 549,
}
_BOLD_FACTOR = 1.08          # Times New Roman Bold runs ~8 % wider
_WIDTH_SAFETY = 1.02         # renderers differ a little (hinting, kerning): wrap a little early
_LINE_HEIGHT = 1.2           # points of row height per point of font size and line
_CELL_PADDING_PX = 4         # column pixels not available to text (cell margins, border)
_DEFAULT_ROW_HEIGHT = 15


def _glyph_width(char: str) -> int:
    width = _GLYPH_WIDTHS.get(char)
    if width is None:
        base = unicodedata.normalize("NFD", char)[:1]
        width = _GLYPH_WIDTHS.get(base, 556 if base.islower() else 722)
    return width


# Measured once per distinct word and per distinct (text, column) (issue 19: a national
# workbook measured the same titles, names and reason words millions of times, 40 % of its
# time). Plain dicts, emptied when they grow past _MEMO_MAX entries; the figures are the
# same as measuring afresh, so the workbook's bytes are too.
_MEMO_MAX = 200_000
_WORD_EM: dict = {}
_LINES: dict = {}


def _em(text: str) -> int:
    """Advance width of ``text`` in thousandths of an em (memoised per word)."""
    em = _WORD_EM.get(text)
    if em is None:
        if len(_WORD_EM) >= _MEMO_MAX:
            _WORD_EM.clear()
        em = _WORD_EM[text] = sum(_glyph_width(char) for char in text)
    return em


def text_width(text: str, size: float = 11, bold: bool = False) -> float:
    """Printed width of ``text`` in points (Times New Roman ``size`` pt)."""
    return _em(text) * size / 1000 * (_BOLD_FACTOR if bold else 1.0) * _WIDTH_SAFETY


def column_points(width_chars: float) -> float:
    """Points a column of ``width_chars`` (Excel's unit: xlsxwriter makes it width × 7 + 5
    pixels) leaves for text."""
    return max(1.0, (int(width_chars * 7 + 0.5) + 5 - _CELL_PADDING_PX) * 0.75)


def wrapped_lines(text, width_chars: float, size: float = 11, bold: bool = False) -> int:
    """Lines ``text`` takes in a wrapped cell ``width_chars`` wide: greedy word wrap as the
    spreadsheet does it, a word longer than a line broken across lines."""
    if text is None or text == "":
        return 1
    key = (text, width_chars, size, bold)
    lines = _LINES.get(key) if isinstance(text, str) else None
    if lines is None:
        lines = _wrapped_lines(str(text), width_chars, size, bold)
        if isinstance(text, str):
            if len(_LINES) >= _MEMO_MAX:
                _LINES.clear()
            _LINES[key] = lines
    return lines


_WIDTHS: dict = {}  # (size, bold) → {word: text_width(word, size, bold)}


def _wrapped_lines(text: str, width_chars: float, size: float, bold: bool) -> int:
    room = column_points(width_chars)
    # text_width of each word, kept per word (the same few words come back on every row)
    widths = _WIDTHS.get((size, bold))
    if widths is None:
        widths = _WIDTHS[(size, bold)] = {}
    elif len(widths) >= _MEMO_MAX:
        widths.clear()
    space = text_width(" ", size, bold)
    lines = 0
    for paragraph in str(text).split("\n"):
        current = 0.0
        count = 1
        for word in paragraph.split(" "):
            width = widths.get(word)
            if width is None:
                width = widths[word] = text_width(word, size, bold)
            if current and current + space + width <= room:
                current += space + width
                continue
            if current:
                count += 1
            current = width
            while current > room:  # a word wider than the column is broken
                count += 1
                current -= room
        lines += count
    return lines


EXCEL_MAX_ROW_HEIGHT = 409  # points: Excel's tallest row (a taller one is refused or shown at this)


def _taller(height: float) -> float | None:
    """A row's height when it is taller than the default, else None (write_row then leaves
    the row at the default, as Excel writes it)."""
    return height if height > _DEFAULT_ROW_HEIGHT else None


def row_height(cells, size: float = 11, bold: bool = False, minimum: float = _DEFAULT_ROW_HEIGHT) -> float:
    """Height in points of a row whose wrapped cells are ``cells`` = [(text, width_chars)],
    at most Excel's EXCEL_MAX_ROW_HEIGHT (a longer text is then read in its cell)."""
    lines = 0
    get = _LINES.get
    for text, width in cells:
        found = get((text, width, size, bold)) if text.__class__ is str else None
        if found is None:
            found = wrapped_lines(text, width, size, bold)
        if found > lines:
            lines = found
    return min(EXCEL_MAX_ROW_HEIGHT, max(minimum, round((lines or 1) * size * _LINE_HEIGHT + 3, 2)))


def _short_label(label: str, limit: int = 34) -> str:
    """An area label short enough for a chart axis: whole words, "…" when cut."""
    label = " ".join(str(label).split())
    if len(label) <= limit:
        return label
    cut = label[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:-– ")
    return cut + "…"


def _moment_text(generated_at) -> str:
    """"2024-02-01T08:00:00+07:00" → "08:00:00 ngày 01/02/2024 (2024-02-01T08:00:00+07:00)"."""
    if not generated_at:
        return ""
    try:
        moment = datetime.fromisoformat(generated_at)
    except ValueError:
        return str(generated_at)
    return f"{moment:%H:%M:%S} ngày {moment:%d/%m/%Y} ({generated_at})"


__all__ = ["write_workbook", "render_workbook", "facts_text", "evidence_text", "reason_text"]
