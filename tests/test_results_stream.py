"""results.json streamed commune by commune (national runs) is byte-identical to the whole document."""

import json

from scoring.engine import score
from scoring.load import load_inputs
from scoring.writers import results_json
from scoring.writers.results_json import dumps, results_document, stream_results

TIME = "2024-02-01T08:00:00+07:00"


def test_streamed_results_equal_the_document(tmp_path, monkeypatch):
    inputs = load_inputs()
    results = score(inputs)
    monkeypatch.setattr(results_json, "INDENT_UP_TO", 3)  # treat the 11 communes as a large run
    whole = dumps(results_document(results, inputs.files, generated_at=TIME))
    stream_results(results, inputs.files, generated_at=TIME, target=tmp_path / "results.json")
    assert (tmp_path / "results.json").read_bytes() == whole
    assert b"\n  " not in whole  # compact above the threshold


def test_the_light_document_keeps_every_flagged_leaf():
    inputs = load_inputs()
    results = score(inputs)
    light = results_document(results, inputs.files, generated_at=TIME, leaves="flagged")
    full = results_document(results, inputs.files, generated_at=TIME)
    for small, big in zip(light["communes"], full["communes"]):
        flagged = set(small["flags"]["missing_evidence"]) | set(small["flags"]["self_above"]) | set(small["flags"]["self_below"])
        assert {leaf["code"] for leaf in small["leaves"]} == flagged
        assert {k: v for k, v in small.items() if k != "leaves"} == {k: v for k, v in big.items() if k != "leaves"}
        by_code = {leaf["code"]: leaf for leaf in big["leaves"]}
        # what the workbook's lists show of each flagged leaf, and nothing else
        assert all(leaf == {name: by_code[leaf["code"]][name] for name in results_json.LISTED_FIELDS}
                   for leaf in small["leaves"])
    assert json.loads(json.dumps(light["summary"])) == full["summary"]


def test_chunks_rendered_by_forked_workers_come_back_in_order(tmp_path, monkeypatch):
    inputs = load_inputs()
    results = score(inputs)
    monkeypatch.setattr(results_json, "INDENT_UP_TO", 3)
    monkeypatch.setattr(results_json, "CHUNK", 2)  # 6 chunks: the worker pool is used
    whole = dumps(results_document(results, inputs.files, generated_at=TIME))
    stream_results(results, inputs.files, generated_at=TIME, target=tmp_path / "results.json")
    assert (tmp_path / "results.json").read_bytes() == whole
