"""Split and merged appraisal: appraisal forms for chosen communes and areas carrying the
appraiser's name; `score --appraisal` with several files or a folder; two entries for the
same commune, leaf and stage that disagree are an error naming both files and entries; who
appraised each leaf is kept in results.json."""

from __future__ import annotations

import json

import openpyxl
import pytest

from scoring.validate import validator

from scenario import FORM_READ_WARNING, TIME, results_of, run
from test_validation import EXAMPLE_SET, cli_args, copy_example, example_missing

pytestmark = [example_missing, pytest.mark.filterwarnings(FORM_READ_WARNING)]



def without_appraisers(document):
    """The communes with every score, rank and reason, but not who appraised (nor where the copy lives)."""
    return [{**{k: v for k, v in c.items() if k != "file"},
             "leaves": [{k: (_no_appraiser(v) if k == "stages" else v) for k, v in leaf.items() if k != "appraised_by"}
                        for leaf in c["leaves"]]}
            for c in document["communes"]]


def _no_appraiser(stages):
    if stages is None:
        return None
    return {name: ({k: v for k, v in stage.items() if k != "appraised_by"} if stage and name != "explanation" else stage)
            for name, stage in stages.items()}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    work = tmp_path_factory.mktemp("single")
    paths = copy_example(work)
    out = work / "out"
    assert run("score", *cli_args(paths), "--out", out, "--time", TIME).exit_code == 0
    return paths, results_of(out)


def test_the_single_file_names_the_council(bundled):
    _, document = bundled
    council = json.loads((EXAMPLE_SET / "appraisal.json").read_text(encoding="utf-8"))["council"] \
        if (EXAMPLE_SET / "appraisal.json").exists() else None
    appraised = [leaf for c in document["communes"] for leaf in c["leaves"] if leaf["appraised_score"] is not None]
    assert appraised and {leaf["appraised_by"] for leaf in appraised} == {council}
    assert all(leaf["appraised_by"] is None for c in document["communes"] for leaf in c["leaves"]
               if leaf["appraised_score"] is None)


def test_two_forms_split_by_area_give_the_same_results(bundled, tmp_path):
    """The council's form made twice (areas 1-4 for one team, 5-7 for the other), pre-filled
    from the bundled appraisal, read back and scored from a folder: same results."""
    paths, single = bundled
    teams = {"a": ("1,2,3,4", "Tổ 1 - Phòng Nội vụ"), "b": ("5,6,7,bonus,penalty", "Tổ 2 - Văn phòng HĐND và UBND")}
    folder = tmp_path / "tham-dinh"
    for name, (areas, appraiser) in teams.items():
        form = tmp_path / f"{name}.xlsx"
        made = run("appraisal-form", *cli_args(paths), "--areas", areas, "--appraiser", appraiser, "--out", form)
        assert made.exit_code == 0, made.output
        sheet = openpyxl.load_workbook(form, read_only=True)["Thẩm định"]
        areas_on_form = {row[2].split(".")[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[2]}
        # bonus (T.*) and penalty (TR.*) items are chosen as "bonus" and "penalty"
        assert areas_on_form == (set(areas.split(",")) - {"bonus", "penalty"}) | ({"T", "TR"} if name == "b" else set())
        read = run("import", form, "--out", folder / f"{name}.json", "--criteria", paths["criteria"])
        assert read.exit_code == 0, read.output
        assert json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))["appraiser"] == appraiser
    out = tmp_path / "out"
    scored = run("score", *cli_args(paths), "--appraisal", folder, "--out", out, "--time", TIME)
    assert scored.exit_code == 0, scored.output
    split = results_of(out)
    assert without_appraisers(split) == without_appraisers(single)
    assert split["summary"] == single["summary"]
    assert [i["path"].rsplit("/", 1)[-1] for i in split["inputs"] if i["role"] == "appraisal"] == ["a.json", "b.json"]
    by_area = {}
    for commune in split["communes"]:
        for leaf in commune["leaves"]:
            if leaf["appraised_by"]:
                by_area.setdefault(leaf["area"] in {"1", "2", "3", "4"}, set()).add(leaf["appraised_by"])
    assert by_area == {True: {teams["a"][1]}, False: {teams["b"][1]}}
    assert not list(validator("results").iter_errors(split))


def _split_by_commune(tmp_path, change=None):
    data = json.loads((tmp_path / EXAMPLE_SET / "appraisal.json").read_text(encoding="utf-8"))
    first = {**data, "appraiser": "Tổ A", "entries": [e for e in data["entries"] if e["commune"] < "23520"]}
    second = {**data, "entries": [e for e in data["entries"] if e["commune"] >= "23520"]}
    if change:
        change(first, second)
    files = []
    for name, part in (("to-a.json", first), ("to-b.json", second)):
        files.append(tmp_path / name)
        files[-1].write_text(json.dumps(part, ensure_ascii=False, indent=1), encoding="utf-8")
    return files


def test_several_files_by_commune(bundled, tmp_path):
    paths = copy_example(tmp_path)
    files = _split_by_commune(tmp_path)
    out = tmp_path / "out"
    scored = run("score", *cli_args(paths), "--appraisal", files[0], "--appraisal", files[1], "--out", out, "--time", TIME)
    assert scored.exit_code == 0, scored.output
    assert without_appraisers(results_of(out)) == without_appraisers(bundled[1])


def test_a_repeated_entry_that_agrees_is_kept_once(bundled, tmp_path):
    paths = copy_example(tmp_path)
    files = _split_by_commune(tmp_path, lambda first, second: second["entries"].append(dict(first["entries"][0])))
    out = tmp_path / "out"
    scored = run("score", *cli_args(paths), "--appraisal", files[0], "--appraisal", files[1], "--out", out, "--time", TIME)
    assert scored.exit_code == 0, scored.output
    assert without_appraisers(results_of(out)) == without_appraisers(bundled[1])


def test_entries_that_disagree_name_both_files(tmp_path):
    paths = copy_example(tmp_path)

    def disagree(first, second):
        entry = dict(first["entries"][2])
        entry["score"] = 0 if entry["score"] else 0.25
        second["entries"].append(entry)

    files = _split_by_commune(tmp_path, disagree)
    out = tmp_path / "out"
    scored = run("score", *cli_args(paths), "--appraisal", files[0], "--appraisal", files[1], "--out", out, "--time", TIME)
    assert scored.exit_code == 1
    second_index = len(json.loads(files[1].read_text(encoding="utf-8"))["entries"]) - 1
    first = json.loads(files[0].read_text(encoding="utf-8"))["entries"][2]
    line = next(line for line in scored.stderr.splitlines() if "[appraisal-conflict]" in line)
    assert line.startswith(f"{files[1]}:/entries/{second_index}: xã {first['commune']}, tiêu chí {first['leaf']}, "
                           f"vòng {first['stage']}: kết quả khác với {files[0]}:/entries/2")
    assert not out.exists()


def test_a_form_for_chosen_communes(tmp_path):
    paths = copy_example(tmp_path)
    form = tmp_path / "f.xlsx"
    made = run("appraisal-form", *cli_args(paths), "--communes", "23503,23533", "--areas", "1", "--out", form)
    assert made.exit_code == 0, made.output
    sheet = openpyxl.load_workbook(form, read_only=True)["Thẩm định"]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert {row[0] for row in rows} == {"23503", "23533"} and {row[2].split(".")[0] for row in rows} == {"1"}
    read = run("import", form, "--out", tmp_path / "f.json", "--criteria", paths["criteria"])
    assert read.exit_code == 0, read.output
    entries = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["entries"]
    assert entries and {e["commune"] for e in entries} <= {"23503", "23533"}
    assert {e["leaf"].split(".")[0] for e in entries} == {"1"}


@pytest.mark.parametrize("option, value, message", [("--areas", "9", "lĩnh vực 9 không có"),
                                                    ("--communes", "99999", "không có hồ sơ của xã mã 99999")])
def test_an_unknown_commune_or_area_is_a_usage_error(option, value, message, tmp_path):
    paths = copy_example(tmp_path)
    made = run("appraisal-form", *cli_args(paths), option, value, "--out", tmp_path / "f.xlsx")
    assert made.exit_code == 2 and message in made.output
    assert not (tmp_path / "f.xlsx").exists()
