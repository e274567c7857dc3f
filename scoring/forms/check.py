"""A commune's check before sending: the provisional score of its own submission.

The engine scores the submission alone, with no appraisal and no survey: every leaf gets
the score its facts and evidence give (judgement leaves keep the self-score until the
council scores them), the survey area is left out. The provisional total is therefore the
engine's ``appraised`` points (areas 1-7) of this commune when no appraisal exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..engine import FLAG_AWAITING, FLAG_MISSING_EVIDENCE, FLAG_NA, FLAG_SELF_ABOVE, CommuneResult, score
from ..input_files import input_file_issue
from ..load import build_submission
from ..model import SECTION_AREA, SECTION_SURVEY, Inputs, Submission
from ..report import table
from . import cells as c
from ..errors import message
from .cells import display, summarize_missing_files
from .inputs import CriteriaSource, read_submission_file
from .texts import pts


@dataclass(frozen=True)
class Provisional:
    submission: Submission
    result: CommuneResult
    warnings: tuple
    unfilled: tuple = ()  # area leaves whose form row is still wholly empty (a form being filled)


SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".csv")


def _looks_like_a_workbook(path: Path) -> bool:
    """A zip (xlsx, ods) or an OLE file (xls) whatever its name says. Only a regular file of
    a sane size is opened (input_files.input_file_issue, from stat alone): a FIFO would wait
    forever for a writer, /dev/zero never ends; the reader then refuses them with the reason."""
    if input_file_issue(path, str(path)) is not None:
        return False
    try:
        with open(path, "rb") as file:
            head = file.read(4)
    except OSError:
        return False
    return head in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def provisional_score(path, source: CriteriaSource, *, base_dir=None) -> Provisional:
    """Score one submission (JSON, or a filled self-assessment form .xlsx) without appraisal or survey."""
    from . import import_file

    path = Path(path)
    unfilled: list = []
    if path.suffix.lower() in SPREADSHEET_SUFFIXES or _looks_like_a_workbook(path):
        # an .ods or .xls gets import's clear message, never "not UTF-8"
        imported = import_file(path, source, kind="self", base_dir=base_dir, blank_rows=unfilled)
        submission = build_submission(imported.data, display(path))
        warnings = tuple(imported.warnings) + tuple(_unfilled_warnings(path, source, unfilled))
    else:
        submission, warnings, unfilled = _read_draft(path, source.criteria)
    criteria = source.criteria
    results = score(Inputs(criteria, (submission,), None, None))
    return Provisional(submission, results.communes[0], warnings, tuple(unfilled))


def _read_draft(path: Path, criteria):
    """A submission JSON that may still lack area leaves: (model, warnings, the leaves it lacks).
    Any other problem is an InputError, as before; each missing leaf is a warning (leaf-missing)."""
    from ..errors import InputError
    from ..files import read_json
    from .inputs import submission_issues

    parsed = read_json(path)
    if parsed.issues or parsed.data is None:
        read_submission_file(path, criteria)  # raises with the file's own problems
    errors, warnings = submission_issues(parsed, criteria, path.parent)
    missing = [issue for issue in errors if issue.code == "leaf-missing"]
    if len(missing) != len(errors):
        raise InputError(errors)
    unfilled = [leaf.code for leaf in criteria.leaves
                if leaf.section == SECTION_AREA and leaf.code not in parsed.data["leaves"]]
    warnings = list(summarize_missing_files(warnings, path.parent)) + missing
    return build_submission(parsed.data, parsed.path), tuple(warnings), unfilled


def _unfilled_warnings(path, source, unfilled) -> list:
    """One warning per leaf still to fill, at its row: leaf-missing, a warning while checking."""
    from .self_assessment import FIRST_ROW, SHEET_LEAVES, layout

    rows = {row.leaf.code: FIRST_ROW + offset for offset, row in enumerate(layout(source)) if row.is_leaf}
    problems = c.Problems(display(path))
    for code in unfilled:
        leaf = source.criteria.leaf(code)
        problems.add(c.cell(SHEET_LEAVES, 1, rows[code]), "leaf-missing",
                     message("leaf-missing", "form", leaf=code, title=leaf.title))
    return problems.issues


def area_progress(source: CriteriaSource, provisional: Provisional) -> list[dict]:
    """Per self-assessed area: {"code", "title", "filled", "required" (leaves), "points",
    "max" (hundredths: the provisional points of the filled leaves and their maximum)}."""
    unfilled = set(provisional.unfilled)
    rows = {}
    for area in source.criteria.areas:
        if area.source != "survey":
            rows[area.code] = {"code": area.code, "title": area.title, "filled": 0, "required": 0, "points": 0, "max": 0}
    for result in provisional.result.leaves:
        row = rows.get(result.leaf.area) if result.leaf.section == SECTION_AREA else None
        if row is None:
            continue
        row["required"] += 1
        if result.code not in unfilled:
            row["filled"] += 1
            row["points"] += result.final
            row["max"] += result.counted_max
    return list(rows.values())


def check_text(source: CriteriaSource, provisional: Provisional) -> str:
    """What the commune reads: score per area and in total, leaves above their evidence, leaves lacking it."""
    criteria = source.criteria
    result = provisional.result
    if provisional.unfilled:
        return progress_text(source, provisional)
    lines = [
        f"{result.name} (mã {result.code}, {result.type}): kiểm tra hồ sơ tự đánh giá theo bộ tiêu chí "
        f"{criteria.id} năm {criteria.year}.",
        "Điểm tạm tính: chưa có kết quả thẩm định của Hội đồng và chưa có kết quả điều tra xã hội học; "
        "mỗi tiêu chí được tính theo số liệu và tài liệu kiểm chứng đã kê khai "
        "(tiêu chí do Hội đồng chấm tạm tính theo điểm tự chấm).",
        "",
    ]
    rows = []
    own_max = 0
    for area in result.areas:
        if area.self_assessed is None:
            continue
        own_max += area.max
        title = next(a.title for a in criteria.areas if a.code == area.code)
        rows.append([area.code, title, pts(area.self_assessed), pts(area.points), pts(area.max)])
    rows.append(["", "Tổng (phần tự đánh giá)", pts(result.self_assessed), pts(result.appraised), pts(own_max)])
    lines.append(table(["Mã", "Lĩnh vực", "Tự chấm", "Tạm tính", "Tối đa"], rows, numeric={2, 3, 4}))
    lines.append("")
    lines.append(f"Tổng điểm tạm tính: {pts(result.appraised)}/{pts(own_max)} điểm (phần tự đánh giá).")
    if criteria.bonus_title or criteria.penalty_title:
        lines.append(f"Điểm thưởng tạm tính: {pts(result.bonus)}; điểm trừ tạm tính: {pts(result.penalty)} "
                     "(sau giới hạn của bộ tiêu chí; chưa cộng vào tổng trên).")
    survey_areas = [a for a in criteria.areas if a.source == "survey"]
    if survey_areas:
        lines.append("Chưa tính: " + ", ".join(f"lĩnh vực {a.code} ({a.title}, {pts(a.max)} điểm)" for a in survey_areas)
                     + ", chấm theo kết quả điều tra xã hội học.")
    # survey questions inside a content area (issue 13): scored from the tallies, not by the commune
    inside = [leaf for leaf in criteria.leaves if leaf.section == SECTION_SURVEY
              and leaf.area not in {a.code for a in survey_areas}]
    if inside:
        lines.append("Chưa tính: " + ", ".join(f"tiêu chí {leaf.code} ({leaf.title}, {pts(leaf.max)} điểm)" for leaf in inside)
                     + ", điểm từ điều tra xã hội học.")
    lines.append("")

    def leaf_lines(flag, header, describe):
        chosen = [r for r in result.leaves if flag in r.flags]
        if not chosen:
            return [f"{header}: không có."]
        return [f"{header} ({len(chosen)}):"] + [f"  - {r.code} {r.leaf.title}: {describe(r)}" for r in chosen]

    lines += leaf_lines(FLAG_SELF_ABOVE, "Tiêu chí tự chấm cao hơn điểm theo tài liệu kiểm chứng",
                        lambda r: f"tự chấm {pts(r.self_score)}, theo kiểm chứng {pts(r.final)}. {r.reason}")
    lines += leaf_lines(FLAG_MISSING_EVIDENCE, "Tiêu chí thiếu tài liệu kiểm chứng",
                        lambda r: f"cần {r.leaf.evidence_description or 'tài liệu kiểm chứng'}"
                                  + (f" (loại: {', '.join(r.leaf.evidence_types)})" if r.leaf.evidence_types else ""))
    awaiting = [r for r in result.leaves if FLAG_AWAITING in r.flags and r.leaf.section == SECTION_AREA]
    if awaiting:
        lines.append("Tiêu chí do Hội đồng thẩm định chấm (đang tạm tính theo điểm tự chấm): "
                     + ", ".join(r.code for r in awaiting) + ".")
    not_applicable = [r.code for r in result.leaves if FLAG_NA in r.flags]
    if not_applicable:
        lines.append("Tiêu chí không áp dụng: " + ", ".join(not_applicable) + ".")
    if provisional.warnings:
        lines.append("")
        lines.append("Lưu ý:")
        lines += [f"  - {warning}" for warning in provisional.warnings]
    return "\n".join(lines) + "\n"


def progress_text(source: CriteriaSource, provisional: Provisional) -> str:
    """A form still being filled: per area the leaves filled of those required and the
    provisional score of what is filled; the leaves still to fill are warnings (exit 0)."""
    result = provisional.result
    progress = area_progress(source, provisional)
    filled = sum(row["filled"] for row in progress)
    required = sum(row["required"] for row in progress)
    lines = [
        f"{result.name} (mã {result.code}, {result.type}): hồ sơ tự đánh giá đang kê khai dở, "
        f"đã kê khai {filled}/{required} tiêu chí theo bộ tiêu chí {source.criteria.id} năm {source.criteria.year}.",
        "Điểm tạm tính của phần đã kê khai (chưa có thẩm định, chưa có điều tra xã hội học):",
        "",
    ]
    rows = [[row["code"], row["title"], f"{row['filled']}/{row['required']}", pts(row["points"]), pts(row["max"])]
            for row in progress]
    rows.append(["", "Tổng", f"{filled}/{required}", pts(sum(r["points"] for r in progress)),
                 pts(sum(r["max"] for r in progress))])
    lines.append(table(["Mã", "Lĩnh vực", "Đã kê khai", "Tạm tính", "Tối đa (phần đã kê khai)"], rows, numeric={3, 4}))
    lines.append("")
    lines.append(f"Còn {required - filled} tiêu chí chưa kê khai (xem Lưu ý); hồ sơ chỉ gửi được khi kê khai đủ.")
    lines.append("")
    lines.append("Lưu ý:")
    lines += [f"  - {warning}" for warning in provisional.warnings]
    return "\n".join(lines) + "\n"
