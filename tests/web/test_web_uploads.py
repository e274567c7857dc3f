"""Upload limits act while the request is read (web.uploads), not after the body was stored:
a file at its page's limit is kept, one byte over is refused with the page's message (not
"no file chosen"); a body above what its page takes is answered 413 without being read; the
bytes of a file part past its limit never reach the storing handlers; a declared length
smaller than the body, or none, bounds what is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client, RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart
from test_web_excel_form import _filled_form, _post
from web_support import BLANK, PDF

from web.models import Evidence, LeafEntry
from web.uploads import BodyTooLarge, _views, body_limit

FIELDS = {"leaf": "1.1.1", "number": "01/KH-UBND", "date": "2023-01-05", "title": "Kế hoạch CCHC",
          "issuer": "UBND xã Tê Xăng"}


def _pdf(size: int) -> bytes:
    """A PDF (by its first bytes) of exactly ``size`` bytes."""
    return PDF + b"%" * (size - len(PDF))


def _messages(client, response) -> list[str]:
    """The messages shown by the page a refused upload redirects to."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return [str(m) for m in page.context["messages"]]


def _evidence_body(data: bytes) -> bytes:
    return encode_multipart(BOUNDARY, dict(FIELDS, file=SimpleUploadedFile("kh.pdf", data, "application/pdf")))


def _raw_post(client, path, body: bytes, content_length):
    """POST ``body`` with the declared length ``content_length`` (None: no CONTENT_LENGTH at
    all); returns (the response, how many bytes of the body the server read)."""
    payload = FakePayload(body)
    extra = {"wsgi.input": payload, "CONTENT_TYPE": MULTIPART_CONTENT}
    if content_length is not None:
        extra["CONTENT_LENGTH"] = str(content_length)
    response = client.generic("POST", path, b"", **extra)   # no data: the client sets no length itself
    return response, len(body) - len(payload)


# ---------------------------------------------------------------- at the limit and one byte over

@override_settings(EVIDENCE_MAX_BYTES=4096)
def test_evidence_at_the_limit_is_kept_one_byte_over_is_refused(demo, login):
    client = login("commune_a")
    url = f"/xa/{demo['a'].pk}/tai-lieu/"
    over = _messages(client, client.post(url, dict(FIELDS, file=SimpleUploadedFile("kh.pdf", _pdf(4097)))))
    assert over == ["Không nhận tài liệu: Tệp quá lớn (tối đa 4.096 byte)."]
    assert not Evidence.objects.filter(commune=demo["a"]).exists()
    kept = _messages(client, client.post(url, dict(FIELDS, file=SimpleUploadedFile("kh.pdf", _pdf(4096)))))
    assert kept == ["Đã tải lên tài liệu kiểm chứng."]
    assert Evidence.objects.get(commune=demo["a"]).size == 4096


def test_excel_form_at_the_limit_is_read_one_byte_over_is_refused(demo, login, settings):
    form = _filled_form(BLANK)
    settings.FORM_UPLOAD_MAX_BYTES = len(form) - 1
    refused = _post(login("commune_a"), demo["a"], form)
    text = refused.content.decode()
    assert refused.status_code == 400 and f"Tệp quá lớn (tối đa {len(form) - 1:,} byte".replace(",", ".") in text
    assert "Chưa chọn tệp" not in text
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()
    settings.FORM_UPLOAD_MAX_BYTES = len(form)
    assert _post(login("commune_a"), demo["a"], form).status_code == 302
    assert LeafEntry.objects.filter(commune=demo["a"]).exists()


def test_round_file_over_its_limit_is_named(demo, login, settings):
    settings.ROUND_FILE_MAX_BYTES = 1000
    page = login("office").post("/dot/moi/", {"criteria": SimpleUploadedFile("criteria.json", b"{}" + b" " * 1000),
                                              "registry": SimpleUploadedFile("registry.json", b"{}")})
    assert "Bộ tiêu chí: Tệp quá lớn (tối đa 1.000 byte)." in page.content.decode()


# ---------------------------------------------------------------- bodies refused unread (413)

def test_a_2_gb_post_is_refused_before_its_body_is_read(demo, login):
    """The fault: with the default limits, a 2 GB upload was streamed to a temporary file before
    the view refused it. Now the declared length alone refuses it, and nothing is read."""
    client = login("commune_a")
    # each page says its own limit: evidence 10 MB, the Excel form 5 MB, no file on the sign-in page
    for path, said in ((f"/xa/{demo['a'].pk}/tai-lieu/", "mỗi tệp tối đa 10 MB"),
                       (f"/xa/{demo['a'].pk}/phieu-excel/", "mỗi tệp tối đa 5 MB"),
                       ("/dang-nhap/", "Trang này không nhận tệp tải lên")):
        response, read = _raw_post(client, path, _evidence_body(PDF), 2 * 1024 ** 3)
        assert response.status_code == 413 and read == 0, path
        text = response.content.decode()
        assert "Dữ liệu gửi lên quá lớn" in text and "2.147.483.648 byte" in text and said in text, path


def test_no_sign_in_is_needed_to_be_refused_unread(demo):
    """What an attacker needs to make the server read a body is only a CSRF cookie (the CSRF
    check reads the form for its token): the size is refused before that check."""
    client = Client(enforce_csrf_checks=True)
    client.get("/dang-nhap/")
    assert "csrftoken" in client.cookies
    response, read = _raw_post(client, f"/xa/{demo['a'].pk}/tai-lieu/", _evidence_body(PDF), 2 * 1024 ** 3)
    assert response.status_code == 413 and read == 0


@override_settings(EVIDENCE_MAX_BYTES=4096, UPLOAD_FIELDS_MARGIN=1024)
def test_the_body_limit_is_the_files_limit_plus_the_margin(demo, login):
    client = login("commune_a")
    path = f"/xa/{demo['a'].pk}/tai-lieu/"
    overhead = len(_evidence_body(b""))
    limit = 4096 + 1024
    at_limit = _evidence_body(_pdf(limit - overhead))     # a file over its limit, in a body at the body's limit
    assert len(at_limit) == limit
    response, read = _raw_post(client, path, at_limit, len(at_limit))
    assert read == len(at_limit) and "Tệp quá lớn (tối đa 4.096 byte" in _messages(client, response)[0]
    over = _evidence_body(_pdf(limit - overhead + 1))
    response, read = _raw_post(client, path, over, len(over))
    assert response.status_code == 413 and read == 0


def test_a_page_without_files_takes_only_form_fields(demo, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.UPLOAD_FIELDS_MARGIN = 100
    client = login("commune_a")
    body = _evidence_body(_pdf(2000))
    response, read = _raw_post(client, f"/xa/{demo['a'].pk}/linh-vuc/1/", body, len(body))
    assert response.status_code == 413 and read == 0


def test_the_handler_refuses_a_body_parsed_before_the_page_is_known(settings):
    """Something reading request.POST before the URL is resolved (no view yet): the handler
    applies the largest limit of any page, before reading."""
    payload = FakePayload(_evidence_body(PDF))
    request = RequestFactory().generic("POST", "/x/", b"", CONTENT_TYPE=MULTIPART_CONTENT,
                                       CONTENT_LENGTH=str(2 * 1024 ** 3), **{"wsgi.input": payload})
    with pytest.raises(BodyTooLarge):
        request.POST
    assert not payload.read_started


# ---------------------------------------------------------------- nothing stored past the limit

class SpyTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, recording what it was given to write."""
    written: list[int] = []
    paths: list[str] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.written.append(0)
        self.paths.append(self.file.temporary_file_path())

    def receive_data_chunk(self, raw_data, start):
        self.written[-1] += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


@pytest.mark.parametrize("handlers, least, most", [
    # the chunks before the one that passes 200,000 bytes (chunks are 64 KiB)
    (["web.uploads.LimitedUploadHandler", f"{__name__}.SpyTemporaryFileUploadHandler"], 200_000 - 65_536, 200_000),
    ([f"{__name__}.SpyTemporaryFileUploadHandler"], 1_000_000, 1_000_000),          # without it: the whole file
])
def test_bytes_past_the_limit_are_never_written(demo, login, tmp_path, handlers, least, most):
    SpyTemporaryFileUploadHandler.written, SpyTemporaryFileUploadHandler.paths = [], []
    with override_settings(FILE_UPLOAD_HANDLERS=handlers, FILE_UPLOAD_MAX_MEMORY_SIZE=0,
                           FILE_UPLOAD_TEMP_DIR=str(tmp_path), EVIDENCE_MAX_BYTES=200_000,
                           UPLOAD_FIELDS_MARGIN=2 * 1024 * 1024):
        client = login("commune_a")
        response = client.post(f"/xa/{demo['a'].pk}/tai-lieu/",
                               dict(FIELDS, file=SimpleUploadedFile("kh.pdf", _pdf(1_000_000))))
        assert "Tệp quá lớn" in _messages(client, response)[0]
    [written] = SpyTemporaryFileUploadHandler.written
    assert least <= written <= most
    assert not any(Path(path).exists() for path in SpyTemporaryFileUploadHandler.paths)
    assert list(tmp_path.iterdir()) == []
    assert not Evidence.objects.filter(commune=demo["a"]).exists()


def test_the_limiting_handler_comes_first(settings):
    assert settings.FILE_UPLOAD_HANDLERS[0] == "web.uploads.LimitedUploadHandler"
    assert len(settings.FILE_UPLOAD_HANDLERS) > 1


# ---------------------------------------------------------------- declared lengths that lie

def test_a_declared_length_smaller_than_the_body_bounds_what_is_read(demo, login):
    client = login("commune_a")
    body = _evidence_body(_pdf(50_000))
    response, read = _raw_post(client, f"/xa/{demo['a'].pk}/tai-lieu/", body, 1200)
    assert read == 1200                  # the fields and the start of the file: the file part never ends
    assert _messages(client, response) == ["Không nhận tài liệu: Chưa chọn tệp."]
    assert not Evidence.objects.filter(commune=demo["a"]).exists()


@pytest.mark.parametrize("declared, status", [(None, 302), ("abc", 302), ("-1", 400)])
def test_a_missing_or_broken_length_reads_nothing(demo, login, declared, status):
    client = login("commune_a")
    response, read = _raw_post(client, f"/xa/{demo['a'].pk}/tai-lieu/", _evidence_body(_pdf(50_000)), declared)
    assert read == 0 and response.status_code == status
    if status == 302:
        assert _messages(client, response) == ["Không nhận tài liệu: chưa chọn tiêu chí."]
    assert not Evidence.objects.filter(commune=demo["a"]).exists()


# ---------------------------------------------------------------- how many files and fields

def test_no_page_takes_more_files_than_a_request_may_carry(settings):
    most = max(getattr(view, "upload_limit", (None, 0))[1] for view in _views())
    assert most == settings.DATA_UPLOAD_MAX_NUMBER_FILES == 2
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert all(body_limit(view) is not None for view in _views())


def test_more_files_than_allowed_are_refused(demo, login):
    files = {f"f{i}": SimpleUploadedFile(f"{i}.json", b"{}") for i in range(3)}
    assert login("office").post("/dot/moi/", files).status_code == 400
