"""The round's journeys through Django's test client: a commune saves (validated as the
forms validate), uploads (size, type from content, sha256 dedupe, names that cannot
escape), submits; deadlines lock; the council appraises with step and range enforced and
two officers cannot overwrite each other; CSRF, escaping, login throttling, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_support import PASSWORD, PDF, PNG, shift_step
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from web.models import AppraisalEntry, Commune, Evidence, LeafEntry, Step


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_area_form_validates_like_the_forms(demo, login):
    client = login("commune_a")
    url = f"/xa/{demo['a'].pk}/linh-vuc/1/"
    page = client.get(url).content.decode()
    assert "Ban hành đến hết ngày 15/01/2023" in page or "Cách chấm" in page
    response = client.post(url, {"s-1.1.1": "1,5", "s-1.2.2": "0,3", "f-1.1.2-numerator": "x",
                                 "s-1.1.2": "abc"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Điểm tự chấm phải từ 0,00 đến 1,00 điểm." in text       # 1.1.1: max 1
    assert "Điểm tự chấm phải là bội số của 0,25 điểm." in text      # 1.2.2: judgement, step 0.25
    assert "Phải là số nguyên không âm." in text
    assert "Điểm tự chấm phải là một số" in text
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()  # nothing saved when anything is wrong
    response = client.post(url, {"s-1.1.1": "1", "f-1.1.2-numerator": "23", "f-1.1.2-denominator": "39",
                                 "s-1.1.2": "0"})
    assert response.status_code == 302
    entry = LeafEntry.objects.get(commune=demo["a"], leaf="1.1.2")
    assert entry.facts == {"numerator": 23, "denominator": 39}
    demo["a"].refresh_from_db()
    assert demo["a"].state == Commune.DRAFT


def _upload(client, commune, data, name="kh.pdf", leaf="1.1.1", **fields):
    form = {"leaf": leaf, "number": "01/KH-UBND", "date": "2023-01-05", "title": "Kế hoạch CCHC",
            "issuer": "UBND xã Tê Xăng", "file": SimpleUploadedFile(name, data, content_type="application/pdf")}
    form.update(fields)
    return client.post(f"/xa/{commune.pk}/tai-lieu/", form, follow=True)


def test_upload_checks_type_size_name_and_dedupes(demo, login, settings):
    client = login("commune_a")
    commune = demo["a"]
    refused = _upload(client, commune, b"MZ\x90\x00 not a pdf", name="virus.pdf")
    assert any("không phải các loại đó" in m for m in _messages(refused))
    settings.EVIDENCE_MAX_BYTES = 100
    too_big = _upload(client, commune, PDF + b"0" * 200)
    assert any("Tệp quá lớn" in m for m in _messages(too_big))
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    assert not Evidence.objects.filter(commune=commune).exists()
    _upload(client, commune, PDF, name="../../../etc/passwd.pdf")
    _upload(client, commune, PDF, name="again.pdf", leaf="1.1.2")
    _upload(client, commune, PNG, name="anh.png", leaf="1.1.2")
    stored = Evidence.objects.filter(commune=commune).order_by("id")
    assert [e.filename for e in stored] == ["passwd.pdf", "again.pdf", "anh.png"]
    assert stored[0].sha256 == stored[1].sha256                         # one file per content
    files = sorted(p.name for p in Path(settings.EVIDENCE_ROOT).iterdir())
    assert stored[0].sha256 in files and stored[2].sha256 in files
    assert not any("passwd" in p.name for p in Path(settings.EVIDENCE_ROOT).rglob("*"))
    response = client.get(f"/tai-lieu/{stored[2].pk}/")
    assert response["Content-Type"] == "image/png" and b"".join(response.streaming_content) == PNG
    # another commune cannot read it
    assert login("commune_b").get(f"/tai-lieu/{stored[2].pk}/").status_code == 404


def test_submit_needs_a_complete_file_and_then_locks(demo, login):
    client = login("commune_a")
    client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "1"})
    response = client.post(f"/xa/{demo['a'].pk}/nop/", follow=True)
    assert any("Chưa nộp được" in m for m in _messages(response))
    demo["a"].refresh_from_db()
    assert demo["a"].state == Commune.DRAFT


def test_deadline_locks_drafts_on_request_and_by_command(demo, login):
    client = login("commune_a")
    client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "1"})
    shift_step(demo["round"], Step.SELF, opens=-48, closes=-1)   # the deadline passed an hour ago
    response = client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "0"}, follow=True)
    assert any("đã khóa" in m for m in _messages(response))
    assert LeafEntry.objects.get(commune=demo["a"], leaf="1.1.1").self_score == 1
    demo["a"].refresh_from_db()
    assert demo["a"].state == Commune.LOCKED
    assert 'id="locked"' in client.get(f"/xa/{demo['a'].pk}/linh-vuc/1/").content.decode()
    # the command does the same without a request; reopening with a reason opens it again
    shift_step(demo["round"], Step.APPRAISAL_1, opens=-48, closes=-2)
    call_command("lock_deadlines")
    assert demo["round"].steps.get(kind=Step.APPRAISAL_1).locked_at is not None
    office = login("office")
    assert office.post(f"/xa/{demo['a'].pk}/mo-lai/", {"reason": ""}).status_code == 302
    demo["a"].refresh_from_db()
    assert demo["a"].state == Commune.LOCKED                      # no reason, not reopened
    office.post(f"/xa/{demo['a'].pk}/mo-lai/", {"reason": "Lỗi đường truyền ngày cuối", "days": "2"})
    response = client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "0,5"})
    assert response.status_code == 302
    assert LeafEntry.objects.get(commune=demo["a"], leaf="1.1.1").self_score == 0.5


def test_appraisal_step_range_and_concurrency(demo, login):
    first, second = login("appraiser"), login("office")
    url = f"/tham-dinh/xa/{demo['b'].pk}/1.2.2/lan-1/"
    demo["b"].state = Commune.SUBMITTED
    demo["b"].save()
    AppraisalEntry.objects.filter(commune=demo["b"]).delete()
    assert "bội số của 0,25" in first.post(url, {"score": "0,3", "reason": "x", "version": "0"}).content.decode()
    assert "từ 0,00 đến 1,00" in first.post(url, {"score": "2", "reason": "x", "version": "0"}).content.decode()
    assert "Nhập lý do" in first.post(url, {"score": "1", "reason": "", "version": "0"}).content.decode()
    assert first.post(url, {"score": "0,75", "reason": "Thiếu phụ lục", "version": "0"}).status_code == 302
    # the second officer opened the page before that save (version 0): refused, told what changed
    refused = second.post(url, {"score": "1", "reason": "Đầy đủ", "version": "0"})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert 'id="conflict"' in text and "0,75" in text and "Thiếu phụ lục" in text
    entry = AppraisalEntry.objects.get(commune=demo["b"], leaf="1.2.2", stage=1)
    assert (entry.score, entry.reason, entry.version) == (0.75, "Thiếu phụ lục", 1)
    assert second.post(url, {"score": "1", "reason": "Đầy đủ", "version": "1"}).status_code == 302
    # an appraiser of area 1 only cannot appraise area 2 of the same commune
    other = login("appraiser_area")
    assert other.get(f"/tham-dinh/xa/{demo['b'].pk}/2.1.1/lan-1/").status_code == 404
    # the history keeps both saves, with who and what changed
    page = second.get(f"/xa/{demo['b'].pk}/lich-su/?leaf=1.2.2").content.decode()
    assert "appraiser" in page and "office" in page and "score: 0,75 → 1" in page


def test_explanation_loop(demo, login):
    appraiser, commune = login("appraiser"), login("commune_b")
    b = demo["b"]
    b.state = Commune.SUBMITTED
    b.save()
    AppraisalEntry.objects.filter(commune=b).delete()
    appraiser.post(f"/tham-dinh/xa/{b.pk}/1.2.2/lan-1/", {"score": "0,5", "reason": "Thiếu số liệu",
                                                          "explanation_requested": "on", "version": "0"})
    appraiser.post(f"/tham-dinh/xa/{b.pk}/ket-thuc-lan-1/")
    b.refresh_from_db()
    assert b.state == Commune.EXPLANATION_REQUESTED
    commune.post(f"/xa/{b.pk}/giai-trinh/", {"a-1.2.2": "Đã bổ sung phụ lục số liệu.", "action": "submit"})
    b.refresh_from_db()
    assert b.state == Commune.EXPLANATION_SUBMITTED
    assert appraiser.post(f"/tham-dinh/xa/{b.pk}/1.2.2/lan-2/", {"score": "1", "reason": "Đã bổ sung",
                                                                 "version": "0"}).status_code == 302


def test_csrf_is_required(demo):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="commune_a", password=PASSWORD)
    response = client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "1"})
    assert response.status_code == 403
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()


def test_user_text_is_escaped(demo, login):
    client = login("commune_a")
    attack = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "1", "x-1.1.1": attack})
    _upload(client, demo["a"], PDF, name='"><script>x</script>.pdf', title=attack)
    for url in (f"/xa/{demo['a'].pk}/linh-vuc/1/", f"/xa/{demo['a'].pk}/lich-su/"):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;" in page
    response = client.get(f"/xa/{demo['a'].pk}/")
    assert "Content-Security-Policy" in response and response["X-Content-Type-Options"] == "nosniff"


def test_failed_logins_are_throttled(demo):
    client = Client()
    for _ in range(settings.LOGIN_FAILURES_MAX):
        assert client.post("/dang-nhap/", {"username": "office", "password": "sai"}).status_code == 200
    blocked = client.post("/dang-nhap/", {"username": "office", "password": PASSWORD})
    assert blocked.status_code == 429 and "quá nhiều lần" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_office_scores_approves_publishes_and_downloads(demo, login):
    office = login("office")
    response = office.post(f"/dot/{demo['round'].pk}/cham-diem/", follow=True)
    assert any("Đã chấm điểm" in m for m in _messages(response))
    for name in ("results.json", "ket-qua.xlsx", "quyet-dinh.docx"):
        download = office.get(f"/dot/{demo['round'].pk}/tai-ve/{name}/")
        assert download.status_code == 200 and b"".join(download.streaming_content)
    office.post(f"/dot/{demo['round'].pk}/phe-duyet/")
    office.post(f"/dot/{demo['round'].pk}/cong-bo/")
    demo["b"].refresh_from_db()
    assert demo["b"].state == Commune.PUBLISHED and demo["a"].state == Commune.NOT_STARTED
