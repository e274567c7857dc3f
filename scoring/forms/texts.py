"""The rules and evidence requirements in words, as they are printed in the forms."""

from __future__ import annotations

from ..model import NA_EXCLUDE, NA_FULL, Leaf
from ..numbers import format_points
from ..vietnamese import format_date


def pts(hundredths: int) -> str:
    return format_points(hundredths, decimals=0)


def _at(value) -> str:
    """A threshold (Fraction) in words: 95 → "95", 87.5 → "87,5"."""
    return pts(int(value * 100))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def rule_text(leaf: Leaf) -> str:
    """How the leaf is scored, in one paragraph a commune official can follow."""
    rule = leaf.rule
    kind = rule.kind
    if kind == "yes_no":
        text = f"{rule.question}: đạt {pts(leaf.max)} điểm, không đạt 0 điểm. Ghi \"có\" hoặc \"không\" ở cột Đạt."
    elif kind == "choice":
        options = "; ".join(f"{o.label}: {pts(o.points)} điểm" for o in rule.options)
        text = f"Chọn một mức ở cột Phương án. {options}."
    elif kind == "deadline":
        text = f"Tính theo ngày của văn bản kiểm chứng sớm nhất: đến ngày {format_date(rule.deadline.isoformat())}: {pts(rule.on_time)} điểm"
        if rule.late_until:
            text += f"; đến ngày {format_date(rule.late_until.isoformat())}: {pts(rule.late)} điểm"
        text += f"; sau đó hoặc không có văn bản: {pts(rule.missing)} điểm. Không cần nhập số liệu; kê văn bản ở trang Tài liệu kiểm chứng."
    elif kind == "ratio_thresholds":
        steps = "; ".join(f"từ {_at(t.at)}%: {pts(t.points)} điểm" for t in rule.thresholds)
        text = (f"Tỷ lệ = Tử số ({rule.numerator}) / Mẫu số ({rule.denominator}). {_capital(steps)}; "
                f"thấp hơn: {pts(rule.otherwise)} điểm.")
    elif kind == "proportional":
        text = f"Điểm = {pts(leaf.max)} × Tử số ({rule.numerator}) / Mẫu số ({rule.denominator})."
    elif kind == "value_thresholds":
        unit = f" {rule.unit}" if rule.unit else ""
        word = "từ" if rule.direction == "at_least" else "không quá"
        steps = "; ".join(f"{word} {_at(t.at)}{unit}: {pts(t.points)} điểm" for t in rule.thresholds)
        text = f"Giá trị: {rule.value}. {_capital(steps)}; còn lại: {pts(rule.otherwise)} điểm."
    elif kind == "deduction":
        text = (f"{pts(leaf.max)} điểm, trừ {pts(rule.per_violation)} điểm cho mỗi lần vi phạm ({rule.violation}), "
                f"thấp nhất {pts(rule.floor)} điểm. Ghi số lần vi phạm (0 nếu không có).")
    elif kind == "per_count":
        text = f"{pts(rule.points_each)} điểm cho mỗi {rule.counted}, tối đa {pts(leaf.max)} điểm. Ghi số lượng."
    elif kind == "judgement":
        text = f"Hội đồng thẩm định chấm từ 0 đến {pts(leaf.max)} điểm, theo bước {pts(rule.step)} điểm."
        if rule.aspects:
            text += " Xem xét: " + "; ".join(rule.aspects) + "."
        text += " Xã tự chấm tạm theo bước này."
    else:  # survey leaves are not on the commune's form
        text = "Chấm theo kết quả điều tra xã hội học."
    if leaf.not_applicable == NA_EXCLUDE:
        text += " Nếu không phát sinh: ghi \"có\" ở cột Không áp dụng (tiêu chí được loại khỏi điểm tối đa)."
    elif leaf.not_applicable == NA_FULL:
        text += " Nếu không phát sinh: ghi \"có\" ở cột Không áp dụng (được tính đủ điểm)."
    return text


def evidence_text(leaf: Leaf) -> str:
    """What evidence the leaf needs."""
    if not leaf.evidence_description and not leaf.evidence_required:
        return "Không bắt buộc."
    text = leaf.evidence_description or "Tài liệu kiểm chứng"
    if leaf.evidence_types:
        text += f" (loại văn bản: {', '.join(leaf.evidence_types)})"
    text += ". Bắt buộc: không có tài liệu thì không được tính điểm." if leaf.evidence_required else ". Không bắt buộc."
    return text
