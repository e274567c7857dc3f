#!/usr/bin/env python3
"""Build the bundled Word template of the approval decision: scoring/templates/decision.docx.

    .venv/bin/python tools/make_decision_template.py            # rewrite the bundled template
    .venv/bin/python tools/make_decision_template.py --out F    # write elsewhere
    .venv/bin/python tools/make_decision_template.py --check    # exit 1 if the bundled one is stale

The template is code-reviewed here rather than as a binary. It follows Decree 30/2020/NĐ-CP:
A4, Times New Roman, margins top/bottom 20 mm, left 30 mm, right 15 mm; body 14 pt, justified,
first-line indent 1.27 cm, 6 pt between paragraphs; page numbers centred in the header from
page 2; the annex in its own landscape section with its own page numbers.

Template code (docxtpl / Jinja): each tag sits in a run of its own; ``{%p …%}`` tags take a
whole paragraph, ``{%tr …%}`` tags a whole table row. Variables: see
scoring.writers.decision.CONTEXT_KEYS. The output is byte-reproducible (fixed core properties
and zip timestamps), so ``--check`` (and the test suite) can tell when it is stale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.enum.section import WD_ORIENT, WD_SECTION  # noqa: E402
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Cm, Mm, Pt  # noqa: E402

from scoring.writers.atomic import write_bytes_atomic  # noqa: E402
from scoring.writers.decision import BUNDLED_TEMPLATE, normalize_docx  # noqa: E402

FONT = "Times New Roman"
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)

# Page set-up (mm): Decree 30 ranges are top/bottom 20-25, left 30-35, right 15-20.
PAGE_SHORT, PAGE_LONG = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
PORTRAIT_WIDTH = PAGE_SHORT - MARGIN_LEFT - MARGIN_RIGHT   # 165 mm of text
LANDSCAPE_WIDTH = PAGE_LONG - MARGIN_LEFT - MARGIN_RIGHT   # 252 mm of text

HEADER_COLUMNS = (62, 103)          # issuing body | national motto
SIGNATURE_COLUMNS = (80, 85)        # recipients | signature
# The annex carries every figure needed to recompute a unit's index by hand (issue 13):
# total = appraised + survey + bonus − penalty; index = total ÷ applicable maximum × 100.
ANNEX_COLUMNS = (13, 40, 19, 19, 21, 17, 17, 19, 19, 19, 15, 24)   # 242 of the 252 mm
ANNEX_HEADERS = ("STT", "Tên đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm ĐTXHH", "Điểm thưởng",
                 "Điểm trừ", "Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại")
ANNEX_FIELDS = ("stt", "name", "self_assessed", "appraised", "survey", "bonus", "penalty", "total", "max",
                "index", "rank", "band")
ANNEX_SIZE = 12

# Order of the children of w:pPr after w:pBdr (the schema is a sequence).
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                     "w:tblDescription", "w:tblPrChange")
_AFTER_PGNUMTYPE = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
                    "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


# --------------------------------------------------------------------------- fonts and styles


def _set_fonts(rpr) -> None:
    """Times New Roman for every script (Vietnamese letters use hAnsi), no theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _setup_styles(doc) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    rpr.find(qn("w:sz")).set(qn("w:val"), "28")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "28")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    # Every style that names a font names Times New Roman.
    for fonts in list(styles.iter(qn("w:rFonts"))):
        _set_fonts(fonts.getparent())

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    _set_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(14)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0

    def paragraph_style(name, *, size=14, bold=None, italic=None, align=None, first_line=None,
                        before=0, after=0, keep_next=False):
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.name = FONT
        _set_fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        f = style.paragraph_format
        f.alignment = align
        f.first_line_indent = first_line
        f.space_before = Pt(before)
        f.space_after = Pt(after)
        f.line_spacing = 1.0
        f.keep_with_next = keep_next or None
        return style

    paragraph_style("Decision Body", align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Cm(1.27), after=6)
    paragraph_style("Decision Basis", italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Cm(1.27), after=6)
    paragraph_style("Decision Center", align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style("Decision Heading", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True)
    paragraph_style("Decision Rule", size=2, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style("Decision Recipients", size=11)
    paragraph_style("Decision Signature", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style("Decision Table", size=ANNEX_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, before=2, after=2)
    paragraph_style("Decision Table Name", size=ANNEX_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, before=2, after=2)
    paragraph_style("Decision Table Heading", size=ANNEX_SIZE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                    before=2, after=2)
    paragraph_style("Decision Note", size=12, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)
    # The empty paragraph that ends the decision's section (it carries the section break before
    # the annex): 1 pt high, so that a signature block ending at the foot of a page does not
    # push it, alone, onto a blank page of its own.
    paragraph_style("Decision Section Break", size=1).paragraph_format.line_spacing = Pt(1)


# --------------------------------------------------------------------------- building blocks


def _run(paragraph, text, *, size=None, bold=None, italic=None):
    """A run with explicit Times New Roman (and size/bold/italic when given)."""
    run = paragraph.add_run(text)
    run.font.name = FONT
    _set_fonts(run._r.get_or_add_rPr())
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    return run


def _para(container, style, *runs, size=14, bold=None, italic=None, before=None, after=None, paragraph=None):
    """A paragraph of ``style`` whose runs are strings (plain) or (text, {bold/italic…}) pairs."""
    p = paragraph if paragraph is not None else container.add_paragraph()
    p.style = style
    for item in runs:
        text, overrides = (item, {}) if isinstance(item, str) else item
        _run(p, text, size=overrides.get("size", size), bold=overrides.get("bold", bold),
             italic=overrides.get("italic", italic))
    if before is not None:
        p.paragraph_format.space_before = Pt(before)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    return p


def _tag(container, tag, style="Decision Center"):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); removed when rendered."""
    return _para(container, style, tag)


def _rule(container, width_mm, column_mm, paragraph=None):
    """A short centred horizontal rule: an empty paragraph with a bottom border."""
    p = _para(container, "Decision Rule", paragraph=paragraph, size=2, before=4)
    side = Mm((column_mm - width_mm) / 2)
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_PBDR)
    return p


def _table(doc, rows, widths_mm, *, borders: bool):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl = table._tbl
    for column, width in zip(tbl.tblGrid.gridCol_lst, widths_mm):
        column.w = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    tblw = tbl.tblPr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tbl.tblPr.insert_element_before(tblw, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                                        *_AFTER_TBLBORDERS)
    tblw.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    tblw.set(qn("w:type"), "dxa")
    edges = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        if borders:
            for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
                element.set(qn(key), value)
        else:
            element.set(qn("w:val"), "nil")
        edges.append(element)
    tbl.tblPr.insert_element_before(edges, *_AFTER_TBLBORDERS)
    return table


def _row_flags(row, *, header=False):
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _page_number(paragraph):
    """A PAGE field, centred, 14 pt."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = _run(paragraph, "2", size=14)
    paragraph._p.remove(run._r)
    field.append(run._r)
    paragraph._p.append(field)


def _page_setup(section, *, landscape: bool):
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_LONG if landscape else PAGE_SHORT)
    section.page_height = Mm(PAGE_SHORT if landscape else PAGE_LONG)
    section.top_margin = Mm(MARGIN_TOP)
    section.bottom_margin = Mm(MARGIN_BOTTOM)
    section.left_margin = Mm(MARGIN_LEFT)
    section.right_margin = Mm(MARGIN_RIGHT)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.gutter = Mm(0)
    section.different_first_page_header_footer = True  # no number on a first page


# --------------------------------------------------------------------------- the document


def build_document():
    doc = Document()
    _setup_styles(doc)
    body = doc.paragraphs[0]._p if doc.paragraphs else None
    if body is not None:  # the default template's empty first paragraph
        body.getparent().remove(body)

    section = doc.sections[0]
    _page_setup(section, landscape=False)
    section.header.is_linked_to_previous = False
    _page_number(section.header.paragraphs[0])
    section.first_page_header.is_linked_to_previous = False

    # Header: issuing body | national motto; number | place and date.
    header = _table(doc, 2, HEADER_COLUMNS, borders=False)
    left, right = header.rows[0].cells
    _para(left, "Decision Center", "ỦY BAN NHÂN DÂN", size=13, bold=True, paragraph=left.paragraphs[0])
    _para(left, "Decision Center", "{{ issuer_unit_caps }}", size=13, bold=True)
    _rule(left, 22, HEADER_COLUMNS[0])
    _para(right, "Decision Center", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True,
          paragraph=right.paragraphs[0])
    _para(right, "Decision Center", "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    _rule(right, 58, HEADER_COLUMNS[1])
    left, right = header.rows[1].cells
    _para(left, "Decision Center", "Số: ", "{{ number }}", size=13, before=6, paragraph=left.paragraphs[0])
    _para(right, "Decision Center", "{{ place_date }}", size=14, italic=True, before=6,
          paragraph=right.paragraphs[0])

    # Title, subject, authority.
    _para(doc, "Decision Heading", "QUYẾT ĐỊNH", bold=True, before=18)
    _para(doc, "Decision Heading",
          "Về việc phê duyệt kết quả Chỉ số cải cách hành chính năm ", "{{ year }}",
          " của Ủy ban nhân dân ", "{{ units_phrase }}", " trên địa bàn ", "{{ area_name }}", bold=True)
    _rule(doc, 50, PORTRAIT_WIDTH)
    _tag(doc, "{%p if kt %}")
    _para(doc, "Decision Heading", "CHỦ TỊCH ỦY BAN NHÂN DÂN ", "{{ issuer_unit_caps }}", bold=True,
          before=12, after=6)
    _tag(doc, "{%p else %}")
    _para(doc, "Decision Heading", "ỦY BAN NHÂN DÂN ", "{{ issuer_unit_caps }}", bold=True, before=12, after=6)
    _tag(doc, "{%p endif %}")

    # Legal bases, italic, one a paragraph (punctuation done by the writer).
    _tag(doc, "{%p for basis in legal_bases %}")
    _para(doc, "Decision Basis", "{{ basis }}", italic=True)
    _tag(doc, "{%p endfor %}")

    _para(doc, "Decision Heading", "QUYẾT ĐỊNH:", bold=True, before=6, after=6)

    # Điều 1: approval, counts per band, average.
    _para(doc, "Decision Body", ("Điều 1. ", {"bold": True}),
          "Phê duyệt kết quả Chỉ số cải cách hành chính năm ", "{{ year }}", " của Ủy ban nhân dân ",
          "{{ units_counted }}", " trên địa bàn ", "{{ area_name }}",
          " (chi tiết tại Phụ lục kèm theo Quyết định này), cụ thể như sau:")
    _tag(doc, "{%p for line in band_lines %}")
    _para(doc, "Decision Body", "{{ line }}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p if average_index %}")
    _para(doc, "Decision Body", "Chỉ số cải cách hành chính bình quân của các đơn vị đạt ", "{{ average_index }}", ".")
    _tag(doc, "{%p endif %}")

    # Điều 2: what follows for the units.
    _para(doc, "Decision Body", ("Điều 2. ", {"bold": True}),
          "Ủy ban nhân dân ", "{{ units_phrase }}", " căn cứ kết quả Chỉ số cải cách hành chính năm ",
          "{{ year }}", " được phê duyệt tại Điều 1 có trách nhiệm phân tích, đánh giá những mặt làm được, "
          "chưa làm được ở từng lĩnh vực, tiêu chí bị trừ điểm; xác định rõ nguyên nhân, trách nhiệm và "
          "xây dựng kế hoạch khắc phục các tồn tại, hạn chế, nâng cao Chỉ số cải cách hành chính năm ",
          "{{ next_year }}", " của đơn vị.")
    _para(doc, "Decision Body",
          "Kết quả Chỉ số cải cách hành chính năm ", "{{ year }}",
          " là căn cứ để đánh giá, xếp loại mức độ hoàn thành nhiệm vụ của tập thể, người đứng đầu "
          "Ủy ban nhân dân ", "{{ units_phrase }}", " và bình xét thi đua, khen thưởng năm ", "{{ year }}",
          " theo quy định.")

    # Điều 3: entry into force and who executes; kept on the page of the signature block.
    _para(doc, "Decision Body", ("Điều 3. ", {"bold": True}),
          "Quyết định này có hiệu lực kể từ ngày ký. ", "{{ office_chief }}", ", ", "{{ home_affairs_head }}",
          ", Thủ trưởng các cơ quan, đơn vị có liên quan và Chủ tịch Ủy ban nhân dân ", "{{ units_phrase }}",
          " chịu trách nhiệm thi hành Quyết định này./.").paragraph_format.keep_with_next = True

    # Recipients | signature.
    # One table row that cannot break across pages: "Nơi nhận" and the whole signature block
    # (TM./KT., CHỦ TỊCH, room for the signature and seal, the name) always print together.
    bottom = _table(doc, 1, SIGNATURE_COLUMNS, borders=False)
    _row_flags(bottom.rows[0])
    left, right = bottom.rows[0].cells
    _para(left, "Decision Recipients", "Nơi nhận:", size=12, bold=True, italic=True, before=12,
          paragraph=left.paragraphs[0])
    _tag(left, "{%p for recipient in recipients %}", style="Decision Recipients")
    _para(left, "Decision Recipients", "{{ recipient }}", size=11)
    _tag(left, "{%p endfor %}", style="Decision Recipients")
    _tag(right, "{%p if kt %}", style="Decision Signature")
    _para(right, "Decision Signature", "KT. CHỦ TỊCH", bold=True, before=12)
    _para(right, "Decision Signature", "PHÓ CHỦ TỊCH", bold=True)
    _tag(right, "{%p else %}", style="Decision Signature")
    _para(right, "Decision Signature", "TM. ỦY BAN NHÂN DÂN", bold=True, before=12)
    _para(right, "Decision Signature", "CHỦ TỊCH", bold=True)
    _tag(right, "{%p endif %}", style="Decision Signature")
    for _ in range(4):  # room for the signature and seal
        _para(right, "Decision Signature")
    _para(right, "Decision Signature", "{{ signer }}", bold=True)
    right._tc.remove(right.paragraphs[0]._p)  # the cell's initial empty paragraph

    # The annex: its own landscape section, own page numbers.
    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    doc.paragraphs[-1].style = doc.styles["Decision Section Break"]  # the paragraph holding the break
    _page_setup(annex, landscape=True)
    number_type = OxmlElement("w:pgNumType")
    number_type.set(qn("w:start"), "1")
    annex._sectPr.insert_element_before(number_type, *_AFTER_PGNUMTYPE)

    _para(doc, "Decision Heading", "Phụ lục", bold=True)
    _para(doc, "Decision Heading", "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM ", "{{ year }}",
          " CỦA ỦY BAN NHÂN DÂN ", "{{ units_phrase_caps }}", " TRÊN ĐỊA BÀN ", "{{ area_name_caps }}", bold=True)
    _para(doc, "Decision Center", "(Kèm theo Quyết định số ", "{{ number }}", " ", "{{ date_text }}",
          " của {% if kt %}Chủ tịch {% endif %}Ủy ban nhân dân ", "{{ area_name }}", ")", italic=True)
    _rule(doc, 60, LANDSCAPE_WIDTH)
    _para(doc, "Decision Center", "")

    table = _table(doc, 8, ANNEX_COLUMNS, borders=True)
    table.style = doc.styles["Table Grid"]
    head = table.rows[0]
    _row_flags(head, header=True)
    for cell, text in zip(head.cells, ANNEX_HEADERS):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _para(cell, "Decision Table Heading", text, size=ANNEX_SIZE, bold=True, paragraph=cell.paragraphs[0])
    tags = {1: "{%tr for row in rows %}", 2: "{%tr if row.heading %}", 4: "{%tr else %}",
            6: "{%tr endif %}", 7: "{%tr endfor %}"}
    for index, tag in tags.items():
        cell = table.rows[index].cells[0]
        _para(cell, "Decision Table", tag, size=ANNEX_SIZE, paragraph=cell.paragraphs[0])
    heading = table.rows[3]
    _row_flags(heading)
    merged = heading.cells[0].merge(heading.cells[-1])
    _para(merged, "Decision Table Name", "{{ row.label }}", size=ANNEX_SIZE, bold=True, paragraph=merged.paragraphs[0])
    for extra in merged.paragraphs[1:]:
        merged._tc.remove(extra._p)
    data = table.rows[5]
    _row_flags(data)
    for cell, field in zip(data.cells, ANNEX_FIELDS):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        style = "Decision Table Name" if field == "name" else "Decision Table"
        _para(cell, style, "{{ row.%s }}" % field, size=ANNEX_SIZE, paragraph=cell.paragraphs[0])

    _para(doc, "Decision Note",
          "Ghi chú: Tổng điểm = Điểm thẩm định + Điểm ĐTXHH + Điểm thưởng − Điểm trừ. "
          "Chỉ số CCHC (%) = Tổng điểm ÷ Điểm tối đa áp dụng × 100, làm tròn đến hai chữ số thập phân "
          "(từ 5 trở lên làm tròn lên). Điểm tối đa áp dụng không tính các tiêu chí không áp dụng đối với "
          "đơn vị.", size=12, italic=True)

    properties = doc.core_properties
    properties.title = "Mẫu Quyết định phê duyệt kết quả Chỉ số CCHC của UBND cấp xã"
    properties.subject = "Chỉ số cải cách hành chính"
    properties.author = "cchc-scoring"
    properties.last_modified_by = "cchc-scoring"
    properties.comments = "Sinh bởi tools/make_decision_template.py; sửa mẫu tại đó."
    properties.keywords = "Chỉ số CCHC; mẫu quyết định"
    properties.language = "vi-VN"
    properties.revision = 1
    properties.created = FIXED_TIME
    properties.modified = FIXED_TIME
    return doc


def build_template_bytes() -> bytes:
    buffer = io.BytesIO()
    build_document().save(buffer)
    return normalize_docx(buffer.getvalue(), FIXED_TIME)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUNDLED_TEMPLATE, help="where to write (default: the bundled template)")
    parser.add_argument("--check", action="store_true", help="only check that the bundled template is up to date")
    args = parser.parse_args(argv)
    data = build_template_bytes()
    if args.check:
        current = args.out.read_bytes() if args.out.exists() else b""
        if current != data:
            print(f"{args.out}: lỗi thời, chạy lại tools/make_decision_template.py", file=sys.stderr)
            return 1
        print(f"{args.out}: cập nhật")
        return 0
    write_bytes_atomic(args.out, data, force=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
