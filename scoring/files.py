"""Opening and parsing input files: the one place that reads them from disk.

Every JSON input is read here, exactly (decimals as Decimal, a BOM accepted, text in NFC)
and every defect of the file itself becomes an Issue (missing, unreadable, empty, not
UTF-8, bad syntax, NaN, numbers too large, duplicated keys): ``read_json`` and
``read_document``. ``resolve_paths`` and ``submission_files`` say which files a run reads,
and ``reread_leaves`` reads a submission's leaf entries again for a caller that asked not to
keep them (the national path's memory saving, scoring.load). Nothing here knows the criteria
set or validates meaning; the speed paths for submissions live in scoring.quick.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import msgspec

from .errors import InputError, Issue, message, not_utf8_message, pointer
from .input_files import input_file_issue
from .text import encoding_hint, nfc_json, nfc_tree

ROOT = Path(__file__).resolve().parent.parent


def _data_folder() -> Path:
    """Where the schemas and the bundled example are: the checkout's criteria/ and
    submissions/ (as the README documents them), or, in an installed package, their
    copies in scoring/data/ (pyproject.toml maps them there)."""
    if (ROOT / "criteria" / "criteria.schema.json").is_file() and (ROOT / "submissions").is_dir():
        return ROOT
    return Path(__file__).resolve().parent / "data"


DATA = _data_folder()
DEFAULT_CRITERIA = DATA / "criteria" / "tu-mo-rong-2023.json"
DEFAULT_SUBMISSIONS = DATA / "submissions" / "tu-mo-rong-2023" / "communes"
APPRAISAL_NAME = "appraisal.json"
SURVEY_NAME = "survey.json"


@dataclass(frozen=True)
class ParsedFile:
    """A JSON file read from disk: its data (None when unreadable) and its sha256."""

    path: str
    data: object
    sha256: str
    issues: tuple[Issue, ...]
    source: bytes | None = None  # the file's bytes, as hashed (fast reads, for read_document's key check)


class _DuplicateKeys:
    """object_pairs_hook that keeps the first value and remembers duplicated keys."""

    def __init__(self):
        self.duplicates: list[str] = []

    def __call__(self, pairs):
        result = {}
        for key, value in pairs:
            if key in result:
                self.duplicates.append(key)
            else:
                result[key] = value
        return result


# msgspec parses JSON several times faster than the json module and hands every decimal
# literal to a hook as written, so no value changes on the way; whatever it refuses (a BOM
# is stripped first) is read again by the json module, which finds the defect and names it.
_EXACT_DECODER = msgspec.json.Decoder(float_hook=Decimal)


_REFUSED = object()


def _decode_fast(raw: bytes):
    """The JSON value of a file's bytes, or _REFUSED when the fast parser does not accept them."""
    try:
        return _EXACT_DECODER.decode(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, ArithmeticError, RecursionError):
        return _REFUSED  # ArithmeticError: an exponent beyond what Decimal takes (1e9999999999999999999)


@lru_cache(maxsize=8)
def reread_leaves(stored: tuple[str, str, str]):
    """The leaf entries of a submission read and validated earlier in this run, read again
    from its file (``stored`` = its path, the path as shown, its sha256).

    A national run keeps only the facts laid out as arrays and the files' hashes; the
    entries are read again when an explanation is written. The file must be exactly the
    one validated: edited, replaced or removed since, it is refused (file-changed). A few
    recent files are kept parsed, so a writer going through one commune's leaves reads its
    file once; the dicts returned are shared, and callers only read them.
    """
    path, shown, digest = stored
    if not digest:  # not hashed: a load that only checks (check_only) keeps no way to read it again safely
        raise ValueError(f"{shown}: the entries of a submission loaded with check_only=True are not kept; "
                         "load the inputs without check_only to read them")
    try:
        raw = b"" if input_file_issue(path, shown) else Path(path).read_bytes()  # replaced by a FIFO: not opened
    except OSError:
        raw = b""
    if hashlib.sha256(raw).hexdigest() != digest:
        raise InputError([Issue(shown, "", "file-changed", message("file-changed"))])
    return leaves_from_text(nfc_json(raw))  # read as validated: text in NFC (scoring.text)


@lru_cache(maxsize=8)
def leaves_from_text(text: bytes):
    """The leaf entries of a validated submission's text (in NFC, as scoring.quick keeps it):
    read exactly (decimals as Decimal or floats exact to the hundredth), strings in NFC.
    The same few texts come back while a writer goes through one commune's leaves."""
    data = _decode_fast(text)
    if data is _REFUSED:  # not expected for a file that passed validation; the exact reader agrees
        data = json.loads(text.decode("utf-8-sig"), parse_float=Decimal)
    if b"\\u" in text:
        data = nfc_tree(data)
    return data["leaves"]


def _reject_constant(name):
    raise ValueError(f"json-nan:{name}")


def display_path(path: Path) -> str:
    """Paths in messages and outputs: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the folder, or a symlink loop
        return str(path)


def read_json(path, *, fast: bool = False, shown: str | None = None) -> ParsedFile:
    """Read one JSON file exactly: decimals as Decimal, BOM accepted, every defect an Issue.

    Defects: missing or unreadable file, empty file, not UTF-8, syntax error (with line and
    column), NaN/Infinity, numbers too large, duplicated keys.

    Finding duplicated keys needs a Python hook on every object, which doubles the parse
    time; ``fast`` skips it (and parses with msgspec) and keeps the raw bytes instead, so the
    caller can check for a dropped key (read_document) and re-read exactly only then. A file
    the fast parser refuses is read the exact way, which says why.
    """
    path = Path(path)
    shown = shown or display_path(path)
    refused = input_file_issue(path, shown)  # a FIFO, a device, a folder, a huge file: never opened
    if refused is not None:
        return ParsedFile(shown, None, "", (refused,))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ParsedFile(shown, None, "", (Issue(shown, "", "file-missing", message("file-missing")),))
    except OSError as exc:
        return ParsedFile(shown, None, "", (Issue(shown, "", "file-unreadable", message("file-unreadable", reason=exc.strerror)),))
    return parse_json(raw, shown, fast=fast)


_DATA_ENCODER = msgspec.json.Encoder(decimal_format="number")


def document_from_data(data, shown: str) -> ParsedFile:
    """A document given as plain data (dicts, lists, str, int, float, Decimal, dates) read as
    if it were the file holding it: written as JSON (Decimals as the numbers they are, dates
    as YYYY-MM-DD) and read back exactly, so it is checked and built as a file would be.
    ``shown`` names it in messages; its sha256 is that of its JSON text."""
    try:
        raw = _DATA_ENCODER.encode(data)
    except (TypeError, ValueError) as exc:  # not JSON-like data: the document cannot be read
        return ParsedFile(shown, None, "", (Issue(shown, "", "json-invalid", message("json-invalid", "not_json_data", reason=exc)),))
    return parse_json(raw, shown)


def parse_json(raw: bytes, shown: str, *, fast: bool = False) -> ParsedFile:
    """The bytes of a JSON file read as read_json reads them (``shown`` names it in messages)."""
    digest = hashlib.sha256(raw).hexdigest()

    def fail(code, text):
        return ParsedFile(shown, None, digest, (Issue(shown, "", code, text),))

    if not raw.strip():
        return fail("file-empty", message("file-empty"))
    # text enters in NFC (composed): the hash above is the file's own, the data its text in
    # NFC; a string written with escapes (\u0301) is normalised once parsed
    raw = nfc_json(raw)
    escaped = b"\\u" in raw
    if fast:
        data = _decode_fast(raw)
        if data is not _REFUSED and data is not None:
            return ParsedFile(shown, nfc_tree(data) if escaped else data, digest, (), source=raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail("encoding-invalid", not_utf8_message(exc) + encoding_hint(raw))  # UTF-16, Windows-1258: say so
    hook = _DuplicateKeys()
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        return fail("json-invalid", message("json-invalid", line=exc.lineno, column=exc.colno, reason=_json_reason(exc.msg)))
    except ValueError as exc:
        if str(exc).startswith("json-nan:"):
            name = str(exc).split(":", 1)[1]
            return fail("json-nan", message("json-nan", name=name))
        return fail("number-too-large", message("number-too-large"))
    except ArithmeticError:  # Decimal refuses an exponent beyond its limits (1e9999999999999999999)
        return fail("number-too-large", message("number-too-large", "exponent"))
    except RecursionError:
        return fail("json-invalid", message("json-invalid", "too_deep"))
    if data is None:  # the JSON value null: nothing to read, and it must not pass for "unreadable"
        return fail("json-not-object", message("json-not-object"))
    if escaped:
        data = nfc_tree(data)
    leaves = data.get("leaves") if isinstance(data, dict) else None
    issues = tuple(
        # a duplicated leaf code is pointed at; other keys are named in the message
        Issue(shown, pointer("leaves", key) if isinstance(leaves, dict) and key in leaves else "",
              "duplicate-key", message("duplicate-key", key=key))
        for key in hook.duplicates
    )
    return ParsedFile(shown, data, digest, issues)


def read_document(path, shown: str | None = None) -> ParsedFile:
    """Any JSON input read fast, with what read_json finds: a file that may hold a duplicated
    key is read again the exact way (which names the key). Criteria sets, appraisals,
    surveys and results are read so."""
    parsed = read_json(path, fast=True, shown=shown)
    if parsed.data is None or parsed.source is None or same_colons(parsed.source, parsed.data):
        return replace(parsed, source=None)
    return read_json(path, shown=shown)


_ENCODER = msgspec.json.Encoder()


def same_colons(raw: bytes, document) -> bool:
    """True when no key of the raw text was dropped for appearing twice in an object.

    Outside strings a colon only ever follows a key, and the document written back holds
    each key parsed and each text kept: it holds as many colons as the raw text only when
    no key (nor the value after it) was dropped. A colon escaped as \\u003a would upset
    the count, so such a text is never vouched for. Written back in C, this costs a small
    part of the parse (counting the keys in Python cost half of it on a national survey).
    """
    return b"\\u003a" not in raw and b"\\u003A" not in raw and raw.count(b":") == _ENCODER.encode(document).count(b":")


_JSON_REASONS = {
    "Expecting value": "thiếu giá trị",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Expecting property name enclosed in double quotes": "tên trường phải đặt trong ngoặc kép",
    "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
    "Extra data": "còn dữ liệu thừa sau giá trị JSON",
    "Invalid control character at": "ký tự điều khiển trong chuỗi",
    "Invalid \\escape": "chuỗi thoát (\\) không hợp lệ",
}


def _json_reason(message: str) -> str:
    for english, vietnamese in _JSON_REASONS.items():
        if message.startswith(english):
            return vietnamese
    return message



def resolve_paths(criteria=None, submissions=None, appraisal=None, survey=None):
    """Apply the defaults: the bundled example, and appraisal/survey files beside the submissions folder."""
    criteria = Path(criteria) if criteria else DEFAULT_CRITERIA
    submissions = Path(submissions) if submissions else DEFAULT_SUBMISSIONS
    from .input_files import default_entry  # a FIFO or a dangling link there is refused, not ignored

    if appraisal is None and default_entry(submissions.parent / APPRAISAL_NAME):
        appraisal = submissions.parent / APPRAISAL_NAME
    if survey is None and default_entry(submissions.parent / SURVEY_NAME):
        survey = submissions.parent / SURVEY_NAME
    return criteria, submissions, (Path(appraisal) if appraisal else None), (Path(survey) if survey else None)


def submission_files(folder: Path) -> list[Path]:
    """The commune submissions: every *.json (any case: X.JSON too) directly in the folder
    that is a regular file (or a link to one), in name order. Entries so named that are not
    (a FIFO, a link to a device, a folder) are left out and reported as warnings
    (input_files.folder_warnings)."""
    with os.scandir(folder) as entries:  # a national folder: 10× quicker than Path.glob
        names = sorted(entry.name for entry in entries if entry.name.lower().endswith(".json") and _is_file(entry))
    return [folder / name for name in names]


def _is_file(entry: os.DirEntry) -> bool:
    """A regular file, or a link to one; False for anything unreadable (a symlink loop)."""
    try:
        return entry.is_file()
    except OSError:
        return False

