"""The office's set-up pages: a round created from a criteria set file and the registry
(checked by the engine first: nothing is stored when a file is wrong, every problem is told
with its place), appraisers assigned by commune and/or area (and taken back), each change in
the history."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import PASSWORD

from web.management.commands._paths import EXAMPLE
from web.models import Assignment, Profile, Round, Step


def _file(name, data):
    raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def _example(key):
    return json.loads(EXAMPLE[key].read_text(encoding="utf-8-sig"))


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_office_creates_a_round_from_criteria_and_registry(demo, login):
    office = login("office")
    before = Round.objects.count()
    registry = _example("registry")
    response = office.post("/dot/moi/", {"criteria": _file("criteria.json", _example("criteria")),
                                         "registry": _file("registry.json", registry)})
    assert response.status_code == 302
    created = Round.objects.order_by("-pk").first()
    assert Round.objects.count() == before + 1 and response["Location"] == f"/dot/{created.pk}/"
    assert sorted(created.communes.values_list("code", flat=True)) == sorted(u["code"] for u in registry["units"])
    assert set(created.steps.values_list("kind", flat=True)) == {kind for kind, _label in Step.KINDS}
    assert not created.communes.exclude(state="not_started").exists()       # nothing submitted yet
    board = office.get(response["Location"]).content.decode()
    assert "Đã tạo đợt đánh giá" in board and "Phân công thẩm định" in board


def test_a_wrong_file_creates_nothing_and_says_where(demo, login):
    office = login("office")
    before = Round.objects.count()
    criteria = _example("criteria")
    del criteria["areas"][0]["title"]
    registry = _example("registry")
    registry["units"][1]["code"] = registry["units"][0]["code"]            # a code twice
    page = office.post("/dot/moi/", {"criteria": _file("criteria.json", criteria),
                                     "registry": _file("registry.json", registry)}).content.decode()
    assert 'id="problems"' in page
    assert "Bộ tiêu chí:/areas/0: thiếu trường bắt buộc &#x27;title&#x27; [schema-required]" in page
    assert "no-submissions" not in page
    refused = office.post("/dot/moi/", {"criteria": _file("criteria.json", b"\xff not json"),
                                        "registry": _file("registry.json", _example("registry"))}).content.decode()
    assert "Bộ tiêu chí: không phải tệp JSON (UTF-8) hợp lệ." in refused
    assert "Chưa chọn Danh sách đơn vị." in office.post("/dot/moi/", {}).content.decode()
    assert Round.objects.count() == before


def test_office_assigns_and_takes_back(demo, login):
    office = login("office")
    reviewer = get_user_model().objects.create_user(username="reviewer", password=PASSWORD)
    Profile.objects.create(user=reviewer, role=Profile.APPRAISER)
    b, round_ = demo["b"], demo["round"]
    url = f"/dot/{round_.pk}/phan-cong/"
    assert "reviewer" in office.get(url).content.decode()
    # area 2 of commune b only
    office.post(url, {"action": "add", "appraiser": reviewer.pk, "commune": b.pk, "area": "2"})
    assignment = Assignment.objects.get(user=reviewer)
    assert (assignment.commune, assignment.area, assignment.round) == (b, "2", round_)
    mine = login("reviewer")
    assert mine.get(f"/tham-dinh/xa/{b.pk}/2.1/lan-1/").status_code == 200
    assert mine.get(f"/tham-dinh/xa/{b.pk}/1.2.2/lan-1/").status_code == 404
    assert mine.get(f"/tham-dinh/xa/{demo['unassigned'].pk}/").status_code == 404
    # refused: the same twice, an area the criteria set has not, a commune of no round, a non-appraiser
    said = [_messages(office.post(url, data, follow=True))[-1] for data in (
        {"action": "add", "appraiser": reviewer.pk, "commune": b.pk, "area": "2"},
        {"action": "add", "appraiser": reviewer.pk, "commune": "", "area": "99"},
        {"action": "add", "appraiser": reviewer.pk, "commune": "999999", "area": ""},
        {"action": "add", "appraiser": get_user_model().objects.get(username="commune_a").pk, "commune": "", "area": ""})]
    assert said == ["Đã có phân công này.", "Lĩnh vực không có trong bộ tiêu chí của đợt.",
                    "Đơn vị không thuộc đợt đánh giá này.", "Chọn một thành viên Hội đồng thẩm định."]
    assert Assignment.objects.filter(user=reviewer).count() == 1
    # taken back: the appraiser no longer reaches the commune; the history keeps both changes
    office.post(url, {"action": "delete", "assignment": assignment.pk})
    assert not Assignment.objects.filter(user=reviewer).exists()
    assert mine.get(f"/tham-dinh/xa/{b.pk}/2.1/lan-1/").status_code == 404
    kinds = list(Assignment.history.filter(user_id=reviewer.pk).order_by("history_date")
                 .values_list("history_type", "history_user__username"))
    assert kinds == [("+", "office"), ("-", "office")]
    # an assignment of another round cannot be deleted through this round's page
    other = Assignment.objects.create(user=reviewer, round=Round.objects.create(
        criteria_id="x", year=2024, title="Khác", criteria={}, registry={}), area="1")
    assert office.post(url, {"action": "delete", "assignment": other.pk}).status_code == 404
    assert Assignment.objects.filter(pk=other.pk).exists()
