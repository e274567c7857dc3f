"""Make the bundled round-in-progress example (issue 14), deterministically, from the
bundled year (submissions/tu-mo-rong-2023): submissions/vi-du-dang-cham/.

The same 11 communes, as the office would see the round on 07/02/2024 (``AS_OF``), before
the survey is complete and while the council is still at work. Every state of the round's
board (scoring/status.py STATES) occurs at least once:

- 23533 Tê Xăng: no submission (chưa nộp), late for the self-assessment deadline;
- 23509, 23515, 23518, 23521, 23524, 23527: submitted, waiting for the first appraisal;
- 23506 Đăk Tờ Kan: appraised once by team 1, nothing marked (its result is final);
- 23530 Ngọc Lây: appraised once by team 2, leaf 3.2.1 marked "đề nghị giải trình", no answer yet;
- 23503 Đăk Hà: appraised once by team 1, leaf 1.5.3 marked, the commune's explanation received
  (``explanation_round`` in its submission, as ``import --kind explanation`` writes it);
- 23512 Đăk Sao: leaf 6.3 marked, explained (Quyết định số 10/QĐ-UBND ngày 09/01/2023),
  appraised a second time (the bundled year's stage-2 entry).

The survey tallies of 23509, 23521 and 23527 are not in yet, so `score` on this example is
TẠM TÍNH. The registry carries the round's deadlines. The commune files not changed here
and the evidence PDFs are copied byte for byte (git stores an identical file once).

Run: .venv/bin/python tools/make_round_example.py [TARGET] (then commit the files);
tests/test_round_example.py checks that the committed files are what it makes.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "submissions" / "tu-mo-rong-2023"
TARGET = ROOT / "submissions" / "vi-du-dang-cham"
AS_OF = "2024-02-07"  # the day the README's `status` command shows the board for
DEADLINES = {"self_assessment": "2024-01-10", "appraisal_1": "2024-02-09", "explanation": "2024-02-16",
             "appraisal_2": "2024-02-23", "approval": "2024-02-29"}
NOT_SUBMITTED = "23533"
SURVEY_NOT_IN = ("23509", "23521", "23527")
TEAM_1 = "Tổ thẩm định số 1 (Phòng Nội vụ)"
TEAM_2 = "Tổ thẩm định số 2 (Văn phòng HĐND và UBND)"
APPRAISED = {"23503": TEAM_1, "23506": TEAM_1, "23512": TEAM_1, "23530": TEAM_2}
MARKED = {("23503", "1.5.3"), ("23512", "6.3"), ("23530", "3.2.1")}
# Đăk Tờ Kan's first appraisal (new here: the bundled year has none for it)
DAK_TO_KAN = [
    ("1.2.2", 1, "Báo cáo năm đầy đủ các lĩnh vực theo đề cương, số liệu khớp với phụ lục."),
    ("1.5.3", 0.75, "Tuyên truyền qua loa truyền thanh và hội nghị thôn; giữ nguyên điểm tự chấm."),
    ("7.3.2", 1.25, "Tổ công nghệ số cộng đồng hoạt động ở 7/8 thôn; tỷ lệ thanh toán không dùng tiền mặt còn thấp."),
]
EXPLANATIONS = {  # the communes' answers (import --kind explanation puts them into the submission)
    ("23503", "1.5.3"): {
        "explanation": "Xã đã in và phát 300 tờ gấp song ngữ Việt - Xơ Đăng về thủ tục hành chính tại 9 thôn "
                       "trong năm 2023 theo Kế hoạch số 21/KH-UBND ngày 14/3/2023 (gửi kèm).",
        "evidence": [{"number": "21/KH-UBND", "date": "2023-03-14",
                      "title": "Kế hoạch tuyên truyền cải cách hành chính bằng tiếng dân tộc Xơ Đăng năm 2023",
                      "issuer": "UBND xã Đăk Hà"}],
        "date": "2024-02-02"},
    ("23512", "6.3"): {
        "explanation": "Xã gửi bổ sung Quyết định ban hành Quy chế chi tiêu nội bộ năm 2023.",
        "evidence": [{"number": "10/QĐ-UBND", "date": "2023-01-09",
                      "title": "Quyết định ban hành Quy chế chi tiêu nội bộ năm 2023", "issuer": "UBND xã Đăk Sao"}],
        "date": "2024-01-30"},
}


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _appraisal(source: dict) -> dict:
    appraisal = copy.deepcopy(source)
    entries = []
    for entry in source["entries"]:
        if entry["commune"] not in APPRAISED:
            continue
        entry = {**entry, "appraiser": APPRAISED[entry["commune"]]}
        if entry["stage"] == 1 and (entry["commune"], entry["leaf"]) in MARKED:
            entry["explanation_requested"] = True
        entries.append(entry)
    for leaf, score, reason in DAK_TO_KAN:
        entries.append({"commune": "23506", "leaf": leaf, "stage": 1, "score": score, "reason": reason,
                        "date": "2024-02-05", "appraiser": TEAM_1})
    entries.sort(key=lambda e: (e["commune"], e["stage"]))  # stable: the bundled order within a commune
    appraisal["entries"] = entries
    return appraisal


def make(target: Path = TARGET) -> None:
    """Write the example into ``target``, replacing what this tool made there before (its
    README.md, written by hand, is kept)."""
    communes = target / "communes"
    if communes.exists():
        shutil.rmtree(communes)
    communes.mkdir(parents=True)
    for path in sorted((SOURCE / "communes").glob("*.json")):
        code = path.name[:5]
        if code == NOT_SUBMITTED:
            continue
        answers = {leaf: answer for (commune, leaf), answer in EXPLANATIONS.items() if commune == code}
        if answers:
            data = json.loads(path.read_text(encoding="utf-8"))
            for leaf, answer in answers.items():
                data["leaves"][leaf]["explanation_round"] = answer
            (communes / path.name).write_text(_dumps(data), encoding="utf-8")
        else:
            shutil.copyfile(path, communes / path.name)
        evidence = SOURCE / "communes" / "evidence" / code
        if evidence.is_dir():
            shutil.copytree(evidence, communes / "evidence" / code, copy_function=shutil.copyfile)
    appraisal = _appraisal(json.loads((SOURCE / "appraisal.json").read_text(encoding="utf-8")))
    (target / "appraisal.json").write_text(_dumps(appraisal), encoding="utf-8")
    survey = json.loads((SOURCE / "survey.json").read_text(encoding="utf-8"))
    survey["tallies"] = {code: tallies for code, tallies in survey["tallies"].items() if code not in SURVEY_NOT_IN}
    survey["period"] = survey["period"] + " (đang tổng hợp: chưa có số phiếu của " + ", ".join(SURVEY_NOT_IN) + ")"
    (target / "survey.json").write_text(_dumps(survey), encoding="utf-8")
    registry = json.loads((SOURCE / "registry.json").read_text(encoding="utf-8"))
    registry["deadlines"] = DEADLINES
    (target / "registry.json").write_text(_dumps(registry), encoding="utf-8")


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET)
