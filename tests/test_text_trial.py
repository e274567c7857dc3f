"""Issue 16's leftovers and its trial: inputs made the way officials make them, each either
read as the person meant or refused with a coded problem at its file and pointer or cell.

- a covering report whose number, date or signer is blank (report-field-empty), as the
  form's required cells are;
- a registry name typed with Ð (U+00D0), in another case or with a non-breaking space: the
  same name, printed as the registry writes it;
- evidence file names on disk in NFD, or in an old font encoding (TCVN3, VNI): found, or
  refused saying what the name is and how to rename it;
- command-line text options (--appraiser, --communes, --areas, notice's codes, form
  --commune): NFC, look-alikes folded, legacy text refused (exit 2, naming the option);
- decision --number typed in lower case: the type and the issuer written as officials do;
- the trial's inputs (JSON in UTF-16 or with a BOM, CRLF, zero-width and non-breaking spaces
  in codes, full-width digits, numbers as strings, cells with text): a score or a problem,
  never a traceback, never a silent loss.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner

from cli import cli
from scoring.errors import InputError
from scoring.load import load_inputs
from tests.test_text import _args, _dak_ha_index, _edit, nfd
from tests.test_validation import copy_example


def _issues(paths) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    return [(issue.file.rsplit("/", 1)[-1], issue.pointer, issue.code) for issue in raised.value.issues]


def _rewrite(target, change) -> None:
    data = json.loads(target.read_text(encoding="utf-8"))
    change(data)
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------- the registry's names


@pytest.mark.parametrize("typed", ["Ðăk Hà", "ÐĂK HÀ", "đăk hà", "Đăk\u00a0Hà", nfd("Ðăk Hà"), " Đăk  Hà "])
def test_a_registered_name_typed_with_a_look_alike_is_the_same_name(typed, tmp_path, monkeypatch):
    """Ð (U+00D0) for Đ, another case, a non-breaking space: the registry's unit, never
    registry-name-mismatch; every output prints the registry's spelling."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _rewrite(paths["submissions"] / "23503-dak-ha.json", lambda d: d["commune"].__setitem__("name", typed))
    inputs = load_inputs(**paths)
    assert next(s for s in inputs.submissions if s.code == "23503").name == "Đăk Hà"
    result = CliRunner().invoke(cli, ["explain", "23503", *_args(paths)])
    assert result.exit_code == 0, result.output
    assert "Ð" not in result.stdout and "Đăk Hà" in result.stdout


def test_another_name_is_still_a_mismatch(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _rewrite(paths["submissions"] / "23503-dak-ha.json", lambda d: d["commune"].__setitem__("name", "Đăk Hả"))
    assert _issues(paths) == [("23503-dak-ha.json", "/commune/name", "registry-name-mismatch")]


# ---------------------------------------------------------------- the covering report's required fields


@pytest.mark.parametrize("key, value", [("number", ""), ("number", " \u00a0"), ("signer", "   "), ("signer", None),
                                        ("date", None), ("number", None)])
def test_a_blank_report_number_date_or_signer_is_an_error_at_its_pointer(key, value, tmp_path, monkeypatch):
    """Decided: an error, as the form's required cells (form-cell-empty) are; a submission
    with no report at all is not checked (programs and earlier years' files carry none)."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")

    def change(data):
        if value is None:
            del data["report"][key]
        else:
            data["report"][key] = value

    _rewrite(paths["submissions"] / "23503-dak-ha.json", change)
    assert _issues(paths) == [("23503-dak-ha.json", f"/report/{key}", "report-field-empty")]
    result = CliRunner().invoke(cli, ["check", str(paths["submissions"] / "23503-dak-ha.json"),
                                      "--criteria", str(paths["criteria"])])
    assert result.exit_code == 1 and f"23503-dak-ha.json:/report/{key}: " in result.stderr
    assert "[report-field-empty]" in result.stderr


def test_a_submission_without_a_report_is_not_refused(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _rewrite(paths["submissions"] / "23503-dak-ha.json", lambda d: d.pop("report"))
    assert _dak_ha_index(paths) == 9354


# ---------------------------------------------------------------- evidence file names on disk

from tests.test_text_everywhere import tcvn3  # noqa: E402


def _point_at(paths, name: str) -> None:
    folder = paths["submissions"] / "evidence" / "23503"
    folder.mkdir(parents=True, exist_ok=True)
    _rewrite(paths["submissions"] / "23503-dak-ha.json",
             lambda d: d["leaves"]["1.1.1"]["evidence"][0].__setitem__("file", f"evidence/23503/{name}"))


@pytest.mark.parametrize("on_disk, referenced", [
    (nfd("Kế hoạch CCHC.pdf"), "Kế hoạch CCHC.pdf"),            # unzipped from a Mac
    ("Kế hoạch CCHC.pdf", nfd("Kế hoạch CCHC.pdf")),            # typed with Unikey's "Unicode tổ hợp"
    ("Ke hoach CCHC.PDF", "ke hoach cchc.pdf"),                 # Windows ignores case
    ("Ke hoach.pdf", "Ke hoach.pdf "),                          # a space typed at the end
    (b"B\xe1o c\xe1o.pdf", "Báo cáo.pdf"),                      # a Windows zip's name in code page 1258
])
def test_an_evidence_file_is_found_however_its_name_was_made(on_disk, referenced, tmp_path, monkeypatch):
    import os

    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _point_at(paths, referenced)
    folder = paths["submissions"] / "evidence" / "23503"
    name = os.fsdecode(on_disk) if isinstance(on_disk, bytes) else on_disk
    (folder / name).write_bytes(b"%PDF-1.4\n")
    assert _dak_ha_index(paths) == 9354  # no evidence-file-missing
    result = CliRunner().invoke(cli, ["check", str(paths["submissions"] / "23503-dak-ha.json"),
                                      "--criteria", str(paths["criteria"])])
    assert result.exit_code == 0 and "không tìm thấy" not in result.output, result.output


def test_an_evidence_file_named_in_a_legacy_encoding_is_refused_saying_how(tmp_path, monkeypatch):
    """The file is there, but its name was typed with a TCVN3 font ("B¸o c¸o th¸ng.pdf"):
    refused at the pointer with what the name stands for, never "not found"."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _point_at(paths, "Báo cáo tháng.pdf")
    folder = paths["submissions"] / "evidence" / "23503"
    (folder / tcvn3("Báo cáo tháng.pdf")).write_bytes(b"%PDF-1.4\n")
    assert _issues(paths) == [("23503-dak-ha.json", "/leaves/1.1.1/evidence/0/file", "text-legacy-encoding")]
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 1
    assert "tên trên đĩa 'B¸o c¸o th¸ng.pdf' được gõ bằng bảng mã cũ TCVN3 (ABC)" in result.stderr


def test_an_evidence_file_named_in_raw_tcvn3_bytes_is_refused_saying_how(tmp_path, monkeypatch):
    """A zip made on a TCVN3 machine: the name's bytes are the font's codes, not UTF-8."""
    import os

    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _point_at(paths, "Báo cáo tháng.pdf")
    folder = paths["submissions"] / "evidence" / "23503"
    (folder / os.fsdecode(tcvn3("Báo cáo tháng.pdf").encode("latin-1"))).write_bytes(b"%PDF-1.4\n")
    assert _issues(paths) == [("23503-dak-ha.json", "/leaves/1.1.1/evidence/0/file", "text-legacy-encoding")]
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 1 and "B¸o c¸o th¸ng.pdf" in result.stderr, result.output


# ---------------------------------------------------------------- command-line options

from tests.test_text_everywhere import _decision_text, scored  # noqa: E402,F401


@pytest.mark.parametrize("typed", ["２３５０３", "23503\u200b", "\u00a023503 ", "23\u2060503"])
def test_a_code_typed_on_the_command_line_as_it_shows(typed):
    result = CliRunner().invoke(cli, ["explain", typed])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Đăk Hà (mã 23503")


def test_appraisal_form_options_read_as_typed(tmp_path):
    """--communes with a full-width comma and a zero-width space, --areas with a full-width
    digit, --appraiser in NFD with a non-breaking space: the form for those, the name in NFC."""
    import openpyxl

    out = tmp_path / "to-1.xlsx"
    appraiser = unicodedata.normalize("NFD", "Tổ\u00a01 Phòng Nội vụ")
    result = CliRunner().invoke(cli, ["appraisal-form", "--communes", "23503，\u200b23506", "--areas", "１",
                                      "--appraiser", appraiser, "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)
    cells = [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for value in row if value is not None]
    assert any("Tổ 1 Phòng Nội vụ" in value for value in cells)
    assert not any(unicodedata.normalize("NFC", value) != value for value in cells)
    assert {"23503", "23506"} <= set(cells) and "23509" not in cells


@pytest.mark.parametrize("legacy", ["Tæ 1 - Phßng Néi vô", "Toå 1 - Phoøng Noäi vuï"])
def test_appraiser_in_a_legacy_encoding_is_refused_naming_the_option(legacy, tmp_path):
    out = tmp_path / "to-1.xlsx"
    result = CliRunner().invoke(cli, ["appraisal-form", "--appraiser", legacy, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("dòng lệnh:--appraiser: ") and "[text-legacy-encoding]" in result.stderr
    assert "Tổ 1 - Phòng Nội vụ" in result.stderr and not out.exists()


def test_notice_and_form_take_codes_as_they_show(tmp_path):
    result = CliRunner().invoke(cli, ["notice", "２３５１２", "--out", str(tmp_path / "tb")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tb" / "giai-trinh-23512.xlsx").exists()
    result = CliRunner().invoke(cli, ["form", "--commune", "23503\u200b", "--out", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("typed", ["15/01/2024", "15-01-2024", "2024-01-15", "ngày 15 tháng 01 năm 2024"])
def test_status_as_of_as_officials_write_it(typed):
    result = CliRunner().invoke(cli, ["status", "--as-of", typed])
    assert result.exit_code == 0, result.output
    assert "ngày 15/01/2024" in result.stdout


def test_status_as_of_that_is_no_date_is_a_usage_error():
    result = CliRunner().invoke(cli, ["status", "--as-of", "31/02/2024"])
    assert result.exit_code == 2 and "31/02/2024" in result.stderr


@pytest.mark.parametrize("typed, written", [
    ("47/qd-ubnd", "47/QĐ-UBND"), ("47/qđ-ubnd", "47/QĐ-UBND"), ("47/QĐ-ubnd", "47/QĐ-UBND"),
    ("47/Qd-Ubnd", "47/QĐ-UBND"), ("47/2024/qđ-ubnd", "47/2024/QĐ-UBND"), ("12/ttr-ubnd", "12/TTr-UBND"),
    ("45/ubnd-vp", "45/UBND-VP"), ("47", "47"),
])
def test_decision_number_typed_in_lower_case_is_written_as_officials_write_it(typed, written, scored, tmp_path):
    out = tmp_path / "qd.docx"
    result = CliRunner().invoke(cli, ["decision", str(scored), "--number", typed, "--signing-mode", "KT",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Số: {written}" in _decision_text(out)


# ---------------------------------------------------------------- form cells as officials fill them

from tests.test_text import DAK_HA, _edit_form, _form, _import, _problems, _rows  # noqa: E402


def _same_as_the_submission(out) -> bool:
    imported = json.loads(out.read_text(encoding="utf-8"))
    original = json.loads(DAK_HA.read_text(encoding="utf-8"))
    original.pop("$schema", None)
    return imported == original


CELLS = {
    "zero-width space inside a count and a leaf code": lambda book: (
        book["Tự đánh giá"].cell(_rows(book["Tự đánh giá"])["1.1.2"], 8).__setattr__("value", "3\u200b6"),
        book["Tài liệu kiểm chứng"].cell(2, 1).__setattr__("value", "1.1\u200b.1"),
        book["Tài liệu kiểm chứng"].cell(3, 2).__setattr__("value", "234/BC\u2060-UBND\ufeff")),
    "Excel's text marker written out: '36, '1,5, '15/01/2024-like date": lambda book: (
        book["Tự đánh giá"].cell(_rows(book["Tự đánh giá"])["1.1.2"], 8).__setattr__("value", "'36"),
        book["Tự đánh giá"].cell(_rows(book["Tự đánh giá"])["1.3"], 13).__setattr__("value", "'1,5"),
        book["Tài liệu kiểm chứng"].cell(2, 3).__setattr__("value", "'28/12/2022")),
    "dates whose cells lost their date format (Excel day numbers)": lambda book: [
        book["Tài liệu kiểm chứng"].cell(row, 3).__setattr__(
            "value", (book["Tài liệu kiểm chứng"].cell(row, 3).value - __import__("datetime").datetime(1899, 12, 30)).days)
        for row in range(2, 8)],
}


@pytest.mark.parametrize("how", list(CELLS))
def test_cells_filled_as_officials_fill_them_read_as_meant(how, tmp_path):
    form, _ = _form(tmp_path)
    _edit_form(form, CELLS[how])
    result, out = _import(form, tmp_path)
    assert result.exit_code == 0, result.stderr
    assert _same_as_the_submission(out)


@pytest.mark.parametrize("typed, code", [(2023, "form-date-invalid"), (44923.5, "form-date-invalid"),
                                         ("'x", "form-date-invalid")])
def test_a_number_in_a_date_cell_that_is_no_day_number_is_refused(typed, code, tmp_path):
    form, _ = _form(tmp_path)
    _edit_form(form, lambda book: book["Tài liệu kiểm chứng"].cell(2, 3).__setattr__("value", typed))
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1 and _problems(result) == [("Tài liệu kiểm chứng!C2", code)], result.stderr


# ---------------------------------------------------------------- files not in UTF-8


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: letters it has whole, the tone marks as separate bytes."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            marks = [m for m in unicodedata.normalize("NFD", char) if m in "\u0300\u0301\u0303\u0309\u0323"]
            base = unicodedata.normalize("NFC", "".join(m for m in unicodedata.normalize("NFD", char) if m not in marks))
            out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return out


def test_a_survey_csv_saved_by_excel_on_a_vietnamese_windows_is_read(tmp_path):
    """Excel's "CSV (Comma delimited)" on a Vietnamese Windows: Windows-1258, semicolons."""
    from scoring.files import read_json
    from tests.test_forms import survey_rows

    original = json.loads((DAK_HA.parent.parent / "survey.json").read_text(encoding="utf-8"))
    rows = survey_rows(original["tallies"])
    rows[0][1] = "Tên xã (Đăk Hà, Tu Mơ Rông…)".replace("…", "")
    text = "\r\n".join(";".join(str(v) for v in row) for row in rows) + "\r\n"
    csv_path = tmp_path / "so-phieu.csv"
    csv_path.write_bytes(cp1258(text))
    out = tmp_path / "survey.json"
    result = CliRunner().invoke(cli, ["import", str(csv_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {c: {q: {o: n for o, n in t.items() if n} for q, t in qs.items()}
            for c, qs in read_json(out).data["tallies"].items()} == \
        {c: {q: {o: n for o, n in t.items() if n} for q, t in qs.items()} for c, qs in original["tallies"].items()}


@pytest.mark.parametrize("encode, said", [
    (lambda text: text.encode("utf-16"), "UTF-16"),
    (lambda text: cp1258(text), "Windows-1258"),
])
def test_a_json_file_not_in_utf8_says_what_it_is_and_how_to_save_it(encode, said, tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target = paths["submissions"] / "23503-dak-ha.json"
    target.write_bytes(encode(target.read_text(encoding="utf-8")))
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 1 and "[encoding-invalid]" in result.stderr
    assert said in result.stderr and "UTF-8" in result.stderr
