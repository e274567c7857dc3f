"""Broken inputs, one case per problem: each gives the right error code at the right place.

Every file in tests/fixtures/bad/ describes a mutation of a copy of the bundled example
(criteria/tu-mo-rong-2023.json and submissions/tu-mo-rong-2023/) and the issues it must
produce, as [file name suffix, JSON pointer, error code]. The test copies the example to a
temporary folder, applies the mutation, and checks both scoring.load.load_inputs and the
command line (exit 1, every issue on its own line, no traceback, nothing written).

A fixture:
    {"description": "…",
     "mutations": [{"file": "@dak-ha", "patch": [{"op": "replace", "path": "/year", "value": 2022}]}, …],
     "expect": [["23503-dak-ha.json", "/year", "criteria-mismatch"]],      (or "valid": true)
     "xfail": "BUG: …"}                                                      (optional)
"file" is relative to the example copy; the shortcuts are @criteria, @communes, @dak-ha (the
submission of Đăk Hà), @appraisal and @survey. A mutation does one of:
    "patch": JSON-patch operations (add, replace, remove, copy; a value may carry "repeat": n)
    "replace_text": [{"old", "new", "then_repeat": [text, n]}]  (raw text edits, e.g. NaN)
    "text" / "hex": the whole new content; "text_repeat": [[text, n], …]
    "prepend_hex" / "append_text"; "truncate": fraction of the bytes kept
    "delete": true (a file, a folder, or every match of a glob); "copy_to": path
    "symlink": target (the file becomes a symbolic link)
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring.errors import CODES, InputError
from scoring.load import load_inputs

ROOT = Path(__file__).resolve().parent.parent
BAD = Path(__file__).parent / "fixtures" / "bad"
EXAMPLE_CRITERIA = Path("criteria") / "tu-mo-rong-2023.json"
EXAMPLE_SET = Path("submissions") / "tu-mo-rong-2023"
SHORTCUTS = {
    "@criteria": str(EXAMPLE_CRITERIA),
    "@communes": str(EXAMPLE_SET / "communes"),
    "@dak-ha": str(EXAMPLE_SET / "communes" / "23503-dak-ha.json"),
    "@appraisal": str(EXAMPLE_SET / "appraisal.json"),
    "@survey": str(EXAMPLE_SET / "survey.json"),
    "@registry": str(EXAMPLE_SET / "registry.json"),
}
ISSUE_LINE = re.compile(r"^(?P<file>[^:]+):(?P<pointer>[^:]*): (?P<message>.+) \[(?P<code>[a-zA-Z-]+)\]$")

example_missing = pytest.mark.skipif(not (ROOT / EXAMPLE_CRITERIA).is_file() or not (ROOT / EXAMPLE_SET).is_dir(),
                                     reason="bundled example not there yet")


# ---------------------------------------------------------------- the example copy


_TEMPLATE: list[Path] = []


def _template() -> Path:
    """One pristine copy of the example per test session, in the temporary folder (so that the
    per-test copies can hard-link its evidence files instead of copying 400 of them each time)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="cchc-example-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        (folder / "criteria").mkdir()
        shutil.copy2(ROOT / EXAMPLE_CRITERIA, folder / EXAMPLE_CRITERIA)
        shutil.copytree(ROOT / EXAMPLE_SET, folder / EXAMPLE_SET, symlinks=True)
        _TEMPLATE.append(folder)
    return _TEMPLATE[0]


def _link_or_copy(source, target):
    """JSON files are copied (tests edit them); other files are hard-linked when possible."""
    if not str(source).endswith(".json"):
        try:
            os.link(source, target)
            return target
        except OSError:
            pass
    return shutil.copy2(source, target)


def copy_example(folder: Path) -> dict:
    """Copy the bundled example under folder; return the CLI/load_inputs paths of the copy."""
    template = _template()
    (folder / "criteria").mkdir(parents=True, exist_ok=True)
    shutil.copy2(template / EXAMPLE_CRITERIA, folder / EXAMPLE_CRITERIA)
    shutil.copytree(template / EXAMPLE_SET, folder / EXAMPLE_SET, symlinks=True, copy_function=_link_or_copy)
    return {"criteria": folder / EXAMPLE_CRITERIA, "submissions": folder / EXAMPLE_SET / "communes"}


def _write(target: Path, data: bytes) -> None:
    """Replace a file's content without touching a hard-linked original."""
    if target.exists() or target.is_symlink():
        target.unlink()
    target.write_bytes(data)


def cli_args(paths: dict) -> list[str]:
    return ["--criteria", str(paths["criteria"]), "--submissions", str(paths["submissions"])]


def resolve(folder: Path, name: str) -> Path:
    for shortcut, relative in SHORTCUTS.items():
        if name == shortcut or name.startswith(shortcut + "/"):
            name = relative + name[len(shortcut):]
    return folder / name


def _tokens(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _parent(document, pointer):
    tokens = _tokens(pointer)
    node = document
    for token in tokens[:-1]:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, tokens[-1]


def _get(document, pointer):
    node = document
    for token in _tokens(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def apply_patch(document, operations):
    for operation in operations:
        op, pointer = operation["op"], operation["path"]
        if op == "copy":
            value = copy.deepcopy(_get(document, operation["from"]))
            op = "add"
        else:
            value = operation.get("value")
            if "repeat" in operation:
                value = value * operation["repeat"]
        if pointer == "":
            document = value
            continue
        parent, key = _parent(document, pointer)
        if isinstance(parent, list):
            if op == "remove":
                del parent[int(key)]
            elif op == "add":
                parent.insert(len(parent) if key == "-" else int(key), value)
            else:
                parent[int(key)] = value
        elif op == "remove":
            del parent[key]
        else:
            if op == "replace":
                assert key in parent, f"replace of a missing key {pointer}"
            parent[key] = value
    return document


def apply_mutation(folder: Path, mutation: dict) -> None:
    target = resolve(folder, mutation["file"])
    if mutation.get("delete"):
        matches = [target] if target.exists() or target.is_symlink() else list(target.parent.glob(target.name))
        assert matches, f"nothing to delete at {target}"
        for path in matches:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    if "symlink" in mutation:
        if target.exists() or target.is_symlink():
            target.unlink()
        target.symlink_to(mutation["symlink"])
    if "copy_to" in mutation:
        shutil.copy2(target, resolve(folder, mutation["copy_to"]))
    if "patch" in mutation:
        # numbers as floats: every number in the example has at most two decimals, and a
        # float's repr gives that decimal back exactly
        document = json.loads(target.read_text(encoding="utf-8"))
        document = apply_patch(document, mutation["patch"])
        _write(target, json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
    if "replace_text" in mutation:
        text = target.read_text(encoding="utf-8")
        for edit in mutation["replace_text"]:
            assert edit["old"] in text, f"{edit['old']!r} not in {target.name}"
            new = edit["new"]
            if "then_repeat" in edit:
                new += edit["then_repeat"][0] * edit["then_repeat"][1]
            text = text.replace(edit["old"], new, 1)
        _write(target, text.encode("utf-8"))
    if "text" in mutation:
        _write(target, mutation["text"].encode("utf-8"))
    if "text_repeat" in mutation:
        _write(target, "".join(part * count for part, count in mutation["text_repeat"]).encode("utf-8"))
    if "hex" in mutation:
        _write(target, bytes.fromhex(mutation["hex"]))
    if "prepend_hex" in mutation:
        _write(target, bytes.fromhex(mutation["prepend_hex"]) + target.read_bytes())
    if "append_text" in mutation:
        _write(target, target.read_bytes() + mutation["append_text"].encode("utf-8"))
    if "truncate" in mutation:
        data = target.read_bytes()
        _write(target, data[: int(len(data) * mutation["truncate"])])


def snapshot(folder: Path) -> dict:
    """Every file under folder with its bytes (and every folder), to prove nothing changed."""
    if not folder.exists():
        return {}
    result = {}
    for path in sorted(folder.rglob("*")):
        result[str(path.relative_to(folder))] = None if path.is_dir() else path.read_bytes()
    return result


def issue_lines(stderr: str) -> list[tuple[str, str, str]]:
    """The (file, pointer, code) of every issue line the CLI printed; other lines are not issues."""
    found = []
    for line in stderr.splitlines():
        match = ISSUE_LINE.match(line)
        if match:
            found.append((match["file"], match["pointer"], match["code"]))
    return found


def has_issue(issues, suffix: str, pointer: str, code: str) -> bool:
    return any(file.endswith(suffix) and where == pointer and what == code for file, where, what in issues)


# ---------------------------------------------------------------- the corpus


def _fixtures():
    for path in sorted(BAD.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(strict=True, reason=body["xfail"])] if body.get("xfail") else []
        yield pytest.param(body, id=path.stem, marks=marks)


FIXTURES = list(_fixtures())


@example_missing
@pytest.mark.parametrize("fixture", FIXTURES)
def test_broken_input(fixture, tmp_path, monkeypatch):
    work = tmp_path / "work"
    paths = copy_example(work)
    for mutation in fixture["mutations"]:
        apply_mutation(work, mutation)
    monkeypatch.chdir(work)  # messages show paths relative to the working folder

    if fixture.get("valid"):
        inputs = load_inputs(**paths)
        assert len(inputs.submissions) + len(inputs.registry.missing(s.code for s in inputs.submissions)) == 11
    else:
        with pytest.raises(InputError) as raised:
            load_inputs(**paths)
        issues = [(i.file, i.pointer, i.code) for i in raised.value.issues]
        for suffix, pointer, code in fixture["expect"]:
            assert has_issue(issues, suffix, pointer, code), f"{suffix}:{pointer} [{code}] not in {issues[:20]}"
        for issue in raised.value.issues:
            assert issue.code in CODES or (issue.code.startswith("schema-") and "schema-*" in CODES), issue
            assert issue.message and "Traceback" not in issue.message

    from cli import cli

    out = work / "out"
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--time", "2024-02-01T08:00:00+07:00"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if fixture.get("valid"):
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    assert not out.exists(), "nothing may be written when the input is invalid"
    printed = issue_lines(result.stderr)
    assert printed, result.stderr[:2000]
    for suffix, pointer, code in fixture["expect"]:
        assert has_issue(printed, suffix, pointer, code), f"{suffix}:{pointer} [{code}] not printed:\n{result.stderr[:3000]}"
    assert "không ghi kết quả" in result.stderr


def _input_sources() -> str:
    names = ["files.py", "quick.py", "load.py", "validate.py", "registry.py"]
    names += sorted(f"rules/{path.name}" for path in (ROOT / "scoring" / "rules").glob("*.py"))  # each kind's parameter checks
    return "".join((ROOT / "scoring" / name).read_text(encoding="utf-8") for name in names)


def json_input_codes() -> set[str]:
    """The codes the JSON loader and validator give (the spreadsheet forms have their own corpus)."""
    source = _input_sources()
    return {code for code in CODES if f'"{code}"' in source}


def test_every_code_the_validator_gives_is_listed():
    """A hyphenated code literal in scoring/load.py or scoring/validate.py must be in scoring.errors.CODES."""
    literals = set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', _input_sources())) - {"utf-8-sig"}
    unlisted = sorted(code for code in literals - set(CODES) if not code.startswith("schema-"))
    assert not unlisted


def test_every_error_code_has_a_broken_fixture():
    covered = set()
    for path in BAD.glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        if not body.get("xfail"):
            covered |= {code for _, _, code in body.get("expect", [])}
    # a submission edited while a run is going has no fixture: tests/test_outputs_national.py edits one mid-run
    # not-submitted is a warning, not an error: tests/test_registry.py checks it
    # self-score-missing is a warning too: tests/test_text_everywhere.py checks it
    missing = sorted(json_input_codes() - covered - {"file-changed", "not-submitted", "self-score-missing"})
    assert not missing, f"error codes without a fixture in tests/fixtures/bad: {missing}"
    schema_codes = {code for code in covered if code.startswith("schema-")}
    assert {"schema-required", "schema-type", "schema-additionalProperties", "schema-enum", "schema-pattern",
            "schema-minimum", "schema-maxLength"} <= schema_codes
    assert len(json_input_codes()) >= 45  # the loader's codes were found at all


def test_every_fixture_is_well_formed():
    known = {"file", "patch", "replace_text", "text", "text_repeat", "hex", "prepend_hex", "append_text", "truncate",
             "delete", "copy_to", "symlink"}
    for path in BAD.glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        assert set(body) <= {"description", "mutations", "expect", "valid", "xfail"}, path.name
        assert body["description"] and body["mutations"], path.name
        assert body.get("valid") or body.get("expect"), path.name
        for mutation in body["mutations"]:
            assert set(mutation) <= known and "file" in mutation, (path.name, mutation)
        for expected in body.get("expect", []):
            assert len(expected) == 3 and (expected[2] in CODES or expected[2].startswith("schema-")), (path.name, expected)


def test_every_error_code_is_in_the_readme():
    """Every code of scoring.errors.CODES is in README's "Error codes" table, written as
    `code`: a code added without documenting it fails the suite (no xfail)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Error codes", 1)[1]
    missing = [code for code in CODES if f"`{code}`" not in table]
    assert not missing, f"README.md's error table does not list: {missing}"


# ---------------------------------------------------------------- not covered by a single code


@example_missing
@pytest.mark.parametrize("name", ["\u202eàH kăĐ", "Đăk\u007fHà", "Đăk\u0085Hà", "Đăk\u2028Hà", "Đăk\u200bHà"])
def test_other_invisible_characters_in_names(name, tmp_path, monkeypatch):
    """C0 control characters (NUL, ESC, BEL…) are refused by the schemas (see the control-character-*
    fixtures). Others are not: a right-to-left override, DEL, C1 NEL, the line separator, a
    zero-width space. Whether they should be refused is a policy question; what must hold either
    way: no crash, no traceback, exit 0 or 1, and when accepted the name reaches the results
    unchanged (never interpreted)."""
    work = tmp_path / "work"
    paths = copy_example(work)
    apply_mutation(work, {"file": "@dak-ha", "patch": [{"op": "replace", "path": "/commune/name", "value": name}]})
    monkeypatch.chdir(work)
    from cli import cli

    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(work / "out"), "--time", "2024-02-01T08:00:00+07:00"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1)
    if result.exit_code == 0:
        document = json.loads((work / "out" / "results.json").read_text(encoding="utf-8"))
        assert [c["name"] for c in document["communes"] if c["code"] == "23503"] == [name]


@example_missing
def test_an_issue_per_problem_and_every_problem_reported(tmp_path, monkeypatch):
    """Two submissions with the same problem: one line each, not one for the first only."""
    work = tmp_path / "work"
    paths = copy_example(work)
    for name in ("@dak-ha", "@communes/23506-dak-to-kan.json"):
        apply_mutation(work, {"file": name, "patch": [{"op": "replace", "path": "/leaves/1.1.1/self_score", "value": 5}]})
    monkeypatch.chdir(work)
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    above = [i for i in raised.value.issues if i.code == "self-score-above-max"]
    assert sorted(Path(i.file).name for i in above) == ["23503-dak-ha.json", "23506-dak-to-kan.json"]
    assert len(set(raised.value.issues)) == len(raised.value.issues)


@example_missing
def test_the_bundled_example_is_valid():
    inputs = load_inputs()
    assert len(inputs.submissions) == 11
    assert inputs.appraisal is not None and inputs.survey is not None
    assert {f.role for f in inputs.files} == {"criteria", "submission", "appraisal", "survey", "registry"}
    assert all(len(f.sha256) == 64 for f in inputs.files)


@example_missing
def test_a_symlinked_evidence_file_inside_the_folder_is_accepted(tmp_path, monkeypatch):
    """A symbolic link is not unsafe in itself: one that stays inside the submissions folder is fine."""
    work = tmp_path / "work"
    paths = copy_example(work)
    communes = paths["submissions"]
    link = communes / "evidence" / "23503" / "lien-ket.pdf"
    link.symlink_to(os.path.relpath(communes / "evidence" / "23503" / "94-KH-UBND.pdf", link.parent))
    apply_mutation(work, {"file": "@dak-ha", "patch": [{"op": "replace", "path": "/leaves/1.1.1/evidence/0/file",
                                                           "value": "evidence/23503/lien-ket.pdf"}]})
    monkeypatch.chdir(work)
    assert len(load_inputs(**paths).submissions) == 11
