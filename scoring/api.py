"""The library's public functions (re-exported by ``scoring``): load, validate, score, and
results as plain data or pandas DataFrames. cli.py and notebooks call these.

Shapes and units:
- ``load(...)`` → scoring.model.Inputs; raises InputError (``.issues``: every problem).
- ``find_issues(...)`` → list of scoring.errors.Issue (the validation step; named so as not to
  hide the scoring.validate module) (empty: the inputs can be scored).
- ``score(inputs)`` → scoring.engine.Results: pure, holds everything it reports (no file is
  read again unless the inputs were loaded with ``reread_entries=True``).
- ``commune_data(commune)`` / ``Results.commune(code)`` / ``Results.communes()``: plain
  dicts shaped like results.json's commune entries, points as exact ``Decimal`` (two
  decimals; an index is a percentage).
- ``to_frames(results)`` / ``Results.to_frames()``: DataFrames ``communes`` (index code),
  ``areas`` (commune, area), ``criteria`` (commune, criterion: the criteria below an area,
  sums of their leaves' final points), ``leaves`` (commune, leaf); rows in ranking order,
  the indices those of results.json.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import InputError, Issue

# scoring.load (numpy, the rules, the validators) is imported by load() when first called: a
# command that only reads results (decision) does not pay for it at start-up (issue 19)

# the fields of a commune entry (and of its areas and leaves) that hold points or an index
_POINTS = frozenset({"self_assessed", "appraised", "survey", "bonus", "penalty", "adjustment", "total", "max",
                     "index", "survey_index", "points", "self_score", "evidence_score", "appraised_score", "final", "counted_max"})
_CENT = Decimal("0.01")


def load(criteria=None, submissions=None, appraisal=None, survey=None, *, registry=None, **options):
    """Load and validate the inputs: paths, or the documents as plain data (see
    scoring.load.load_inputs, which takes the same arguments). Defaults: the bundled
    example. Returns Inputs; raises InputError with every problem found."""
    from .load import load_inputs

    return load_inputs(criteria, submissions, appraisal, survey, registry=registry, **options)


def find_issues(criteria=None, submissions=None, appraisal=None, survey=None, *, registry=None, **options) -> list[Issue]:
    """Every problem of the inputs (the same arguments as ``load``), as a list of Issue
    (``file``, ``pointer``, ``code``, ``message``); empty when they can be scored. The inputs
    are loaded only to be checked (``check_only``, unless told otherwise): nothing is kept
    that only scoring needs."""
    options.setdefault("check_only", True)
    try:
        load(criteria, submissions, appraisal, survey, registry=registry, **options)
    except InputError as error:
        return list(error.issues)
    return []


def score(inputs):
    """Score loaded inputs (scoring.engine.score): exact, ranked, banded Results."""
    from .engine import score as score_inputs

    return score_inputs(inputs)


def _exact(value):
    """A results.json number (an int or a float printing exactly two decimals) as a Decimal."""
    if value is None or isinstance(value, bool):
        return value
    return Decimal(str(value)).quantize(_CENT)


def _with_decimals(entry):
    if isinstance(entry, dict):
        return {key: _exact(value) if key in _POINTS and not isinstance(value, (dict, list, str)) else _with_decimals(value)
                for key, value in entry.items()}
    if isinstance(entry, list):
        return [_with_decimals(item) for item in entry]
    return entry


def commune_data(commune) -> dict:
    """One commune's result as plain data: results.json's entry (scores, rank, band, areas,
    flags, every leaf with its facts, evidence and reason), points as exact Decimals."""
    from .writers.results_json import _commune

    return _with_decimals(_commune(commune))


def to_frames(results) -> dict:
    """The results as pandas DataFrames: {"communes", "areas", "criteria", "leaves"}.

    Points are exact Decimals (object columns); rows in ranking order. Indices: communes
    by code; areas by (commune, area); criteria by (commune, criterion); leaves by
    (commune, leaf): the codes and order of results.json.
    """
    import pandas as pd

    criteria = results.criteria
    commune_rows, area_rows, criterion_rows, leaf_rows = [], [], [], []
    for commune in results.communes:
        entry = commune_data(commune)
        commune_rows.append({key: value for key, value in entry.items()
                             if key not in ("areas", "leaves", "flags", "not_applicable")})
        for area in entry["areas"]:
            area_rows.append({"commune": commune.code, "area": area.pop("code"), **area})
        final = {leaf["code"]: leaf["final"] for leaf in entry["leaves"]}
        for area in criteria.areas:
            for node in area.criteria:
                codes = [leaf.code for leaf in node.leaves()]
                criterion_rows.append({"commune": commune.code, "criterion": node.code, "area": area.code,
                                       "title": node.title, "max": _exact(node.max / 100),
                                       "points": sum((final[code] for code in codes if code in final), Decimal("0.00"))})
        for leaf in entry["leaves"]:
            leaf_rows.append({"commune": commune.code, "leaf": leaf.pop("code"), **leaf})
    communes = pd.DataFrame(commune_rows).set_index("code") if commune_rows else pd.DataFrame()
    return {
        "communes": communes,
        "areas": pd.DataFrame(area_rows).set_index(["commune", "area"]) if area_rows else pd.DataFrame(),
        "criteria": pd.DataFrame(criterion_rows).set_index(["commune", "criterion"]) if criterion_rows else pd.DataFrame(),
        "leaves": pd.DataFrame(leaf_rows).set_index(["commune", "leaf"]) if leaf_rows else pd.DataFrame(),
    }


def load_previous(sources, inputs) -> list[tuple[str, dict, str]]:
    """Last year's results for ``score --previous`` (scoring.previous): each source a
    results.json path or the document as plain data. Returns [(shown name, document,
    sha256 of its bytes)]; raises InputError with every problem (schema, criteria family,
    year, a unit in two files, the comparison rules of ``inputs.criteria``) at
    ``file:/json/pointer``."""
    from pathlib import Path

    from .files import document_from_data, read_document
    from .previous import check_previous, population_issues

    parsed = [read_document(Path(source)) if isinstance(source, (str, Path))
              else document_from_data(source, f"<kết quả năm trước {number + 1}>")
              for number, source in enumerate(sources)]
    issues = check_previous(parsed, inputs.criteria) + population_issues(inputs.registry, inputs.criteria)
    if issues:
        raise InputError(issues)
    return [(item.path, item.data, item.sha256) for item in parsed]


def compare_previous(results, previous, registry=None):
    """``results`` (scoring.engine.Results) with their comparison against ``previous``
    (load_previous's list): the same Results, ``comparison`` set (scoring.previous.compare)."""
    from dataclasses import replace

    from .previous import compare

    return replace(results, comparison=compare(results, previous, registry))
