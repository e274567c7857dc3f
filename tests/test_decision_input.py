"""Issue 19: `decision` reads only what it needs of a results.json (scoring/writers/decision_input.py).

The decision it writes is byte-identical to the one written from the whole file; every
field it reads is checked as the results schema says, and a defect there is named at its
pointer with the full reader's code; a field it does not read (a leaf, an area, an
unknown key) is not its business.
"""

import datetime
import json

import pytest
from click.testing import CliRunner

from cli import DECISION_NAME, RESULTS_NAME, cli
from scoring.errors import InputError
from scoring.files import DATA
from scoring.writers import outputs
from scoring.writers.decision import DecisionDetails, render_decision
from scoring.writers.decision_input import FORMAT, read_decision_input
from scoring.writers.results_json import load_results
from scoring.writers.results_json import FORMAT as WRITTEN_FORMAT, load_results

TIME = "2024-02-01T08:00:00+07:00"
DETAILS = DecisionDetails(number="47", date=datetime.date(2024, 2, 5), signer="Võ Trung Mạnh")


@pytest.fixture(scope="module")
def results_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("decision-input") / "out"
    result = CliRunner().invoke(cli, ["score", "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    return out / "results.json"


def test_names_agree_with_the_writers():
    assert FORMAT == WRITTEN_FORMAT
    assert (RESULTS_NAME, DECISION_NAME) == (outputs.RESULTS_NAME, outputs.DECISION_NAME)


def test_a_district_gives_the_same_decision_as_the_whole_file(results_file):
    assert render_decision(read_decision_input(results_file), DETAILS) == render_decision(load_results(results_file), DETAILS)


def test_last_years_bundled_results_give_the_same_decision():
    path = DATA / "submissions" / "tu-mo-rong-2022" / "results.json"
    assert render_decision(read_decision_input(path), DETAILS) == render_decision(load_results(path), DETAILS)


def test_only_what_the_decision_reads_is_kept(results_file):
    document = read_decision_input(results_file)
    commune = document["communes"][0]
    assert "leaves" not in commune and "areas" not in commune and "flags" not in commune
    assert {"code", "name", "type", "total", "max", "index", "rank", "band"} <= set(commune)
    assert "inputs" not in document and document["format"] == FORMAT


def test_cli_decision_same_bytes_as_score_writes(results_file, tmp_path):
    target = tmp_path / "qd.docx"
    result = CliRunner().invoke(cli, ["decision", str(results_file), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == (results_file.parent / "quyet-dinh.docx").read_bytes()


def _broken(results_file, tmp_path, change, name="results.json"):
    document = json.loads(results_file.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _issues(read, path):
    with pytest.raises(InputError) as caught:
        read(path)
    return sorted((issue.pointer, issue.code) for issue in caught.value.issues)


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: d["communes"][1].update(total="nhiều"), id="total-not-a-number"),
    pytest.param(lambda d: d["communes"][1].update(total=True), id="total-a-bool"),
    pytest.param(lambda d: d["communes"][2].pop("rank"), id="rank-missing"),
    pytest.param(lambda d: d["communes"][2].update(rank=0), id="rank-below-one"),
    pytest.param(lambda d: d["communes"][0].update(index=12.345), id="index-three-decimals"),
    pytest.param(lambda d: d["communes"][0].update(name=5), id="name-not-text"),
    pytest.param(lambda d: d.update(communes={}), id="communes-not-a-list"),
    pytest.param(lambda d: d.pop("communes"), id="communes-missing"),
    pytest.param(lambda d: d["summary"].pop("bands"), id="summary-bands-missing"),
    pytest.param(lambda d: d["summary"].update(average_index="85"), id="average-not-a-number"),
    pytest.param(lambda d: d["criteria"].update(year=1999), id="year-too-early"),
    pytest.param(lambda d: d["criteria"].pop("issuer"), id="issuer-missing"),
    pytest.param(lambda d: d["criteria"]["bands"][0].pop("name"), id="band-name-missing"),
    pytest.param(lambda d: d.update(provisional="có"), id="provisional-not-a-bool"),
    pytest.param(lambda d: d.update(format="cchc-results/0"), id="wrong-format"),
    pytest.param(lambda d: d.pop("format"), id="format-missing"),
])
def test_a_defect_in_what_it_reads_is_named_as_the_full_reader_names_it(results_file, tmp_path, change):
    path = _broken(results_file, tmp_path, change)
    expected = _issues(load_results, path)
    assert expected
    assert _issues(read_decision_input, path) == expected


def test_a_missing_field_gives_the_pointed_error_through_the_cli(results_file, tmp_path):
    path = _broken(results_file, tmp_path, lambda d: d["communes"][2].pop("total"))
    result = CliRunner().invoke(cli, ["decision", str(path), "--out", str(tmp_path / "qd.docx")])
    assert result.exit_code == 1
    assert f"{path}:/communes/2: thiếu trường bắt buộc 'total' [schema-required]" in result.output
    assert not (tmp_path / "qd.docx").exists()


def test_a_foreign_file_is_refused_by_its_tag(tmp_path):
    # every problem at once (the full reader lists them), the missing tag among them
    path = tmp_path / "submission.json"
    path.write_text(json.dumps({"criteria_id": "x", "year": 2023, "communes": []}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_decision_input(path)
    found = [(i.pointer, i.code, i.message) for i in caught.value.issues]
    assert ("", "schema-required", "thiếu trường bắt buộc 'format'") in found
    assert found == _issues_full(path)
    path.write_text(json.dumps({"format": "cchc-appraisal/1"}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_decision_input(path)
    found = [(i.pointer, i.code, i.message) for i in caught.value.issues]
    assert ("/format", "schema-const", 'phải là một trong: "cchc-results/1"') in found
    assert found == _issues_full(path)


def test_a_file_too_large_to_read_whole_names_the_first_defect(tmp_path, monkeypatch):
    # above the full reader's size limit only the decoder's first defect can be named
    import scoring.writers.decision_input as module

    monkeypatch.setattr(module, "MAX_INPUT_BYTES", 10)
    path = tmp_path / "submission.json"
    path.write_text(json.dumps({"criteria_id": "x", "year": 2023, "communes": []}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_decision_input(path)
    assert [(i.pointer, i.code, i.message) for i in caught.value.issues] == [
        ("", "schema-required", "thiếu trường bắt buộc 'format'")]


def _issues_full(path):
    with pytest.raises(InputError) as caught:
        load_results(path)
    return [(i.pointer, i.code, i.message) for i in caught.value.issues]


    path.write_text("[1, 2]", encoding="utf-8")
    assert _issues(read_decision_input, path) == [("", "schema-type")]


def test_every_number_not_kept_to_the_hundredth_is_named(results_file, tmp_path):
    def change(document):
        document["communes"][0]["total"] = 85.125
        document["communes"][1]["max"] = 100.001
        document["summary"]["average_index"] = 1e300
    path = _broken(results_file, tmp_path, change)
    assert _issues(read_decision_input, path) == [("/communes/0/total", "precision"), ("/communes/1/max", "precision"),
                                                   ("/summary/average_index", "number-too-large")]
    assert _issues(read_decision_input, path) == _issues(load_results, path)


def test_what_it_does_not_read_is_not_its_business(results_file, tmp_path):
    """A defect in a leaf, an area or an unknown key is the full reader's (validate
    --previous, the workbook): the decision reads the totals, the same as before."""
    def change(document):
        document["communes"][0]["leaves"][0].update(final="x")
        document["communes"][1]["areas"] = 5
        document["communes"][2]["extra"] = {"a": [1, 2]}
        document["inputs"] = "?"
    path = _broken(results_file, tmp_path, change)
    with pytest.raises(InputError):
        load_results(path)
    assert render_decision(read_decision_input(path), DETAILS) == render_decision(load_results(results_file), DETAILS)


def test_a_byte_order_mark_is_accepted(results_file, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + results_file.read_bytes())
    assert read_decision_input(path) == read_decision_input(results_file)


@pytest.mark.parametrize("content", [b'{"format": "cchc-results/1", "communes": [', b"", b"\xff\xfe{}", b"nope"],
                         ids=["cut-short", "empty", "not-utf8", "not-json"])
def test_a_file_that_is_not_json_is_named_by_the_full_reader(tmp_path, content):
    path = tmp_path / "results.json"
    path.write_bytes(content)
    expected = _issues(load_results, path)
    assert expected and _issues(read_decision_input, path) == expected


def test_a_missing_file_or_a_folder(tmp_path):
    missing = tmp_path / "nothing.json"
    assert _issues(read_decision_input, missing) == _issues(load_results, missing)
    assert _issues(read_decision_input, tmp_path) == [("", "file-not-regular")]


@pytest.mark.parametrize("token, code", [("85.1300000000000000001", "precision"), ("1E-999999999", "precision"),
                                         ("1e999999999", "number-too-large"), ('"85.13"', "schema-type"),
                                         ("true", "schema-type")])
def test_a_number_is_read_as_written(results_file, tmp_path, token, code):
    """No float in between: a literal a float would round to a hundredth is still refused,
    and a number written as text is not a number."""
    raw = results_file.read_text(encoding="utf-8")
    total = json.loads(raw)["communes"][0]["total"]
    old = f'"total": {json.dumps(total)},'
    assert old in raw
    path = tmp_path / "results.json"
    path.write_text(raw.replace(old, f'"total": {token},', 1), encoding="utf-8")
    assert _issues(read_decision_input, path) == [("/communes/0/total", code)] == _issues(load_results, path)
