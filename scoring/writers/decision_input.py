"""What the decision reads of a results.json, and nothing more (issue 19).

The decision draft names every unit with its totals, index, rank and band; it never reads
a leaf, an area, a node or a flag. A national results.json is 212 MB at 3,321 communes
(575 MB at 10,600), nearly all of it leaves. ``read_decision_input`` maps the file (one
read where it cannot be mapped) and decodes it with msgspec into the Structs below, which
hold only the fields the decision reads: msgspec steps over every other value in C
without building an object. Each field read is checked as scoring/results.schema.json
says (its type, whether it is required, its bounds; the ``format`` tag must be
``cchc-results/1``, so a file of another kind is refused at once), and every number read
is kept to the hundredth (the precision rule). The document returned is plain data (dicts,
lists, str, int, float) shaped like results.json with only those fields: what
scoring.writers.decision reads.

Errors point at the spot (``file:/json/pointer``), with the codes of the full reader
(schema-required, schema-type, schema-const, schema-minimum…, precision). When the decoder
meets a structural problem, the full reader reads the file and lists every problem at once
(only a file beyond its size limit, MAX_INPUT_BYTES, is named by the first problem met);
every number not kept to the hundredth is listed. A file
that is not JSON at all, not UTF-8, missing or not a regular file is handed to the full
reader (scoring.writers.results_json.load_results), which names the problem as before.

What is not checked: the fields the decision does not read (leaves, areas, flags, inputs…
are skipped unseen, so a fault there goes unnoticed here; ``validate --previous`` and the
full reader check the whole file), and a key written twice in an object (the last is kept).
"""

from __future__ import annotations

import mmap
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_type_hints

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..errors import InputError, Issue, message, pointer
from ..input_files import MAX_INPUT_BYTES, input_file_issue

FORMAT = "cchc-results/1"  # scoring.writers.results_json.FORMAT (tests/test_decision_input.py pins they agree)
# A results.json is mapped, not parsed whole: a national one of 10,600 communes (575 MB) is
# read for its totals in a fraction of its size in memory, so the limit on parsed inputs
# (scoring.input_files.MAX_INPUT_BYTES) does not apply; this one guards against a wrong file.
MAX_RESULTS_BYTES = 4 * 1024 ** 3

# Numbers are decoded as written (a float literal as a Decimal: "1E-999999999" is not 0.0, nor
# "85.1300000000000001" 85.13) and their type checked after the decoding (number_issues):
# typed as numbers, msgspec would take a float for one, and a Decimal from a string.
NUMBER, NUMBER_OR_NULL = "number", "number or null"
Num = Annotated[Any, NUMBER]                 # results.schema.json $defs/num: a number (never a bool)
OptNum = Annotated[Any, NUMBER_OR_NULL]      # $defs/opt_num
Year = Annotated[int, Meta(ge=2000, le=2100)]
Rank = Annotated[int, Meta(ge=1)]


class _Read(msgspec.Struct, kw_only=True, gc=False):
    """A part of the document: its fields as the schema types them, any other key skipped."""


class Band(_Read):
    name: str


class Block(_Read):
    id: str
    name: str
    unit_types: list[str]


class Framework(_Read):
    legal_source: Union[dict, None]
    extends: Union["Framework", UnsetType] = UNSET


class Criteria(_Read):
    year: Year
    issuer: dict
    legal_source: dict
    bands: list[Band]
    blocks: list[Block]
    framework: Union[Framework, UnsetType] = UNSET


class BlockSummary(_Read):
    name: str
    ranked: bool
    communes: int
    average_index: OptNum
    bands: dict[str, int]
    band_shares: dict[str, Num]
    survey_index: OptNum


class Summary(_Read):
    average_index: OptNum
    bands: dict[str, int]
    registered: Union[int, None, UnsetType] = UNSET
    band_shares: Union[dict[str, Num], UnsetType] = UNSET
    blocks: Union[list[BlockSummary], UnsetType] = UNSET


class Reason(_Read):
    message: str


class NotSubmitted(_Read):
    name: str
    type: str
    status: Literal["chưa nộp"]


class Commune(_Read):
    code: str
    name: str
    type: str
    block: str
    self_assessed: Num
    appraised: Num
    survey: Num
    bonus: Num
    penalty: Num
    total: Num
    max: Num
    index: OptNum
    rank: Union[Rank, None]
    band: Union[str, None]
    index_note: Union[str, UnsetType] = UNSET


class PreviousFile(_Read):
    year: int


class Exclusion(_Read):
    text: str
    legal_source: str


class UnitComparison(_Read):
    code: str
    eligibility: Literal["đủ điều kiện", "không đủ điều kiện", "không xác định"]
    excluded_by: list[Exclusion]


class Comparison(_Read):
    previous: list[PreviousFile]
    eligibility_rules: list[dict]
    units: list[UnitComparison]
    previous_approval: Union[dict, None, UnsetType] = UNSET


class DecisionInput(_Read):
    """The fields of a results document the decision reads (scoring/writers/decision.py)."""

    format: Literal["cchc-results/1"]
    generated_at: str
    criteria: Criteria
    summary: Summary
    communes: list[Commune]
    provisional: Union[bool, UnsetType] = UNSET
    provisional_reasons: Union[list[Reason], UnsetType] = UNSET
    not_submitted: Union[list[NotSubmitted], UnsetType] = UNSET
    comparison: Union[Comparison, UnsetType] = UNSET


_DECODER = msgspec.json.Decoder(DecisionInput, float_hook=Decimal)


def read_decision_input(path) -> dict:
    """The results document at ``path`` with only what the decision reads, checked (see the
    module's docstring). Raises InputError with ``file:/pointer`` issues."""
    from ..files import display_path

    path = Path(path)
    shown = display_path(path)
    refused = input_file_issue(path, shown, limit=MAX_RESULTS_BYTES)
    if refused is not None:
        raise InputError([refused])
    try:
        with open(path, "rb") as file:
            try:
                view = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # empty, or a file that cannot be mapped: read it
                view = file.read()
    except OSError:
        return _full_reader(path)  # missing, unreadable: it says which
    try:
        try:
            parsed = _DECODER.decode(_without_bom(view))
        except msgspec.ValidationError as error:
            first = _schema_issue(shown, str(error))
            if path.stat().st_size <= MAX_INPUT_BYTES:
                _full_reader(path)  # every problem at once, as the full reader lists them
            raise InputError([first]) from None  # too large to read whole: the first defect met
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            return _full_reader(path)  # not JSON, not UTF-8: the full reader names the problem
    finally:
        if isinstance(view, mmap.mmap):
            view.close()
    wrong_type, imprecise = number_issues(parsed, shown)
    if wrong_type or imprecise:  # the schema's problems first, as the full reader says them
        raise InputError(sorted(wrong_type, key=lambda issue: (issue.pointer, issue.code)) or imprecise)
    return plain(parsed)


def _without_bom(view):
    if view[:3] == b"\xef\xbb\xbf":
        return memoryview(view)[3:]
    return view


def _full_reader(path: Path) -> dict:
    """The full reader's verdict on a file the decoder could not parse as JSON."""
    from .results_json import load_results

    return load_results(path)


def plain(value):
    """Structs as dicts (fields absent from the file left out), lists as lists, the rest as is."""
    if isinstance(value, msgspec.Struct):
        return {name: plain(item) for name in value.__struct_fields__
                if (item := getattr(value, name)) is not UNSET}
    if type(value) is list:
        return [plain(item) for item in value]
    return value


def number_issues(value, shown: str) -> tuple[list[Issue], list[Issue]]:
    """(the numbers read that are not numbers, those not kept to the hundredth), each at its
    pointer, as the results schema and scoring.validate.precision_issues say them. Free
    objects (the issuer's, a legal source) are walked too, as the full reader walks them."""
    wrong_type, imprecise = [], []
    _walk(value, (), shown, wrong_type, imprecise)
    return wrong_type, imprecise


_TYPE_MESSAGE = {NUMBER: "phải là một số", NUMBER_OR_NULL: "phải là một số hoặc null"}


def _walk(value, path: tuple, shown: str, wrong_type: list, imprecise: list, kinds: dict | None = None) -> None:
    if isinstance(value, msgspec.Struct):
        kinds = _number_fields(type(value))
        items = [(name, getattr(value, name)) for name in value.__struct_fields__]
    elif type(value) is dict:
        items = value.items()
    else:
        items = enumerate(value)
    for key, item in items:
        kind = type(item)
        expected = kinds.get(key) if kinds else None
        if expected is not None and type(expected) is str:  # a field typed as a number
            if not (kind is int or kind is Decimal or (item is None and expected == NUMBER_OR_NULL)):
                wrong_type.append(Issue(shown, pointer(*path, key), "schema-type", _TYPE_MESSAGE[expected]))
                continue
        if kind is Decimal:
            if not _hundredths(item):
                where = pointer(*path, key)
                if item.is_finite() and not item.is_zero() and item.adjusted() > 9:
                    imprecise.append(Issue(shown, where, "number-too-large", message("number-too-large", "value", value=item)))
                else:
                    imprecise.append(Issue(shown, where, "precision", message("precision", value=item)))
        elif kind is list or kind is dict or isinstance(item, msgspec.Struct):
            # a mapping of numbers (band shares): each value typed as the field says
            inner = {name: expected[0] for name in item} if type(expected) is tuple and kind is dict else None
            _walk(item, path + (key,), shown, wrong_type, imprecise, inner)


@lru_cache(maxsize=None)
def _number_fields(struct: type) -> dict:
    """The fields of a Struct typed as numbers: name → NUMBER or NUMBER_OR_NULL, or
    (NUMBER,) for a mapping whose values are numbers."""
    found = {}
    for name, hint in get_type_hints(struct, include_extras=True).items():
        for part in getattr(hint, "__args__", ()) if getattr(hint, "__origin__", None) is Union else (hint,):
            extras = getattr(part, "__metadata__", ())
            if extras and extras[0] in (NUMBER, NUMBER_OR_NULL):
                found[name] = extras[0]
            elif getattr(part, "__origin__", None) is dict:
                values = getattr(part.__args__[1], "__metadata__", ())
                if values and values[0] in (NUMBER, NUMBER_OR_NULL):
                    found[name] = (values[0],)
    return found


@lru_cache(maxsize=65536)  # a national file repeats the same few thousand values
def _hundredths(number: Decimal) -> bool:
    from ..numbers import is_hundredths

    return is_hundredths(number)


# ---------------------------------------------------------------- msgspec's errors as the schema's

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.(?P<key>[A-Za-z_][A-Za-z0-9_]*)|\[(?P<index>\d+)\]|\[\.\.\.\]")
_TYPE_NAMES = {"object": "một đối tượng", "array": "một danh sách", "str": "một chuỗi", "int": "một số nguyên",
               "float": "một số", "bool": "true hoặc false", "null": "null"}


def _schema_issue(shown: str, text: str) -> Issue:
    """One msgspec ValidationError as the Issue the full reader (jsonschema) would give."""
    where, found = (), _AT.search(text)
    if found:
        text = text[:found.start()]
        for step in _STEP.finditer(found.group("path")):
            if step.group("key") is not None:
                where += (step.group("key"),)
            elif step.group("index") is not None:
                where += (int(step.group("index")),)
            else:
                break  # a key of a mapping: msgspec does not say which; the mapping is the spot
    if text == "Number out of range":
        return Issue(shown, pointer(*where), "number-too-large", message("number-too-large"))
    missing = re.fullmatch(r"Object missing required field `(.+)`", text)
    if missing:
        return Issue(shown, pointer(*where), "schema-required", f"thiếu trường bắt buộc '{missing.group(1)}'")
    bound = re.fullmatch(r"Expected `\w+` (>=|<=) (-?\d+)", text)
    if bound:
        keyword, words = ("minimum", "phải lớn hơn hoặc bằng") if bound.group(1) == ">=" else ("maximum", "phải nhỏ hơn hoặc bằng")
        return Issue(shown, pointer(*where), f"schema-{keyword}", f"{words} {bound.group(2)}")
    if text.startswith("Invalid enum value"):
        options = _options(where)
        words = "phải là một trong: " + ", ".join(f'"{option}"' for option in options)
        if len(options) == 1:
            return Issue(shown, pointer(*where), "schema-const", words)
        return Issue(shown, pointer(*where), "schema-enum", words)
    expected = re.fullmatch(r"Expected `(?P<types>[^`]+)`, got `\w+`", text)
    if expected:
        names = []
        for name in expected.group("types").split(" | "):
            name = "float" if name in ("decimal", "float") else name
            if _TYPE_NAMES.get(name, name) not in names:
                names.append(_TYPE_NAMES.get(name, name))
        if names == ["một số nguyên", "một số"]:
            names = ["một số"]
        elif names == ["một số nguyên", "một số", "null"]:
            names = ["một số", "null"]
        return Issue(shown, pointer(*where), "schema-type", "phải là " + " hoặc ".join(names))
    return Issue(shown, pointer(*where), "schema-type", f"không đúng cấu trúc tệp kết quả ({text})")


def _options(where: tuple) -> list[str]:
    """The values a Literal field allows (the format tag, a status, an eligibility)."""
    field = next((part for part in reversed(where) if isinstance(part, str)), "")
    return {"format": [FORMAT], "status": ["chưa nộp"],
            "eligibility": ["đủ điều kiện", "không đủ điều kiện", "không xác định"]}.get(field, [])
