"""Issue 19: `decision` reads a results.json without its leaves (scoring.results_totals).

What it reads must be what the full reader reads (less the leaves), the decision it writes
byte-identical, and every defect the full reader names still named, at the same pointer.
"""

import datetime
import json

import pytest
from click.testing import CliRunner

from cli import cli
from scoring.errors import InputError
from scoring.results_totals import decode_totals, load_results_totals
from scoring.writers.decision import DecisionDetails, render_decision
from scoring.writers.results_json import load_results

TIME = "2024-02-01T08:00:00+07:00"


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("totals") / "out"
    result = CliRunner().invoke(cli, ["score", "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    return out / "results.json"


def _without_leaves(document):
    for commune in document["communes"]:
        commune["leaves"] = []
    return document


def test_reads_everything_but_the_leaves(results_file):
    full = load_results(results_file)
    assert any(commune["leaves"] for commune in full["communes"])
    assert load_results_totals(results_file) == _without_leaves(full)


def test_the_decision_is_byte_identical(results_file):
    details = DecisionDetails(number="47", date=datetime.date(2024, 2, 5), signer="Võ Trung Mạnh")
    assert render_decision(load_results_totals(results_file), details) == render_decision(load_results(results_file), details)


def test_cli_decision_same_bytes_as_score_writes(results_file, tmp_path):
    target = tmp_path / "qd.docx"
    result = CliRunner().invoke(cli, ["decision", str(results_file), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (results_file.parent / "quyet-dinh.docx").read_bytes()


def _broken(results_file, tmp_path, change):
    document = json.loads(results_file.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "results.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _issues(read, path):
    with pytest.raises(InputError) as caught:
        read(path)
    return sorted((issue.pointer, issue.code) for issue in caught.value.issues)


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d["communes"][1].update(total="nhiều"), id="total-not-a-number"),
    pytest.param(lambda d: d["communes"][2].pop("rank"), id="rank-missing"),
    pytest.param(lambda d: d["communes"][0].update(index=12.345), id="index-three-decimals"),
    pytest.param(lambda d: d["communes"][0].update(extra=1), id="unknown-key-in-commune"),
    pytest.param(lambda d: d.update(extra=1), id="unknown-key-at-top"),
    pytest.param(lambda d: d["communes"][3].update(leaves={"1.1": {}}), id="leaves-not-a-list"),
    pytest.param(lambda d: d.update(communes={}), id="communes-not-a-list"),
    pytest.param(lambda d: d["summary"].pop("communes"), id="summary-incomplete"),
    pytest.param(lambda d: d.update(format="cchc-results/0"), id="wrong-format"),
])
def test_every_defect_named_as_the_full_reader_names_it(results_file, tmp_path, change):
    path = _broken(results_file, tmp_path, change)
    expected = _issues(load_results, path)
    assert expected
    assert _issues(load_results_totals, path) == expected


def test_a_leaf_is_not_read(results_file, tmp_path):
    """A defect inside a leaf is the full reader's business: the decision does not read leaves."""
    path = _broken(results_file, tmp_path, lambda d: d["communes"][0]["leaves"][0].update(final="x"))
    with pytest.raises(InputError):
        load_results(path)
    assert load_results_totals(path)["communes"][0]["leaves"] == []


def test_broken_json_goes_to_the_full_reader(tmp_path):
    path = tmp_path / "results.json"
    path.write_bytes(b'{"format": "cchc-results/1", "communes": [')
    assert decode_totals(path.read_bytes()) is None
    assert _issues(load_results_totals, path) == _issues(load_results, path)
    missing = tmp_path / "nothing.json"
    assert _issues(load_results_totals, missing) == _issues(load_results, missing)
