"""The ranked workbook (scoring/writers/workbook.py), read back with openpyxl.

The fixture tests/fixtures/results/small.json is a hand-built results document (the engine
writes the real ones): 4 communes in 2 ranking blocks, 3 areas (one from the survey),
appraisals, a bonus and a penalty, both not-applicable policies, flagged leaves, a commune
named =HYPERLINK(…) and reasons beginning with +, - and @.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from scoring.numbers import from_number, round_half_up, to_number
from scoring.vietnamese import sort_key
from scoring.writers import workbook as wbmod
from scoring.writers.atomic import OutputExists
from scoring.writers.workbook import (
    SHEET_ABOUT, SHEET_AREAS, SHEET_CHARTS, SHEET_CRITERIA, SHEET_DETAIL, SHEET_MISSING, SHEET_RANKING, SHEET_SELF,
    evidence_text, facts_text, render_workbook, write_workbook,
)

# openpyxl does not understand the Excel 2010 data-bar extension and says so; irrelevant here.
pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "results" / "small.json"
SCHEMA = ROOT / "scoring" / "results.schema.json"
HYPERLINK = '=HYPERLINK("http://example.com","x")'
# Strings that spreadsheets or xlsxwriter could take for something else than text. The last
# two would be copied raw into the sheet XML by xlsxwriter (the first injects a formula).
HOSTILE = [
    "+1-2",
    "@SUM(A1)",
    "-2+3",
    "=1+1",
    "http://example.com/x",
    "0123",
    '<r></r></is></c><c r="B1"><f>1+1</f></c><c r="C1" t="inlineStr"><is><r></r>',
    "<r><t>x</t></r>",
]


# ---------------------------------------------------------------------------------------
# helpers


@pytest.fixture
def results():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    path = write_workbook(results, tmp_path_factory.mktemp("wb") / "ket-qua.xlsx")
    return path, openpyxl.load_workbook(path)


def write_and_load(results, tmp_path, name="ket-qua.xlsx", **options):
    path = write_workbook(results, tmp_path / name, **options)
    return openpyxl.load_workbook(path)


def header_row(ws, first_header):
    for row in ws.iter_rows():
        if row[0].value == first_header:
            return row[0].row
    raise AssertionError(f"no header row in {ws.title}")


def rows_after(ws, header, width):
    """Data rows below the header row (as cell lists), stopping at the first empty row."""
    rows = []
    for row in ws.iter_rows(min_row=header + 1, max_col=width):
        if all(cell.value is None for cell in row):
            break
        rows.append(row)
    return rows


def hundredths(value):
    return None if value is None else from_number(value)


def all_cells(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            yield from row


def clone_communes(results, count):
    """A run of ``count`` communes made by copying the fixture's (new codes and names)."""
    results = copy.deepcopy(results)
    base = results["communes"]
    communes = []
    for i in range(count):
        commune = copy.deepcopy(base[i % len(base)])
        commune["code"] = f"{30000 + i:05d}"
        commune["name"] = f"Xã số {i + 1}"
        communes.append(commune)
    results["communes"] = communes
    results["summary"]["communes"] = count
    return results


# ---------------------------------------------------------------------------------------
# the fixture itself


def test_fixture_is_valid_results(results):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(results)


def test_fixture_numbers_are_consistent(results):
    crit = results["criteria"]
    for commune in results["communes"]:
        leaves = commune["leaves"]
        finals = lambda section: sum(from_number(l["final"]) for l in leaves if l["section"] == section)  # noqa: E731
        h = {key: from_number(commune[key]) for key in
             ("self_assessed", "appraised", "survey", "bonus", "penalty", "adjustment", "total", "max", "index")}
        assert h["appraised"] == finals("area")
        assert h["survey"] == finals("survey")
        assert h["self_assessed"] == sum(from_number(l["self_score"] or 0) for l in leaves if l["section"] == "area")
        assert h["adjustment"] == h["bonus"] - h["penalty"]
        assert h["total"] == h["appraised"] + h["survey"] + h["adjustment"]
        excluded = sum(from_number(l["max"]) for l in leaves if l["not_applicable"] == "exclude")
        assert h["max"] == from_number(crit["total_points"]) - excluded
        assert h["max"] == sum(from_number(l["counted_max"]) for l in leaves)
        assert h["index"] == min(10000, round_half_up(h["total"] * 10000, h["max"]))
        band = next(b["name"] for b in crit["bands"] if h["index"] >= from_number(b["min_index"]))
        assert commune["band"] == band
        for area in commune["areas"]:
            mine = [l for l in leaves if l["area"] == area["code"]]
            points, amax = sum(from_number(l["final"]) for l in mine), sum(from_number(l["counted_max"]) for l in mine)
            assert (from_number(area["points"]), from_number(area["max"])) == (points, amax)
            assert from_number(area["index"]) == round_half_up(points * 10000, amax)
        above = [l["code"] for l in leaves if l["self_score"] is not None and l["self_score"] > l["final"]]
        below = [l["code"] for l in leaves if l["self_score"] is not None and l["self_score"] < l["final"]]
        assert commune["flags"]["self_above"] == above
        assert commune["flags"]["self_below"] == below
        assert commune["not_applicable"] == [l["code"] for l in leaves if l["not_applicable"]]
    indices = [from_number(c["index"]) for c in results["communes"]]
    assert from_number(results["summary"]["average_index"]) == round_half_up(sum(indices), len(indices))
    assert sum(results["summary"]["bands"].values()) == len(results["communes"])


# ---------------------------------------------------------------------------------------
# Xếp hạng


def ranking_rows(ws):
    header = header_row(ws, "STT")
    rows = rows_after(ws, header, 13)
    return header, [row for row in rows if isinstance(row[0].value, int)], [row for row in rows
                                                                           if not isinstance(row[0].value, int)]


def test_ranking_rows_equal_results(small_book, results):
    _, book = small_book
    assert book.sheetnames[0] == SHEET_RANKING
    ws = book[SHEET_RANKING]
    header, rows, headings = ranking_rows(ws)
    assert [c.value for c in ws[header]] == list(wbmod.RANKING_HEADERS)
    assert len(rows) == len(results["communes"])
    keys = ("self_assessed", "appraised", "survey", "adjustment", "total", "max", "index")
    for number, (row, commune) in enumerate(zip(rows, results["communes"]), start=1):
        values = [cell.value for cell in row]
        assert values[0] == number
        assert values[1:4] == [commune["code"], commune["name"], commune["type"]]
        assert [hundredths(v) for v in values[4:11]] == [from_number(commune[k]) for k in keys]
        assert values[11] == commune["rank"] and values[12] == commune["band"]
        assert row[10].data_type == "n" and "0.00" in row[10].number_format
        assert all(cell.data_type == "n" for cell in row[4:12])
    # two blocks in the criteria set: one sub-heading per block, in the results' order
    assert [row[0].value for row in headings] == ["I. Khối xã", "II. Khối thị trấn"]


def test_ranking_band_colours_and_layout(small_book, results):
    _, book = small_book
    ws = book[SHEET_RANKING]
    header, rows, _ = ranking_rows(ws)
    colours = {b["name"]: b["color"] for b in results["criteria"]["bands"]}
    for row in rows:
        colour = colours[row[12].value]
        assert row[12].fill.fgColor.rgb[-6:] == colour[1:].upper()
    assert ws.freeze_panes == f"D{header + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header}:M")
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert "Trang &P/&N" in ws.oddFooter.center.text
    assert results["criteria"]["title"] in ws.oddHeader.center.text
    rules = {str(rng.sqref): [rule.type for rule in rule_list]
             for rng, rule_list in ws.conditional_formatting._cf_rules.items()}
    assert any(rng.startswith("K") and "dataBar" in types for rng, types in rules.items())


def test_single_block_has_no_block_headings(results, tmp_path):
    results["criteria"]["blocks"] = results["criteria"]["blocks"][:1]
    for commune in results["communes"]:
        commune["block"] = "xa"
    book = write_and_load(results, tmp_path)
    _, rows, headings = ranking_rows(book[SHEET_RANKING])
    assert headings == [] and len(rows) == 4


# ---------------------------------------------------------------------------------------
# strings from input stay strings


def test_no_formula_anywhere_and_injection_strings_are_text(small_book, results):
    _, book = small_book
    formulas = [(c.parent.title, c.coordinate, c.value) for c in all_cells(book) if c.data_type == "f"]
    assert formulas == []
    hyperlink_cells = [c for c in all_cells(book) if c.value == HYPERLINK]
    assert len(hyperlink_cells) >= 5  # ranking, areas, detail rows, flag lists, charts data
    assert all(c.data_type == "s" for c in hyperlink_cells)
    reasons = [l["reason"] for c in results["communes"] for l in c["leaves"] if l["reason"][:1] in "+-@"]
    assert {r[0] for r in reasons} == {"+", "-", "@"}
    texts = {c.value for c in all_cells(book) if c.data_type == "s"}
    for reason in reasons:
        assert any(t.startswith(reason) for t in texts), reason
    assert "=1+1 ngày 01/12/2023" in texts  # an evidence number that looks like a formula


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_stored_verbatim(results, tmp_path, hostile):
    results["communes"][0]["name"] = hostile
    results["communes"][1]["leaves"][0]["reason"] = hostile
    results["criteria"]["blocks"][0]["name"] = hostile
    results["criteria"]["title"] = hostile + " & tiêu đề"
    results["inputs"][0]["path"] = hostile
    book = write_and_load(results, tmp_path)
    assert not [c for c in all_cells(book) if c.data_type == "f"]
    cells = [c for c in all_cells(book) if c.value == hostile]
    assert {c.parent.title for c in cells} >= {SHEET_RANKING, SHEET_AREAS, SHEET_DETAIL, SHEET_CHARTS, SHEET_ABOUT}
    assert all(c.data_type == "s" for c in cells)
    _, rows, headings = ranking_rows(book[SHEET_RANKING])
    assert rows[0][2].value == hostile
    assert headings[0][0].value == "I. " + hostile
    # only the cells we wrote exist: nothing was injected beside them
    ws = book[SHEET_RANKING]
    assert ws.max_column == len(wbmod.RANKING_HEADERS)
    # its own sheet got a valid name
    names = book.sheetnames[len(wbmod.FIXED_SHEETS):]
    assert len(names) == 4 and all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)


# ---------------------------------------------------------------------------------------
# Theo lĩnh vực


def test_area_sheet_values_averages_and_best(small_book, results):
    _, book = small_book
    ws = book[SHEET_AREAS]
    areas = results["criteria"]["areas"]
    sub = header_row(ws, "STT") + 1
    rows = rows_after(ws, sub, 3 + 2 * len(areas) + 2)
    communes = results["communes"]
    data, average, best = rows[:len(communes)], rows[len(communes)], rows[len(communes) + 1]
    assert len(rows) == len(communes) + 2
    for row, commune in zip(data, communes):
        assert row[1].value == commune["code"] and row[2].value == commune["name"]
        by_code = {a["code"]: a for a in commune["areas"]}
        for i, area in enumerate(areas):
            assert hundredths(row[3 + 2 * i].value) == from_number(by_code[area["code"]]["points"])
            assert hundredths(row[4 + 2 * i].value) == from_number(by_code[area["code"]]["index"])
            assert "0.00" in row[4 + 2 * i].number_format
    assert average[2].value == "Bình quân" and best[2].value == "Cao nhất"
    for i, area in enumerate(areas):
        points = [from_number(a["points"]) for c in communes for a in c["areas"] if a["code"] == area["code"]]
        indices = [from_number(a["index"]) for c in communes for a in c["areas"]
                   if a["code"] == area["code"] and a["index"] is not None]
        assert hundredths(average[3 + 2 * i].value) == round_half_up(sum(points), len(points))
        assert hundredths(average[4 + 2 * i].value) == round_half_up(sum(indices), len(indices))
        top = max(indices)
        names = sorted((c["name"] for c in communes for a in c["areas"]
                        if a["code"] == area["code"] and a["index"] is not None and from_number(a["index"]) == top),
                       key=sort_key)
        assert best[3 + 2 * i].value == ", ".join(names)
        assert hundredths(best[4 + 2 * i].value) == top
    overall = 3 + 2 * len(areas)
    assert average[overall + 1].value == results["summary"]["average_index"]
    rules = [str(rng.sqref) for rng, rule_list in ws.conditional_formatting._cf_rules.items()
             if any(rule.type == "colorScale" for rule in rule_list)]
    assert len(rules) == len(areas) + 1


def test_average_is_half_up_not_half_even(results, tmp_path):
    # Two communes whose area points average to x.xx5: half up gives the larger hundredth.
    results = clone_communes(results, 2)
    results["communes"][0]["areas"][0].update(points=1.25, index=20.83)
    results["communes"][1]["areas"][0].update(points=1.5, index=25)
    book = write_and_load(results, tmp_path)
    ws = book[SHEET_AREAS]
    rows = rows_after(ws, header_row(ws, "STT") + 1, 5)
    assert rows[2][2].value == "Bình quân"
    assert rows[2][3].value == 1.38  # (1,25 + 1,5) / 2 = 1,375 → 1,38
    assert rows[2][4].value == 22.92  # (20,83 + 25) / 2 = 22,915 → 22,92


# ---------------------------------------------------------------------------------------
# Chi tiết and the per-commune sheets


def test_detail_sheet_has_one_row_per_commune_and_leaf(small_book, results):
    _, book = small_book
    ws = book[SHEET_DETAIL]
    header = header_row(ws, "Mã xã")
    assert [c.value for c in ws[header]] == list(wbmod.DETAIL_HEADERS)
    rows = rows_after(ws, header, len(wbmod.DETAIL_HEADERS))
    expected = [(c, l) for c in results["communes"] for l in c["leaves"]]
    assert len(rows) == len(expected)
    for row, (commune, leaf) in zip(rows, expected):
        values = [cell.value for cell in row]
        assert values[:3] == [commune["code"], commune["name"], leaf["code"]]
        assert values[3] == leaf["title"]
        for col, key in ((5, "max"), (7, "evidence_score"), (8, "self_score"), (9, "appraised_score"), (10, "final")):
            assert hundredths(values[col]) == hundredths(leaf[key]), (leaf["code"], key)
        policy = {"exclude": "Loại khỏi điểm tối đa", "full": "Tính đủ điểm", None: None}
        assert values[11] == policy[leaf["not_applicable"]]
        assert values[6] == (facts_text(leaf["facts"]) or None)
        assert values[12] == (evidence_text(leaf["evidence"]) or None)
        assert values[13].startswith(leaf["reason"])
    by_key = {(r[0].value, r[2].value): r for r in rows}
    assert by_key[("23503", "2.1.1")][6].value == "212/215"
    assert by_key[("23503", "1.1.1")][12].value == "04/KH-UBND ngày 09/01/2023"
    assert by_key[("23506", "T.1")][12].value == "60/QĐ-UBND ngày 12/09/2023; 75/QĐ-UBND ngày 20/11/2023"


def test_per_commune_sheets(small_book, results):
    _, book = small_book
    names = book.sheetnames
    assert names[:8] == [SHEET_RANKING, SHEET_AREAS, SHEET_CRITERIA, SHEET_DETAIL, SHEET_SELF, SHEET_MISSING, SHEET_CHARTS,
                         SHEET_ABOUT]
    assert len(names) == 8 + len(results["communes"])
    for name, commune in zip(names[8:], results["communes"]):
        ws = book[name]
        assert ws["A1"].value == f"{commune['name']} (mã {commune['code']})"
        total_row = [row for row in ws.iter_rows() if row[1].value == "Tổng cộng"][0]
        assert hundredths(total_row[7].value) == from_number(commune["total"])
        assert hundredths(total_row[8].value) == from_number(commune["index"])
        codes = {row[0].value for row in ws.iter_rows()}
        assert {leaf["code"] for leaf in commune["leaves"]} <= codes


def test_per_commune_sheets_switch(results, tmp_path):
    assert len(write_and_load(results, tmp_path, "a.xlsx", per_commune_sheets=False).sheetnames) == 8
    big = clone_communes(results, wbmod.PER_COMMUNE_SHEETS_MAX + 1)
    assert len(write_and_load(big, tmp_path, "b.xlsx").sheetnames) == 8
    assert len(write_and_load(big, tmp_path, "c.xlsx", per_commune_sheets=True).sheetnames) == 8 + len(big["communes"])


def test_sheet_names_are_valid_and_unique():
    used = {name.casefold() for name in wbmod.FIXED_SHEETS}
    names = [
        wbmod._sheet_name("Đăk Hà", "23503", used),
        wbmod._sheet_name("ĐĂK HÀ", "23504", used),  # same name but for case
        wbmod._sheet_name("Xếp hạng", "23505", used),  # a fixed sheet's name
        wbmod._sheet_name("a/b:c*d?e[f]g\\h", "23506", used),
        wbmod._sheet_name("Phường " + "Rất Dài " * 10, "23507", used),
        wbmod._sheet_name("Phường " + "Rất Dài " * 10, "23508", used),
        wbmod._sheet_name("'quoted'", "23509", used),
        wbmod._sheet_name("History", "23510", used),
        wbmod._sheet_name("", "23511", used),
        wbmod._sheet_name("Ea H'Leo", "23512", used),  # real names contain apostrophes
    ]
    assert names[-1] == "Ea H'Leo"
    assert names[0] == "Đăk Hà" and names[1] == "ĐĂK HÀ (23504)" and names[2] == "Xếp hạng (23505)"
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'") and name.casefold() != "history"


def test_large_run_skips_the_detail_sheet(results, tmp_path, monkeypatch):
    monkeypatch.setattr(wbmod, "DETAIL_SHEET_MAX_COMMUNES", 3)
    book = write_and_load(results, tmp_path, "a.xlsx")
    assert SHEET_DETAIL not in book.sheetnames
    about = " ".join(str(c.value) for c in all_cells(book) if c.parent.title == SHEET_ABOUT)
    assert "python cli.py explain MÃ_XÃ" in about and "Chi tiết" in about
    # the council's lists stay complete
    self_rows = rows_after(book[SHEET_SELF], header_row(book[SHEET_SELF], "STT"), 10)
    assert len(self_rows) == results["summary"]["self_differs"]
    forced = write_and_load(results, tmp_path, "b.xlsx", detail_sheet=True)
    assert SHEET_DETAIL in forced.sheetnames


# ---------------------------------------------------------------------------------------
# the council's lists


def test_self_vs_final_lists_exactly_the_flagged_leaves(small_book, results):
    _, book = small_book
    ws = book[SHEET_SELF]
    header = header_row(ws, "STT")
    assert [c.value for c in ws[header]] == list(wbmod.SELF_HEADERS)
    rows = rows_after(ws, header, len(wbmod.SELF_HEADERS))
    listed = [(row[1].value, row[3].value) for row in rows]
    flagged = {(c["code"], code) for c in results["communes"]
               for code in c["flags"]["self_above"] + c["flags"]["self_below"]}
    assert len(listed) == len(set(listed)) and set(listed) == flagged
    assert len(listed) == results["summary"]["self_differs"]
    leaves = {(c["code"], l["code"]): l for c in results["communes"] for l in c["leaves"]}
    gaps = []
    for row in rows:
        leaf = leaves[(row[1].value, row[3].value)]
        assert hundredths(row[6].value) == from_number(leaf["self_score"])
        assert hundredths(row[7].value) == from_number(leaf["final"])
        gap = from_number(leaf["final"]) - from_number(leaf["self_score"])
        assert gap != 0 and hundredths(row[8].value) == gap
        gaps.append((-abs(gap), row[1].value, wbmod._leaf_key(row[3].value)))
    assert gaps == sorted(gaps)
    assert [row[0].value for row in rows] == list(range(1, len(rows) + 1))


def test_missing_evidence_lists_exactly_the_flagged_leaves(small_book, results):
    _, book = small_book
    ws = book[SHEET_MISSING]
    rows = rows_after(ws, header_row(ws, "STT"), len(wbmod.MISSING_HEADERS))
    listed = [(row[1].value, row[3].value) for row in rows]
    flagged = {(c["code"], code) for c in results["communes"] for code in c["flags"]["missing_evidence"]}
    assert len(listed) == len(set(listed)) and set(listed) == flagged
    assert len(listed) == results["summary"]["missing_evidence"]
    assert listed == sorted(listed, key=lambda item: (item[0], wbmod._leaf_key(item[1])))


def test_empty_lists_say_so(results, tmp_path):
    for commune in results["communes"]:
        commune["flags"]["missing_evidence"] = []
    book = write_and_load(results, tmp_path)
    ws = book[SHEET_MISSING]
    assert rows_after(ws, header_row(ws, "STT"), 9) == []
    assert ws["A3"].value == "Không có tiêu chí nào."


# ---------------------------------------------------------------------------------------
# Biểu đồ and Thông tin


def test_charts_and_their_data(small_book, results):
    path, book = small_book
    ws = book[SHEET_CHARTS]
    rows = rows_after(ws, header_row(ws, "Mã xã"), 10)
    by_index = sorted(results["communes"], key=lambda c: (-from_number(c["index"]), c["code"]))
    assert [(r[0].value, r[2].value) for r in rows if r[0].value] == [(c["code"], c["index"]) for c in by_index]
    bands = [(r[4].value, r[5].value) for r in rows if r[4].value is not None]
    assert bands == [(b["name"], results["summary"]["bands"][b["name"]]) for b in results["criteria"]["bands"]]
    selected = results["communes"][0]
    assert ws.cell(header_row(ws, "Mã xã"), 10).value == selected["name"]
    area_rows = [r for r in rows if r[7].value is not None]
    assert [r[9].value for r in area_rows] == [a["index"] for a in selected["areas"]]
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        kinds = [re.search(r"<c:(\w+)Chart>", archive.read(n).decode()).group(1) for n in charts]
    assert kinds == ["bar", "bar", "radar"]  # index by commune, communes per band (columns), areas


def test_many_communes_chart_top_and_bottom(results, tmp_path):
    big = clone_communes(results, wbmod.CHART_ALL_COMMUNES_MAX + 5)
    path = write_workbook(big, tmp_path / "big.xlsx")
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4


def test_about_sheet_lists_inputs_and_run(small_book, results):
    _, book = small_book
    ws = book[SHEET_ABOUT]
    texts = [c.value for c in all_cells(book) if c.parent.title == SHEET_ABOUT and isinstance(c.value, str)]
    for entry in results["inputs"]:
        assert entry["sha256"] in texts and entry["path"] in texts
    joined = "\n".join(texts)
    for needle in (results["criteria"]["id"], results["criteria"]["title"], "15/QĐ-UBND ngày 16/01/2023",
                   "cchc-scoring 0.1.0", results["generated_at"], "CÁCH ĐỌC BẢNG TÍNH"):
        assert needle in joined
    values = {row[0].value: row[1].value for row in ws.iter_rows(max_col=2)}
    assert values["Năm đánh giá"] == results["criteria"]["year"]
    assert values["Chỉ số CCHC bình quân (%)"] == results["summary"]["average_index"]


# ---------------------------------------------------------------------------------------
# reproducible, atomic, never overwriting without force


def test_same_results_give_identical_bytes(results, tmp_path):
    first = write_workbook(results, tmp_path / "a" / "ket-qua.xlsx")
    second = write_workbook(copy.deepcopy(results), tmp_path / "b" / "khac.xlsx")
    assert first.read_bytes() == second.read_bytes()
    created = openpyxl.load_workbook(first).properties.created
    assert created == datetime(2024, 2, 1, 1, 0, 0)  # 08:00 +07:00 in UTC
    results["generated_at"] = "2024-02-02T08:00:00+07:00"
    third = write_workbook(results, tmp_path / "c" / "ket-qua.xlsx")
    assert third.read_bytes() != first.read_bytes()


def test_exact_decimal_results_give_the_same_workbook(results, tmp_path):
    # results read back exactly (numbers as Decimal, like load_results) write the same file
    exact = json.loads(FIXTURE.read_text(encoding="utf-8"), parse_float=Decimal)
    assert isinstance(exact["communes"][0]["index"], Decimal)
    first = write_workbook(results, tmp_path / "float.xlsx")
    second = write_workbook(exact, tmp_path / "decimal.xlsx")
    assert first.read_bytes() == second.read_bytes()


def test_render_workbook_is_the_produce_step(results, tmp_path):
    target = tmp_path / ".staged.tmp"
    target.write_bytes(b"")  # what mkstemp leaves for produce
    render_workbook(results, target)
    assert openpyxl.load_workbook(io.BytesIO(target.read_bytes())).sheetnames[0] == SHEET_RANKING
    assert [p.name for p in tmp_path.iterdir()] == [".staged.tmp"]
    assert target.read_bytes() == write_workbook(results, tmp_path / "b" / "x.xlsx").read_bytes()


def test_created_time_from_generated_at():
    assert wbmod._created_time("2024-02-01T08:00:00+07:00") == datetime(2024, 2, 1, 1, 0, tzinfo=timezone.utc)
    assert wbmod._created_time("2024-02-01T08:00:00Z") == datetime(2024, 2, 1, 8, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        wbmod._created_time("hôm qua")


def test_existing_output_needs_force(results, tmp_path):
    path = tmp_path / "ket-qua.xlsx"
    path.write_bytes(b"old workbook")
    with pytest.raises(OutputExists):
        write_workbook(results, path)
    assert path.read_bytes() == b"old workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket-qua.xlsx"]
    write_workbook(results, path, force=True)
    assert path.read_bytes()[:2] == b"PK"
    assert openpyxl.load_workbook(path).sheetnames[0] == SHEET_RANKING


def test_failure_leaves_no_temporary_file_and_keeps_old_output(results, tmp_path, monkeypatch):
    path = tmp_path / "out" / "ket-qua.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"old workbook")

    def boom(self, ws, names):
        raise RuntimeError("hỏng giữa chừng")

    monkeypatch.setattr(wbmod._Builder, "_about", boom)
    with pytest.raises(RuntimeError):
        write_workbook(results, path, force=True)
    assert path.read_bytes() == b"old workbook"
    assert [p.name for p in path.parent.iterdir()] == ["ket-qua.xlsx"]


def test_bad_data_fails_cleanly(results, tmp_path):
    results["communes"][-1]["leaves"][-1]["final"] = "không phải số"
    with pytest.raises(TypeError):
        write_workbook(results, tmp_path / "ket-qua.xlsx")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------
# text helpers


def test_facts_and_evidence_text():
    assert facts_text({"numerator": 212, "denominator": 215}) == "212/215"
    assert facts_text({"numerator": 1500, "denominator": 1520}) == "1.500/1.520"
    assert facts_text({"done": True}) == "Đã thực hiện"
    assert facts_text({"done": False}) == "Chưa thực hiện"
    assert facts_text({"value": 12.5}) == "Giá trị: 12,5"
    assert facts_text({"violations": 2}) == "Số vi phạm: 2"
    assert facts_text({"choice": "late"}) == "Lựa chọn: late"
    assert facts_text({"tallies": {"B": 2, "A": 3}}) == "Số phiếu: A: 3, B: 2"
    assert facts_text({}) == "" and facts_text(None) == ""
    docs = [{"number": "04/KH-UBND", "date": "2023-01-09", "title": "Kế hoạch"},
            {"number": "12/QĐ-UBND", "date": "2023-02-10", "title": "Quyết định"}]
    assert evidence_text(docs) == "04/KH-UBND ngày 09/01/2023; 12/QĐ-UBND ngày 10/02/2023"
    assert evidence_text([]) == ""


def test_leaf_codes_sort_naturally():
    codes = ["1.10.1", "1.2.1", "T.1", "1.9", "10.1", "2.1"]
    assert sorted(codes, key=wbmod._leaf_key) == ["1.2.1", "1.9", "1.10.1", "2.1", "10.1", "T.1"]


def test_no_communes(results, tmp_path):
    results["communes"] = []
    results["summary"].update(communes=0, average_index=None, missing_evidence=0, self_differs=0)
    book = write_and_load(results, tmp_path)
    assert book.sheetnames[:8] == list(wbmod.FIXED_SHEETS)
    assert ranking_rows(book[SHEET_RANKING])[1] == []


def test_numbers_round_trip_exactly():
    # The workbook stores the JSON numbers themselves: 85.13 reads back as 8513 hundredths.
    for h in (8513, 1, 10, 99999, -50, 0, 7195):
        assert from_number(to_number(h)) == h


def test_no_row_is_made_taller_than_excel_allows():
    """A reason of a few thousand words in a 48-character column needs more than Excel's 409
    points: the row gets 409 (the rest is read in the cell), in every sheet that fits heights."""
    from scoring.writers.workbook import EXCEL_MAX_ROW_HEIGHT, row_height

    assert EXCEL_MAX_ROW_HEIGHT == 409
    assert row_height([("lý do " * 3000, 48)]) == 409
    assert row_height([("lý do", 48)]) < 20


def test_thong_tin_gives_the_true_reason_when_detail_is_left_out_on_request(results, tmp_path):
    """A workbook written with detail_sheet=False for a few communes (the public write_workbook
    option) said "Chi tiết" was left out because its rows passed Excel's last row: it says it
    was not asked for."""
    book = write_and_load(results, tmp_path, detail_sheet=False)
    assert SHEET_DETAIL not in book.sheetnames
    said = [cell.value for row in book[SHEET_ABOUT].iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.value.startswith(f"Bảng {SHEET_DETAIL} không được tạo")]
    assert len(said) == 1 and said[0].startswith(f"Bảng {SHEET_DETAIL} không được tạo vì không được yêu cầu"), said
