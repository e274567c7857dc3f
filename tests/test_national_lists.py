"""The national workbook's layout (issue 19): the two long leaf lists go to companion CSV
files of the same output set, and the workbook's sheets say where they are.

A generated year of 300 communes (bench/generate.py) is written with the national threshold
lowered to 100 communes; the workbook is read back with openpyxl and the CSVs with csv, and
checked against the flags of results.json. One commune's name and one reason are hostile
(they start like formulas): every CSV field of input text must stay text.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import scoring.writers.outputs as outputs  # noqa: E402
import scoring.writers.workbook as workbook  # noqa: E402
from bench.generate import generate  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.load import load_inputs  # noqa: E402
from scoring.writers import national_lists  # noqa: E402
from scoring.writers.list_csv import FORMULA_STARTS, csv_points, csv_text, write_csv  # noqa: E402
from scoring.writers.national_lists import CSV_MISSING, CSV_SELF  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

COMMUNES = 300
THRESHOLD = 100
TIME = "2024-02-01T08:00:00+07:00"
HOSTILE_NAME = "=HYPERLINK(\"http://x\",\"y\")"


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("year")
    generate(folder, COMMUNES, leaves=40)
    first = sorted((folder / "communes").glob("*.json"))[0]
    data = json.loads(first.read_text(encoding="utf-8"))
    data["commune"]["name"] = HOSTILE_NAME
    first.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def inputs_of(year: Path):
    return load_inputs(year / "criteria.json", year / "communes", year / "appraisal.json", year / "survey.json")


@pytest.fixture
def national(monkeypatch):
    monkeypatch.setattr(outputs, "DETAIL_SHEET_MAX_COMMUNES", THRESHOLD)
    monkeypatch.setattr(workbook, "DETAIL_SHEET_MAX_COMMUNES", THRESHOLD)


def write(year: Path, out: Path, *, force: bool = True):
    inputs = inputs_of(year)
    return outputs.write_outputs(score(inputs), inputs.files, generated_at=TIME, out=out, force=force)


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows Vietnamese
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_national_lists_are_in_csv_files_that_the_sheets_point_at(year, national, tmp_path):
    out = tmp_path / "out"
    written, _ = write(year, out)
    assert [path.name for path in written] == ["results.json", "ket-qua.xlsx", "quyet-dinh.docx", CSV_SELF, CSV_MISSING]
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    blocks = {block["id"]: block["name"] for block in document["criteria"]["blocks"]}
    expected = {}
    for name, keys in ((CSV_SELF, ("self_above", "self_below")), (CSV_MISSING, ("missing_evidence",))):
        expected[name] = {(commune["code"], code): blocks[commune["block"]]
                          for commune in document["communes"] for key in keys
                          for code in commune["flags"].get(key) or []}
    assert expected[CSV_SELF] and expected[CSV_MISSING]  # the generated year has both kinds

    book = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    assert workbook.SHEET_DETAIL not in book.sheetnames  # above the threshold: explain MÃ_XÃ instead
    for sheet, name in national_lists.csv_names().items():
        rows = read_csv(out / name)
        header, body = rows[0], rows[1:]
        assert header[:4] == ["STT", "Khối xếp hạng", "Mã xã", "Tên đơn vị"]
        assert [row[0] for row in body] == [str(number) for number in range(1, len(body) + 1)]
        found = {(row[2], row[4]): row[1] for row in body}
        assert len(found) == len(body) == len(expected[name])
        assert found == expected[name]  # every flagged leaf once, with its block
        if name == CSV_SELF:  # largest gap first; gap = final − self, exact hundredths
            gaps = [row[9] for row in body]
            assert all(abs(float(a)) >= abs(float(b)) for a, b in zip(gaps, gaps[1:]))
            assert all(csv_points(Decimal(row[8]) - Decimal(row[7])) == row[9] for row in body)

        ws = book[sheet]
        cells = [[cell for cell in row] for row in ws.iter_rows(values_only=True)]
        assert name in cells[1][0] and f"{len(body):,}".replace(",", ".") in cells[1][0]
        assert list(cells[3][:3]) == list(national_lists.SUMMARY_HEADERS)
        per_block = Counter(found.values())
        table = {row[0]: (row[1], row[2]) for row in cells[4:-1]}
        assert {block: count for block, (_, count) in table.items() if count} == dict(per_block)
        communes = Counter(block for _, block in {(code, block) for (code, _), block in found.items()})
        assert {block: units for block, (units, _) in table.items() if units} == dict(communes)
        assert cells[-1][0] == "Tổng cộng" and cells[-1][2] == len(body)
    about = [row for row in book[workbook.SHEET_ABOUT].iter_rows(values_only=True)]
    assert any(CSV_SELF in str(row[1]) for row in about) and any(CSV_MISSING in str(row[1]) for row in about)


def test_no_input_text_becomes_a_formula_in_the_csv(year, national, tmp_path):
    out = tmp_path / "out"
    write(year, out)
    names = set()
    for name in national_lists.csv_names().values():
        for row in read_csv(out / name)[1:]:
            names.add(row[3])
            for field in row:
                # a field may start with "-" only as a number we wrote (a negative gap)
                assert not field.startswith(FORMULA_STARTS) or field.lstrip("-").replace(".", "").isdigit(), field
    assert "'" + HOSTILE_NAME in names  # the hostile name is there, as text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-A1", "@SUM(A1:A2)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_csv_text_keeps_formula_like_text_as_text(text, tmp_path):
    assert csv_text(text) == "'" + text
    write_csv(tmp_path / "x.csv", ["a"], [[csv_text(text)]])
    with open(tmp_path / "x.csv", encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [["a"], ["'" + text]]


def test_csv_text_and_points_leave_ordinary_values_alone():
    assert csv_text("Xã Đăk Hà") == "Xã Đăk Hà"
    assert csv_text(None) == "" and csv_text(12) == "12"
    assert [csv_points(value) for value in (None, 0, 1.5, -0.25, 12.3, 100)] == ["", "0.00", "1.50", "-0.25", "12.30",
                                                                               "100.00"]


def test_the_csv_files_are_part_of_the_set(year, national, tmp_path, monkeypatch):
    """A failure while writing the CSVs leaves the previous set whole (CSVs included); a
    later run below the threshold retires them."""
    out = tmp_path / "out"
    write(year, out)
    before = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    assert CSV_SELF in before and CSV_MISSING in before

    def fail(path, headers, rows):
        raise RuntimeError("boom while writing a CSV")

    monkeypatch.setattr(national_lists, "write_csv", fail)
    monkeypatch.setattr(outputs, "in_background", lambda *args: None)  # in this process: the error comes here
    with pytest.raises(RuntimeError, match="boom"):
        write(year, out)
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before

    monkeypatch.undo()
    with pytest.raises(outputs.write_output_set.__globals__["OutputExists"]):
        write(year, out, force=False)  # --force rules: nothing replaced without it
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()} == before
    for module in (outputs, workbook):  # 300 communes below the threshold: not national, no CSV
        monkeypatch.setattr(module, "DETAIL_SHEET_MAX_COMMUNES", COMMUNES + 1)
    write(year, out)
    assert sorted(path.name for path in out.iterdir()) == [".cchc", "ket-qua.xlsx", "quyet-dinh.docx", "results.json"]
