"""Hostile conditions around the outputs: a process killed between writes, a writer that fails,
a previous result that must survive, an --out that cannot be written, input text that looks
like code (Excel formulas, Word XML, Jinja), reproducible bytes, and a broken results.json
given to `decision` (issue 7).

What a killed process leaves behind: SIGKILL cannot be caught, so the run cannot clean up
after itself. The promise is weaker but still useful: the previous outputs are untouched
(the three outputs change as one set, swapped in by one rename once all are complete:
scoring.writers.atomic.write_output_set), whatever was left is a half set in the hidden
folder out/.cchc/set-<random>/, and the next run removes it. The
workbook library's own row files live in the system's temporary folder (cchc-xlsx-*), not in
the output folder; a kill leaves them there, for the system to clean.

The subprocess tests run a small wrapper script that imports cli, replaces one writer (as cli
imported it, e.g. ``scoring.writers.outputs.render_workbook``) and calls ``cli.main()``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

import scoring.writers.outputs as outputs_module
from cli import cli
from scenario import OUTPUTS, TIME, fresh_out, wrapper_command, wrapper_environment
from test_validation import ROOT, cli_args, copy_example, example_missing, snapshot

pytestmark = [example_missing, pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")]

USER_FILE = "ghi-chu.txt"
STALE = re.compile(r"^\.cchc(/.*)?$")  # the hidden folder of the output sets
ISSUE_LINE = re.compile(r"^.+:(/.*)?: .+ \[[a-zA-Z0-9-]+\]$")


def run(*args):
    """The CLI in this process; only a clean exit (SystemExit) is allowed, never a traceback."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def listing(folder: Path) -> list[str]:
    """What a person sees in the folder (the hidden folder of the output sets aside)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".cchc")


def hidden_listing(out: Path) -> list[str]:
    """out/.cchc/ with its set folders named "set-": the lock, the current link, one set."""
    return sorted("set-" if p.name.startswith("set-") else p.name for p in (out / ".cchc").iterdir())


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """A copy of the bundled example (read only in this module) and its CLI paths."""
    work = tmp_path_factory.mktemp("hostile")
    return work, copy_example(work)


@pytest.fixture(scope="module")
def previous(example, tmp_path_factory):
    """A complete earlier result of the example (+ a file of the user's): copied into each test's out/."""
    _, paths = example
    out = tmp_path_factory.mktemp("previous") / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    (out / USER_FILE).write_text("ghi chú của Hội đồng", encoding="utf-8")
    return out



def assert_complete(out: Path) -> None:
    """The three outputs are whole files: JSON that parses, zip packages that test clean."""
    json.loads((out / "results.json").read_text(encoding="utf-8"))
    for name in ("ket-qua.xlsx", "quyet-dinh.docx"):
        with zipfile.ZipFile(out / name) as package:
            assert package.testzip() is None, name


# ---------------------------------------------------------------- killed between writes


# the workbook writer produces a real workbook elsewhere, copies half of it to its target, and the
# process is killed (results.json is complete in its temporary by then, the decision not started)
HALF_WORKBOOK = """
import tempfile
from pathlib import Path
from scoring.writers.workbook import render_workbook as real_render_workbook

def render_workbook(document, target, **options):
    full = Path(tempfile.mkdtemp()) / "full.xlsx"
    real_render_workbook(document, full, **options)
    data = full.read_bytes()
    with open(target, "wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        os.fsync(handle.fileno())
    os.kill(os.getpid(), signal.SIGKILL)

import scoring.writers.outputs
scoring.writers.outputs.render_workbook = render_workbook
"""

# killed inside xlsxwriter itself, after every sheet was streamed to its private temporary folder
KILL_IN_XLSXWRITER = """
import xlsxwriter.workbook

def close(self):
    os.kill(os.getpid(), signal.SIGKILL)

xlsxwriter.workbook.Workbook.close = close
"""

DECISION_FAILS = """
def render_decision(document, *args, **kwargs):
    raise RuntimeError("boom in the decision writer")

import scoring.writers.outputs
scoring.writers.outputs.render_decision = render_decision
"""


def run_wrapped(patch: str, folder: Path, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    # the system's temporary folder, private to the test, to see what a killed run leaves there
    system_tmp = folder / "system-tmp"
    system_tmp.mkdir(exist_ok=True)
    environment = wrapper_environment({"TMPDIR": str(system_tmp), **(env or {})})
    # the same working folder as the in-process runs, so that results.json shows the same paths
    return subprocess.run(wrapper_command(ROOT, patch, folder, *args), capture_output=True, text=True,
                          cwd=Path.cwd(), timeout=120, env=environment)


def killed_run(patch: str, example, previous, tmp_path_factory):
    _, paths = example
    folder = tmp_path_factory.mktemp("killed")
    out = fresh_out(previous, folder)
    process = run_wrapped(patch, folder, "score", *cli_args(paths), "--out", out, "--force", "--time", "2025-01-01T00:00:00+07:00")
    return out, process, snapshot(out), folder / "system-tmp"


@pytest.fixture(scope="module")
def killed_mid_workbook(example, previous, tmp_path_factory):
    return killed_run(HALF_WORKBOOK, example, previous, tmp_path_factory)


@pytest.fixture(scope="module")
def killed_in_xlsxwriter(example, previous, tmp_path_factory):
    return killed_run(KILL_IN_XLSXWRITER, example, previous, tmp_path_factory)


KILLED = ["killed_mid_workbook", "killed_in_xlsxwriter"]


@pytest.mark.parametrize("which", KILLED)
def test_a_kill_between_writes_keeps_the_previous_outputs(which, request, previous):
    out, process, after, _ = request.getfixturevalue(which)
    assert process.returncode == -signal.SIGKILL, process.stderr[-2000:]
    for name in (*OUTPUTS, USER_FILE):
        assert after[name] == (previous / name).read_bytes(), f"{name} changed by a killed run"


@pytest.mark.parametrize("which", KILLED)
def test_a_kill_leaves_only_hidden_temporaries(which, request):
    """In the output folder only .<name>.<random>.tmp files, never a partial file under an output's name."""
    out, _, after, _ = request.getfixturevalue(which)
    leftovers = sorted(set(after) - set(OUTPUTS) - {USER_FILE})
    assert leftovers and all(STALE.match(name) for name in leftovers), leftovers


def test_what_a_kill_mid_workbook_leaves(killed_mid_workbook):
    """A killed process cannot clean up: it leaves its half set (the complete results.json
    and the half workbook) in a hidden set folder that ``current`` does not name."""
    out, _, after, _ = killed_mid_workbook
    current = os.readlink(out / ".cchc" / "current")
    half_sets = {name.split("/")[1] for name in after if name.startswith(".cchc/set-")} - {current}
    assert len(half_sets) == 1, sorted(after)
    half_set = half_sets.pop()
    assert not zipfile.is_zipfile(io.BytesIO(after[f".cchc/{half_set}/ket-qua.xlsx"])), "the half-written workbook"
    assert json.loads(after[f".cchc/{half_set}/results.json"])["generated_at"] == "2025-01-01T00:00:00+07:00"
    assert f".cchc/{half_set}/quyet-dinh.docx" not in after


def test_a_kill_inside_xlsxwriter_leaves_its_row_files_outside_the_output_folder(killed_in_xlsxwriter):
    """Was: out/.xlsx-XXXXXXXX/ (≈1.2 MB of sheet row files here) that no later run removed."""
    out, _, after, system_tmp = killed_in_xlsxwriter
    assert not [name for name in after if name.startswith(".xlsx-") or "cchc-xlsx-" in name]
    assert [p.name for p in system_tmp.iterdir() if p.name.startswith("cchc-xlsx-")], "where they went"


@pytest.mark.parametrize("which", KILLED)
def test_the_next_run_removes_what_a_kill_left(which, request, example, previous):
    out, _, _, _ = request.getfixturevalue(which)
    result = run("score", *cli_args(example[1]), "--out", out, "--force", "--time", TIME)
    assert result.exit_code == 0, result.output
    assert listing(out) == sorted((*OUTPUTS, USER_FILE))
    assert hidden_listing(out) == ["current", "lock", "set-"]
    assert_complete(out)
    for name in OUTPUTS:  # same inputs, same --time: the same bytes as the previous complete run
        assert (out / name).read_bytes() == (previous / name).read_bytes(), name


# ---------------------------------------------------------------- a writer that raises


@pytest.mark.parametrize("writer", ["render_workbook", "render_decision"])
@pytest.mark.parametrize("error", [RuntimeError, OSError, KeyboardInterrupt])
def test_a_failing_writer_leaves_no_temporaries_and_the_previous_outputs(writer, error, example, previous,
                                                                         tmp_path, monkeypatch):
    _, paths = example
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)

    def fail(*args, **kwargs):
        raise error("boom")

    monkeypatch.delenv("CCHC_DEBUG", raising=False)
    monkeypatch.setattr(outputs_module, writer, fail)
    result = CliRunner().invoke(cli, ["score", *cli_args(paths), "--out", str(out), "--force", "--time",
                                      "2025-01-01T00:00:00+07:00"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert snapshot(out) == before, "a failing writer changed out/ or left a temporary"
    if error is KeyboardInterrupt:  # Ctrl-C: its own exit code, 130 as shells use, and one line
        assert result.exit_code == 130 and "Đã dừng" in result.stderr
    else:  # a fault of the program: exit 3, one line
        assert result.exit_code == 3, result.output
        assert result.stderr.count("\n") == 1 and "Lỗi nội bộ" in result.stderr and "boom" in result.stderr


def test_an_unexpected_writer_error_in_a_real_process(example, previous, tmp_path):
    """Was: a Python traceback and exit 1 (the code of invalid input, so the user would hunt for
    a problem in their files). Now: exit 3 and one Vietnamese line; CCHC_DEBUG=1 shows the traceback."""
    _, paths = example
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)
    args = ("score", *cli_args(paths), "--out", out, "--force", "--time", TIME)
    process = run_wrapped(DECISION_FAILS, tmp_path, *args)
    assert snapshot(out) == before
    assert process.returncode == 3, process.stderr
    assert "Traceback" not in process.stderr and process.stderr.count("\n") == 1, process.stderr
    assert "Lỗi nội bộ" in process.stderr and "RuntimeError: boom in the decision writer" in process.stderr
    assert process.stdout == ""
    debug = run_wrapped(DECISION_FAILS, tmp_path, *args, env={"CCHC_DEBUG": "1"})
    assert "Traceback" in debug.stderr and debug.returncode != 0
    assert snapshot(out) == before


# ---------------------------------------------------------------- no --force


@pytest.mark.parametrize("existing", [*OUTPUTS, "all"])
def test_an_existing_output_is_not_replaced_without_force(existing, example, previous, tmp_path):
    _, paths = example
    out = tmp_path / "out"
    out.mkdir()
    names = OUTPUTS if existing == "all" else (existing,)
    for name in names:
        shutil.copy2(previous / name, out / name)
    before = snapshot(out)
    result = run("score", *cli_args(paths), "--out", out, "--time", "2025-01-01T00:00:00+07:00")
    assert result.exit_code == 2, result.output
    first = names[0]
    assert f"Đã có tệp kết quả {out / first}; dùng --force để ghi đè." in result.stderr, result.stderr
    assert snapshot(out) == before, "nothing written, no temporary left"
    assert result.stdout == ""


def test_decision_does_not_replace_without_force(previous, tmp_path):
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)
    result = run("decision", out / "results.json", "--number", "47")
    assert result.exit_code == 2, result.output
    assert "quyet-dinh.docx" in result.stderr and "--force" in result.stderr
    assert snapshot(out) == before


# ---------------------------------------------------------------- --out that cannot be written


def test_out_whose_parent_is_a_file(example, tmp_path):
    _, paths = example
    blocker = tmp_path / "blocker"
    blocker.write_text("một tệp thường", encoding="utf-8")
    before = snapshot(tmp_path)
    for out in (blocker / "out", blocker / "a" / "b"):
        result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
        assert result.exit_code == 2, result.output
        assert "Không ghi được vào" in result.stderr and str(blocker) in result.stderr, result.stderr
        assert snapshot(tmp_path) == before, "nothing created"


def test_out_that_is_a_file(example, tmp_path):
    _, paths = example
    blocker = tmp_path / "out"
    blocker.write_text("một tệp thường", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("score", *cli_args(paths), "--out", blocker, "--force", "--time", TIME)
    assert result.exit_code == 2, result.output
    assert str(blocker) in result.stderr and "file" in result.stderr  # click: "Directory '…' is a file."
    assert snapshot(tmp_path) == before


def test_decision_out_whose_parent_is_a_file(previous, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("một tệp thường", encoding="utf-8")
    before = snapshot(tmp_path)
    result = run("decision", previous / "results.json", "--out", blocker / "qd.docx")
    assert result.exit_code == 2, result.output
    assert "Không ghi được vào" in result.stderr and str(blocker) in result.stderr, result.stderr
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- injection


# one per commune (the example has 11): formulas, Excel's rich-text trap, Jinja, Word XML, an entity
NAMES = [
    '=HYPERLINK("http://example.com","x")', "=1+1", "+1+2", "-1+2", "@SUM(1,2)", "<r><f>1+1</f></r>",
    "{{ 7*7 }}", "{% for x in y %}", "<w:t>x</w:t>", "&amp;", "{{ 1234*5 }}",
]
# where the schema allows tab and CR (appraisal reasons, explanations); and text that looks like
# the _xHHHH_ escape the workbook uses for control characters (must stay literal)
CONTROL_LED = ["\t=1+1 (tab đầu)", "\r=1+1 (CR đầu)", "\t@SUM(1,2)", "\r{{ 7*7 }}", "_x0041_ (chữ)", "-_x000D_"]
REASONS = NAMES + CONTROL_LED
EXPLANATIONS = {"2.1": "\t{{ 7*7 }} giải trình", "3.1.2": "\r=1+1 giải trình", "3.4.2": "=HYPERLINK(\"http://example.com\",\"x\")"}


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.unlink()  # never write through a hard link to the pristine copy
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The example with hostile text everywhere, scored: (work folder, paths, out, results document)."""
    work = tmp_path_factory.mktemp("injection")
    paths = copy_example(work)
    communes = sorted(paths["submissions"].glob("*.json"))
    assert len(communes) == len(NAMES)
    for path, name in zip(communes, NAMES):
        _edit(path, lambda d, name=name: d["commune"].__setitem__("name", name))
    # the year's list of units names them the same way (it is checked against the submissions)
    codes = {json.loads(path.read_text(encoding="utf-8"))["commune"]["code"]: name for path, name in zip(communes, NAMES)}
    _edit(paths["submissions"].parent / "registry.json",
          lambda d: [unit.__setitem__("name", codes[unit["code"]]) for unit in d["units"]])

    def dak_ha(document):
        documents = [doc for leaf in document["leaves"].values() for doc in leaf.get("evidence") or []]
        for index, doc in enumerate(documents[: len(NAMES)]):
            doc["title"] = NAMES[index]
            doc["number"] = NAMES[(index + 1) % len(NAMES)]
        for code, text in EXPLANATIONS.items():
            assert document["leaves"][code].get("not_applicable"), code
            document["leaves"][code]["explanation"] = text

    _edit(communes[0], dak_ha)

    def appraisal(document):
        entries = document["entries"]
        # the latest stage of a leaf is the one the results show: give those every reason
        latest = [e for e in entries if not any(o["commune"] == e["commune"] and o["leaf"] == e["leaf"]
                                                and o["stage"] > e["stage"] for o in entries)]
        assert len(latest) >= len(REASONS)
        for index, entry in enumerate(latest):
            entry["reason"] = REASONS[index % len(REASONS)]
        for entry in entries:
            if entry not in latest:
                entry["reason"] = "=2+2 (vòng trước)"

    _edit(paths["submissions"].parent / "appraisal.json", appraisal)
    out = work / "out"
    result = run("score", *cli_args(paths), "--out", out, "--time", TIME)
    assert result.exit_code == 0, result.output
    return work, paths, out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_results_keep_the_exact_strings(hostile):
    _, _, _, document = hostile
    assert sorted(c["name"] for c in document["communes"]) == sorted(NAMES)
    leaves = [leaf for c in document["communes"] for leaf in c["leaves"]]
    titles = {d["title"] for leaf in leaves for d in leaf["evidence"]}
    numbers = {d["number"] for leaf in leaves for d in leaf["evidence"]}
    assert set(NAMES) <= titles and set(NAMES) <= numbers
    assert set(REASONS) <= {leaf["appraisal_reason"] for leaf in leaves}
    reasons = [leaf["reason"] for leaf in leaves]
    for text in EXPLANATIONS.values():
        assert any(text in reason for reason in reasons), text


def excel_text(value: str) -> str:
    """A cell's text as Excel shows it: the OOXML escape _xHHHH_ decoded (openpyxl leaves it in
    inline strings; xlsxwriter writes a CR as _x000D_ and a literal "_x0041_" as _x005F_x0041_)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match[1], 16)), value)


def _workbook_cells(path: Path):
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


def test_workbook_holds_the_strings_as_text(hostile):
    _, _, out, _ = hostile
    cells = list(_workbook_cells(out / "ket-qua.xlsx"))
    assert not [f"{s}!{c.coordinate}" for s, c in cells if c.data_type == "f"], "a formula cell"
    texts = [(s, c) for s, c in cells if isinstance(c.value, str)]
    for hostile_text in NAMES + CONTROL_LED:
        holding = [(s, c) for s, c in texts if hostile_text in excel_text(c.value)]
        assert holding, f"{hostile_text!r} not found in any cell"
        assert all(c.data_type == "s" for _, c in holding), [(s, c.coordinate, c.data_type) for s, c in holding]
    ranking = {c.value for s, c in texts if s == "Xếp hạng"}
    assert set(NAMES) <= ranking, "every commune name exactly as given, on the ranking sheet"


def test_workbook_xml_has_no_formula_and_no_link(hostile):
    _, _, out, _ = hostile
    with zipfile.ZipFile(out / "ket-qua.xlsx") as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for name in sheets:
            xml = package.read(name).decode("utf-8")
            assert not re.search(r"<f[ >/]", xml), f"formula element in {name}"
            assert "<hyperlink" not in xml, name
        for name in package.namelist():
            if name.endswith(".rels"):
                assert "example.com" not in package.read(name).decode("utf-8"), name


def _docx_texts(path: Path) -> list[str]:
    document = Document(path)
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return texts


def test_decision_shows_the_names_literally(hostile):
    _, _, out, _ = hostile
    texts = _docx_texts(out / "quyet-dinh.docx")
    for name in NAMES:
        assert any(name in text for text in texts), f"{name!r} not in the decision"
    assert "Xã {{ 7*7 }}" in texts and "Xã &amp;" in texts and "Xã <w:t>x</w:t>" in texts
    assert not [t for t in texts if re.fullmatch(r"(Xã )?49", t.strip())], "template code ran"
    with zipfile.ZipFile(out / "quyet-dinh.docx") as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "6170" not in xml, "{{ 1234*5 }} was evaluated"
    assert "&lt;w:t&gt;x&lt;/w:t&gt;" in xml and "&amp;amp;" in xml


@pytest.mark.parametrize("name", ["\tĐăk Hà", "\rĐăk Hà", "Đăk\tHà", "Đăk\r\nHà", "=1+1\t"])
def test_control_characters_in_a_commune_name_are_refused(name, hostile, tmp_path, monkeypatch):
    work = tmp_path / "work"
    paths = copy_example(work)
    dak_ha = paths["submissions"] / "23503-dak-ha.json"
    _edit(dak_ha, lambda d: d["commune"].__setitem__("name", name))
    monkeypatch.chdir(work)
    result = run("validate", *cli_args(paths))
    assert result.exit_code == 1, result.output
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[0].endswith(":/commune/name: chứa ký tự điều khiển, ký tự ẩn hoặc ký tự không dùng (không in được: "
                             "NUL, ESC, ký tự đổi chiều viết, khoảng trắng rộng 0, U+FFFE, U+FFFF, U+FDD0–U+FDEF…) "
                             "[schema-pattern]"), lines
    assert len(lines) == 2


# ---------------------------------------------------------------- reproducible


def test_same_inputs_and_time_give_the_same_bytes(hostile):
    _, paths, out, _ = hostile
    again = out.parent / "again"
    result = run("score", *cli_args(paths), "--out", again, "--time", TIME)
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


# ---------------------------------------------------------------- decision on a broken results.json


def _truncated(raw: bytes, document: dict) -> bytes:
    """Cut at a character boundary near the middle (the results hold the run's paths, so the
    middle moves with pytest's temporary folder: the cut must not depend on it)."""
    cut = len(raw) // 2
    while raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: not a boundary
        cut -= 1
    return raw[:cut]


def _truncated_inside_a_character(raw: bytes, document: dict) -> bytes:
    """Cut after the first byte of the first multi-byte character past the middle."""
    cut = len(raw) // 2
    while raw[cut] < 0xC0:  # not the lead byte of a multi-byte character
        cut += 1
    return raw[: cut + 1]


def _with(change):
    def make(raw: bytes, document: dict) -> bytes:
        document = json.loads(raw)
        change(document)
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    return make


BROKEN_RESULTS = {
    "truncated": (_truncated, "", "json-invalid"),
    "truncated-inside-a-character": (_truncated_inside_a_character, "", "encoding-invalid"),
    "empty": (lambda raw, d: b"", "", "file-empty"),
    "not-utf8": (lambda raw, d: b"\xff" + raw, "", "encoding-invalid"),
    "nan": (lambda raw, d: raw.replace(b'"index": ', b'"index": NaN, "x": ', 1), "", "json-nan"),
    "an-array": (lambda raw, d: b"[]", "", "schema-type"),
    "wrong-format": (_with(lambda d: d.__setitem__("format", "cchc-results/2")), "/format", "schema-const"),
    "rank-missing": (_with(lambda d: d["communes"][3].pop("rank")), "/communes/3", "schema-required"),
    "communes-not-a-list": (_with(lambda d: d.__setitem__("communes", {})), "/communes", "schema-type"),
    "index-a-string": (_with(lambda d: d["communes"][0].__setitem__("index", "85,5")), "/communes/0/index", "schema-type"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_RESULTS))
def test_decision_on_a_broken_results_file(case, previous, tmp_path):
    make, pointer, code = BROKEN_RESULTS[case]
    raw = (previous / "results.json").read_bytes()
    target = tmp_path / "results.json"
    target.write_bytes(make(raw, None))
    before = snapshot(tmp_path)
    for args in ([], ["--out", tmp_path / "qd.docx", "--force"]):
        result = run("decision", target, *args)
        assert result.exit_code == 1, result.output
        lines = result.stderr.rstrip("\n").split("\n")
        issues = lines[:-1] if lines[-1].startswith("Có ") else lines
        assert issues and all(ISSUE_LINE.fullmatch(line) for line in issues), lines
        assert any(line.startswith(f"{target}:{pointer}: ") and (code is None or line.endswith(f"[{code}]"))
                   for line in issues), lines
        if case == "truncated-inside-a-character":
            assert any("có thể đã bị cắt cụt" in line for line in issues), lines
        assert snapshot(tmp_path) == before, "nothing written"


@pytest.mark.parametrize("year", [9999, -1, 10 ** 30])
def test_decision_on_a_results_file_with_an_impossible_year(year, previous, tmp_path):
    """Was: ValueError (year 10000 is out of range: the default date is 1 January of year + 1)
    and a traceback; results.schema.json now bounds the year as the criteria schema does."""
    document = json.loads((previous / "results.json").read_text(encoding="utf-8"))
    document["criteria"]["year"] = year
    target = tmp_path / "results.json"
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decision", str(target), "--out", str(tmp_path / "qd.docx")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert f"{target}:/criteria/year: " in result.stderr
    assert not (tmp_path / "qd.docx").exists()


@pytest.mark.parametrize("token, code", [("0.001", "precision"), ("85.125", "precision"),
                                         ("1e999999999", "number-too-large"), ("1E-999999999", "precision")])
def test_decision_on_a_results_file_with_a_number_off_the_hundredths(token, code, previous, tmp_path):
    """Was: scoring.numbers.NotHundredths and a traceback; load_results checked the schema only."""
    raw = (previous / "results.json").read_text(encoding="utf-8")
    document = json.loads(raw)
    old = f'"index": {json.dumps(document["communes"][0]["index"])},'
    assert old in raw
    target = tmp_path / "results.json"
    target.write_text(raw.replace(old, f'"index": {token},', 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decision", str(target), "--out", str(tmp_path / "qd.docx")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert f"{target}:/communes/0/index: " in result.stderr and f"[{code}]" in result.stderr
    assert not (tmp_path / "qd.docx").exists()
