"""Excel's limits (issue 19): no sheet the engine writes runs past the last row or column
silently; long lists are split into numbered sheets; sheet names made from data are valid.

The limits are lowered with monkeypatch (scoring.writers.sheet_limits.MAX_ROWS/MAX_COLUMNS
are read when used), so no test writes a million rows. The results document is the
hand-built tests/fixtures/results/small.json (4 communes × 11 leaves), with every leaf
flagged so that the two lists have 44 rows each.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from cli import cli
from scoring.errors import CchcError
from scoring.writers import sheet_limits
from scoring.writers.sheet_limits import ExcelLimitError, guard, output_label, part_ranges, sheet_name
from scoring.writers.workbook import LIST_HEADER_ROW, SHEET_ABOUT, SHEET_MISSING, SHEET_SELF, render_workbook

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "results" / "small.json"
EXAMPLE_ARGS = ["--criteria", str(ROOT / "criteria" / "tu-mo-rong-2023.json"),
                "--submissions", str(ROOT / "submissions" / "tu-mo-rong-2023" / "communes")]


def every_leaf_flagged() -> dict:
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for commune in results["communes"]:
        codes = [leaf["code"] for leaf in commune["leaves"]]
        commune["flags"]["self_above"], commune["flags"]["self_below"] = codes, []
        commune["flags"]["missing_evidence"] = codes
    return results


def list_rows(book, name):
    """The list's rows below its header: (STT, commune code, leaf code)."""
    rows = book[name].iter_rows(min_row=LIST_HEADER_ROW + 2, values_only=True)
    return [(row[0], row[1], row[3]) for row in rows if row[0] is not None]


def test_a_list_longer_than_a_sheet_goes_on_numbered_sheets(tmp_path, monkeypatch):
    results = every_leaf_flagged()
    whole = tmp_path / "whole.xlsx"
    render_workbook(results, whole, detail_sheet=False)
    # 44 rows per list; 20 rows per sheet → 20 + 20 + 4 (the other sheets keep Excel's real
    # limit: lowering MAX_ROWS would refuse the chart sheet first, see the tests below)
    monkeypatch.setattr(sheet_limits, "rows_per_part", lambda first_row: 20)
    split = tmp_path / "split.xlsx"
    render_workbook(results, split, detail_sheet=False, per_commune_sheets=False)

    before = openpyxl.load_workbook(whole, read_only=True)
    book = openpyxl.load_workbook(split, read_only=True)
    for name in (SHEET_SELF, SHEET_MISSING):
        names = [name, f"{name} (2)", f"{name} (3)"]
        position = book.sheetnames.index(name)
        assert book.sheetnames[position:position + 3] == names  # the parts follow each other
        assert f"{name} (4)" not in book.sheetnames
        parts = [list_rows(book, part) for part in names]
        assert [len(part) for part in parts] == [20, 20, 4]
        # the same rows in the same order, numbered on across the parts
        assert [row for part in parts for row in part] == list_rows(before, name)
        assert [row[0] for part in parts for row in part] == list(range(1, 45))
        said = [book[part]["A3"].value for part in names]
        assert said[0] == ("Tổng số: 44 tiêu chí, chia thành 3 trang (mỗi trang Excel tối đa 1.048.576 dòng); "
                           f"trang này: số thứ tự 1 đến 20; tiếp theo ở trang '{name} (2)'.")
        assert said[1].endswith(f"số thứ tự 21 đến 40; tiếp theo ở trang '{name} (3)'.")
        assert said[2].endswith("số thứ tự 41 đến 44.")
        about = [row[1] for row in book[SHEET_ABOUT].iter_rows(values_only=True) if row[0] == name]
        assert any(f"chia thành 3 trang: '{name}', '{name} (2)', '{name} (3)'." in (text or "") for text in about)


def test_a_list_that_fits_is_one_sheet_as_before(tmp_path):
    results = every_leaf_flagged()
    path = tmp_path / "w.xlsx"
    render_workbook(results, path, detail_sheet=False)
    book = openpyxl.load_workbook(path, read_only=True)
    assert f"{SHEET_SELF} (2)" not in book.sheetnames
    assert book[SHEET_SELF]["A3"].value == "Tổng số: 44 tiêu chí."


def test_part_ranges():
    assert part_ranges(0, 4) == [(0, 0)]
    assert part_ranges(1, 4) == [(0, 1)]
    size = sheet_limits.MAX_ROWS - 4
    assert part_ranges(size, 4) == [(0, size)]
    assert part_ranges(size + 1, 4) == [(0, size), (size, size + 1)]


@pytest.mark.parametrize("row, col, said", [
    (10, 0, "dòng 11, quá số dòng tối đa của một trang Excel (10)"),
    (0, 5, "cột 6, quá số cột tối đa của một trang Excel (5)"),
])
def test_a_cell_past_the_last_row_or_column_is_refused_naming_the_file_and_sheet(monkeypatch, tmp_path, row, col, said):
    """Was: xlsxwriter's write_* returns -1 and the cell is not in the file, silently."""
    monkeypatch.setattr(sheet_limits, "MAX_ROWS", 10)
    monkeypatch.setattr(sheet_limits, "MAX_COLUMNS", 5)
    book = guard(xlsxwriter.Workbook(str(tmp_path / "x.xlsx")), "x.xlsx")
    sheet = book.add_worksheet("Danh sách")
    sheet.write_string(9, 4, "vừa đủ")  # the last row and column are fine
    with pytest.raises(ExcelLimitError) as raised:
        sheet.write_string(row, col, "quá")
    book.close()
    (issue,) = raised.value.issues
    assert isinstance(raised.value, CchcError) and issue.code == "excel-limit"
    assert str(issue) == (f"x.xlsx:: trang 'Danh sách' cần ghi đến {said}: không ghi tệp thay vì để mất ô; "
                          "hãy tách dữ liệu (từng nhóm đơn vị hoặc từng nhóm lĩnh vực) [excel-limit]")


def test_score_refuses_a_workbook_past_the_last_row_and_writes_nothing(tmp_path, monkeypatch):
    """Any sheet of ket-qua.xlsx (here "Chi tiết", 11 communes × the leaves): exit 1, the code, no output."""
    monkeypatch.setattr(sheet_limits, "MAX_ROWS", 30)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", *EXAMPLE_ARGS, "--out", str(out), "--time", "2024-02-01T08:00:00"])
    assert result.exit_code == 1, result.output
    assert "ket-qua.xlsx:: trang 'Chi tiết' cần ghi đến dòng 31, quá số dòng tối đa của một trang Excel (30)" \
        in result.stderr and "[excel-limit]" in result.stderr
    assert not [path for path in out.rglob("*") if path.is_file() and path.parent.name != ".cchc"]  # nothing written


def test_a_form_past_the_last_row_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sheet_limits, "MAX_ROWS", 20)
    form = tmp_path / "f.xlsx"
    commune = ROOT / "submissions" / "tu-mo-rong-2023" / "communes"
    source = sorted(commune.glob("*.json"))[0]
    result = CliRunner().invoke(cli, ["form", "--from", str(source), "--out", str(form)])
    assert result.exit_code == 1, result.output
    assert "Phiếu tự đánh giá Chỉ số CCHC năm 2023:: trang '" in result.stderr and "[excel-limit]" in result.stderr
    assert not form.exists()


def test_output_label():
    assert output_label(Path("/o/.ket-qua.xlsx.a1b2c3.tmp")) == "ket-qua.xlsx"
    assert output_label(Path("/o/ket-qua.xlsx")) == "ket-qua.xlsx"


@pytest.mark.parametrize("text, expected", [
    ("Đăk Hà", "Đăk Hà"),
    ("Xã [A]: B*C?D/E\\F", "Xã -A-- B-C-D-E-F"),
    ("'Quoted'", "Quoted"),
    ("  many   spaces\there  ", "many spaces here"),
    ("Thị trấn Đăk Tô mở rộng sau sắp xếp năm 2025", "Thị trấn Đăk Tô mở rộng sau sắp"),
    ("", "Trang"),
    ("History", "History (2)"),
])
def test_sheet_names_from_data_are_valid(text, expected):
    name = sheet_name(text, set())
    assert name == expected
    assert len(name.encode("utf-16-le")) // 2 <= 31
    assert not set(name) & set("[]:*?/\\") and not name.startswith("'") and not name.endswith("'")


def test_sheet_names_are_unique_whatever_the_case_and_the_cut_keeps_the_suffix():
    used = set()
    long = "Lĩnh vực cải cách thủ tục hành chính và hiện đại hóa"
    names = [sheet_name(long, used), sheet_name(long.upper(), used), sheet_name(long, used, suffix=" (2)")]
    assert len({name.casefold() for name in names}) == 3
    assert all(len(name.encode("utf-16-le")) // 2 <= 31 for name in names)
    assert names[1].endswith(" (2)") and names[2].endswith(" (2) (2)")
    # a character outside the BMP counts two units: never cut in half
    emoji = sheet_name("😀" * 20, set())
    assert emoji == "😀" * 15 and len(emoji.encode("utf-16-le")) // 2 == 30


def test_every_workbook_writer_is_guarded():
    """The results workbook, the forms and the round's board all make their book through guard()."""
    for module in ("scoring/writers/workbook.py", "scoring/forms/self_assessment.py",
                   "scoring/writers/status_workbook.py"):
        text = (ROOT / module).read_text(encoding="utf-8")
        assert "guard(" in text, module
    makers = [path for path in (ROOT / "scoring").rglob("*.py")
              if "xlsxwriter.Workbook(" in path.read_text(encoding="utf-8")]
    for path in makers:
        assert "guard(" in path.read_text(encoding="utf-8"), path


def test_a_text_longer_than_a_cell_is_cut_saying_so(tmp_path):
    """Was: cut at 32,767 characters without a word (an evidence list of 200 documents can pass it)."""
    from scoring.writers.xlsx_text import EXCEL_STRMAX, write_text

    path = tmp_path / "x.xlsx"
    book = guard(xlsxwriter.Workbook(str(path)), "x.xlsx")
    sheet = book.add_worksheet("A")
    write_text(sheet, 0, 0, "Đ" * 40_000)
    write_text(sheet, 1, 0, "x" * EXCEL_STRMAX)  # exactly a cell: whole
    book.close()
    cells = [row[0] for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert len(cells[0]) == EXCEL_STRMAX
    assert cells[0].endswith("… [cắt bớt: 40.000 ký tự, một ô Excel chứa tối đa 32.767]")
    assert cells[0].startswith("Đ" * 32_000)
    assert cells[1] == "x" * EXCEL_STRMAX
