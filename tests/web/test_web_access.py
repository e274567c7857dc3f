"""Every URL of the application tried by every role (issue 18, security): a commune's user
reaches only its own commune, an appraiser only assigned work, the public only what is
published; anything else is 404 (or the login page), never the data."""

from __future__ import annotations

import pytest
from web_support import PASSWORD, PDF
from django.urls import URLPattern, URLResolver, get_resolver

from web.models import Evidence

ROLES = ["anonymous", "nobody", "commune_a", "commune_b", "appraiser", "appraiser_area", "office"]


def _patterns():
    """(name, route) of every URL pattern of the application (not Django's admin)."""
    found = []
    for item in get_resolver().url_patterns:
        if isinstance(item, URLPattern):
            found.append((item.name, str(item.pattern)))
        elif isinstance(item, URLResolver):
            continue  # the admin: staff only (no account of the round is staff)
    return found


def _fill(route, values):
    for key, value in values.items():
        route = route.replace(f"<int:{key}>", str(value)).replace(f"<str:{key}>", str(value))
    assert "<" not in route, route
    return "/" + route


def _urls(demo, target):
    """Every URL, filled with the objects of ``target`` (a commune) and its round."""
    commune = demo[target]
    evidence = Evidence.objects.filter(commune=commune).exclude(sha256="").first()
    if evidence is None:  # the blank commune: give it one document
        from web.rounds import store_file

        evidence = Evidence.objects.create(commune=commune, leaf="1.1.1", number="1/KH-UBND", date="2023-01-05",
                                           title="KH", issuer="UBND", sha256=store_file(PDF), filename="a.pdf",
                                           content_type="application/pdf", size=len(PDF))
    by_name = {
        "commune": {"pk": commune.pk}, "area": {"pk": commune.pk, "area": "1"}, "upload": {"pk": commune.pk},
        "submit": {"pk": commune.pk}, "explain": {"pk": commune.pk}, "history": {"pk": commune.pk},
        "evidence": {"pk": evidence.pk}, "delete_evidence": {"pk": evidence.pk},
        "appraise_commune": {"pk": commune.pk}, "appraise_leaf": {"pk": commune.pk, "leaf": "1.2.2", "stage": 1},
        "appraisal_done": {"pk": commune.pk, "stage": 1}, "reopen": {"pk": commune.pk},
        "board": {"pk": demo["round"].pk}, "set_steps": {"pk": demo["round"].pk}, "score": {"pk": demo["round"].pk},
        "download": {"pk": demo["round"].pk, "name": "results.json"}, "approve": {"pk": demo["round"].pk},
        "publish": {"pk": demo["round"].pk}, "public_commune": {"pk": commune.pk},
        "assignments": {"pk": demo["round"].pk},
        "excel_form": {"pk": commune.pk}, "excel_form_download": {"pk": commune.pk},
        "save_leaf": {"pk": commune.pk, "leaf": "1.1.1"}, "vendored": {"name": "htmx-2.0.11.min.js"},
    }
    return [(name, _fill(route, by_name.get(name, {}))) for name, route in _patterns()]


OPEN_TO_ALL = {"public", "login", "logout", "home", "public_commune", "vendored"}
OFFICE_ONLY = {"board", "set_steps", "score", "download", "approve", "publish", "reopen", "new_round", "assignments",
               "accounts"}
COMMUNE_DATA = {"commune", "area", "upload", "submit", "explain", "history", "evidence", "delete_evidence",
                "excel_form", "excel_form_download", "save_leaf"}
COUNCIL = {"queue", "appraise_commune", "appraise_leaf", "appraisal_done"}


def allowed(role, name, target):
    """Whether ``role`` may reach URL ``name`` for the commune ``target`` (a: blank, not
    submitted; b: submitted, assigned to "appraiser"; unassigned: submitted, area 1 only
    for "appraiser_area")."""
    if name in OPEN_TO_ALL:
        return True
    if name == "admin_login":  # the admin's sign-in sends to ours; a signed-in account without its rights gets 404
        return role == "anonymous"
    if role == "office":
        return True
    if name in OFFICE_ONLY:
        return False
    if name in COMMUNE_DATA:
        if role == "commune_a":
            return target == "a"
        if role == "commune_b":
            return target == "b"
        if role == "appraiser":
            return target == "b" and name in {"commune", "history", "evidence", "explain", "area"}
        if role == "appraiser_area":
            return target in ("b", "unassigned") and name in {"commune", "history", "evidence", "explain", "area"}
        return False
    if name in COUNCIL:
        if role == "appraiser":
            return name == "queue" or target == "b"
        if role == "appraiser_area":
            return name == "queue" or target in ("b", "unassigned")
        return False
    raise AssertionError(f"URL {name} has no rule in this test: add it")


def test_every_url_is_covered(demo):
    names = {name for name, _route in _patterns()}
    assert names <= OPEN_TO_ALL | OFFICE_ONLY | COMMUNE_DATA | COUNCIL | {"queue", "admin_login"}
    assert len(names) == 32  # a new URL must be added to the rules below


MARKERS = {"a": "Tê Xăng", "b": "Đăk Hà", "unassigned": "Đăk Tờ Kan"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", ["a", "b", "unassigned"])
def test_access_matrix(demo, login, role, target):
    """GET and POST on every URL: a refused request is 404 (or a redirect to the login page
    for the anonymous), and never shows the commune's name; an allowed GET answers."""
    client = login(None if role == "anonymous" else role)
    failures = []
    for name, url in _urls(demo, target):
        if name == "logout":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            ok = allowed(role, name, target)
            if name == "public_commune":
                ok = False  # nothing is published yet
            status = response.status_code
            if ok:
                # an allowed page answers; an allowed action may still be refused for the
                # commune's state (submitting twice, appraising a draft): that is tested in the flows
                if method == "get" and status >= 400 and status != 405:
                    failures.append((method, url, status, "refused but allowed"))
            else:
                refused = status in (404, 405) or (role == "anonymous" and status == 302
                                                   and response["Location"].startswith("/dang-nhap/"))
                body = b"".join(response.streaming_content) if response.streaming else response.content
                if name in ("public", "login", "home"):
                    continue
                if not refused or MARKERS[target].encode() in body:
                    failures.append((method, url, status, "allowed but refused expected"))
    assert failures == [], "\n".join(map(str, failures))


def test_commune_cannot_write_other_commune_by_form_field(demo, login):
    """The commune comes from the URL only: a forged field changes nothing elsewhere."""
    client = login("commune_a")
    before = demo["b"].entries.get(leaf="1.1.1").self_score
    response = client.post(f"/xa/{demo['a'].pk}/linh-vuc/1/", {"s-1.1.1": "1", "commune": demo["b"].pk,
                                                               "commune_id": demo["b"].pk, "pk": demo["b"].pk})
    assert response.status_code == 302
    assert demo["b"].entries.get(leaf="1.1.1").self_score == before
    assert demo["a"].entries.get(leaf="1.1.1").self_score == 1
    # and commune B's own URL is refused to A, for reading and for writing
    assert client.post(f"/xa/{demo['b'].pk}/linh-vuc/1/", {"s-1.1.1": "0"}).status_code == 404
    assert demo["b"].entries.get(leaf="1.1.1").self_score == before


def test_public_sees_only_published(demo, login):
    from web.engine import score_round

    score_round(demo["round"], "2024-02-01T08:00:00")
    anonymous = login()
    assert anonymous.get(f"/cong-bo/xa/{demo['b'].pk}/").status_code == 404
    assert "Đăk Hà" not in anonymous.get("/").content.decode()
    office = login("office")
    office.post(f"/dot/{demo['round'].pk}/phe-duyet/")
    office.post(f"/dot/{demo['round'].pk}/cong-bo/")
    page = anonymous.get("/").content.decode()
    assert "Đăk Hà" in page and "chưa nộp" in page          # Tê Xăng, blank, is listed as not submitted
    detail = anonymous.get(f"/cong-bo/xa/{demo['b'].pk}/").content.decode()
    assert "Đăk Hà" in detail and "1.2.2" in detail
    assert anonymous.get(f"/cong-bo/xa/{demo['a'].pk}/").status_code == 404  # not scored: no page
