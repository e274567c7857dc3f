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
