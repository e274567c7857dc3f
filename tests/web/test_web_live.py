"""Pages that update in place (htmx, issue 18): the vendored htmx file served as it is, the
CSRF token sent as a header by every signed-in page, one leaf of an area saved on its own
(with htmx: the leaf's block and the area's progress come back; without: the area page),
validated as the area form validates, refused after the deadline and to anyone but the
commune's own users. The browser test (test_web_browser.py) proves it in Chromium."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from web_support import shift_step
from django.test import Client

from web.models import Commune, LeafEntry, Step

HTMX = "htmx-2.0.11.min.js"
STATIC = Path(__file__).resolve().parents[2] / "web" / "static" / "web"
HX = {"HTTP_HX_REQUEST": "true"}


def _url(commune, leaf="1.1.1"):
    return f"/xa/{commune.pk}/tieu-chi/{leaf}/luu/"


def test_vendored_htmx_is_the_real_file_with_its_licence(db):
    client = Client()
    response = client.get(f"/tinh/{HTMX}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content)
    readme = (STATIC / "README.md").read_text(encoding="utf-8")
    assert hashlib.sha256(body).hexdigest() in readme          # unchanged from the npm package
    assert b'version:"2.0.11"' in body and "2.0.11" in readme
    assert "Zero-Clause BSD" in (STATIC / "htmx-LICENSE.txt").read_text(encoding="utf-8")
    assert "immutable" in response["Cache-Control"]
    for name in ("htmx.min.js", "..%2Fsettings.py", "README.md", "htmx-LICENSE.txt"):
        assert client.get(f"/tinh/{name}").status_code == 404


def test_pages_load_htmx_and_send_the_csrf_header(demo, login):
    page = login("commune_a").get(f"/xa/{demo['a'].pk}/linh-vuc/1/").content.decode()
    assert f'src="/tinh/{HTMX}"' in page
    match = re.search(r"""hx-headers='\{"X-CSRFToken": "([A-Za-z0-9]+)"\}'""", page)
    assert match, page[:1500]
    assert 'hx-post="' + _url(demo["a"]) + '"' in page and 'formaction="' + _url(demo["a"]) + '"' in page
    assert "hx-headers" not in Client().get("/").content.decode()   # the public pages carry no token


def test_htmx_save_of_one_leaf_needs_the_csrf_header(demo, login):
    client = login("commune_a", enforce_csrf_checks=True)
    page = client.get(f"/xa/{demo['a'].pk}/linh-vuc/1/").content.decode()
    token = re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', page).group(1)
    assert client.post(_url(demo["a"]), {"s-1.1.1": "1"}, **HX).status_code == 403
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()
    response = client.post(_url(demo["a"]), {"s-1.1.1": "1"}, HTTP_X_CSRFTOKEN=token, **HX)
    assert response.status_code == 200
    assert LeafEntry.objects.get(commune=demo["a"], leaf="1.1.1").self_score == 1


def test_htmx_save_returns_the_leaf_and_the_area_progress(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    before = client.get(f"/xa/{commune.pk}/linh-vuc/1/").content.decode()
    total = re.search(r'<span id="area-done">0</span>/(\d+)', before).group(1)
    response = client.post(_url(commune), {"s-1.1.1": "1", "s-1.2.2": "0,5"}, **HX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text                                       # a fragment, not a page
    assert 'id="leaf-1.1.1"' in text and "Đã lưu tiêu chí 1.1.1." in text and 'value="1,00"' in text
    assert f'<span id="area-done">1</span>/{total}' in text and 'hx-swap-oob="true"' in text
    assert 'id="leaf-1.2.2"' not in text
    # only the leaf of the URL is saved, whatever else the form holds
    assert list(LeafEntry.objects.filter(commune=commune).values_list("leaf", flat=True)) == ["1.1.1"]
    commune.refresh_from_db()
    assert commune.state == Commune.DRAFT


def test_htmx_save_with_errors_keeps_what_was_typed_and_saves_nothing(demo, login):
    commune = demo["a"]
    response = login("commune_a").post(_url(commune, "1.2.2"), {"s-1.2.2": "0,3"}, **HX)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Điểm tự chấm phải là bội số của 0,25 điểm." in text      # the area form's message
    assert 'value="0,3"' in text and "Đã lưu" not in text
    assert not LeafEntry.objects.filter(commune=commune).exists()


def test_save_without_javascript_returns_the_area_page(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    response = client.post(_url(commune), {"s-1.1.1": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/xa/{commune.pk}/linh-vuc/1/"
    assert "Đã lưu tiêu chí 1.1.1." in response.content.decode()
    refused = client.post(_url(commune), {"s-1.1.1": "7"}, follow=True).content.decode()
    assert "Chưa lưu tiêu chí 1.1.1: Điểm tự chấm phải từ 0,00 đến 1,00 điểm." in refused
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 1
    # the whole-area save still works as before
    assert client.post(f"/xa/{commune.pk}/linh-vuc/1/", {"s-1.1.1": "0"}).status_code == 302
    assert LeafEntry.objects.get(commune=commune, leaf="1.1.1").self_score == 0


def test_save_after_the_deadline_is_refused_in_place(demo, login):
    commune = demo["a"]
    client = login("commune_a")
    shift_step(demo["round"], Step.SELF, opens=-48, closes=-1)
    response = client.post(_url(commune), {"s-1.1.1": "1"}, **HX)
    text = response.content.decode()
    assert "không lưu được" in text and "disabled" in text and 'value="1"' in text
    assert not LeafEntry.objects.filter(commune=commune).exists()


def test_only_the_communes_own_users_save_a_leaf(demo, login):
    for who, commune in (("commune_b", demo["a"]), ("commune_a", demo["b"]), ("appraiser", demo["b"]),
                         ("office", demo["a"]), ("appraiser_area", demo["b"])):
        assert login(who).post(_url(commune), {"s-1.1.1": "0"}, **HX).status_code == 404, who
    assert login("commune_a").post(_url(demo["a"], "9.9.9"), {"s-9.9.9": "0"}, **HX).status_code == 404
    assert not LeafEntry.objects.filter(commune=demo["a"]).exists()
