"""Year over year: this year's results against last year's (``score --previous``).

Pure: ``check_previous`` takes parsed previous results documents (scoring.files.ParsedFile,
read by the caller) and the criteria set and returns every problem; ``compare`` takes this
year's Results, the previous documents as plain data and the registry, and returns the
comparison as plain data (results.json's ``comparison``). Nothing here opens a file.

The rules, all data in the criteria set's ``comparison`` object (criteria.schema.json):

- **Which previous results**: a results.json of the year before (``criteria.year`` − 1),
  scored with a criteria set of this set's family (its id without the ``-YYYY`` year) or
  of a family listed in ``previous_families`` (the former districts' sets of a new
  province), final (not TẠM TÍNH). Several files may be given; a unit code in two of them
  is an error.
- **Matching**: a unit whose registry entry names predecessors is compared with them
  (``match: "predecessors"``, the comparison is marked as derived); otherwise a unit is
  matched by its code (``match: "code"``); otherwise it has no previous result.
- **A merged unit's previous index** (``merged_previous``): ``mean`` (default) — the mean of
  the predecessors' indices, half up to the hundredth; ``largest_population`` — the index
  of the predecessor with the largest population (registry ``predecessor_population``).
  Predecessors without a result (missing, or undefined index) are left out and listed.
  Its previous band is that index's band under the previous criteria set's bands; it has
  no previous rank (the predecessors were ranked among other units), so no rank change.
- **Changes** (exact hundredths): index change = index − previous index; rank change =
  previous rank − rank (positive: rose), only when matched by code in the same block;
  band change = previous band's position − this band's position among this year's bands
  (positive: better; −2: dropped two bands), by band name.
- **Eligibility** (``eligibility``, each rule with its ``legal_source``): ``band_at_or_below``
  (band at or below the named band), ``band_drop`` (dropped ``bands`` bands or more),
  ``index_below`` (index below ``value`` %), ``bottom_rank`` (among the last ``count`` ranked
  units of its block). A unit failing any rule is "không đủ điều kiện", with every rule
  that excluded it; a unit without a previous result is judged only on the rules that do
  not need one, and says so; a unit whose index is undefined is not judged (null).
"""

from __future__ import annotations

import re
from collections import Counter

from .errors import Issue, message
from .numbers import exact_hundredths, format_points, round_half_up, to_number

ELIGIBLE = "đủ điều kiện"
NOT_ELIGIBLE = "không đủ điều kiện"
UNDECIDED = "không xác định"
MATCH_CODE, MATCH_PREDECESSORS, MATCH_NONE = "code", "predecessors", "none"
LARGEST = 3  # rises and falls listed in the summary
NEEDS_PREVIOUS = frozenset({"band_drop"})
_YEAR_SUFFIX = re.compile(r"-[0-9]{4}$")


def family(criteria_id: str) -> str:
    """A criteria set's family: its id without the trailing '-YYYY' (tu-mo-rong-2022 → tu-mo-rong)."""
    return _YEAR_SUFFIX.sub("", criteria_id)


def settings(criteria) -> dict:
    """The criteria set's ``comparison`` object with its defaults filled in."""
    data = dict(criteria.comparison or {})
    return {"previous_families": list(data.get("previous_families") or ()),
            "merged_previous": data.get("merged_previous", "mean"),
            "previous_approval": data.get("previous_approval"),
            "eligibility": list(data.get("eligibility") or ())}


def rule_issues(criteria) -> list[Issue]:
    """Meaning checks of the criteria set's comparison rules: a named band must be one of the set's bands."""
    names = [band.name for band in criteria.bands]
    issues = []
    for index, rule in enumerate(settings(criteria)["eligibility"]):
        if rule.get("kind") == "band_at_or_below" and rule.get("band") not in names:
            issues.append(Issue(criteria.path, f"/comparison/eligibility/{index}/band", "eligibility-band-unknown",
                                message("eligibility-band-unknown", band=rule.get('band'), bands=", ".join(names))))
    return issues


def check_previous(parsed_files, criteria) -> list[Issue]:
    """Every problem of the previous results documents, each at ``file:/json/pointer``.

    ``parsed_files``: ParsedFiles (scoring.files.read_document / document_from_data). Checks:
    another kind of file (previous-not-results: a workbook, a submission…), reading, the
    results schema, the criteria family (previous-criteria-mismatch) and year
    (previous-year-mismatch), final results only (previous-provisional), a unit code in
    two files (previous-duplicate-unit); then the criteria set's comparison rules.
    """
    from .validate import precision_issues, schema_issues

    config = settings(criteria)
    accepted = {family(criteria.id), *config["previous_families"]}
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for parsed in parsed_files:
        wrong = _not_results(parsed)
        if wrong is not None:  # another kind of file: one clear line, not its schema's every complaint
            issues.append(wrong)
            continue
        if parsed.issues:
            issues.extend(parsed.issues)
            continue
        found = schema_issues(parsed, "results") or precision_issues(parsed)
        if found:
            issues.extend(found)
            continue
        data, path = parsed.data, parsed.path
        previous_id = data["criteria"]["id"]
        if family(previous_id) not in accepted:
            issues.append(Issue(path, "/criteria/id", "previous-criteria-mismatch",
                                message("previous-criteria-mismatch", found=previous_id, criteria=criteria.id,
                                        accepted=", ".join(sorted(accepted)))))
        if data["criteria"]["year"] != criteria.year - 1:
            issues.append(Issue(path, "/criteria/year", "previous-year-mismatch",
                                message("previous-year-mismatch", found=data['criteria']['year'], wanted=criteria.year - 1,
                                        year=criteria.year)))
        if data.get("provisional"):
            issues.append(Issue(path, "/provisional", "previous-provisional",
                                message("previous-provisional")))
        for index, commune in enumerate(data["communes"]):
            code = commune["code"]
            if code in seen:
                issues.append(Issue(path, f"/communes/{index}/code", "previous-duplicate-unit",
                                    message("previous-duplicate-unit", unit=code, first=seen[code])))
            else:
                seen[code] = path
    return issues + rule_issues(criteria)


# files an official may pass by mistake: the outputs beside results.json, a form, a scan
_NOT_JSON = (".xlsx", ".xlsm", ".xls", ".docx", ".doc", ".pdf", ".csv", ".zip", ".ods", ".odt")


def _not_results(parsed) -> Issue | None:
    """previous-not-results when the file is plainly not a results.json: a workbook,
    document or table by its name, or JSON that is not the engine's results format (an
    object without results.json's ``format``: a submission, survey, appraisal, registry)."""
    from .writers.results_json import FORMAT

    path = str(parsed.path)
    if any(issue.code.startswith("file-") for issue in parsed.issues):
        return None  # missing, unreadable, not a regular file: that is the problem to report
    if path.lower().endswith(_NOT_JSON):
        return Issue(path, "", "previous-not-results",
                     message("previous-not-results", extension=path.rsplit('.', 1)[-1].lower()))
    if parsed.issues or not isinstance(parsed.data, dict):
        return None  # unreadable or broken JSON: its own error says where
    found = parsed.data.get("format")
    if found == FORMAT:
        return None
    if isinstance(found, str):
        return Issue(path, "/format", "previous-not-results",
                     message("previous-not-results", "format", found=found, expected=FORMAT))
    return Issue(path, "", "previous-not-results",
                 message("previous-not-results", "no_format", expected=FORMAT))


def population_issues(registry, criteria) -> list[Issue]:
    """With ``merged_previous = largest_population``, every merged unit needs its predecessors' populations."""
    if registry is None or settings(criteria)["merged_previous"] != "largest_population":
        return []
    issues = []
    for index, unit in enumerate(registry.units):
        given = dict(unit.predecessor_population)
        lacking = [code for code in unit.predecessors if code not in given]
        if lacking:
            issues.append(Issue(registry.path, f"/units/{index}/predecessor_population", "previous-population-missing",
                                message("previous-population-missing", name=unit.name, unit=unit.code,
                                        predecessors=", ".join(lacking))))
    return issues


def _h(value):
    return None if value is None else exact_hundredths(value)


def _band_of(index: int | None, bands) -> str | None:
    """The band of an index (hundredths) under bands given as results.json's [{name, min_index}]."""
    if index is None:
        return None
    for band in bands:
        if index >= exact_hundredths(band["min_index"]):
            return band["name"]
    return None


def _percent(hundredths: int | None) -> str:
    return "không xác định" if hundredths is None else format_points(hundredths) + "%"


def _signed(hundredths: int) -> str:
    return ("+" if hundredths > 0 else "") + format_points(hundredths)


def _needs_previous(rule: dict) -> bool:
    """Whether an eligibility rule (not a scoring rule kind) compares with last year: band_drop."""
    kind = rule["kind"]
    return kind in NEEDS_PREVIOUS


def _rule_text(rule: dict) -> str:
    kind = rule["kind"]
    if kind == "band_at_or_below":
        return f"xếp loại {rule['band']} trở xuống"
    if kind == "band_drop":
        return f"giảm từ {rule['bands']} bậc xếp loại trở lên so với năm trước"
    if kind == "index_below":
        return f"chỉ số dưới {format_points(exact_hundredths(rule['value']))}%"
    return f"thuộc {rule['count']} đơn vị xếp hạng cuối khối"


def _fails(rule: dict, unit: dict, positions: dict, ranked_in_block: Counter) -> bool | None:
    """Whether the unit fails the rule; None when the rule cannot be judged for it."""
    kind = rule["kind"]
    if kind == "band_at_or_below":
        return None if unit["band"] is None else positions[unit["band"]] >= positions[rule["band"]]
    if kind == "band_drop":
        change = unit["band_change"]
        return None if change is None else change <= -rule["bands"]
    if kind == "index_below":
        index = _h(unit["index"])
        return None if index is None else index < exact_hundredths(rule["value"])
    rank = unit["rank"]
    return None if rank is None else rank > ranked_in_block[unit["block"]] - rule["count"]


def compare(results, previous, registry=None) -> dict:
    """This year's results against the previous ones: results.json's ``comparison`` object.

    ``results``: scoring.engine.Results; ``previous``: [(shown_name, document)] or
    [(shown_name, document, sha256)], results documents already checked by check_previous; ``registry``: scoring.registry.Registry or
    None. Points are JSON numbers (two decimals, exact); see the module docstring for the
    rules. Shape: {"previous": [...], "merged_previous", "previous_approval",
    "eligibility_rules": [...], "units": [per commune, ranking order], "summary": {...}}.
    """
    criteria = results.criteria
    config = settings(criteria)
    hashes = [item[2] if len(item) > 2 else None for item in previous]
    previous = [(item[0], item[1]) for item in previous]
    by_code: dict[str, tuple[str, dict, dict]] = {}
    for shown, document in previous:
        for commune in document["communes"]:
            by_code[commune["code"]] = (shown, document, commune)
    positions = {band.name: position for position, band in enumerate(criteria.bands)}
    ranked_in_block = Counter(c.block for c in results.communes if c.rank is not None)
    units = []
    for commune in results.communes:
        unit = registry.unit(commune.code) if registry is not None else None
        units.append(_unit(commune, unit, by_code, config, positions))
    rules = config["eligibility"]
    for unit in units:
        _judge(unit, rules, positions, ranked_in_block)
    return {
        "previous": [{"file": shown, "criteria_id": document["criteria"]["id"], "year": document["criteria"]["year"],
                      "issuer": document["criteria"]["issuer"].get("name"), "communes": len(document["communes"]),
                      "sha256": sha256}
                     for (shown, document), sha256 in zip(previous, hashes)],
        "merged_previous": config["merged_previous"],
        "previous_approval": config["previous_approval"],
        "eligibility_rules": [{**rule, "text": _rule_text(rule), "needs_previous": _needs_previous(rule)}
                              for rule in rules],
        "units": units,
        "summary": _summary(units, results, previous),
    }


def _unit(commune, unit, by_code, config, positions) -> dict:
    index = commune.index
    entry = {"code": commune.code, "name": commune.name, "block": commune.block,
             "index": to_number(index), "rank": commune.rank, "band": commune.band,
             "match": MATCH_NONE, "predecessors": [], "derived": False,
             "previous_index": None, "previous_rank": None, "previous_band": None,
             "index_change": None, "rank_change": None, "band_change": None, "transition": None, "note": None,
             "previous_areas": []}
    if unit is not None and unit.predecessors:
        found = [(code, by_code.get(code)) for code in unit.predecessors]
        entry["match"], entry["derived"] = MATCH_PREDECESSORS, True
        entry["predecessors"] = [
            {"code": code, "name": hit[2]["name"] if hit else None, "file": hit[0] if hit else None,
             "index": to_number(_h(hit[2]["index"])) if hit else None, "band": hit[2]["band"] if hit else None,
             "population": dict(unit.predecessor_population).get(code)}
            for code, hit in found]
        usable = [(code, hit) for code, hit in found if hit and hit[2]["index"] is not None]
        lacking = [code for code, hit in found if not (hit and hit[2]["index"] is not None)]
        if not usable:
            entry["match"], entry["note"] = MATCH_NONE, (
                "các đơn vị tiền thân (" + ", ".join(unit.predecessors) + ") không có kết quả năm trước")
            return entry
        if config["merged_previous"] == "largest_population":
            population = dict(unit.predecessor_population)
            code, hit = max(usable, key=lambda pair: (population.get(pair[0], -1), pair[0]))
            previous_index = _h(hit[2]["index"])
            rule = f"lấy chỉ số của đơn vị tiền thân đông dân nhất: {hit[2]['name']} (mã {code})"
            chosen = [hit]
        else:
            total = sum(_h(hit[2]["index"]) for _, hit in usable)
            previous_index = round_half_up(total, len(usable))
            rule = ("trung bình cộng chỉ số của " + str(len(usable)) + " đơn vị tiền thân ("
                    + ", ".join(f"{hit[2]['name']} {_percent(_h(hit[2]['index']))}" for _, hit in usable) + ")")
            chosen = [hit for _, hit in usable]
        entry["note"] = "so sánh suy ra từ đơn vị tiền thân: " + rule + (
            "; không có kết quả năm trước: " + ", ".join(lacking) if lacking else "")
        entry["previous_index"] = to_number(previous_index)
        entry["previous_band"] = _band_of(previous_index, chosen[0][1]["criteria"]["bands"])
        entry["previous_areas"] = _areas_from(chosen)
    elif commune.code in by_code:
        shown, document, old = by_code[commune.code]
        entry["match"] = MATCH_CODE
        entry["previous_index"] = to_number(_h(old["index"]))
        entry["previous_rank"], entry["previous_band"] = old["rank"], old["band"]
        if old["rank"] is not None and commune.rank is not None and old.get("block") == commune.block:
            entry["rank_change"] = old["rank"] - commune.rank
        entry["previous_areas"] = _areas_from([(shown, document, old)])
    else:
        entry["note"] = "không có kết quả năm trước"
        return entry
    previous_index = _h(entry["previous_index"])
    if index is not None and previous_index is not None:
        entry["index_change"] = to_number(index - previous_index)
    old_band = entry["previous_band"]
    if old_band is not None and commune.band is not None:
        entry["transition"] = f"{old_band} → {commune.band}"
        if old_band in positions:
            entry["band_change"] = positions[old_band] - positions[commune.band]
    return entry


def _areas_from(hits) -> list[dict]:
    """Previous per-area indices, by area code: the unit's own, or (merged) the mean over the predecessors having the area."""
    values: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for _, _, old in hits:
        for area in old["areas"]:
            if area["index"] is not None:
                values.setdefault(area["code"], []).append(_h(area["index"]))
                titles.setdefault(area["code"], area["title"])
    return [{"code": code, "title": titles[code], "index": to_number(round_half_up(sum(found), len(found)))}
            for code, found in values.items()]


def _judge(unit: dict, rules, positions, ranked_in_block) -> None:
    excluded, skipped = [], []
    if unit["index"] is None:
        unit.update(eligible=None, eligibility=UNDECIDED, excluded_by=[],
                    eligibility_note="chỉ số không xác định: không xét điều kiện khen thưởng")
        return
    for rule in rules:
        if _needs_previous(rule) and unit["previous_index"] is None:
            skipped.append(rule["id"])
            continue
        if _fails(rule, unit, positions, ranked_in_block):
            excluded.append({"rule": rule["id"], "text": _rule_text(rule), "legal_source": rule["legal_source"],
                             "message": _excluded_message(rule, unit)})
    note = None
    if skipped:
        note = ("chưa có kết quả năm trước: chỉ xét các điều kiện không cần kết quả năm trước (không xét "
                + ", ".join(skipped) + ")")
    unit.update(eligible=not excluded, eligibility=ELIGIBLE if not excluded else NOT_ELIGIBLE,
                excluded_by=excluded, eligibility_note=note)


def _excluded_message(rule: dict, unit: dict) -> str:
    kind = rule["kind"]
    if kind == "band_at_or_below":
        fact = f"xếp loại {unit['band']}"
    elif kind == "band_drop":
        fact = f"từ {unit['previous_band']} xuống {unit['band']} (giảm {-unit['band_change']} bậc)"
    elif kind == "index_below":
        fact = f"chỉ số {_percent(_h(unit['index']))}"
    else:
        fact = f"hạng {unit['rank']} trong khối"
    return f"{fact}: {_rule_text(rule)} ({rule['legal_source']})"


def _summary(units: list[dict], results, previous) -> dict:
    changes = [(unit, _h(unit["index_change"])) for unit in units if unit["index_change"] is not None]
    values = [change for _, change in changes]
    rises = sorted((pair for pair in changes if pair[1] > 0), key=lambda pair: (-pair[1], pair[0]["code"]))
    falls = sorted((pair for pair in changes if pair[1] < 0), key=lambda pair: (pair[1], pair[0]["code"]))
    last_year: Counter = Counter()
    for _, document in previous:
        last_year.update(document["summary"]["bands"])
    this_year = dict(results.band_counts)
    names = [band.name for band in results.criteria.bands]
    names += [name for name in last_year if name not in names]
    return {
        "compared": len(changes),
        "derived": sum(1 for unit in units if unit["derived"] and unit["index_change"] is not None),
        "without_previous": sum(1 for unit in units if unit["previous_index"] is None),
        "average_change": to_number(round_half_up(sum(values), len(values))) if values else None,
        "up": sum(1 for value in values if value > 0),
        "down": sum(1 for value in values if value < 0),
        "unchanged": sum(1 for value in values if value == 0),
        "largest_rises": [{"code": u["code"], "name": u["name"], "change": u["index_change"]} for u, _ in rises[:LARGEST]],
        "largest_falls": [{"code": u["code"], "name": u["name"], "change": u["index_change"]} for u, _ in falls[:LARGEST]],
        "bands": [{"band": name, "this_year": this_year.get(name, 0), "previous": last_year.get(name, 0)} for name in names],
        "not_eligible": sum(1 for unit in units if unit.get("eligible") is False),
    }


def explain_lines(comparison: dict, code: str) -> list[str]:
    """The lines ``explain CODE`` adds: last year beside this year, in total and per area."""
    unit = next((u for u in comparison["units"] if u["code"] == code), None)
    if unit is None:
        return []
    lines = ["", "SO VỚI NĂM TRƯỚC"]
    if unit["previous_index"] is None:
        lines.append(f"  {unit['note'] or 'không có kết quả năm trước'}")
    else:
        previous = _h(unit["previous_index"])
        change = _h(unit["index_change"])
        lines.append(f"  Chỉ số: năm trước {_percent(previous)}, năm nay {_percent(_h(unit['index']))}"
                     + (f", thay đổi {_signed(change)} điểm" if change is not None else ""))
        if unit["transition"]:
            lines.append(f"  Xếp loại: {unit['transition']}")
        if unit["previous_rank"] is not None:
            moved = unit["rank_change"]
            lines.append(f"  Xếp hạng: năm trước {unit['previous_rank']}, năm nay {unit['rank']}"
                         + (f" ({'tăng' if moved > 0 else 'giảm'} {abs(moved)} bậc)" if moved else
                            " (giữ nguyên)" if moved == 0 else ""))
        if unit["derived"]:
            lines.append(f"  ({unit['note']})")
    lines.append(f"  Khen thưởng: {unit.get('eligibility', UNDECIDED)}")
    for excluded in unit.get("excluded_by", ()):
        lines.append(f"    - {excluded['message']}")
    if unit.get("eligibility_note"):
        lines.append(f"    ({unit['eligibility_note']})")
    return lines


def area_lines(comparison: dict, commune: dict) -> list[str]:
    """Per area: last year's index beside this year's (``commune``: results.json's entry)."""
    unit = next((u for u in comparison["units"] if u["code"] == commune["code"]), None)
    if unit is None or not unit["previous_areas"]:
        return []
    before = {area["code"]: _h(area["index"]) for area in unit["previous_areas"]}
    lines = ["  Theo lĩnh vực (chỉ số năm trước → năm nay):"]
    for area in commune["areas"]:
        now = _h(area["index"])
        old = before.get(area["code"])
        change = f" ({_signed(now - old)})" if now is not None and old is not None else ""
        lines.append(f"    {area['code']}. {area['title']}: {_percent(old) if old is not None else 'không có'}"
                     f" → {_percent(now)}{change}")
    return lines
