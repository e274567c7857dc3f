#!/usr/bin/env python3
"""The status-quo anchor (issue 19): the same year as the formula workbook an office builds by
hand, opened and fully recalculated by LibreOffice headless.

    python bench/anchor.py --results OUT/results.json --criteria YEAR/criteria.json --work DIR

The workbook (``formula_workbook``) has one sheet, "Bảng điểm", one row per commune in the
order of results.json: code, name, block, then one column per leaf holding the leaf's final
points as a typed-in number (what the council's appraisal gives), then the formulas an office
writes: each area's points (SUM of its leaves), the appraised part (the self-assessment
areas' leaves), the survey part, the bonus and the penalty (MIN(SUM(...), cap), the caps of
criteria.json), the total (appraised + survey + bonus − penalty), the applicable maximum
(typed in: leaves a commune may leave out as not applicable lower it), the index
(MIN(ROUND(total ÷ maximum × 100; 2); index cap)), the rank within the block
(COUNTIFS over the block's indexes above this one, + 1) and the band (nested IF on the
bands' thresholds). Formulas are written with no cached value (xlsxwriter, value "").

The recalculation (``recalculate``): LibreOffice is started headless with a profile of its
own (``-env:UserInstallation``) whose registrymodifications.xcu sets
/org.openoffice.Office.Calc/Formula/Load OOXMLRecalcMode = 0 ("always recalculate on
load"; LibreOffice's default, 1, keeps cached values), and converts the workbook to CSV
(``--convert-to csv``): it opens the file, recalculates every formula and writes the first
sheet's values. Before the timed run the same profile converts a tiny workbook whose formula
=1+1 carries a wrong cached value (999): "2" in its CSV proves the setting took effect, and
its time is LibreOffice's own start-up and shutdown, printed beside the anchor. The CSV of
the anchor is then compared with results.json: each commune's total, index and band
computed by LibreOffice against the engine's (rank: COUNTIFS shares a rank on ties, the
engine breaks them, so only the count of equal ranks is reported).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import run_command  # noqa: E402

import msgspec  # noqa: E402


# what the anchor reads of results.json (msgspec skips every other field)
class _Leaf(msgspec.Struct, kw_only=True):
    code: str
    area: str | None = None
    section: str = "area"
    final: float = 0


class _Commune(msgspec.Struct, kw_only=True):
    code: str
    name: str = ""
    block: str | None = None
    total: float | None = None
    max: float | None = None
    index: float | None = None
    rank: int | None = None
    band: str | None = None
    leaves: list[_Leaf] = []


class _Area(msgspec.Struct, kw_only=True):
    code: str
    title: str = ""
    source: str = "self_assessment"


class _Band(msgspec.Struct, kw_only=True):
    name: str
    min_index: float


class _Criteria(msgspec.Struct, kw_only=True):
    index_cap: float | None = None
    areas: list[_Area] = []
    bands: list[_Band] = []


class _Document(msgspec.Struct, kw_only=True):
    criteria: _Criteria
    communes: list[_Commune]


RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
SHEET = "Bảng điểm"
HEADER_ROWS = 2  # the title, the column headings


def soffice() -> str | None:
    """LibreOffice's command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _column(index: int) -> str:
    """A 0-based column's letters (0 -> A)."""
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


def _sum(columns: list[int], row: int) -> str:
    """SUM over the cells of ``columns`` on ``row`` (1-based), contiguous runs as ranges."""
    if not columns:
        return "0"
    runs, start, last = [], columns[0], columns[0]
    for column in columns[1:]:
        if column != last + 1:
            runs.append((start, last))
            start = column
        last = column
    runs.append((start, last))
    parts = [f"{_column(a)}{row}" if a == b else f"{_column(a)}{row}:{_column(b)}{row}" for a, b in runs]
    return f"SUM({','.join(parts)})"


def read_results(results_json: Path) -> dict:
    """What the anchor needs of results.json (criteria's areas, bands and cap; each commune's
    code, name, block, totals and each leaf's code, area, section and final points), decoded
    by msgspec into small types (the reasons and evidence are skipped)."""
    return msgspec.json.decode(results_json.read_bytes(), type=_Document)


def formula_workbook(results_json: Path, criteria_json: Path, target: Path) -> dict:
    """Write the office's formula workbook of the year (see the module's docstring) to
    ``target``; return its counts and, per commune code, the engine's total, index, rank and band."""
    import xlsxwriter

    document = read_results(results_json)
    criteria = json.loads(criteria_json.read_text(encoding="utf-8"))
    caps = {kind: (criteria.get("adjustments") or {}).get(kind, {}).get("cap") for kind in ("bonus", "penalty")}
    communes = document.communes
    leaves = [(leaf.code, leaf.area, leaf.section) for leaf in (communes[0].leaves if communes else [])]
    first_leaf = 3
    leaf_column = {code: first_leaf + position for position, (code, _, _) in enumerate(leaves)}
    areas = [area for area in document.criteria.areas if any(a == area.code for _, a, _ in leaves)]
    heads = ["Mã", "Tên đơn vị", "Khối"] + [code for code, _, _ in leaves] + [f"LV {area.code}" for area in areas] + [
        "Thẩm định", "Điều tra XHH", "Thưởng", "Trừ", "Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
    after = first_leaf + len(leaves) + len(areas)
    col = {name: after + offset for offset, name in enumerate(
        ("appraised", "survey", "bonus", "penalty", "total", "max", "index", "rank", "band"))}
    last_row = HEADER_ROWS + len(communes)
    cells = formulas = 0
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET)
    sheet.write_string(0, 0, "BẢNG TỔNG HỢP ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ")
    for column, head in enumerate(heads):
        sheet.write_string(1, column, head)
    cells += 1 + len(heads)
    sections = {section: [leaf_column[code] for code, _, s in leaves if s == section]
                for section in ("area", "survey", "bonus", "penalty")}
    bands = sorted(document.criteria.bands, key=lambda band: -band.min_index)
    block_range = f"$C${HEADER_ROWS + 1}:$C${last_row}"
    index_range = f"${_column(col['index'])}${HEADER_ROWS + 1}:${_column(col['index'])}${last_row}"
    expected = {}
    for position, commune in enumerate(communes):
        row = HEADER_ROWS + position  # 0-based for xlsxwriter; the formulas' rows are 1-based
        r = row + 1
        sheet.write_string(row, 0, commune.code)
        sheet.write_string(row, 1, commune.name)
        sheet.write_string(row, 2, commune.block or "")
        finals = {leaf.code: leaf.final for leaf in commune.leaves}
        for code, column in leaf_column.items():
            sheet.write_number(row, column, finals.get(code, 0))
        cells += 3 + len(leaf_column)

        def formula(column, text):
            sheet.write_formula(row, column, "=" + text, None, "")

        for offset, area in enumerate(areas):
            formula(first_leaf + len(leaves) + offset, _sum([leaf_column[c] for c, a, _ in leaves if a == area.code], r))
        formula(col["appraised"], _sum(sections["area"], r))
        formula(col["survey"], _sum(sections["survey"], r))
        for kind in ("bonus", "penalty"):
            total = _sum(sections[kind], r)
            formula(col[kind], f"MIN({total},{caps[kind]})" if caps[kind] is not None else total)
        c = {name: f"{_column(column)}{r}" for name, column in col.items()}
        formula(col["total"], f"{c['appraised']}+{c['survey']}+{c['bonus']}-{c['penalty']}")
        sheet.write_number(row, col["max"], commune.max or 0)  # typed in: the applicable maximum
        index = f"ROUND({c['total']}/{c['max']}*100,2)"
        if document.criteria.index_cap is not None:
            index = f"MIN({index},{document.criteria.index_cap:g})"
        formula(col["index"], f'IF({c["max"]}>0,{index},"")')
        formula(col["rank"], f'IF({c["index"]}="","",COUNTIFS({block_range},C{r},{index_range},">"&{c["index"]})+1)')
        band = '""'
        for b in reversed(bands):
            band = f'IF({c["index"]}>={b.min_index:g},"{b.name}",{band})'
        formula(col["band"], f'IF({c["index"]}="","",{band})')
        formulas += len(areas) + 8
        cells += len(areas) + 9
        expected[commune.code] = {"total": commune.total, "index": commune.index, "rank": commune.rank,
                                  "band": commune.band}
    workbook.close()
    return {"communes": len(communes), "leaves": len(leaves), "cells": cells, "formulas": formulas,
            "columns": col, "expected": expected}


def _profile(work: Path) -> Path:
    """A LibreOffice profile of the bench's own, recalculating every formula on load."""
    profile = work / "lo-profile"
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    modifications = user / "registrymodifications.xcu"
    if not modifications.exists() or "OOXMLRecalcMode" not in modifications.read_text(encoding="utf-8"):
        if modifications.exists():  # LibreOffice wrote its own: add ours before the end
            text = modifications.read_text(encoding="utf-8")
            items = RECALC_ALWAYS.split("\n", 2)[2].replace("</oor:items>\n", "")
            modifications.write_text(text.replace("</oor:items>", items + "</oor:items>"), encoding="utf-8")
        else:
            modifications.write_text(RECALC_ALWAYS, encoding="utf-8")
    return profile


def _convert(office: str, profile: Path, source: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    # 44,34,76,1: comma, double quote, UTF-8, from line 1; then: cell format, language, quoted
    # as text, detect special numbers, save as shown (false: the full values), formulas (no)
    return run_command([office, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
                        "--nolockcheck", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false",
                        "--outdir", str(out), str(source)])


def recalculate(xlsx: Path, work: Path, office: str | None = None) -> dict:
    """LibreOffice headless opening ``xlsx``, recalculating every formula and writing the first
    sheet as CSV into ``work``: wall, CPU-seconds (LibreOffice's processes), peak; and the same
    for a tiny workbook (``startup``: LibreOffice's own start and stop), which also proves the
    recalculation is forced. Raises RuntimeError when LibreOffice fails or does not recalculate."""
    import xlsxwriter

    office = office or soffice()
    work.mkdir(parents=True, exist_ok=True)
    profile = _profile(work)
    tiny = work / "tiny.xlsx"
    workbook = xlsxwriter.Workbook(str(tiny))
    workbook.add_worksheet().write_formula(0, 0, "=1+1", None, 999)  # a wrong cached value on purpose
    workbook.close()
    _convert(office, profile, tiny, work / "csv")  # the first start makes the profile: not timed
    _profile(work)  # LibreOffice may have rewritten the file: the setting is still there
    startup = _convert(office, profile, tiny, work / "csv")
    seen = (work / "csv" / "tiny.csv").read_text(encoding="utf-8").strip()
    if seen != "2":
        raise RuntimeError(f"LibreOffice kept the cached value (tiny.csv holds {seen!r}): recalculation not forced")
    figures = _convert(office, profile, xlsx, work / "csv")
    figures["startup"] = startup
    figures["csv"] = str(work / "csv" / (xlsx.stem + ".csv"))
    return figures


def compare(csv_path: Path, made: dict) -> dict:
    """How many communes LibreOffice's recalculated total, index, band and rank equal the engine's."""
    columns, expected = made["columns"], made["expected"]
    same = {"total": 0, "index": 0, "band": 0, "rank": 0}
    seen = 0
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle)):
            if number < HEADER_ROWS or not row or row[0] not in expected:
                continue
            seen += 1
            engine = expected[row[0]]
            for name in ("total", "index"):
                try:
                    if engine[name] is not None and abs(float(row[columns[name]]) - engine[name]) < 0.005:
                        same[name] += 1
                    elif engine[name] is None and row[columns[name]] == "":
                        same[name] += 1
                except ValueError:
                    pass
            same["band"] += row[columns["band"]] == (engine["band"] or "")
            same["rank"] += row[columns["rank"]] == ("" if engine["rank"] is None else str(engine["rank"]))
    return {"communes": seen, **same}


def anchor(results_json: Path, criteria_json: Path, work: Path) -> dict | None:
    """The whole anchor: the workbook made (not timed), LibreOffice's recalculation (timed), the
    comparison. None when LibreOffice is not installed."""
    office = soffice()
    if office is None:
        return None
    work.mkdir(parents=True, exist_ok=True)
    xlsx = work / "bang-diem-cong-thuc.xlsx"
    started = time.perf_counter()
    made = formula_workbook(results_json, criteria_json, xlsx)
    built = time.perf_counter() - started
    figures = recalculate(xlsx, work, office)
    figures["same"] = compare(Path(figures["csv"]), made)
    figures.update({name: made[name] for name in ("communes", "leaves", "cells", "formulas")})
    figures["build_seconds"] = built
    figures["xlsx_mb"] = xlsx.stat().st_size / 1e6
    figures["office"] = office
    return figures


def describe(figures: dict) -> str:
    same = figures["same"]
    return (f"status-quo anchor: LibreOffice headless opens and recalculates the office's formula workbook "
            f"({figures['communes']:,} communes × {figures['leaves']} leaves: {figures['cells']:,} cells, "
            f"{figures['formulas']:,} formulas, {figures['xlsx_mb']:.1f} MB): {figures['seconds']:.2f} s wall, "
            f"{figures['cpu']:.2f} CPU s, {figures['peak_mb']:.0f} MB peak RSS; LibreOffice's own start and stop "
            f"(a one-cell workbook): {figures['startup']['seconds']:.2f} s wall, {figures['startup']['cpu']:.2f} CPU s; "
            f"its total/index/band equal the engine's for {same['total']:,}/{same['index']:,}/{same['band']:,} "
            f"of {same['communes']:,} communes (rank {same['rank']:,}: COUNTIFS shares ties)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, required=True, help="a results.json written by cli.py score")
    parser.add_argument("--criteria", type=Path, required=True, help="the criteria set it was scored with")
    parser.add_argument("--work", type=Path, required=True, help="folder for the workbook, the profile, the CSV")
    args = parser.parse_args(argv)
    figures = anchor(args.results, args.criteria, args.work)
    if figures is None:
        print("LibreOffice (soffice) is not installed: no anchor")
        return
    print(describe(figures))
    print(json.dumps({k: v for k, v in figures.items() if k != "csv"}))


if __name__ == "__main__":
    main()
