"""A results.json read for what the decision needs: everything but the communes' leaves (issue 19).

The decision draft names every commune with its totals, index, rank and band; it never
reads a leaf. A national results.json is 180 MB (3,321 communes × 100 leaves, 575 MB at
10,600), and reading it whole as Python objects takes gigabytes and tens of seconds, most
of it in the leaves. ``load_results_totals`` parses the file with msgspec into types made
from scoring/results.schema.json (so a field added to the schema is read too): each
commune's ``leaves`` is only checked to be a JSON array and skipped without building a
single object; everything else is decoded (decimals exact, as Decimal) and then checked
against the results schema and the precision rule exactly as ``load_results`` checks the
whole file. The document returned is the results document with every commune's ``leaves``
empty.

A file the quick parser refuses (broken JSON, a field of the wrong type or unknown, a
``leaves`` that is not a list) is read again by ``load_results``, which names the problem
at its JSON pointer: an error costs the full read, a valid file never does. A key
duplicated inside a commune is not looked for here (the full reader finds it): the last
value is taken.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import msgspec

from .errors import InputError
from .files import ParsedFile, display_path, read_json
from .input_files import input_file_issue
from .validate import SCHEMAS

LEAVES = "leaves"


@lru_cache(maxsize=1)
def _decoder() -> tuple[msgspec.json.Decoder, tuple, tuple]:
    """The decoder of a results document whose communes' leaves are skipped, and the field
    names of the document and of a commune (from the results schema)."""
    schema = json.loads(SCHEMAS["results"].read_text(encoding="utf-8"))
    commune_fields = tuple(schema["$defs"]["commune"]["properties"])
    top_fields = tuple(schema["properties"])
    if LEAVES not in commune_fields or "communes" not in top_fields:
        raise RuntimeError("results.schema.json: a commune without leaves, or a document without communes")
    commune = _struct("Commune", commune_fields, {LEAVES: msgspec.Raw})
    document = _struct("Document", top_fields, {"communes": list[commune]})
    return msgspec.json.Decoder(document, float_hook=Decimal), top_fields, commune_fields


def _struct(name: str, fields: tuple, types: dict):
    """A Struct with every field optional (jsonschema checks what is required), unknown keys refused."""
    attributes, rename = [], {}
    for index, key in enumerate(fields):
        attribute = key if key.isidentifier() and not key.startswith("_") and key not in ("struct", "self") else f"field_{index}"
        if attribute != key:
            rename[attribute] = key
        attributes.append((attribute, types.get(key, object), msgspec.UNSET))
    return msgspec.defstruct(name, attributes, kw_only=True, forbid_unknown_fields=True, gc=False,
                             rename=rename or None, module=__name__)


def _as_dict(struct, fields: tuple) -> dict:
    names = struct.__struct_fields__
    return {key: value for key, value in zip(fields, (getattr(struct, n) for n in names)) if value is not msgspec.UNSET}


def decode_totals(raw: bytes) -> dict | None:
    """The results document of ``raw`` with every commune's leaves left out (``leaves``: []),
    or None when the quick parser refuses it (see the module's docstring)."""
    decoder, top_fields, commune_fields = _decoder()
    try:
        parsed = decoder.decode(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw)
    except (msgspec.DecodeError, UnicodeDecodeError, ValueError, ArithmeticError, RecursionError):
        return None
    document = _as_dict(parsed, top_fields)
    communes = []
    for commune in document.get("communes") or ():
        entry = _as_dict(commune, commune_fields)
        leaves = entry.get(LEAVES)
        if leaves is not None:
            if bytes(memoryview(leaves)[:1]) != b"[":  # what the schema says of it: an array (its items are not read)
                return None
            entry[LEAVES] = []
        communes.append(entry)
    if "communes" in document:
        document["communes"] = communes
    return document


def load_results_totals(path) -> dict:
    """Read a results.json for the decision: the document without its communes' leaves,
    checked against the results schema and the precision rule (as load_results checks it).

    Raises InputError with file:/pointer issues, as load_results does.
    """
    from .validate import precision_issues, schema_issues
    from .writers.results_json import load_results

    path = Path(path)
    shown = display_path(path)
    if input_file_issue(path, shown) is not None:
        return load_results(path)  # names the problem
    try:
        raw = path.read_bytes()
    except OSError:
        return load_results(path)
    document = decode_totals(raw)
    del raw
    if document is None:
        return load_results(path)
    parsed = ParsedFile(shown, document, "", ())
    issues = schema_issues(parsed, "results") or precision_issues(parsed)
    if issues:
        raise InputError(issues)
    return document
