"""docs/wording.md lists every Vietnamese sentence the engine writes (tools/wording.py, from
the real code paths); it must be regenerated whenever a wording changes (issue 17)."""

from __future__ import annotations

from tools import wording


def test_committed_wording_list_is_up_to_date():
    current = wording.OUTPUT.read_text(encoding="utf-8")
    fresh = wording.collect()
    assert current == fresh, "docs/wording.md lỗi thời: chạy .venv/bin/python tools/wording.py rồi đọc lại thay đổi"


def test_wording_list_covers_every_output():
    text = wording.OUTPUT.read_text(encoding="utf-8")
    for section in ("## Lý do chấm điểm", "## Lệnh explain", "## Phiếu tự đánh giá", "## Bảng tính kết quả",
                    "## Dự thảo quyết định"):
        assert section in text
    for sentence in ("TM. ỦY BAN NHÂN DÂN", "Chỉ số CCHC (%) = tổng điểm"):
        assert sentence in text


# Phrases an officer reads as wrong (issue 17): "không quá 0 nhiệm vụ" means none at all, a
# count is not "2 lần lượt …". Checked on every generated sentence, then on the rule itself.
AWKWARD = (r"(?i)không quá 0(?![,\d])", r"(?i)trên 0 \S+ đến 0", r"\d lần lượt", r"(?i)\b0 (\w+), không quá 0 \1")


def test_no_awkward_phrase_in_the_wording_list():
    import re

    text = wording.OUTPUT.read_text(encoding="utf-8")
    for pattern in AWKWARD:
        found = [line for line in text.splitlines() if re.search(pattern, line)]
        assert not found, f"{pattern}: {found[:3]}"


def test_an_at_most_zero_tier_reads_as_none_in_the_form():
    from types import SimpleNamespace

    from scoring.rules.value_thresholds import ValueThresholds

    rule = ValueThresholds.from_json({"value": "Số nhiệm vụ giao hoàn thành chậm", "unit": "nhiệm vụ", "direction": "at_most",
                                      "thresholds": [{"at": 0, "points": 1}, {"at": 2, "points": 0.5}]})
    text = rule.form_text(SimpleNamespace(max=100))
    assert text == ("Giá trị: Số nhiệm vụ giao hoàn thành chậm. Không có nhiệm vụ nào: 1 điểm; "
                    "trên 0 nhiệm vụ đến 2 nhiệm vụ: 0,5 điểm; trên 2 nhiệm vụ: 0 điểm.")
    bare = ValueThresholds.from_json({"value": "Số lần", "direction": "at_most", "thresholds": [{"at": 0, "points": 1}]})
    assert bare.form_text(SimpleNamespace(max=100)).startswith("Giá trị: Số lần. Bằng 0: 1 điểm;")
