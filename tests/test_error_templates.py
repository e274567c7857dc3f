"""Every message users read comes from the registry's templates (scoring.errors.TEMPLATES;
issue 12): every code has a template, no place that reports a problem writes its own wording,
and every call of ``message`` fills exactly the placeholders of its template.

The calls are read from the program's source (ast), so a call that no test triggers is checked
too: a missing value would raise KeyError, an extra one would be a value meant for another
wording.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from scoring.errors import CODES, TEMPLATES, message, templates_of

ROOT = Path(__file__).resolve().parent.parent

# the calls that report a problem, and the position of their message argument
MESSAGE_ARGUMENT = {"Issue": 3, "CellIssue": 3, "add": 2, "DetailsError": 2, "TemplateError": 1,
                    "CellValueError": 1, "fail": 1}

# wrappers that pass a code through to message() (their callers are checked instead)
PASS_THROUGH = {("scoring/writers/decision.py", "coded"),
                ("scoring/provisional.py", "_reason")}  # a parameter named message, not the registry's


def _sources():
    paths = sorted((ROOT / "scoring").rglob("*.py")) + [ROOT / "cli.py"]
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8")) for path in paths}


def _placeholders(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _callee(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _calls():
    """(file, innermost enclosing function, call) for every call in the program."""
    for name, tree in _sources().items():
        found = {}
        for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    found[id(node)] = (name, getattr(function, "name", ""), node)  # the innermost wins
        yield from found.values()


def test_every_code_has_a_template():
    missing = sorted(code for code in CODES if code != "schema-*" and not templates_of(code))
    assert not missing, f"codes whose message is not in scoring.errors.TEMPLATES: {missing}"


def test_every_template_belongs_to_a_code_and_names_its_placeholders():
    for key, template in TEMPLATES.items():
        code, _, variant = key.partition(".")
        assert code in CODES, key
        assert variant == "" or re.fullmatch(r"[a-z0-9_]+", variant), key  # not kebab: never taken for a code
        for _, name, _, _ in string.Formatter().parse(template):
            assert name is None or name.isidentifier(), (key, name)


def test_every_message_call_fills_exactly_its_placeholders():
    checked, used = 0, set()
    for file, function, call in _calls():
        callee = _callee(call)
        if callee == "message" and isinstance(call.func, ast.Name):  # not self.message()
            arguments = call.args
        elif callee == "coded":  # DetailsError.coded(file, pointer, code, **values)
            arguments = call.args[2:]
        else:
            continue
        if not arguments or not isinstance(arguments[0], ast.Constant):
            assert (file, function) in PASS_THROUGH, f"{file}:{call.lineno}: message() with a code that is not written out"
            continue
        code = arguments[0].value
        variants = [None]
        if len(arguments) > 1:  # a variant, or a choice of two ("a" if … else "b")
            variant = arguments[1]
            variants = [variant.body, variant.orelse] if isinstance(variant, ast.IfExp) else [variant]
            assert all(isinstance(v, ast.Constant) for v in variants), f"{file}:{call.lineno}: variant not written out"
            variants = [v.value for v in variants]
        assert code in CODES, f"{file}:{call.lineno}: unregistered code {code!r}"
        assert all(k.arg is not None for k in call.keywords), f"{file}:{call.lineno}: values given as **mapping"
        given = {k.arg for k in call.keywords}
        for variant in variants:
            key = f"{code}.{variant}" if variant else code
            assert key in TEMPLATES, f"{file}:{call.lineno}: no template {key!r}"
            wanted = _placeholders(TEMPLATES[key])
            assert given == wanted, f"{file}:{call.lineno}: {key}: values {sorted(given)}, placeholders {sorted(wanted)}"
            used.add(key)
        checked += 1
    assert checked >= len(CODES) - 1
    unused = sorted(set(TEMPLATES) - used)
    assert not unused, f"templates no call uses: {unused}"


def _is_written_text(node) -> bool:
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return True
    if isinstance(node, ast.BinOp):
        return _is_written_text(node.left) or _is_written_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_written_text(node.body) or _is_written_text(node.orelse)
    return False


# a registered message (error.message, from its template) prefixed with the column it was read
# from: the code is the inner message's, so the prefix has no code of its own to be filed under
WRAPPED = {("scoring/forms/self_assessment.py", "_read_leaf_row"), ("scoring/forms/self_assessment.py", "_read_conditions"),
           ("scoring/extends.py", "_at_extends")}  # a framework's problem said at /extends, with its place


def _is_schema_code(node) -> bool:
    """f"schema-{…}" or "schema-maxLength": the schema-* family, worded by jsonschema."""
    if isinstance(node, ast.JoinedStr):
        node = node.values[0] if node.values else node
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("schema-")


def test_no_place_writes_its_own_message():
    """A problem's message is a ``message(...)`` call or a value holding one, never text
    written where the problem is reported."""
    written = []
    for file, function, call in _calls():
        position = MESSAGE_ARGUMENT.get(_callee(call))
        if position is None or len(call.args) <= position:
            continue
        code = call.args[position - 1] if _callee(call) not in ("DetailsError", "TemplateError", "CellValueError") else None
        constant = isinstance(code, ast.Constant) and isinstance(code.value, str)
        if _is_schema_code(code) or (_callee(call) == "add" and constant and code.value not in CODES):
            continue  # a schema-* code (its message is jsonschema's), or some other add()
        if _is_written_text(call.args[position]) and (file, function) not in WRAPPED:
            written.append(f"{file}:{call.lineno}")
    assert not written, f"messages written at the place that reports them: {written}"


def test_a_missing_or_unknown_value_raises():
    with pytest.raises(KeyError):
        message("file-unreadable")  # {reason} not given
    with pytest.raises(KeyError):
        message("json-invalid", "no-such-variant")
    with pytest.raises(KeyError):
        message("no-such-code")
    assert message("json-invalid", "too_deep") == "JSON lồng nhau quá sâu"
    assert message("file-too-large", size="3 MB", limit="2 MB") == "tệp quá lớn (3 MB; tối đa 2 MB): không đọc"


def _pattern(template: str) -> re.Pattern:
    """A template as a regular expression: its text exactly, any value at each placeholder."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal) + ("(.+?)" if name is not None else ""))
    return re.compile("".join(parts))


def test_the_readme_examples_are_worded_by_the_templates():
    """Every example line of README's "Error codes" table (`… message [code]`) reads as one of
    its code's templates filled in: the table shows what the program prints."""
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Error codes", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"`([^`]*) \[([a-z]+(?:-[a-z]+)*)\]`", table)
    assert len(examples) >= 100
    unmatched = [f"[{code}] {text}" for text, code in examples
                 if templates_of(code) and not any(_pattern(t).search(text) for t in templates_of(code).values())]
    assert not unmatched, unmatched


def test_no_sentence_has_its_commas_turned_into_thousands_dots():
    """Thousands are written with a dot by replacing the "," of ``f"{n:,}"``; done over a whole
    sentence it also turned its commas into dots ("2 cột. Excel tối đa", issue 12). Only a
    number (or text with no ", " of its own) may be so replaced."""
    found = []
    for file, _, call in _calls():
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "replace" and len(call.args) == 2
                and all(isinstance(a, ast.Constant) for a in call.args) and [a.value for a in call.args] == [",", "."]):
            continue
        receiver = call.func.value
        literals = [v.value for v in getattr(receiver, "values", []) if isinstance(v, ast.Constant)]
        if isinstance(receiver, ast.BinOp) or any(", " in text or "," in text.strip() for text in literals):
            found.append(f"{file}:{call.lineno}")
    assert not found, found
