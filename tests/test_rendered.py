"""The outputs as an officer prints them (issue 17): LibreOffice renders them to PDF and the
PDF is read back for what a person sees.

Rendered once per session (one LibreOffice run, ~30 s): the bundled example (district,
Tu Mơ Rông 2023) and a generated province example (tools/render.py), each with its workbook,
its decision as ``score`` writes it (no signer yet) and its decision with a signer's name.
LibreOffice is required: `make test` installs it; without it these tests fail, they are
never skipped.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

# openpyxl does not understand the Excel 2010 data-bar extension and says so; irrelevant here.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

from pdf_layout import cut_by_rules, header_sheet, off_page, overlapping_words, read_pdf
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


CHART_TITLES = ("Chỉ số CCHC theo đơn vị (%)", "Số đơn vị theo xếp loại", "Chỉ số thành phần theo lĩnh vực (%)",
                "đơn vị có Chỉ số CCHC cao nhất (%)", "đơn vị có Chỉ số CCHC thấp nhất (%)")


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("document", ["ket-qua", "quyet-dinh-ky"])
def test_no_text_cut_by_a_cell_border(rendered, example, document):
    """Every text inside its cell: no border printed through a word (a header taller than its
    row, a band wider than its column, a block's sub-heading over the row's inner borders).
    Chart pages are left out: their grid lines cross the data labels by design."""
    for page in _pages(rendered, example, document):
        if any(page.has(title) for title in CHART_TITLES):
            continue
        cut = cut_by_rules(page)
        assert not cut, (f"{example}/{document}.pdf trang {page.number}: đường kẻ ô cắt qua chữ: "
                         + "; ".join(f"{word.text!r} ({way} ở {at:.0f})" for word, way, at in cut[:6]))


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
    header row repeated), so no column spills onto extra pages. A sheet printed in slices of
    columns (too wide to read on one page: "Theo tiêu chí" with many criteria) repeats its unit
    columns on every page and prints every criterion whole: test_wide_sheet_in_slices."""
    book = openpyxl.load_workbook(rendered[example]["folder"] / "ket-qua.xlsx")
    for sheet, pages in _sheet_pages(rendered, example).items():
        ws = book[sheet]
        titles = ws.print_title_rows
        if not titles or ws.print_title_cols:
            continue
        row = int(titles.split(":")[0].lstrip("$"))
        headers = [cell.value for cell in ws[row] if cell.value]
        for page in pages:
            words = {word.text for word in page.words}
            for header in (headers[0], headers[-1]):
                assert set(header.split()) <= words, f"{example} {sheet} trang {page.number}: thiếu cột {header!r}"
            right = max(word.x1 for word in page.words)
            assert right <= page.width - MARGIN_RIGHT + 1, f"{example} {sheet} trang {page.number}: tràn lề phải"


# A word's glyph box at 11 pt printed at 100 % is ~7.3 pt high; below MIN_GLYPH the median word
# of a page is printed at under ~40 % (4.5-point letters): unreadable on paper.
MIN_GLYPH = 3.0


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_page_of_the_workbook_is_legible(rendered, example):
    for sheet, pages in _sheet_pages(rendered, example).items():
        for page in pages:
            heights = sorted(word.bottom - word.top for word in page.words)
            median = heights[len(heights) // 2]
            assert median >= MIN_GLYPH, f"{example} {sheet} trang {page.number}: chữ in quá nhỏ ({median:.1f} pt)"


def test_wide_sheet_in_slices(rendered):
    """The bundled "Theo tiêu chí" (17 criteria, 56 columns): slices of whole criteria, the unit
    columns (STT, Mã xã, Tên đơn vị …) on every page, every criterion printed."""
    from scoring.writers.figures_sheet import NODE_HEADERS, node_columns

    pages = _sheet_pages(rendered, "huyen")["Theo tiêu chí"]
    columns = node_columns(rendered["huyen"]["results"]["communes"])
    assert len(pages) > 1
    seen = set()
    for page in pages:
        for header in ("STT", "Mã xã", "Tên đơn vị"):
            assert page.has(header), f"Theo tiêu chí trang {page.number}: thiếu cột {header!r}"
        printed = [code for code, _title in columns if page.find(f"{code}.")]
        assert printed, f"Theo tiêu chí trang {page.number}: không có tiêu chí nào"
        # every criterion on the page is whole: its three columns under it
        assert len(page.find(NODE_HEADERS[0])) == len(printed), (page.number, printed)
        seen.update(printed)
    assert seen == {code for code, _title in columns}


@pytest.mark.parametrize("example", EXAMPLES)
def test_charts_inside_the_printed_area_of_one_page(rendered, example):
    pages = _sheet_pages(rendered, example)["Biểu đồ"]
    titles = ["Số đơn vị theo xếp loại", "Chỉ số thành phần theo lĩnh vực (%): bình quân và đơn vị xếp đầu"]
    communes = len(rendered[example]["results"]["communes"])
    titles.append("Chỉ số CCHC theo đơn vị (%)" if communes <= 60 else "đơn vị có Chỉ số CCHC cao nhất (%)")
    for title in titles:
        assert sum(page.has(title) for page in pages) == 1, f"{example}: biểu đồ {title!r} phải ở đúng một trang"
    # the first chart under the sheet's title, never a page holding the title alone
    assert pages[0].has(titles[-1]), f"{example}: trang đầu của Biểu đồ không có biểu đồ nào"
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


# -- the signature block at a page boundary -------------------------------------------------
# The decision's body grows with the office's extra legal bases (one line each here): a sweep
# of lengths moves the signature block ("Nơi nhận" | TM./CHỦ TỊCH/name) across the foot of a
# page. Each range was measured to hold the step where the block moves to the next page (the
# test says so if fonts or the template move it out of the range).
SWEEP = {"huyen": range(23, 30), "tinh": range(20, 27)}
SWEEP_BASIS = "Căn cứ Nghị định số {n}/2024/NĐ-CP ngày 01 tháng 01 năm 2024"


@pytest.fixture(scope="session")
def boundary_sweep(rendered, tmp_path_factory):
    """{example: [(extra bases, [Page])]}: the signed decision with ever more bases, printed."""
    from scoring.writers.decision import DecisionDetails, render_decision

    base = tmp_path_factory.mktemp("sweep")
    files = []
    for example, counts in SWEEP.items():
        for count in counts:
            details = DecisionDetails(number="47", date=datetime.date(2024, 2, 5), signer=SIGNER,
                                      extra_legal_bases=tuple(SWEEP_BASIS.format(n=100 + i) for i in range(count)))
            path = base / f"{example}-{count:02d}.docx"
            path.write_bytes(render_decision(rendered[example]["results"], details))
            files.append(path)
    try:
        pdfs = render.to_pdf(files, base / "pdf")
    except render.RenderError as exc:
        pytest.fail(str(exc))
    out = {}
    for pdf in pdfs:
        example, count = pdf.stem.rsplit("-", 1)
        out.setdefault(example, []).append((int(count), read_pdf(pdf)))
    return out


def _signature_page(pages, label) -> int:
    """The one page holding the whole signature block and the last line of Điều 3."""
    parts = ("chịu trách nhiệm thi hành Quyết định này./.", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", SIGNER,
             "- Lưu: VT")
    where = {part: [page.number for page in pages if page.has(part)] for part in parts}
    numbers = {n for found in where.values() for n in found}
    assert len(numbers) == 1 and all(where.values()), f"{label}: khối chữ ký bị tách trang: {where}"
    page = pages[numbers.pop() - 1]
    tm = page.find("TM. ỦY BAN NHÂN DÂN")[0]
    assert [w for w in page.find("CHỦ TỊCH") if w.top > tm.bottom] and page.find(SIGNER)[0].top > tm.bottom
    return page.number


def _blank_pages(pages) -> list[int]:
    """Pages that print nothing but (at most) their page number."""
    return [page.number for page in pages if not [w for w in page.words if not w.text.isdigit()]]


@pytest.mark.parametrize("example", EXAMPLES)
def test_signature_block_whole_where_it_meets_a_page_end(boundary_sweep, example):
    placed = []
    for count, pages in sorted(boundary_sweep[example]):
        label = f"{example}, {count} căn cứ thêm"
        placed.append(_signature_page(pages, label))
        assert not _blank_pages(pages), f"{label}: trang trắng {_blank_pages(pages)}"
    assert len(set(placed)) == 2, (f"{example}: the sweep {SWEEP[example]} must move the signature block to the "
                                   f"next page once (pages {placed}); re-measure the range")


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("document", ["quyet-dinh", "quyet-dinh-ky"])
def test_no_blank_page(rendered, example, document):
    pages = _pages(rendered, example, document)
    assert not _blank_pages(pages), f"{example}/{document}.pdf: trang trắng {_blank_pages(pages)}"


@pytest.fixture(scope="session")
def compared(tmp_path_factory):
    """The bundled example's workbook scored with --previous, rendered: the pages of its sheet
    "So sánh năm trước" and the results."""
    try:
        render.soffice()
    except render.RenderError as exc:
        pytest.fail(str(exc))
    from scoring.writers.workbook import render_workbook
    from test_previous import province_sized

    base = tmp_path_factory.mktemp("compared")
    folder = render.previous_outputs(base / "out")
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    grown = province_sized(results)  # 120 units: the two charts of the highest and lowest
    render_workbook(grown, folder / "ket-qua-tinh.xlsx")
    fifty = province_sized(results, 50)  # every unit, in two charts of 25 (one chart of 50 was cut across pages)
    render_workbook(fifty, folder / "ket-qua-50.xlsx")
    try:
        pdfs = render.to_pdf([folder / "ket-qua.xlsx", folder / "ket-qua-tinh.xlsx", folder / "ket-qua-50.xlsx"],
                             base / "pdf")
    except render.RenderError as exc:
        pytest.fail(str(exc))
    book = openpyxl.load_workbook(folder / "ket-qua.xlsx", read_only=True)
    sheets = book.sheetnames
    book.close()
    pages = {pdf.stem: [page for page in read_pdf(pdf)
                        if header_sheet(page, results["criteria"]["title"], sheets) == "So sánh năm trước"]
             for pdf in pdfs}
    return pages, {"ket-qua": results, "ket-qua-tinh": grown, "ket-qua-50": fifty}


@pytest.mark.parametrize("name", ["ket-qua", "ket-qua-tinh", "ket-qua-50"])
def test_the_comparison_with_last_year_prints_whole(compared, name):
    """Issue 17's leftover: the reasons a unit cannot be rewarded wrapped in rows of one line's
    height, and the largest changes and the award rules wrapped in an 11-character column,
    printed over the rows below them; a chart must sit whole on one page (a province's 120
    units: the charts of the 30 highest and the 30 lowest, one page each)."""
    every_page, documents = compared
    pages, results = every_page[name], documents[name]
    assert pages, "bảng So sánh năm trước phải được in"
    title = f"Chỉ số CCHC năm {results['criteria']['year']} so với năm trước"
    for page in pages:
        overlaps = overlapping_words(page)
        assert not overlaps, (f"So sánh năm trước, trang {page.number}: chữ đè lên nhau: "
                              + "; ".join(f"{a.text!r}/{b.text!r}" for a, b in overlaps[:5]))
        assert not off_page(page), f"So sánh năm trước, trang {page.number}: chữ ra ngoài trang"
        if not page.has(title):  # the chart's grid lines cross its labels by design
            assert not cut_by_rules(page), f"So sánh năm trước, trang {page.number}: đường kẻ ô cắt qua chữ"
    # each chart on one page, whole: its title there only, its legend too, nothing past the paper
    chart_pages = [page for page in pages if page.has(title)]
    assert len(chart_pages) == (1 if name == "ket-qua" else 2)
    for page in chart_pages:
        assert page.has("Năm nay") and page.has("Năm trước")
    if name == "ket-qua":
        assert chart_pages[0].has(results["comparison"]["units"][-1]["name"])
    elif name == "ket-qua-50":  # each chart whole on its page: its title, its first and last unit
        for page, part, (first, last) in zip(chart_pages, ("1/2", "2/2"), ((1, 25), (26, 50))):
            assert page.has(f"({part})") and page.has(f"Xã Thử Nghiệm {first}") and page.has(f"Xã Thử Nghiệm {last}")
    else:
        assert chart_pages[0].has("30 đơn vị có Chỉ số CCHC năm 2023 cao nhất")
        assert chart_pages[1].has("30 đơn vị có Chỉ số CCHC năm 2023 thấp nhất")
    every_reason = " ".join(page.flat for page in pages)
    for unit in results["comparison"]["units"]:
        if unit["eligible"] is False:
            assert unit["name"] in every_reason
    for rule in results["comparison"]["eligibility_rules"]:
        assert " ".join(f"Căn cứ: {rule['legal_source']}".split()) in " ".join(every_reason.split())
