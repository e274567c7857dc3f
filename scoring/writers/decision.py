"""The approval decision draft (Quyết định phê duyệt kết quả Chỉ số CCHC), a Word document.

The issuer (UBND huyện until mid-2025, UBND tỉnh since) signs every year a decision approving
the communes' index results, with the results table as its annex. This writer fills the Word
template ``scoring/templates/decision.docx`` (built by ``tools/make_decision_template.py``,
Decree 30/2020/NĐ-CP layout) from a results JSON and a few details the office fills in later.

Three steps, each usable alone:

- :func:`build_context` (pure): results + details → every text the template shows, already
  formatted (decimal comma, Decree 30 dates, issuer-dependent wording);
- :func:`render_decision`: context → the .docx bytes (docxtpl over python-docx, input
  escaped: ``render(context, autoescape=True)``, a sandboxed Jinja environment, undefined
  names are errors; with the bundled template the annex rows are written as XML text from
  two rendered specimen rows, same bytes: ``scoring/writers/decision_annex.py``);
- :func:`write_decision`: writes those bytes atomically, never over an existing file
  without ``force``.

The template holds the wording (the office may copy and edit it and pass it as
``template``); the context holds only data. Variables a template can use are listed in
:data:`CONTEXT_KEYS`.

Decision details file
---------------------
A small UTF-8 JSON object (a BOM is accepted), every key optional, ``null`` = absent::

    {
      "number": "47",                  // "47" or "47/QĐ-UBND"; absent → "Số:      /QĐ-UBND"
      "date": "2024-02-05",            // YYYY-MM-DD, or as officials write it (05/02/2024); absent → "…, ngày      tháng      năm <year+1>"
      "signer": "Võ Trung Mạnh",       // absent → the name line stays blank
      "signing_mode": "tm",            // "tm": TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH (default)
                                       // "kt": KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
      "extra_legal_bases": ["Căn cứ Kế hoạch số 312/KH-UBND ngày 23/12/2022 của UBND huyện …"],
      "recipients": ["Như Điều 3", "UBND tỉnh (b/c)", "Lưu: VT, NV"],
      "proposer": "Trưởng phòng Nội vụ huyện tại Tờ trình số 12/TTr-NV ngày 01/02/2024"
    }

(The comments above are for the reader; the file itself is plain JSON.) Unknown keys are
rejected with the list of allowed ones. A problem raises :class:`DetailsError` naming the
file, the JSON pointer and a Vietnamese message, e.g.
``details.json:/date: ngày không hợp lệ "2024-02-30", cần dạng YYYY-MM-DD [details-bad-date]``.

Wording decisions
-----------------
- Signing mode and authority follow Decree 30 (Phụ lục I, "TM." = on behalf of the collective
  body, "KT." = on behalf of the head): ``tm`` is a decision of the People's Committee
  (authority line "ỦY BAN NHÂN DÂN HUYỆN …", annex "… của Ủy ban nhân dân huyện …");
  ``kt`` is a decision of the Chairman signed by a Vice-Chairman (authority "CHỦ TỊCH ỦY BAN
  NHÂN DÂN HUYỆN …", annex "… của Chủ tịch Ủy ban nhân dân huyện …").
- Điều 1 lists every band of the criteria set in order, zero counts included ("Xếp loại Yếu:
  không có đơn vị"), so the reader sees the whole scale; counts below 10 are written with a
  leading zero ("02 đơn vị") as officials do. The average index follows when known.
- Legal bases: the law on local government in force at the decision date (2015 law and its
  2019 amendment; the law of 19/02/2025 from 01/3/2025; the law of 16/6/2025 from 01/7/2025;
  without a date, 1 January of the year after the scored year is assumed), the criteria set's
  own decision (results ``criteria.legal_source``), the extra bases from the details, then
  "Theo đề nghị của …" (the proposer; default the head of Home Affairs). Each ends with ";",
  the last with ".". An extra basis not starting with "Căn cứ", "Xét" or "Theo" gets "Căn cứ ".
- Recipients: normalised to "- text;" lines, the last ending "."; a "Lưu: VT" line is added
  when none starts with "Lưu" (Decree 30 requires the file copy). Defaults depend on the
  issuer level (district: UBND tỉnh, Sở Nội vụ …; province: Bộ Nội vụ …).
- Annex: every figure needed to recompute a unit's index by hand (issue 13): self-assessed,
  appraised and survey points, bonus, penalty (points taken off, written positive), total,
  applicable maximum, index, rank and band (total = appraised + survey + bonus − penalty;
  index = total ÷ applicable maximum × 100). One row per commune in results order (block by block, rank order), the unit's type
  capitalised before its name ("Xã Đăk Hà", unless the name already starts with the type);
  a heading row per ranking block when the communes fall in more than one block. Points
  and the index are shown with two decimals and the decimal comma ("85,75").
- Input text is NFC-normalised; control characters (tab, newline, BEL…) become spaces, so no
  input can add paragraphs, breaks or invalid XML.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import CchcError, Issue, cut, message, one_line
from ..input_files import input_file_issue, zip_bomb_message
from ..numbers import format_points, from_number
from ..report import UNDEFINED_INDEX
from ..text import legacy_message, normalise_document_number, parse_date
from ..vietnamese import roman
from .atomic import OutputExists, write_bytes_atomic
from .decision_annex import insert_rows, new_nonce, specimen_rows, splice

BUNDLED_TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "decision.docx"
SIGNING_MODES = ("tm", "kt")
DEFAULT_SUFFIX = "QĐ-UBND"
# The blanks the office fills in by hand (widths as officials leave them).
BLANK_NUMBER = "     "
BLANK_DAY_MONTH = "    "

CONTEXT_KEYS = (
    "year", "next_year", "issuer_name", "issuer_unit_caps", "area_name", "area_name_caps",
    "place", "number", "place_date", "date_text", "units_phrase", "units_phrase_caps",
    "units_counted", "unit_count", "legal_bases", "band_lines", "average_index",
    "office_chief", "home_affairs_head", "recipients", "signing_mode", "kt", "signer",
    "rows", "several_blocks", "document_title",
)

DETAILS_KEYS = ("number", "date", "signer", "signing_mode", "extra_legal_bases", "recipients", "proposer")


# --------------------------------------------------------------------------- errors


class DecisionError(CchcError):
    """Base of the decision writer's own errors (a scoring.errors.CchcError)."""

    @property
    def issues(self) -> tuple:
        return (Issue(self.file, getattr(self, "pointer", ""), self.code, getattr(self, "message", str(self))),)


class DetailsError(DecisionError, ValueError):
    """An invalid decision-details file or option: file, JSON pointer, Vietnamese message, code.

    A file with several problems raises one DetailsError naming the first (``file``,
    ``pointer``, ``code``, ``message``) whose ``problems`` are all of them, each a
    DetailsError, in file order; its text is one line per problem."""

    def __init__(self, file, pointer: str, message: str, code: str, problems: tuple = ()):
        self.file = str(file)
        self.pointer = pointer
        self.message = message
        self.code = code
        self.problems = tuple(problems) or (self,)
        super().__init__("\n".join(f"{p.file}:{p.pointer}: {p.message} [{p.code}]" if p is not self
                                   else f"{self.file}:{pointer}: {message} [{code}]" for p in self.problems))

    @classmethod
    def coded(cls, file, pointer: str, code: str, **values) -> "DetailsError":
        """The error of ``code`` with its message rendered from the registry's template."""
        return cls(file, pointer, message(code, **values), code)

    @classmethod
    def of(cls, problems) -> "DetailsError":
        """One error carrying every problem found (the first gives file, pointer, code)."""
        first = problems[0]
        return cls(first.file, first.pointer, first.message, first.code, tuple(problems))

    @property
    def issues(self) -> tuple:
        return tuple(Issue(p.file, p.pointer, p.code, p.message) for p in self.problems)


class TemplateError(DecisionError):
    """The Word template is missing, not a .docx, or its template code is wrong: one line
    ``file:: message [code]`` (codes template-missing, template-not-docx, template-code)."""

    def __init__(self, file, message: str, code: str = "template-not-docx"):
        self.file, self.message, self.code = str(file), message, code
        super().__init__(one_line(f"{self.file}:: {message} [{code}]"))


class ProvisionalResults(DecisionError):
    """The results are provisional (TẠM TÍNH) and the draft was not asked for explicitly."""

    def __init__(self, file, reasons):
        self.file, self.code, self.pointer = str(file), "results-provisional", "/provisional"
        why = "; ".join(reason.get("message", "") for reason in reasons)
        self.message = message("results-provisional", why=why)
        super().__init__(f"{self.file}:/provisional: {self.message} [{self.code}]")


# --------------------------------------------------------------------------- details


@dataclass(frozen=True)
class DecisionDetails:
    """What the office decides outside the scoring: number, date, signer, bases, recipients."""

    number: str | None = None
    date: _dt.date | None = None
    signer: str | None = None
    signing_mode: str = "tm"
    extra_legal_bases: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    proposer: str | None = None

    def __post_init__(self):
        if self.signing_mode not in SIGNING_MODES:
            raise DetailsError.coded("DecisionDetails", "/signing_mode", "details-bad-signing-mode",
                                     value=self.signing_mode)


_NUMBER = re.compile(r"^[0-9]{1,7}(?:/\S{1,60})?$")


def _check_text(value, file, pointer, what):
    if not isinstance(value, str):
        raise DetailsError.coded(file, pointer, "details-bad-type", what=what, expected="một chuỗi")
    value = _clean(value).strip()
    if not value:
        raise DetailsError.coded(file, pointer, "details-empty", what=what)
    legacy = legacy_message(value) if not value.isascii() else None  # TCVN3/VNI typed into an option
    if legacy:
        raise DetailsError(file, pointer, message("text-legacy-encoding", "details", what=what, reason=legacy), "text-legacy-encoding")
    if len(value) > 2000:
        raise DetailsError.coded(file, pointer, "details-too-long", what=what)
    return value


def _check_number(value, file, pointer):
    # look-alikes folded as everywhere a number is read: "47/QÐ–UBND", "47 / QD-UBND" → "47/QĐ-UBND"
    value = normalise_document_number(_check_text(value, file, pointer, "số quyết định"))
    if not _NUMBER.match(value):
        raise DetailsError.coded(file, pointer, "details-bad-number", value=value)
    return value


def _check_date(value, file, pointer):
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if not isinstance(value, str):
        raise DetailsError.coded(file, pointer, "details-bad-type", what="ngày ký", expected="một chuỗi dạng dd/mm/yyyy hoặc YYYY-MM-DD")
    day = parse_date(value)  # as officials write it: 05/02/2024, 05-02-2024, 2024-02-05…
    if day is None:
        raise DetailsError.coded(file, pointer, "details-bad-date", value=value)
    return day


def _check_mode(value, file, pointer):
    if not isinstance(value, str) or value.strip().lower() not in SIGNING_MODES:
        raise DetailsError.coded(file, pointer, "details-bad-signing-mode", value=value)
    return value.strip().lower()


def _check_list(value, file, pointer, what):
    """A list of texts; every bad item is a problem (raised together as one DetailsError)."""
    if not isinstance(value, list):
        raise DetailsError.coded(file, pointer, "details-bad-type", what=what, expected="một danh sách chuỗi")
    items, problems = [], []
    for index, item in enumerate(value):
        try:
            items.append(_check_text(item, file, f"{pointer}/{index}", what))
        except DetailsError as error:
            problems += error.problems
    if problems:
        raise DetailsError.of(problems)
    return tuple(items)


_DETAIL_CHECKS = {
    "number": _check_number,
    "date": _check_date,
    "signing_mode": _check_mode,
    "signer": lambda value, file, pointer: _check_text(value, file, pointer, "người ký"),
    "proposer": lambda value, file, pointer: _check_text(value, file, pointer, "người đề nghị"),
    "extra_legal_bases": lambda value, file, pointer: _check_list(value, file, pointer, "căn cứ pháp lý"),
    "recipients": lambda value, file, pointer: _check_list(value, file, pointer, "nơi nhận"),
}


def load_details(path) -> DecisionDetails:
    """Read a decision-details JSON file (format in the module docstring).

    Raises DetailsError (a ValueError) for an unreadable file, invalid JSON, unknown keys or a
    bad value; the error names the file and the JSON pointer of the problem, and a file with
    several problems (unknown keys, bad values) reports every one of them at once
    (``DetailsError.problems``, one line each), like every other reader.
    """
    path = Path(path)
    refused = input_file_issue(path, str(path))
    if refused is not None:
        raise DetailsError(path, "", refused.message, refused.code)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DetailsError.coded(path, "", "details-not-found") from None
    except UnicodeDecodeError:
        raise DetailsError.coded(path, "", "details-bad-encoding") from None
    except OSError as exc:
        raise DetailsError.coded(path, "", "details-unreadable", reason=exc.strerror or exc) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DetailsError.coded(path, "", "details-bad-json", line=exc.lineno, column=exc.colno,
                                 reason=exc.msg) from None
    except RecursionError:
        raise DetailsError(path, "", message("details-bad-json", "too_deep"), "details-bad-json") from None
    if not isinstance(data, dict):
        raise DetailsError.coded(path, "", "details-bad-type", what="tệp", expected="một đối tượng JSON {…}")
    problems: list[DetailsError] = []
    for key in data:
        if key not in DETAILS_KEYS:
            problems.append(DetailsError.coded(path, "/" + _pointer_escape(key), "details-unknown-key",
                                               key=key, allowed=", ".join(DETAILS_KEYS)))
    values: dict = {}
    for key in DETAILS_KEYS:
        value = data.get(key)
        if value is None:
            continue
        try:
            values[key] = _DETAIL_CHECKS[key](value, path, "/" + key)
        except DetailsError as error:
            problems += error.problems
    if problems:
        raise DetailsError.of(problems)
    return DecisionDetails(**values)


def override_details(details: DecisionDetails, *, number=None, date=None, signer=None,
                     signing_mode=None, source: str = "dòng lệnh") -> DecisionDetails:
    """The details with the command-line options that were given (None = keep) applied.

    Values are checked like the file's; a bad one raises DetailsError whose file is
    ``source`` and whose pointer is the option (``--number``, ``--date``, …).
    """
    changes: dict = {}
    if number is not None:
        changes["number"] = _check_number(number, source, "--number")
    if date is not None:
        changes["date"] = _check_date(date, source, "--date")
    if signer is not None:
        changes["signer"] = _check_text(signer, source, "--signer", "người ký")
    if signing_mode is not None:
        changes["signing_mode"] = _check_mode(signing_mode, source, "--signing-mode")
    if not changes:
        return details
    return replace(details, **changes)


def _pointer_escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


# --------------------------------------------------------------------------- text helpers


_XML_BAD = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _clean(text) -> str:
    """NFC text with control characters (tab, newline, BEL…) and XML-illegal ones as spaces."""
    text = unicodedata.normalize("NFC", str(text))
    if text.isprintable():  # no Cc, no surrogate, no U+FFFE/U+FFFF: nothing to replace (most names)
        return text
    text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return _XML_BAD.sub(" ", text)


def _count(n: int) -> str:
    """A count as officials write it: 2 → "02", 11 → "11"."""
    return f"{n:02d}" if 0 <= n < 10 else str(n)


def _day_month(day: int, month: int) -> tuple[str, str]:
    """Decree 30: days below 10 and months 1 and 2 get a leading zero; other months do not."""
    return (f"{day:02d}" if day < 10 else str(day)), (f"{month:02d}" if month < 3 else str(month))


def long_date(date: _dt.date) -> str:
    """2024-02-05 → "ngày 05 tháng 02 năm 2024"; 2024-03-15 → "ngày 15 tháng 3 năm 2024"."""
    day, month = _day_month(date.day, date.month)
    return f"ngày {day} tháng {month} năm {date.year}"


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower the first letter unless the first word is an acronym ("UBND …")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _punctuate(lines, *, prefix: str = "") -> list[str]:
    """Each line ending ";" and the last ".": trailing punctuation of the input is replaced."""
    cleaned = [line.strip().rstrip(";.,:").rstrip() for line in lines]
    cleaned = [line for line in cleaned if line]
    return [f"{prefix}{line}{'.' if index == len(cleaned) - 1 else ';'}" for index, line in enumerate(cleaned)]


# --------------------------------------------------------------------------- issuer wording


_AREA_WORDS = ("thành phố", "thị xã", "huyện", "quận", "tỉnh")
_PARTY_COMMITTEE = {"tỉnh": "Tỉnh ủy", "thành phố": "Thành ủy", "huyện": "Huyện ủy",
                    "quận": "Quận ủy", "thị xã": "Thị ủy"}
_UNIT_ORDER = ("xã", "phường", "thị trấn", "đặc khu")
_COMMITTEE_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")

# The law on the organisation of local government in force from a date (newest first).
_LOCAL_GOVERNMENT_LAWS = (
    (_dt.date(2025, 7, 1), ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",)),
    (_dt.date(2025, 3, 1), ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025",)),
    (_dt.date(2016, 1, 1), ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015",
                            "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và "
                            "Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019")),
)

_DOCUMENT_KINDS = {"QĐ": "Quyết định", "KH": "Kế hoạch", "HD": "Hướng dẫn", "CT": "Chỉ thị",
                   "TB": "Thông báo", "NQ": "Nghị quyết", "CV": "Công văn", "TT": "Thông tư"}


def _area_name(issuer: dict) -> str:
    """The issuer's unit without "Ủy ban nhân dân": "huyện Tu Mơ Rông", "tỉnh Quảng Ninh"."""
    unit = issuer.get("unit_name")
    if unit:
        return _clean(unit).strip()
    name = _clean(issuer.get("name") or "").strip()
    for prefix in _COMMITTEE_PREFIXES:
        if name.lower().startswith(prefix):
            return name[len(prefix):].strip()
    word = "tỉnh" if issuer.get("level") == "province" else "huyện"
    return f"{word} {_clean(issuer.get('place') or '').strip()}".strip()


def _area_word(unit: str, default: str) -> str:
    low = unit.lower()
    for word in _AREA_WORDS:
        if low.startswith(word + " ") or low == word:
            return word
    return default


def _legal_source_basis(source: dict) -> str | None:
    number = _clean(source.get("number") or "").strip()
    if not number:
        return None
    suffix = number.rsplit("/", 1)[-1]
    kind = _DOCUMENT_KINDS.get(suffix.split("-", 1)[0].upper(), "Văn bản") if "/" in number else "Văn bản"
    text = f"Căn cứ {kind} số {number}"
    date = source.get("date")
    if date:
        try:
            text += " " + long_date(_dt.date.fromisoformat(str(date)))
        except ValueError:
            text += f" ngày {_clean(date)}"
    issuer = _clean(source.get("issuer") or "").strip()
    if issuer:
        text += f" của {issuer}"
    title = _clean(source.get("title") or "").strip().rstrip(".;")
    if title.lower().startswith(kind.lower() + " "):  # "Quyết định ban hành …" → "ban hành …"
        title = title[len(kind) + 1:].strip()
    if title:
        about = _lower_first(title)
        if not about.lower().startswith("về "):
            about = "về việc " + about
        text += f" {about}"
    return text


def _units(communes: list, blocks: list) -> list[tuple[str, int]]:
    """(unit type, count) in the usual order: xã, phường, thị trấn, đặc khu, then others."""
    counts = Counter(_clean(commune.get("type") or "xã").strip().lower() for commune in communes)
    if not counts:
        for block in blocks:
            for unit_type in block.get("unit_types", []):
                counts.setdefault(_clean(unit_type).strip().lower(), 0)
    if not counts:
        counts["xã"] = 0
    ordered = [unit for unit in _UNIT_ORDER if unit in counts]
    ordered += [unit for unit in counts if unit not in _UNIT_ORDER]
    return [(unit, counts[unit]) for unit in ordered]


def _join_and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " và " + parts[-1]


def _unit_label(commune: dict) -> str:
    name = _clean(commune.get("name") or "").strip()
    unit_type = _clean(commune.get("type") or "").strip()
    if not unit_type or name.lower().startswith(unit_type.lower() + " "):
        return name
    return f"{_capitalize(unit_type)} {name}"


def _points(value) -> str:
    return "" if value is None else _points_text(value)


@functools.lru_cache(maxsize=65536)
def _points_text(value) -> str:
    # a national annex formats ~27,000 values, most of them the same few hundred
    return format_points(from_number(value))


def block_lines(blocks: list, band_names: list) -> list[str]:
    """Issue 13: with several ranking blocks, one line per block as results notices give them:
    "Khối phường (04 đơn vị): chỉ số bình quân 85,10%; Xuất sắc 01 (25,00%), Tốt 03 (75,00%);
    chỉ số hài lòng 80,25%; không xếp hạng" (the last words only for a block not ranked)."""
    if len(blocks) < 2:
        return []
    lines = []
    for block in blocks:
        if not block.get("communes"):
            continue
        figures = []
        if block.get("average_index") is not None:
            figures.append(f"chỉ số bình quân {_points(block['average_index'])}%")
        counts, shares = block.get("bands") or {}, block.get("band_shares") or {}
        banded = [f"{name} {_count(counts[name])} ({_points(shares.get(name, 0))}%)" for name in band_names if counts.get(name)]
        if banded:
            figures.append(", ".join(banded))
        if block.get("survey_index") is not None:
            figures.append(f"chỉ số hài lòng {_points(block['survey_index'])}%")
        if block.get("ranked") is False:
            figures.append("không xếp hạng")
        lines.append(f"{_clean(block['name'])} ({_count(block['communes'])} đơn vị): " + "; ".join(figures))
    return lines


# --------------------------------------------------------------------------- context


def build_context(results: dict, details: DecisionDetails = DecisionDetails()) -> dict:
    """Everything the template shows, as formatted text (pure; see CONTEXT_KEYS).

    ``results`` is a results JSON (scoring/results.schema.json) as loaded by json.load.
    """
    criteria = results["criteria"]
    issuer = criteria.get("issuer") or {}
    level = issuer.get("level") or "district"
    year = int(criteria["year"])
    next_year = year + 1
    communes = results.get("communes") or []
    summary = results.get("summary") or {}

    area_name = _area_name(issuer)
    area_word = _area_word(area_name, "tỉnh" if level == "province" else "huyện")
    place = _clean(issuer.get("place") or "").strip() or area_name.split(" ", 1)[-1]

    # Number and date, or the conventional blanks.
    if details.number:
        number = details.number if "/" in details.number else f"{details.number}/{DEFAULT_SUFFIX}"
    else:
        number = f"{BLANK_NUMBER}/{DEFAULT_SUFFIX}"
    if details.date:
        date_text = long_date(details.date)
    else:
        date_text = f"ngày {BLANK_DAY_MONTH} tháng {BLANK_DAY_MONTH} năm {next_year}"
    place_date = f"{place}, {date_text}"

    # The units decided on.
    units = _units(communes, criteria.get("blocks") or [])
    units_phrase = "các " + ", ".join(unit for unit, _ in units)
    unit_count = sum(count for _, count in units)
    units_counted = _join_and([f"{_count(count)} {unit}" for unit, count in units if count]) or units_phrase
    missing = results.get("not_submitted") or []
    if summary.get("registered") is not None and missing:
        # registered units without a submission are counted, named, and not approved
        units_counted += (f" (trong tổng số {_count(summary['registered'])} đơn vị, {_count(len(communes))} đã chấm điểm; "
                          f"{_count(len(missing))} đơn vị chưa nộp hồ sơ tự đánh giá: "
                          + ", ".join(f"{_clean(unit['type'])} {_clean(unit['name'])}" for unit in missing) + ")")

    # Who does what, by issuer level.
    if level == "province":
        home_affairs_head = "Giám đốc Sở Nội vụ"
        office_chief = f"Chánh Văn phòng Ủy ban nhân dân {area_word}"
        default_recipients = ("Như Điều 3", "Bộ Nội vụ (b/c)",
                              f"TT {_PARTY_COMMITTEE.get(area_word, 'Tỉnh ủy')}, TT HĐND {area_word} (b/c)",
                              f"CT, các PCT UBND {area_word}", "Lưu: VT, NV")
    else:
        home_affairs_head = f"Trưởng phòng Nội vụ {area_word}"
        office_chief = f"Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân {area_word}"
        parent_word = _area_word(_clean(issuer.get("parent") or ""), "tỉnh")
        default_recipients = ("Như Điều 3", f"UBND {parent_word} (b/c)", "Sở Nội vụ (b/c)",
                              f"TT {_PARTY_COMMITTEE.get(area_word, 'Huyện ủy')}, TT HĐND {area_word} (b/c)",
                              f"CT, các PCT UBND {area_word}", "Lưu: VT, NV")

    # Legal bases: law in force, criteria decision, extras, proposal.
    reference_date = details.date or _dt.date(next_year, 1, 1)
    bases: list[str] = []
    for since, laws in _LOCAL_GOVERNMENT_LAWS:
        if reference_date >= since:
            bases.extend(laws)
            break
    # a set built on a framework (issue 13): the framework's decision first (outermost of a chain first)
    framework, framework_bases = criteria.get("framework"), []
    while isinstance(framework, dict):
        basis = _legal_source_basis(framework.get("legal_source") or {})
        if basis:
            framework_bases.insert(0, basis)
        framework = framework.get("extends")
    bases.extend(framework_bases)
    source_basis = _legal_source_basis(criteria.get("legal_source") or {})
    if source_basis:
        bases.append(source_basis)
    for extra in details.extra_legal_bases:
        extra = _clean(extra).strip()
        if extra and not re.match(r"(?i)^(căn cứ|xét|theo)\b", extra):
            extra = "Căn cứ " + extra
        bases.append(extra)
    proposer = _clean(details.proposer).strip() if details.proposer else home_affairs_head
    bases.append(f"Theo đề nghị của {proposer}")

    # Điều 1: every band, in the criteria's order.
    band_counts = {str(name): int(count) for name, count in (summary.get("bands") or {}).items()}
    band_names = [_clean(band["name"]) for band in criteria.get("bands") or []]
    band_names += [name for name in band_counts if name not in band_names]
    band_lines = []
    shares = summary.get("band_shares") or {}  # issue 13: the share of each band, as results notices give it
    for name in band_names:
        count = band_counts.get(name, 0)
        share = f" ({_points(shares[name])}%)" if count and name in shares else ""
        band_lines.append(f"Xếp loại {name}: {_count(count)} đơn vị{share}" if count else f"Xếp loại {name}: không có đơn vị")
    band_lines += block_lines(summary.get("blocks") or [], band_names)
    band_lines = _punctuate(band_lines, prefix="- ")
    average = summary.get("average_index")
    average_index = f"{_points(average)}%" if average is not None else ""

    # Recipients.
    recipients = [re.sub(r"^[\-–•+*\s]+", "", _clean(item)).strip() for item in (details.recipients or default_recipients)]
    recipients = [item for item in recipients if item]
    if not any(item.lower().startswith("lưu") for item in recipients):
        recipients.append("Lưu: VT")
    recipients = _punctuate(recipients, prefix="- ")

    # Annex rows, block headings when several blocks.
    block_names = {block.get("id"): _clean(block.get("name") or block.get("id")) for block in criteria.get("blocks") or []}
    present_blocks = list(dict.fromkeys(commune.get("block") for commune in communes))
    several_blocks = len(present_blocks) > 1
    rows: list[dict] = []
    current_block = object()
    for stt, commune in enumerate(communes, start=1):
        block = commune.get("block")
        if several_blocks and block != current_block:
            current_block = block
            label = block_names.get(block) or _clean(block or "")
            rows.append({"heading": True, "label": f"{roman(present_blocks.index(block) + 1)}. {label}"})
        rows.append({
            "heading": False,
            "stt": str(stt),
            "name": _unit_label(commune),
            "self_assessed": _points(commune.get("self_assessed")),
            "appraised": _points(commune.get("appraised")),
            "survey": _points(commune.get("survey")),
            "bonus": _points(commune.get("bonus")),
            "penalty": _points(commune.get("penalty")),
            "total": _points(commune.get("total")),
            "max": _points(commune.get("max")),
            # an undefined index (no applicable point) is said, not ranked, not banded
            "index": _points(commune.get("index")) if commune.get("index") is not None else UNDEFINED_INDEX,
            "rank": "" if commune.get("rank") is None else str(commune["rank"]),
            "band": _clean(commune.get("band") or ("không xếp loại" if commune.get("index_note") else "")),
        })
    for stt, unit in enumerate(missing, start=len(communes) + 1):
        rows.append({"heading": False, "stt": str(stt), "name": _unit_label(unit), "self_assessed": "", "appraised": "",
                     "survey": "", "bonus": "", "penalty": "", "total": "", "max": "", "index": "", "rank": "",
                     "band": _clean(unit.get("status") or "")})

    kt = details.signing_mode == "kt"
    return {
        "year": str(year),
        "next_year": str(next_year),
        "issuer_name": _clean(issuer.get("name") or f"Ủy ban nhân dân {area_name}").strip(),
        "issuer_unit_caps": area_name.upper(),
        "area_name": area_name,
        "area_name_caps": area_name.upper(),
        "place": place,
        "number": number,
        "place_date": place_date,
        "date_text": date_text,
        "units_phrase": units_phrase,
        "units_phrase_caps": units_phrase.upper(),
        "units_counted": units_counted,
        "unit_count": str(unit_count),
        "legal_bases": _punctuate(bases),
        "band_lines": band_lines,
        "average_index": average_index,
        "office_chief": office_chief,
        "home_affairs_head": home_affairs_head,
        "recipients": recipients,
        "signing_mode": details.signing_mode,
        "kt": kt,
        "signer": _clean(details.signer).strip() if details.signer else "",
        "rows": rows,
        "several_blocks": several_blocks,
        "document_title": (("[TẠM TÍNH] " if results.get("provisional") else "")
                           + f"Quyết định phê duyệt kết quả Chỉ số cải cách hành chính năm {year} "
                           f"của Ủy ban nhân dân {units_phrase} trên địa bàn {area_name}"),
    }


# --------------------------------------------------------------------------- rendering


def _run_time(results: dict) -> _dt.datetime | None:
    """results["generated_at"] as a naive UTC datetime (None when absent or unreadable)."""
    text = results.get("generated_at")
    if not isinstance(text, str):
        return None
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def normalize_docx(data: bytes, moment: _dt.datetime | None = None, *, annex=None) -> bytes:
    """The same package with every zip entry stamped ``moment`` (default 1980-01-01).

    python-docx stamps entries with the current time; fixing it makes the same inputs give the
    same bytes.
    """
    stamp = (1980, 1, 1, 0, 0, 0)
    if moment is not None and moment.year >= 1980:
        stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            part = source.read(item.filename)
            if annex is not None and item.filename == "word/document.xml":  # the annex rows (decision_annex.py)
                part = splice(part, annex)
            target.writestr(info, part)
    return out.getvalue()


def _jinja_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render_decision(results: dict, details: DecisionDetails = DecisionDetails(), *, template=None) -> bytes:
    """The decision .docx as bytes (nothing written). Raises TemplateError for a bad template."""
    context = build_context(results, details)
    template_path = Path(template) if template is not None else BUNDLED_TEMPLATE
    refused = input_file_issue(template_path, str(template_path))
    if refused is not None:
        raise TemplateError(template_path, refused.message, refused.code)
    if not template_path.is_file():
        raise TemplateError(template_path, message("template-missing"), "template-missing")
    bomb = zip_bomb_message(template_path)
    if bomb is not None:
        raise TemplateError(template_path, message("template-not-docx", "zip_bomb", why=bomb), "template-not-docx")
    annex = None  # the bundled template: the annex rows are written as XML text (decision_annex.py)
    try:
        document = DocxTemplate(template_path)
        if template is None:
            nonce = new_nonce()
            document.render({**context, "rows": specimen_rows(nonce)}, jinja_env=_jinja_env(), autoescape=True)
            annex = insert_rows(document.docx, context["rows"], nonce)
            if annex is None:  # not as expected: docxtpl renders it all
                document = DocxTemplate(template_path)
                document.render(context, jinja_env=_jinja_env(), autoescape=True)
        else:
            document.render(context, jinja_env=_jinja_env(), autoescape=True)
    except JinjaTemplateError as exc:
        lines = [line.strip() for line in getattr(exc, "docx_context", []) or [] if line.strip()]
        error = cut(str(exc.message or exc), 200)
        raise TemplateError(template_path, message("template-code", "near", error=error, near=cut(" | ".join(lines), 200))
                            if lines else message("template-code", error=error), "template-code") from exc
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError, EOFError) as exc:
        if template is None:  # the bundled template is known good: a fault of the program
            raise
        # ValueError: a package of another kind (a workbook renamed .docx); SyntaxError: lxml's
        # XMLSyntaxError, a part of the package that is not well-formed XML
        raise TemplateError(template_path, message("template-not-docx", error=cut(one_line(str(exc)), 200)),
                            "template-not-docx") from exc

    if results.get("provisional"):
        _mark_provisional(document.docx, results.get("provisional_reasons") or [])
    if results.get("comparison"):  # year over year: the units not eligible for awards (decision_comparison.py)
        from .decision_comparison import add_eligibility

        add_eligibility(document.docx, results)
    moment = _run_time(results)
    properties = document.docx.core_properties
    properties.title = context["document_title"]
    properties.subject = f"Chỉ số cải cách hành chính năm {context['year']}"
    properties.author = context["issuer_name"]
    properties.last_modified_by = context["issuer_name"]
    properties.keywords = "Chỉ số CCHC; quyết định phê duyệt"
    properties.language = "vi-VN"
    properties.revision = 1
    properties.comments = ""
    if moment is not None:
        properties.created = moment
        properties.modified = moment
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_docx(buffer.getvalue(), moment, annex=annex)


def _mark_provisional(document, reasons) -> None:
    """Provisional results: a bold red line "DỰ THẢO - KẾT QUẢ TẠM TÍNH: why" above the title
    "QUYẾT ĐỊNH" (added in code, so an office's own template gets it too)."""
    from docx.shared import RGBColor

    from ..provisional import banner

    title = next((p for p in document.paragraphs if p.text.strip() == "QUYẾT ĐỊNH"), None)
    if title is None:
        title = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    line = title.insert_paragraph_before()
    line.alignment = title.alignment
    run = line.add_run("DỰ THẢO - " + _clean(banner(reasons)))
    run.bold = True
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def write_decision(results: dict, path, *, details: DecisionDetails = DecisionDetails(),
                   template=None, force: bool = False, provisional: bool = False, source="results.json") -> Path:
    """Write the decision draft to ``path`` atomically; an existing file only with force.

    Raises OutputExists (before any work) without force, TemplateError for a bad template,
    ProvisionalResults for provisional results (TẠM TÍNH) unless ``provisional`` asks for
    the draft explicitly (it then carries the mark in its title). The document is rendered
    in memory first, so a failure leaves no file behind.
    """
    if results.get("provisional") and not provisional:
        raise ProvisionalResults(source, results.get("provisional_reasons") or [])
    path = Path(path)
    if path.exists() and not force:
        raise OutputExists(path)
    data = render_decision(results, details, template=template)
    return write_bytes_atomic(path, data, force=force)
