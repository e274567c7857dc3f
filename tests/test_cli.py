"""The command line through click's runner: validate, score, explain, exit codes, no overwrite
without --force, reproducible output, and broken inputs that leave out/ as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from scoring.numbers import from_number
from scoring.validate import validator

from test_validation import ROOT, apply_mutation, cli_args, copy_example, example_missing, issue_lines, snapshot

TIME = "2024-02-01T08:00:00+07:00"

pytestmark = example_missing


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    # the runner catches exceptions; only a clean exit (SystemExit) is allowed
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The bundled example scored once: (out folder, results document, CLI result)."""
    out = tmp_path_factory.mktemp("scored") / "out"
    result = run("score", "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "results.json").read_text(encoding="utf-8")), result


# ---------------------------------------------------------------- the bundled example


def test_validate_the_bundled_example():
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "Hợp lệ" in result.output and "11 hồ sơ" in result.output


def test_validate_with_explicit_paths(tmp_path):
    paths = copy_example(tmp_path)
    result = run("validate", *cli_args(paths))
    assert result.exit_code == 0, result.output


def test_validate_reads_every_submission_in_its_own_process(monkeypatch):
    """validate asks for no worker process, however many files (issue 19: forked workers cost
    more CPU-seconds in all); score keeps them for large runs."""
    import scoring.quick as quick

    asked = {}
    original = quick.check_submission_files

    def recording(*args, **options):
        asked.setdefault("workers", []).append(options.get("workers"))
        return original(*args, **options)

    monkeypatch.setattr(quick, "PARALLEL_FROM", 2)  # the example's 11 files would be shared by workers
    monkeypatch.setattr(sys.modules["scoring.load"], "check_submission_files", recording)
    monkeypatch.setattr(quick, "ordered_map", lambda function, items, workers, meanwhile=None: (
        asked.setdefault("processes", []).append(workers), meanwhile and meanwhile(), map(function, items))[-1])
    assert run("validate").exit_code == 0
    assert asked == {"workers": [1], "processes": [1]}


def test_validate_hashes_no_submission(monkeypatch):
    """validate scores nothing and reads no entry again: the submissions' hashes (kept to read
    them again, and named in results.json) are not computed (issue 19: 0.05 CPU-s at 3,321),
    nor the fact table kept (30 MB and 7,500 page faults at 3,321), and what it finds is what
    a whole load finds; inputs loaded so cannot be scored."""
    import hashlib

    import pytest

    import scoring
    import scoring.quick as quick
    from scoring.load import load_inputs

    whole, checked = load_inputs(reread_entries=True), load_inputs(reread_entries=True, check_only=True)
    assert [f.sha256 for f in checked.files if f.role == "submission"] == [""] * 11
    assert all(f.sha256 for f in whole.files if f.role == "submission")
    assert [f for f in checked.files if f.role != "submission"] == [f for f in whole.files if f.role != "submission"]
    assert checked.warnings == whole.warnings and len(checked.submissions) == len(whole.submissions)
    assert checked.check_only and not whole.check_only
    assert checked.facts is None and whole.facts is not None
    assert checked.survey.tallies == whole.survey.tallies  # as read: the same counts
    with pytest.raises(ValueError, match="check_only"):
        scoring.score(checked)
    with pytest.raises(ValueError, match="check_only"):  # not "the file changed": it did not
        list(checked.submissions[0].leaves)
    assert scoring.score(whole).communes  # the same inputs loaded whole are scored

    class NoHashing:
        def __getattr__(self, name):
            if name == "sha256":
                raise AssertionError("validate hashed a submission")
            return getattr(hashlib, name)

    monkeypatch.setattr(quick, "hashlib", NoHashing())
    result = run("validate")
    assert result.exit_code == 0, result.output


def test_a_check_only_load_warns_of_leaves_awaiting_the_council_as_a_whole_one(tmp_path):
    """The one warning that reads the fact table (a leaf the council scores, with no
    self-score and no appraisal entry: self-score-missing) is found the same when only the
    columns it reads are kept."""
    from scoring.load import build_criteria, load_inputs

    paths = copy_example(tmp_path)
    criteria = build_criteria(json.loads(paths["criteria"].read_text(encoding="utf-8")), "criteria.json")
    code = next(leaf.code for leaf in criteria.leaves if leaf.rule.awaits_appraisal)
    changed = 0
    for path in sorted(paths["submissions"].glob("*.json"))[:4]:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document["leaves"].get(code, {}).pop("self_score", None) is not None:
            path.unlink()  # a hard link to the bundled file: never written through
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            changed += 1
    assert changed
    whole, checked = load_inputs(**paths), load_inputs(**paths, check_only=True)
    found = [w for w in checked.warnings if w.code == "self-score-missing"]
    assert any(w.pointer == f"/leaves/{code}/self_score" for w in found)  # those the appraisal has not scored yet
    assert found == [w for w in whole.warnings if w.code == "self-score-missing"]


def test_score_writes_valid_results(scored):
    out, document, result = scored
    errors = sorted(validator("results").iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert document["generated_at"] == TIME
    assert document["criteria"]["id"] == "tu-mo-rong-2023" and document["criteria"]["year"] == 2023
    assert len(document["communes"]) == 11
    assert document["summary"]["communes"] == 11
    assert {i["role"] for i in document["inputs"]} == {"criteria", "submission", "appraisal", "survey", "registry"}
    assert len([i for i in document["inputs"] if i["role"] == "submission"]) == 11
    names = {c["name"] for c in document["communes"]}
    assert names == {"Măng Ri", "Văn Xuôi", "Đăk Hà", "Tu Mơ Rông", "Đăk Sao", "Đăk Rơ Ông", "Đăk Tờ Kan",
                     "Tê Xăng", "Ngọc Lây", "Đăk Na", "Ngọc Yêu"}
    assert "results.json" in {p.name for p in out.iterdir()}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    # the ranking is printed with Vietnamese headers
    assert "Hạng" in result.output and "Chỉ số" in result.output and "Xếp loại" in result.output


def test_ranks_follow_indices(scored):
    _, document, _ = scored
    tie_break = document["criteria"]["tie_break"]
    for block in {c["block"] for c in document["communes"]}:
        members = [c for c in document["communes"] if c["block"] == block]
        assert min(c["rank"] for c in members) == 1
        for a in members:
            for b in members:
                if a["index"] > b["index"]:
                    assert a["rank"] < b["rank"], (a["name"], b["name"])
            key = lambda c: (from_number(c["index"]),) + tuple(from_number(c[k]) for k in tie_break if k != "fewer_missing_evidence")
            better = [o for o in members if key(o) > key(a)]
            if "fewer_missing_evidence" not in tie_break:
                assert a["rank"] == 1 + len(better), a["name"]
        ranks = [c["rank"] for c in members]
        assert ranks == sorted(ranks), "communes are listed in ranking order"


def test_results_numbers_add_up(scored):
    _, document, _ = scored
    for commune in document["communes"]:
        h = {k: from_number(commune[k]) for k in ("appraised", "survey", "bonus", "penalty", "total", "max", "index")}
        assert h["total"] == h["appraised"] + h["survey"] + h["bonus"] - h["penalty"]
        assert sum(from_number(a["points"]) for a in commune["areas"]) == h["appraised"] + h["survey"]
        assert sum(from_number(l["final"]) for l in commune["leaves"] if l["section"] == "area") == h["appraised"]
        expected = (2 * h["total"] * 10000 + h["max"]) // (2 * h["max"])
        assert h["index"] == min(expected, 10000) or h["index"] == expected
        band = next(b["name"] for b in document["criteria"]["bands"] if commune["index"] >= b["min_index"])
        assert commune["band"] == band


def test_no_overwrite_without_force(scored, tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", out, "--time", TIME).exit_code == 0
    before = snapshot(out)
    result = run("score", "--out", out, "--time", "2025-01-01T00:00:00+07:00")
    assert result.exit_code == 2
    assert "--force" in result.output and "Đã có tệp kết quả" in result.output
    assert snapshot(out) == before


def test_force_overwrites(tmp_path):
    out = tmp_path / "out"
    assert run("score", "--out", out, "--time", TIME).exit_code == 0
    result = run("score", "--out", out, "--force", "--time", "2025-01-01T00:00:00+07:00")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["generated_at"] == "2025-01-01T00:00:00+07:00"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_same_time_gives_identical_bytes(scored, tmp_path):
    out, _, _ = scored
    again = tmp_path / "again"
    assert run("score", "--out", again, "--time", TIME).exit_code == 0
    assert (again / "results.json").read_bytes() == (out / "results.json").read_bytes()


def test_time_must_be_iso(tmp_path):
    result = run("score", "--out", tmp_path / "out", "--time", "mai")
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
    assert not (tmp_path / "out").exists()


def test_out_is_a_file(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("không phải thư mục", encoding="utf-8")
    result = run("score", "--out", blocker / "sub", "--time", TIME)
    assert result.exit_code == 2, result.output
    assert blocker.read_text(encoding="utf-8") == "không phải thư mục"


def test_explain_a_commune(scored):
    _, document, _ = scored
    commune = next(c for c in document["communes"] if c["code"] == "23503")
    result = run("explain", "23503")
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Đăk Hà" in text and "23503" in text
    assert f"hạng {commune['rank']}" in text and commune["band"] in text
    for leaf in commune["leaves"]:
        assert leaf["code"] in text
        assert leaf["reason"] in text, leaf["code"]


def test_explain_by_name():
    result = run("explain", "đăk hà")
    assert result.exit_code == 0, result.output
    assert "23503" in result.output


def test_explain_unknown_commune():
    result = run("explain", "99999")
    assert result.exit_code == 2
    assert "Không có xã mã '99999'" in result.output
    assert "23503 (Đăk Hà)" in result.output  # the known communes are listed


@pytest.mark.parametrize("command", [[], ["validate"], ["score"], ["explain"]])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_every_command_has_help(command, flag):
    result = run(*command, flag)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output or "Cách dùng" in result.output
    assert "-h, --help" in result.output


@pytest.mark.parametrize("args", [["score", "--bogus"], ["validate", "--out", "x"], ["frobnicate"], ["explain"],
                                  ["explain", "23503", "extra"]])
def test_wrong_usage_exits_2(args, tmp_path):
    result = run(*args)
    assert result.exit_code == 2, result.output


# ---------------------------------------------------------------- broken inputs leave out/ alone


BROKEN = {
    "truncated-json": (
        {"file": "@dak-ha", "truncate": 0.5},
        [("23503-dak-ha.json", "", "json-invalid")]),
    "self-score-above-max": (
        {"file": "@dak-ha", "patch": [{"op": "replace", "path": "/leaves/1.1.1/self_score", "value": 5}]},
        [("23503-dak-ha.json", "/leaves/1.1.1/self_score", "self-score-above-max")]),
    "points-do-not-add-up": (
        {"file": "@criteria", "patch": [{"op": "replace", "path": "/areas/0/max", "value": 10}]},
        [("tu-mo-rong-2023.json", "/areas/0/max", "points-mismatch"), ("tu-mo-rong-2023.json", "/total_points", "points-mismatch")]),
    "unknown-leaf": (
        {"file": "@dak-ha", "patch": [{"op": "add", "path": "/leaves/9.9.9", "value": {"self_score": 0}}]},
        [("23503-dak-ha.json", "/leaves/9.9.9", "unknown-leaf")]),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
@pytest.mark.parametrize("command", ["score", "validate"])
def test_broken_input_exits_1_and_leaves_out_alone(name, command, tmp_path, monkeypatch):
    mutation, expected = BROKEN[name]
    work = tmp_path / "work"
    paths = copy_example(work)
    monkeypatch.chdir(work)
    out = work / "out"
    # a previous good result, plus a file of the user's, must survive the failing run
    assert run("score", *cli_args(paths), "--out", out, "--time", TIME).exit_code == 0
    (out / "ghi-chu.txt").write_text("ghi chú của Hội đồng", encoding="utf-8")
    before = snapshot(out)

    apply_mutation(work, mutation)
    args = [command, *cli_args(paths)] + (["--out", out, "--force", "--time", TIME] if command == "score" else [])
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert snapshot(out) == before
    printed = issue_lines(result.stderr)
    for suffix, pointer, code in expected:
        assert any(f.endswith(suffix) and p == pointer and c == code for f, p, c in printed), result.stderr
    # every line on stderr is an issue line, except the closing summary
    lines = result.stderr.strip().splitlines()
    assert len(printed) == len(lines) - 1 and lines[-1].startswith("Có ") and "không ghi kết quả" in lines[-1]
    # the file named is the one that was broken, relative to the working folder
    assert all(not Path(f).is_absolute() for f, _, _ in printed)
    assert result.stdout == ""


def test_broken_input_in_a_real_process(tmp_path):
    """The same through a real interpreter: exit status 1, stderr lines, no Python traceback."""
    work = tmp_path / "work"
    paths = copy_example(work)
    apply_mutation(work, {"file": "@dak-ha", "truncate": 0.5})
    out = work / "out"
    process = subprocess.run([sys.executable, str(ROOT / "cli.py"), "score", *cli_args(paths), "--out", str(out)],
                             capture_output=True, text=True, cwd=work, timeout=120)
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert "submissions/tu-mo-rong-2023/communes/23503-dak-ha.json:: JSON sai cú pháp ở dòng" in process.stderr
    assert "[json-invalid]" in process.stderr
    assert not out.exists()


def test_a_missing_criteria_file_is_input_error_not_usage(tmp_path):
    result = run("validate", "--criteria", tmp_path / "khong-co.json")
    assert result.exit_code == 1
    assert "[file-missing]" in result.stderr


def test_an_output_path_that_is_a_folder(tmp_path):
    """With --force, out/results.json being a folder is a usage error (exit 2), no traceback, no .tmp left."""
    out = tmp_path / "out"
    (out / "results.json").mkdir(parents=True)
    result = CliRunner().invoke(cli, ["score", "--out", str(out), "--force", "--time", TIME])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]
    assert (out / "results.json").is_dir()


ENDS_PROBE = """
import atexit, os, runpy, sys
sys.path.insert(0, {root!r})
atexit.register(lambda: sys.stderr.write("TORN DOWN\\n"))
sys.argv = ["cli.py", *sys.argv[1:]]
runpy.run_path({cli!r}, run_name="__main__")
"""


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "broken"])
def test_validate_ends_its_process_at_once_saying_the_same(broken, tmp_path, monkeypatch):
    """validate, done (0) or with the inputs' problems listed (1), ends its process as soon as
    its output is flushed, without the interpreter's teardown (issue 19: CPU-seconds spent
    freeing what it will never use): the same lines, the same exit code, through a pipe."""
    work = tmp_path / "work"
    paths = copy_example(work)
    if broken:
        apply_mutation(work, {"file": "@dak-ha", "patch": [{"op": "replace", "path": "/leaves/1.1.1/self_score", "value": 5}]})
    monkeypatch.chdir(work)  # files shown relative to it, in both runs
    expected = CliRunner().invoke(cli, ["validate", *cli_args(paths)])
    probe = ENDS_PROBE.format(root=str(ROOT), cli=str(ROOT / "cli.py"))
    process = subprocess.run([sys.executable, "-c", probe, "validate", *cli_args(paths)], capture_output=True, text=True,
                             encoding="utf-8", cwd=work, timeout=120)
    assert process.returncode == expected.exit_code == (1 if broken else 0), process.stderr
    assert process.stdout == expected.stdout and process.stderr == expected.stderr
    assert "TORN DOWN" not in process.stderr
    # any other command ends as usual
    usage = subprocess.run([sys.executable, "-c", probe, "validate", "--help"], capture_output=True, text=True,
                           encoding="utf-8", cwd=work, timeout=120)
    assert usage.returncode == 0 and usage.stderr == "TORN DOWN\n"
