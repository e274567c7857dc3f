"""The round's board (bảng theo dõi): where every unit of the year stands.

The office running the round wants one view of its 11 to 170 units: whose submission is
in, how much of it is filled, which claims lack evidence, how far the council's teams have
appraised it and who did, which leaves were marked "đề nghị giải trình" and whether the
explanation came back, whether the survey tallies are in, and what remains before the
unit's result is final. ``round_status`` computes it from the loaded inputs and their
results (pure: plain data in and out, no file is opened); ``status_text`` words it for
the terminal and scoring.status_workbook writes it as .xlsx (``cli.py status``).

A unit's state follows the round's steps (domain: not submitted → submitted → appraised 1
→ explanation requested → explanation submitted → appraised 2), and its result is
provisional (TẠM TÍNH) while survey tallies are missing or judgement leaves await the
council, final otherwise. Deadlines come from the registry's optional ``deadlines``
object (scoring.registry.DEADLINE_STEPS); a step not done by its deadline (at ``as_of``)
is reported late.
"""

from __future__ import annotations

import datetime as dt

from .engine import FLAG_AWAITING, FLAG_MISSING_EVIDENCE, FLAG_NA, FLAG_SURVEY_MISSING
from .model import SECTION_AREA, SECTION_SURVEY
from .registry import DEADLINE_STEPS, NOT_SUBMITTED
from .vietnamese import format_count

# state key → what the board says (the order is the round's order)
STATES = {
    "not_submitted": NOT_SUBMITTED,
    "submitted": "đã nộp, chờ thẩm định",
    "appraised_1": "đã thẩm định lần 1",
    "explanation_requested": "đề nghị giải trình",
    "explanation_received": "đã giải trình, chờ thẩm định lần 2",
    "appraised_2": "đã thẩm định lần 2",
}
RESULT_LABELS = {None: "chưa có kết quả", True: "tạm tính", False: "chính thức"}
# the step whose deadline matters next, per state
NEXT_STEP = {"not_submitted": "self_assessment", "submitted": "appraisal_1", "appraised_1": None,
             "explanation_requested": "explanation", "explanation_received": "appraisal_2", "appraised_2": None}


def _progress(done: int, total: int) -> dict:
    return {"done": done, "total": total}


def _unit_status(commune, criteria) -> dict:
    """One scored unit (a CommuneResult) → its line of the board (see round_status)."""
    areas = {area.code: {"title": area.title, "filled": _progress(0, 0), "appraised": _progress(0, 0)}
             for area in criteria.areas if area.source != "survey"}
    missing_evidence, awaiting, requested, received = [], [], [], []
    stage_counts = {1: 0, 2: 0}
    appraisers: list[str] = []
    survey_missing = survey_total = 0
    for result in commune.leaves:
        leaf = result.leaf
        if FLAG_SURVEY_MISSING in result.flags:
            survey_missing += 1
        # a survey leaf counts with the survey wherever it sits (a content area's survey column, issue 13)
        if leaf.section == SECTION_SURVEY or (leaf.area is not None and leaf.area not in areas):
            survey_total += 1
            continue
        raw = result.raw or {}
        if leaf.section == SECTION_AREA:
            area = areas[leaf.area]
            area["filled"]["total"] += 1
            area["appraised"]["total"] += 1
            if raw.get("self_score") is not None or raw.get("not_applicable") or FLAG_NA in result.flags:
                area["filled"]["done"] += 1
            if result.stages and 1 in result.stages:
                area["appraised"]["done"] += 1
        if FLAG_MISSING_EVIDENCE in result.flags:
            missing_evidence.append(result.code)
        if FLAG_AWAITING in result.flags:
            awaiting.append(result.code)
        for stage, entry in (result.stages or {}).items():
            stage_counts[stage] = stage_counts.get(stage, 0) + 1
            if entry.appraiser and entry.appraiser not in appraisers:
                appraisers.append(entry.appraiser)
            if stage == 1 and entry.explanation_requested:
                requested.append(result.code)
        if raw.get("explanation_round"):
            received.append(result.code)
    waiting = [code for code in requested if code not in received]
    if stage_counts.get(2):
        state = "appraised_2"
    elif requested and not waiting:
        state = "explanation_received"
    elif requested:
        state = "explanation_requested"
    elif stage_counts.get(1):
        state = "appraised_1"
    else:
        state = "submitted"
    remaining = []
    if state == "submitted":
        remaining.append("chờ Hội đồng thẩm định lần 1")
    if waiting:
        remaining.append(f"chờ xã giải trình {len(waiting)} tiêu chí ({', '.join(waiting)})")
    if state == "explanation_received":
        remaining.append(f"chờ thẩm định lần 2: {len(requested)} tiêu chí đã giải trình ({', '.join(requested)})")
    if awaiting:
        remaining.append(f"{len(awaiting)} tiêu chí chờ Hội đồng chấm ({', '.join(awaiting)})")
    if survey_missing:
        remaining.append(f"thiếu số phiếu điều tra xã hội học của {survey_missing}/{survey_total} câu hỏi")
    filled = sum(area["filled"]["done"] for area in areas.values())
    required = sum(area["filled"]["total"] for area in areas.values())
    return {
        "code": commune.code, "name": commune.name, "type": commune.type, "block": commune.block,
        "submitted": True, "file": commune.file,
        "state": state, "state_label": STATES[state],
        "leaves": _progress(filled, required),
        "areas": [{"code": code, **area} for code, area in areas.items()],
        "missing_evidence": missing_evidence,
        "appraisal": {"stage_1": stage_counts.get(1, 0), "stage_2": stage_counts.get(2, 0), "appraisers": appraisers,
                      "awaiting": awaiting},
        "explanation_requested": requested, "explanation_received": received,
        "survey": _progress(survey_total - survey_missing, survey_total),
        "provisional": bool(remaining),  # anything left (an appraisal, an explanation, a tally) keeps it TẠM TÍNH
        "remaining": remaining,
    }


def _not_submitted(unit, criteria) -> dict:
    areas = [{"code": area.code, "title": area.title,
              "filled": _progress(0, sum(1 for leaf in criteria.leaves if leaf.area == area.code and leaf.section == SECTION_AREA)),
              "appraised": _progress(0, sum(1 for leaf in criteria.leaves if leaf.area == area.code and leaf.section == SECTION_AREA))}
             for area in criteria.areas if area.source != "survey"]
    required = sum(area["filled"]["total"] for area in areas)
    survey_total = sum(1 for leaf in criteria.leaves if leaf.section == SECTION_SURVEY)
    return {
        "code": unit.code, "name": unit.name, "type": unit.type, "block": unit.block,
        "submitted": False, "file": None, "state": "not_submitted", "state_label": STATES["not_submitted"],
        "leaves": _progress(0, required), "areas": areas, "missing_evidence": [],
        "appraisal": {"stage_1": 0, "stage_2": 0, "appraisers": [], "awaiting": []},
        "explanation_requested": [], "explanation_received": [], "survey": _progress(0, survey_total),
        "provisional": None, "remaining": ["chưa nộp hồ sơ tự đánh giá"],
    }


def _deadlines(registry, as_of: dt.date | None) -> list[dict]:
    steps = dict(getattr(registry, "deadlines", ()) or ())
    rows = []
    for step, label in DEADLINE_STEPS.items():
        if step not in steps:
            continue
        date = steps[step]
        rows.append({"step": step, "label": label, "date": date.isoformat(),
                     "days_left": (date - as_of).days if as_of else None})
    return rows


def round_status(inputs, results, *, as_of: dt.date | None = None) -> dict:
    """The board of the round, as plain data.

    ``inputs``: scoring.model.Inputs (scoring.load); ``results``: scoring.score(inputs);
    ``as_of``: the day the board is for (deadlines count days from it; None: not counted).
    Returns {"criteria_id", "year", "as_of", "registered" (None without a registry),
    "deadlines": [{"step", "label", "date", "days_left"}], "counts": {state: n},
    "units": [...]}: every registered unit in the registry's order (without a registry,
    every submission in ranking order), each {"code", "name", "type", "block", "submitted",
    "file", "state" (a key of STATES), "state_label", "leaves": {"done", "total"} (leaves
    filled of those required), "areas": [{"code", "title", "filled", "appraised"}],
    "missing_evidence" (leaf codes of claims without evidence), "appraisal": {"stage_1",
    "stage_2" (entries), "appraisers", "awaiting" (judgement leaves not yet scored)},
    "explanation_requested", "explanation_received" (leaf codes), "survey": {"done",
    "total"} (questions with tallies), "provisional" (True: TẠM TÍNH, False: final, None:
    no result), "remaining" (Vietnamese, what is left before a final result), "late" (the
    next step's deadline passed at ``as_of``: its label, else None)}, and "scored": what
    ``score`` makes of the same inputs (see _scored_verdict; scored_line words it).
    """
    criteria = inputs.criteria
    registry = inputs.registry
    by_code = {commune.code: commune for commune in results.communes}
    if registry is not None:
        units = [_unit_status(by_code[unit.code], criteria) if unit.code in by_code else _not_submitted(unit, criteria)
                 for unit in registry.units]
    else:
        units = [_unit_status(commune, criteria) for commune in results.communes]
    deadlines = _deadlines(registry, as_of)
    passed = {row["step"]: row["label"] for row in deadlines if row["days_left"] is not None and row["days_left"] < 0}
    for unit in units:
        step = NEXT_STEP[unit["state"]]
        unit["late"] = passed.get(step) if step else None
        if unit["late"]:
            unit["remaining"].append(f"quá hạn: {unit['late']}")
    counts = {state: sum(1 for unit in units if unit["state"] == state) for state in STATES}
    return {"criteria_id": criteria.id, "year": criteria.year, "as_of": as_of.isoformat() if as_of else None,
            "registered": len(registry.units) if registry is not None else None,
            "deadlines": deadlines, "counts": counts,
            "provisional": sum(1 for unit in units if unit["provisional"]),
            "final": sum(1 for unit in units if unit["provisional"] is False),
            "scored": _scored_verdict(results, units), "units": units}


def _scored_verdict(results, units) -> dict:
    """What ``score`` says of the same inputs, beside the board's own "tạm tính" (work left):
    {"provisional": bool, "banner": its TẠM TÍNH line or "", "self_scored": judgement leaves
    counted at their self-score because the criteria set says so (awaiting_appraisal =
    self_score), "self_scored_units": how many units have such leaves}."""
    from .provisional import banner

    counted = results.criteria.awaiting_appraisal == "self_score"
    waiting = [len(unit["appraisal"]["awaiting"]) for unit in units if unit["submitted"]] if counted else []
    return {"provisional": bool(results.provisional), "banner": banner(results.provisional),
            "self_scored": sum(waiting), "self_scored_units": sum(1 for n in waiting if n)}


def count_lines(board: dict) -> list[str]:
    """The board's counts as two lines (the terminal's and the workbook's): the units by
    state, then the provisional and final results."""
    total = f"{format_count(board['registered'])} đơn vị trong danh sách" if board["registered"] is not None \
        else f"{format_count(len(board['units']))} đơn vị"
    counts = "; ".join(f"{label}: {format_count(board['counts'][state])}"
                       for state, label in STATES.items() if board["counts"][state])
    return [f"{total}: {counts}.",
            f"Kết quả tạm tính: {format_count(board['provisional'])}; chính thức: {format_count(board['final'])}."]


def scored_line(board: dict) -> str:
    """One line saying what ``score`` makes of the same inputs ("" when the board has no
    provisional unit and score is final): its TẠM TÍNH banner, or, when score is final while
    the board still counts units "tạm tính" (work left in the round), why the two differ."""
    scored = board.get("scored")
    if not scored:
        return ""
    if scored["provisional"]:
        return f"Lệnh score với cùng dữ liệu: {scored['banner']}"
    if not board["provisional"]:
        return ""
    # the board's "tạm tính" is work left in the round; score follows the criteria set's policy
    return ("Lệnh score với cùng dữ liệu cho kết quả chính thức"
            + (f": theo bộ tiêu chí, {scored['self_scored']} tiêu chí chấm theo nhận định chưa được Hội đồng "
               f"thẩm định ({scored['self_scored_units']} đơn vị) được tính theo điểm tự chấm"
               if scored["self_scored"] else "")
            + '; "tạm tính" trên bảng này là đơn vị còn việc chưa xong (xem cột Còn lại).')


def _ratio(progress: dict) -> str:
    return f"{progress['done']}/{progress['total']}"


def status_rows(board: dict) -> list[list[str]]:
    """The board's table as text cells, one row per unit (terminal and workbook share it)."""
    rows = []
    for number, unit in enumerate(board["units"], start=1):
        appraisal = unit["appraisal"]
        stage = "—"
        if appraisal["stage_2"]:
            stage = f"lần 2 ({appraisal['stage_2']})"
        elif appraisal["stage_1"]:
            stage = f"lần 1 ({appraisal['stage_1']})"
        rows.append([
            str(number), unit["code"], unit["name"], unit["state_label"],
            _ratio(unit["leaves"]) if unit["submitted"] else "—",
            str(len(unit["missing_evidence"])) if unit["submitted"] else "—",
            stage, ", ".join(appraisal["appraisers"]),
            str(len(unit["explanation_requested"])), str(len(unit["explanation_received"])),
            _ratio(unit["survey"]) if unit["submitted"] else "—",
            RESULT_LABELS[unit["provisional"]],
            "; ".join(unit["remaining"]) or "không còn gì",
        ])
    return rows


STATUS_HEADERS = ["STT", "Mã", "Đơn vị", "Trạng thái", "Tiêu chí đã kê khai", "Thiếu kiểm chứng", "Thẩm định",
                  "Người thẩm định", "Đề nghị giải trình", "Đã giải trình", "Số phiếu ĐTXHH", "Kết quả", "Còn lại"]


def status_text(board: dict) -> str:
    """The board for the terminal: a summary, the deadlines, then one line per unit and the
    per-area progress of every unit submitted but not complete."""
    from .report import table

    units = board["units"]
    head = f"Theo dõi vòng đánh giá Chỉ số CCHC năm {board['year']} (bộ tiêu chí {board['criteria_id']})"
    if board["as_of"]:
        head += f", ngày {dt.date.fromisoformat(board['as_of']).strftime('%d/%m/%Y')}"
    lines = [head + ":", *count_lines(board)]
    if scored_line(board):
        lines.append(scored_line(board))
    appraisers: dict[str, int] = {}
    for unit in units:
        for name in unit["appraisal"]["appraisers"]:
            appraisers[name] = appraisers.get(name, 0) + 1
    if appraisers:
        lines.append("Người (tổ) thẩm định: " + "; ".join(f"{name} ({count} đơn vị)" for name, count in appraisers.items())
                     + ".")
    for row in board["deadlines"]:
        when = dt.date.fromisoformat(row["date"]).strftime("%d/%m/%Y")
        left = ""
        if row["days_left"] is not None:
            left = (f" (còn {row['days_left']} ngày)" if row["days_left"] > 0 else " (hôm nay)" if row["days_left"] == 0
                    else f" (đã qua {-row['days_left']} ngày)")
        lines.append(f"Hạn {row['label']}: {when}{left}.")
    lines.append("")
    short = [row[:7] + row[8:12] for row in status_rows(board)]
    headers = STATUS_HEADERS[:7] + STATUS_HEADERS[8:12]
    lines.append(table(headers, short, numeric={0, 5, 8, 9}))
    lines.append("")
    lines.append("Còn lại trước khi có kết quả chính thức (tiến độ theo lĩnh vực: kê khai | thẩm định lần 1):")
    for unit in units:
        if not unit["remaining"]:
            continue
        areas = ", ".join(f"{area['code']}: {_ratio(area['filled'])} | {area['appraised']['done']}"
                          for area in unit["areas"])
        lines.append(f"  {unit['code']} {unit['name']}: {'; '.join(unit['remaining'])}."
                     + (f" Lĩnh vực {areas}." if unit["submitted"] else ""))
    return "\n".join(lines).rstrip("\n") + "\n"
