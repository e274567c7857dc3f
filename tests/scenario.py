"""Build a scenario (criteria + submissions + appraisal + survey) from a compact case dict.

A case names only what it is about; everything else gets a plain default. Used by the
scenario tests (tests/cases/*.json) and by property tests.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

DEFAULT_BANDS = [
    {"name": "Xuất sắc", "min_index": 90, "color": "#1A7F37"},
    {"name": "Tốt", "min_index": 80, "color": "#4CAF50"},
    {"name": "Khá", "min_index": 70, "color": "#F2C94C"},
    {"name": "Trung bình", "min_index": 50, "color": "#F2994A"},
    {"name": "Yếu", "min_index": 0, "color": "#EB5757"},
]


def _sum(nodes):
    return sum(Decimal(str(n["max"])) for n in nodes)


def _num(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def criteria_document(case: dict) -> dict:
    """A criteria set: area "1" holds the case's leaves, area "2" its survey leaves (if any)."""
    leaves = case["leaves"]
    areas = [{"code": "1", "title": "Lĩnh vực thử", "max": _num(_sum(leaves)), "criteria": leaves}]
    if case.get("survey_leaves"):
        survey = case["survey_leaves"]
        areas.append({"code": "2", "title": "Điều tra xã hội học", "max": _num(_sum(survey)), "source": "survey", "criteria": survey})
    total = sum(Decimal(str(a["max"])) for a in areas)
    document = {
        "id": "thu-nghiem", "year": 2023, "title": "Bộ tiêu chí thử nghiệm",
        "issuer": {"name": "Ủy ban nhân dân huyện Thử", "level": "district", "place": "Thử", "unit_name": "huyện Thử"},
        "legal_source": {"number": "1/QĐ-UBND", "date": "2023-01-02", "title": "Quyết định thử", "issuer": "UBND huyện Thử"},
        "total_points": _num(total),
        "index_cap": case.get("index_cap", 100),
        "evidence_window": {"from": "2022-10-01", "to": "2024-01-31"},
        "areas": areas,
        "bands": case.get("bands", DEFAULT_BANDS),
        "ranking": case.get("ranking", {"blocks": [{"id": "xa", "name": "Khối xã", "unit_types": ["xã", "thị trấn"]},
                                                   {"id": "phuong", "name": "Khối phường", "unit_types": ["phường"]}],
                                        "tie_break": []}),
    }
    if "survey_required" in case:
        document["survey_required"] = case["survey_required"]
    if case.get("provisional"):
        document["provisional"] = case["provisional"]
    if case.get("adjustments"):
        document["adjustments"] = case["adjustments"]
    return document


def write_scenario(case: dict, folder: Path) -> dict:
    """Write the case's files under folder; return the paths for load_inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    criteria_path = folder / "criteria.json"
    document = criteria_document(case)
    if case.get("extension") is not None:  # issue 13: the case's set is the framework the extension builds on
        document.update(id="khung-thu-nghiem", title="Bộ tiêu chí khung của tỉnh Thử",
                        legal_source={"number": "9/QĐ-UBND", "date": "2022-12-20", "title": "Quyết định ban hành bộ khung",
                                      "issuer": "UBND tỉnh Thử"})
        (folder / "khung.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        document = {"id": "thu-nghiem", "extends": "khung.json", **case["extension"]}
    criteria_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    communes = folder / "communes"
    communes.mkdir(exist_ok=True)
    for commune in case["communes"]:
        submission = {"criteria_id": "thu-nghiem", "year": 2023,
                      "commune": {"code": commune["code"], "name": commune.get("name", "Xã " + commune["code"]),
                                  "type": commune.get("type", "xã")},
                      "leaves": commune.get("leaves", {})}
        (communes / f"{commune['code']}.json").write_text(json.dumps(submission, ensure_ascii=False), encoding="utf-8")
    for name in ("evidence",):
        (communes / name).mkdir(exist_ok=True)
    for relative in case.get("evidence_files", []):
        target = communes / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF-1.4\n")
    paths = {"criteria": criteria_path, "submissions": communes, "appraisal": None, "survey": None}
    if case.get("appraisal") is not None:
        appraisal = folder / "appraisal.json"
        appraisal.write_text(json.dumps({"criteria_id": "thu-nghiem", "year": 2023, "council": "Hội đồng thử",
                                         "entries": case["appraisal"]}, ensure_ascii=False), encoding="utf-8")
        paths["appraisal"] = appraisal
    if case.get("survey") is not None:
        survey = folder / "survey.json"
        survey.write_text(json.dumps({"criteria_id": "thu-nghiem", "year": 2023, "conducted_by": "Phòng Nội vụ",
                                      "tallies": case["survey"]}, ensure_ascii=False), encoding="utf-8")
        paths["survey"] = survey
    return paths


# ---------------------------------------------------------------- runs of the CLI in a real process
# shared by tests/test_faults.py and tests/test_hostile.py (killed, stopped and failing runs)

TIME = "2024-02-01T08:00:00+07:00"  # the run time of the "previous" outputs; the round's tests fix it too (same inputs, same bytes)
LATER = "2025-01-01T00:00:00+07:00"  # the run time of a run that replaces them
OUTPUTS = ("results.json", "ket-qua.xlsx", "quyet-dinh.docx")

WRAPPER = """\
import os, signal, sys, time
sys.path.insert(0, {root!r})
import cli
{patch}
sys.argv = ["cli.py"] + sys.argv[1:]
cli.main()
"""


def fresh_out(previous: Path, folder: Path) -> Path:
    """A copy of the previous result as a run leaves it (its links kept as links), in folder/out."""
    import shutil

    out = folder / "out"
    shutil.copytree(previous, out, symlinks=True)
    return out


def wrapper_command(root: Path, patch: str, folder: Path, *args) -> list[str]:
    """The command running ``cli.main()`` in a new Python process after ``patch`` (source code,
    dedented) has replaced what the test needs; the script is written as folder/wrapper.py."""
    import sys
    import textwrap

    script = folder / "wrapper.py"
    script.write_text(WRAPPER.format(root=str(root), patch=textwrap.dedent(patch)), encoding="utf-8")
    return [sys.executable, str(script), *map(str, args)]


def wrapper_environment(extra: dict | None = None) -> dict:
    """The environment of a wrapped run: this one without CCHC_DEBUG (tracebacks on), plus ``extra``."""
    import os

    environment = {key: value for key, value in os.environ.items() if key != "CCHC_DEBUG"}
    environment.update(extra or {})
    return environment

# ---------------------------------------------------------------- the round's CLI tests (issue 14)

# openpyxl warns that it drops the forms' data validations on reading: expected
FORM_READ_WARNING = "ignore:.*extension is not supported:UserWarning"


def run(*args):
    """cli.py through click's runner (arguments made strings); a Python exception other than
    an exit fails the test with its repr, so a crash is never taken for an exit code."""
    from click.testing import CliRunner

    from cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def results_of(out: Path) -> dict:
    """results.json of an output folder."""
    return json.loads((out / "results.json").read_text(encoding="utf-8"))
