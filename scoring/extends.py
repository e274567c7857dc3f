"""A criteria set built on a framework (issue 13: "a set may name the framework it extends and
add or replace leaves; sums are checked on the result; the outputs name both").

A district's set says which framework (the province's set) it extends and what it changes
(criteria/extension.schema.json):

```json
{"id": "huyen-a-2025", "extends": "tinh-b-2025.json",
 "title": "…", "issuer": {…}, "legal_source": {…},
 "replace": [{"code": "1.1.1", "rule": {…}}, {"code": "1.1", "max": 3}],
 "add": [{"under": "1.1", "after": "1.1.1", "node": {"code": "1.1.3", …}}],
 "remove": ["2.3"]}
```

- ``extends``: the framework's path relative to the extending file, or its id (``<id>.json``
  beside it). The framework may extend another; a chain that comes back is refused
  (``criteria-extends-cycle``), a framework not found is ``criteria-framework-missing``.
- Every top-level key given (title, issuer, legal_source, total_points, bands, ranking, …)
  replaces the framework's; ``id`` is the district's own.
- ``replace``: the node with that code (an area, a criterion, a leaf, a bonus or penalty item)
  takes every key given (a ``rule``, ``items`` or ``criteria`` given replaces them whole; the
  others are kept). ``add``: a new node under an area or criterion (or ``bonus``/``penalty``),
  after a sibling or last. ``remove``: the nodes left out, with everything under them. A code
  that names no node is ``criteria-change-unknown``.
- The result is one full criteria set, checked as any other (schema, codes, sums, rules):
  points are never re-added silently, so a district adding a leaf changes its parent's
  ``max`` (a ``replace`` with only ``max``) and the total. Each problem of the result is
  reported in the extending file: at the change that made the node (``/replace/0/max``,
  ``/add/1/node/rule``), or, for what came unchanged from the framework, at ``/extends``
  with the framework's own pointer in the message.

Pure: the resolver takes documents as data; reading the framework's file is the loader's
(``read`` below is given by scoring.load; the library API passes ``frameworks``, a mapping
reference → document).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace as dc_replace

from .errors import Issue, message, pointer
from .files import ParsedFile

TOP_LEVEL = ("year", "title", "issuer", "legal_source", "total_points", "survey_required", "index_cap",
             "evidence_window", "bands", "provisional", "comparison", "ranking")
ADJUSTMENTS = ("bonus", "penalty")
CHILDREN = ("criteria", "items")  # an area's children, a criterion's children


def is_extension(data) -> bool:
    """A criteria document that extends a framework (it says ``extends``)."""
    return isinstance(data, dict) and "extends" in data


@dataclass
class Resolved:
    """The result of resolving an extending document: the full criteria document (None when it
    could not be built), the frameworks read (outermost first: (shown path, sha256, data)),
    the problems found, and how to point a problem of the result back at its source."""

    document: dict | None
    frameworks: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    origins: dict = field(default_factory=dict)  # id(node dict) → origin (see _Origin)


@dataclass(frozen=True)
class _Origin:
    file: str  # the file the node came from
    pointer: str  # its pointer there
    extension: bool  # True: the extending file (added, or the keys a replace gave)
    keys: frozenset = frozenset()  # for a replaced framework node: the keys the replace gave
    replace_pointer: str = ""  # where that replace is
    replace_file: str = ""  # in which extending file (a chain has several)


def _same_file(one: str, other: str) -> bool:
    return os.path.abspath(one) == os.path.abspath(other)


def _reference_path(reference: str, base: str) -> str:
    folder = os.path.dirname(base)
    path = os.path.normpath(os.path.join(folder, reference))
    if not path.lower().endswith(".json") and not os.path.exists(path):
        path += ".json"
    return path


def resolve(parsed: ParsedFile, read: Callable[[str, str], ParsedFile | None], chain: tuple = ()) -> Resolved:
    """The full criteria document of an extending document (``parsed``, already read).

    ``read(reference, extending_file)`` returns the framework document as a ParsedFile, or
    None when there is none. Returns Resolved; its ``issues`` are in the extending file (or
    in a framework file, for a framework that is itself broken)."""
    from . import validate

    file, data = parsed.path, parsed.data
    issues = validate.schema_issues(parsed, "extension")
    if issues:
        return Resolved(None, issues=issues)
    framework_file = read(data["extends"], file)
    if framework_file is None:
        return Resolved(None, issues=[Issue(file, "/extends", "criteria-framework-missing",
                                            message("criteria-framework-missing", framework=data['extends']))])
    if any(_same_file(framework_file.path, seen) for seen in chain + (file,)):
        names = " → ".join(chain + (file, framework_file.path))
        return Resolved(None, issues=[Issue(file, "/extends", "criteria-extends-cycle",
                                            message("criteria-extends-cycle", chain=names))])
    if framework_file.data is None:
        return Resolved(None, issues=list(framework_file.issues))
    frameworks = [(framework_file.path, framework_file.sha256, framework_file.data)]
    if is_extension(framework_file.data):  # a framework built on another
        inner = resolve(framework_file, read, chain + (file,))
        if inner.document is None:
            return Resolved(None, issues=inner.issues)
        base, origins = inner.document, inner.origins
        frameworks += inner.frameworks
    else:
        found = validate.check_criteria(framework_file)
        if found:
            return Resolved(None, issues=found)
        base, origins = copy.deepcopy(framework_file.data), {}
        _mark_framework(base, framework_file.path, origins)
    result = Resolved(base, frameworks=frameworks, origins=origins)
    _apply(data, file, base, result)
    if result.issues:
        result.document = None
    return result


def _mark_framework(document: dict, file: str, origins: dict) -> None:
    for node, where in _walk(document):
        origins[id(node)] = _Origin(file, where, False)


def _walk(document: dict):
    """(node, pointer) of every node of a criteria document: areas, their criteria and
    items, the bonus and penalty items, in order."""

    def nodes(items, base):
        for index, node in enumerate(items):
            here = f"{base}/{index}"
            yield node, here
            if isinstance(node, dict) and isinstance(node.get("items"), list):
                yield from nodes(node["items"], here + "/items")

    for index, area in enumerate(document.get("areas") or ()):
        yield area, f"/areas/{index}"
        if isinstance(area, dict) and isinstance(area.get("criteria"), list):
            yield from nodes(area["criteria"], f"/areas/{index}/criteria")
    for name in ADJUSTMENTS:
        section = (document.get("adjustments") or {}).get(name)
        if isinstance(section, dict) and isinstance(section.get("items"), list):
            yield from nodes(section["items"], f"/adjustments/{name}/items")


def _containers(document: dict) -> dict:
    """code → (the list holding the node, the node) for every node of the document."""
    found = {}

    def nodes(items):
        for node in items:
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                found.setdefault(node["code"], (items, node))
                if isinstance(node.get("items"), list):
                    nodes(node["items"])

    areas = document.get("areas") or []
    for area in areas:
        if isinstance(area, dict) and isinstance(area.get("code"), str):
            found.setdefault(area["code"], (areas, area))
            if isinstance(area.get("criteria"), list):
                nodes(area["criteria"])
    for name in ADJUSTMENTS:
        section = (document.get("adjustments") or {}).get(name)
        if isinstance(section, dict) and isinstance(section.get("items"), list):
            nodes(section["items"])
    return found


def _unknown(result: Resolved, file: str, where: str, code: str, what: str) -> None:
    result.issues.append(Issue(file, where, "criteria-change-unknown",
                               message("criteria-change-unknown", what=what, code=code)))


def _apply(data: dict, file: str, base: dict, result: Resolved) -> None:
    origins = result.origins
    base["id"] = data["id"]
    for key in TOP_LEVEL:
        if key in data:
            base[key] = copy.deepcopy(data[key])
    for index, code in enumerate(data.get("remove") or ()):
        found = _containers(base).get(code)
        if found is None:
            _unknown(result, file, f"/remove/{index}", code, "mã cần bỏ")
            continue
        items, node = found
        items.remove(node)
    for index, entry in enumerate(data.get("replace") or ()):
        where = f"/replace/{index}"
        found = _containers(base).get(entry["code"])
        if found is None:
            _unknown(result, file, where + "/code", entry["code"], "mã cần thay")
            continue
        _, node = found
        given = {key: copy.deepcopy(value) for key, value in entry.items() if key != "code"}
        node.update(given)
        before = origins.get(id(node))
        if before is not None and before.extension:  # a node an inner extension added: still its own
            origins[id(node)] = _Origin(file, where, True)
        else:
            origins[id(node)] = _Origin(before.file if before else file, before.pointer if before else where,
                                        False, frozenset(given), where, file)
        for key in CHILDREN:  # children given whole are the extending file's
            if key in given and isinstance(node[key], list):
                for offset, child in enumerate(node[key]):
                    _mark_added(child, f"{where}/{key}/{offset}", file, origins)
    for index, entry in enumerate(data.get("add") or ()):
        where = f"/add/{index}"
        under, node = entry["under"], copy.deepcopy(entry["node"])
        if under in ADJUSTMENTS:
            section = base.setdefault("adjustments", {}).setdefault(under, {})
            siblings = section.setdefault("items", [])
        else:
            found = _containers(base).get(under)
            if found is None:
                _unknown(result, file, where + "/under", under, "mã nơi thêm")
                continue
            parent = found[1]
            key = "criteria" if found[0] is base.get("areas") else "items"
            if key == "items" and "rule" in parent:  # a leaf becomes a criterion: its rule goes
                parent.pop("rule")
            siblings = parent.setdefault(key, [])
        position = len(siblings)
        if "after" in entry:
            codes = [sibling.get("code") if isinstance(sibling, dict) else None for sibling in siblings]
            if entry["after"] not in codes:
                _unknown(result, file, where + "/after", entry["after"], f"mã đứng trước (trong '{under}')")
                continue
            position = codes.index(entry["after"]) + 1
        siblings.insert(position, node)
        _mark_added(node, where + "/node", file, origins)


def _mark_added(node, where: str, file: str, origins: dict) -> None:
    if not isinstance(node, dict):
        return
    origins[id(node)] = _Origin(file, where, True)
    for key in CHILDREN:
        if isinstance(node.get(key), list):
            for offset, child in enumerate(node[key]):
                _mark_added(child, f"{where}/{key}/{offset}", file, origins)


def _segments(where: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in where.split("/")[1:]] if where else []


def locate(issue: Issue, resolved: Resolved, file: str, extension: Mapping) -> Issue:
    """A problem of the resolved document, pointed back at its source: the change in the
    extending file that made the node, the top-level key the extending file gave, or, for
    what came unchanged from the framework, the extending file's ``/extends`` with the
    framework's own place in the message."""
    parts = _segments(issue.pointer)
    current, deepest, depth = resolved.document, None, 0
    for index, part in enumerate(parts):
        try:
            current = current[int(part)] if isinstance(current, list) else current[part]
        except (KeyError, IndexError, ValueError, TypeError):
            break
        if isinstance(current, dict) and id(current) in resolved.origins:
            deepest, depth = resolved.origins[id(current)], index + 1
    rest = parts[depth:]
    if deepest is None:  # a top-level key
        if parts and parts[0] in extension:
            return dc_replace(issue, file=file)
        return _at_extends(issue, file, resolved.frameworks[-1][0] if resolved.frameworks else "", issue.pointer)
    if deepest.extension:
        return dc_replace(issue, file=deepest.file, pointer=deepest.pointer + ("" if not rest else pointer(*rest)))
    if rest and rest[0] in deepest.keys:
        return dc_replace(issue, file=deepest.replace_file, pointer=deepest.replace_pointer + pointer(*rest))
    return _at_extends(issue, file, deepest.file, deepest.pointer + ("" if not rest else pointer(*rest)))


def _at_extends(issue: Issue, file: str, framework_file: str, where: str) -> Issue:
    return Issue(file, "/extends", issue.code, f"{issue.message} (trên bộ tiêu chí đã ghép; phần lấy từ bộ khung "
                                                f"{framework_file}:{where or '/'})")


def framework_summary(frameworks: list) -> dict | None:
    """What the outputs say of the framework (the nearest one the set extends): id, year,
    title, issuer, legal source, file and sha256; with a chain, ``extends`` names the next."""
    summary = None
    for path, sha256, data in reversed(frameworks):
        entry = {"id": data.get("id"), "year": data.get("year"), "title": data.get("title"),
                 "issuer": data.get("issuer"), "legal_source": data.get("legal_source"),
                 "path": path, "sha256": sha256}
        if summary is not None:
            entry["extends"] = summary
        summary = entry
    return summary


def data_reader(frameworks: Mapping | None) -> Callable[[str, str], ParsedFile | None]:
    """``read`` for documents given as data: ``frameworks`` maps a reference (as written in
    ``extends``) to its document (a dict)."""
    from .files import document_from_data

    def read(reference: str, _extending: str):
        if not frameworks or reference not in frameworks:
            return None
        return document_from_data(frameworks[reference], reference)

    return read


def file_reader(frameworks: Mapping | None = None) -> Callable[[str, str], ParsedFile | None]:
    """``read`` for files: the reference relative to the extending file's folder (``<id>.json``
    when the reference has no extension); a reference in ``frameworks`` (data) first."""
    from .files import read_document

    by_data = data_reader(frameworks)

    def read(reference: str, extending: str):
        found = by_data(reference, extending)
        if found is not None:
            return found
        path = _reference_path(reference, extending)
        if not os.path.isfile(path):
            return None
        return read_document(path)

    return read


__all__ = ["is_extension", "resolve", "locate", "framework_summary", "data_reader", "file_reader", "Resolved"]
