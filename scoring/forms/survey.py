"""Survey tallies from the survey office: a CSV file or a spreadsheet → the survey document.

The table has a header row (within the first 10 rows) naming at least a commune-code column
("Mã xã", "Mã đơn vị" or "commune"), a question column ("Câu hỏi", "Mã câu hỏi",
"Mã tiêu chí" or "question"; the value is the survey leaf's code) and one column per
answer option headed by its letter (A, B, C, D …). Other columns (the commune's name…)
are ignored. CSV: UTF-8 (a BOM is accepted), comma or semicolon separated. An empty tally
cell counts 0.

Problems are reported at their cell: ``FILE.csv!R5C3`` (row 5, column 3, counted from 1)
or ``FILE.xlsx!Sheet!C5``.
"""

from __future__ import annotations

import csv
import unicodedata
import io
import re
from pathlib import Path

from ..errors import message, not_utf8_message, pointer
from ..text import encoding_hint
from ..files import ParsedFile
from ..model import SECTION_SURVEY
from ..text import nfc
from ..validate import check_survey
from . import cells as c
from .inputs import CriteriaSource
from .self_assessment import ImportResult

COMMUNE_HEADERS = {"maxa", "madonvi", "madonvihanhchinh", "madvhc", "commune", "communecode", "maxaphuong"}
QUESTION_HEADERS = {"cauhoi", "macauhoi", "matieuchi", "question", "leaf", "tieuchi"}
_OPTION = re.compile(r"^[A-Za-z]$")
TALLY_LIMIT = 10_000_000


class _Grid:
    """Rows of cell values (1-based) and how a cell is named in messages."""

    def __init__(self, rows: list[list], sheet: str | None):
        self.rows, self.sheet = rows, sheet

    def value(self, row: int, column: int):
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def where(self, row: int, column: int) -> str:
        if self.sheet is None:
            return f"R{row}C{column}"
        return c.cell(self.sheet, column, row)


def default_conducted_by(criteria) -> str:
    unit = criteria.issuer.get("unit_name") or criteria.issuer.get("name", "")
    office = "Sở Nội vụ" if criteria.issuer.get("level") == "province" else "Phòng Nội vụ"
    return f"{office} {unit}".strip()


CSV_FIELD_LIMIT = 100_000  # characters in one cell: a tally table's cells are short


def read_csv_rows(path: Path, shown: str) -> list[list]:
    """The CSV file's rows (1-based, cells None when blank), comma or semicolon separated:
    the separator under which a survey header is found in the first 10 rows (a title row
    may stand above the header), else the one the first line uses most."""
    from ..input_files import input_file_issue

    refused = input_file_issue(path, shown)
    if refused is not None:
        raise c.FormError([c.CellIssue(refused.file, "", refused.code, refused.message)])
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise c.FormError([c.CellIssue(shown, "", "file-missing", message("file-missing"))])
    except OSError as error:
        raise c.FormError([c.CellIssue(shown, "", "file-unreadable", message("file-unreadable", reason=error.strerror))])
    if not raw.strip():
        raise c.FormError([c.CellIssue(shown, "", "file-empty", message("file-empty"))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Excel's "CSV (Comma delimited)" on a Vietnamese Windows writes Windows-1258: the
        # codes and counts are ASCII, the text (a header, a title row) reads the same
        if not encoding_hint(raw).startswith(": có lẽ tệp được ghi bằng bảng mã Windows-1258"):
            raise c.FormError([c.CellIssue(shown, "", "encoding-invalid", not_utf8_message(error) + encoding_hint(raw))])
        text = unicodedata.normalize("NFC", raw.decode("cp1258"))
    first = next((line for line in text.splitlines() if line.strip()), "")
    likely = ";" if first.count(";") > first.count(",") else ","
    parsed = {}
    for delimiter in (likely, ";" if likely == "," else ","):
        parsed[delimiter] = rows = _csv_rows(text, delimiter, shown)
        if _find_header(_Grid(rows, None)) is not None:
            return rows
    return parsed[likely]


def _csv_rows(text: str, delimiter: str, shown: str) -> list[list]:
    rows = [[None]]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        for record in reader:
            rows.append([None] + [nfc(value) if value.strip() else None for value in record])  # text enters in NFC
    except csv.Error as error:
        line = reader.line_num
        why = (message("csv-invalid", "field_too_long", line=line, limit=f"{CSV_FIELD_LIMIT:,}".replace(",", "."))
               if "field larger" in str(error) else message("csv-invalid", line=line, error=error))
        raise c.FormError([c.CellIssue(shown, f"R{line}", "csv-invalid", why)]) from None
    finally:
        csv.field_size_limit(previous)
    return rows


def is_survey_table(rows: list[list]) -> bool:
    """True when the rows have a survey header (used to recognise a survey workbook)."""
    return _find_header(_Grid(rows, None)) is not None


def _find_header(grid: _Grid):
    for row in range(1, min(len(grid.rows), 11)):
        commune = question = None
        options = {}
        for column in range(1, len(grid.rows[row])):
            value = grid.value(row, column)
            if c.is_blank(value):
                continue
            key = c.plain(value)
            text = str(value).strip()
            if key in COMMUNE_HEADERS and commune is None:
                commune = column
            elif key in QUESTION_HEADERS and question is None:
                question = column
            elif _OPTION.match(text):
                options[text.upper()] = column
        if commune and question and options:
            return row, commune, question, options
    return None


def read_survey_table(path, source: CriteriaSource, *, sheets=None) -> ImportResult:
    """A CSV file or a workbook of survey tallies → the survey document, or FormError at the cells."""
    path = Path(path)
    shown = c.display(path)
    criteria = source.criteria
    problems = c.Problems(shown)
    if path.suffix.lower() == ".csv":
        grid = _Grid(read_csv_rows(path, shown), None)
    else:
        if sheets is None:
            sheets = c.read_workbook(path, shown)
        c.formula_problems(sheets, problems)
        candidates = [s for name, s in sheets.items() if name != c.META_SHEET]
        table = next((s for s in candidates if _find_header(_Grid(s.rows, s.name))), None)
        if table is None:
            problems.add("", "survey-header-invalid",
                         message("survey-header-invalid"))
            problems.raise_if_any()
        grid = _Grid(table.rows, table.name)
    header = _find_header(grid)
    if header is None:
        problems.add(grid.where(1, 1), "survey-header-invalid",
                     message("survey-header-invalid", "first_rows"))
        problems.raise_if_any()
    header_row, commune_col, question_col, option_cols = header
    survey_leaves = [leaf for leaf in criteria.leaves if leaf.section == SECTION_SURVEY]
    tallies: dict[str, dict[str, dict[str, int]]] = {}
    first_row: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    locations = {"": grid.where(header_row, commune_col), "/tallies": grid.where(header_row, commune_col)}
    for row in range(header_row + 1, len(grid.rows)):
        if all(c.is_blank(v) for v in grid.rows[row]):
            continue
        commune = _commune_code(grid.value(row, commune_col))
        if commune is None:
            problems.add(grid.where(row, commune_col), "form-cell-type",
                         message("form-cell-type", "commune", value=c.text_of(grid.value(row, commune_col)) or ''))
            continue
        code = c.text_of(grid.value(row, question_col))
        leaf = criteria.leaf(code) if code else None
        if leaf is None or leaf.section != SECTION_SURVEY:
            problems.add(grid.where(row, question_col), "survey-not-survey-leaf",
                         message("survey-not-survey-leaf", "table", leaf=code or '', criteria=criteria.id))
            continue
        first_row.setdefault(commune, row)
        if (commune, code) in seen:
            problems.add(grid.where(row, question_col), "form-row-duplicate",
                         message("form-row-duplicate", "survey", commune=commune, leaf=code, first=seen[(commune, code)]))
            continue
        seen[(commune, code)] = row
        allowed = {option.code for option in leaf.rule.answers}
        counts = {}
        for option, column in option_cols.items():
            value = grid.value(row, column)
            where = grid.where(row, column)
            try:
                count = 0 if c.is_blank(value) else c.count_of(value, code="survey-tally-invalid")
            except c.CellValueError as error:
                problems.add(where, error.code, error.message)
                continue
            if count > TALLY_LIMIT:
                problems.add(where, "survey-tally-invalid", message("survey-tally-invalid", "too_large", limit=TALLY_LIMIT))
                continue
            if option not in allowed:
                if count:
                    problems.add(where, "survey-unknown-option",
                                 message("survey-unknown-option", leaf=code, option=option, options=", ".join(sorted(allowed))))
                continue
            counts[option] = count
            locations[pointer("tallies", commune, code, option)] = where
        locations[pointer("tallies", commune, code)] = grid.where(row, question_col)
        locations[pointer("tallies", commune)] = grid.where(first_row[commune], commune_col)
        tallies.setdefault(commune, {})[code] = counts
        if counts and not sum(counts.values()) and not any(problems.has(grid.where(row, col)) for col in option_cols.values()):
            problems.add(grid.where(row, question_col), "survey-empty", message("survey-empty", "table", leaf=code, commune=commune))
    for commune, questions in tallies.items():
        for leaf in survey_leaves:
            if leaf.code not in questions and (commune, leaf.code) not in seen:
                problems.add(grid.where(first_row[commune], commune_col), "survey-missing",
                             message("survey-missing", "table", commune=commune, leaf=leaf.code), always=True)
    if not tallies and not problems:
        problems.add(grid.where(header_row, commune_col), "survey-missing", message("survey-missing", "no_rows"))
    document = {"criteria_id": criteria.id, "year": criteria.year, "conducted_by": default_conducted_by(criteria),
                "tallies": tallies}
    if not problems:
        c.map_issues(check_survey(ParsedFile(shown, document, "", ()), criteria, None), problems, locations,
                     locations[""])
    problems.raise_if_any()
    return ImportResult(c.KIND_SURVEY, document, [])


def _commune_code(value) -> str | None:
    if isinstance(value, bool) or c.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text.isdigit() or len(text) > 5:
        return None
    return text.zfill(5)
