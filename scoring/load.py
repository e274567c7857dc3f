"""Files → plain data. The only module that reads inputs.

``load_inputs`` reads the criteria set, every submission, the appraisal and the survey,
validates them (scoring.validate: schema pass, then meaning pass) and, only when no
problem was found, builds the model the engine scores. Problems are never raised one by
one: they are collected and raised together as an InputError.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import msgspec
import numpy as np
from msgspec import UNSET

from .errors import InputError, Issue, not_utf8_message, pointer
from .facts import (
    CHECKED_NUMBERS, FactTable, concat_facts, evidence_warnings, extract, fact_block, unknown_type_warning,
)
from .model import (
    NA_EXCLUDE, NA_FULL, SECTION_AREA, SECTION_BONUS, SECTION_PENALTY, SECTION_SURVEY,
    Appraisal, AppraisalEntry, Area, Band, Block, ChoiceOption, CriteriaSet,
    InputFile, Inputs, LazyReports, Leaf, Rule, Submission, Survey, SurveyOption, Threshold,
    frozen_mapping,
)
from .numbers import to_hundredths
from .quick_schema import QuickReader, Untranslatable, reader_for
from .text import nfc, nfc_json, nfc_tree
from .workers import collector_paused, ordered_map, worker_count

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CRITERIA = ROOT / "criteria" / "tu-mo-rong-2023.json"
DEFAULT_SUBMISSIONS = ROOT / "submissions" / "tu-mo-rong-2023" / "communes"
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


@lru_cache(maxsize=4096)  # the same few literals (0.25, 0.75, 1) come back thousands of times
def _float_or_decimal(literal: str):
    """A decimal literal as a float when that is exact to the hundredth, else as Decimal.

    "0.75" or "87.5" (at most two decimals, no exponent, under 15 characters) becomes a
    float: every value with at most 13 digits before the point and 2 after is exactly
    ×100-and-round-able (scoring.numbers.exact_hundredths), and floats are much cheaper
    to check and validate. Anything else stays a Decimal, so "0.125" is still refused as
    written.
    """
    point = literal.find(".")
    if len(literal) < 15 and (point < 0 or len(literal) - point <= 3) and "e" not in literal and "E" not in literal:
        return float(literal)
    return Decimal(literal)


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
    try:
        raw = Path(path).read_bytes()
    except OSError:
        raw = b""
    if hashlib.sha256(raw).hexdigest() != digest:
        raise InputError([Issue(shown, "", "file-changed",
                                "tệp đã bị sửa, thay thế hoặc xóa trong lúc đang chấm điểm; hãy chạy lại lệnh")])
    raw = nfc_json(raw)  # read as validated: text in NFC (scoring.text)
    data = _decode_fast(raw)
    if data is _REFUSED:  # not expected for a file that passed validation; the exact reader agrees
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    if b"\\u" in raw:
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
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ParsedFile(shown, None, "", (Issue(shown, "", "file-missing", "không tìm thấy tệp"),))
    except OSError as exc:
        return ParsedFile(shown, None, "", (Issue(shown, "", "file-unreadable", f"không đọc được tệp: {exc.strerror}"),))
    digest = hashlib.sha256(raw).hexdigest()

    def fail(code, message):
        return ParsedFile(shown, None, digest, (Issue(shown, "", code, message),))

    if not raw.strip():
        return fail("file-empty", "tệp rỗng")
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
        return fail("encoding-invalid", not_utf8_message(exc))
    hook = _DuplicateKeys()
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        return fail("json-invalid", f"JSON sai cú pháp ở dòng {exc.lineno}, cột {exc.colno}: {_json_reason(exc.msg)}")
    except ValueError as exc:
        if str(exc).startswith("json-nan:"):
            name = str(exc).split(":", 1)[1]
            return fail("json-nan", f"'{name}' không phải là số JSON hợp lệ")
        return fail("number-too-large", "có số quá lớn (quá nhiều chữ số)")
    except ArithmeticError:  # Decimal refuses an exponent beyond its limits (1e9999999999999999999)
        return fail("number-too-large", "có số với số mũ vượt giới hạn (quá lớn hoặc quá nhỏ)")
    except RecursionError:
        return fail("json-invalid", "JSON lồng nhau quá sâu")
    if data is None:  # the JSON value null: nothing to read, and it must not pass for "unreadable"
        return fail("json-not-object", "tệp phải chứa một đối tượng JSON, không phải null")
    if escaped:
        data = nfc_tree(data)
    leaves = data.get("leaves") if isinstance(data, dict) else None
    issues = tuple(
        # a duplicated leaf code is pointed at; other keys are named in the message
        Issue(shown, pointer("leaves", key) if isinstance(leaves, dict) and key in leaves else "",
              "duplicate-key", f"khóa '{key}' xuất hiện hai lần trong cùng một đối tượng")
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


# ---------------------------------------------------------------- building the model


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _h(value) -> int:
    return to_hundredths(value)


def build_rule(raw: dict) -> Rule:
    """Rule parameters as exact values (points in hundredths, thresholds as Fractions)."""
    kind = raw["kind"]
    thresholds = tuple(Threshold(Fraction(Decimal(t["at"])), _h(t["points"])) for t in raw.get("thresholds", ()))
    if kind == "choice":
        return Rule(kind, options=tuple(ChoiceOption(o["value"], o["label"], _h(o["points"])) for o in raw["options"]))
    if kind == "survey":
        return Rule(kind, question=raw["question"], survey_options=tuple(
            SurveyOption(o["code"], o["label"], Fraction(Decimal(o["share"]))) for o in raw["options"]))
    if kind == "deadline":
        return Rule(kind, deadline=parse_date(raw["deadline"]),
                    late_until=parse_date(raw["late_until"]) if raw.get("late_until") else None,
                    on_time=_h(raw["on_time"]), late=_h(raw.get("late", 0)), missing=_h(raw["missing"]))
    if kind == "value_thresholds":
        thresholds = tuple(Threshold(Fraction(_h(t["at"]), 100), _h(t["points"])) for t in raw["thresholds"])
    return Rule(
        kind,
        question=raw.get("question"),
        numerator=raw.get("numerator"),
        denominator=raw.get("denominator"),
        value=raw.get("value"),
        unit=raw.get("unit"),
        direction=raw.get("direction", "at_least"),
        thresholds=thresholds,
        otherwise=_h(raw.get("otherwise", 0)),
        violation=raw.get("violation"),
        per_violation=_h(raw.get("per_violation", 0)),
        floor=_h(raw.get("floor", 0)),
        step=_h(raw.get("step", 0)),
        aspects=tuple(raw.get("aspects", ())),
        counted=raw.get("counted"),
        points_each=_h(raw.get("points_each", 0)),
    )


def iter_leaves(data: dict):
    """Yield (raw leaf, section, area code, JSON pointer) for every leaf of a criteria set, in order."""

    def walk(nodes, section, area, base):
        for index, node in enumerate(nodes):
            here = f"{base}/{index}"
            if "items" in node:
                yield from walk(node["items"], section, area, here + "/items")
            else:
                yield node, section, area, here

    for a_index, area in enumerate(data.get("areas", [])):
        section = SECTION_SURVEY if area.get("source") == "survey" else SECTION_AREA
        yield from walk(area.get("criteria", []), section, area["code"], f"/areas/{a_index}/criteria")
    for name, section in (("bonus", SECTION_BONUS), ("penalty", SECTION_PENALTY)):
        part = (data.get("adjustments") or {}).get(name)
        if part:
            yield from walk(part["items"], section, None, f"/adjustments/{name}/items")


def build_criteria(data: dict, path: str) -> CriteriaSet:
    """A validated criteria document → CriteriaSet."""
    leaves = []
    for node, section, area, where in iter_leaves(data):
        evidence = node.get("evidence") or {}
        leaves.append(Leaf(
            code=node["code"], title=node["title"], max=_h(node["max"]), section=section, area=area,
            rule=build_rule(node["rule"]),
            evidence_required=bool(evidence.get("required", False)),
            evidence_types=tuple(evidence.get("types") or ()),
            evidence_description=evidence.get("description", ""),
            not_applicable=node.get("not_applicable"),
            legal_ref=node.get("legal_ref"), pointer=where,
        ))
    adjustments = data.get("adjustments") or {}
    window = data.get("evidence_window")
    cap = data.get("index_cap", 100)
    ranking = data["ranking"]
    return CriteriaSet(
        id=data["id"], year=int(data["year"]), title=data["title"],
        issuer=frozen_mapping(data["issuer"]), legal_source=frozen_mapping(data["legal_source"]),
        total_points=_h(data["total_points"]),
        index_cap=None if cap is None else _h(cap),
        evidence_window=(parse_date(window["from"]), parse_date(window["to"])) if window else None,
        areas=tuple(Area(a["code"], a["title"], _h(a["max"]), a.get("source", "self_assessment")) for a in data["areas"]),
        leaves=tuple(leaves),
        bonus_title=(adjustments.get("bonus") or {}).get("title"),
        bonus_cap=_h((adjustments.get("bonus") or {}).get("cap", 0)),
        penalty_title=(adjustments.get("penalty") or {}).get("title"),
        penalty_cap=_h((adjustments.get("penalty") or {}).get("cap", 0)),
        bands=tuple(Band(b["name"], _h(b["min_index"]), b.get("color")) for b in data["bands"]),
        blocks=tuple(Block(b["id"], b["name"], tuple(b["unit_types"])) for b in ranking["blocks"]),
        tie_break=tuple(ranking.get("tie_break") or ()),
        path=path,
        survey_missing=(data.get("provisional") or {}).get("survey_missing", "exclude"),
        awaiting_appraisal=(data.get("provisional") or {}).get("awaiting_appraisal", "self_score"),
    )


def build_submission(data: dict, path: str, stored: tuple[str, str, str] | None = None) -> Submission:
    """A validated submission document → Submission (leaf reports converted on first use).

    With ``stored`` (the file's path, shown path and sha256) the leaf entries are not kept:
    they are read again from the file when an explanation needs them (reread_leaves), and
    ``data`` may lack "leaves".
    """
    commune = data["commune"]
    leaves = LazyReports(data["leaves"]) if stored is None else LazyReports(source=stored, parse=reread_leaves)
    return Submission(path, data["criteria_id"], int(data["year"]), commune["code"], commune["name"],
                      commune["type"], leaves, frozen_mapping(data.get("report") or {}))


def build_appraisal(data: dict, path: str) -> Appraisal:
    return Appraisal(path, data["council"], tuple(
        AppraisalEntry(e["commune"], e["leaf"], int(e["stage"]), _h(e["score"]), e["reason"],
                       parse_date(e["date"]) if e.get("date") else None)
        for e in data["entries"]
    ))


def build_survey(data: dict, path: str) -> Survey:
    return Survey(path, data["conducted_by"], MappingProxyType({
        commune: MappingProxyType({leaf: MappingProxyType({option: int(count) for option, count in options.items()})
                                   for leaf, options in questions.items()})
        for commune, questions in data["tallies"].items()
    }))


# ---------------------------------------------------------------- the whole input set


def resolve_paths(criteria=None, submissions=None, appraisal=None, survey=None):
    """Apply the defaults: the bundled example, and appraisal/survey files beside the submissions folder."""
    criteria = Path(criteria) if criteria else DEFAULT_CRITERIA
    submissions = Path(submissions) if submissions else DEFAULT_SUBMISSIONS
    if appraisal is None and (submissions.parent / APPRAISAL_NAME).is_file():
        appraisal = submissions.parent / APPRAISAL_NAME
    if survey is None and (submissions.parent / SURVEY_NAME).is_file():
        survey = submissions.parent / SURVEY_NAME
    return criteria, submissions, (Path(appraisal) if appraisal else None), (Path(survey) if survey else None)


def submission_files(folder: Path) -> list[Path]:
    """The commune submissions: every *.json directly in the folder, in name order."""
    with os.scandir(folder) as entries:  # a national folder: 10× quicker than Path.glob
        names = sorted(entry.name for entry in entries if entry.name.endswith(".json") and _is_file(entry))
    return [folder / name for name in names]


def _is_file(entry: os.DirEntry) -> bool:
    """A regular file, or a link to one; False for anything unreadable (a symlink loop)."""
    try:
        return entry.is_file()
    except OSError:
        return False


@dataclass(frozen=True)
class CheckedSubmission:
    """One submission file read and checked (schema, then meaning).

    ``file.data`` is the document without its leaf entries (the header the rest of loading
    reads), and ``file.source`` is dropped: the entries live on as a row of the fact table
    built beside it, and in the file itself, read again (and its hash checked) when an
    explanation needs them.
    """

    file: ParsedFile
    issues: tuple[Issue, ...]  # schema and meaning problems (reading problems are in file.issues)
    valid: bool
    location: str  # the file's path, to read it again
    warnings: tuple[Issue, ...] = ()  # what does not stop scoring but may cost points (a document of no known type)


# Above this many files, submissions are read and checked by forked worker processes, one
# group of files each at a time: reading, validating and laying out the facts of a file
# does not depend on any other file, and the fact table comes back as arrays.
PARALLEL_FROM = 200
GROUP = 100
_SHARED: dict = {}  # what forked workers inherit: the criteria set and submissions folder


def check_group(paths, criteria: CriteriaSet | None, base_dir: Path) -> tuple[list[CheckedSubmission], FactTable | None]:
    """Read and check a group of submission files; the fact table of the valid ones, in order.

    The common path: parse and check the schema in one pass (the quick reader), check the
    header, lay out the facts of the whole group at once and check them on the arrays
    (scoring.facts.extract), and look for the evidence files named in the folders' listings.
    A file the quick reader cannot vouch for (refused, a duplicated key, anything marked on
    the arrays, an evidence file not plainly there) is read again and checked the thorough
    way (the JSON Schema, then scoring.validate.leaf_issues), which names every problem.
    Only the header of each document is kept (see CheckedSubmission).
    """
    from . import validate

    results: list = [None] * len(paths)  # (parsed, issues) per file
    quick = []  # (position, _QuickRead, header issues) of files the quick reader read
    folder = display_path(base_dir)
    # a file directly in the folder shows as the folder's name joined with its own (resolving
    # every path to show it relative to the working folder costs more than reading it)
    shown = [os.path.join(folder, path.name) if path.parent == base_dir and not path.is_symlink() else None
             for path in paths]
    reader = submission_reader()
    working = os.getcwd()  # each file's absolute path, to read it again (join keeps an absolute path as is)
    with collector_paused():
        for position, path in enumerate(paths):
            read = _read_quickly(path, shown[position] or display_path(path), reader) if criteria is not None else None
            if read is None:
                results[position] = _check_exactly(path, criteria, base_dir, shown[position])
            else:
                quick.append((position, read, validate.header_issues(read.parsed, criteria)))
        extraction = extract(criteria, [read.document.leaves for _, read, _ in quick], reader.number_bounds) if quick else None
        clean = extraction.clean.tolist() if quick else []
        if quick and extraction.files:
            on_disk = EvidenceFiles(base_dir)
            for row, reference in extraction.files:
                if clean[row] and not on_disk.plainly_there(reference):
                    clean[row] = False
        fast_rows = {}
        for row, (position, read, found) in enumerate(quick):
            if clean[row] and read.keys_all_kept(extraction.key_counts[row]):
                results[position] = (read.parsed, found)
                fast_rows[position] = row
            else:
                results[position] = _check_exactly(paths[position], criteria, base_dir, shown[position])

        warned: dict = {}  # quick row → its documents of no known type
        for row, code, index, number, doc_type in (extraction.unknown_types if quick else ()):
            warned.setdefault(row, []).append((code, index, number, doc_type))
        checked, order, slow_reports = [], [], []
        for position, (parsed, found) in enumerate(results):
            valid = not parsed.issues and not found and criteria is not None
            data = parsed.data
            warnings = ()
            if valid:
                if position in fast_rows:
                    order.append(fast_rows[position])
                    warnings = tuple(unknown_type_warning(parsed.path, code, index, number, doc_type, criteria.leaf(code))
                                     for code, index, number, doc_type in warned.get(fast_rows[position], ()))
                else:  # valid after an exact reading: its facts are laid out below
                    order.append(len(quick) + len(slow_reports))
                    slow_reports.append(data["leaves"])
                    warnings = tuple(evidence_warnings(parsed, criteria))
            if isinstance(data, dict) and "leaves" in data:
                data = {key: value for key, value in data.items() if key != "leaves"}
            if data is not parsed.data or parsed.source is not None:
                parsed = replace(parsed, data=data, source=None)
            checked.append(CheckedSubmission(parsed, tuple(found), valid, os.path.join(working, paths[position]), warnings))
        facts = None
        if criteria is not None:
            blocks = [b for b in (extraction.facts if extraction else None,
                                  fact_block(criteria, slow_reports) if slow_reports else None) if b is not None]
            facts = concat_facts(criteria, blocks)
            if order != list(range(len(order))) or len(order) != facts.self_score.shape[0]:
                facts = FactTable(**{name: getattr(facts, name)[order] for name in FactTable.__dataclass_fields__})
        # let the parsed documents go while the collector still sleeps: it would otherwise
        # wake up to scan them all once before they are freed
        del results, quick, slow_reports, extraction
    return checked, facts


@lru_cache(maxsize=None)
def submission_reader() -> QuickReader:
    """The submission schema as msgspec types (scoring.quick_schema), numbers read as the
    literals exact to the hundredth as floats, others as Decimal (see _float_or_decimal)."""
    from .validate import SCHEMAS

    schema = json.loads(SCHEMAS["submission"].read_text(encoding="utf-8"))
    reader = reader_for(schema, name="Submission", float_hook=_float_or_decimal)
    unchecked = set(reader.number_bounds) - set(CHECKED_NUMBERS)
    if unchecked:  # the quick decoder leaves numbers to extract, which checks only these
        raise Untranslatable(f"numbers that scoring.facts.extract does not check: {sorted(unchecked)}")
    return reader


@dataclass
class _QuickRead:
    """A submission as the quick reader read it (see _read_quickly)."""

    parsed: ParsedFile    # the header (criteria set, year, commune, report) and the file's hash
    document: object      # the whole document as structs
    raw: bytes            # the file's text, for the duplicated-key check
    header_keys: int      # keys of the document outside its leaf entries

    def keys_all_kept(self, entry_keys: int) -> bool:
        """No key was dropped for appearing twice in an object (a reader keeps the last).

        Outside strings a colon only ever follows a key, so the raw text holds at least as
        many colons as keys: as many as the keys parsed proves it (nearly always: no colon
        inside a text). Otherwise the document written back, which holds each key parsed
        and each text kept, must hold as many colons as the raw text (a colon escaped as
        \\u003a would upset that count: such a file is read the thorough way).
        """
        return self.raw.count(b":") == self.header_keys + entry_keys or same_colons(self.raw, self.document)


def _read_quickly(path: Path, shown: str, reader: QuickReader) -> _QuickRead | None:
    """A submission the quick reader accepts whole (its leaf entries as structs), or None:
    the file then goes the thorough way, which says what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    text = nfc_json(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    if b"\\u" in text:  # a string written with escapes may not be NFC once read: the thorough way normalises it
        return None
    try:
        document = (reader.checked if reader.needs_checked(text) else reader.quick).decode(text)
    except (msgspec.DecodeError, ValueError, ArithmeticError, RecursionError):  # ValidationError is a DecodeError
        return None
    header = {"criteria_id": document.criteria_id, "year": document.year,
              "commune": msgspec.to_builtins(document.commune)}
    # the document's own keys ("$schema" among them when given), the commune's and the report's
    header_keys = sum(getattr(document, name) is not UNSET for name in document.__struct_fields__) + len(header["commune"])
    if document.report is not UNSET:
        header["report"] = msgspec.to_builtins(document.report)
        header_keys += len(header["report"])
    return _QuickRead(ParsedFile(shown, header, hashlib.sha256(raw).hexdigest(), ()), document, text, header_keys)


def entries_as_structs(entries: dict) -> dict:
    """Leaf entries given as validated JSON dicts (read the exact way, or rebuilt from model
    objects), as the structs the quick reader decodes them into (what extract reads)."""
    types = submission_reader().structs
    leaf_struct, facts_struct, document_struct = types["Leaf"], types["Facts"], types["Document"]
    converted = {}
    for code, entry in entries.items():
        facts, evidence = entry.get("facts"), entry.get("evidence")
        converted[code] = leaf_struct(
            facts=UNSET if facts is None else facts_struct(**facts),
            self_score=entry.get("self_score", UNSET),
            evidence=UNSET if evidence is None else [
                document_struct(number=d["number"], date=dt.date.fromisoformat(d["date"]), title=d["title"],
                               issuer=d["issuer"], file=d.get("file", UNSET)) for d in evidence],
            explanation=entry.get("explanation", UNSET),
            not_applicable=entry.get("not_applicable", UNSET),
        )
    return converted


class EvidenceFiles:
    """A quick yes for the evidence files submissions name: each folder is listed once.

    A reference is plainly there when it is a relative path without ".", ".." or empty
    parts, every folder on its way is a real folder (not a symbolic link) inside the
    submissions folder, and the last one holds a regular file of that name. Anything else
    gets no quick yes and goes to the full check (scoring.validate), which judges it and
    names the problem. Only the folders holding files are listed (a national submissions
    folder holds 10,000 entries; the folders on the way are looked at one by one).
    """

    def __init__(self, base_dir: Path):
        self._base = str(base_dir)
        self._listings: dict[str, frozenset] = {}  # folder → the regular files in it
        self._real: dict[str, bool] = {"": True}   # folder → a real folder, reached through real folders

    def plainly_there(self, reference: str) -> bool:
        if reference[:1] in ("/", "\\") or reference[1:2] == ":" or "\x00" in reference:
            return False  # absolute, or a drive: the full check refuses it
        folder, _, name = reference.rpartition("/")
        listing = self._listings.get(folder)
        if listing is None:
            listing = self._listings[folder] = self._listing(folder) if self._real_folder(folder) else frozenset()
        return name in listing

    def _real_folder(self, folder: str) -> bool:
        known = self._real.get(folder)
        if known is None:
            parent, _, name = folder.rpartition("/")
            known = name not in ("", ".", "..") and self._real_folder(parent)
            if known:
                try:
                    known = stat.S_ISDIR(os.lstat(os.path.join(self._base, folder)).st_mode)  # a link is not a folder
                except OSError:
                    known = False
            self._real[folder] = known
        return known

    def _listing(self, folder: str) -> frozenset:
        """The regular files in a real folder (none when it cannot be read, or entered)."""
        path = os.path.join(self._base, folder)
        try:
            with os.scandir(path) as found:
                names = [entry.name for entry in found if entry.is_file(follow_symlinks=False)]
            if names:  # a folder that may be listed but not entered (no x): its files cannot be checked
                os.stat(os.path.join(path, names[0]), follow_symlinks=False)
            # names in NFC, as the submissions' text is read (a Mac's archive gives NFD names)
            return frozenset(names if all(name.isascii() for name in names) else map(nfc, names))
        except OSError:
            return frozenset()


def _check_exactly(path, criteria, base_dir, shown=None):
    """A submission read and checked the thorough way: (parsed file, schema and meaning issues)."""
    from . import validate

    parsed = read_document(path, shown)
    return parsed, (validate.check_submission(parsed, criteria, base_dir) if parsed.data is not None else [])


def _check_shared_group(paths):
    checked, facts = check_group(paths, _SHARED["criteria"], _SHARED["base_dir"])
    return checked, _narrowed(facts)


def _narrowed(facts: FactTable | None) -> FactTable | None:
    """The fact table in the narrowest integer types that hold its values, to send it from a
    worker: most columns are small counts or zeros, and a smaller message is taken in sooner."""
    if facts is None:
        return None
    arrays = {}
    for name in FactTable.__dataclass_fields__:
        array = getattr(facts, name)
        if array.dtype == np.int64 and array.size:
            low, high = int(array.min()), int(array.max())
            narrow = next(t for t in (np.int8, np.int16, np.int32, np.int64) if np.iinfo(t).min <= low and high <= np.iinfo(t).max)
            array = array.astype(narrow)
        arrays[name] = array
    return FactTable(**arrays)


def _widened(facts: FactTable) -> FactTable:
    """A fact table received from a worker, back in the engine's int64 (see _narrowed)."""
    return FactTable(**{name: array.astype(np.int64) if array.dtype != bool and array.dtype != np.int64 else array
                        for name, array in ((name, getattr(facts, name)) for name in FactTable.__dataclass_fields__)})


def check_submission_files(paths, criteria: CriteriaSet | None, base_dir: Path, *, progress=None,
                           workers: int | None = None, meanwhile=None) -> tuple[list[CheckedSubmission], FactTable | None]:
    """Every submission file read and checked, in order, and the fact table of the valid ones.

    ``workers`` forked processes share the files (default: one per core, up to 4, from
    PARALLEL_FROM files on; 1 reads them all here). The result is the same either way.
    ``meanwhile()`` is called once the workers are started (or first, without workers).
    """
    groups = [paths[start:start + GROUP] for start in range(0, len(paths), GROUP)]
    if workers is None:
        workers = worker_count(len(groups)) if len(paths) >= PARALLEL_FROM else 1
    checked: list[CheckedSubmission] = []
    blocks = []
    _SHARED.update(criteria=criteria, base_dir=base_dir)
    submission_reader()  # built once here: forked workers inherit it
    try:
        for group_checked, block in ordered_map(_check_shared_group, groups, workers, meanwhile=meanwhile):
            checked.extend(group_checked)
            if block is not None:
                blocks.append(_widened(block))
            if progress is not None:
                progress(len(checked), len(paths))
    finally:
        _SHARED.clear()
    facts = concat_facts(criteria, blocks) if criteria is not None else None
    return checked, facts


def load_inputs(criteria=None, submissions=None, appraisal=None, survey=None, *, progress=None,
                registry=None) -> Inputs:
    """Read and validate every input; return the model, or raise InputError with every problem.

    ``registry``: the year's list of units (scoring.registry); by default registry.json beside
    the submissions folder when it exists. Registered units without a submission come back
    as warnings (Inputs.warnings), not problems.

    ``progress(done, total)``, when given, is called as submission files are read (the CLI
    shows a progress bar with it; the loader itself prints nothing).
    """
    with collector_paused():
        return _load_inputs(criteria, submissions, appraisal, survey, progress, registry)


def _load_inputs(criteria, submissions, appraisal, survey, progress, registry=None) -> Inputs:
    from . import validate  # local import: validate uses the builders above
    from . import registry as units

    criteria_path, submissions_dir, appraisal_path, survey_path = resolve_paths(criteria, submissions, appraisal, survey)
    registry_path = units.resolve_registry(submissions_dir, registry)
    issues: list[Issue] = []

    criteria_file = read_document(criteria_path)
    issues += criteria_file.issues
    criteria_set = None
    if criteria_file.data is not None:
        found = validate.check_criteria(criteria_file)
        issues += found
        if not found:
            criteria_set = build_criteria(criteria_file.data, criteria_file.path)

    registry_file = read_document(registry_path) if registry_path else None
    built_registry = None
    if registry_file is not None:
        issues += registry_file.issues
        if registry_file.data is not None:
            found = units.check_registry(registry_file, criteria_set)
            issues += found
            if not found and criteria_set is not None:
                built_registry = units.build_registry(registry_file.data, registry_file.path, criteria_set)

    shown_dir = display_path(submissions_dir)
    if not submissions_dir.is_dir():
        issues.append(Issue(shown_dir, "", "file-missing", "không tìm thấy thư mục hồ sơ tự đánh giá"))
        paths = []
    else:
        paths = submission_files(submissions_dir)
        if not paths:
            issues.append(Issue(shown_dir, "", "no-submissions", "thư mục không có hồ sơ tự đánh giá (*.json)"))
    others: dict = {}

    def read_the_others():  # while worker processes read the submissions
        for role, path, check, build in (("appraisal", appraisal_path, validate.check_appraisal, build_appraisal),
                                         ("survey", survey_path, validate.check_survey, build_survey)):
            parsed = others[role] = read_document(path) if path else None
            # checked ahead, before the communes are known: when nothing is found and every
            # commune it names is known (checked below), that was the whole check
            if parsed is not None and parsed.data is not None and criteria_set is not None \
                    and not check(parsed, criteria_set, None):
                others[role + " built"] = build(parsed.data, parsed.path)

    checked, facts = check_submission_files(paths, criteria_set, submissions_dir, progress=progress,
                                            meanwhile=read_the_others)
    submission_files_read = [c.file for c in checked]
    appraisal_file, survey_file = others["appraisal"], others["survey"]
    # the survey arrives last: unless the criteria set refuses it, an empty survey file or
    # missing tallies give provisional results (scoring.provisional), with warnings
    survey_may_lack = criteria_set is not None and criteria_set.survey_missing != "error"
    empty_survey = survey_may_lack and survey_file is not None and [i.code for i in survey_file.issues] == ["file-empty"]
    for parsed in submission_files_read + [f for f in (appraisal_file, survey_file) if f]:
        if parsed is survey_file and empty_survey:
            warnings_survey = [Issue(survey_file.path, "", "survey-missing",
                                     "tệp số phiếu điều tra xã hội học rỗng: chưa có số phiếu nào, kết quả là TẠM TÍNH")]
            continue
        issues += parsed.issues

    built_submissions = []
    warnings: list[Issue] = []
    for item in checked:
        issues += item.issues
        warnings += item.warnings
        if item.valid:
            built_submissions.append(build_submission(item.file.data, item.file.path,
                                                      (item.location, item.file.path, item.file.sha256)))
    issues += validate.check_communes_unique(submission_files_read)
    if built_registry is not None:
        issues += units.check_submissions(built_registry, submission_files_read, issues)

    # Communes named by any readable submission (valid or not), so that an appraisal or survey
    # entry is not reported as unknown just because its commune's file has another problem.
    known = {f.data["commune"]["code"] for f in submission_files_read
             if isinstance(f.data, dict) and isinstance(f.data.get("commune"), dict)
             and isinstance(f.data["commune"].get("code"), str)}
    # a registered unit without a submission may already have appraisal entries or survey
    # tallies: they are not errors (the unit is listed as not submitted, its entries unused)
    registered = built_registry.codes - known if built_registry is not None else frozenset()
    if built_registry:
        warnings += units.not_submitted_warnings(built_registry, built_registry.missing(known))
    built_appraisal, built_survey = others.get("appraisal built"), others.get("survey built")
    if built_appraisal is not None and not validate.appraisal_communes_known(appraisal_file, known | registered):
        built_appraisal = None
    if built_survey is not None and not validate.survey_communes_known(survey_file, criteria_set, known, registered):
        built_survey = None
    if appraisal_file and appraisal_file.data is not None and built_appraisal is None:  # the full check, in order
        found = validate.check_appraisal(appraisal_file, criteria_set, known | registered)
        issues += found
        if not found and criteria_set is not None:
            built_appraisal = build_appraisal(appraisal_file.data, appraisal_file.path)
    if survey_file and survey_file.data is not None and built_survey is None:
        found = validate.check_survey(survey_file, criteria_set, known, registered)
        if survey_may_lack:
            warnings += _survey_gaps_per_commune([issue for issue in found if issue.code == "survey-missing"])
            found = [issue for issue in found if issue.code != "survey-missing"]
        issues += found
        if not found and criteria_set is not None:
            built_survey = build_survey(survey_file.data, survey_file.path)
    if criteria_set is not None and survey_file is None and any(l.section == SECTION_SURVEY for l in criteria_set.leaves):
        (warnings if survey_may_lack else issues).append(Issue(
            shown_dir, "", "survey-missing",
            f"bộ tiêu chí có phần điều tra xã hội học nhưng không có tệp {SURVEY_NAME} (dùng --survey)"
            + ("; kết quả là TẠM TÍNH" if survey_may_lack else "")))
    if empty_survey:
        warnings += warnings_survey

    if issues:
        raise InputError(_dedupe(issues))
    files = [InputFile("criteria", criteria_file.path, criteria_file.sha256)]
    files += [InputFile("submission", f.path, f.sha256) for f in submission_files_read]
    if appraisal_file:
        files.append(InputFile("appraisal", appraisal_file.path, appraisal_file.sha256))
    if survey_file:
        files.append(InputFile("survey", survey_file.path, survey_file.sha256))
    if registry_file:
        files.append(InputFile("registry", registry_file.path, registry_file.sha256))
    return Inputs(criteria_set, tuple(built_submissions), built_appraisal, built_survey, tuple(files), facts,
                  registry=built_registry, warnings=tuple(warnings))


def _survey_gaps_per_commune(issues):
    """The survey-missing issues (one per commune and question) as one warning per commune."""
    questions: dict = {}
    for issue in issues:
        questions.setdefault((issue.file, issue.pointer), []).append(issue.message.rsplit(" ", 1)[-1])
    return [Issue(file, where, "survey-missing",
                  f"chưa có số phiếu của xã mã {where.rsplit('/', 1)[-1]} cho câu {', '.join(codes)}; kết quả là TẠM TÍNH")
            for (file, where), codes in questions.items()]


def _dedupe(issues):
    seen, result = set(), []
    for issue in issues:
        if issue not in seen:
            seen.add(issue)
            result.append(issue)
    return result


__all__ = ["load_inputs", "read_json", "build_criteria", "resolve_paths", "DEFAULT_CRITERIA",
           "DEFAULT_SUBMISSIONS", "NA_EXCLUDE", "NA_FULL", "pointer"]
