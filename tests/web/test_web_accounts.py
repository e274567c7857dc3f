"""The office's accounts page (issue 18, roles): accounts for council members and communes
created, their passwords reset (made by the application, hashed, shown once), locked and
unlocked; office and staff accounts untouched; everyone but the office refused (also in
test_web_access.py's matrix)."""

from __future__ import annotations

import re

import pytest
from web_support import PASSWORD
from django.contrib.auth import get_user_model
from django.test import Client

from web.models import Profile


def _shown(response):
    text = response.content.decode()
    match = re.search(r'id="shown-user">([^<]+)</strong>:\s*<strong id="shown-password">([^<]+)</strong>', text)
    assert match, text[:3000]
    return match.group(1), match.group(2)


def _can_login(username, password) -> bool:
    return Client().login(username=username, password=password)


def test_office_creates_an_appraiser_and_a_commune_account(demo, login):
    office = login("office")
    assert office.get("/tai-khoan/").status_code == 200
    response = office.post("/tai-khoan/", {"action": "create", "username": "tv.hoa", "full_name": "Nguyễn Thị Hòa",
                                           "role": Profile.APPRAISER})
    assert response.status_code == 200
    name, password = _shown(response)
    assert name == "tv.hoa" and len(password) == 12
    user = get_user_model().objects.get(username="tv.hoa")
    assert user.profile.role == Profile.APPRAISER and user.profile.commune is None
    assert user.get_full_name() == "Nguyễn Thị Hòa"
    assert password not in user.password and user.check_password(password)     # stored hashed
    assert _can_login("tv.hoa", password)
    assert "Nguyễn Thị Hòa" in login("office").get(f"/dot/{demo['round'].pk}/phan-cong/").content.decode()  # can be assigned
    # a commune account sees its own commune
    response = office.post("/tai-khoan/", {"action": "create", "username": "texang2", "role": Profile.COMMUNE,
                                           "commune": demo["a"].pk})
    _name, password = _shown(response)
    client = Client()
    assert client.login(username="texang2", password=password)
    assert client.get("/trang-chu/")["Location"] == f"/xa/{demo['a'].pk}/"
    assert client.get(f"/xa/{demo['b'].pk}/").status_code == 404
    # the password is on that answer only: not in a message, not on the next page
    assert password not in office.get("/tai-khoan/").content.decode()


@pytest.mark.parametrize("fields, expected", [
    ({"username": "commune_a", "role": Profile.APPRAISER}, "Tên đăng nhập này đã có."),
    ({"username": "COMMUNE_A", "role": Profile.APPRAISER}, "Tên đăng nhập này đã có."),
    ({"username": "xa moi", "role": Profile.COMMUNE}, "Tài khoản của xã cần chọn đơn vị."),
    ({"username": "<b>x</b>", "role": Profile.APPRAISER}, "&lt;b&gt;"),
    ({"username": "sep", "role": Profile.OFFICE}, None),  # a role this page does not give
    ({"username": "sep", "role": "admin"}, None),  # a role this page does not give
])
def test_refused_accounts_are_not_created(demo, login, fields, expected):
    count = get_user_model().objects.count()
    response = login("office").post("/tai-khoan/", dict(fields, action="create"))
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="new-password"' not in text
    assert 'class="err"' in text and (expected is None or expected in text)
    assert "<b>x</b>" not in text
    assert get_user_model().objects.count() == count


def test_full_name_is_escaped(demo, login):
    office = login("office")
    office.post("/tai-khoan/", {"action": "create", "username": "tv.x", "full_name": "<script>alert(1)</script>",
                                "role": Profile.APPRAISER})
    page = office.get("/tai-khoan/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_reset_lock_and_unlock(demo, login):
    office = login("office")
    user = get_user_model().objects.get(username="commune_a")
    response = office.post("/tai-khoan/", {"action": "reset", "user": user.pk})
    name, password = _shown(response)
    assert name == "commune_a"
    assert not _can_login("commune_a", PASSWORD) and _can_login("commune_a", password)
    office.post("/tai-khoan/", {"action": "lock", "user": user.pk})
    assert not _can_login("commune_a", password)
    office.post("/tai-khoan/", {"action": "unlock", "user": user.pk})
    assert _can_login("commune_a", password)


def test_office_and_staff_accounts_are_not_touched(demo, login):
    office = login("office")
    boss = get_user_model().objects.get(username="office")
    staff = get_user_model().objects.create_user(username="staff", password=PASSWORD, is_staff=True)
    Profile.objects.create(user=staff, role=Profile.APPRAISER)
    nobody = get_user_model().objects.get(username="nobody")
    for user in (boss, staff, nobody):
        for action in ("reset", "lock"):
            assert office.post("/tai-khoan/", {"action": action, "user": user.pk}).status_code == 404
    assert office.post("/tai-khoan/", {"action": "lock", "user": "abc"}).status_code == 404
    assert office.post("/tai-khoan/", {"action": "drop", "user": boss.pk}).status_code == 404
    assert _can_login("office", PASSWORD) and _can_login("staff", PASSWORD)
    table = office.get("/tai-khoan/").content.decode().split("<h2>Các tài khoản</h2>")[1]
    assert "<td>commune_a</td>" in table
    assert "<td>office</td>" not in table and "<td>staff</td>" not in table and "<td>nobody</td>" not in table


@pytest.mark.parametrize("who", [None, "nobody", "commune_a", "appraiser"])
def test_only_the_office(demo, login, who):
    client = login(who)
    count = get_user_model().objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)("/tai-khoan/", {"action": "create", "username": "x", "role": Profile.APPRAISER}
                                           if method == "post" else None)
        assert response.status_code == (302 if who is None else 404)
    target = get_user_model().objects.get(username="commune_b")
    client.post("/tai-khoan/", {"action": "reset", "user": target.pk})
    assert get_user_model().objects.count() == count and _can_login("commune_b", PASSWORD)
