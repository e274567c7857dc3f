"""Each leaf's legal source (the criteria set's legal_ref) reaches the user (issue 12): in
results.json (schema), beside the reason in `explain`, and in the workbook's "Chi tiết"."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner

import scoring
from cli import cli
from scoring.writers.workbook import DETAIL_HEADERS, SHEET_DETAIL

ROOT = Path(__file__).resolve().parent.parent
TIME = "2024-02-01T08:00:00+07:00"


def _sources() -> dict:
    """leaf code → legal_ref, from the bundled criteria set itself."""
    data = json.loads((ROOT / "criteria" / "tu-mo-rong-2023.json").read_text(encoding="utf-8"))
    found = {}

    def walk(nodes):
        for node in nodes:
            if "rule" in node:
                found[node["code"]] = node.get("legal_ref")
            walk(node.get("items") or node.get("criteria") or ())

    walk(data["areas"])
    for side in ("bonus", "penalty"):
        walk(data["adjustments"][side]["items"])
    return found


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("legal") / "out"
    result = CliRunner().invoke(cli, ["score", "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    return out


def test_every_bundled_leaf_has_a_legal_source():
    sources = _sources()
    assert len(sources) >= 60 and all(sources.values()), [code for code, ref in sources.items() if not ref]


def test_results_json_carries_each_leafs_legal_source(scored):
    document = json.loads((scored / "results.json").read_text(encoding="utf-8"))
    schema = json.loads((ROOT / "scoring" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    sources = _sources()
    for commune in document["communes"]:
        for leaf in commune["leaves"]:
            assert leaf["legal_ref"] == sources[leaf["code"]], (commune["code"], leaf["code"])


def test_the_library_gives_it_too():
    commune = scoring.score(scoring.load()).commune("23533")
    leaf = next(leaf for leaf in commune["leaves"] if leaf["code"] == "1.1.1")
    assert leaf["legal_ref"].startswith("Kế hoạch số 312/KH-UBND")


def test_explain_names_the_source_under_each_area():
    result = CliRunner().invoke(cli, ["explain", "23533"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    sources = _sources()
    assert f"Căn cứ (1.1.1): {sources['1.1.1']}" in lines
    # leaves sharing one source are named together, once
    shared = [code for code, ref in sources.items() if ref == sources["T.2"]]
    said = [line for line in lines if line.endswith(": " + sources["T.2"])]
    assert len(said) <= len(shared) and said


def test_the_workbook_detail_has_the_source(scored):
    book = openpyxl.load_workbook(scored / "ket-qua.xlsx", read_only=True)
    rows = list(book[SHEET_DETAIL].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == DETAIL_HEADERS[0])
    assert rows[header][len(DETAIL_HEADERS) - 1] == "Căn cứ pháp lý"
    sources = _sources()
    body = [row for row in rows[header + 1:] if row and row[0]]
    assert len({row[0] for row in body}) == 11 and sum(row[2] == "1.1.1" for row in body) == 11
    for row in body:
        assert row[len(DETAIL_HEADERS) - 1] == sources[row[2]], row[:3]
