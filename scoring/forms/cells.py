"""What every form shares: cell addresses, cell-level problems, reading cell values exactly.

A problem in a spreadsheet is a :class:`CellIssue`: an Issue whose location is a sheet and a
cell instead of a JSON pointer, printed as ``FILE.xlsx!Sheet!F12: message [code]`` (or
``FILE.csv!R5C3`` for a CSV file). Values are read exactly: a number typed in Excel comes
back as a float whose shortest text is what was typed (0.25), and it is turned into a
Decimal through that text, never through binary arithmetic.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..input_files import SHEET_MAX_CELLS, SHEET_MAX_COLUMNS, input_file_issue, zip_bomb_message
from ..errors import InputError, Issue, message, one_line
from ..numbers import NotHundredths, to_hundredths, to_number
from ..text import CountTextError, legacy_message, nfc, parse_count, parse_date, same_text

# The hidden sheet every generated form carries: what the form is, for which criteria set.
META_SHEET = "_meta"
FORM_VERSION = 1
KIND_SELF = "self"
KIND_APPRAISAL = "appraisal"
KIND_SURVEY = "survey"
KIND_EXPLANATION = "explanation"
KIND_NAMES = {KIND_SELF: "phiếu tự đánh giá", KIND_APPRAISAL: "phiếu thẩm định", KIND_SURVEY: "bảng số phiếu điều tra xã hội học",
              KIND_EXPLANATION: "phiếu giải trình"}
# the value stored under "form" in _meta for each kind
FORM_IDS = {KIND_SELF: "cchc-self-assessment", KIND_APPRAISAL: "cchc-appraisal", KIND_EXPLANATION: "cchc-explanation"}

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                    "in_memory": True}

YES, NO = "có", "không"
UNIT_TYPES = ("xã", "phường", "thị trấn", "đặc khu")
DATE_MIN, DATE_MAX = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


@dataclass(frozen=True, order=True)
class CellIssue(Issue):
    """A problem at a cell: ``pointer`` is "Sheet!F12" (xlsx) or "R5C3" (CSV); empty for the whole file."""

    def __str__(self) -> str:
        where = f"!{self.pointer}" if self.pointer else ""
        return one_line(f"{self.file}{where}: {self.message} [{self.code}]")


class FormError(InputError):
    """A form (or a CSV file) that cannot be read back: every problem, at its cell."""


class FormUsageError(Exception):
    """Wrong use rather than bad data (e.g. --commune and --from name different communes)."""


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell(sheet: str, column: int, row: int) -> str:
    """The location of a cell as shown in messages: "Tự đánh giá!F12"."""
    return f"{sheet}!{column_letter(column)}{row}"


class Problems:
    """Collects the problems of one file, at most one per cell (the first found is the clearest)."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[CellIssue] = []
        self._cells: set[str] = set()

    def add(self, where: str, code: str, message: str, *, always: bool = False) -> None:
        """Record a problem; a second one at the same cell is dropped unless ``always``."""
        if where and where in self._cells and not always:
            return
        self._cells.add(where)
        self.issues.append(CellIssue(self.file, where, code, message))

    def has(self, where: str) -> bool:
        return where in self._cells

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        if self.issues:
            raise FormError(sorted_issues(self.issues))


_CELL = re.compile(r"^(?:(?P<sheet>.*)!)?(?P<column>[A-Z]+)(?P<row>\d+)$")
_RC = re.compile(r"^R(?P<row>\d+)C(?P<column>\d+)$")


def sorted_issues(issues) -> list:
    """Problems in reading order: the whole file first, then sheet by sheet (in the order the
    sheets were first named), row by row, column by column."""
    order: dict[str, int] = {}

    def key(issue):
        where = issue.pointer
        match = _RC.match(where)
        if match:
            return (1, 0, int(match["row"]), int(match["column"]))
        match = _CELL.match(where)
        if match:
            sheet = match["sheet"] or ""
            order.setdefault(sheet, len(order))
            column = 0
            for letter in match["column"]:
                column = column * 26 + ord(letter) - 64
            return (1, order[sheet], int(match["row"]), column)
        sheet = where.split("!")[0] if where else ""
        order.setdefault(sheet, len(order))
        return (0 if not where else 1, order[sheet], 0, 0)

    for issue in issues:  # sheets in the order they first appear
        key(issue)
    return sorted(issues, key=key)


# ---------------------------------------------------------------- reading values


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def legacy_problem(value, where: str, problems: "Problems") -> bool:
    """Text typed in an old font encoding (TCVN3/ABC, VNI) is reported at its cell; True then."""
    if isinstance(value, str) and not value.isascii():
        message = legacy_message(value)
        if message:
            problems.add(where, "text-legacy-encoding", message)
            return True
    return False


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def cell_text(value: str) -> str:
    """A text cell as the person sees it: NFC, without zero-width characters, the word
    joiner, a BOM or a soft hyphen (none of which shows)."""
    return nfc(value).translate(_INVISIBLE) if not value.isascii() else value


def _typed_as_text(value):
    """A number or date typed with Excel's text marker written out ("'36", "'15/01/2024":
    pasted from a CSV export or another program): the value after the apostrophe."""
    if isinstance(value, str) and value.strip().startswith(("'", "\u2019")):
        return value.strip()[1:]
    return value


# Excel's day numbers of 2000-01-01 and 2100-12-31: a whole number in a date cell in this
# range is a date whose cell lost its date format (pasted as values), shown as 44923
_SERIAL_RANGE = (36526, 73415)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def text_of(value) -> str | None:
    """A text cell: strings stripped; a number typed into a text cell is taken as its text."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


_NUMBER_TEXT = re.compile(r"^[+-]?\d+([.,]\d+)?$")
# "1.000" or "1,000": one separator followed by exactly three digits after 1 to 3 digits (not
# a lone 0): a thousand in one convention, one in the other (see decimal_of)
_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
_VIETNAMESE_GROUPED = re.compile(r"^[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?$")  # 1.234.567 or 1.234,5


class Uncomputed:
    """A cell holding a formula whose value was never calculated (a file written by a program
    that does not calculate): what it shows is not in the file (read_workbook reports it)."""

    __slots__ = ("formula",)

    def __init__(self, formula: str):
        self.formula = formula

    def __str__(self) -> str:
        return self.formula


class CellValueError(ValueError):
    """A cell value of the wrong kind; args: (error code, Vietnamese message)."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message)
        self.code, self.message = code, message


def decimal_of(value) -> Decimal:
    """A number cell → an exact Decimal. Text that is a plain number ("0,25") is accepted."""
    value = _typed_as_text(value)
    if isinstance(value, bool):
        raise CellValueError("form-cell-type", message("form-cell-type", "boolean"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellValueError("form-cell-type", message("form-cell-type", "not_finite"))
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if _AMBIGUOUS.match(text):
            raise CellValueError("form-number-ambiguous",
                                 message("form-number-ambiguous", value=_short(value),
                                         grouped=text.replace(',', '').replace('.', ''),
                                         decimal=text.replace(',', '.').rstrip('0').rstrip('.')))
        if _VIETNAMESE_GROUPED.match(text):  # the Vietnamese way, with two or more groups or a decimal comma
            return Decimal(text.replace(".", "").replace(",", "."))
        if _NUMBER_TEXT.match(text):
            try:
                return Decimal(text.replace(",", "."))
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                pass
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        raise CellValueError("form-cell-type", message("form-cell-type", "date"))
    raise CellValueError("form-cell-type", message("form-cell-type", value=_short(value)))


def points_of(value) -> Decimal:
    """Points: a number with at most two decimals (0,25)."""
    number = decimal_of(value)
    try:
        to_hundredths(number)
    except NotHundredths:
        raise CellValueError("precision", message("precision", "points", value=_short(value)))
    return number


def count_of(value, *, code: str = "form-cell-type") -> int:
    """A count: a whole number, not negative. Typed as text, it is read in the Vietnamese
    convention (scoring.text.parse_count: "1.000" is a thousand, as a count has no
    decimals; "1,000" is refused as ambiguous)."""
    value = _typed_as_text(value)
    if isinstance(value, str):
        try:
            return parse_count(value)
        except CountTextError:
            if _AMBIGUOUS.match(value.strip()) and "," in value:
                raise CellValueError("form-number-ambiguous", message("form-number-ambiguous", "count", value=_short(value)))
    number = decimal_of(value) if code == "form-cell-type" else _tally_decimal(value, code)
    if number != number.to_integral_value() or number < 0:
        raise CellValueError(code, message("survey-tally-invalid", value=_short(value)) if code == "survey-tally-invalid"
                             else message("form-cell-type", "count", value=_short(value)))
    return int(number)


def _tally_decimal(value, code):
    try:
        return decimal_of(value)
    except CellValueError as error:
        raise CellValueError(code, error.message)


_DMY = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def date_of(value) -> dt.date:
    """A date cell: a real Excel date, or the text dd/mm/yyyy (yyyy-mm-dd is accepted too),
    or Excel's day number of a date whose cell lost its date format (44923 = 28/12/2022)."""
    value = _typed_as_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() \
            and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
        value = _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise CellValueError("form-date-invalid", message("form-date-invalid", "time"))
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        day = parse_date(text)  # 15/01/2024, 15-01-2024, 15.01.2024, ngày 15 tháng 01 năm 2024, 2024-01-15
        if day is None:
            if _DMY.match(text) or _ISO.match(text):
                raise CellValueError("form-date-invalid", message("form-date-invalid", "no_such_day", value=text))
            raise CellValueError("form-date-invalid", message("form-date-invalid", value=_short(value)))
    else:
        raise CellValueError("form-date-invalid", message("form-date-invalid", value=_short(value)))
    if not DATE_MIN <= day <= DATE_MAX:
        raise CellValueError("form-date-invalid", message("form-date-invalid", "range", date=day))
    return day


def unit_type_of(text: str) -> str | None:
    """The unit type as the schema writes it, whatever the case and form: "Xã" → "xã"."""
    return next((kind for kind in UNIT_TYPES if same_text(text, kind)), None)


def yes_no_of(value) -> bool:
    """có / không (also x, TRUE/FALSE, 1/0)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = plain(value)
        if key in ("co", "x", "dat", "true", "yes", "c", "1"):
            return True
        if key in ("khong", "khongdat", "false", "no", "k", "0"):
            return False
    raise CellValueError("form-cell-invalid", message("form-cell-invalid", yes=YES, no=NO, value=_short(value)))


def plain(text: str) -> str:
    """Lower case, no diacritics, no spaces or punctuation: "Mã xã" → "maxa"."""
    decomposed = unicodedata.normalize("NFD", str(text).lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- writing JSON exactly


def _exact(value):
    if isinstance(value, Decimal):
        return to_number(to_hundredths(value))
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    return value


def dumps_exact(document: dict) -> bytes:
    """JSON text of an imported document: Decimals written as the exact decimal (0.25, never 0.2500001)."""
    return (json.dumps(_exact(document), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ---------------------------------------------------------------- reading workbooks


@dataclass
class SheetData:
    """A worksheet's values: rows[r][c] with r, c counted from 1 (row 0 / column 0 unused)."""

    name: str
    rows: list
    uncomputed: list = field(default_factory=list)  # (row, column, formula) of formulas never calculated

    def value(self, row: int, column: int):
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    @property
    def last_row(self) -> int:
        return len(self.rows) - 1


def zip_bomb_issue(path: Path, shown: str) -> CellIssue | None:
    """A workbook whose zip declares more than a form can hold (input_files.zip_bomb_message), or None."""
    why = zip_bomb_message(path)
    if why is None:
        return None
    return CellIssue(shown, "", "form-not-a-form", message("form-not-a-form", "zip_bomb", why=why))


def read_workbook(path: Path, shown: str) -> dict[str, SheetData]:
    """Every sheet's values (read-only, cached values of formulas), or a form-not-a-form problem.

    Refused before reading: a path that is not a regular file or is too large
    (input_files.input_file_issue), and a zip that would expand beyond a form's size
    (zip_bomb_issue); while reading, a sheet wider than SHEET_MAX_COLUMNS or with more than
    SHEET_MAX_CELLS cells (a few bytes can place a cell at XFD1048576).
    """
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    refused = input_file_issue(path, shown)
    if refused is not None:
        raise FormError([CellIssue(refused.file, refused.pointer, refused.code, refused.message)])
    bomb = zip_bomb_issue(path, shown)
    if bomb is not None:
        raise FormError([bomb])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise FormError([CellIssue(shown, "", "file-missing", message("file-missing"))])
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        raise FormError([CellIssue(shown, "", "form-not-a-form", not_a_workbook_message(path))])
    try:
        sheets = {}
        for sheet in book.worksheets:
            sheets[sheet.title] = SheetData(sheet.title, _sheet_rows(sheet, shown))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise FormError([CellIssue(shown, "", "form-not-a-form", message("form-not-a-form", "error", error=type(error).__name__))])
    finally:
        book.close()
    if _has_formulas(path):  # the formulas' own text, for the cells whose value was never calculated
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        try:
            for sheet in book.worksheets:
                data = sheets[sheet.title]
                for r, row in enumerate(_sheet_rows(sheet, shown)):
                    for column, formula in enumerate(row):
                        if isinstance(formula, str) and formula.startswith("=") and data.value(r, column) is None:
                            data.rows[r][column] = Uncomputed(formula)
                            data.uncomputed.append((r, column, formula))
        finally:
            book.close()
    return sheets


def _sheet_rows(sheet, shown: str) -> list:
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some writers record a wrong used range; read every row there is
    rows = [[None]]
    cells = 0
    for values in sheet.iter_rows(values_only=True):
        cells += len(values) + 1
        if len(values) > SHEET_MAX_COLUMNS or cells > SHEET_MAX_CELLS:
            raise FormError([CellIssue(shown, "", "form-not-a-form",
                                       message("form-not-a-form", "too_big", sheet=sheet.title[:40],
                                               rows=len(rows), columns=len(values), max_columns=SHEET_MAX_COLUMNS,
                                               max_cells=f"{SHEET_MAX_CELLS:,}".replace(",", ".")))])
        # text enters in NFC (a cell typed with Unikey's "Unicode tổ hợp", pasted from a Mac…),
        # without the characters that show nothing (a zero-width space pasted from a web page
        # or a chat inside "3​6" or "1.1​.1": read as the person sees it)
        rows.append([None] + [cell_text(value) if isinstance(value, str) else value for value in values])
    return rows


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the .xlsx file holds a formula (an <f> element)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return any(re.search(rb"<(?:\w+:)?f[ >/]", archive.read(name))
                       for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, KeyError):
        return False


def not_a_workbook_message(path: Path) -> str:
    """Why a file could not be read as a workbook, with what to do for the usual look-alikes."""
    suffix = Path(path).suffix.lower()
    try:
        head = Path(path).read_bytes()[:8]
    except OSError:
        head = b""
    if suffix == ".ods" or (head.startswith(b"PK") and suffix not in (".xlsx", ".xlsm")):
        return message("form-not-a-form", "ods")
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        return message("form-not-a-form", "xls")
    return message("form-not-a-form")


def formula_problems(sheets: dict, problems: "Problems") -> None:
    """Every cell holding a formula with no calculated value, reported at the cell: its value
    is not in the file, so it is never read as empty."""
    for data in sheets.values():
        for row, column, formula in data.uncomputed:
            problems.add(cell(data.name, column, row), "form-cell-formula",
                         message("form-cell-formula", formula=_short(formula)))


def read_meta(sheets: dict[str, SheetData]) -> dict[str, str] | None:
    """The key/value pairs of the hidden _meta sheet, or None when the workbook has none."""
    meta = sheets.get(META_SHEET)
    if meta is None:
        return None
    pairs = {}
    for row in range(1, meta.last_row + 1):
        key = text_of(meta.value(row, 1))
        if key:
            pairs[key] = text_of(meta.value(row, 2)) or ""
    return pairs


def form_kind(meta: dict | None) -> str | None:
    """Which generated form this is (self / appraisal), from its _meta sheet."""
    if not meta:
        return None
    for kind, form_id in FORM_IDS.items():
        if meta.get("form") == form_id:
            return kind
    return None


def display(path) -> str:
    from ..files import display_path

    return display_path(Path(path))


# ---------------------------------------------------------------- rows in order


def check_row_order(expected: list, found: dict, problems: Problems, sheet: str, *, code_column: int,
                    describe) -> None:
    """Rows are matched by their key (leaf code, or commune and leaf); report rows deleted or moved.

    ``expected``: (key, row) in the order the form was made; ``found``: key → the rows holding
    it. A key found twice is reported on its second row; a missing key where its row was
    (counted from the previous key still there); rows out of order are the keys outside the
    longest run that kept the form's order, so one deleted row does not make every later
    row "moved".
    """
    position = {key: index for index, (key, _) in enumerate(expected)}
    for key, rows in found.items():
        for extra in rows[1:]:
            problems.add(cell(sheet, code_column, extra), "form-row-duplicate",
                         message("form-row-duplicate", row_of=describe(key), first=rows[0]))
    present = sorted(((rows[0], key) for key, rows in found.items() if key in position))
    keep = _longest_increasing([position[key] for _, key in present])
    for index, (row, key) in enumerate(present):
        if index not in keep:
            before = position[key] - 1
            problems.add(cell(sheet, code_column, row), "form-row-moved",
                         message("form-row-moved", row_of=describe(key), after=describe(expected[before][0]))
                         if before >= 0 else message("form-row-moved", "first", row_of=describe(key)))
    anchor = None  # (row found, row expected) of the last key still there
    for key, expected_row in expected:
        if key in found:
            anchor = (found[key][0], expected_row)
            continue
        row = expected_row if anchor is None else anchor[0] + expected_row - anchor[1]
        problems.add(cell(sheet, code_column, row), "form-row-missing", message("form-row-missing", row_of=describe(key)))


def _longest_increasing(sequence: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence (patience sorting)."""
    import bisect

    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(sequence)
    for index, value in enumerate(sequence):
        slot = bisect.bisect_left(tails, value)
        if slot == len(tails):
            tails.append(value)
            tail_index.append(index)
        else:
            tails[slot] = value
            tail_index[slot] = index
        previous[index] = tail_index[slot - 1] if slot else -1
    keep = set()
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        keep.add(index)
        index = previous[index]
    return keep


def map_issues(issues, problems: Problems, locations: dict[str, str], fallback: str, *, skip_codes=()) -> None:
    """Validation issues (JSON pointers into the assembled document) → problems at the cells they came from.

    The deepest pointer with a known cell wins ("/leaves/1.1/evidence/0/date" → the date cell).
    """
    for issue in issues:
        if issue.code in skip_codes:
            continue
        where = _locate(issue.pointer, locations, fallback)
        problems.add(where, issue.code, issue.message)


def _locate(json_pointer: str, locations: dict[str, str], fallback: str) -> str:
    parts = json_pointer.split("/")
    while parts:
        key = "/".join(parts)
        if key in locations:
            return locations[key]
        parts.pop()
    return fallback


def summarize_missing_files(warnings, base_dir, *, keep: int = 3) -> list:
    """Scans not found beside the output: the first few at their cells, then one line for the rest."""
    missing = [w for w in warnings if w.code == "evidence-file-missing"]
    if len(missing) <= keep:
        return list(warnings)
    others = [w for w in warnings if w.code != "evidence-file-missing"]
    first = missing[0]
    rest = CellIssue(first.file, "", "evidence-file-missing",
                     message("evidence-file-missing", "more", count=len(missing) - keep, folder=display(base_dir)))
    return others + missing[:keep] + [rest]


def open_form(path, criteria, *, kind: str, sheets, required: tuple[str, ...], criteria_cell: str,
              not_this_kind: str):
    """The start every form reader shares: read the workbook (unless given), check it is a form
    of ``kind`` made by this program's form version for this criteria set and year, and that
    its ``required`` sheets are there. Returns (shown path, Problems, sheets, meta) or raises
    FormError with every problem found so far."""
    path = Path(path)
    shown = display(path)
    problems = Problems(shown)
    if sheets is None:
        sheets = read_workbook(path, shown)
    formula_problems(sheets, problems)
    meta = read_meta(sheets)
    if form_kind(meta) != kind:
        problems.add("", "form-not-a-form", not_this_kind)
        problems.raise_if_any()
    if meta.get("version") != str(FORM_VERSION):
        problems.add("", "form-not-a-form", message("form-not-a-form", "version", version=meta.get('version'), expected=FORM_VERSION))
        problems.raise_if_any()
    form_id, year = meta.get("criteria_id"), meta.get("year")
    if form_id != criteria.id or year != str(criteria.year):
        problems.add(criteria_cell, "form-criteria-mismatch",
                     message("form-criteria-mismatch", found=form_id, found_year=year, criteria=criteria.id,
                             year=criteria.year))
        problems.raise_if_any()
    for name in required:
        if name not in sheets:
            problems.add(f"{name}!A1", "form-not-a-form", message("form-not-a-form", "sheet_missing", sheet=name))
    problems.raise_if_any()
    return shown, problems, sheets, meta
