"""The rules and evidence requirements in words, as they are printed in the forms."""

from __future__ import annotations

from ..model import NA_EXCLUDE, NA_FULL, Leaf
from ..rules.base import pts  # noqa: F401 - the forms write points as the rules' texts do


def rule_text(leaf: Leaf) -> str:
    """How the leaf is scored, in one paragraph a commune official can follow (the kind's
    ``form_text``, scoring.rules), with what to do when nothing arose."""
    text = leaf.rule.form_text(leaf)
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
