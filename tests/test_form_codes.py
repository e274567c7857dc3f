"""The four form codes no test triggered before issue 12: form-row-unknown, form-column-moved,
survey-header-invalid and form-kind-mismatch. Each broken file is built here from a form the
program makes (or written out), read back through the CLI (``import``) or the library, and the
problem is checked at its exact place (FILE.xlsx!Sheet!A12, FILE.csv!R1C1, or the whole file).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from cli import cli
from scoring.errors import message
from scoring.files import submission_files
from scoring.forms import FormError, load_criteria, read_survey_table
from scoring.forms.self_assessment import COL_SELF, HEADER_ROW, LEAF_HEADERS, SHEET_LEAVES

ROOT = Path(__file__).resolve().parent.parent
CRITERIA = ROOT / "criteria" / "tu-mo-rong-2023.json"
COMMUNES = ROOT / "submissions" / "tu-mo-rong-2023" / "communes"

pytestmark = pytest.mark.skipif(not (CRITERIA.is_file() and COMMUNES.is_dir()),
                                reason="the bundled example is not there")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def problem_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.endswith("]")]


@pytest.fixture
def form(tmp_path) -> Path:
    """A self-assessment form made by the program from the first bundled commune."""
    path = tmp_path / "PHIEU.xlsx"
    result = run("form", "--from", submission_files(COMMUNES)[0], "--out", path)
    assert result.exit_code == 0, result.output
    return path


def edit(path: Path, change) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path)
        change(book[SHEET_LEAVES])
        book.save(path)


def test_a_row_with_figures_but_no_leaf_code_is_form_row_unknown(form, tmp_path):
    row = {}

    def add_row(sheet):
        row["at"] = sheet.max_row + 2  # below the form's rows, as a commune adding a line would
        sheet.cell(row["at"], COL_SELF).value = 1

    edit(form, add_row)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1, result.output
    assert problem_lines(result) == [
        f"{form}!{SHEET_LEAVES}!A{row['at']}: {message('form-row-unknown')} [form-row-unknown]"]
    assert not (tmp_path / "out.json").exists()


def test_a_renamed_column_header_is_form_column_moved(form, tmp_path):
    column = COL_SELF
    letter = openpyxl.utils.get_column_letter(column)

    def rename(sheet):
        sheet.cell(HEADER_ROW, column).value = "Điểm"

    edit(form, rename)
    result = run("import", form, "--out", tmp_path / "out.json")
    assert result.exit_code == 1, result.output
    expected = (f"{form}!{SHEET_LEAVES}!{letter}{HEADER_ROW}: "
                f"{message('form-column-moved', header=LEAF_HEADERS[column])} [form-column-moved]")
    # first in reading order; (the leaves are then not read, so a bonus item's documents on the
    # evidence sheet are also reported as lacking figures: fact-missing, a follow-on problem)
    assert problem_lines(result)[0] == expected, result.stderr


def test_a_form_of_another_kind_is_form_kind_mismatch(form, tmp_path):
    result = run("import", form, "--kind", "appraisal", "--out", tmp_path / "out.json")
    assert result.exit_code == 1, result.output
    assert problem_lines(result) == [
        f"{form}: tệp là phiếu tự đánh giá, không phải phiếu thẩm định (--kind appraisal) [form-kind-mismatch]"]


def test_a_survey_csv_without_its_header_is_survey_header_invalid(tmp_path):
    table = tmp_path / "PHIEU.csv"
    table.write_text("Xã,Câu,Số phiếu\n23503,4.1.1,12\n", encoding="utf-8")
    result = run("import", table, "--out", tmp_path / "survey.json")
    assert result.exit_code == 1, result.output
    assert problem_lines(result) == [
        f"{table}!R1C1: {message('survey-header-invalid', 'first_rows')} [survey-header-invalid]"]


def test_a_survey_workbook_without_its_header_is_survey_header_invalid(tmp_path):
    path = tmp_path / "SOPHIEU.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Số phiếu"
    book.active.append(["Xã", "Câu", "Số phiếu"])
    book.active.append(["23503", "4.1.1", 12])
    book.save(path)
    with pytest.raises(FormError) as raised:
        read_survey_table(path, load_criteria(CRITERIA))
    assert [(issue.pointer, issue.code) for issue in raised.value.issues] == [("", "survey-header-invalid")]
    assert str(raised.value.issues[0]) == f"{path}: {message('survey-header-invalid')} [survey-header-invalid]"
