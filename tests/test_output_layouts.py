"""The output layouts (issue 19): ``score --layout district|province|national`` or, by
default, the layout chosen by the number of communes (scoring.writers.outputs.output_layout).

A layout decides what the outputs hold, never the figures: the same run in every layout has
the same results (results.json read back), the same decision, and the workbook's sheets are
those its layout names. The default gives the bytes it gave before layouts could be asked for.
"""

from __future__ import annotations

import json
import warnings

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli import cli
from scoring.load import load_inputs
from scoring.writers import national_lists
from scoring.writers.outputs import AUTO, DISTRICT, LAYOUTS, NATIONAL, PROVINCE, output_layout
from scoring.writers.workbook import (DETAIL_SHEET_MAX_COMMUNES, EXCEL_MAX_ROWS, PER_COMMUNE_SHEETS_MAX, SHEET_ABOUT,
                                      SHEET_DETAIL, excel_limit_issues)
from test_validation import cli_args, copy_example, example_missing

pytestmark = [example_missing, pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")]

TIME = "2024-02-01T08:00:00+07:00"
FIXED = ["Xếp hạng", "Theo lĩnh vực", "Theo tiêu chí", "Chi tiết", "Tự chấm khác kết quả", "Thiếu kiểm chứng",
         "Biểu đồ", "Thông tin"]


def test_the_default_layout_follows_the_number_of_communes():
    assert [output_layout(n) for n in (1, 11, PER_COMMUNE_SHEETS_MAX)] == [DISTRICT] * 3
    assert [output_layout(n) for n in (PER_COMMUNE_SHEETS_MAX + 1, 168, DETAIL_SHEET_MAX_COMMUNES)] == [PROVINCE] * 3
    assert [output_layout(n) for n in (DETAIL_SHEET_MAX_COMMUNES + 1, 3321, 10600)] == [NATIONAL] * 3
    assert output_layout(5, AUTO) == DISTRICT


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_layout_asked_for_is_kept_whatever_the_size(layout):
    assert {output_layout(n, layout) for n in (1, 31, 201, 10600)} == {layout}


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown output layout 'huyen'"):
        output_layout(11, "huyen")


def test_a_layout_with_the_detail_sheet_refuses_more_rows_than_excel_has(tmp_path):
    criteria = load_inputs(*_example_paths(tmp_path)).criteria
    leaves = len(criteria.leaves)
    fits = (EXCEL_MAX_ROWS - 11) // leaves
    assert excel_limit_issues(criteria, "criteria.json", fits, detail_sheet=True) == []
    too_many = fits + 1
    [issue] = excel_limit_issues(criteria, "criteria.json", too_many, detail_sheet=True)
    assert issue.code == "excel-limit"
    assert "trang Chi tiết" in issue.message and "--layout national" in issue.message
    assert f"{too_many * leaves:,}".replace(",", ".") in issue.message
    # chosen by the number of communes, the sheet is left out instead (render_workbook)
    assert excel_limit_issues(criteria, "criteria.json", too_many) == []


def _example_paths(tmp_path):
    paths = copy_example(tmp_path / "example")
    return paths["criteria"], paths["submissions"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The bundled example (11 communes) scored by default and in every layout."""
    base = tmp_path_factory.mktemp("layouts")
    paths = copy_example(base / "example")
    outs = {}
    for layout in (AUTO,) + LAYOUTS:
        out = base / f"out-{layout}"
        result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--time", TIME,
                                          "--layout", layout])
        assert result.exit_code == 0, result.output
        outs[layout] = out
    return outs


def _sheets(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True)
        try:
            return book.sheetnames
        finally:
            book.close()


def test_the_default_of_a_district_is_the_district_layout_byte_for_byte(runs):
    for name in ("results.json", "ket-qua.xlsx", "quyet-dinh.docx"):
        assert (runs[AUTO] / name).read_bytes() == (runs[DISTRICT] / name).read_bytes(), name


def test_every_layout_gives_the_same_results_and_the_same_decision(runs):
    expected = json.loads((runs[AUTO] / "results.json").read_bytes())
    for layout in LAYOUTS:
        assert json.loads((runs[layout] / "results.json").read_bytes()) == expected, layout
        assert (runs[layout] / "quyet-dinh.docx").read_bytes() == (runs[AUTO] / "quyet-dinh.docx").read_bytes(), layout
    # indented for a district or a province, compact for the national layout
    assert (runs[PROVINCE] / "results.json").read_bytes() == (runs[AUTO] / "results.json").read_bytes()
    assert b"\n  " not in (runs[NATIONAL] / "results.json").read_bytes()


def test_the_sheets_are_those_of_the_layout(runs):
    district, province, national = (_sheets(runs[layout] / "ket-qua.xlsx") for layout in LAYOUTS)
    assert province == FIXED
    assert district[:len(FIXED)] == FIXED and len(district) == len(FIXED) + 11  # one sheet per commune
    assert national == [name for name in FIXED if name != SHEET_DETAIL]  # no per-leaf sheet, no commune's sheet


def test_the_national_layout_puts_the_lists_in_csv_and_says_why_there_is_no_detail_sheet(runs):
    names = set(national_lists.csv_names().values())
    assert names <= {path.name for path in runs[NATIONAL].iterdir()}
    for layout in (AUTO, DISTRICT, PROVINCE):
        assert not names & {path.name for path in runs[layout].iterdir()}, layout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(runs[NATIONAL] / "ket-qua.xlsx", read_only=True)
        texts = [cell for row in book[SHEET_ABOUT].iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
        book.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(runs[NATIONAL] / "ket-qua.xlsx", read_only=True)
        lists = [[cell for row in book[sheet].iter_rows(max_row=3, values_only=True) for cell in row if cell]
                 for sheet in ("Tự chấm khác kết quả", "Thiếu kiểm chứng")]
        book.close()
    for said in lists:  # 11 units: the layout asked for, not "above 200"
        assert "Kết quả có 11 đơn vị, theo bố cục toàn quốc (--layout national): danh sách ghi ra tệp CSV; bảng dưới " \
               "đây cho biết số dòng của từng khối trong tệp." in said
    said = [text for text in texts if text.startswith(f"Bảng {SHEET_DETAIL} không được tạo")]
    assert said == [f"Bảng {SHEET_DETAIL} không được tạo theo bố cục toàn quốc (--layout national). Xem chi tiết điểm "
                    "từng tiêu chí của một đơn vị bằng lệnh: python cli.py explain MÃ_XÃ (hoặc trong tệp kết quả "
                    "results.json)."]


def test_a_later_run_in_another_layout_leaves_no_companion_csv_behind(tmp_path):
    paths = copy_example(tmp_path / "example")
    out = tmp_path / "out"
    names = set(national_lists.csv_names().values())
    for layout, expected in ((NATIONAL, names), (PROVINCE, set()), (NATIONAL, names)):
        result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--force", "--time", TIME,
                                          "--layout", layout])
        assert result.exit_code == 0, result.output
        assert names & {path.name for path in out.iterdir()} == expected, layout


def test_an_unknown_layout_is_a_usage_error(tmp_path):
    paths = copy_example(tmp_path / "example")
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(tmp_path / "out"), "--layout", "huyen"])
    assert result.exit_code == 2
    assert "huyen" in result.output and not (tmp_path / "out").exists()


@pytest.mark.parametrize("layout", [DISTRICT, PROVINCE])
def test_a_detail_sheet_asked_for_and_too_long_is_refused_before_anything_is_written(tmp_path, monkeypatch, layout):
    import scoring.writers.workbook as workbook

    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 100)  # 11 communes × 64 leaves do not fit
    paths = copy_example(tmp_path / "example")
    rows = 11 * len(load_inputs(paths["criteria"], paths["submissions"]).criteria.leaves)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--time", TIME, "--layout", layout])
    assert result.exit_code == 1, result.output  # an input problem: every problem listed, nothing written
    assert "[excel-limit]" in result.output
    assert f"trang Chi tiết của 11 đơn vị cần {rows} dòng, vượt số dòng của một trang Excel (100)" in result.output
    assert not out.exists()
    # the national layout has no such sheet: written
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--time", TIME, "--layout", NATIONAL])
    assert result.exit_code == 0, result.output


def test_the_command_line_offers_the_layouts_and_thresholds_the_writers_have():
    """cli.py names them literally (it imports no writer at start-up): they must not drift."""
    from cli import score

    option = next(param for param in score.params if param.name == "layout")
    assert tuple(option.type.choices) == (AUTO,) + LAYOUTS
    assert f"đến {PER_COMMUNE_SHEETS_MAX} là district, đến {DETAIL_SHEET_MAX_COMMUNES} là province" in option.help
