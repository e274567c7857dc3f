"""The self-assessment Excel form on the web (issue 18): a commune downloads its form and
uploads it filled; the engine's form reader (scoring.forms) reads it. A good form fills the
draft (values compared with the submission it was written from) as one change in the
history; a form with errors changes nothing and shows every problem at its cell; another
commune's form, an upload after the deadline, a renamed PDF, an .xls, a zip that is no
workbook, a zip bomb and a file over the limit are refused."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from web_support import BLANK, OTHER, PDF, shift_step
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring import forms
from web.management.commands._paths import EXAMPLE
from web.models import Commune, Evidence, LeafEntry, Step

SHEET = "Tự đánh giá"


def _submission(code):
    path = next(EXAMPLE["submissions"].glob(f"{code}-*.json"))
    return path, json.loads(path.read_text(encoding="utf-8"))


def _filled_form(code) -> bytes:
    """The engine's form of commune ``code`` filled from its bundled submission (as a commune fills it)."""
    path, _data = _submission(code)
    data, _warnings = forms.self_assessment_form(code, criteria=EXAMPLE["criteria"], draft=path)
    return data


def _post(client, commune, data, name="phieu.xlsx"):
    return client.post(f"/xa/{commune.pk}/phieu-excel/",
                       {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")})


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def _row_of(sheet, code) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == code:
            return row
    raise AssertionError(code)


def test_download_is_the_engines_form_filled_with_the_draft(demo, login):
    client = login("commune_b")
    response = client.get(f"/xa/{demo['b'].pk}/phieu-excel/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="phieu-tu-danh-gia-{OTHER}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert set(book.sheetnames) >= {"Hướng dẫn", SHEET, "Tài liệu kiểm chứng", "_meta"}
    sheet = book[SHEET]
    saved = demo["b"].entries.get(leaf="1.1.1")
    assert Decimal(str(sheet.cell(_row_of(sheet, "1.1.1"), 13).value)) == saved.self_score   # M: self-score
    assert book["Hướng dẫn"]["B5"].value == OTHER
    # the office may download a commune's form; an appraiser may not
    assert login("office").get(f"/xa/{demo['b'].pk}/phieu-excel/tai-ve/").status_code == 200
    assert login("appraiser").get(f"/xa/{demo['b'].pk}/phieu-excel/tai-ve/").status_code == 404
    page = login("office").get(f"/xa/{demo['b'].pk}/phieu-excel/").content.decode()
    assert 'id="form-download"' in page and 'id="excel-upload"' not in page and 'id="locked"' not in page
    assert login("office").post(f"/xa/{demo['a'].pk}/phieu-excel/",
                                {"file": SimpleUploadedFile("p.xlsx", _filled_form(BLANK))}).status_code == 404


def test_good_form_fills_the_draft_as_one_change(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    assert client.get(f"/xa/{commune.pk}/phieu-excel/").status_code == 200
    response = _post(client, commune, _filled_form(BLANK), name="te-xang.xlsx")
    assert response.status_code == 302, response.content.decode()[:3000]
    _path, submission = _submission(BLANK)
    entries = {e.leaf: e for e in LeafEntry.objects.filter(commune=commune)}
    assert set(entries) == set(submission["leaves"])
    for code, leaf in submission["leaves"].items():
        entry = entries[code]
        assert entry.facts == leaf.get("facts", {}), code
        expected = leaf.get("self_score")
        assert entry.self_score == (None if expected is None else Decimal(str(expected))), code
        assert entry.not_applicable == bool(leaf.get("not_applicable")), code
        assert entry.explanation == leaf.get("explanation", ""), code
    cited = {(code, d["number"], d["date"]) for code, leaf in submission["leaves"].items() for d in leaf.get("evidence", ())}
    stored = [(e.leaf, e.number, e.date.isoformat()) for e in Evidence.objects.filter(commune=commune)]
    assert sorted(stored) == sorted(cited) and all(not e.sha256 for e in Evidence.objects.filter(commune=commune))
    commune.refresh_from_db()
    assert commune.state == Commune.DRAFT
    assert commune.report_number == submission["report"]["number"]
    assert commune.report_date.isoformat() == submission["report"]["date"]
    # one change in the history: who, the file, before (nothing) and after
    records = LeafEntry.history.filter(commune_id=commune.pk)
    assert records.count() == len(submission["leaves"])
    assert {r.history_user.username for r in records} == {"commune_a"}
    assert {r.history_change_reason for r in records} == {"Nhập phiếu Excel te-xang.xlsx"}
    page = client.get(f"/xa/{commune.pk}/lich-su/").content.decode()
    assert "Nhập phiếu Excel te-xang.xlsx" in page
    # the same form again changes nothing and writes no history
    again = _post(client, commune, _filled_form(BLANK), name="te-xang.xlsx")
    assert again.status_code == 302
    assert LeafEntry.history.filter(commune_id=commune.pk).count() == len(submission["leaves"])
    assert Evidence.objects.filter(commune=commune).count() == len(stored)
    # the form downloaded now carries what was uploaded
    back = openpyxl.load_workbook(io.BytesIO(client.get(f"/xa/{commune.pk}/phieu-excel/tai-ve/").content))[SHEET]
    first = next(iter(submission["leaves"]))
    if submission["leaves"][first].get("self_score") is not None:
        assert Decimal(str(back.cell(_row_of(back, first), 13).value)) == \
            Decimal(str(submission["leaves"][first]["self_score"]))


def test_form_with_errors_changes_nothing_and_shows_the_cells(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    client.post(f"/xa/{commune.pk}/linh-vuc/1/", {"s-1.1.1": "1"})   # saved online before
    book = openpyxl.load_workbook(io.BytesIO(_filled_form(BLANK)))
    sheet = book[SHEET]
    row_a, row_b = _row_of(sheet, "1.1.1"), _row_of(sheet, "1.2.2")
    sheet.cell(row_a, 13).value = 9            # above the maximum
    sheet.cell(row_b, 13).value = "không biết"  # not a number
    buffer = io.BytesIO()
    book.save(buffer)
    before = list(LeafEntry.history.filter(commune_id=commune.pk).values_list("history_id", flat=True))
    response = _post(client, commune, buffer.getvalue(), name="co-loi.xlsx")
    assert response.status_code == 400
    page = response.content.decode()
    assert f"co-loi.xlsx!{SHEET}!M{row_a}" in page and f"co-loi.xlsx!{SHEET}!M{row_b}" in page
    assert "chưa ghi gì vào hồ sơ" in page
    assert "1.1.1" in page and "điểm tự chấm" in page
    assert list(LeafEntry.objects.filter(commune=commune).values_list("leaf", "self_score")) == [("1.1.1", Decimal("1.00"))]
    assert list(LeafEntry.history.filter(commune_id=commune.pk).values_list("history_id", flat=True)) == before
    assert not Evidence.objects.filter(commune=commune).exists()
    commune.refresh_from_db()
    assert commune.report_number == ""


def test_another_communes_form_is_refused(demo, login):
    commune = demo["a"]
    response = _post(login("commune_a"), commune, _filled_form(OTHER), name="dak-ha.xlsx")
    assert response.status_code == 400
    assert f"Phiếu là của đơn vị mã {OTHER}" in response.content.decode()
    assert not LeafEntry.objects.filter(commune=commune).exists()
    # and commune A cannot post to commune B's page at all
    before = list(demo["b"].entries.values_list("leaf", "self_score"))
    assert _post(login("commune_a"), demo["b"], _filled_form(BLANK)).status_code == 404
    assert list(demo["b"].entries.values_list("leaf", "self_score")) == before


def test_upload_after_the_deadline_is_refused(demo, login):
    commune = demo["a"]
    shift_step(demo["round"], Step.SELF, opens=-48, closes=-1)   # locked by the next request
    client = login("commune_a")
    page = client.get(f"/xa/{commune.pk}/phieu-excel/").content.decode()
    assert 'id="locked"' in page and 'id="excel-upload"' not in page
    response = client.post(f"/xa/{commune.pk}/phieu-excel/",
                           {"file": SimpleUploadedFile("p.xlsx", _filled_form(BLANK))}, follow=True)
    assert any("không nhận phiếu" in m for m in _messages(response))
    assert not LeafEntry.objects.filter(commune=commune).exists()


def test_submitted_commune_cannot_upload(demo, login):
    before = list(demo["b"].entries.order_by("leaf").values_list("leaf", "self_score"))
    response = login("commune_b").post(f"/xa/{demo['b'].pk}/phieu-excel/",
                                       {"file": SimpleUploadedFile("p.xlsx", _filled_form(OTHER))}, follow=True)
    assert any("không nhận phiếu" in m for m in _messages(response))
    assert list(demo["b"].entries.order_by("leaf").values_list("leaf", "self_score")) == before


def _zip(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, expected", [
    ("phieu.xlsx", PDF, "không phải bảng tính Excel"),                                     # a renamed PDF
    ("phieu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "Excel 97-2003"),     # an .xls renamed
    ("phieu.xlsx", _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), ".docx đổi tên"),
    ("phieu.xlsx", b"PK\x03\x04" + b"\0" * 100, "bị hỏng"),
    ("phieu.xlsx", _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>",
                         "xl/worksheets/sheet1.xml": b"\0" * (6 * 1024 * 1024)}), "giải nén ra"),  # a zip bomb
    ("phieu.xlsx", b"", "Tệp rỗng"),
])
def test_uploads_refused_from_their_content(demo, login, name, data, expected):
    commune = demo["a"]
    response = _post(login("commune_a"), commune, data, name=name)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not LeafEntry.objects.filter(commune=commune).exists()


def test_upload_over_the_size_limit_is_refused(demo, login, settings):
    settings.FORM_UPLOAD_MAX_BYTES = 1000
    response = _post(login("commune_a"), demo["a"], _filled_form(BLANK))
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()


def test_other_kinds_of_form_are_refused(demo, login):
    """An appraisal form (or any workbook that is not this commune's self-assessment form) is refused at the file."""
    book = openpyxl.Workbook()
    book.active["A1"] = "bảng tính khác"
    buffer = io.BytesIO()
    book.save(buffer)
    response = _post(login("commune_a"), demo["a"], buffer.getvalue(), name="khac.xlsx")
    assert response.status_code == 400
    assert "form-not-a-form" in response.content.decode()


def test_a_scan_uploaded_later_completes_the_document_the_form_cited(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    assert _post(client, commune, _filled_form(BLANK)).status_code == 302
    cited = Evidence.objects.filter(commune=commune, sha256="").order_by("id").first()
    count = Evidence.objects.filter(commune=commune).count()
    response = client.post(f"/xa/{commune.pk}/tai-lieu/", {
        "leaf": cited.leaf, "number": cited.number, "date": cited.date.isoformat(), "title": cited.title,
        "issuer": cited.issuer, "file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")})
    assert response.status_code == 302
    cited.refresh_from_db()
    assert cited.sha256 and cited.filename == "scan.pdf" and cited.content_type == "application/pdf"
    assert Evidence.objects.filter(commune=commune).count() == count        # no second document
    assert client.get(f"/tai-lieu/{cited.pk}/").status_code == 200
