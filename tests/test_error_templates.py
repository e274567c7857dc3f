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
WRAPPED = {("scoring/forms/self_assessment.py", "_read_leaf_row")}


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
