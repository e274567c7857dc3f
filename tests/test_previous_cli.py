"""Year over year through the command line (issue 15's checks), end to end on the files:

- `score --previous` on the bundled example: every unit's index change, rank change and band
  transition in the written results.json equal a hand computation from the two files
  (submissions/tu-mo-rong-2022/results.json and this year's results.json), and the summary
  follows from it;
- a broken previous file gives its error at its pointer and writes NOTHING in --out (an
  existing --out with --force keeps every byte; a new --out is not created);
- `validate --previous` checks the files without scoring.

The hand table (index 2022 → 2023, change in points; rank 2022 → 2023; band):
  23506 Đăk Tờ Kan  91,73 → 94,30  +2,57; 1 → 1  (0); Xuất sắc → Xuất sắc (0)
  23503 Đăk Hà      86,36 → 93,54  +7,18; 5 → 2 (+3); Tốt → Xuất sắc (+1)
  23509 Đăk Rơ Ông  90,82 → 89,30  −1,52; 2 → 3 (−1); Xuất sắc → Tốt (−1)
  23515 Tu Mơ Rông  82,33 → 85,36  +3,03; 6 → 4 (+2); Tốt → Tốt (0)
  23521 Đăk Na      86,52 → 84,22  −2,30; 4 → 5 (−1); Tốt → Tốt (0)
  23530 Ngọc Lây    74,16 → 79,81  +5,65; 8 → 6 (+2); Khá → Khá (0)
  23512 Đăk Sao     68,68 → 77,39  +8,71; 10 → 7 (+3); Trung bình → Khá (+1)
  23518 Ngọc Yêu    90,19 → 75,84 −14,35; 3 → 8 (−5); Xuất sắc → Khá (−2): not eligible (two bands)
  23524 Măng Ri     74,77 → 74,77   0,00; 7 → 9 (−2); Khá → Khá (0)
  23527 Văn Xuôi    70,80 → 60,91  −9,89; 9 → 10 (−1); Khá → Trung bình (−1): not eligible (Trung bình)
  23533 Tê Xăng     59,21 → 58,18  −1,03; 11 → 11 (0); Trung bình → Trung bình (0): not eligible (Trung bình)
Sum of changes +2,57 +7,18 −1,52 +3,03 −2,30 +5,65 +8,71 −14,35 +0 −9,89 −1,03 = −1,95;
average −1,95 / 11 = −0,1772… → −0,18 (half up); 5 up, 5 down, 1 unchanged; largest rises
Đăk Sao, Đăk Hà, Ngọc Lây; largest falls Ngọc Yêu, Văn Xuôi, Đăk Na. Bands 2022 → 2023:
Xuất sắc 3 → 2, Tốt 3 → 3, Khá 3 → 4, Trung bình 2 → 2, Yếu 0 → 0.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import cli as cli_module
from test_previous import PREVIOUS, TIME, _read, run

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS_2022 = PREVIOUS["tu-mo-rong-2022"]
# code → (previous index, index, change, previous rank, rank, rank change, transition, band change)
HAND = {
    "23506": (91.73, 94.3, 2.57, 1, 1, 0, "Xuất sắc → Xuất sắc", 0),
    "23503": (86.36, 93.54, 7.18, 5, 2, 3, "Tốt → Xuất sắc", 1),
    "23509": (90.82, 89.3, -1.52, 2, 3, -1, "Xuất sắc → Tốt", -1),
    "23515": (82.33, 85.36, 3.03, 6, 4, 2, "Tốt → Tốt", 0),
    "23521": (86.52, 84.22, -2.3, 4, 5, -1, "Tốt → Tốt", 0),
    "23530": (74.16, 79.81, 5.65, 8, 6, 2, "Khá → Khá", 0),
    "23512": (68.68, 77.39, 8.71, 10, 7, 3, "Trung bình → Khá", 1),
    "23518": (90.19, 75.84, -14.35, 3, 8, -5, "Xuất sắc → Khá", -2),
    "23524": (74.77, 74.77, 0, 7, 9, -2, "Khá → Khá", 0),
    "23527": (70.8, 60.91, -9.89, 9, 10, -1, "Khá → Trung bình", -1),
    "23533": (59.21, 58.18, -1.03, 11, 11, 0, "Trung bình → Trung bình", 0),
}


def _cents(value) -> int:
    return round(value * 100)


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("yoy") / "out"
    result = run("score", "--out", out, "--time", TIME, "--previous", PREVIOUS_2022)
    assert result.exit_code == 0, result.output
    return _read(out / "results.json")


def test_changes_equal_the_hand_table(scored):
    units = {unit["code"]: unit for unit in scored["comparison"]["units"]}
    assert set(units) == set(HAND)
    for code, (before, now, change, old_rank, rank, moved, transition, band_change) in HAND.items():
        unit = units[code]
        assert (unit["previous_index"], unit["index"], unit["index_change"]) == (before, now, change), code
        assert (unit["previous_rank"], unit["rank"], unit["rank_change"]) == (old_rank, rank, moved), code
        assert (unit["transition"], unit["band_change"], unit["match"]) == (transition, band_change, "code"), code
    not_eligible = {code: [e["rule"] for e in unit["excluded_by"]] for code, unit in units.items() if not unit["eligible"]}
    assert not_eligible == {"23518": ["giam-hai-bac"], "23527": ["xep-loai-trung-binh"], "23533": ["xep-loai-trung-binh"]}
    summary = scored["comparison"]["summary"]
    assert (summary["compared"], summary["average_change"], summary["up"], summary["down"], summary["unchanged"]) == \
        (11, -0.18, 5, 5, 1)
    assert [item["code"] for item in summary["largest_rises"]] == ["23512", "23503", "23530"]
    assert [item["code"] for item in summary["largest_falls"]] == ["23518", "23527", "23521"]
    assert {b["band"]: (b["previous"], b["this_year"]) for b in summary["bands"]} == {
        "Xuất sắc": (3, 2), "Tốt": (3, 3), "Khá": (3, 4), "Trung bình": (2, 2), "Yếu": (0, 0)}


def test_changes_equal_a_computation_from_the_two_written_files(scored):
    """The same, computed from the two results files as a reader would (no engine object)."""
    old = {c["code"]: c for c in _read(PREVIOUS_2022)["communes"]}
    order = [band["name"] for band in scored["criteria"]["bands"]]
    units = {unit["code"]: unit for unit in scored["comparison"]["units"]}
    for commune in scored["communes"]:
        before, unit = old[commune["code"]], units[commune["code"]]
        assert _cents(unit["index_change"]) == _cents(commune["index"]) - _cents(before["index"])
        assert unit["rank_change"] == before["rank"] - commune["rank"]
        assert unit["transition"] == f"{before['band']} → {commune['band']}"
        assert unit["band_change"] == order.index(before["band"]) - order.index(commune["band"])
    changes = [_cents(c["index"]) - _cents(old[c["code"]]["index"]) for c in scored["communes"]]
    assert sum(changes) == -195 and _cents(scored["comparison"]["summary"]["average_change"]) == -18


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("breakage, pointer, code", [
    (lambda d: d["communes"][2].__setitem__("index", "chín mươi"), "/communes/2/index", "schema-type"),
    (lambda d: d["criteria"].__setitem__("id", "dak-glei-2022"), "/criteria/id", "previous-criteria-mismatch"),
    (lambda d: d["criteria"].__setitem__("year", 2021), "/criteria/year", "previous-year-mismatch"),
], ids=["schema", "family", "year"])
def test_a_broken_previous_file_writes_nothing_in_out(breakage, pointer, code, tmp_path):
    """An --out holding last run's outputs, scored again with --force and a broken previous
    file: the error at its pointer, exit 1, and every file in --out as it was (no temporary
    file left either)."""
    out = tmp_path / "out"
    assert run("score", "--out", out, "--time", TIME).exit_code == 0
    before = _tree(out)
    previous = _read(PREVIOUS_2022)
    breakage(previous)
    broken = tmp_path / "ket-qua-2022.json"
    broken.write_text(json.dumps(previous, ensure_ascii=False, indent=2), encoding="utf-8")
    result = run("score", "--out", out, "--time", "2024-03-01T08:00:00+07:00", "--force", "--previous", broken)
    assert result.exit_code == 1
    line = next(line for line in result.stderr.splitlines() if line.startswith(f"{broken}:{pointer}: "))
    assert line.endswith(f"[{code}]"), line
    assert "không ghi kết quả nào" in result.stderr
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket-qua-2022.json", "out"]


@pytest.mark.parametrize("name", ["survey.json", "ket-qua.xlsx"])
def test_another_kind_of_file_is_named_as_such(name, tmp_path):
    """The most likely mistake: last year's workbook, or another input, given as --previous."""
    source = ROOT / "submissions" / "tu-mo-rong-2023" / "survey.json"
    wrong = tmp_path / name
    if name.endswith(".xlsx"):
        assert run("score", "--out", tmp_path / "o", "--time", TIME).exit_code == 0
        wrong.write_bytes((tmp_path / "o" / "ket-qua.xlsx").read_bytes())
    else:
        wrong.write_bytes(source.read_bytes())
    result = run("score", "--out", tmp_path / "out", "--time", TIME, "--previous", wrong)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.endswith("]")]
    assert len(lines) == 1 and lines[0].startswith(f"{wrong}:: tệp ") and lines[0].endswith("[previous-not-results]")
    assert "results.json" in lines[0] and not (tmp_path / "out").exists()


def test_validate_checks_previous_files_without_scoring(monkeypatch):
    def no_scoring(*args, **kwargs):
        raise AssertionError("validate must not score")

    monkeypatch.setattr(cli_module, "score_inputs", no_scoring)
    result = run("validate", "--previous", PREVIOUS_2022)
    assert result.exit_code == 0, result.output
    # the file as the run shows it (relative to the working folder when under it)
    assert result.stdout.rstrip().endswith("tu-mo-rong-2022/results.json (bộ tiêu chí tu-mo-rong-2022, năm 2022, 11 đơn vị).")
    assert ", kết quả năm trước " in result.stdout
    plain = run("validate")
    assert plain.exit_code == 0 and "năm trước" not in plain.stdout


@pytest.mark.parametrize("command", ["score", "validate"])
def test_input_and_previous_problems_are_listed_at_once(command, tmp_path):
    """A submission's error does not hide last year's: both at their pointers, nothing written."""
    from test_validation import EXAMPLE_SET, cli_args, copy_example

    paths = copy_example(tmp_path)
    submission = tmp_path / EXAMPLE_SET / "communes" / "23503-dak-ha.json"
    data = _read(submission)
    data["leaves"]["1.1.1"]["self_score"] = 7
    submission.unlink()  # the copy may be a hard link of the template
    submission.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    previous = _read(PREVIOUS_2022)
    previous["criteria"]["year"] = 2021
    broken = tmp_path / "ket-qua-2021.json"
    broken.write_text(json.dumps(previous, ensure_ascii=False), encoding="utf-8")
    out = ["--out", tmp_path / "out", "--time", TIME] if command == "score" else []
    result = run(command, *cli_args(paths), *out, "--previous", broken)
    assert result.exit_code == 1
    codes = [line.rsplit("[", 1)[-1] for line in result.stderr.splitlines() if line.endswith("]")]
    assert codes == ["self-score-above-max]", "previous-year-mismatch]"], result.stderr
    assert f"{broken}:/criteria/year: " in result.stderr and "Có 2 lỗi" in result.stderr
    assert not (tmp_path / "out").exists()
