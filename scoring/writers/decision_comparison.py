"""The decision's paragraph on award eligibility (score --previous; scoring/previous.py).

With a comparison whose criteria set has eligibility rules, Điều 2 ends with one paragraph
naming the units not eligible for comprehensive emulation awards, each with the rule that
excluded it and its legal source, and the previous year's approval decision when the
criteria set cites it ("… so với kết quả năm 2022 đã phê duyệt tại Quyết định số
47/QĐ-UBND ngày 10/02/2023"). Added in code after rendering (as the TẠM TÍNH line is), so
an office's own template gets it too; written in the paragraph style of Điều 2's text.
Without a comparison, or without rules, the decision is unchanged.
"""

from __future__ import annotations

import copy

from ..previous import NOT_ELIGIBLE


def eligibility_paragraph(results: dict) -> str | None:
    """The paragraph's text, or None when there is nothing to say (no comparison or no rules)."""
    comparison = results.get("comparison")
    if not comparison or not comparison.get("eligibility_rules"):
        return None
    year = results["criteria"]["year"]
    previous_years = sorted({item["year"] for item in comparison["previous"]})
    against = f"so với kết quả năm {', '.join(str(y) for y in previous_years)}"
    approval = comparison.get("previous_approval")
    if approval:
        y, m, d = approval["date"].split("-")
        against += f" đã phê duyệt tại Quyết định số {approval['number']} ngày {d}/{m}/{y}"
    excluded = [unit for unit in comparison["units"] if unit.get("eligibility") == NOT_ELIGIBLE]
    if not excluded:
        return (f"Căn cứ kết quả Chỉ số cải cách hành chính năm {year} ({against}), không có đơn vị nào "
                "thuộc trường hợp không đủ điều kiện xét khen thưởng toàn diện.")
    from .decision import _unit_label

    communes = {commune["code"]: commune for commune in results["communes"]}
    names = "; ".join(f"{_unit_label(communes[unit['code']])} ({', '.join(item['text'] + ' theo ' + item['legal_source'] for item in unit['excluded_by'])})"
                      for unit in excluded)
    return (f"Căn cứ kết quả Chỉ số cải cách hành chính năm {year} ({against}), các đơn vị sau không đủ điều kiện "
            f"xét khen thưởng toàn diện: {names}.")


def add_eligibility(document, results: dict) -> None:
    """Insert the paragraph before "Điều 3" in ``document`` (python-docx Document), formatted
    like the paragraph above it."""
    text = eligibility_paragraph(results)
    if text is None:
        return
    paragraphs = document.paragraphs
    index = next((i for i, p in enumerate(paragraphs) if p.text.strip().startswith("Điều 3")), None)
    if index is None:
        document.add_paragraph(text)
        return
    article = paragraphs[index]
    above = paragraphs[index - 1] if index else article
    paragraph = article.insert_paragraph_before(style=above.style)
    if above._p.pPr is not None:
        paragraph._p.insert(0, copy.deepcopy(above._p.pPr))
    run = paragraph.add_run(text)
    if above.runs and above.runs[0]._r.rPr is not None:
        run._r.insert(0, copy.deepcopy(above.runs[0]._r.rPr))
