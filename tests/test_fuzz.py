r"""A fuzzer over the bundled example: mutate ONE input file, run the CLI, check its promises.

Each hypothesis example takes the bundled example (criteria set, the 11 submissions, the
appraisal and the survey; copied once per test into a temporary folder) and changes one
file: drops a key, duplicates a key (raw text), retypes a value (string ↔ number ↔ null ↔
list ↔ object ↔ bool), puts in a hostile number (huge, negative, NaN/Infinity, too many
decimals, 5,000 digits, a giant exponent), swaps or renames leaf/commune codes, duplicates a
list element, deletes the file, or corrupts its bytes (truncation, garbage, invalid UTF-8, a
BOM, UTF-16). The file is restored after the example.

The promises checked (README, "Exit codes"; issue 7):
- exit code 0 or 1, never 2 (the options are always right) and never an uncaught exception;
  no "Traceback" anywhere in the output;
- exit 1: every stderr line but the last is ``file:/pointer: message [code]``, the last is
  the summary "Có N lỗi …; không ghi kết quả nào." with N = the number of issue lines, and
  (score) the --out folder, seeded with a previous good run plus a file of the user's, is
  byte-identical afterwards although --force was given;
- exit 0 (score): results.json is valid against scoring/results.schema.json, no temporary
  file is left, the user's file is still there.
`decision` gets the same treatment on the seeded run's results.json (a file the office may
edit by hand): exit 0 or 1, issue lines, nothing written on exit 1, a sound .docx on exit 0.

The issue-line pattern is ``^.+:(/.*)?: .+ \[[a-zA-Z0-9-]+\]$``: codes of the schema pass keep
the JSON Schema keyword's camel case (schema-oneOf), and a pointer may hold spaces (the band
names are keys of results.json's summary: ``results.json:/summary/bands/Xuất sắc: …``).

Budget: derandomized (the same examples on every run, CI reproducible), no example database.
validate (≈0.1 s an example) takes most examples, score (≈0.1 s when the input is refused,
≈0.6 s when accepted) fewer, decision (≈0.15 s) some. Measured on the 2-core machine:
110 validate ≈10 s, 45 score ≈10 s, 50 decision ≈8 s; the whole file ≈30 s. A longer random
campaign: CCHC_FUZZ_EXAMPLES=N (N validate, N/4 score, N/2 decision examples; 2,000 ran clean).

The bugs this fuzzer and its pinned cases found (a trailing newline through a schema
pattern, input line breaks splitting a report line, a lone surrogate crashing the schema
check, numbers off the hundredths and impossible years crashing `decision`) are fixed; their
triggers are in the pools and pinned as regression tests at the end of this file.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import traceback
import zipfile
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, note, settings, strategies as st
from jsonschema import Draft202012Validator

from cli import cli
from test_validation import EXAMPLE_CRITERIA, EXAMPLE_SET, ROOT, cli_args, copy_example, example_missing, snapshot

pytestmark = example_missing

TIME = "2024-02-01T08:00:00+07:00"
# file:/pointer: message [code]. The codes of the schema pass keep the JSON Schema keyword's
# camel case (schema-oneOf, schema-additionalProperties: README, "Error codes"), hence A-Z; a
# pointer may hold spaces (results.json:/summary/bands/Xuất sắc: the band names are keys).
ISSUE_LINE = re.compile(r"^.+:(/.*)?: .+ \[[a-zA-Z0-9-]+\]$")
SUMMARY_LINE = re.compile(r"^Có (\d+) lỗi trong dữ liệu đầu vào; không ghi kết quả nào\.$")
USER_FILE = "ghi-chu.txt"

COMMUNES = sorted(p.name for p in (ROOT / EXAMPLE_SET / "communes").glob("*.json"))
# the files a mutation may hit, relative to the example copy; the submission of Đăk Hà and
# the criteria set are weighted up (the criteria set is the largest and richest document)
FILES = (
    [str(EXAMPLE_CRITERIA)] * 4
    + [str(EXAMPLE_SET / "communes" / name) for name in COMMUNES]
    + [str(EXAMPLE_SET / "communes" / COMMUNES[0])] * 3
    + [str(EXAMPLE_SET / "appraisal.json")] * 3
    + [str(EXAMPLE_SET / "survey.json")] * 3
)

# a longer, random campaign (not for CI): CCHC_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
CAMPAIGN = int(os.environ.get("CCHC_FUZZ_EXAMPLES", "0"))
SETTINGS = dict(deadline=None, derandomize=not CAMPAIGN, database=None, print_blob=bool(CAMPAIGN),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
VALIDATE_EXAMPLES = CAMPAIGN or 110
SCORE_EXAMPLES = CAMPAIGN // 4 or 45
DECISION_EXAMPLES = CAMPAIGN // 2 or 50


# ---------------------------------------------------------------- writing JSON text by hand


class Raw(str):
    """A JSON token written as is (NaN, 1e999999999, 5,000 digits…)."""


class Pairs(list):
    """A JSON object as (key, value) pairs, so that a key can appear twice."""


def dump(value) -> str:
    """JSON text with full control: Raw tokens, duplicated keys (Pairs), exact Decimals."""
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        value = Pairs(value.items())
    if isinstance(value, Pairs):
        return "{\n" + ",\n".join(f"{_string(k)}: {dump(v)}" for k, v in value) + "\n}"
    if isinstance(value, list):
        return "[\n" + ",\n".join(dump(v) for v in value) + "\n]"
    raise TypeError(type(value))


def _string(text: str) -> str:
    """A JSON string, UTF-8 where possible; a lone surrogate is written as its \\uD800 escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(text)
    return json.dumps(text, ensure_ascii=False)


def nested(depth: int) -> Raw:
    return Raw("[" * depth + "]" * depth)


# ---------------------------------------------------------------- the pools

# every number kind the loader must refuse or read exactly
NUMBERS = [Raw(t) for t in (
    "0", "-0", "-1", "-0.01", "-999999", "0.5", "0.125", "1.005", "2.50", "1.0", "1e2", "1E+2", "1e-2", "0.0000001",
    "0.1000000000000000000001", "3.141592653589793238462643383279", "99999999999.99", "1000000000.5",
    "123456789012345678901234567890", "9" * 5000, "1e308", "1e309", "-1e309", "1e999999999", "1E-999999999", "1e9999999999999999999",
    "NaN", "Infinity", "-Infinity", "-NaN", "0x10", "+1", ".5", "1.", "01",
)]
STRINGS = [
    "", " ", "x", "1", "0.25", "true", "null", "NaN", "2023-02-30", "2023-13-01", "2024-01-22T00:00:00",
    "22/01/2024", "1900-01-01", "9999-12-31", "=1+1", "+1", "-1", "@SUM(A1)", "\t", "\u0000", "a\u001bb",
    "\u202eàH kăĐ", "\u200b", "\ufeff", "Đăk Hà", "Đăk Hà", "../../etc/passwd", "/etc/passwd",
    "evidence/23503", "evidence/23503/", "C:\\x.pdf", "A" * 5000, "😀", "1.1.1", "9.9.9", "1.1", "8.1.1", "23503",
    "99999", "2350", "xã", "phường", "yes", "A", "Z", "tu-mo-rong-2022", "{{ 7*7 }}", "<w:t>x</w:t>",
    # once bugs (pinned below): a line break quoted in a message, a trailing newline through a
    # schema pattern (Python's $), a lone UTF-16 surrogate
    "a\nb", "a\rb", "23503\n", "2024-01-05\n", "1.1.1\n", "\ud800", "x\udfff",
]
CONTAINERS = [[], [None], [1, 2], ["x"], {}, {"a": 1}, {"self_score": 1}, {"A": 1, "B": 2}, [[[]]],
              nested(50), nested(900), nested(5000)]
SCALARS = [None, True, False, 0, 1, -1, 2, 100, Decimal("0.5"), Decimal("0.75")]
VALUES = SCALARS + STRINGS + CONTAINERS + NUMBERS[:12]
RENAMES = ["", "x", "9.9.9", "1.1", "1.1.1", "8.1.1", "A", "E", "99999", "23503", "Self_score", "self_score",
           "$schema", "~0", "a/b", "ä", "0", "-1", "1.1.1\n", "a\rb", "\ud800", "x y"]
GARBAGE = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"{", b"}", b"[", b",", b'"', b":", b"NaN", b"//",
           b"\xef\xbb\xbf", b"\\", b"\\u", b"1e999999999", b"\r\n", b"\t"]
WHOLE = [b"", b"   \n", b"null", b"[]", b"0", b'"x"', b"{}", b"true", b"\xef\xbb\xbf", b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00",
         b"\x00" * 64, b"[" * 100000, b'{"a": 1} {"b": 2}']
CODE = re.compile(r"^\d+(\.\d+)*$")


# ---------------------------------------------------------------- locations in a document


def locations(document, path=()):
    """Yield (path, value) for every node, the root included."""
    yield path, document
    if isinstance(document, dict):
        for key, value in document.items():
            yield from locations(value, path + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from locations(value, path + (index,))


def node_at(document, path):
    for part in path:
        document = document[part]
    return document


def replace_at(document, path, value):
    if not path:
        return value
    node_at(document, path[:-1])[path[-1]] = value
    return document


def mutate(data, original: bytes, parsed) -> tuple[str, bytes | None]:
    """Draw one mutation of a file: (description, new bytes; None = delete the file)."""
    kind = data.draw(st.sampled_from(
        ["drop", "drop", "duplicate-key", "duplicate-key", "retype", "retype", "retype", "number", "number",
         "swap-codes", "rename-key", "duplicate-element", "delete-file",
         "truncate", "insert-bytes", "replace-byte", "cut-bytes", "whole", "utf16"]), label="kind")
    document = copy.deepcopy(parsed)
    nodes = list(locations(document))

    def pick(candidates, label):
        if not candidates:
            return None
        return candidates[data.draw(st.integers(0, len(candidates) - 1), label=label)]

    if kind in ("drop", "duplicate-key", "rename-key"):
        members = [p for p, _ in nodes if p and isinstance(node_at(document, p[:-1]), dict)]
        path = pick(members, "member")
        parent = node_at(document, path[:-1])
        key = path[-1]
        if kind == "drop":
            del parent[key]
            return f"drop {path}", dump(document).encode("utf-8")
        items = list(parent.items())
        position = [k for k, _ in items].index(key)
        if kind == "duplicate-key":
            value = data.draw(st.sampled_from([parent[key]] + VALUES), label="duplicate value")
            after = data.draw(st.booleans(), label="after")
            items.insert(position + 1 if after else len(items), (key, value))
            new = Pairs(items)
            document = replace_at(document, path[:-1], new)
            return f"duplicate {path} = {str(value)[:40]!r}", dump(document).encode("utf-8")
        new_key = data.draw(st.sampled_from(RENAMES + [k for k in parent if k != key][:20]), label="new key")
        items[position] = (new_key, parent[key])
        document = replace_at(document, path[:-1], Pairs(items))
        return f"rename {path} → {new_key!r}", dump(document).encode("utf-8")

    if kind == "retype":
        path = pick([p for p, _ in nodes], "node")
        value = data.draw(st.sampled_from(VALUES), label="value")
        return f"retype {path} = {str(value)[:40]!r}", dump(replace_at(document, path, value)).encode("utf-8")

    if kind == "number":
        numeric = [p for p, v in nodes if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
        path = pick(numeric, "number")
        value = data.draw(st.sampled_from(NUMBERS), label="number")
        if path is None:
            path = ()
        return f"number {path} = {value[:40]}", dump(replace_at(document, path, value)).encode("utf-8")

    if kind == "swap-codes":
        keyed = [p for p, v in nodes if isinstance(v, dict) and sum(1 for k in v if CODE.match(k)) >= 2]
        valued = [p for p, v in nodes if isinstance(v, str) and CODE.match(v)]
        if keyed and data.draw(st.booleans(), label="keys"):
            path = pick(keyed, "object")
            parent = node_at(document, path)
            codes = [k for k in parent if CODE.match(k)]
            a = data.draw(st.sampled_from(codes), label="a")
            b = data.draw(st.sampled_from([c for c in codes if c != a]), label="b")
            parent[a], parent[b] = parent[b], parent[a]
            return f"swap values of {path}/{a} and /{b}", dump(document).encode("utf-8")
        if len(valued) >= 2:
            a = pick(valued, "a")
            b = pick([p for p in valued if p != a], "b")
            va, vb = node_at(document, a), node_at(document, b)
            replace_at(document, a, vb)
            replace_at(document, b, va)
            return f"swap {a} ({va}) and {b} ({vb})", dump(document).encode("utf-8")
        return "swap: nothing to swap", original

    if kind == "duplicate-element":
        elements = [p for p, _ in nodes if p and isinstance(node_at(document, p[:-1]), list)]
        path = pick(elements, "element")
        if path is None:
            return "duplicate element: no list", original
        parent = node_at(document, path[:-1])
        parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        return f"duplicate element {path}", dump(document).encode("utf-8")

    if kind == "delete-file":
        return "delete the file", None
    if kind == "whole":
        content = data.draw(st.sampled_from(WHOLE), label="content")
        return f"whole file {content[:20]!r}", content
    if kind == "utf16":
        return "UTF-16", original.decode("utf-8").encode("utf-16")

    position = data.draw(st.integers(0, len(original)), label="position")
    if kind == "truncate":
        return f"truncate at {position}", original[:position]
    if kind == "insert-bytes":
        garbage = data.draw(st.sampled_from(GARBAGE) | st.binary(min_size=1, max_size=8), label="garbage")
        return f"insert {garbage!r} at {position}", original[:position] + garbage + original[position:]
    if kind == "replace-byte":
        byte = data.draw(st.integers(0, 255), label="byte")
        return f"byte {byte} at {position}", original[:position] + bytes([byte]) + original[position + 1:]
    length = data.draw(st.integers(1, 200), label="length")
    return f"cut {length} bytes at {position}", original[:position] + original[position + length:]


# ---------------------------------------------------------------- the example and the checks


class Opaque:
    """A fixture value hypothesis should not print in full."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "Opaque(…)"


class Example:
    """The example copy of one test: its folder, CLI paths, original bytes and parsed files, the seeded out/."""

    def __init__(self, work: Path, paths: dict, originals: dict, parsed: dict, seed_out: Path):
        self.work, self.paths, self.originals, self.parsed, self.seed_out = work, paths, originals, parsed, seed_out

    def __repr__(self):  # hypothesis prints the arguments of a failing example
        return f"Example({self.work})"


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    work = tmp_path_factory.mktemp("fuzz")
    paths = copy_example(work)
    names = sorted(set(FILES))
    originals = {name: (work / name).read_bytes() for name in names}
    parsed = {name: json.loads(originals[name], parse_float=Decimal) for name in names}
    seed_out = work / "seed-out"
    result = invoke("score", *cli_args(paths), "--out", seed_out, "--time", TIME)
    assert result.exit_code == 0, result.output
    (seed_out / USER_FILE).write_text("ghi chú của Hội đồng", encoding="utf-8")
    return Example(work, paths, originals, parsed, seed_out)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def results_schema():
    schema = json.loads((ROOT / "scoring" / "results.schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema), Draft202012Validator(schema)


def check_promises(result, *, out: Path | None = None, before: dict | None = None, schema=None,
                   command: str = "validate") -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("uncaught exception:\n" + "".join(traceback.format_exception(result.exception)))
    assert result.exit_code in (0, 1), result.output[-3000:]
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    if result.exit_code == 1:
        lines = result.stderr.rstrip("\n").split("\n")
        summary = SUMMARY_LINE.match(lines[-1])
        # decision's own errors (DecisionError) are one line without the summary
        assert summary or command == "decision", f"last stderr line is not the summary: {lines[-1]!r}"
        issues = lines[:-1] if summary else lines
        malformed = [line for line in issues if not ISSUE_LINE.fullmatch(line)]
        assert issues and not malformed, malformed[:5] or lines
        if summary:
            assert int(summary[1]) == len(issues), "one line per issue"
        if out is not None:
            assert snapshot(out) == before, "a refused run changed its output folder"
        return
    if command == "decision":
        assert sorted(p.name for p in out.iterdir()) == ["qd.docx", "results.json"]
        with zipfile.ZipFile(out / "qd.docx") as package:
            assert package.testzip() is None
        return
    if out is not None:
        names = sorted(p.name for p in out.iterdir() if p.name != ".cchc")  # the hidden folder of the output sets
        assert names == sorted(["results.json", "ket-qua.xlsx", "quyet-dinh.docx", USER_FILE]), names
        document = json.loads((out / "results.json").read_text(encoding="utf-8"))
        fast, reference = schema
        if not fast.is_valid(document):
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in reference.iter_errors(document)][:5]
            pytest.fail(f"results.json not valid against results.schema.json: {errors}")


def run_mutated(example: Example, data, command: str, schema=None):
    name = data.draw(st.sampled_from(FILES), label="file")
    description, content = mutate(data, example.originals[name], example.parsed[name])
    note(f"{name}: {description}")
    target = example.work / name
    out = before = None
    try:
        if content is None:
            target.unlink()
        else:
            target.write_bytes(content)
        args = [command, *cli_args(example.paths)]
        if command == "score":
            out = example.work / "out"
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(example.seed_out, out)
            before = snapshot(out)
            args += ["--out", out, "--force", "--time", TIME]
        result = invoke(*args)
        note(f"exit {result.exit_code}; stderr: {result.stderr[:800]}")
        event(f"exit {result.exit_code}")  # pytest --hypothesis-show-statistics
        check_promises(result, out=out, before=before, schema=schema, command=command)
    finally:
        target.write_bytes(example.originals[name])
    return result


@settings(max_examples=VALIDATE_EXAMPLES, **SETTINGS)
@given(data=st.data())
def test_fuzz_validate(example, data):
    run_mutated(example, data, "validate")


@settings(max_examples=SCORE_EXAMPLES, **SETTINGS)
@given(data=st.data())
def test_fuzz_score(example, results_schema, data):
    run_mutated(example, data, "score", schema=results_schema)


@pytest.fixture(scope="module")
def results_file(example):
    """The seeded run's results.json: original bytes and parsed document."""
    original = (example.seed_out / "results.json").read_bytes()
    return Opaque((original, json.loads(original, parse_float=Decimal)))


@settings(max_examples=DECISION_EXAMPLES, **SETTINGS)
@given(data=st.data())
def test_fuzz_decision(example, results_file, data):
    """`decision` reads a results.json the office may have edited: the same promises."""
    original, parsed = results_file.value
    description, content = mutate(data, original, parsed)
    note(f"results.json: {description}")
    folder = example.work / "decision"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    target = folder / "results.json"
    if content is not None:  # None: the file is gone
        target.write_bytes(content)
    before = snapshot(folder)
    result = invoke("decision", target, "--out", folder / "qd.docx", "--force")
    note(f"exit {result.exit_code}; stderr: {result.stderr[:800]}")
    event(f"exit {result.exit_code}")
    check_promises(result, out=folder, before=before, command="decision")


def test_the_fuzzer_restores_the_example(example):
    """After the fuzzing, the copy is the bundled example again (a leak would skew every later example)."""
    for name, original in example.originals.items():
        assert (example.work / name).read_bytes() == original, name
    assert invoke("validate", *cli_args(example.paths)).exit_code == 0


def test_the_mutations_are_varied():
    """The pools reach every JSON type and every byte-level defect class the brief lists."""
    types = {type(v).__name__ for v in VALUES}
    assert {"NoneType", "bool", "int", "Decimal", "str", "list", "dict", "Raw"} <= types
    assert any(len(t) > 4300 for t in NUMBERS) and Raw("NaN") in NUMBERS and Raw("1e999999999") in NUMBERS
    assert b"\xff" in GARBAGE and b"" in WHOLE


# ---------------------------------------------------------------- bugs found, pinned


def _mutated_run(example, name, content):
    """validate on the example with one file replaced by ``content`` (restored afterwards)."""
    target = example.work / name
    try:
        target.write_bytes(content)
        return invoke("validate", *cli_args(example.paths))
    finally:
        target.write_bytes(example.originals[name])


DAK_HA = str(EXAMPLE_SET / "communes" / COMMUNES[0])


def _dak_ha_with(example, path, value) -> bytes:
    document = copy.deepcopy(example.parsed[DAK_HA])
    return dump(replace_at(document, path, value)).encode("utf-8")


@pytest.mark.parametrize("path", [("commune", "name"), ("leaves", "1.1.1", "evidence", 0, "title"), ("criteria_id",)])
def test_a_lone_surrogate_is_refused_at_its_place(example, path):
    """Was: UnicodeEncodeError from jsonschema_rs, with a traceback (a JSON "\\ud800" escape is
    valid JSON syntax but not text)."""
    content = _dak_ha_with(example, path, "\ud800 Hà")
    assert b"\\ud800" in content
    result = _mutated_run(example, DAK_HA, content)
    check_promises(result)
    assert result.exit_code == 1
    assert f"{DAK_HA}:/{'/'.join(map(str, path))}: " in result.stderr


@pytest.mark.parametrize("path, value", [
    (("commune", "name"), "Đăk Hà\n"),
    (("commune", "code"), "23503\n"),
    (("report", "date"), "2024-01-05\n"),
])
def test_a_trailing_newline_is_refused_by_the_schema(example, path, value):
    """Was: accepted. A pattern ^…$ matches before a final newline in Python's re (the reference
    validator), not in ECMA-262 (jsonschema_rs); the file was rejected by one and "explained"
    with no error by the other, so "Đăk Hà\\n" reached the ranking table."""
    result = _mutated_run(example, DAK_HA, _dak_ha_with(example, path, value))
    check_promises(result)
    assert result.exit_code == 1
    assert f":/{'/'.join(path)}: " in result.stderr and "[schema-pattern]" in result.stderr


@pytest.mark.parametrize("path, value, shown", [
    (("criteria_id",), "tu-mo-rong\n2023", "'tu-mo-rong\\n2023'"),      # criteria-mismatch quotes it
    (("criteria_id",), "tu-mo-rong\r2023", "'tu-mo-rong\\r2023'"),
    (("criteria_id",), "tu-mo-rong\t2023", "'tu-mo-rong\\t2023'"),
])
def test_a_line_break_in_a_quoted_value_stays_on_one_line(example, path, value, shown):
    """Was: the message quoted the input raw, so one issue took two stderr lines (a CR could
    also hide the start of the line on a terminal). Now control characters are escaped."""
    result = _mutated_run(example, DAK_HA, _dak_ha_with(example, path, value))
    check_promises(result)
    assert result.exit_code == 1 and shown in result.stderr, result.stderr


def test_a_carriage_return_in_an_unknown_key_stays_on_one_line(example):
    document = copy.deepcopy(example.parsed[DAK_HA])
    document["leaves"]["1.1.1"]["a\rb"] = 1
    result = _mutated_run(example, DAK_HA, dump(document).encode("utf-8"))
    check_promises(result)
    assert "\r" not in result.stderr and "'a\\rb'" in result.stderr


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\u202e", "\x9b"])
def test_unicode_line_breaks_and_bidi_controls_are_escaped_in_report_lines(example, char):
    result = _mutated_run(example, DAK_HA, _dak_ha_with(example, ("criteria_id",), f"tu-mo-rong{char}2023"))
    check_promises(result)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert char not in result.stderr
