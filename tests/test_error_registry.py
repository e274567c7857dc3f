"""One registry of error codes (scoring.errors: CODES, SEVERITY, TEMPLATES; issue 12).

- every code the program can emit, anywhere in scoring/ or cli.py, is registered;
- every registered code is triggered by a broken fixture (data: tests/fixtures/bad/*.json for
  the inputs, tests/fixtures/decision/bad-details.json for the decision details,
  tests/fixtures/previous/*.json for score --previous), or, for the
  few listed in WITHOUT_FIXTURE, by a named test; that list may only shrink;
- the README's error table lists exactly the registered codes;
- one location type, one base exception, messages rendered from templates.
"""

from __future__ import annotations

import ast
import errno
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring.errors import CODES, SEVERITY, TEMPLATES, CchcError, InputError, Issue, Location, message, registry
from scoring.forms.cells import CellIssue, FormError
from scoring.writers.decision import DecisionError, DetailsError, TemplateError, load_details

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "fixtures" / "bad"
BAD_DETAILS = ROOT / "tests" / "fixtures" / "decision" / "bad-details.json"
BAD_PREVIOUS = ROOT / "tests" / "fixtures" / "previous"
# kebab-case string literals in the program that are not error codes
NOT_CODES = {"utf-8-sig", "appraisal-form", "cchc-scoring", "cchc-self-assessment", "cchc-appraisal",
             "cchc-explanation"}

# registered codes with no broken fixture as data yet, each with the test that triggers it
# (a spreadsheet is broken by code in tests/test_forms.py rather than described as data).
# Covering one by a fixture makes this test fail until it is removed here: the list only shrinks.
WITHOUT_FIXTURE = {
    "file-changed": "test_outputs_national.py",  # a submission edited mid-run
    "not-submitted": "test_registry.py",  # a warning, not an error
    "entry-skipped": "test_faults.py", "file-not-regular": "test_faults.py", "file-too-large": "test_faults.py",
    "evidence-type-unknown": "test_text.py", "appraisal-conflict": "test_split_appraisal.py",
    "results-provisional": "test_provisional.py", "excel-limit": "test_faults.py",
    "template-missing": "test_faults.py", "template-not-docx": "test_faults.py", "template-code": "test_faults.py",
    "form-not-a-form": "test_forms.py", "form-criteria-mismatch": "test_forms.py", "form-cell-type": "test_forms.py",
    "form-cell-empty": "test_explanation_loop.py", "form-cell-invalid": "test_forms.py",
    "form-date-invalid": "test_forms.py", "form-row-missing": "test_forms.py", "form-row-moved": "test_forms.py",
    "form-row-duplicate": "test_forms.py", "appraisal-reason-missing": "test_forms.py",
    "appraisal-score-missing": "test_forms.py", "survey-tally-invalid": "test_forms.py",
    "csv-invalid": "test_faults.py",
    # issue 16: a spreadsheet broken by code; a warning
    "form-cell-formula": "test_text.py", "form-number-ambiguous": "test_text.py",
    "self-score-missing": "test_text_everywhere.py",
    # emitted by scoring/forms but triggered by no test yet (found by this registry; not done in issue 12)
    "form-row-unknown": "test_form_codes.py", "form-column-moved": "test_form_codes.py",
    "survey-header-invalid": "test_form_codes.py", "form-kind-mismatch": "test_form_codes.py",
}


def program_sources() -> dict[str, str]:
    paths = sorted((ROOT / "scoring").rglob("*.py")) + [ROOT / "cli.py"]
    return {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in paths}


def emitted_codes() -> dict[str, set[str]]:
    """Every code the program can emit → the files it is written in: each kebab-case string
    literal, and the code argument of every Issue/CellIssue/DetailsError/TemplateError/Problems.add
    call (which finds one-word codes such as "precision" too)."""
    found: dict[str, set[str]] = {}
    for name, source in program_sources().items():
        for literal in re.findall(r'"([a-z]+(?:-[a-z]+)+)"', source):
            found.setdefault(literal, set()).add(name)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            position = {"Issue": 2, "CellIssue": 2, "DetailsError": 3, "TemplateError": 2, "add": 1,
                        "CellValueError": 0, "coded": 2}.get(callee)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.setdefault(argument.value, set()).add(name)
    return {code: files for code, files in found.items() if code not in NOT_CODES and not code.startswith("schema-")}


def test_every_code_the_program_emits_is_registered():
    unregistered = {code: sorted(files) for code, files in emitted_codes().items() if code not in CODES}
    assert not unregistered, f"codes emitted but not in scoring.errors.CODES: {unregistered}"


def test_every_registered_code_is_emitted_somewhere():
    emitted = set(emitted_codes())
    dead = sorted(code for code in CODES if code not in emitted and code != "schema-*")
    assert not dead, f"registered codes the program never emits: {dead}"
    assert any(source.count('f"schema-{') for source in program_sources().values())  # the schema-* family


def test_the_registry_is_whole():
    codes = registry()
    assert set(codes) == set(CODES) and len(codes) >= 100
    for code, entry in codes.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*|schema-\*", code), code
        assert entry.description.strip() and entry.description[0].isupper(), code
        assert entry.severity in ("error", "warning", "either"), code
    assert set(SEVERITY) <= set(CODES) and {key.split(".")[0] for key in TEMPLATES} <= set(CODES)  # "code.variant"
    assert codes["not-submitted"].severity == "warning" and codes["file-missing"].severity == "error"


def _fixture_codes() -> set[str]:
    covered = set()
    for path in BAD.glob("*.json"):
        body = json.loads(path.read_text(encoding="utf-8"))
        if not body.get("xfail"):
            covered |= {code for _, _, code in body.get("expect", [])}
    for case in json.loads(BAD_DETAILS.read_text(encoding="utf-8"))["cases"]:
        covered |= {code for _, code in case["expect"]}
    for path in BAD_PREVIOUS.glob("*.json"):  # score --previous (tests/test_previous.py runs them)
        covered |= {code for _, _, code in json.loads(path.read_text(encoding="utf-8"))["expect"]}
    return covered


def test_every_registered_code_has_a_broken_fixture():
    covered = _fixture_codes()
    assert {code for code in covered if code.startswith("schema-")}, "the schema-* family has fixtures"
    missing = {code for code in CODES if code not in covered and code != "schema-*"}
    assert missing == set(WITHOUT_FIXTURE), (
        f"codes without a fixture and not listed: {sorted(missing - set(WITHOUT_FIXTURE))}; "
        f"listed but now covered by a fixture (remove them from WITHOUT_FIXTURE): {sorted(set(WITHOUT_FIXTURE) - missing)}")
    for code, test_file in WITHOUT_FIXTURE.items():
        text = (ROOT / "tests" / test_file).read_text(encoding="utf-8") if test_file else ""
        assert (code in text) == bool(test_file), (code, test_file)


def test_the_readme_error_table_is_the_registry():
    """Both ways: every registered code is in README's table (`code`), and the table names no
    code that is not registered."""
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Error codes", 1)[1]
    table = table.split("\n## ", 1)[0]
    listed = set(re.findall(r"^\|\s*`([a-z*-]+)`", table, flags=re.M))
    assert set(CODES) - listed == set(), f"not in README's table: {sorted(set(CODES) - listed)}"
    assert listed - set(CODES) == set(), f"in README's table but not registered: {sorted(listed - set(CODES))}"


# ---------------------------------------------------------------- the decision details, as data


def _details_cases():
    for case in json.loads(BAD_DETAILS.read_text(encoding="utf-8"))["cases"]:
        yield pytest.param(case, id=case["code"] if case["code"] != "*" else "every-problem-at-once")


@pytest.mark.parametrize("case", list(_details_cases()))
def test_broken_details_file(case, tmp_path, monkeypatch):
    path = tmp_path / "thong-tin.json"
    if "hex" in case:
        path.write_bytes(bytes.fromhex(case["hex"]))
    elif "text_repeat" in case:
        head, middle, times, tail = case["text_repeat"]
        path.write_text(head + middle * times + tail, encoding="utf-8")
    elif not case.get("absent"):
        path.write_text(case["text"], encoding="utf-8")
    if case.get("fault"):
        def read_bytes(self, _real=Path.read_bytes):
            if self == path:
                raise OSError(getattr(errno, case["fault"]), "Input/output error")
            return _real(self)
        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(DetailsError) as raised:
        load_details(path)
    error = raised.value
    assert [(p.pointer, p.code) for p in error.problems] == [tuple(e) for e in case["expect"]]
    assert isinstance(error, CchcError) and isinstance(error, ValueError)
    assert [(i.file, i.pointer, i.code) for i in error.issues] == [(str(path), *e) for e in case["expect"]]
    lines = str(error).splitlines()
    assert len(lines) == len(case["expect"])
    for line, (pointer, code) in zip(lines, case["expect"]):
        assert line.startswith(f"{path}:{pointer}: ") and line.endswith(f"[{code}]"), line


def test_every_details_problem_is_printed_by_the_cli(tmp_path):
    """decision --details with many problems: exit 1, one line per problem, nothing written."""
    from cli import cli

    case = json.loads(BAD_DETAILS.read_text(encoding="utf-8"))["cases"][-1]
    details = tmp_path / "thong-tin.json"
    details.write_text(case["text"], encoding="utf-8")
    scored = tmp_path / "scored"
    assert CliRunner().invoke(cli, ["score", "--out", str(scored), "--time", "2024-02-01T08:00:00+07:00"]).exit_code == 0
    results = scored / "results.json"
    out = tmp_path / "qd.docx"
    result = CliRunner().invoke(cli, ["decision", str(results), "--details", str(details), "--out", str(out)])
    assert result.exit_code == 1, result.output
    printed = [line for line in result.stderr.splitlines() if line.endswith("]")]
    assert [re.search(r"\[([a-z-]+)\]$", line).group(1) for line in printed] == [code for _, code in case["expect"]]
    assert not out.exists()


# ---------------------------------------------------------------- one location, one base, templates


def test_one_location_type():
    assert str(Location("23503-dak-ha.json", "/leaves/1.1.1")) == "23503-dak-ha.json:/leaves/1.1.1"
    assert str(Location("FORM.xlsx", "Tự đánh giá!F12")) == "FORM.xlsx!Tự đánh giá!F12"
    assert str(Location("phieu.csv", "R5C3")) == "phieu.csv!R5C3"
    assert str(Location("dòng lệnh", "--date")) == "dòng lệnh:--date"
    assert Issue("a.json", "/x", "precision", "m").location == Location("a.json", "/x")
    assert str(CellIssue("F.xlsx", "Tự đánh giá!F12", "form-cell-type", "m").location) == "F.xlsx!Tự đánh giá!F12"
    assert not Location("a.json", "").is_cell and Location("F.xlsx", "Sheet!A1").is_cell


def test_one_base_exception():
    for error_class in (InputError, FormError, DecisionError, DetailsError, TemplateError):
        assert issubclass(error_class, CchcError), error_class
    error = TemplateError("mau.docx", message("template-missing"), "template-missing")
    assert [(i.file, i.code) for i in error.issues] == [("mau.docx", "template-missing")]


def test_messages_come_from_the_registry():
    assert message("details-bad-date", value="2024-02-30") == ("ngày không hợp lệ '2024-02-30', cần dạng dd/mm/yyyy (05/02/2024) hoặc YYYY-MM-DD")
    with pytest.raises(KeyError):
        message("no-such-code")
    for code, template in TEMPLATES.items():  # every placeholder is named
        assert "{}" not in template and "{0" not in template, code
