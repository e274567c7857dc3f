"""The figures issue 13 asks the outputs to report, read back as a person sees them: the
workbook's "Theo tiêu chí" sheet (per-criterion points, applicable maximum and index; the
survey index and its rank within the block) read with openpyxl, and the decision's annex
read with python-docx, every index recomputed by hand from its own row."""

from __future__ import annotations

import json
import warnings
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from scoring.writers.figures_sheet import FIXED_HEADERS, NODE_HEADERS, SHEET_CRITERIA, SUB, TOP

from scenario import run

TIME = "2024-02-01T08:00:00"
CENT = Decimal("0.01")


def half_up(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * 100 / denominator).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures13") / "out"
    result = run("score", "--out", folder, "--time", TIME)
    assert result.exit_code == 0, result.output
    return folder


def vi(text: str) -> Decimal:
    """A Vietnamese number ("1.234,50") as a Decimal."""
    return Decimal(text.replace(".", "").replace(",", "."))


def test_the_criteria_sheet_equals_results_json_and_each_index_is_its_points_over_its_maximum(out):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(out / "ket-qua.xlsx")[SHEET_CRITERIA]
    header = [ws.cell(TOP + 1, col).value for col in range(1, len(FIXED_HEADERS) + 1)]
    assert header == list(FIXED_HEADERS)
    nodes = results["communes"][0]["nodes"]
    assert len(nodes) == 17  # the bundled set's criteria with children
    first = len(FIXED_HEADERS) + 1
    for i, node in enumerate(nodes):
        assert ws.cell(TOP + 1, first + 3 * i).value == f"{node['code']}. {node['title']}"
        assert [ws.cell(SUB + 1, first + 3 * i + k).value for k in range(3)] == list(NODE_HEADERS)
    for offset, commune in enumerate(results["communes"]):
        row = SUB + 2 + offset
        assert ws.cell(row, 2).value == commune["code"]
        assert ws.cell(row, 4).value == commune["survey_index"]
        assert ws.cell(row, 5).value == commune["survey_rank"]
        for i, node in enumerate(commune["nodes"]):
            points, maximum, index = (ws.cell(row, first + 3 * i + k).value for k in range(3))
            assert (points, maximum, index) == (node["points"], node["max"], node["index"])
            if maximum:
                assert Decimal(str(index)) == half_up(Decimal(str(points)), Decimal(str(maximum))), (commune["code"], node)


def test_survey_index_and_rank_per_block_recomputed_from_results_json(out):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    survey_max = sum(Decimal(str(area["max"])) for area in results["criteria"]["areas"] if area["source"] == "survey")
    indices = {}
    for commune in results["communes"]:
        expected = half_up(Decimal(str(commune["survey"])), survey_max)
        assert Decimal(str(commune["survey_index"])) == expected
        indices[commune["code"]] = expected
    # competition ranks within the (single) block: 1 + the number of communes with a higher index
    for commune in results["communes"]:
        higher = sum(1 for value in indices.values() if value > indices[commune["code"]])
        assert commune["survey_rank"] == higher + 1
    # the block's survey index is the half-up mean of its communes' (hundredths)
    block = results["summary"]["blocks"][0]
    mean = (sum(indices.values()) / len(indices)).quantize(CENT, rounding=ROUND_HALF_UP)
    assert Decimal(str(block["survey_index"])) == mean


def test_every_annex_row_of_the_decision_can_be_recomputed_by_hand(out):
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    document = docx.Document(str(out / "quyet-dinh.docx"))
    annex = next(table for table in document.tables if table.rows[0].cells[0].text == "STT")
    header = [cell.text for cell in annex.rows[0].cells]
    assert header == ["STT", "Tên đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm ĐTXHH", "Điểm thưởng",
                      "Điểm trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại"]
    bands = [(Decimal(str(band["min_index"])), band["name"]) for band in results["criteria"]["bands"]]
    cap = Decimal(str(results["criteria"]["index_cap"]))
    rows = [[cell.text for cell in row.cells] for row in annex.rows[1:]]
    assert len(rows) == len(results["communes"])
    indices = []
    for cells in rows:
        appraised, survey, bonus, penalty, total, maximum, index = (vi(text) for text in cells[3:10])
        assert total == appraised + survey + bonus - penalty, cells
        assert index == min(cap, half_up(total, maximum)), cells
        assert cells[11] == next(name for floor, name in bands if index >= floor), cells
        indices.append(index)
    for cells, index in zip(rows, indices):  # competition rank from the column of indices (no tie here)
        assert int(cells[10]) == 1 + sum(1 for other in indices if other > index)
