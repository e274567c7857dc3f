"""The approval decision draft: content, Decree 30 layout, escaping, details, atomic writes.

Documents are read back with python-docx; nothing here compares docx bytes except the
reproducibility checks (same inputs → same bytes; the bundled template is up to date).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from scoring.numbers import format_points, from_number, round_half_up
from scoring.writers.atomic import OutputExists
from scoring.writers.decision import (
    BUNDLED_TEMPLATE,
    DecisionDetails,
    DetailsError,
    TemplateError,
    build_context,
    load_details,
    long_date,
    override_details,
    render_decision,
    write_decision,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FONT = "Times New Roman"
SIGNED = DecisionDetails(number="47", date=dt.date(2024, 2, 5), signer="Võ Trung Mạnh")


def load_results(name: str) -> dict:
    return json.loads((FIXTURES / "results" / f"decision-{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def district() -> dict:
    return load_results("district")


@pytest.fixture(scope="module")
def province() -> dict:
    return load_results("province")


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def render(results, details=DecisionDetails(), **kwargs):
    return open_docx(render_decision(results, details, **kwargs))


@pytest.fixture(scope="module")
def blank_doc(district):
    return render(district)


@pytest.fixture(scope="module")
def signed_doc(district):
    return render(district, SIGNED)


@pytest.fixture(scope="module")
def province_doc(province):
    return render(province, DecisionDetails(number="15/QĐ-UBND", date=dt.date(2026, 3, 9),
                                            signer="Nguyễn Văn A", signing_mode="kt"))


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text.strip()]


def find(doc, start: str):
    for p in doc.paragraphs:
        if p.text.startswith(start):
            return p
    raise AssertionError(f"no paragraph starting with {start!r} in {body_texts(doc)}")


def effective(run, attribute):
    """A run's bold/italic/size as shown: the run's own value, else its paragraph style chain's."""
    value = getattr(run.font, attribute)
    style = run._parent.style if hasattr(run._parent, "style") else None
    while value is None and style is not None:
        value = getattr(style.font, attribute)
        style = style.base_style
    return value


def all_bold(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(effective(r, "bold") for r in runs)


def all_italic(paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(effective(r, "italic") for r in runs)


def header_cells(doc):
    table = doc.tables[0]
    return table.rows[0].cells[0], table.rows[0].cells[1], table.rows[1].cells[0], table.rows[1].cells[1]


def signature_cells(doc):
    return doc.tables[1].rows[0].cells


def annex_table(doc):
    return doc.tables[-1]


# --------------------------------------------------------------------------- fixtures and template


@pytest.mark.parametrize("name", ["district", "province"])
def test_fixture_is_a_valid_results_file(name):
    schema = json.loads((ROOT / "scoring" / "results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(load_results(name), schema)


def test_bundled_template_is_built_by_the_script():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_decision_template
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert make_decision_template.build_template_bytes() == BUNDLED_TEMPLATE.read_bytes(), (
        "scoring/templates/decision.docx is stale: run tools/make_decision_template.py")


# --------------------------------------------------------------------------- header


def test_header_issuer_motto_slogan_number(blank_doc):
    issuer, motto, number, place_date = header_cells(blank_doc)
    lines = [p.text for p in issuer.paragraphs if p.text]
    assert lines == ["ỦY BAN NHÂN DÂN", "HUYỆN TU MƠ RÔNG"]
    assert all(all_bold(p) for p in issuer.paragraphs if p.text)
    assert all(effective(r, "size") == Pt(13) for p in issuer.paragraphs for r in p.runs if r.text)
    assert [p.text for p in motto.paragraphs if p.text] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                           "Độc lập - Tự do - Hạnh phúc"]
    assert all(all_bold(p) for p in motto.paragraphs if p.text)
    sizes = [effective(p.runs[0], "size").pt for p in motto.paragraphs if p.text]
    assert 12 <= sizes[0] <= 13 and 13 <= sizes[1] <= 14
    # A short rule under the issuing body and under the slogan: an empty paragraph with a bottom border.
    for cell in (issuer, motto):
        rule = cell.paragraphs[-1]
        assert rule.text == "" and rule._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None
    assert number.text == "Số:      /QĐ-UBND"
    assert place_date.text == "Tu Mơ Rông, ngày      tháng      năm 2024"
    assert all_italic(place_date.paragraphs[0])


def test_header_borderless(blank_doc):
    for table in blank_doc.tables[:2]:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None
        assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


@pytest.mark.parametrize("date, expected", [
    (dt.date(2024, 2, 5), "ngày 05 tháng 02 năm 2024"),
    (dt.date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
    (dt.date(2024, 3, 15), "ngày 15 tháng 3 năm 2024"),
    (dt.date(2024, 11, 9), "ngày 09 tháng 11 năm 2024"),
    (dt.date(2024, 12, 10), "ngày 10 tháng 12 năm 2024"),
])
def test_long_date_padding(date, expected):
    assert long_date(date) == expected


def test_number_date_signer_placed(signed_doc):
    _, _, number, place_date = header_cells(signed_doc)
    assert number.text == "Số: 47/QĐ-UBND"
    assert place_date.text == "Tu Mơ Rông, ngày 05 tháng 02 năm 2024"
    annex_ref = find(signed_doc, "(Kèm theo")
    assert annex_ref.text == ("(Kèm theo Quyết định số 47/QĐ-UBND ngày 05 tháng 02 năm 2024 "
                              "của Ủy ban nhân dân huyện Tu Mơ Rông)")
    assert all_italic(annex_ref)
    signature = [p.text for p in signature_cells(signed_doc)[1].paragraphs if p.text]
    assert signature[-1] == "Võ Trung Mạnh"
    assert all_bold(signature_cells(signed_doc)[1].paragraphs[-1])


def test_full_number_kept_and_march_not_padded(district):
    doc = render(district, DecisionDetails(number="112/QĐ-CT", date=dt.date(2024, 3, 15)))
    _, _, number, place_date = header_cells(doc)
    assert number.text == "Số: 112/QĐ-CT"
    assert place_date.text == "Tu Mơ Rông, ngày 15 tháng 3 năm 2024"


def test_blanks_when_details_missing(blank_doc):
    assert find(blank_doc, "(Kèm theo").text == (
        "(Kèm theo Quyết định số      /QĐ-UBND ngày      tháng      năm 2024 "
        "của Ủy ban nhân dân huyện Tu Mơ Rông)")
    signature = signature_cells(blank_doc)[1]
    assert [p.text for p in signature.paragraphs if p.text] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert signature.paragraphs[-1].text == ""  # the name line stays blank


# --------------------------------------------------------------------------- title, bases, articles


def test_title_subject_authority(blank_doc):
    title = find(blank_doc, "QUYẾT ĐỊNH")
    assert title.text == "QUYẾT ĐỊNH"
    assert all_bold(title) and title.alignment in (None, WD_ALIGN_PARAGRAPH.CENTER)
    assert effective(title.runs[0], "size") == Pt(14)
    assert title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    subject = find(blank_doc, "Về việc")
    assert subject.text == ("Về việc phê duyệt kết quả Chỉ số cải cách hành chính năm 2023 của Ủy ban nhân "
                            "dân các xã trên địa bàn huyện Tu Mơ Rông")
    assert all_bold(subject)
    authority = body_texts(blank_doc)[body_texts(blank_doc).index(subject.text) + 1]
    assert authority == "ỦY BAN NHÂN DÂN HUYỆN TU MƠ RÔNG"
    decide = [p for p in blank_doc.paragraphs if p.text == "QUYẾT ĐỊNH:"]
    assert len(decide) == 1 and all_bold(decide[0])


def legal_bases(doc):
    lines = body_texts(doc)
    start = next(i for i, t in enumerate(lines) if t.startswith("Căn cứ"))
    end = lines.index("QUYẾT ĐỊNH:")
    return [p for p in doc.paragraphs if p.text.strip()][start:end]


def test_legal_bases_italic_punctuated(blank_doc):
    bases = legal_bases(blank_doc)
    assert [p.text for p in bases] == [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính "
        "quyền địa phương ngày 22 tháng 11 năm 2019;",
        "Căn cứ Quyết định số 15/QĐ-UBND ngày 16 tháng 01 năm 2023 của UBND huyện Tu Mơ Rông về việc "
        "ban hành Bộ chỉ số đánh giá, xác định Chỉ số cải cách hành chính của Ủy ban nhân dân các xã "
        "trên địa bàn huyện Tu Mơ Rông;",
        "Theo đề nghị của Trưởng phòng Nội vụ huyện.",
    ]
    assert all(all_italic(p) for p in bases)
    for p in bases:
        assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert abs(p.style.paragraph_format.first_line_indent.cm - 1.27) < 0.01


def test_extra_bases_and_proposer(district):
    details = DecisionDetails(extra_legal_bases=("Kế hoạch số 312/KH-UBND ngày 23/12/2022 của UBND huyện.",
                                                 "Xét kết quả thẩm định của Hội đồng thẩm định;"),
                              proposer="Trưởng phòng Nội vụ huyện tại Tờ trình số 12/TTr-NV ngày 01/02/2024")
    bases = [p.text for p in legal_bases(render(district, details))]
    assert bases[3:] == [
        "Căn cứ Kế hoạch số 312/KH-UBND ngày 23/12/2022 của UBND huyện;",
        "Xét kết quả thẩm định của Hội đồng thẩm định;",
        "Theo đề nghị của Trưởng phòng Nội vụ huyện tại Tờ trình số 12/TTr-NV ngày 01/02/2024.",
    ]


@pytest.mark.parametrize("date, law", [
    (dt.date(2025, 2, 28), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015"),
    (dt.date(2025, 3, 1), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 02 năm 2025"),
    (dt.date(2025, 7, 1), "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"),
])
def test_law_in_force_at_the_decision_date(district, date, law):
    context = build_context(district, DecisionDetails(date=date))
    assert context["legal_bases"][0].rstrip(";") == law
    assert ("Luật sửa đổi" in context["legal_bases"][1]) == (date < dt.date(2025, 3, 1))


def test_articles(blank_doc, district):
    for number in (1, 2, 3):
        article = find(blank_doc, f"Điều {number}.")
        assert article.runs[0].text.strip() == f"Điều {number}."
        assert effective(article.runs[0], "bold")
        assert not effective(article.runs[1], "bold")
        assert article.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert abs(article.style.paragraph_format.first_line_indent.cm - 1.27) < 0.01
        assert 13 <= effective(article.runs[1], "size").pt <= 14
    assert "Ủy ban nhân dân 05 xã trên địa bàn huyện Tu Mơ Rông" in find(blank_doc, "Điều 1.").text
    lines = body_texts(blank_doc)
    start = lines.index(find(blank_doc, "Điều 1.").text) + 1
    assert lines[start:start + 6] == [
        "- Xếp loại Xuất sắc: 01 đơn vị;",
        "- Xếp loại Tốt: 02 đơn vị;",
        "- Xếp loại Khá: 01 đơn vị;",
        "- Xếp loại Trung bình: 01 đơn vị;",
        "- Xếp loại Yếu: không có đơn vị.",
        "Chỉ số cải cách hành chính bình quân của các đơn vị đạt 81,14%.",
    ]
    counts = district["summary"]["bands"]
    assert counts == {"Xuất sắc": 1, "Tốt": 2, "Khá": 1, "Trung bình": 1, "Yếu": 0}
    article2 = find(blank_doc, "Điều 2.").text
    assert "khắc phục" in article2 and "năm 2024" in article2
    assert "thi đua, khen thưởng" in " ".join(lines)
    article3 = find(blank_doc, "Điều 3.").text
    assert "Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện" in article3
    assert "Trưởng phòng Nội vụ huyện" in article3
    assert "Chủ tịch Ủy ban nhân dân các xã" in article3 and article3.endswith("./.")


# --------------------------------------------------------------------------- recipients and signature


def test_recipients(blank_doc):
    left = signature_cells(blank_doc)[0]
    heading = left.paragraphs[0]
    assert heading.text == "Nơi nhận:"
    assert all_bold(heading) and all_italic(heading) and effective(heading.runs[0], "size") == Pt(12)
    lines = left.paragraphs[1:]
    assert [p.text for p in lines] == ["- Như Điều 3;", "- UBND tỉnh (b/c);", "- Sở Nội vụ (b/c);",
                                       "- TT Huyện ủy, TT HĐND huyện (b/c);", "- CT, các PCT UBND huyện;",
                                       "- Lưu: VT, NV."]
    assert all(effective(p.runs[0], "size") == Pt(11) for p in lines)


def test_custom_recipients_normalised(district):
    doc = render(district, DecisionDetails(recipients=("Như Điều 3;", "- UBND các xã (t/h)", "Sở Nội vụ")))
    lines = [p.text for p in signature_cells(doc)[0].paragraphs[1:]]
    assert lines == ["- Như Điều 3;", "- UBND các xã (t/h);", "- Sở Nội vụ;", "- Lưu: VT."]


@pytest.mark.parametrize("mode, block, authority, annex_by", [
    ("tm", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "ỦY BAN NHÂN DÂN HUYỆN TU MƠ RÔNG", "của Ủy ban nhân dân"),
    ("kt", ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN TU MƠ RÔNG", "của Chủ tịch Ủy ban nhân dân"),
])
def test_signature_block_modes(district, mode, block, authority, annex_by):
    doc = render(district, DecisionDetails(signer="Nguyễn Văn Bình", signing_mode=mode))
    right = signature_cells(doc)[1]
    shown = [p for p in right.paragraphs if p.text]
    assert [p.text for p in shown] == block + ["Nguyễn Văn Bình"]
    assert all(all_bold(p) for p in shown)
    assert all(p.text == "" for p in right.paragraphs[2:-1])  # room for the signature
    assert len(right.paragraphs) >= 6
    assert authority in body_texts(doc)
    assert f"{annex_by} huyện Tu Mơ Rông)" in find(doc, "(Kèm theo").text


# --------------------------------------------------------------------------- annex


def row_texts(row):
    return [cell.text for cell in row.cells]


def test_annex_rows_equal_results(blank_doc, district):
    table = annex_table(blank_doc)
    assert row_texts(table.rows[0]) == ["STT", "Tên đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm ĐTXHH",
                                        "Điểm thưởng", "Điểm trừ", "Tổng điểm", "Điểm tối đa áp dụng",
                                        "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại"]
    rows = [row_texts(row) for row in table.rows[1:]]
    assert len(rows) == len(district["communes"])
    for index, (row, commune) in enumerate(zip(rows, district["communes"]), start=1):
        assert row == [
            str(index), f"Xã {commune['name']}",
            *(format_points(from_number(commune[key]))
              for key in ("self_assessed", "appraised", "survey", "bonus", "penalty", "total", "max", "index")),
            str(commune["rank"]), commune["band"],
        ]
    assert rows[0][1:] == ["Xã Đăk Hà", "62,50", "60,25", "31,50", "1,00", "0,00", "92,75", "100,00", "92,75", "1",
                           "Xuất sắc"]
    assert [r[10] for r in rows] == ["1", "2", "2", "4", "5"]  # the tie shares rank 2
    assert rows[1][9] == rows[2][9] == "85,35"


def _hundredths_of(text: str) -> int:
    whole, _, frac = text.replace(".", "").partition(",")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((frac + "00")[:2]))


def test_annex_rows_can_be_recomputed_by_hand(blank_doc, district):
    # issue 13: every index can be recomputed from its row alone
    table = annex_table(blank_doc)
    cap = district["criteria"].get("index_cap")
    for row in (row_texts(row) for row in table.rows[1:]):
        _, _, _, appraised, survey, bonus, penalty, total, maximum, index, _, _ = row
        appraised, survey, bonus, penalty, total, maximum, index = map(
            _hundredths_of, (appraised, survey, bonus, penalty, total, maximum, index))
        assert total == appraised + survey + bonus - penalty
        expected = round_half_up(total * 10000, maximum)  # hundredths of a percent
        if cap is not None:
            expected = min(expected, from_number(cap))
        assert index == expected


def test_annex_table_borders_and_repeated_header(blank_doc):
    table = annex_table(blank_doc)
    assert table.style.name == "Table Grid"
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"single"}
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])


def test_annex_title(blank_doc):
    lines = body_texts(blank_doc)
    at = lines.index("Phụ lục")
    assert lines[at + 1] == ("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023 CỦA ỦY BAN NHÂN DÂN CÁC XÃ "
                             "TRÊN ĐỊA BÀN HUYỆN TU MƠ RÔNG")
    assert lines[at + 2].startswith("(Kèm theo Quyết định số")


# --------------------------------------------------------------------------- province issuer


def test_province_issuer(province_doc, province):
    issuer, _, number, place_date = header_cells(province_doc)
    assert [p.text for p in issuer.paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NINH"]
    assert number.text == "Số: 15/QĐ-UBND"
    assert place_date.text == "Quảng Ninh, ngày 09 tháng 3 năm 2026"
    lines = body_texts(province_doc)
    assert find(province_doc, "Về việc").text.endswith("của Ủy ban nhân dân các xã, phường, đặc khu trên địa bàn "
                                                        "tỉnh Quảng Ninh")
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH" in lines  # kt mode: the Chairman's decision
    bases = [p.text for p in legal_bases(province_doc)]
    assert bases[0] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    assert bases[1].startswith("Căn cứ Quyết định số 2870/QĐ-UBND ngày 12 tháng 9 năm 2025 của UBND tỉnh "
                               "Quảng Ninh về việc ban hành Bộ Chỉ số")
    assert bases[-1] == "Theo đề nghị của Giám đốc Sở Nội vụ."
    assert "Ủy ban nhân dân 02 xã, 03 phường và 01 đặc khu trên địa bàn tỉnh Quảng Ninh" in find(province_doc, "Điều 1.").text
    article3 = find(province_doc, "Điều 3.").text
    assert "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ" in article3
    recipients = [p.text for p in signature_cells(province_doc)[0].paragraphs[1:]]
    assert "- Bộ Nội vụ (b/c);" in recipients and "- TT Tỉnh ủy, TT HĐND tỉnh (b/c);" in recipients
    assert recipients[-1] == "- Lưu: VT, NV."
    assert [p.text for p in signature_cells(province_doc)[1].paragraphs if p.text] == [
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A"]


def test_province_annex_block_headings(province_doc, province):
    rows = [row_texts(row) for row in annex_table(province_doc).rows[1:]]
    headings = [row for row in rows if len(set(row)) == 1]
    assert [row[0] for row in headings] == ["I. Khối xã, đặc khu", "II. Khối phường"]
    data = [row for row in rows if len(set(row)) > 1]
    assert [row[1] for row in data] == ["Đặc khu Vân Đồn", "Xã Quảng Hà", "Xã Đầm Hà",
                                        "Phường Hạ Long", "Phường Bãi Cháy", "Phường Hồng Gai"]
    assert [row[0] for row in data] == ["1", "2", "3", "4", "5", "6"]
    assert [row[10] for row in data] == [str(c["rank"]) for c in province["communes"]]
    assert [row[9] for row in data] == ["91,20", "83,40", "79,85", "94,10", "88,05", "88,05"]
    assert rows[0][0] == "I. Khối xã, đặc khu" and rows[4][0] == "II. Khối phường"
    # The heading row is one merged cell across the table.
    heading_tr = annex_table(province_doc).rows[1]._tr
    assert len(heading_tr.findall(qn("w:tc"))) == 1
    assert province_doc.tables[-1].rows[1].cells[0]._tc.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "12"


# --------------------------------------------------------------------------- layout and fonts


def mm(length) -> float:
    return length / 36000


def test_page_setup(blank_doc):
    first, annex = blank_doc.sections
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert round(mm(first.page_width)) == 210 and round(mm(first.page_height)) == 297
    assert annex.orientation == WD_ORIENT.LANDSCAPE
    assert round(mm(annex.page_width)) == 297 and round(mm(annex.page_height)) == 210
    for section in (first, annex):
        assert 20 <= round(mm(section.top_margin), 1) <= 25
        assert 20 <= round(mm(section.bottom_margin), 1) <= 25
        assert 30 <= round(mm(section.left_margin), 1) <= 35
        assert 15 <= round(mm(section.right_margin), 1) <= 20
    # Annex pages numbered on their own, from 1.
    assert annex._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
    assert first.different_first_page_header_footer


def test_fonts_are_times_new_roman(blank_doc):
    styles = blank_doc.styles.element
    default_fonts = styles.find(qn("w:docDefaults")).find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert default_fonts.get(qn(attribute)) == FONT
    for fonts in styles.iter(qn("w:rFonts")):
        assert fonts.get(qn("w:ascii")) == FONT and fonts.get(qn("w:hAnsi")) == FONT
        assert fonts.get(qn("w:asciiTheme")) is None and fonts.get(qn("w:hAnsiTheme")) is None
    assert blank_doc.styles["Normal"].font.name == FONT
    runs = list(blank_doc.element.body.iter(qn("w:r")))
    assert len(runs) > 50
    for run in runs:
        fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            assert fonts.get(qn("w:ascii")) == FONT and fonts.get(qn("w:hAnsi")) == FONT
    texts_ = [p for p in blank_doc.paragraphs if p.text.strip()]
    for table in blank_doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts_ += [p for p in cell.paragraphs if p.text.strip()]
    for paragraph in texts_:
        for run in paragraph.runs:
            if run.text.strip():
                assert run.font.name == FONT, (paragraph.text, run.text)


def test_body_size_and_justification(blank_doc):
    body = blank_doc.styles["Decision Body"]
    assert body.font.size == Pt(14) or (body.font.size is None and blank_doc.styles["Normal"].font.size == Pt(14))
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(body.paragraph_format.first_line_indent.cm - 1.27) < 0.01
    assert body.paragraph_format.space_after >= Pt(6)


def test_no_template_code_left(blank_doc, province_doc):
    for doc in (blank_doc, province_doc):
        xml = doc.element.xml
        for marker in ("{{", "}}", "{%", "%}"):
            assert marker not in xml


# --------------------------------------------------------------------------- escaping


INJECTIONS = ["{{ 7*7 }}", "{% if %}", "<w:t>", "=HYPERLINK(\"http://x\",\"y\")", "A & B \"quoted\" 'x'",
              "{%p endfor %}", "</w:t></w:r></w:p>"]


def test_input_text_is_literal(district):
    results = copy.deepcopy(district)
    for commune, name in zip(results["communes"], INJECTIONS):
        commune["name"] = name
    results["communes"][4]["band"] = "{{ signer }}"
    details = DecisionDetails(signer="{{ 7*7 }} <b>", proposer="{% for x in range(3) %}x{% endfor %}",
                              extra_legal_bases=("Căn cứ <w:p/> & {{ number }}",), recipients=("{%tr for %}",))
    doc = render(results, details)
    names = [row.cells[1].text for row in annex_table(doc).rows[1:]]
    assert names == [f"Xã {name}" for name in INJECTIONS[:5]]
    assert annex_table(doc).rows[5].cells[11].text == "{{ signer }}"
    assert [p.text for p in signature_cells(doc)[1].paragraphs if p.text][-1] == "{{ 7*7 }} <b>"
    bases = [p.text for p in legal_bases(doc)]
    assert "Căn cứ <w:p/> & {{ number }};" in bases
    assert bases[-1] == "Theo đề nghị của {% for x in range(3) %}x{% endfor %}."
    assert "- {%tr for %};" in [p.text for p in signature_cells(doc)[0].paragraphs]
    assert "49" not in " ".join(names)


def test_control_characters_cannot_add_paragraphs(district):
    results = copy.deepcopy(district)
    results["communes"][0]["name"] = "Đăk\nHà\x07\x0c\tmới\x00"
    doc = render(results)
    assert annex_table(doc).rows[1].cells[1].text == "Xã Đăk Hà   mới"
    assert len(annex_table(doc).rows) == 6


def test_build_context_is_pure(district):
    before = copy.deepcopy(district)
    first = build_context(district, SIGNED)
    assert district == before
    assert build_context(district, SIGNED) == first
    assert all(isinstance(first[key], (str, bool, list)) for key in first)


# --------------------------------------------------------------------------- writing


def test_write_is_atomic_and_refuses_overwrite(district, tmp_path):
    out = tmp_path / "out" / "quyet-dinh.docx"
    assert write_decision(district, out) == out
    first = out.read_bytes()
    with pytest.raises(OutputExists):
        write_decision(district, out, details=SIGNED)
    assert out.read_bytes() == first
    write_decision(district, out, details=SIGNED, force=True)
    assert header_cells(Document(out))[2].text == "Số: 47/QĐ-UBND"
    assert sorted(p.name for p in out.parent.iterdir()) == ["quyet-dinh.docx"]


def test_failure_leaves_nothing(district, tmp_path):
    out = tmp_path / "quyet-dinh.docx"
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(TemplateError):
        write_decision(district, out, template=broken)
    with pytest.raises(TemplateError):
        write_decision(district, out, template=tmp_path / "missing.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.docx"]


def test_same_inputs_same_bytes(district):
    assert render_decision(district, SIGNED) == render_decision(district, SIGNED)
    doc = open_docx(render_decision(district, SIGNED))
    assert doc.core_properties.created == dt.datetime(2024, 1, 25, 1, 30, tzinfo=doc.core_properties.created.tzinfo)
    assert doc.core_properties.modified == doc.core_properties.created
    assert doc.core_properties.title.startswith("Quyết định phê duyệt kết quả Chỉ số cải cách hành chính năm 2023")


def test_custom_template_path(district, tmp_path):
    copy_ = tmp_path / "mau-rieng.docx"
    shutil.copy(BUNDLED_TEMPLATE, copy_)
    out = write_decision(district, tmp_path / "qd.docx", details=SIGNED, template=copy_)
    assert header_cells(Document(out))[2].text == "Số: 47/QĐ-UBND"
    # An office's own wording: any template using the context variables.
    own = Document()
    own.add_paragraph("Số {{ number }} — {{ area_name }}")
    own.add_paragraph("{%p for row in rows %}")
    own.add_paragraph("{{ row.stt }}. {{ row.name }}: {{ row.index }}")
    own.add_paragraph("{%p endfor %}")
    own.save(tmp_path / "own.docx")
    doc = render(district, SIGNED, template=tmp_path / "own.docx")
    assert [p.text for p in doc.paragraphs] == ["Số 47/QĐ-UBND — huyện Tu Mơ Rông", "1. Xã Đăk Hà: 92,75",
                                                "2. Xã Măng Ri: 85,35", "3. Xã Tu Mơ Rông: 85,35",
                                                "4. Xã Đăk Sao: 74,00", "5. Xã Ngọc Yêu: 68,25"]


@pytest.mark.parametrize("text", ["{{ no_such_variable }}", "{% if %}", "{{ area_name.__class__.__mro__ }}"])
def test_bad_template_code_is_a_template_error(district, tmp_path, text):
    bad = Document()
    bad.add_paragraph(text)
    bad.save(tmp_path / "bad.docx")
    with pytest.raises(TemplateError, match="bad.docx"):
        render_decision(district, template=tmp_path / "bad.docx")


# --------------------------------------------------------------------------- details file


def write_json(path: Path, data, *, bom=False) -> Path:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_load_details(tmp_path):
    path = write_json(tmp_path / "details.json", {
        "number": "47", "date": "2024-02-05", "signer": "Võ Trung Mạnh", "signing_mode": "KT",
        "extra_legal_bases": ["Căn cứ Kế hoạch số 312/KH-UBND"], "recipients": ["Như Điều 3", "Lưu: VT, NV"],
        "proposer": "Trưởng phòng Nội vụ huyện"}, bom=True)
    assert load_details(path) == DecisionDetails(
        number="47", date=dt.date(2024, 2, 5), signer="Võ Trung Mạnh", signing_mode="kt",
        extra_legal_bases=("Căn cứ Kế hoạch số 312/KH-UBND",), recipients=("Như Điều 3", "Lưu: VT, NV"),
        proposer="Trưởng phòng Nội vụ huyện")
    assert load_details(write_json(tmp_path / "empty.json", {"number": None})) == DecisionDetails()


@pytest.mark.parametrize("content, pointer, code", [
    ("{", "", "details-bad-json"),
    ([1], "", "details-bad-type"),
    ({"numbr": "47"}, "/numbr", "details-unknown-key"),
    ({"number": "47 QĐ-UBND"}, "/number", "details-bad-number"),  # "47 / QĐ" reads as 47/QĐ (look-alikes folded)
    ({"number": 47}, "/number", "details-bad-type"),
    ({"date": "2024-02-30"}, "/date", "details-bad-date"),
    ({"date": "02/13/2024"}, "/date", "details-bad-date"),
    ({"signing_mode": "ký thay"}, "/signing_mode", "details-bad-signing-mode"),
    ({"signer": "  "}, "/signer", "details-empty"),
    ({"recipients": "Như Điều 3"}, "/recipients", "details-bad-type"),
    ({"extra_legal_bases": ["ok", 3]}, "/extra_legal_bases/1", "details-bad-type"),
])
def test_load_details_errors(tmp_path, content, pointer, code):
    path = write_json(tmp_path / "details.json", content)
    with pytest.raises(DetailsError) as caught:
        load_details(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.file, error.pointer, error.code) == (str(path), pointer, code)
    assert str(error).startswith(f"{path}:{pointer}: ") and str(error).endswith(f"[{code}]")


def test_load_details_missing_file(tmp_path):
    with pytest.raises(DetailsError, match="không tìm thấy") as caught:
        load_details(tmp_path / "nope.json")
    assert caught.value.code == "details-not-found"


def test_unknown_key_lists_allowed(tmp_path):
    with pytest.raises(DetailsError, match="number, date, signer, signing_mode"):
        load_details(write_json(tmp_path / "d.json", {"so": "1"}))


def test_override_details():
    base = DecisionDetails(number="1", signer="A")
    changed = override_details(base, number="47/QĐ-UBND", date="2024-02-05", signing_mode="kt")
    assert changed == DecisionDetails(number="47/QĐ-UBND", date=dt.date(2024, 2, 5), signer="A", signing_mode="kt")
    assert override_details(base) is base
    with pytest.raises(DetailsError) as caught:
        override_details(base, date="2024-13-01")
    assert caught.value.pointer == "--date"
    with pytest.raises(DetailsError):
        DecisionDetails(signing_mode="xx")


@pytest.mark.parametrize("issuer, caps, area", [
    ({"name": "Ủy ban nhân dân huyện Tu Mơ Rông", "level": "district", "place": "Tu Mơ Rông"},
     "HUYỆN TU MƠ RÔNG", "huyện Tu Mơ Rông"),
    ({"name": "UBND thành phố Hải Phòng", "level": "province", "place": "Hải Phòng"},
     "THÀNH PHỐ HẢI PHÒNG", "thành phố Hải Phòng"),
    ({"name": "Sở Nội vụ", "level": "province", "place": "Quảng Ninh"}, "TỈNH QUẢNG NINH", "tỉnh Quảng Ninh"),
])
def test_issuer_fallbacks_without_unit_name(district, issuer, caps, area):
    results = copy.deepcopy(district)
    results["criteria"]["issuer"] = issuer
    context = build_context(results, DecisionDetails())
    assert (context["issuer_unit_caps"], context["area_name"]) == (caps, area)


def test_units_phrase_follows_unit_types(district):
    results = copy.deepcopy(district)
    results["communes"][0]["type"] = "thị trấn"
    context = build_context(results, DecisionDetails())
    assert context["units_phrase"] == "các xã, thị trấn"
    assert context["units_counted"] == "04 xã và 01 thị trấn"
    assert context["rows"][0]["name"] == "Thị trấn Đăk Hà"


def test_example_details_file(district, tmp_path):
    details = load_details(FIXTURES / "decision" / "details-tu-mo-rong.json")
    assert (details.number, details.date, details.signer) == ("47", dt.date(2024, 2, 5), "Võ Trung Mạnh")
    doc = Document(write_decision(district, tmp_path / "qd.docx", details=details))
    assert header_cells(doc)[2].text == "Số: 47/QĐ-UBND"
    assert [p.text for p in legal_bases(doc)][3].startswith("Căn cứ Kế hoạch số 312/KH-UBND ngày 23/12/2022")
    assert [p.text for p in signature_cells(doc)[0].paragraphs][2] == "- UBND tỉnh Kon Tum (b/c);"


def test_criteria_title_starting_with_the_document_kind(district):
    results = copy.deepcopy(district)
    results["criteria"]["legal_source"]["title"] = ("Quyết định ban hành Bộ Chỉ số cải cách hành chính của Ủy ban "
                                                     "nhân dân các xã trên địa bàn huyện Tu Mơ Rông năm 2023")
    basis = build_context(results, DecisionDetails())["legal_bases"][2]
    assert basis == ("Căn cứ Quyết định số 15/QĐ-UBND ngày 16 tháng 01 năm 2023 của UBND huyện Tu Mơ Rông về việc "
                     "ban hành Bộ Chỉ số cải cách hành chính của Ủy ban nhân dân các xã trên địa bàn huyện Tu Mơ "
                     "Rông năm 2023;")


def test_context_keys_documented(district):
    from scoring.writers.decision import CONTEXT_KEYS
    assert sorted(build_context(district, DecisionDetails())) == sorted(CONTEXT_KEYS)
