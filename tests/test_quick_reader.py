"""The quick reader never changes what loading finds; it only saves time.

scoring.quick_schema translates the committed submission schema into msgspec types, and
scoring.quick reads a submission with them in one pass (``_read_quickly``), looks for its
evidence files in folder listings (``EvidenceFiles``) and sends anything it cannot vouch
for the thorough way (the JSON Schema, then the meaning checks). The promise tested here:
for any file, valid or broken, loading with the quick reader gives the same issues, the
same verdict and the same facts as loading every file the thorough way.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import event, given, note, settings, strategies as st

import scoring.quick as quick_module
from scoring.files import read_json, submission_files
from scoring.load import build_criteria
from scoring.quick import EvidenceFiles, _scan, check_group, submission_reader
from scoring.quick_schema import Untranslatable, _python_pattern, reader_for
from scoring.text import affecting_code_points, may_hold_legacy, nfc_json
from scoring.validate import SCHEMAS
from test_fuzz import SETTINGS, mutate
from test_validation import EXAMPLE_CRITERIA, EXAMPLE_SET, ROOT, example_missing

pytestmark = example_missing
COMMUNES = ROOT / EXAMPLE_SET / "communes"


def schema(name: str) -> dict:
    return json.loads(SCHEMAS[name].read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the translation


def test_the_committed_schemas_translate():
    reader = submission_reader()
    assert reader.number_bounds == {"self_score": (-1000, 1000), "value": (-100000000, 100000000)}
    assert {"Submission", "Commune", "Report", "Leaf", "Facts", "Document"} <= set(reader.structs)
    for name in ("appraisal", "survey"):
        reader_for(schema(name))


def test_leaf_codes_left_to_the_loader_are_valid_by_the_criteria_schema():
    """The quick decoder does not run the pattern of the leaf codes (the keys of "leaves"):
    the loader accepts only the criteria set's codes, which the criteria schema holds to
    the same pattern and length."""
    keys = schema("submission")["properties"]["leaves"]["propertyNames"]
    code = schema("criteria")["$defs"]["code"]
    assert keys == {"pattern": code["pattern"], "maxLength": code["maxLength"]}


@pytest.mark.parametrize("node", [
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    {"type": ["string", "null"]},
    {"type": "string", "format": "date"},
    {"type": "string", "pattern": "^\\d+$"},
    {"type": "string", "pattern": "[0-9]+"},
    {"type": "object"},
    {"type": "object", "properties": {"a": {"type": "string"}}},
    {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    {"type": "number", "multipleOf": 0.01},
    {"$ref": "https://example.com/other.json"},
])
def test_what_it_cannot_express_exactly_is_refused(node):
    with pytest.raises(Untranslatable):
        reader_for({"type": "object", "additionalProperties": False, "properties": {"x": node}})


def test_a_number_definition_shared_by_two_properties_keeps_both_bounds():
    reader = reader_for({"type": "object", "additionalProperties": False,
                         "properties": {"a": {"$ref": "#/$defs/n"}, "b": {"$ref": "#/$defs/n"}},
                         "$defs": {"n": {"type": "number", "minimum": 0, "maximum": 10}}})
    assert reader.number_bounds == {"a": (0, 10), "b": (0, 10)}


def test_patterns_end_where_ecma_ends_them():
    """Python's "$" matches before a final newline; ECMA-262's does not."""
    assert _python_pattern("^[0-9]{5}$") == "^[0-9]{5}\\Z"
    reader = reader_for({"type": "object", "additionalProperties": False,
                         "properties": {"code": {"type": "string", "pattern": "^[0-9]{5}$"}}})
    assert reader.quick.decode(b'{"code": "23503"}').code == "23503"
    for text in (b'{"code": "23503\\n"}', b'{"code": "2350"}'):
        with pytest.raises(Exception):
            reader.quick.decode(text)


def test_text_patterns_are_left_to_the_raw_bytes_only_when_they_prove_it():
    reader = submission_reader()
    assert len(reader.excluded) > 32
    for char in sorted(reader.excluded):
        text = json.dumps({"x": f"a{char}b"}, ensure_ascii=False).encode("utf-8")
        assert reader.needs_checked(text), repr(char)
    for fine in ("Đăk Hà", "“Zalo” – hỗ trợ…", "a\"b", "a/b", "a\\b", "\u00a0", "😀"):
        text = json.dumps({"x": fine}, ensure_ascii=False).encode("utf-8")
        assert reader.needs_checked(text) == ("\\\\" in text.decode()), fine  # an escaped backslash: a false alarm
    assert reader.needs_checked(b'{"x": "a\\u0041"}') and reader.needs_checked(b'{"x": "a\\tb"}')
    # a line break is allowed in an explanation only: it is looked up where it sits
    assert not reader.needs_checked(b'{"explanation": "a\\nb\\r\\n\\tc", "title": "x"}')
    assert reader.needs_checked(b'{"explanation": "a\\nb", "title": "x\\ny"}')
    assert reader.needs_checked(b'{"title": "x\\" \\nb"}') and reader.needs_checked(b'{"explanation": "a\\fb"}')
    assert reader.needs_checked(b'{"a\\"explanation": "a\\nb"}')


def _one_by_one(text: bytes):
    """What the byte tests of _read_quickly answer one by one: "refused" (an escape \\u,
    legacy text), else (the text once in NFC, whether the checked decoder must run, colons)."""
    normal = nfc_json(text)
    if b"\\u" in normal or may_hold_legacy(normal):
        return "refused"
    return normal, submission_reader().needs_checked(normal), normal.count(b":")


def _agrees(text: bytes):
    scanned = _scan(text, submission_reader())
    if scanned is not None:  # None: the tests run one by one, as before
        assert _one_by_one(text) == (text, *scanned), text
    return scanned


_TOUCHY = sorted({chr(cp) for cp in affecting_code_points() if cp < 0x3000} | set("¡§¨µøñÑÐ") | set("\u2013“”…")
                 | {chr(0x7F), "\u0085", "\u200b", "\u2028", "\ufeff", "\ufdd0", "\uffff", "\u2066"})


def test_the_one_pass_scan_answers_as_the_byte_tests_one_by_one():
    """_scan replaces nfc_json, the \\u search, may_hold_legacy, needs_checked and the colon
    count where it can vouch for the text; anything any of them may object to sends the
    text to them (None)."""
    reader = submission_reader()
    plain = json.dumps({"title": "Đăk Hà: Báo cáo", "explanation": "a\nb\tc", "x": "a\"b/\\"},
                       ensure_ascii=False).encode("utf-8")
    assert _agrees(plain) == (reader.needs_checked(plain), plain.count(b":"))
    assert _agrees(b'{"explanation": "a\\nb\\r\\n"}') == (False, 1)
    assert _agrees(b'{"title": "x\\ny"}') == (True, 1)
    for refused in (b'{"x": "a\\u0041"}', b'{"x": "a\\\\u0041"}', b'{"x": "\xc3', b"", b"{"):
        assert _agrees(refused) is None, refused
    for char in _TOUCHY + sorted(reader.excluded):  # every character a test may object to: the tests decide
        text = json.dumps({"title": f"Đ{char}x"}, ensure_ascii=False).encode("utf-8", "surrogatepass")
        assert _agrees(text) is None or _one_by_one(text) == (text, reader.needs_checked(text), 1), repr(char)
    for path in submission_files(COMMUNES):
        assert _agrees(path.read_bytes()) is not None, path
    # dashes, quotes, ellipses (E2 80 …) are read in one pass; U+2000, a zero-width space are not
    dashes = json.dumps({"title": "Báo cáo – “quý I” — ‘năm’…"}, ensure_ascii=False).encode("utf-8")
    assert _agrees(dashes) == (False, 1)
    for char in ("\u2000", "\u2001", "\u200b", "\u202e"):
        assert _agrees(dashes.replace("–".encode(), char.encode())) is None, repr(char)
    assert _agrees(dashes[:-3] + b"\xe2\x80") is None  # cut short


@settings(**SETTINGS, max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["title", "explanation", "x", "a\\\"explanation"]),
                          st.text(st.sampled_from(_TOUCHY) | st.characters(blacklist_categories=("Cs",)), max_size=12)),
                max_size=4), st.binary(max_size=40))
def test_the_one_pass_scan_agrees_on_any_text(fields, noise):
    text = json.dumps(dict(fields), ensure_ascii=False).encode("utf-8")
    _agrees(text)
    _agrees(text[:-1] + noise)  # not even UTF-8
    _agrees(text.replace(b"\\\\", b"\\"))  # escapes of all kinds


def test_dates_are_read_as_days_that_exist():
    reader = submission_reader()
    document = json.loads((COMMUNES / "23503-dak-ha.json").read_text(encoding="utf-8"))
    code = next(code for code, entry in document["leaves"].items() if entry.get("evidence"))
    for day in ("2023-02-29", "0000-01-01", "2023-1-05", "20230105", "2023-01-05T00:00"):
        document["leaves"][code]["evidence"][0]["date"] = day
        with pytest.raises(Exception):
            reader.quick.decode(json.dumps(document, ensure_ascii=False).encode("utf-8"))


# ---------------------------------------------------------------- the same outcome, always


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """A copy of the bundled communes (with their evidence scans) and the criteria set."""
    folder = tmp_path_factory.mktemp("quick") / "communes"
    shutil.copytree(COMMUNES, folder)
    parsed = read_json(ROOT / EXAMPLE_CRITERIA)
    return folder, build_criteria(parsed.data, parsed.path)


def outcome(path: Path, criteria, folder: Path, *, quick: bool):
    """What loading finds in one file: per file its verdict and issues, and the facts."""
    original = quick_module._read_quickly
    if not quick:
        quick_module._read_quickly = lambda *args: None
    try:
        checked, facts = check_group([path], criteria, folder)
    finally:
        quick_module._read_quickly = original
    (item,) = checked
    header = item.file.data if isinstance(item.file.data, dict) else None
    summary = (item.valid, item.issues, item.file.issues, item.file.sha256, item.file.path,
               header and {k: header.get(k) for k in ("criteria_id", "year", "commune")},
               [(w.pointer, w.code, w.message) for w in item.warnings])  # in order: the ways keep the same
    arrays = {name: getattr(facts, name).tolist() for name in facts.__dataclass_fields__}
    return summary, arrays


def test_the_bundled_submissions_take_the_quick_way(example, monkeypatch):
    folder, criteria = example
    paths = submission_files(folder)
    monkeypatch.setattr(quick_module, "_check_exactly", lambda *args: pytest.fail(f"read the thorough way: {args[0]}"))
    checked, facts = check_group(paths, criteria, folder)
    assert all(c.valid for c in checked) and facts.self_score.shape[0] == len(paths) == 11


def test_the_fact_table_from_plain_model_objects_is_the_quick_paths(example):
    """scoring.facts.fact_table lays out the facts of Submissions built as plain objects
    (LeafReports, no file read, no quick reader) exactly as the quick path lays them out."""
    from scoring.facts import fact_table
    from scoring.model import LeafReport, Submission

    folder, criteria = example
    paths = submission_files(folder)
    _, quick_facts = check_group(paths, criteria, folder)
    submissions = []
    for path in paths:
        data = read_json(path).data
        leaves = {code: LeafReport.from_json(entry) for code, entry in data["leaves"].items()}
        commune = data["commune"]
        submissions.append(Submission(str(path), data["criteria_id"], data["year"], commune["code"],
                                      commune["name"], commune["type"], leaves))
    plain = fact_table(criteria, submissions)
    for name in quick_facts.__dataclass_fields__:
        assert getattr(plain, name).tolist() == getattr(quick_facts, name).tolist(), name


def test_counts_written_as_whole_decimals_are_laid_out_as_ints(example):
    """JSON Schema's integers include 36.0: a valid entry read the thorough way (plain JSON)
    gives its counts to the fact table as the quick reader's ints would (extract stores
    them as given, scoring.facts._Facts converts)."""
    from scoring.facts import fact_block

    folder, criteria = example
    leaves = read_json(submission_files(folder)[0]).data["leaves"]
    code = next(code for code, entry in leaves.items() if "numerator" in (entry.get("facts") or {}))
    column = [leaf.code for leaf in criteria.leaves].index(code)
    as_ints = fact_block(criteria, [leaves])
    facts = leaves[code]["facts"]
    facts["numerator"], facts["denominator"] = float(facts["numerator"]), float(facts["denominator"])
    as_floats = fact_block(criteria, [leaves])
    for name in ("numerator", "denominator"):
        assert getattr(as_floats, name)[0, column] == getattr(as_ints, name)[0, column] == int(facts[name])


def test_the_numbers_remembered_never_let_another_type_through(example):
    """extract remembers the hundredths of the ints and floats it has read (issue 19): a
    bool equal to a number seen before (True == 1) is still no number, and a Decimal with
    more than two decimals still marks its commune."""
    from decimal import Decimal

    from scoring.facts import _Entry, extract

    folder, criteria = example
    leaves = read_json(submission_files(folder)[0]).data["leaves"]
    code = next(code for code, entry in leaves.items() if entry.get("self_score") == 1)
    from msgspec import UNSET

    rows = []  # as extract takes them: the entries in the criteria set's order, UNSET where none
    for score in (1, True, 1.0, Decimal("1.005"), Decimal("1.00")):
        rows.append([UNSET if key not in leaves else _Entry({**leaves[key], "self_score": score} if key == code else leaves[key])
                     for key in (leaf.code for leaf in criteria.leaves)])
    found = extract(criteria, rows, submission_reader().number_bounds)
    assert found.clean.tolist() == [True, False, True, False, True]
    column = [leaf.code for leaf in criteria.leaves].index(code)
    assert found.facts.self_score[[0, 2, 4], column].tolist() == [100, 100, 100]


def _keys(node) -> int:
    if isinstance(node, dict):
        return len(node) + sum(_keys(value) for value in node.values())
    if isinstance(node, list):
        return sum(_keys(value) for value in node)
    return 0


def test_the_keys_extract_counts_are_the_keys_of_the_entries(example):
    """extract counts the keys of the leaf entries as read (the duplicated-key check compares
    them with the colons of the raw text: one too many would hide a duplicate), for every
    field given: an empty evidence list, a document's file or period, a claim of "not
    applicable", an explanation, on a leaf with or without accepted types."""
    from scoring.facts import extract

    from msgspec.structs import astuple

    from scoring.quick import leaf_codes

    folder, criteria = example
    reader = submission_reader(leaf_codes(criteria))
    documents = [json.loads(path.read_bytes()) for path in submission_files(folder)]
    varied = json.loads(json.dumps(documents[0]))
    entries = list(varied["leaves"].values())
    entries[0]["evidence"] = []
    entries[1]["explanation"], entries[1]["not_applicable"] = "Không áp dụng.", True
    typed = next(code for code in varied["leaves"] if (criteria.leaf(code) or criteria.leaves[0]).evidence_types)
    for entry in (entries[2], varied["leaves"][typed]):
        entry.setdefault("evidence", []).extend([
            {"number": "12/KH-UBND", "date": "2023-02-01", "title": "Kế hoạch", "issuer": "UBND xã", "file": "a.pdf"},
            {"number": "13/XYZ", "date": "2023-03-01", "title": "Kế hoạch", "issuer": "UBND xã", "period": "q1"}])
    del entries[3]["evidence"]
    documents.append(varied)
    decoded = [reader.quick.decode(json.dumps(document).encode()) for document in documents]
    found = extract(criteria, [astuple(document.leaves) for document in decoded], reader.number_bounds)
    assert found.key_counts == [_keys(document["leaves"]) for document in documents]


def test_no_import_circle_between_the_readers_and_the_facts():
    """scoring.facts imports neither loader; scoring.files imports nothing that reads meaning."""
    import ast

    for module, forbidden in (("facts", {"load", "quick", "files"}), ("files", {"load", "quick", "facts", "validate"}),
                              ("quick", {"load"})):
        tree = ast.parse((ROOT / "scoring" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {node.module.lstrip(".").split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and node.level}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level
                     and not node.module for alias in node.names}
        assert not imported & forbidden, (module, imported & forbidden)


# characters the text patterns treat differently: allowed in an explanation only (line breaks,
# a tab), refused everywhere (other controls, invisible and direction characters), harmless
# (quotes, backslashes, slashes, typographic punctuation, Vietnamese letters)
AWKWARD = ["\n", "\r", "\t", "\b", "\f", "\x07", "\x1b", "\x7f", "\x85", "\u2028", "\u2029", "\u200b",
           "\u202e", "\u2066", "\ufeff", '"', "\\", "/", "\\n", "“", "–", "…", "á", "\u00a0", ":"]


def text_mutation(data, document) -> tuple[str, bytes]:
    """Put an awkward character into one string value (or key) of the document."""
    from test_fuzz import locations, node_at, replace_at

    texts = [p for p, v in locations(document) if isinstance(v, str)]
    path = texts[data.draw(st.integers(0, len(texts) - 1), label="string")]
    char = data.draw(st.sampled_from(AWKWARD), label="char")
    value = node_at(document, path)
    at = data.draw(st.integers(0, len(value)), label="at")
    replace_at(document, path, value[:at] + char + value[at:])
    return f"{char!r} into {path}", json.dumps(document, ensure_ascii=data.draw(st.booleans(), label="ascii")).encode("utf-8")


@settings(max_examples=int(os.environ.get("CCHC_FUZZ_EXAMPLES", "0")) or 150, **SETTINGS)
@given(data=st.data())
def test_quick_or_thorough_loading_finds_the_same(example, data):
    folder, criteria = example
    name = data.draw(st.sampled_from(sorted(p.name for p in COMMUNES.glob("*.json"))), label="file")
    original = (COMMUNES / name).read_bytes()
    if data.draw(st.booleans(), label="text"):
        what, content = text_mutation(data, json.loads(original))
    else:
        what, content = mutate(data, original, json.loads(original))
    note(what)
    path = folder / name
    try:
        if content is None:
            path.unlink()
        else:
            path.write_bytes(content)
        quick = outcome(path, criteria, folder, quick=True)
        event("valid" if quick[0][0] else "refused")
        reader = submission_reader(quick_module.leaf_codes(criteria))  # the loader's own reader
        event("read quickly" if content and quick_module._read_quickly(path, "x", reader) else "read thoroughly")
        assert quick == outcome(path, criteria, folder, quick=False)
    finally:
        path.write_bytes(original)


def test_the_leaf_entries_are_read_into_the_criteria_sets_fields(example):
    """With the criteria set's codes the quick reader reads the leaf entries into a Struct
    with a field per code (issue 19: faster than a dict); a file naming another code is not
    read quickly, and the thorough way names the code as before."""
    from msgspec import UNSET
    from msgspec.structs import astuple

    from scoring.quick import leaf_codes

    folder, criteria = example
    reader = submission_reader(leaf_codes(criteria))
    path = folder / "23503-dak-ha.json"
    original = path.read_bytes()
    leaves = reader.quick.decode(original).leaves
    assert [code for code, entry in zip(leaf_codes(criteria), astuple(leaves)) if entry is not UNSET] \
        == [leaf.code for leaf in criteria.leaves if leaf.code in json.loads(original)["leaves"]]
    document = json.loads(original)
    document["leaves"]["9.9"] = document["leaves"].pop(next(iter(document["leaves"])))
    try:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        assert quick_module._read_quickly(path, "x", reader) is None
        (valid, issues, *_), _ = outcome(path, criteria, folder, quick=True)
        assert not valid and "unknown-leaf" in {issue.code for issue in issues}
        assert outcome(path, criteria, folder, quick=True) == outcome(path, criteria, folder, quick=False)
    finally:
        path.write_bytes(original)


def test_warnings_on_two_leaves_keep_the_files_order(example):
    """Documents of no known type on two leaves: the warnings come in the order of the file's
    leaves, as the thorough way gives them, even when the file's order is not the criteria
    set's (the quick reader's fields follow the set: such a file is read the thorough way)."""
    folder, criteria = example
    path = folder / "23503-dak-ha.json"
    original = path.read_bytes()
    document = json.loads(original)
    for code in ("1.1.1", "2.1"):
        document["leaves"][code].setdefault("evidence", []).append(
            {"number": "7/XYZ", "date": "2023-03-01", "title": "Văn bản", "issuer": "UBND xã"})
    document["leaves"] = dict(reversed(list(document["leaves"].items())))
    try:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        warnings = {}
        for quick in (True, False):
            original_read = quick_module._read_quickly
            if not quick:
                quick_module._read_quickly = lambda *args: None
            try:
                (item,), _ = check_group([path], criteria, folder)
            finally:
                quick_module._read_quickly = original_read
            assert item.valid
            warnings[quick] = [(warning.pointer, warning.message) for warning in item.warnings]
        assert [pointer.split("/")[2] for pointer, _ in warnings[False]] == ["2.1", "1.1.1"]
        assert warnings[True] == warnings[False]
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize("where, value", [
    (("commune", "name"), "x· Chñ tÞch"),             # TCVN3 (ABC) bytes read as Latin-1
    (("commune", "name"), "Xa\u0303 Đăk Hà"),          # decomposed: NFC makes it the plain name
    (("report", "signer"), "Chñ tÞch UBND x·"),
    (("report", "date"), "2024-02-30"),                 # no such day
    (("report", "date"), "2024-2-3"),
])
def test_a_header_the_quick_reader_does_not_recheck_is_judged_as_thoroughly(example, where, value):
    """validate.header_issues(read_quickly=True) leaves out the report-date and legacy-text
    tests (issue 19): the quick reader's types and byte scan send such a file the thorough
    way, which names the problem as before."""
    folder, criteria = example
    name = "23503-dak-ha.json"
    original = (COMMUNES / name).read_bytes()
    document = json.loads(original)
    document.setdefault("report", {"number": "01/BC-UBND", "date": "2024-01-05", "signer": "Chủ tịch UBND xã"})
    document[where[0]][where[1]] = value
    path = folder / name
    try:
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        assert outcome(path, criteria, folder, quick=True) == outcome(path, criteria, folder, quick=False)
    finally:
        path.write_bytes(original)


# ---------------------------------------------------------------- evidence files


@pytest.fixture()
def scans(tmp_path):
    base = tmp_path / "communes"
    (base / "evidence" / "23503").mkdir(parents=True)
    (base / "evidence" / "23503" / "94-KH-UBND.pdf").write_bytes(b"%PDF")
    (base / "evidence" / "23503" / "folder.pdf").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.pdf").write_bytes(b"%PDF")
    (base / "evidence" / "23503" / "link.pdf").symlink_to(outside / "x.pdf")
    (base / "evidence" / "away").symlink_to(outside, target_is_directory=True)
    (base / "top.pdf").write_bytes(b"%PDF")
    return base


@pytest.mark.parametrize("reference, plainly_there", [
    ("evidence/23503/94-KH-UBND.pdf", True),
    ("top.pdf", True),
    ("evidence/23503/missing.pdf", False),
    ("evidence/23503/folder.pdf", False),
    ("evidence/23503/link.pdf", False),
    ("evidence/away/x.pdf", False),
    ("evidence/23503/../23503/94-KH-UBND.pdf", False),
    ("./top.pdf", False),
    ("evidence//23503/94-KH-UBND.pdf", False),
    ("evidence/23503/", False),
    ("/etc/passwd", False),
    ("\\top.pdf", False),
    ("C:top.pdf", False),
    ("../outside/x.pdf", False),
])
def test_evidence_files_get_a_quick_yes_only_when_plainly_there(scans, example, reference, plainly_there):
    assert EvidenceFiles(scans).plainly_there(reference) is plainly_there
    # and whatever the quick answer, loading finds what the thorough check finds
    _, criteria = example
    document = json.loads((COMMUNES / "23503-dak-ha.json").read_text(encoding="utf-8"))
    code = next(code for code, entry in document["leaves"].items() if entry.get("evidence"))
    for entry in document["leaves"].values():
        for item in entry.get("evidence", ()):
            item.pop("file", None)
    document["leaves"][code]["evidence"][0]["file"] = reference
    path = scans / "23503-dak-ha.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    quick, thorough = outcome(path, criteria, scans, quick=True), outcome(path, criteria, scans, quick=False)
    assert quick == thorough
    assert quick[0][0] is (reference in ("evidence/23503/94-KH-UBND.pdf", "top.pdf",
                                         "evidence/23503/../23503/94-KH-UBND.pdf", "./top.pdf",
                                         "evidence//23503/94-KH-UBND.pdf"))


def test_a_folder_that_can_be_listed_but_not_entered_gets_no_quick_yes(scans, example, monkeypatch):
    """Without the search (x) permission a folder's names can be listed but its files not
    looked at: the quick way must not vouch for them, and the thorough way reports them
    (it used to stop the run with PermissionError). Simulated: tests run as root, for whom
    permissions do not apply."""
    import pathlib

    locked = str(scans / "evidence" / "23503")
    real_stat, real_is_file = os.stat, pathlib.Path.is_file

    def stat(path, *args, **kwargs):
        if str(path).startswith(locked + os.sep):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    def is_file(self):
        if str(self).startswith(locked + os.sep):
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(quick_module.os, "stat", stat)
    assert not EvidenceFiles(scans).plainly_there("evidence/23503/94-KH-UBND.pdf")
    monkeypatch.setattr(pathlib.Path, "is_file", is_file)
    _, criteria = example
    document = json.loads((COMMUNES / "23503-dak-ha.json").read_text(encoding="utf-8"))
    for entry in document["leaves"].values():
        for item in entry.get("evidence", ()):
            item.pop("file", None)
    code = next(code for code, entry in document["leaves"].items() if entry.get("evidence"))
    document["leaves"][code]["evidence"][0]["file"] = "evidence/23503/94-KH-UBND.pdf"
    path = scans / "23503-dak-ha.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (valid, issues, *_), _ = outcome(path, criteria, scans, quick=True)
    assert not valid and [(i.pointer, i.code) for i in issues] == [(f"/leaves/{code}/evidence/0/file", "evidence-file-missing")]
    assert "Permission denied" in issues[0].message


def test_the_literals_remembered_are_read_as_before_and_bounded():
    """The quick decoder's float_hook (a dict's __getitem__, issue 19): each literal read as
    _float_or_decimal reads it, the same object for the same literal, at most LIMIT kept."""
    from decimal import Decimal

    from scoring.quick import _float_or_decimal, _Literals

    literals = _Literals()
    for text in ("0.75", "87.5", "1e2", "0.125", "12345678901234.5", "-0.25", "0.10"):
        value = literals[text]
        assert type(value) is type(_float_or_decimal(text)) and value == _float_or_decimal(text)
        assert literals[text] is value
    assert type(literals["0.125"]) is Decimal and type(literals["0.75"]) is float
    for number in range(_Literals.LIMIT + 10):
        literals[f"{number}.5"]
    assert len(literals) <= _Literals.LIMIT


def test_a_linked_submission_is_shown_alike_in_a_folder_of_any_size(tmp_path, example, monkeypatch):
    """Above a group of files, which names are links comes from one listing of the folder
    (quick.links_in) instead of a look at each file: a submission that is a link to a file
    elsewhere is still shown by its real path, the others by the folder and their name."""
    _, criteria = example
    folder, elsewhere = tmp_path / "communes", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    source = COMMUNES / "23503-dak-ha.json"
    for index in range(quick_module.GROUP + 2):
        shutil.copyfile(source, folder / f"{index:03}.json")
    shutil.copyfile(source, elsewhere / "real.json")
    (folder / "050-link.json").symlink_to(elsewhere / "real.json")
    monkeypatch.chdir(tmp_path)  # paths shown relative to it: a link by where it leads
    paths = submission_files(folder)
    assert len(paths) > quick_module.GROUP
    assert quick_module.links_in(folder) == {"050-link.json"}
    together, _ = quick_module.check_submission_files(paths, criteria, folder, workers=1)
    one_by_one = [checked for path in paths for checked in check_group([path], criteria, folder)[0]]
    assert [c.file.path for c in together] == [c.file.path for c in one_by_one]
    shown = {path.name: c.file.path for path, c in zip(paths, together)}
    assert shown["050-link.json"] == os.path.join("elsewhere", "real.json")
    assert shown["000.json"] == os.path.join("communes", "000.json")


def test_two_loads_at_once_in_one_process_keep_their_own_folders(tmp_path, example):
    """A threaded web server may load two rounds at once: each load's groups are checked with
    its own folder, listings and criteria set (given to each call, never module state). The
    first load waits, mid-way, until the second has finished; both find what they find alone."""
    import threading

    _, criteria = example
    folders = []
    for name, copies in (("one", quick_module.GROUP + 5), ("two", 3)):
        folder = tmp_path / name
        shutil.copytree(COMMUNES, folder, ignore=shutil.ignore_patterns("*.json"))
        for index in range(copies):
            shutil.copyfile(COMMUNES / "23503-dak-ha.json", folder / f"{index:03}.json")
        folders.append(folder)
    alone = [quick_module.check_submission_files(submission_files(f), criteria, f, workers=1) for f in folders]
    second_done, results = threading.Event(), {}

    def first():
        results[0] = quick_module.check_submission_files(
            submission_files(folders[0]), criteria, folders[0], workers=1, meanwhile=lambda: second_done.wait(60))

    def second():
        results[1] = quick_module.check_submission_files(submission_files(folders[1]), criteria, folders[1], workers=1)
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for index in (0, 1):
        checked, facts = results[index]
        expected, expected_facts = alone[index]
        assert [(c.valid, c.issues, c.file.path) for c in checked] == [(c.valid, c.issues, c.file.path) for c in expected]
        assert all(c.valid for c in checked)
        assert (facts.self_score == expected_facts.self_score).all()


@pytest.mark.parametrize("beside", ["folder", "link outside", "second spelling", "nothing"])
def test_a_name_on_disk_in_another_normal_form_goes_the_thorough_way(tmp_path, example, beside):
    """An evidence file named in NFD (a Mac's archive) while the submission names it in NFC:
    the quick way vouches only for names on disk byte for byte, so whatever else the folder
    holds under the same NFC name (a folder, a link leading outside the submissions folder, a
    second spelling of the same letters) is judged the thorough way, and both ways agree."""
    import unicodedata

    _, criteria = example
    base = tmp_path / "communes"
    folder = base / "evidence" / "23503"
    folder.mkdir(parents=True)
    name = "Báo cáo quý.pdf"
    nfd = unicodedata.normalize("NFD", name)
    (folder / nfd).write_bytes(b"%PDF")
    if beside == "folder":
        (folder / name).mkdir()
    elif beside == "link outside":
        outside = tmp_path / "outside.pdf"
        outside.write_bytes(b"%PDF")
        (folder / name).symlink_to(outside)
    elif beside == "second spelling":  # ậ written with its two marks in the other order
        (folder / "a\u0323\u0302.pdf").write_bytes(b"%PDF")
        (folder / "a\u0302\u0323.pdf").write_bytes(b"%PDF")
        name = unicodedata.normalize("NFC", "a\u0323\u0302.pdf")
    document = json.loads((COMMUNES / "23503-dak-ha.json").read_text(encoding="utf-8"))
    for entry in document["leaves"].values():
        for item in entry.get("evidence", ()):
            item.pop("file", None)
    code = next(code for code, entry in document["leaves"].items() if entry.get("evidence"))
    document["leaves"][code]["evidence"][0]["file"] = f"evidence/23503/{name}"
    path = base / "23503-dak-ha.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert not EvidenceFiles(base).plainly_there(f"evidence/23503/{name}")
    quick, thorough = outcome(path, criteria, base, quick=True), outcome(path, criteria, base, quick=False)
    assert quick == thorough
    if beside in ("folder", "link outside"):
        assert not quick[0][0]  # refused, as the thorough way refuses it
