#!/usr/bin/env python3
"""Generate a realistic synthetic year for benchmarks and scale tests.

    python bench/generate.py --communes 3321 --out /tmp/year-3321
    python bench/generate.py --communes 168 --criteria criteria/tu-mo-rong-2023.json --out /tmp/p168

Writes DIR/criteria.json (a generated set with --leaves leaves, every rule kind, or a copy
of --criteria), DIR/communes/*.json (one submission per commune, varied facts, evidence,
not-applicable claims, inflated self-scores and missing documents), DIR/appraisal.json and
DIR/survey.json. Same seed, same files. A share of the evidence documents (--scans, 0.1 by
default) name a scan, DIR/communes/evidence/CODE/….pdf, written as an empty file; some
explanations quote names ("…") and run over several lines, as the forms import them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.load import build_criteria, iter_leaves  # noqa: E402

UNIT_TYPES = ["xã"] * 79 + ["phường"] * 20 + ["đặc khu"]
SURVEY_OPTIONS = [{"code": "A", "label": "Rất hài lòng", "share": 100}, {"code": "B", "label": "Hài lòng", "share": 60},
                  {"code": "C", "label": "Chưa hài lòng", "share": 20}, {"code": "D", "label": "Không hài lòng", "share": 0}]
KINDS = ["yes_no", "choice", "deadline", "ratio_thresholds", "value_thresholds", "proportional", "deduction",
         "judgement", "yes_no", "ratio_thresholds"]


def _rule(kind: str, leaf_max: Decimal, rng: random.Random) -> dict:
    half = Decimal(int(leaf_max * 4) // 2) / 4  # half the points, kept on the quarter
    if kind == "yes_no":
        return {"kind": kind, "question": "Thực hiện đầy đủ theo quy định"}
    if kind == "choice":
        return {"kind": kind, "options": [{"value": "dat", "label": "Đạt", "points": leaf_max},
                                          {"value": "mot_phan", "label": "Đạt một phần", "points": half},
                                          {"value": "khong", "label": "Không đạt", "points": 0}]}
    if kind == "deadline":
        return {"kind": kind, "deadline": "2025-01-15", "late_until": "2025-03-31", "on_time": leaf_max, "late": half, "missing": 0}
    if kind == "ratio_thresholds":
        return {"kind": kind, "numerator": "Số hồ sơ đúng hạn", "denominator": "Tổng số hồ sơ",
                "thresholds": [{"at": 100, "points": leaf_max}, {"at": 95, "points": half}], "otherwise": 0}
    if kind == "value_thresholds":
        return {"kind": kind, "value": "Số cuộc tuyên truyền", "unit": "cuộc", "direction": "at_least",
                "thresholds": [{"at": 6, "points": leaf_max}, {"at": 3, "points": half}], "otherwise": 0}
    if kind == "proportional":
        return {"kind": kind, "numerator": "Số công chức đạt chuẩn", "denominator": "Tổng số công chức"}
    if kind == "deduction":
        return {"kind": kind, "violation": "Báo cáo chậm", "per_violation": Decimal("0.25")}
    if kind == "judgement":
        return {"kind": kind, "step": Decimal("0.25")}
    raise ValueError(kind)


def generated_criteria(leaves: int, rng: random.Random) -> dict:
    """A criteria set of about ``leaves`` leaves: 7 areas of 70 points, a 30-point survey area, bonus/penalty."""
    survey_leaves = max(2, leaves // 10)
    area_leaves = leaves - survey_leaves
    areas = []
    per_area = [area_leaves // 7 + (1 if i < area_leaves % 7 else 0) for i in range(7)]
    area_points = [10] * 7
    for a, count in enumerate(per_area):
        # spread 10 points over `count` leaves in quarter points
        quarters = [40 // count] * count
        for i in range(40 - sum(quarters)):
            quarters[i] += 1
        criteria = []
        for i, q in enumerate(quarters):
            leaf_max = Decimal(q) / 4
            kind = KINDS[(a * 7 + i) % len(KINDS)]
            node = {"code": f"{a + 1}.{i + 1}", "title": f"Tiêu chí {a + 1}.{i + 1}", "max": leaf_max,
                    "rule": _rule(kind, leaf_max, rng),
                    "evidence": {"required": kind not in ("judgement",), "description": "Văn bản của UBND xã",
                                 **({"types": ["KH"]} if kind == "deadline" else {})}}
            if i % 9 == 4 and kind in ("ratio_thresholds", "yes_no", "proportional"):
                node["not_applicable"] = "exclude" if i % 2 else "full"
            criteria.append(node)
        areas.append({"code": str(a + 1), "title": f"Lĩnh vực {a + 1}", "max": area_points[a], "criteria": criteria})
    quarters = [120 // survey_leaves] * survey_leaves
    for i in range(120 - sum(quarters)):
        quarters[i] += 1
    areas.append({"code": "8", "title": "Điều tra xã hội học", "max": 30, "source": "survey", "criteria": [
        {"code": f"8.{i + 1}", "title": f"Câu hỏi {i + 1}", "max": Decimal(q) / 4,
         "rule": {"kind": "survey", "question": f"Câu hỏi khảo sát {i + 1}", "options": SURVEY_OPTIONS}}
        for i, q in enumerate(quarters)]})
    return {
        "id": "tong-hop-2025", "year": 2025, "title": "Bộ Chỉ số CCHC cấp xã năm 2025 (tổng hợp)",
        "issuer": {"name": "Ủy ban nhân dân tỉnh Tổng Hợp", "level": "province", "place": "Tổng Hợp", "unit_name": "tỉnh Tổng Hợp"},
        "legal_source": {"number": "120/QĐ-UBND", "date": "2025-01-10", "title": "Quyết định ban hành Bộ Chỉ số CCHC cấp xã", "issuer": "UBND tỉnh Tổng Hợp"},
        "total_points": 100, "index_cap": 100, "evidence_window": {"from": "2024-10-01", "to": "2026-01-31"},
        "areas": areas,
        "adjustments": {
            "bonus": {"title": "Điểm thưởng", "cap": 2, "items": [{"code": "T.1", "title": "Sáng kiến CCHC", "max": 1, "rule": {"kind": "per_count", "counted": "Sáng kiến được công nhận", "points_each": Decimal("0.5")}, "evidence": {"required": True, "description": "Quyết định công nhận"}}]},
            "penalty": {"title": "Điểm trừ", "cap": 3, "items": [{"code": "TR.1", "title": "Vi phạm kỷ luật", "max": 2, "rule": {"kind": "per_count", "counted": "Công chức bị kỷ luật", "points_each": 1}}]},
        },
        "bands": [{"name": "Xuất sắc", "min_index": 90, "color": "#1A7F37"}, {"name": "Tốt", "min_index": 80, "color": "#4CAF50"},
                  {"name": "Khá", "min_index": 70, "color": "#F2C94C"}, {"name": "Trung bình", "min_index": 50, "color": "#F2994A"},
                  {"name": "Yếu", "min_index": 0, "color": "#EB5757"}],
        "ranking": {"blocks": [{"id": "xa", "name": "Khối xã, đặc khu", "unit_types": ["xã", "đặc khu"]},
                               {"id": "phuong", "name": "Khối phường", "unit_types": ["phường"]}],
                    "tie_break": ["survey"]},
    }


TITLES = {
    "KH": ["Kế hoạch cải cách hành chính năm {year}", "Kế hoạch tuyên truyền cải cách hành chính năm {year}",
           "Kế hoạch kiểm soát thủ tục hành chính năm {year}"],
    "BC": ["Báo cáo kết quả thực hiện cải cách hành chính năm {year}", "Báo cáo tình hình giải quyết hồ sơ TTHC quý IV/{year}"],
    "QĐ": ["Quyết định kiện toàn Tổ công tác cải cách hành chính", "Quyết định ban hành Quy chế làm việc của UBND xã"],
    "TB": ["Thông báo kết luận của Chủ tịch UBND xã về công tác CCHC", "Thông báo niêm yết công khai thủ tục hành chính"],
}
EXPLANATIONS = [
    "Đã triển khai đầy đủ theo kế hoạch của UBND huyện.",
    "Tiếp nhận qua \"Bộ phận Một cửa\" và nhóm Zalo \"Hỗ trợ TTHC xã\".",
    "Số liệu lấy từ Hệ thống thông tin giải quyết TTHC của tỉnh.\nĐã đối chiếu với sổ theo dõi của Bộ phận Một cửa.",
]


def _document(rng: random.Random, year: int, code: str, doc_type: str, late: bool = False, scans: float = 0.0) -> dict:
    month = rng.randint(2, 3) if late else 1
    number = rng.randint(1, 250)
    document = {"number": f"{number}/{doc_type}-UBND", "date": f"{year}-{month:02d}-{rng.randint(2, 28):02d}",
                "title": rng.choice(TITLES[doc_type]).format(year=year), "issuer": f"UBND xã {code}"}
    if rng.random() < scans:
        document["file"] = f"evidence/{code}/{number}-{doc_type}-UBND.pdf"
    return document


def submission(criteria: dict, code: str, rng: random.Random, quality: float, scans: float = 0.0) -> dict:
    """One commune's self-assessment: facts drawn around its quality, some inflation, some gaps."""
    year = criteria["year"]
    leaves = {}
    for node, section, _area, _where in iter_leaves(criteria):
        if section == "survey":
            continue
        if section in ("bonus", "penalty") and rng.random() < 0.7:
            continue
        rule, leaf_max = node["rule"], Decimal(str(node["max"]))
        good = rng.random() < quality
        entry: dict = {}
        kind = rule["kind"]
        if kind == "yes_no":
            entry["facts"] = {"done": good}
        elif kind == "choice":
            # the set's own options (the first is the best), as a generated set's dat/mot_phan/khong
            values = [option["value"] for option in rule["options"]]
            entry["facts"] = {"choice": values[0] if good else rng.choice(values[1:] or values)}
        elif kind in ("ratio_thresholds", "proportional"):
            total = rng.randint(20, 900)
            entry["facts"] = {"numerator": total if good else rng.randint(total * 8 // 10, total), "denominator": total}
        elif kind == "value_thresholds":
            entry["facts"] = {"value": rng.randint(0, 10)}
        elif kind == "deduction":
            entry["facts"] = {"violations": 0 if good else rng.randint(1, 3)}
        elif kind == "per_count":
            entry["facts"] = {"count": rng.randint(0, 3)}
        if node.get("not_applicable") and rng.random() < 0.1:
            entry = {"not_applicable": True, "explanation": "Năm đánh giá không phát sinh"}
        # self-score: usually what the facts give, sometimes inflated to the maximum
        entry["self_score"] = leaf_max if (good or rng.random() < 0.2) else Decimal(int(leaf_max * 4) // 2) / 4
        if kind == "judgement":
            entry["self_score"] = Decimal("0.25") * rng.randint(0, int(leaf_max * 4))
        if rng.random() < 0.93 or kind == "judgement":
            doc_type = "KH" if kind == "deadline" else rng.choice(["KH", "BC", "QĐ", "TB"])
            entry["evidence"] = [_document(rng, year, code, doc_type, late=kind == "deadline" and not good, scans=scans)]
        if "explanation" not in entry and rng.random() < 0.2:
            entry["explanation"] = rng.choice(EXPLANATIONS)
        leaves[node["code"]] = entry
    return {"criteria_id": criteria["id"], "year": year,
            "commune": {"code": code, "name": f"Xã Tổng Hợp {code}", "type": rng.choice(UNIT_TYPES)},
            "report": {"number": f"{rng.randint(1, 99)}/BC-UBND", "date": f"{year + 1}-01-0{rng.randint(2, 9)}",
                       "signer": "Chủ tịch UBND xã"},  # a covering report names its signer (report-field-empty)
            "leaves": leaves}


class _Encoder(json.JSONEncoder):
    def default(self, value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return super().default(value)


def generate(out: Path, communes: int, leaves: int = 100, seed: int = 2025, criteria_file: Path | None = None,
             scans: float = 0.1) -> Path:
    """Write a synthetic year into ``out``; returns the communes folder."""
    rng = random.Random(seed)
    if criteria_file:
        criteria = json.loads(Path(criteria_file).read_text(encoding="utf-8"), parse_float=Decimal)
        criteria.pop("$schema", None)
    else:
        criteria = generated_criteria(leaves, rng)
    model = build_criteria(criteria, "criteria.json")
    out.mkdir(parents=True, exist_ok=True)
    (out / "criteria.json").write_text(json.dumps(criteria, cls=_Encoder, ensure_ascii=False, indent=1), encoding="utf-8")
    folder = out / "communes"
    folder.mkdir(exist_ok=True)
    codes = [f"{10000 + i * 3:05d}" for i in range(communes)]
    survey_leaves = [leaf for leaf in model.leaves if leaf.section == "survey"]
    judgement = [leaf.code for leaf in model.leaves if leaf.rule.awaits_appraisal and leaf.section == "area"]
    tallies, entries = {}, []
    for index, code in enumerate(codes):
        quality = rng.uniform(0.45, 0.98)
        document = submission(criteria, code, rng, quality, scans)
        if criteria_file and document["commune"]["type"] not in [t for b in criteria["ranking"]["blocks"] for t in b["unit_types"]]:
            document["commune"]["type"] = criteria["ranking"]["blocks"][0]["unit_types"][0]
        (folder / f"{code}.json").write_text(json.dumps(document, cls=_Encoder, ensure_ascii=False), encoding="utf-8")
        for entry in document["leaves"].values():
            for item in entry.get("evidence", ()):
                if "file" in item:  # an empty scan: the loader only looks for it
                    (folder / item["file"]).parent.mkdir(parents=True, exist_ok=True)
                    (folder / item["file"]).touch()
        respondents = rng.randint(30, 80)
        tallies[code] = {}
        for leaf in survey_leaves:
            a = int(respondents * quality * rng.uniform(0.6, 1.0))
            b = rng.randint(0, respondents - a)
            c = rng.randint(0, respondents - a - b)
            counts = [a, b, c, respondents - a - b - c]
            tallies[code][leaf.code] = {o.code: counts[i] if i < 4 else 0 for i, o in enumerate(leaf.rule.answers)}
        if index % 5 == 0:
            for leaf_code in judgement:
                leaf = model.leaf(leaf_code)
                entries.append({"commune": code, "leaf": leaf_code, "stage": 1,
                                "score": float(Decimal(rng.randint(0, leaf.max // leaf.rule.step) * leaf.rule.step) / 100),
                                "reason": "Hội đồng thẩm định chấm theo hồ sơ"})
    (out / "survey.json").write_text(json.dumps({"criteria_id": criteria["id"], "year": criteria["year"],
                                                 "conducted_by": "Sở Nội vụ", "tallies": tallies}, ensure_ascii=False), encoding="utf-8")
    (out / "appraisal.json").write_text(json.dumps({"criteria_id": criteria["id"], "year": criteria["year"],
                                                    "council": "Hội đồng thẩm định", "entries": entries}, ensure_ascii=False), encoding="utf-8")
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--communes", type=int, required=True)
    parser.add_argument("--leaves", type=int, default=100, help="leaves of the generated criteria set (default 100)")
    parser.add_argument("--criteria", type=Path, help="use this criteria set instead of a generated one")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--scans", type=float, default=0.1, help="share of evidence documents naming a scan (default 0.1)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    folder = generate(args.out, args.communes, args.leaves, args.seed, args.criteria, args.scans)
    print(f"{args.communes} communes written to {folder}")


if __name__ == "__main__":
    main()
