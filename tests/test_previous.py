"""Year over year (issue 15): score --previous against last year's results.json.

Scenario cases as data (tests/previous_cases/*.json, hand arithmetic in each note) run
through the library (scoring.load_previous, scoring.previous.compare); one broken fixture
per new error code (tests/fixtures/previous/*.json) run through the CLI, which must exit 1
with the error at its pointer and write nothing; the outputs read back (results.json
against its schema, the workbook with openpyxl, the decision with python-docx); and the
outputs without --previous unchanged.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

import scoring
from cli import cli
from scoring.files import document_from_data
from scoring.previous import compare
from scoring.registry import build_registry
from scoring.validate import schema_issues

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "previous_cases").glob("*.json"))
BAD = sorted((ROOT / "tests" / "fixtures" / "previous").glob("*.json"))
CRITERIA = ROOT / "criteria" / "tu-mo-rong-2023.json"
PREVIOUS = {"tu-mo-rong-2022": ROOT / "submissions" / "tu-mo-rong-2022" / "results.json",
            "vi-du-sap-nhap": ROOT / "submissions" / "vi-du-sap-nhap" / "ket-qua-2022.json"}
REGISTRY = {"vi-du-sap-nhap": ROOT / "submissions" / "vi-du-sap-nhap" / "registry.json"}
TIME = "2024-02-01T08:00:00+07:00"


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture(scope="module")
def bundled():
    """The bundled example loaded and scored once (inputs, results)."""
    inputs = scoring.load()
    return inputs, scoring.score(inputs)


# ------------------------------------------------------------------ scenario cases


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path, bundled):
    case = _read(path)
    assert case["note"], "every case carries its hand arithmetic"
    inputs, results = bundled
    if case.get("comparison"):
        criteria = replace(results.criteria, comparison={**results.criteria.comparison, **case["comparison"]})
        results = replace(results, criteria=criteria)
        inputs = replace(inputs, criteria=criteria)
    registry = None
    if case.get("registry"):
        registry = build_registry(_read(REGISTRY[case["registry"]]), "registry.json", results.criteria)
        inputs = replace(inputs, registry=registry)
    documents = []
    for name in case["previous"]:
        document = _read(PREVIOUS[name])
        document["communes"] = [c for c in document["communes"] if c["code"] not in case.get("drop_previous", ())]
        documents.append(document)
    previous = scoring.load_previous(documents, inputs)  # plain data in: checked as files are
    comparison = compare(results, previous, registry)
    units = {unit["code"]: unit for unit in comparison["units"]}
    assert [unit["code"] for unit in comparison["units"]] == [c.code for c in results.communes]
    for code, expected in case.get("expect_units", {}).items():
        unit = units[code]
        for key, value in expected.items():
            if key == "excluded_by":
                assert [item["rule"] for item in unit["excluded_by"]] == value, (path.name, code)
            elif key == "note_has":
                assert value in ((unit.get("eligibility_note") or "") + (unit.get("note") or "")), (path.name, code)
            else:
                assert unit[key] == value, (path.name, code, key, unit[key])
    summary = comparison["summary"]
    for key, value in case.get("expect_summary", {}).items():
        if key in ("largest_rises", "largest_falls"):
            assert [item["code"] for item in summary[key]] == value, (path.name, key)
        elif key == "bands":
            assert {item["band"]: [item["previous"], item["this_year"]] for item in summary["bands"]} == value
        else:
            assert summary[key] == value, (path.name, key, summary[key])


def test_changes_equal_a_computation_from_the_two_files(bundled):
    """Every unit's change, rank change and band change against the two documents themselves."""
    inputs, results = bundled
    old = {c["code"]: c for c in _read(PREVIOUS["tu-mo-rong-2022"])["communes"]}
    comparison = compare(results, scoring.load_previous([PREVIOUS["tu-mo-rong-2022"]], inputs))
    order = [band.name for band in results.criteria.bands]
    for unit in comparison["units"]:
        now = results.commune(unit["code"])
        before = old[unit["code"]]
        cents = round(float(now["index"]) * 100) - round(before["index"] * 100)
        assert round(unit["index_change"] * 100) == cents
        assert unit["rank_change"] == before["rank"] - now["rank"]
        assert unit["band_change"] == order.index(before["band"]) - order.index(now["band"])


def test_comparison_is_schema_valid_and_absent_without_previous(tmp_path):
    out = tmp_path / "out"
    result = run("score", "--out", out, "--time", TIME, "--previous", PREVIOUS["tu-mo-rong-2022"])
    assert result.exit_code == 0, result.output
    document = _read(out / "results.json")
    assert schema_issues(document_from_data(document, "results.json"), "results") == []
    assert document["comparison"]["summary"]["not_eligible"] == 3
    plain = tmp_path / "plain"
    assert run("score", "--out", plain, "--time", TIME).exit_code == 0
    assert "comparison" not in _read(plain / "results.json")
    assert "So sánh năm trước" not in openpyxl.load_workbook(plain / "ket-qua.xlsx").sheetnames
    assert "không đủ điều kiện" not in "\n".join(p.text for p in docx.Document(plain / "quyet-dinh.docx").paragraphs)


def test_outputs_show_the_units_not_eligible(tmp_path):
    out = tmp_path / "out"
    result = run("score", "--out", out, "--time", TIME, "--previous", PREVIOUS["tu-mo-rong-2022"])
    assert result.exit_code == 0, result.output
    document = _read(out / "results.json")
    excluded = {u["code"]: [e["rule"] for e in u["excluded_by"]] for u in document["comparison"]["units"]
                if u["eligible"] is False}
    assert excluded == {"23518": ["giam-hai-bac"], "23527": ["xep-loai-trung-binh"], "23533": ["xep-loai-trung-binh"]}
    # the workbook: a comparison sheet, changes coloured, a chart
    book = openpyxl.load_workbook(out / "ket-qua.xlsx")
    sheet = book["So sánh năm trước"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=5, max_row=15)}
    ngoc_yeu = rows["23518"]
    assert [ngoc_yeu[3].value, ngoc_yeu[4].value, ngoc_yeu[5].value] == [90.19, 75.84, -14.35]
    assert ngoc_yeu[9].value == "Xuất sắc → Khá" and ngoc_yeu[11].value == "không đủ điều kiện"
    assert "giảm từ 2 bậc" in ngoc_yeu[12].value
    assert ngoc_yeu[5].fill.fgColor.rgb.endswith("FFC7CE")  # a fall is red
    assert rows["23512"][5].fill.fgColor.rgb.endswith("C6EFCE")  # a rise is green
    assert rows["23533"][11].value == "không đủ điều kiện" and "Trung bình" in rows["23533"][12].value
    assert len(sheet._charts) == 1
    # printed without overlapping lines (issue 17's leftover): a wrapped reason gets the height
    # of its lines, long texts run over empty cells instead of wrapping in a narrow column, and
    # the band table with its chart starts a page
    from scoring.writers.comparison_sheet import WIDTHS
    from scoring.writers.workbook import row_height
    for row in (ngoc_yeu, rows["23527"], rows["23533"]):
        needed = row_height([(row[10].value, WIDTHS[10]), (row[12].value, WIDTHS[12])])
        assert needed > 30 and abs(sheet.row_dimensions[row[0].row].height - needed) < 0.75  # whole pixels
    assert sheet.row_dimensions[rows["23506"][0].row].height < 20  # one line
    texts = {cell.coordinate: cell.value for line in sheet.iter_rows(min_row=16) for cell in line
             if isinstance(cell.value, str)}
    rules = [(place, text) for place, text in texts.items() if text.startswith(("Không xét khen thưởng", "Căn cứ:"))]
    assert [text.split(" ", 1)[0] for _, text in rules] == ["Không", "Căn", "Không", "Căn"]
    assert all(place.startswith("C") and not sheet[place].alignment.wrap_text for place, _ in rules)
    falls = next(place for place, text in texts.items() if text == "Giảm nhiều nhất")
    shown = sheet[falls.replace("C", "F")]
    assert shown.value == "Ngọc Yêu (-14,35), Văn Xuôi (-9,89), Đăk Na (-2,30)" and not shown.alignment.wrap_text
    band_head = next(int(place[1:]) for place, text in texts.items() if text == "Xếp loại")
    assert [brk.id for brk in sheet.row_breaks.brk] == [band_head - 2]  # before the blank row above the table
    assert sheet._charts[0].anchor._from.row == band_head - 1
    # the decision: Điều 2 names them with their rule, before Điều 3
    texts = [p.text for p in docx.Document(out / "quyet-dinh.docx").paragraphs]
    article3 = next(i for i, text in enumerate(texts) if text.startswith("Điều 3"))
    paragraph = texts[article3 - 1]
    assert "không đủ điều kiện xét khen thưởng toàn diện" in paragraph
    assert "Quyết định số 47/QĐ-UBND ngày 10/02/2023" in paragraph
    for name, rule in (("Ngọc Yêu", "giảm từ 2 bậc"), ("Văn Xuôi", "Trung bình trở xuống"), ("Tê Xăng", "Trung bình trở xuống")):
        assert name in paragraph and rule in paragraph.split(name, 1)[1]


@pytest.fixture(scope="module")
def compared_document(tmp_path_factory):
    """The bundled example's results.json scored with --previous (a document the workbook reads)."""
    out = tmp_path_factory.mktemp("compared") / "out"
    result = run("score", "--out", out, "--time", TIME, "--previous", PREVIOUS["tu-mo-rong-2022"])
    assert result.exit_code == 0, result.output
    return _read(out / "results.json")


def _comparison_sheet(document, tmp_path):
    from scoring.writers.workbook import render_workbook

    render_workbook(document, tmp_path / "k.xlsx")
    return openpyxl.load_workbook(tmp_path / "k.xlsx")["So sánh năm trước"]


def province_sized(document, units=120):
    """``document`` with its comparison grown to ``units`` units (distinct codes, names, indices)."""
    import copy

    grown = copy.deepcopy(document)
    model = document["comparison"]["units"]
    grown["comparison"]["units"] = [
        {**copy.deepcopy(model[n % len(model)]), "code": f"{30000 + n}", "name": f"Xã Thử Nghiệm {n + 1}",
         "index": round(40 + (n * 37 % 60) + 0.25, 2)} for n in range(units)]
    return grown


@pytest.mark.parametrize("units, charts", [(40, [40]), (41, [21, 20]), (50, [25, 25]), (60, [30, 30])])
def test_every_unit_is_charted_in_charts_a_page_holds(compared_document, tmp_path, units, charts):
    """Up to 60 units every unit is charted, in the table's order: one chart up to 40 (it fits
    a printed page), above that the table shared out among charts of at most 30 bars, each
    from a page break (a chart of 50 units was cut across two pages)."""
    sheet = _comparison_sheet(province_sized(compared_document, units), tmp_path)
    spans = []
    for chart in sheet._charts:
        ref = (chart.series[0].cat.strRef or chart.series[0].cat.numRef).f
        spans.append([int(part.split("$")[-1]) for part in ref.split("!")[1].split(":")])
    assert [bottom - top + 1 for top, bottom in spans] == charts
    assert all(spans[i][1] + 1 == spans[i + 1][0] for i in range(len(spans) - 1))  # every row, once, in order
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    anchors = [chart.anchor._from.row for chart in sheet._charts]
    assert len(breaks) == len(charts) and breaks[0] < anchors[0]
    for i in range(1, len(charts)):  # each further chart from a page of its own, after the one before ends
        assert sheet._charts[i - 1].anchor.to.row <= breaks[i] < anchors[i]


def test_a_province_sized_comparison_charts_the_30_highest_and_lowest(compared_document, tmp_path):
    """Above 60 units one chart of every unit ran over three pages: as "Biểu đồ" does, two
    charts (30 highest, 30 lowest index this year), each beside the table it reads, each from a
    page break."""
    sheet = _comparison_sheet(province_sized(compared_document), tmp_path)
    titles = [cell.value for line in sheet.iter_rows() for cell in line
              if isinstance(cell.value, str) and cell.value.startswith("Số liệu biểu đồ:")]
    assert titles == ["Số liệu biểu đồ: 30 đơn vị có Chỉ số CCHC năm 2023 cao nhất",
                      "Số liệu biểu đồ: 30 đơn vị có Chỉ số CCHC năm 2023 thấp nhất"]
    tables = []
    for chart in sheet._charts:
        series = chart.series[0]
        ref = (series.cat.strRef or series.cat.numRef).f  # 'So sánh năm trước'!$C$m:$C$n
        top, bottom = (int(part.split("$")[-1]) for part in ref.split("!")[1].split(":"))
        tables.append([(sheet.cell(row, 3).value, sheet.cell(row, 5).value) for row in range(top, bottom + 1)])
    assert [len(table) for table in tables] == [30, 30]
    indices = sorted((u["index"] for u in province_sized(compared_document)["comparison"]["units"]), reverse=True)
    assert [index for _, index in tables[0]] == indices[:30] and [index for _, index in tables[1]] == indices[-30:]
    breaks = [brk.id for brk in sheet.row_breaks.brk]
    anchors = [chart.anchor._from.row for chart in sheet._charts]
    assert len(breaks) == 2 and breaks[0] < anchors[0] < breaks[1] < anchors[1]
    # each chart ends before the next page's break (the row its anchor ends on)
    assert sheet._charts[0].anchor.to.row <= breaks[1]


def test_long_texts_of_the_comparison_sheet_take_rows_not_a_narrow_column(compared_document, tmp_path):
    """A legal basis of 440 characters wrapped in column C printed a strip of 25 lines; the
    source line with a long path ran past the table and fit-to-width shrank the sheet."""
    import copy

    document = copy.deepcopy(compared_document)
    long_source = ("quy định thi đua, khen thưởng về cải cách hành chính của tỉnh Kon Tum ban hành kèm theo "
                   "Quyết định số 12/2023/QĐ-UBND ngày 15 tháng 3 năm 2023 của Ủy ban nhân dân tỉnh ") * 3
    for rule in document["comparison"]["eligibility_rules"]:
        rule["legal_source"] = long_source
    path = "/srv/cchc/du-lieu/" + "thu-muc-rat-dai-cua-phong-noi-vu/" * 6 + "results.json"
    document["comparison"]["previous"] = [{**item, "file": path} for item in document["comparison"]["previous"]] * 2
    sheet = _comparison_sheet(document, tmp_path)
    from scoring.writers.comparison_sheet import WIDTHS
    from scoring.writers.workbook import wrapped_lines

    source = [sheet.cell(row, 1).value for row in range(2, 8) if sheet.cell(row, 1).value]
    assert len(source) > 1 and " ".join(source).startswith("Kết quả năm trước: /srv/cchc/")
    assert all(wrapped_lines(text, sum(WIDTHS), 11) == 1 for text in source)
    header = next(row for row in range(1, 12) if sheet.cell(row, 1).value == "STT")
    assert header == 4 + len(source) - 1 and sheet.print_title_rows == f"${header}:${header}"
    basis = [cell for line in sheet.iter_rows(min_col=3, max_col=3) for cell in line
             if isinstance(cell.value, str) and cell.value.startswith("Căn cứ:")]
    assert len(basis) == 2
    for cell in basis:  # each basis on rows of its own below "Căn cứ:", one line each, as read
        lines = [cell.value]
        below = cell.row + 1
        while sheet.cell(below, 3).value and not sheet.cell(below, 3).value.startswith(("Không xét", "Xếp loại")):
            lines.append(sheet.cell(below, 3).value)
            below += 1
        assert " ".join(lines) == f"Căn cứ: {long_source}".strip()
        assert len(lines) > 1 and all(wrapped_lines(text, sum(WIDTHS[2:]), 11) == 1 for text in lines)
        assert all((sheet.row_dimensions[row].height or 15) < 20 for row in range(cell.row, below))


def test_merger_example_through_the_cli(tmp_path):
    out = tmp_path / "out"
    result = run("score", "--out", out, "--time", TIME, "--registry", REGISTRY["vi-du-sap-nhap"],
                 "--previous", PREVIOUS["vi-du-sap-nhap"])
    assert result.exit_code == 0, result.output
    unit = next(u for u in _read(out / "results.json")["comparison"]["units"] if u["code"] == "23503")
    assert (unit["match"], unit["derived"], unit["previous_index"], unit["index_change"]) == ("predecessors", True, 87.9, 5.64)
    assert "trung bình cộng chỉ số của 3 đơn vị tiền thân" in unit["note"]
    sheet = openpyxl.load_workbook(out / "ket-qua.xlsx")["So sánh năm trước"]
    row = next(r for r in sheet.iter_rows(min_row=5, max_row=15) if r[1].value == "23503")
    assert "suy ra từ đơn vị tiền thân" in row[10].value


def test_explain_shows_last_year_beside_this_year():
    result = run("explain", "23518", "--previous", PREVIOUS["tu-mo-rong-2022"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "SO VỚI NĂM TRƯỚC" in text
    assert "Chỉ số: năm trước 90,19%, năm nay 75,84%, thay đổi -14,35 điểm" in text
    assert "Xếp loại: Xuất sắc → Khá" in text
    assert "Khen thưởng: không đủ điều kiện" in text
    assert "Theo lĩnh vực (chỉ số năm trước → năm nay):" in text
    assert "8. Điều tra xã hội học:" in text


# ------------------------------------------------------------------ broken fixtures, through the CLI


def _patched(document, patch):
    if "set" in patch:
        pointer, value = patch["set"]
        *parents, last = pointer.strip("/").split("/")
    else:
        *parents, last = patch["delete"].strip("/").split("/")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    if "set" in patch:
        node[key] = value
    else:
        del node[key]


def broken_inputs(fixture: dict, tmp_path: Path) -> list:
    """The fixture's files written under tmp_path (previous.json, criteria.json, registry.json
    patched as it says): the input options of a command reading them."""
    sources = {"previous": PREVIOUS[fixture.get("previous", "tu-mo-rong-2022")], "criteria": CRITERIA,
               "registry": REGISTRY.get(fixture.get("registry"))}
    names = {"previous": "previous.json", "criteria": "criteria.json", "registry": "registry.json"}
    documents = {role: _read(source) for role, source in sources.items() if source is not None}
    raw = {}
    twice = False
    for patch in fixture["patches"]:
        if patch.get("twice"):
            twice = True
        elif "truncate" in patch:
            raw[patch["target"]] = sources[patch["target"]].read_bytes()[:patch["truncate"]]
        else:
            _patched(documents[patch["target"]], patch)
    for role, document in documents.items():
        target = tmp_path / names[role]
        target.write_bytes(raw.get(role) or json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))
    args = ["--criteria", tmp_path / "criteria.json", "--previous", tmp_path / "previous.json"]
    if twice:
        shutil.copy(tmp_path / "previous.json", tmp_path / "previous-2.json")
        args += ["--previous", tmp_path / "previous-2.json"]
    if "registry" in documents:
        args += ["--registry", tmp_path / "registry.json"]
    return args


def assert_reported(fixture: dict, result, name: str) -> None:
    """Exit 1 and every expected problem printed at its file and pointer, with its code."""
    assert result.exit_code == 1, result.output
    for file, pointer, code in fixture["expect"]:
        wanted = f"{file}:{pointer}: "
        assert any(wanted in line and line.endswith(f"[{code}]") for line in result.output.splitlines()), \
            (name, wanted, code, result.output)


@pytest.mark.parametrize("path", BAD, ids=[path.stem for path in BAD])
def test_broken_fixture(path, tmp_path):
    fixture = _read(path)
    assert fixture["description"] and fixture["expect"]
    result = run("score", "--out", tmp_path / "out", "--time", TIME, *broken_inputs(fixture, tmp_path))
    assert_reported(fixture, result, path.name)
    assert not (tmp_path / "out").exists(), "nothing is written on error"


@pytest.mark.parametrize("path", BAD, ids=[path.stem for path in BAD])
def test_validate_reports_the_broken_fixture(path, tmp_path):
    """validate --previous checks the previous files as score --previous does, without scoring."""
    fixture = _read(path)
    assert_reported(fixture, run("validate", *broken_inputs(fixture, tmp_path)), path.name)


def test_every_new_code_has_a_broken_fixture():
    from scoring.errors import CODES

    source = (ROOT / "scoring" / "previous.py").read_text(encoding="utf-8")
    codes = {code for code in CODES if f'"{code}"' in source}
    covered = {code for path in BAD for _, _, code in _read(path)["expect"]}
    assert codes and codes <= covered, codes - covered


def test_changes_and_award_rules_read_as_written(compared_document, tmp_path):
    """The largest changes get a decimal comma in the change only (a unit's name may hold a
    full stop), and each award rule reads whole after "Không xét khen thưởng:" (after
    "…đơn vị" the index rule read "đơn vị chỉ số dưới 50,00%")."""
    import copy

    document = copy.deepcopy(compared_document)
    document["comparison"]["summary"]["largest_rises"] = [{"name": "Phường 2.1", "change": 3.5}]
    texts = [cell.value for line in _comparison_sheet(document, tmp_path).iter_rows() for cell in line
             if isinstance(cell.value, str)]
    assert "Phường 2.1 (+3,50)" in texts
    rules = [text for text in texts if text.startswith("Không xét khen thưởng")]
    assert rules and len(rules) == len(document["comparison"]["eligibility_rules"])
    assert all(text.startswith("Không xét khen thưởng: ") for text in rules)
