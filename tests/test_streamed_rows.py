"""The appraisal form's rows stream into the package (issue 19): the same bytes as xlsxwriter's
cells, without a cell object per cell, and the council's inputs hold no parsed leaf entries.

Bytes are compared with a "plain" sheet: the same rows written cell by cell through
xlsxwriter (write_text, write_number, write_blank), as the appraisal form wrote them before.
No test here is timed; the figures are in the README (issue 19).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from scoring.errors import InputError  # noqa: E402
from scoring.forms import appraisal as appraisal_form  # noqa: E402
from scoring.forms import import_file, load_council_inputs, load_criteria, write_appraisal_form  # noqa: E402
from scoring.model import LazyReports  # noqa: E402
from scoring.writers import streamed_rows  # noqa: E402
from scoring.writers.sheet_limits import guard  # noqa: E402
from scoring.writers.streamed_rows import NUMBER, add_streamed_sheet, close_streamed  # noqa: E402
from scoring.writers.xlsx_text import SAFE_OPTIONS, write_text  # noqa: E402

OPTIONS = {**SAFE_OPTIONS, "in_memory": True}


class PlainRows:
    """A sheet's stream_rows/add_row written cell by cell through xlsxwriter (the reference)."""

    def __init__(self, sheet):
        self.sheet = sheet

    def __getattr__(self, name):
        return getattr(self.sheet, name)

    def stream_rows(self, first_row, kinds, formats):
        self.row, self.kinds, self.formats = first_row, kinds, formats

    def add_row(self, values):
        for col, (kind, value, fmt) in enumerate(zip(self.kinds, values, self.formats)):
            if kind == NUMBER and value is not None:
                self.sheet.write_number(self.row, col, value, fmt)
            elif kind == NUMBER:
                self.sheet.write_blank(self.row, col, None, fmt)
            else:
                write_text(self.sheet, self.row, col, value, fmt)
        self.row += 1

    def date_number(self, value):
        return self.sheet._convert_date_time(value)


def plain_sheet(book, name):
    return PlainRows(book.add_worksheet(name))


def plain_close(book, buffer, target=None):
    book.close()
    assert target is None
    return buffer.getvalue()


HOSTILE = ["<r>x</r>", "<r><t>=1+1</t></r>", " espace ", "tab\tet\nligne", "nul\x00\x01\x1f", "&<>\"'",
           "a" * 40_000, "Đăk Hà" * 6000, "🙂" * 20_000, 12345, "=SUM(A1:A2)", "x" * 16_383, "x" * 16_384]


def _book(streamed: bool, rows: list, head_rows: int = 3):
    buffer = io.BytesIO()
    book = guard(xlsxwriter.Workbook(buffer, OPTIONS), "t.xlsx")
    book.set_properties({"created": dt.datetime(2024, 1, 1)})
    bold, locked, number, date = (book.add_format(o) for o in (
        {"bold": True}, {"locked": True, "text_wrap": True}, {"num_format": "0.00"}, {"num_format": "dd/mm/yyyy"}))
    first = book.add_worksheet("Đầu")
    write_text(first, 0, 0, "trước", bold)
    sheet = add_streamed_sheet(book, "Dài") if streamed else plain_sheet(book, "Dài")
    last = book.add_worksheet("Sau")
    for row in range(head_rows):
        write_text(sheet, row, 0, f"tiêu đề {row}", bold)
    sheet.set_row(head_rows - 1, 30)
    write_text(sheet, head_rows - 1, 4, "cột E", bold)
    sheet.stream_rows(head_rows, "snssnn", [locked, number, locked, locked, date, number])
    for values in rows:
        sheet.add_row([values[0], values[1], values[2], values[3],
                       None if values[4] is None else sheet.date_number(values[4]), values[5]])
    write_text(last, 0, 0, "sau cùng")
    write_text(last, 1, 0, rows[0][0] if rows and isinstance(rows[0][0], str) else "khác")
    sheet.autofilter(head_rows - 1, 0, head_rows - 1 + len(rows), 5)
    sheet.data_validation(head_rows, 1, head_rows + len(rows), 1, {"validate": "decimal", "criteria": "between",
                                                                  "minimum": 0, "maximum": 10})
    sheet.protect("", {"autofilter": True})
    return (close_streamed if streamed else plain_close)(book, buffer)


def _rows(count: int) -> list:
    rows = []
    for i in range(count):
        rows.append((
            HOSTILE[i % len(HOSTILE)] if i % 3 else f"xã {i % 7}",
            None if i % 5 == 0 else [0, 1, -1.5, 0.01, 85.13, 1e15, 2 ** 53, 123456789.25][i % 8],
            "" if i % 4 == 0 else f"lý do {i % 11}",
            None if i % 6 else "có",
            None if i % 2 else dt.datetime(2024, 1 + i % 12, 1 + i % 28),
            i / 4,
        ))
    return rows


@pytest.mark.parametrize("count, head_rows", [(0, 3), (1, 3), (13, 3), (14, 3), (50, 3), (100, 17), (300, 2)])
def test_streamed_rows_are_the_bytes_xlsxwriter_writes_cell_by_cell(count, head_rows):
    assert _book(True, _rows(count), head_rows) == _book(False, _rows(count), head_rows)


def test_the_rows_are_kept_as_numbers_and_reach_the_zip_in_chunks(monkeypatch):
    buffer = io.BytesIO()
    book = guard(xlsxwriter.Workbook(buffer, OPTIONS), "t.xlsx")
    fmt = book.add_format({"locked": True})
    sheet = add_streamed_sheet(book, "Dài")
    write_text(sheet, 0, 0, "tiêu đề", fmt)
    sheet.stream_rows(1, "sn", [fmt, fmt])
    for i in range(1000):
        sheet.add_row([f"dòng {i % 10}", i])
    assert list(sheet.table) == [0]  # no cell object for a data row
    assert len(sheet._stream.cells) == 2000 and sheet._stream.cells.itemsize == 8
    writes = []
    original = streamed_rows.StreamedRows.write_streamed_rows
    monkeypatch.setattr(streamed_rows, "_CHUNK_ROWS", 100)
    monkeypatch.setattr(streamed_rows.StreamedRows, "write_streamed_rows",
                        lambda self, write: original(self, lambda chunk: (writes.append(len(chunk)), write(chunk))))
    data = close_streamed(book, buffer)
    assert len(writes) == 10 and max(writes) < 10_000
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<row ") == 1001 and '<dimension ref="A1:B1001"/>' in xml


def test_a_streamed_sheet_refuses_a_row_past_the_last(monkeypatch):
    from scoring.writers import sheet_limits

    monkeypatch.setattr(sheet_limits, "MAX_ROWS", 5)
    buffer = io.BytesIO()
    book = guard(xlsxwriter.Workbook(buffer, OPTIONS), "t.xlsx")
    sheet = add_streamed_sheet(book, "Dài")
    sheet.stream_rows(0, "n", [book.add_format()])
    for i in range(5):
        sheet.add_row([i])
    with pytest.raises(InputError) as raised:
        sheet.add_row([5])
    assert [issue.code for issue in raised.value.issues] == ["excel-limit"]


# ---------------------------------------------------------------- the appraisal form


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder = tmp_path_factory.mktemp("year")
    generate(folder, 300, leaves=40)
    return folder


def _plain_form(monkeypatch, inputs):
    with monkeypatch.context() as patched:
        patched.setattr(appraisal_form, "add_streamed_sheet", plain_sheet)
        patched.setattr(appraisal_form, "close_streamed", plain_close)
        return write_appraisal_form(inputs)


def test_the_appraisal_form_of_a_generated_year_is_the_plain_one_and_reads_back(national, monkeypatch, tmp_path):
    inputs = load_council_inputs(national / "criteria.json", national / "communes", national / "appraisal.json")
    assert len(inputs.submissions) == 300
    # the council's inputs keep no parsed entries: each commune's are read again as its rows are written
    assert all(isinstance(s.leaves, LazyReports) and s.leaves._raw is None for s in inputs.submissions)
    made = write_appraisal_form(inputs)
    assert made == _plain_form(monkeypatch, inputs)
    form = tmp_path / "form.xlsx"
    # written straight into a file (the command line's atomic temporary file): the same bytes
    assert write_appraisal_form(inputs, target=form) is None
    assert form.read_bytes() == made
    back = import_file(form, load_criteria(national / "criteria.json")).data
    original = json.loads((national / "appraisal.json").read_text(encoding="utf-8"))

    def key(entry):
        return entry["commune"], entry["leaf"], entry["stage"]

    shown = {(e["commune"], e["leaf"]) for e in back["entries"]}
    expected = [e for e in original["entries"] if (e["commune"], e["leaf"]) in shown]
    assert len(expected) == len(original["entries"]) > 0
    assert [{**e, "score": float(e["score"])} for e in sorted(back["entries"], key=key)] == \
           [{**e, "score": float(e["score"])} for e in sorted(expected, key=key)]


def test_the_bundled_appraisal_forms_are_the_plain_ones(monkeypatch):
    inputs = load_council_inputs()
    assert write_appraisal_form(inputs) == _plain_form(monkeypatch, inputs)
    round_inputs = load_council_inputs(None, ROOT / "submissions" / "vi-du-dang-cham" / "communes")
    split = {"areas": ["1", "2", "bonus"], "appraiser": "Tổ 1"}
    with monkeypatch.context() as patched:
        patched.setattr(appraisal_form, "add_streamed_sheet", plain_sheet)
        patched.setattr(appraisal_form, "close_streamed", plain_close)
        plain = write_appraisal_form(round_inputs, **split)
    assert write_appraisal_form(round_inputs, **split) == plain


def test_a_submission_changed_after_loading_is_refused_when_the_form_is_written(tmp_path):
    folder = tmp_path / "year"
    shutil.copytree(ROOT / "submissions" / "tu-mo-rong-2023", folder)
    inputs = load_council_inputs(None, folder / "communes", folder / "appraisal.json")
    changed = sorted((folder / "communes").glob("*.json"))[0]
    changed.write_bytes(changed.read_bytes() + b"\n")
    with pytest.raises(InputError) as raised:
        write_appraisal_form(inputs)
    assert [issue.code for issue in raised.value.issues] == ["file-changed"]



def _fields_the_plain_way(commune, columns):
    results = commune.leaf_results()
    return [(r.raw, r.self_score, r.evidence_score, r.not_applicable, r.flags, r.reason)
            for r in (results[column] for column in columns)]


def test_leaf_fields_are_the_leaf_results_fields(national):
    from scoring.engine import score
    from scoring.load import load_inputs

    for inputs in (load_inputs(national / "criteria.json", national / "communes", national / "appraisal.json",
                               national / "survey.json"),
                   load_inputs(None, ROOT / "submissions" / "vi-du-dang-cham" / "communes"),
                   load_inputs()):
        results = score(inputs)
        columns = list(range(len(inputs.criteria.leaves)))[::-1]  # any order, any subset
        for commune in results.communes:
            assert commune.leaf_fields(columns) == _fields_the_plain_way(commune, columns), commune.code


def test_a_package_without_streamed_rows_is_written_to_the_target_as_returned(tmp_path):
    """close_streamed with a target: a book with no streamed sheet (nothing to splice) is
    still written whole, to a path or to an open file, the bytes it would return."""
    import io

    import xlsxwriter

    def book():
        buffer = io.BytesIO()
        made = xlsxwriter.Workbook(buffer, {"in_memory": True})
        made.set_properties({"created": dt.datetime(2024, 1, 1)})
        made.add_worksheet("Hướng dẫn").write_string(0, 0, "=1+1")
        return made, buffer

    expected = close_streamed(*book())
    path = tmp_path / "a.xlsx"
    assert close_streamed(*book(), path) is None and path.read_bytes() == expected
    with open(tmp_path / "b.xlsx", "wb") as handle:
        assert close_streamed(*book(), handle) is None
    assert (tmp_path / "b.xlsx").read_bytes() == expected
