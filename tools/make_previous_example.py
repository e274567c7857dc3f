"""Make the bundled previous-year examples (issue 15), deterministically:

- submissions/tu-mo-rong-2022/results.json: an illustrative 2022 results document for Tu Mơ
  Rông's 11 communes (the district approved its real 2022 results by Quyết định số
  47/QĐ-UBND ngày 10/02/2023; those figures are not public here, so these are made up:
  this year's area points moved by the deltas below, then totals, indices, ranks and bands
  recomputed exactly as the engine does). Only totals, areas, rank and band are carried
  (no leaves): what a comparison reads.
- submissions/vi-du-sap-nhap/ket-qua-2022.json and registry.json: the merger example
  (fictional): commune 23503 is registered as formed from three old communes (23501,
  23502, 23504, with populations), whose 2022 results replace 23503's.

Run: .venv/bin/python tools/make_previous_example.py (then commit the files).
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scoring  # noqa: E402
from scoring.numbers import exact_hundredths, round_half_up, to_number  # noqa: E402
from scoring.writers.results_json import results_document  # noqa: E402

# total change of each commune's area points from this year's to "2022" (points)
DELTAS = {"23506": -2.5, "23503": -7, "23509": 1.5, "23515": -3, "23521": 2.25, "23530": -5.5,
          "23512": -8.5, "23518": 14, "23524": 0, "23527": 9.5, "23533": 1}
OLD = [  # the merger example's three old communes (fictional), with their 2022 indices' area deltas
    ("23501", "Đăk Hà (cũ)", -7), ("23502", "Đăk Trăm", -12.5), ("23504", "Kon Rơ Ông", 3)]
POPULATION = {"23501": 6120, "23502": 2480, "23504": 3915}


def _spread(areas: list[dict], maxima: dict, delta: int) -> None:
    """Move the areas' points by ``delta`` hundredths in total, a quarter point at a time
    round the areas (each within 0..max); the points become hundredths."""
    for area in areas:
        area["points"] = exact_hundredths(area["points"])
    while delta:
        moved = False
        for area in areas:
            if delta == 0:
                break
            step = max(-25, min(25, delta))
            if 0 <= area["points"] + step <= exact_hundredths(area["max"]):  # the applicable maximum
                area["points"] += step
                delta -= step
                moved = True
        if not moved:
            raise SystemExit(f"cannot move the areas by {delta}")


def _previous_commune(entry: dict, maxima: dict, delta_points: float) -> dict:
    commune = copy.deepcopy(entry)
    areas = commune["areas"]
    _spread(areas, maxima, exact_hundredths(delta_points))
    survey_codes = {code for code, source in maxima["_sources"].items() if source == "survey"}
    for area in areas:
        area["index"] = to_number(round_half_up(area["points"] * 10000, exact_hundredths(area["max"])))
        area["points"] = to_number(area["points"])
    self_areas = sum(exact_hundredths(a["points"]) for a in areas if a["code"] not in survey_codes)
    survey = sum(exact_hundredths(a["points"]) for a in areas if a["code"] in survey_codes)
    adjustment = exact_hundredths(commune["adjustment"])
    total = self_areas + survey + adjustment
    moved = self_areas - exact_hundredths(commune["appraised"])
    commune.update(appraised=to_number(self_areas), self_assessed=to_number(exact_hundredths(commune["self_assessed"]) + moved),
                   survey=to_number(survey), total=to_number(total),
                   index=to_number(round_half_up(total * 10000, exact_hundredths(commune["max"]))),
                   file=commune["file"].replace("2023", "2022"), leaves=[], not_applicable=[],
                   flags={"missing_evidence": [], "self_above": [], "self_below": [], "awaiting_appraisal": []})
    return commune


def _ranked(document: dict, communes: list[dict]) -> None:
    bands = document["criteria"]["bands"]
    communes.sort(key=lambda c: (-exact_hundredths(c["index"]), -exact_hundredths(c["survey"]),
                                 -exact_hundredths(c["total"]), c["code"]))
    for rank, commune in enumerate(communes, 1):
        commune["rank"] = rank
        commune["band"] = next(b["name"] for b in bands if exact_hundredths(commune["index"]) >= exact_hundredths(b["min_index"]))
    counts = {b["name"]: 0 for b in bands}
    for commune in communes:
        counts[commune["band"]] += 1
    indices = [exact_hundredths(c["index"]) for c in communes]
    document["communes"] = communes
    document["summary"].update(communes=len(communes), scored=len(communes), registered=None, not_submitted=0,
                               average_index=to_number(round_half_up(sum(indices), len(indices))), bands=counts,
                               missing_evidence=0, self_differs=0, appraised_communes=len(communes))


def _document_2022(current: dict) -> dict:
    document = copy.deepcopy(current)
    criteria = document["criteria"]
    criteria.update(id="tu-mo-rong-2022", year=2022, title="Bộ Chỉ số CCHC cấp xã năm 2022 (ví dụ minh họa)")
    criteria["legal_source"] = {
        "number": "(ví dụ)", "date": "2022-01-20",
        "title": "Bộ Chỉ số cải cách hành chính của Ủy ban nhân dân các xã năm 2022 (ví dụ minh họa, không phải số liệu thật)",
        "issuer": "UBND huyện Tu Mơ Rông"}
    document.update(generated_at="2023-02-08T08:00:00+07:00", inputs=[], provisional=False, provisional_reasons=[],
                    not_submitted=[])
    return document


def main() -> None:
    inputs = scoring.load()
    results = scoring.score(inputs)
    current = results_document(results, (), generated_at="")
    maxima = {area.code: to_number(area.max) for area in results.criteria.areas}
    maxima["_sources"] = {area.code: area.source for area in results.criteria.areas}
    # maxima as numbers for _spread
    area_max = {code: value for code, value in maxima.items() if code != "_sources"}
    area_max["_sources"] = maxima["_sources"]

    district = _document_2022(current)
    _ranked(district, [_previous_commune(c, area_max, DELTAS[c["code"]]) for c in current["communes"]])
    out = ROOT / "submissions" / "tu-mo-rong-2022" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(district, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    merged = _document_2022(current)
    base = next(c for c in current["communes"] if c["code"] == "23503")
    communes = [_previous_commune(c, area_max, DELTAS[c["code"]]) for c in current["communes"] if c["code"] != "23503"]
    for code, name, delta in OLD:
        old = _previous_commune(base, area_max, delta)
        old.update(code=code, name=name)
        communes.append(old)
    _ranked(merged, communes)
    folder = ROOT / "submissions" / "vi-du-sap-nhap"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ket-qua-2022.json").write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    registry = json.loads((ROOT / "submissions" / "tu-mo-rong-2023" / "registry.json").read_text(encoding="utf-8"))
    registry["$schema"] = "../registry.schema.json"
    registry["issuer"] = "Ví dụ minh họa: xã Đăk Hà sáp nhập từ ba xã cũ"
    for unit in registry["units"]:
        if unit["code"] == "23503":
            unit["predecessors"] = [code for code, _, _ in OLD]
            unit["predecessor_population"] = POPULATION
    (folder / "registry.json").write_text(json.dumps(registry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
