"""The outputs as an officer prints them (issue 17): LibreOffice renders them to PDF and the
PDF is read back for what a person sees.

Rendered once per session (one LibreOffice run, ~30 s): the bundled example (district,
Tu Mơ Rông 2023) and a generated province example (tools/render.py), each with its workbook,
its decision as ``score`` writes it (no signer yet) and its decision with a signer's name.
LibreOffice is required: `make test` installs it; without it these tests fail, they are
never skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

# openpyxl does not understand the Excel 2010 data-bar extension and says so; irrelevant here.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

from pdf_layout import header_sheet, off_page, overlapping_words, read_pdf
from tools import render

ROOT = Path(__file__).resolve().parent.parent
SIGNER = "Nguyễn Thị Thu Hương"
EXAMPLES = ("huyen", "tinh")

# Workbook print set-up (scoring/writers/workbook.py _print_setup), in points.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 36, 28.8, 50.4, 50.4


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """{example: {"folder", "results", "pdf": {name: [Page]}}} for both examples."""
    try:
        render.soffice()
    except render.RenderError as exc:  # fail, never skip: CI must run these checks
        pytest.fail(str(exc))
    base = tmp_path_factory.mktemp("rendered")
    out = {}
    files = []
    for name, make in (("huyen", render.bundled_outputs), ("tinh", render.province_outputs)):
        folder = make(base / name)
        signed = folder / "quyet-dinh-ky.docx"
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "decision", str(folder / "results.json"),
                               "--signer", SIGNER, "--number", "47", "--date", "2024-02-05", "--out", str(signed)],
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        files += [folder / "ket-qua.xlsx", folder / "quyet-dinh.docx", signed]
        out[name] = {"folder": folder, "results": json.loads((folder / "results.json").read_text(encoding="utf-8"))}
    pdf_dir = base / "pdf"
    pdfs = []
    try:
        for name in EXAMPLES:  # one LibreOffice run per example (the file names repeat)
            pdfs += render.to_pdf([f for f in files if f.parent == out[name]["folder"]], pdf_dir / name)
    except render.RenderError as exc:
        pytest.fail(str(exc))
    for name in EXAMPLES:
        out[name]["pdf"] = {pdf.stem: read_pdf(pdf) for pdf in pdfs if pdf.parent.name == name}
    return out


def _pages(rendered, example, document):
    return rendered[example]["pdf"][document]


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("document", ["ket-qua", "quyet-dinh", "quyet-dinh-ky"])
def test_no_text_overlaps_or_leaves_the_page(rendered, example, document):
    pages = _pages(rendered, example, document)
    assert pages
    for page in pages:
        overlaps = overlapping_words(page)
        assert not overlaps, (f"{example}/{document}.pdf trang {page.number}: chữ đè lên nhau: "
                              + "; ".join(f"{a.text!r}/{b.text!r} ở y={a.top:.0f}" for a, b in overlaps[:5]))
        outside = off_page(page)
        assert not outside, f"{example}/{document}.pdf trang {page.number}: ra ngoài trang: {outside[:5]}"


def _sheet_pages(rendered, example):
    """{sheet name: [pages]} from the page headers "<title> - <sheet>"."""
    results = rendered[example]["results"]
    book = openpyxl.load_workbook(rendered[example]["folder"] / "ket-qua.xlsx", read_only=True)
    sheets = book.sheetnames
    book.close()
    by_sheet = {}
    for page in _pages(rendered, example, "ket-qua"):
        sheet = header_sheet(page, results["criteria"]["title"], sheets)
        assert sheet, f"{example}/ket-qua.pdf trang {page.number}: không có dòng đầu trang tên bảng"
        by_sheet.setdefault(sheet, []).append(page)
    assert set(by_sheet) == set(sheets), "mỗi bảng phải được in"
    return by_sheet


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_printed_page_holds_all_columns_of_its_sheet(rendered, example):
    """Fit to the page width: each page of a table shows its first and its last column (with the
    header row repeated), so no column spills onto extra pages."""
    book = openpyxl.load_workbook(rendered[example]["folder"] / "ket-qua.xlsx")
    for sheet, pages in _sheet_pages(rendered, example).items():
        ws = book[sheet]
        titles = ws.print_title_rows
        if not titles:
            continue
        row = int(titles.split(":")[0].lstrip("$"))
        headers = [cell.value for cell in ws[row] if cell.value]
        for page in pages:
            words = {word.text for word in page.words}
            for header in (headers[0], headers[-1]):
                assert set(header.split()) <= words, f"{example} {sheet} trang {page.number}: thiếu cột {header!r}"
            right = max(word.x1 for word in page.words)
            assert right <= page.width - MARGIN_RIGHT + 1, f"{example} {sheet} trang {page.number}: tràn lề phải"


@pytest.mark.parametrize("example", EXAMPLES)
def test_charts_inside_the_printed_area_of_one_page(rendered, example):
    pages = _sheet_pages(rendered, example)["Biểu đồ"]
    titles = ["Số đơn vị theo xếp loại", "Chỉ số thành phần theo lĩnh vực (%): bình quân và đơn vị xếp đầu"]
    communes = len(rendered[example]["results"]["communes"])
    titles.append("Chỉ số CCHC theo đơn vị (%)" if communes <= 60 else "đơn vị có Chỉ số CCHC cao nhất (%)")
    for title in titles:
        assert sum(page.has(title) for page in pages) == 1, f"{example}: biểu đồ {title!r} phải ở đúng một trang"
    for page in pages:
        for x0, top, x1, bottom in page.drawings:
            assert MARGIN_LEFT - 2 <= x0 and x1 <= page.width - MARGIN_RIGHT + 2, (example, page.number, x0, x1)
            assert MARGIN_TOP - 2 <= top and bottom <= page.height - MARGIN_BOTTOM + 2, (example, page.number, top)


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("document", ["quyet-dinh", "quyet-dinh-ky"])
def test_signature_block_on_one_page(rendered, example, document):
    pages = _pages(rendered, example, document)
    holding = [page for page in pages if page.has("TM. ỦY BAN NHÂN DÂN")]
    assert len(holding) == 1
    page = holding[0]
    tm = page.find("TM. ỦY BAN NHÂN DÂN")[0]
    chair = [word for word in page.find("CHỦ TỊCH") if word.top > tm.bottom]
    assert chair, f"{example}/{document}: CHỦ TỊCH không cùng trang với TM. ỦY BAN NHÂN DÂN"
    assert page.has("Nơi nhận:") and page.has("- Lưu: VT")
    if document == "quyet-dinh-ky":
        name = page.find(SIGNER)
        assert name and name[0].top > chair[0].bottom, f"{example}: tên người ký không cùng trang chữ ký"
    # the last article travels with the signature
    assert page.has("chịu trách nhiệm thi hành Quyết định này./.")


@pytest.mark.parametrize("example", EXAMPLES)
def test_annex_header_repeats_on_every_page(rendered, example):
    pages = _pages(rendered, example, "quyet-dinh-ky")
    start = next(page.number for page in pages if page.has("(Kèm theo Quyết định số"))
    annex = pages[start - 1:]
    if example == "tinh":
        assert len(annex) >= 2, "the province example must give an annex of several pages"
    communes = rendered[example]["results"]["communes"]
    seen = []
    for page in annex:
        words = [word for word in page.words if word.text in ("STT", "tối", "Xếp")]
        assert {word.text for word in words} == {"STT", "tối", "Xếp"}, f"{example}: trang {page.number} thiếu tiêu đề"
        stt = min(word.top for word in words if word.text == "STT")
        numbers = [word for word in page.words if word.text.isdigit() and word.x1 < 140 and word.top > stt]
        assert numbers, f"{example}: trang {page.number} của phụ lục không có dòng nào"
        seen += [word.text for word in numbers]
    assert seen == [str(n) for n in range(1, len(communes) + 1)]


def test_page_counts(rendered):
    """The figures a reviewer can compare: pages of each output (see README)."""
    counts = {example: {name: len(pages) for name, pages in rendered[example]["pdf"].items()} for example in EXAMPLES}
    assert 2 <= counts["huyen"]["quyet-dinh"] <= 3  # two pages of decision at most, one of annex
    assert counts["huyen"]["quyet-dinh"] == counts["huyen"]["quyet-dinh-ky"]
    sheets = _sheet_pages(rendered, "huyen")
    assert len(sheets["Xếp hạng"]) == 1 and len(sheets["Theo lĩnh vực"]) == 1
    assert len(sheets["Biểu đồ"]) == 4  # three charts on pages of their own, then their data
