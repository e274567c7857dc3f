"""Text as officials type it (issue 16): Unicode forms, look-alikes, old font encodings.

Each example of the issue is a test here; the kinds are tested through scoring.text and
through the whole loader and command line on a copy of the bundled example.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from scoring import text
from scoring.errors import CODES, InputError
from scoring.files import read_json
from scoring.load import load_inputs
from scoring.quick import check_group, submission_reader
from tests.test_validation import copy_example

DAK_HA = Path("submissions") / "tu-mo-rong-2023" / "communes" / "23503-dak-ha.json"
TIME = ["--time", "2024-02-01T08:00:00"]


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def _edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _args(paths):
    return ["--criteria", str(paths["criteria"]), "--submissions", str(paths["submissions"])]


def _index_of(result_output: str, code: str) -> str:
    line = next(line for line in result_output.splitlines() if f"  {code}  " in line)
    return line.split()[-2] if line.split()[-1] not in ("sắc", "bình") else line.split()[-3]


def _dak_ha_index(paths) -> str:
    inputs = load_inputs(**paths)
    from scoring.engine import score

    result = next(c for c in score(inputs).communes if c.code == "23503")
    return result.index


# ---------------------------------------------------------------- scoring.text


def test_the_nfc_byte_test_matches_the_unicode_database():
    """The byte tables of maybe_not_nfc cover every character NFC may change or combine."""
    for cp in text.affecting_code_points():
        assert text.maybe_not_nfc(chr(cp).encode("utf-8")), hex(cp)


@pytest.mark.parametrize("sample", ["Đăk Hà", "Ủy ban nhân dân – “Tu Mơ Rông”", "Quyết định 15/QĐ-UBND", "KH…"])
def test_nfc_vietnamese_needs_no_closer_look(sample):
    assert not text.maybe_not_nfc(sample.encode("utf-8"))
    assert text.maybe_not_nfc(nfd(sample).encode("utf-8")) or nfd(sample) == sample


def test_nfc_json_gives_the_same_bytes_as_the_nfc_file():
    raw = DAK_HA.read_bytes()
    assert text.nfc_json(raw) is raw
    assert text.nfc_json(nfd(raw.decode("utf-8")).encode("utf-8")) == raw
    assert text.nfc_json(b"\xff\xfe") == b"\xff\xfe"  # not UTF-8: left for the reader to report


@pytest.mark.parametrize("number, kind", [
    ("12/QÐ-UBND", "QĐ"),            # Ð U+00D0 for Đ
    ("12/Qð-UBND", "QĐ"),
    ("233/BC–UBND", "BC"),           # en dash
    ("233/BC—UBND", "BC"),           # em dash
    ("5/KH\u2011UBND", "KH"),        # Word's non-breaking hyphen
    ("5/KH\u2212UBND", "KH"),        # minus sign
    ("13/QD-UBND", "QĐ"),            # no stroke, unambiguous
    ("1/DA-UBND", "DA"),             # dự án, not đề án: ambiguous, left
    ("2/HD-UBND", "HD"),             # hướng dẫn, not hợp đồng
    ("05/2023/NQ-HĐND", "NQ"),
    ("45/UBND-VP", "UBND"),
    ("8 / KH - UBND", "KH"),
    ("9/ＫＨ-UBND", "KH"),            # fullwidth
    (nfd("12/QĐ-UBND"), "QĐ"),
])
def test_document_types_read_with_look_alikes_folded(number, kind):
    assert text.document_type(number) == kind


def test_reading_note_says_what_was_read():
    assert text.reading_note("12/QÐ-UBND") == "đọc là loại QĐ; số ghi bằng ký tự gần giống: Ð (U+00D0)"
    assert "U+2013" in text.reading_note("233/BC–UBND")
    assert text.reading_note("13/QD-UBND") == "đọc là loại QĐ (số ghi 'QD')"
    assert text.reading_note("12/KH-UBND") is None


@pytest.mark.parametrize("legacy, name, reads", [
    ("§¨k Hµ", "TCVN3 (ABC)", "Đăk Hà"),
    ("Tu M¬ R«ng", "TCVN3 (ABC)", "Tu Mơ Rông"),
    ("Ngäc Yªu", "TCVN3 (ABC)", "Ngọc Yêu"),
    ("Ñaêk Haø", "VNI", "Đăk Hà"),
    ("Nguyeãn Vaên Ñöùc", "VNI", "Nguyễn Văn Đức"),
    ("Vieät Nam", "VNI", "Việt Nam"),
])
def test_legacy_encodings_are_recognised(legacy, name, reads):
    assert text.legacy_encoding(legacy) == (name, reads)
    message = text.legacy_message(legacy)
    assert name.split()[0] in message and "Unikey" in message and reads in message


@pytest.mark.parametrize("plain", ["Đăk Hà", "Tê Xăng", "hoãn", "Quá hạn", "A Vinh", "Báo cáo số 5", "Ủy ban", "30°C"])
def test_unicode_vietnamese_is_not_legacy(plain):
    assert text.legacy_encoding(plain) is None


@pytest.mark.parametrize("typed, day", [
    ("15/01/2024", "2024-01-15"), ("15-01-2024", "2024-01-15"), ("15.01.2024", "2024-01-15"),
    ("5/1/2024", "2024-01-05"), ("2024-01-15", "2024-01-15"), (" 15 / 01 / 2024 ", "2024-01-15"),
    ("ngày 15 tháng 01 năm 2024", "2024-01-15"), ("Ngày 5 tháng 1 năm 2024", "2024-01-05"),
    ("30/02/2024", None), ("01/15/2024", None), ("15/01/24", None), ("hôm nay", None),
])
def test_dates_as_officials_write_them(typed, day):
    found = text.parse_date(typed)
    assert (found.isoformat() if found else None) == day


@pytest.mark.parametrize("typed, count", [
    ("1.000", 1000), ("12.500", 12500), ("1.234.567", 1234567), ("215", 215), (" 1 000 ", 1000), ("1\u00a0000", 1000),
    ("1,000", None), ("1.5", None), ("10.00", None), ("1.000,5", None), ("1.0000", None), ("-3", None), ("ba", None),
])
def test_counts_typed_as_text(typed, count):
    if count is None:
        with pytest.raises(text.CountTextError):
            text.parse_count(typed)
    else:
        assert text.parse_count(typed) == count


def test_case_and_form_tolerance():
    assert text.same_text("Xã", "xã") and text.same_text(nfd("xã"), "XÃ ") and text.same_text("Có", "có")
    assert not text.same_text("xã", "xa")


# ---------------------------------------------------------------- the loader and the command line


def test_a_submission_typed_in_nfd_reads_as_nfc_and_scores_the_same(tmp_path, monkeypatch):
    """Unikey's "Unicode tổ hợp": the whole file decomposed, the unit type too (the schema's
    "must be one of: xã" no longer contradicts a value that looks exactly like "xã")."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    before = _dak_ha_index(paths)
    target = paths["submissions"] / "23503-dak-ha.json"
    _edit(target, nfd)
    assert not unicodedata.is_normalized("NFC", target.read_text(encoding="utf-8"))
    inputs = load_inputs(**paths)
    dak_ha = next(s for s in inputs.submissions if s.code == "23503")
    assert (dak_ha.name, dak_ha.type) == ("Đăk Hà", "xã")
    assert _dak_ha_index(paths) == before == 9354


def test_escaped_decomposed_text_is_normalised_both_ways(tmp_path):
    """Text written with escapes (\\u0301) is NFC once read, by the quick and the thorough reader."""
    paths = copy_example(tmp_path / "w")
    target = paths["submissions"] / "23503-dak-ha.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["commune"]["name"] = nfd("Đăk Hà")
    target.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    assert read_json(target).data["commune"]["name"] == "Đăk Hà"
    assert read_json(target, fast=True).data["commune"]["name"] == "Đăk Hà"
    inputs = load_inputs(**paths)
    assert next(s for s in inputs.submissions if s.code == "23503").name == "Đăk Hà"


def test_an_evidence_file_named_in_nfd_on_disk_is_found(tmp_path, monkeypatch):
    """A scan unzipped from a Mac: its name on disk is NFD, the submission's NFC."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    folder = paths["submissions"] / "evidence" / "23503"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / nfd("Báo cáo Đăk Hà.pdf")).write_bytes(b"%PDF-1.4\n")
    sub = folder / nfd("Thư mục")
    sub.mkdir()
    (sub / nfd("Kế hoạch.pdf")).write_bytes(b"%PDF-1.4\n")
    target = paths["submissions"] / "23503-dak-ha.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["leaves"]["1.1.1"]["evidence"][0]["file"] = "evidence/23503/Báo cáo Đăk Hà.pdf"
    data["leaves"]["1.3"]["evidence"][0]["file"] = "evidence/23503/Thư mục/Kế hoạch.pdf"
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_inputs(**paths)  # no evidence-file-missing
    checked, _ = check_group([target], load_inputs(**paths).criteria, paths["submissions"])
    assert checked[0].valid and not checked[0].issues


LOOK_ALIKES = {
    "Ð (U+00D0)": lambda s: s.replace("/QĐ-UBND", "/QÐ-UBND"),
    "en dash": lambda s: s.replace("/BC-UBND", "/BC–UBND"),
    "non-breaking hyphen": lambda s: s.replace("/KH-UBND", "/KH\u2011UBND"),
    "QD without the stroke": lambda s: s.replace("/QĐ-UBND", "/QD-UBND"),
    "all at once, in NFD": lambda s: nfd(s.replace("/QĐ-UBND", "/QÐ-UBND").replace("/BC-UBND", "/BC\u2212UBND")),
}


@pytest.mark.parametrize("kind", list(LOOK_ALIKES))
def test_document_numbers_with_look_alikes_lose_no_points(kind, tmp_path, monkeypatch):
    """Measured on the bundled example: Đăk Hà's index stayed 93,54 (before the fix the Ð
    alone gave 83,79, all at once 40,18)."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _edit(paths["submissions"] / "23503-dak-ha.json", LOOK_ALIKES[kind])
    assert _dak_ha_index(paths) == 9354
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 0 and "Cảnh báo" not in result.stderr


def test_the_reason_says_what_was_read(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _edit(paths["submissions"] / "23503-dak-ha.json", LOOK_ALIKES["Ð (U+00D0)"])
    result = CliRunner().invoke(cli, ["explain", "23503", *_args(paths)])
    assert result.exit_code == 0, result.output
    assert "đọc là loại QĐ; số ghi bằng ký tự gần giống: Ð (U+00D0)" in result.stdout


def test_a_document_of_no_known_type_is_a_warning_naming_it(tmp_path, monkeypatch):
    """Never a silent zero: validate, score and explain warn, naming the file, the pointer and the number."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target = paths["submissions"] / "23503-dak-ha.json"
    _edit(target, lambda s: s.replace("94/KH-UBND", "94/KX-UBND"))
    inputs = load_inputs(**paths)
    assert [(w.pointer, w.code) for w in inputs.warnings] == [("/leaves/1.1.1/evidence/0/number", "evidence-type-unknown")]
    assert "evidence-type-unknown" in CODES
    for command in (["validate"], ["explain", "23503"], ["score", "--out", str(tmp_path / "o"), *TIME]):
        result = CliRunner().invoke(cli, [*command, *_args(paths)])
        assert result.exit_code == 0, result.output
        assert ("Cảnh báo: " in result.stderr and "23503-dak-ha.json:/leaves/1.1.1/evidence/0/number:" in result.stderr
                and "'94/KX-UBND'" in result.stderr and "[evidence-type-unknown]" in result.stderr), result.stderr
    explained = CliRunner().invoke(cli, ["explain", "23503", *_args(paths)]).stdout
    assert "94/KX-UBND (loại KX)" in explained  # the reason names the document it did not count


def test_the_thorough_way_warns_the_same(tmp_path, monkeypatch):
    """A file the quick reader does not vouch for (here: a duplicated-key-free file with an
    escape) gets the same warning from the thorough reader."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target = paths["submissions"] / "23503-dak-ha.json"
    data = json.loads(target.read_text(encoding="utf-8"))
    data["leaves"]["1.1.1"]["evidence"][0]["number"] = "94/KX-UBND"
    target.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    inputs = load_inputs(**paths)
    assert [(w.pointer, w.code) for w in inputs.warnings] == [("/leaves/1.1.1/evidence/0/number", "evidence-type-unknown")]


def test_check_and_import_warn_of_a_document_of_no_known_type(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target = paths["submissions"] / "23503-dak-ha.json"
    _edit(target, lambda s: s.replace("94/KH-UBND", "94/KX-UBND"))
    checked = CliRunner().invoke(cli, ["check", str(target), "--criteria", str(paths["criteria"])])
    assert checked.exit_code == 0, checked.output
    assert "94/KX-UBND" in checked.output and "evidence-type-unknown" in checked.output
    form = tmp_path / "f.xlsx"
    made = CliRunner().invoke(cli, ["form", "--from", str(target), "--criteria", str(paths["criteria"]), "--out", str(form)])
    assert made.exit_code == 0, made.output
    imported = CliRunner().invoke(cli, ["import", str(form), "--out", str(tmp_path / "x.json"), "--criteria",
                                        str(paths["criteria"])])
    assert imported.exit_code == 0, imported.output
    assert "94/KX-UBND" in imported.stderr and "[evidence-type-unknown]" in imported.stderr


def test_two_units_with_the_same_visible_name_are_an_error(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _edit(paths["submissions"] / "23512-dak-sao.json", lambda s: s.replace('"Đăk Sao"', '"' + nfd("Đăk Hà") + '"'))
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    assert [(i.pointer, i.code) for i in raised.value.issues] == [("/commune/name", "duplicate-name")]


# ---------------------------------------------------------------- spreadsheet cells


def _form(tmp_path, commune=DAK_HA):
    import openpyxl

    form = tmp_path / "phieu.xlsx"
    result = CliRunner().invoke(cli, ["form", "--from", str(commune), "--out", str(form)])
    assert result.exit_code == 0, result.output
    return form, openpyxl


def _rows(sheet) -> dict:
    return {sheet.cell(row, 1).value: row for row in range(4, sheet.max_row + 1) if sheet.cell(row, 1).value}


def _edit_form(form, change):
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(form)
        change(book)
        book.save(form)


def _import(form, tmp_path):
    out = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["import", str(form), "--out", str(out), "--force"])
    return result, out


def _problems(result) -> list[tuple[str, str]]:
    import re

    found = []
    for line in result.stderr.splitlines():
        match = re.match(r"^.+?\.xlsx!(?P<where>[^:]+): .* \[(?P<code>[a-z0-9-]+)\]$", line)
        if match:
            found.append((match["where"], match["code"]))
    return found


def test_a_formula_with_no_stored_value_is_an_error_at_its_cell(tmp_path):
    """A file written by a program that does not calculate: the self-score, a numerator and a
    date written as formulas are never dropped or read as empty."""
    form, _ = _form(tmp_path)

    def change(book):
        leaves, docs = book["Tự đánh giá"], book["Tài liệu kiểm chứng"]
        rows = _rows(leaves)
        leaves.cell(rows["1.1.1"], 13).value = "=1/2+1/2"
        leaves.cell(rows["3.2.1"], 8).value = "=200+12"
        docs["C4"].value = "=DATE(2023,1,5)"

    _edit_form(form, change)
    result, out = _import(form, tmp_path)
    assert result.exit_code == 1 and not out.exists()
    found = _problems(result)
    assert ("Tài liệu kiểm chứng!C4", "form-cell-formula") in found
    assert sum(code == "form-cell-formula" for _, code in found) == 3, result.stderr
    assert "=1/2+1/2" in result.stderr and "lưu lại" in result.stderr


@pytest.mark.parametrize("typed, expected, code", [
    ("1.000", 1000, None),          # a count has no decimals: the dot groups thousands
    ("1.234", 1234, None),
    ("215", 215, None),
    ("1,000", None, "form-number-ambiguous"),
    ("1.5", None, "form-cell-type"),
])
def test_a_count_typed_as_text_is_read_as_the_person_meant(typed, expected, code, tmp_path):
    form, _ = _form(tmp_path)
    data = json.loads(DAK_HA.read_text(encoding="utf-8"))
    denominator = data["leaves"]["3.2.1"]["facts"]["denominator"]

    def change(book):
        sheet = book["Tự đánh giá"]
        row = _rows(sheet)["3.2.1"]
        sheet.cell(row, 9).value = typed  # Mẫu số, as text
        if expected is not None:
            sheet.cell(row, 8).value = min(denominator, expected)

    _edit_form(form, change)
    result, out = _import(form, tmp_path)
    if code is None:
        assert result.exit_code == 0, result.stderr
        assert json.loads(out.read_text(encoding="utf-8"))["leaves"]["3.2.1"]["facts"]["denominator"] == expected
    else:
        assert result.exit_code == 1
        assert [c for _, c in _problems(result)] == [code], result.stderr


def test_a_points_cell_with_an_ambiguous_separator_is_refused(tmp_path):
    form, _ = _form(tmp_path)
    _edit_form(form, lambda book: book["Tự đánh giá"].cell(_rows(book["Tự đánh giá"])["1.1.1"], 13).__setattr__(
        "value", "1.000"))
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1 and [c for _, c in _problems(result)] == ["form-number-ambiguous"]
    assert "1000" in result.stderr and "0,25" in result.stderr


def test_required_cells_are_required(tmp_path):
    """An empty self-score (a judgement leaf would count 0), report number or signer."""
    form, _ = _form(tmp_path)

    def change(book):
        sheet = book["Tự đánh giá"]
        sheet.cell(_rows(sheet)["1.2.2"], 13).value = None
        guide = book["Hướng dẫn"]
        guide["B8"].value = None
        guide["B10"].value = "  "

    _edit_form(form, change)
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1
    found = _problems(result)
    assert ("Hướng dẫn!B8", "form-cell-empty") in found and ("Hướng dẫn!B10", "form-cell-empty") in found
    assert sum(1 for where, code in found if where.startswith("Tự đánh giá!M") and code == "form-cell-empty") == 1


def test_a_duplicated_evidence_row_is_reported(tmp_path):
    form, _ = _form(tmp_path)

    def change(book):
        docs = book["Tài liệu kiểm chứng"]
        last = max(row for row in range(4, docs.max_row + 1) if docs.cell(row, 1).value)
        for column in range(1, 7):
            docs.cell(last + 1, column).value = docs.cell(4, column).value

    _edit_form(form, change)
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1 and [c for _, c in _problems(result)] == ["form-row-duplicate"], result.stderr


def test_case_forms_and_date_habits_are_tolerated_in_cells(tmp_path):
    """"Xã" like "xã", an option label in another case or decomposed, dates as 15-01-2024."""
    form, _ = _form(tmp_path)
    data = json.loads(DAK_HA.read_text(encoding="utf-8"))
    criteria = load_inputs().criteria
    choice_leaf = next(leaf for leaf in criteria.leaves if leaf.rule.kind == "choice" and leaf.code in data["leaves"])
    option = next(o for o in choice_leaf.rule.options if o.value == data["leaves"][choice_leaf.code]["facts"]["choice"])

    def change(book):
        guide = book["Hướng dẫn"]
        guide["B7"].value = "Xã"
        guide["B9"].value = "05-01-2024"
        sheet = book["Tự đánh giá"]
        sheet.cell(_rows(sheet)[choice_leaf.code], 7).value = nfd(option.label.upper())
        book["Tài liệu kiểm chứng"]["C4"].value = "ngày " + book["Tài liệu kiểm chứng"]["C4"].value.replace("/", " tháng ", 1).replace("/", " năm ", 1) \
            if isinstance(book["Tài liệu kiểm chứng"]["C4"].value, str) else book["Tài liệu kiểm chứng"]["C4"].value

    _edit_form(form, change)
    result, out = _import(form, tmp_path)
    assert result.exit_code == 0, result.stderr
    imported = json.loads(out.read_text(encoding="utf-8"))
    assert imported["commune"]["type"] == "xã" and imported["report"]["date"] == "2024-01-05"
    assert imported["leaves"][choice_leaf.code]["facts"]["choice"] == option.value


def test_legacy_text_in_a_cell_is_refused_at_the_cell(tmp_path):
    form, _ = _form(tmp_path)
    _edit_form(form, lambda book: book["Hướng dẫn"].__setitem__("B6", "§¨k Hµ"))
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1 and _problems(result) == [("Hướng dẫn!B6", "text-legacy-encoding")]
    assert "TCVN3" in result.stderr and "Đăk Hà" in result.stderr and "Unikey" in result.stderr


@pytest.mark.parametrize("suffix, head", [(".ods", b"PK\x03\x04" + b"\0" * 40), (".xls", b"\xd0\xcf\x11\xe0" + b"\0" * 40)])
def test_check_on_an_ods_or_xls_says_what_import_says(suffix, head, tmp_path):
    path = tmp_path / f"phieu{suffix}"
    path.write_bytes(head)
    checked = CliRunner().invoke(cli, ["check", str(path)])
    imported = CliRunner().invoke(cli, ["import", str(path), "--out", str(tmp_path / "x.json")])
    assert checked.exit_code == imported.exit_code == 1
    assert "UTF-8" not in checked.stderr
    assert checked.stderr.strip().splitlines()[0] == imported.stderr.strip().splitlines()[0]
    assert ".xlsx" in checked.stderr and "lưu lại" in checked.stderr


@pytest.mark.parametrize("typed", ["15/01/2024", "15-01-2024", "15.01.2024", "2024-01-15"])
def test_decision_date_as_officials_write_it(typed, tmp_path):
    out = tmp_path / "o"
    assert CliRunner().invoke(cli, ["score", "--out", str(out), *TIME]).exit_code == 0
    result = CliRunner().invoke(cli, ["decision", str(out / "results.json"), "--date", typed, "--out",
                                      str(tmp_path / "qd.docx")])
    assert result.exit_code == 0, result.output
    import docx

    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "qd.docx")).paragraphs)
    assert "ngày 15 tháng 01 năm 2024" in text


def test_decision_date_that_is_no_date_is_refused(tmp_path):
    out = tmp_path / "o"
    assert CliRunner().invoke(cli, ["score", "--out", str(out), *TIME]).exit_code == 0
    result = CliRunner().invoke(cli, ["decision", str(out / "results.json"), "--date", "01/15/2024", "--out",
                                      str(tmp_path / "qd.docx")])
    assert result.exit_code == 1 and "[details-bad-date]" in result.stderr and "dd/mm/yyyy" in result.stderr


# ---------------------------------------------------------------- click's own words


def test_the_compiled_catalogue_is_the_po_file():
    from scoring import i18n

    assert i18n.MO_FILE.read_bytes() == i18n.compiled(), "run: python -m scoring.i18n"


def test_every_message_click_can_print_is_translated():
    import ast as python_ast

    import click as click_package

    from scoring import i18n

    catalogue = i18n.parse_po(i18n.PO_FILE.read_text(encoding="utf-8"))
    missing = []
    for source in sorted(Path(click_package.__file__).parent.glob("*.py")):
        for node in python_ast.walk(python_ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, python_ast.Call) and isinstance(node.func, python_ast.Name) \
                    and node.func.id in ("_", "ngettext") and node.args and isinstance(node.args[0], python_ast.Constant):
                key = node.args[0].value
                if node.func.id == "ngettext":
                    key += "\0" + node.args[1].value
                if key not in catalogue and len(key) > 1:
                    missing.append(key)
    assert not missing, missing


@pytest.mark.parametrize("args, words", [
    (["--help"], ["Cách dùng: cli.py [OPTIONS] COMMAND", "Tùy chọn:", "Lệnh:", "Hiện hướng dẫn này rồi thoát."]),
    (["score", "--nope"], ["Lỗi: Không có tùy chọn '--nope'.", "Xem hướng dẫn: 'cli.py score --help'."]),
    (["explain"], ["Lỗi: Thiếu tham số 'COMMUNE_CODE'."]),
    (["decision", "--signing-mode", "x"], ["Lỗi: Giá trị không hợp lệ cho '--signing-mode': 'x' không phải là một trong"]),
    (["nope"], ["Lỗi: Không có lệnh 'nope'."]),
])
def test_clicks_own_words_are_vietnamese(args, words):
    from cli import cli as command_line

    result = CliRunner().invoke(command_line, args, prog_name="cli.py")
    for word in words:
        assert word in result.output, result.output
    for english in ("Usage:", "Error:", "Show this message", "No such", "Missing argument", "Try '"):
        assert english not in result.output


# ---------------------------------------------------------------- labels, names


def test_option_codes_never_reach_a_person(tmp_path, monkeypatch):
    """The workbook, explain and the reasons show the option's label, never its code."""
    import openpyxl

    inputs = load_inputs()
    choice_leaves = [leaf for leaf in inputs.criteria.leaves if leaf.rule.kind == "choice"]
    codes = {o.value for leaf in choice_leaves for o in leaf.rule.options}
    out = tmp_path / "o"
    assert CliRunner().invoke(cli, ["score", "--out", str(out), *TIME]).exit_code == 0
    book = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    shown = {str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
             if isinstance(value, str)}
    assert not any(f"Lựa chọn: {code}" in text for text in shown for code in codes)
    assert any(text.startswith("Lựa chọn: ") or "; Lựa chọn: " in text for text in shown)
    explained = CliRunner().invoke(cli, ["explain", "23503"]).stdout
    for code in codes:
        assert f" {code} " not in explained and f"'{code}'" not in explained and f'"{code}"' not in explained
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    chosen = [leaf["facts"] for c in document["communes"] for leaf in c["leaves"] if "choice" in leaf["facts"]]
    assert chosen and all(facts["choice_label"] for facts in chosen)


def test_a_choice_refused_in_json_names_the_labels(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    inputs = load_inputs(**paths)
    data = json.loads((paths["submissions"] / "23503-dak-ha.json").read_text(encoding="utf-8"))
    leaf = next(l for l in inputs.criteria.leaves if l.rule.kind == "choice" and l.code in data["leaves"])
    data["leaves"][leaf.code]["facts"]["choice"] = "khong-co"
    (paths["submissions"] / "23503-dak-ha.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    message = next(i.message for i in raised.value.issues if i.code == "fact-invalid")
    assert all(f'"{o.label}"' in message for o in leaf.rule.options)


def test_a_unit_type_in_another_case_says_how_to_write_it(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _edit(paths["submissions"] / "23503-dak-ha.json", lambda s: s.replace('"type": "xã"', '"type": "Xã"', 1))
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    issue = next(i for i in raised.value.issues if i.pointer == "/commune/type")
    assert issue.code == "schema-enum" and 'phải viết đúng là "xã"' in issue.message


def test_explain_by_name_lists_the_candidates_when_ambiguous(tmp_path, monkeypatch):
    """Two units named "Đăk Hà" (a xã and a phường: not the same name within a type)."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    _edit(paths["criteria"], lambda s: s.replace('"unit_types": ["xã", "thị trấn"]', '"unit_types": ["xã", "thị trấn", "phường"]', 1))
    rename = lambda s: s.replace('"Đăk Sao", "type": "xã"', '"' + nfd("Đăk Hà") + '", "type": "phường"')  # noqa: E731
    _edit(paths["submissions"] / "23512-dak-sao.json", rename)
    registry = paths["submissions"].parent / "registry.json"
    if registry.exists():  # the year's list of units says the same
        _edit(registry, rename)
    result = CliRunner().invoke(cli, ["explain", "Đăk Hà", *_args(paths)])
    assert result.exit_code == 2, result.output
    assert "23503 (xã Đăk Hà)" in result.output and "23512 (phường Đăk Hà)" in result.output
    by_type = CliRunner().invoke(cli, ["explain", "phường đăk hà", *_args(paths)])
    assert by_type.exit_code == 0 and by_type.stdout.startswith("Đăk Hà (mã 23512, phường)")
    assert CliRunner().invoke(cli, ["explain", "ĐĂK HÀ", *_args(paths)]).exit_code == 2
