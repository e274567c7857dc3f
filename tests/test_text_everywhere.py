"""Issue 16, the whole kind: every text an official types is read the same way wherever it
enters (JSON files, form cells, command-line options).

- Legacy font encodings (TCVN3/ABC, VNI) refused in every string of a submission
  (evidence titles, issuers, explanations), an appraisal (reasons, appraiser), a survey
  file, a form's cells, the decision's options and details file, naming the place.
- The decision's text options in NFC, its number read with look-alikes folded.
- explain by a name typed with Ð (U+00D0) for Đ.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner

from cli import cli
from scoring import text
from scoring.errors import InputError
from scoring.load import load_inputs
from tests.test_text import DAK_HA, TIME, _args, _edit_form, _form, _import, _problems
from tests.test_validation import copy_example

_TO_TCVN3 = {letter: legacy for legacy, letter in text._TCVN3.items()}


def tcvn3(value: str) -> str:
    """Unicode Vietnamese as typed with a TCVN3 (.VnTime) font, read as Latin-1."""
    return "".join(_TO_TCVN3.get(char, char) for char in value)


def _issues(paths) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as raised:
        load_inputs(**paths)
    return [(issue.file.rsplit("/", 1)[-1], issue.pointer, issue.code) for issue in raised.value.issues]


def _submission(paths):
    target = paths["submissions"] / "23503-dak-ha.json"
    return target, json.loads(target.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- scoring.text


def test_the_quick_tests_never_miss_legacy_text():
    for legacy in ("§¨k Hµ", tcvn3("Kế hoạch cải cách hành chính"), "Ñaêk Haø", "Keá hoaïch caûi caùch"):
        assert text.legacy_encoding(legacy) is not None
        assert text.may_be_legacy(legacy) and text.may_hold_legacy(json.dumps(legacy, ensure_ascii=False).encode())


def test_the_quick_tests_let_unicode_vietnamese_through(tmp_path):
    for path in (DAK_HA.parent.parent / "appraisal.json", DAK_HA.parent.parent / "survey.json", DAK_HA):
        assert not text.may_hold_legacy(path.read_bytes()), path
    assert not text.may_be_legacy("Báo cáo kết quả thực hiện công tác cải cách hành chính năm 2023")


@pytest.mark.parametrize("typed, meant", [
    ("47", "47"), ("47/QĐ-UBND", "47/QĐ-UBND"), ("47/QÐ–UBND", "47/QĐ-UBND"), ("47 / QD-UBND", "47/QĐ-UBND"),
    ("47/QĐ\u2011UBND", "47/QĐ-UBND"), ("05/2024/QD-UBND", "05/2024/QĐ-UBND"), ("12/HD-UBND", "12/HD-UBND"),
])
def test_a_document_number_normalised(typed, meant):
    assert text.normalise_document_number(typed) == meant


def test_a_name_key_folds_the_look_alikes_of_d_with_stroke():
    key = text.name_key("Đăk Hà")
    assert {text.name_key(n) for n in ("Ðăk Hà", "đăk hà", unicodedata.normalize("NFD", "Đăk Hà"), "Đăk\u00a0Hà")} == {key}
    assert text.name_key("Dăk Hà") != key  # D is another letter in a name


# ---------------------------------------------------------------- JSON inputs


@pytest.mark.parametrize("field", ["title", "issuer"])
def test_legacy_text_in_an_evidence_document_is_refused_at_its_pointer(field, tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target, data = _submission(paths)
    document = data["leaves"]["1.1.1"]["evidence"][0]
    document[field] = tcvn3(document[field])
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _issues(paths) == [("23503-dak-ha.json", f"/leaves/1.1.1/evidence/0/{field}", "text-legacy-encoding")]
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 1 and "TCVN3" in result.stderr and "Unikey" in result.stderr
    assert "/leaves/1.1.1/evidence/0/" + field in result.stderr


def test_legacy_text_in_an_explanation_is_refused(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target, data = _submission(paths)
    data["leaves"]["1.1.1"]["explanation"] = "Keá hoaïch ban haønh ñuùng haïn"  # VNI
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    found = _issues(paths)
    assert ("23503-dak-ha.json", "/leaves/1.1.1/explanation", "text-legacy-encoding") in found
    checked = CliRunner().invoke(cli, ["check", str(target), "--criteria", str(paths["criteria"])])
    assert checked.exit_code == 1 and "[text-legacy-encoding]" in checked.stderr and "VNI" in checked.stderr


def test_legacy_text_in_an_appraisal_reason_is_refused(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    appraisal = paths["submissions"].parent / "appraisal.json"
    data = json.loads(appraisal.read_text(encoding="utf-8"))
    data["entries"][1]["reason"] = tcvn3(data["entries"][1]["reason"])
    appraisal.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _issues(paths) == [("appraisal.json", "/entries/1/reason", "text-legacy-encoding")]


def test_legacy_text_in_a_survey_file_is_refused(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    survey = paths["submissions"].parent / "survey.json"
    data = json.loads(survey.read_text(encoding="utf-8"))
    data["conducted_by"] = tcvn3(data["conducted_by"])
    survey.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _issues(paths) == [("survey.json", "/conducted_by", "text-legacy-encoding")]


# ---------------------------------------------------------------- form cells


def test_legacy_text_in_an_evidence_cell_is_refused_at_the_cell(tmp_path):
    form, _ = _form(tmp_path)
    sheet_name = "Tài liệu kiểm chứng"

    def change(book):
        sheet = book[sheet_name]
        column = next(cell.column_letter for cell in sheet[1] if str(cell.value).startswith("Trích yếu"))
        sheet[f"{column}2"] = tcvn3(sheet[f"{column}2"].value)
        change.at = f"{sheet_name}!{column}2"

    _edit_form(form, change)
    result, _ = _import(form, tmp_path)
    assert result.exit_code == 1, result.output
    assert _problems(result) == [(change.at, "text-legacy-encoding")]


# ---------------------------------------------------------------- decision options


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("scored") / "o"
    result = CliRunner().invoke(cli, ["score", "--out", str(out), *TIME])
    assert result.exit_code == 0, result.output
    return out / "results.json"


def _decision_text(path) -> str:
    import docx

    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("typed", ["47/QÐ–UBND", "47 / QD-UBND", "47/QĐ\u2011UBND"])
def test_decision_number_read_with_look_alikes_folded(typed, scored, tmp_path):
    out = tmp_path / "qd.docx"
    result = CliRunner().invoke(cli, ["decision", str(scored), "--number", typed, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Số: 47/QĐ-UBND" in _decision_text(out)


def test_decision_signer_in_nfd_is_written_in_nfc(scored, tmp_path):
    out = tmp_path / "qd.docx"
    signer = unicodedata.normalize("NFD", "Võ Trung Mạnh")
    result = CliRunner().invoke(cli, ["decision", str(scored), "--signer", signer, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Võ Trung Mạnh" in _decision_text(out)


@pytest.mark.parametrize("legacy", [tcvn3("Võ Trung Mạnh"), "Voõ Trung Maïnh"])
def test_decision_signer_in_a_legacy_encoding_is_refused(legacy, scored, tmp_path):
    result = CliRunner().invoke(cli, ["decision", str(scored), "--signer", legacy, "--out", str(tmp_path / "qd.docx")])
    assert result.exit_code == 1, result.output
    assert "--signer" in result.stderr and "[text-legacy-encoding]" in result.stderr and "Võ Trung Mạnh" in result.stderr
    assert not (tmp_path / "qd.docx").exists()


def test_decision_details_file_with_legacy_recipients_is_refused(scored, tmp_path):
    details = tmp_path / "qd.json"
    details.write_text(json.dumps({"recipients": [tcvn3("Phòng Nội vụ huyện")]}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decision", str(scored), "--details", str(details), "--out", str(tmp_path / "qd.docx")])
    assert result.exit_code == 1, result.output
    assert "/recipients/0" in result.stderr and "[text-legacy-encoding]" in result.stderr


# ---------------------------------------------------------------- explain


def test_explain_by_a_name_typed_with_a_look_alike_d(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    result = CliRunner().invoke(cli, ["explain", "Ðăk Hà", *_args(paths)])  # Ð U+00D0
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Đăk Hà (mã 23503")


# ---------------------------------------------------------------- a council-scored leaf with no self-score


def test_a_judgement_leaf_with_no_self_score_and_no_appraisal_is_a_warning(tmp_path, monkeypatch):
    """Never a silent 0: the leaf stands at 0 until the council scores it, and validate says so."""
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target, data = _submission(paths)
    del data["leaves"]["1.2.2"]["self_score"]
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    appraisal = paths["submissions"].parent / "appraisal.json"
    kept = json.loads(appraisal.read_text(encoding="utf-8"))
    kept["entries"] = [e for e in kept["entries"] if not (e["commune"] == "23503" and e["leaf"] == "1.2.2")]
    appraisal.unlink()
    appraisal.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    warned = [(w.pointer, w.code) for w in load_inputs(**paths).warnings]
    assert warned == [("/leaves/1.2.2/self_score", "self-score-missing")]
    result = CliRunner().invoke(cli, ["validate", *_args(paths)])
    assert result.exit_code == 0 and "23503-dak-ha.json:/leaves/1.2.2/self_score:" in result.stderr
    assert "[self-score-missing]" in result.stderr


def test_an_appraised_judgement_leaf_needs_no_warning(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target, data = _submission(paths)
    del data["leaves"]["1.2.2"]["self_score"]  # appraised in the bundled appraisal.json
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert not [w for w in load_inputs(**paths).warnings if w.code == "self-score-missing"]


def test_two_units_named_with_d_and_its_look_alike_are_a_duplicate_name(tmp_path, monkeypatch):
    paths = copy_example(tmp_path / "w")
    monkeypatch.chdir(tmp_path / "w")
    target = paths["submissions"] / "23512-dak-sao.json"
    target.write_text(target.read_text(encoding="utf-8").replace('"Đăk Sao"', '"Ðăk Hà"'), encoding="utf-8")
    assert ("23512-dak-sao.json", "/commune/name", "duplicate-name") in _issues(paths)
