"""Faults of the machine, not of the input (issue 20): killed workers and parents, SIGTERM,
the outputs swapped as one set whatever instant the run dies, one run at a time per output
folder, a full disk, closed pipes and a Windows code page.

Every fault is injected (a wrapper script that replaces one function before calling
``cli.main()``, a signal sent by the test, a file-size limit); every subprocess has a
generous timeout, and no assertion is about time.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import resource
import shlex
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

import scoring.writers.outputs as outputs_module
from cli import cli
from scoring.workers import ChildDied, ordered_map
from scenario import LATER, OUTPUTS, TIME, fresh_out, wrapper_command, wrapper_environment
from test_validation import ROOT, cli_args, copy_example, example_missing, snapshot

pytestmark = [example_missing, pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")]

FORK = "fork" in multiprocessing.get_all_start_methods()
needs_fork = pytest.mark.skipif(not FORK or (os.cpu_count() or 1) < 2, reason="forked children only")
needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process facts (/proc)")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return copy_example(tmp_path_factory.mktemp("faults") / "example")


@pytest.fixture(scope="module")
def previous(example, tmp_path_factory):
    """A complete result of the example written at TIME."""
    out = tmp_path_factory.mktemp("previous") / "out"
    result = CliRunner().invoke(cli, ["score", *cli_args(example), "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    return out


def visible(out: Path) -> dict:
    """What a reader of out/ sees under the three names (None when absent)."""
    return {name: (out / name).read_bytes() if (out / name).is_file() else None for name in OUTPUTS}


# the bundled 11 communes written the national way: the workbook in a forked process, the
# results rendered by a pool of workers
NATIONAL = """
import scoring.writers.outputs as outputs, scoring.writers.workbook as workbook, scoring.writers.results_json as rj
outputs.DETAIL_SHEET_MAX_COMMUNES = workbook.DETAIL_SHEET_MAX_COMMUNES = rj.INDENT_UP_TO = 3
rj.CHUNK = 4
"""


def wrapped(patch: str, folder: Path, *args, env=None, wait=True, **options):
    command = wrapper_command(ROOT, patch, folder, *args)
    environment = wrapper_environment(env)
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=Path.cwd(), env=environment, **options)
    return subprocess.run(command, capture_output=True, text=True, cwd=Path.cwd(), timeout=180, env=environment,
                          **options)


def score_args(example, out, when=LATER):
    return ("score", *cli_args(example), "--out", out, "--force", "--time", when)


def gone(pid: int) -> bool:
    """The process has ended (absent, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def wait_for(condition, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.05)


# ---------------------------------------------------------------- killed workers


def _die_on_two(item):
    if item == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.01)
    return item * 10


@needs_fork
def test_a_killed_worker_fails_the_map_instead_of_waiting_forever():
    """Was: multiprocessing.Pool replaced the dead worker and waited for its piece forever."""
    with pytest.raises(ChildDied) as caught:
        list(ordered_map(_die_on_two, range(6), 2))
    assert "SIGKILL" in str(caught.value) and "hết bộ nhớ" in str(caught.value)


@needs_fork
def test_the_map_still_gives_every_result_in_order():
    assert list(ordered_map(abs, [-3, 1, -2, 5, -8], 2)) == [3, 1, 2, 5, 8]


def _fail_on_three(item):
    if item == 3:
        raise ValueError(f"mục {item} hỏng")
    return item


class _Unrebuildable(Exception):
    def __init__(self, item, why):
        super().__init__(f"mục {item} {why}")


def _fail_unrebuildably(item):
    if item == 2:
        raise _Unrebuildable(item, "hỏng")
    return item


def _exit_on_two(item):
    if item == 2:
        raise SystemExit(7)
    return item


def _unpicklable(item):
    return (lambda: item) if item == 1 else item


@needs_fork
def test_a_worker_s_exception_is_raised_here_and_no_worker_is_left():
    import multiprocessing
    with pytest.raises(ValueError, match="mục 3 hỏng"):
        list(ordered_map(_fail_on_three, range(8), 2))
    with pytest.raises(ValueError, match="mục 3 hỏng") as raised:  # with the worker's own traceback
        list(ordered_map(_fail_on_three, range(8), 2))
    assert any("Trong tiến trình con" in note and "_fail_on_three" in note for note in raised.value.__notes__)
    with pytest.raises(RuntimeError, match="tiến trình con không gửi được kết quả của _unpicklable về"):  # said, not hung
        list(ordered_map(_unpicklable, range(4), 2))
    with pytest.raises(RuntimeError, match="_Unrebuildable: mục 2"):  # rebuilt on this side: a TypeError before
        list(ordered_map(_fail_unrebuildably, range(4), 2))
    with pytest.raises(ChildDied):  # a worker's SystemExit is its death, never this process's exit
        list(ordered_map(_exit_on_two, range(4), 2))
    results = ordered_map(abs, range(-50, 0), 2)
    assert next(results) == 50
    results.close()  # abandoned half-way: the workers are stopped
    assert not [child for child in multiprocessing.active_children() if child.name == "cchc worker"]


@needs_fork
def test_a_killed_worker_never_hangs_the_map():
    """The pool used before (concurrent.futures) deadlocked now and then when a worker was
    killed (1 run in ~40 on a loaded machine saw a wrong cause, once a hang): 30 in a row,
    each under an alarm that turns a hang into a failure."""
    import signal as signals

    def hung(*_):
        raise TimeoutError("ordered_map hung after a worker was killed")

    previous = signals.signal(signals.SIGALRM, hung)
    try:
        for _ in range(30):
            signals.alarm(20)
            with pytest.raises(ChildDied, match="SIGKILL"):
                list(ordered_map(_die_on_two, range(6), 2))
            signals.alarm(0)
    finally:
        signals.alarm(0)
        signals.signal(signals.SIGALRM, previous)


READER_KILLED = """
import scoring.quick as load
load.PARALLEL_FROM, load.GROUP = 1, 3
real = load._check_shared_group
PARENT = os.getpid()
def check(group, load):
    if any("dak-ha" in str(path) for path in group) and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(group, load)
load._check_shared_group = check
"""

RENDERER_KILLED = NATIONAL + """
os.cpu_count = lambda: 4  # workers render results.json beside the workbook process
PARENT = os.getpid()
real = rj._render_chunk
def render(bounds, run):
    if bounds[0] > 0 and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(bounds, run)
rj._render_chunk = render
"""


@needs_fork
@pytest.mark.parametrize("patch", [READER_KILLED, RENDERER_KILLED], ids=["reading", "rendering results.json"])
def test_a_worker_killed_mid_run_ends_the_run(patch, example, previous, tmp_path):
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)
    process = wrapped(patch, tmp_path, *score_args(example, out))
    assert process.returncode == 3, process.stderr
    assert process.stderr.count("\n") == 1 and "bị dừng đột ngột bởi tín hiệu SIGKILL" in process.stderr
    assert "không có kết quả nào bị ghi đè" in process.stderr and "Traceback" not in process.stderr
    assert snapshot(out) == before


# ---------------------------------------------------------------- the parent stopped or killed

# the workbook process (national way) says its pid, then works for a long time
SLOW_WORKBOOK = NATIONAL + """
def slow(document, target, **options):
    Path(os.environ["MARK"]).write_text(str(os.getpid()))
    time.sleep(600)
from pathlib import Path
outputs.render_workbook = slow
"""


def start_slow_run(example, previous, tmp_path):
    out = fresh_out(previous, tmp_path)
    mark = tmp_path / "workbook.pid"
    process = wrapped(SLOW_WORKBOOK, tmp_path, *score_args(example, out), env={"MARK": str(mark)}, wait=False)
    wait_for(lambda: mark.is_file() and mark.read_text(), "the workbook process to start")
    return out, process, int(mark.read_text())


@needs_fork
@needs_linux
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_a_stopped_run_stops_its_children_and_keeps_the_previous_outputs(signum, example, previous, tmp_path):
    out, process, child = start_slow_run(example, previous, tmp_path)
    before = visible(out)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, stderr
    assert stderr.count("\n") == 1 and "Đã dừng theo yêu cầu; không có kết quả nào bị ghi đè." in stderr, stderr
    wait_for(lambda: gone(child), "the workbook process to end", timeout=30)
    assert visible(out) == before
    assert visible(out) == visible(previous)


@needs_fork
@needs_linux
def test_a_parent_killed_outright_takes_its_children_with_it(example, previous, tmp_path):
    """SIGKILL cannot be handled: the children asked the kernel to kill them with their parent."""
    out, process, child = start_slow_run(example, previous, tmp_path)
    process.kill()
    process.communicate(timeout=120)
    wait_for(lambda: gone(child), "the workbook process to end", timeout=30)
    assert visible(out) == visible(previous)


# ---------------------------------------------------------------- the three outputs as one set

# SIGKILL at the Nth rename into the output folder (the steps that make a set visible)
KILL_AT_RENAME = """
real_replace = os.replace
renames = [0]
def replace(source, target, *args, **kwargs):
    if str(target).startswith(os.environ["OUT"]):
        renames[0] += 1
        if renames[0] == int(os.environ["KILL_AT"]):
            os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(source, target, *args, **kwargs)
os.replace = replace
"""


@pytest.mark.parametrize("layout", ["links", "plain files"])
def test_a_reader_sees_the_old_set_or_the_new_set_whatever_instant_the_run_dies(layout, example, previous,
                                                                                 tmp_path):
    """The run is killed before each rename into out/ in turn (the renames of a plain-file
    folder moved under the links, then the swap), then once more let through: out/ shows the
    three old files or the three new ones, never a mix, never a missing one."""
    import shutil
    old = visible(previous)
    new = None
    for kill_at in range(1, 10):
        folder = tmp_path / f"kill-{kill_at}"
        folder.mkdir()
        out = folder / "out"
        if layout == "links":
            shutil.copytree(previous, out, symlinks=True)
        else:  # an out/ of the earlier one-file-at-a-time scheme: plain files
            out.mkdir()
            for name in OUTPUTS:
                shutil.copy2(previous / name, out / name)
        process = wrapped(KILL_AT_RENAME, folder, *score_args(example, out),
                          env={"OUT": str(out), "KILL_AT": str(kill_at)})
        seen = visible(out)
        if process.returncode == 0:
            new = seen
            assert json.loads(seen["results.json"])["generated_at"] == LATER
            break
        assert process.returncode == -signal.SIGKILL, process.stderr
        assert seen == old, f"killed at rename {kill_at}: a mix or a missing file"
    assert new is not None and all(new[name] != old[name] for name in ("results.json", "quyet-dinh.docx"))
    assert kill_at >= 2, "at least one rename was interrupted"


def test_the_outputs_are_links_into_the_current_set(previous):
    for name in OUTPUTS:
        assert os.readlink(previous / name) == f".cchc/current/{name}"
    assert os.readlink(previous / ".cchc" / "current").startswith("set-")


def test_a_folder_copied_without_its_links_is_taken_over(example, previous, tmp_path):
    """cp -r follows the links: plain files and a plain .cchc/current folder; the next run
    makes them a set again and cleans the copy."""
    import shutil
    out = tmp_path / "out"
    shutil.copytree(previous, out)  # links followed
    assert not (out / "results.json").is_symlink()
    result = CliRunner().invoke(cli, list(map(str, score_args(example, out))))
    assert result.exit_code == 0, result.output
    assert os.readlink(out / "results.json") == ".cchc/current/results.json"
    hidden = sorted("set-" if p.name.startswith("set-") else p.name for p in (out / ".cchc").iterdir())
    assert hidden == ["current", "lock", "set-"]
    assert json.loads((out / "results.json").read_bytes())["generated_at"] == LATER


def test_a_decision_written_over_a_link_is_kept_until_the_next_score(example, previous, tmp_path):
    out = fresh_out(previous, tmp_path)
    result = CliRunner().invoke(cli, ["decision", str(out / "results.json"), "--number", "47", "--force"])
    assert result.exit_code == 0, result.output
    assert not (out / "quyet-dinh.docx").is_symlink()
    assert os.readlink(out / "results.json") == ".cchc/current/results.json"
    result = CliRunner().invoke(cli, list(map(str, score_args(example, out))))
    assert result.exit_code == 0, result.output
    assert os.readlink(out / "quyet-dinh.docx") == ".cchc/current/quyet-dinh.docx"


# ---------------------------------------------------------------- one run at a time

HOLD_LOCK = """
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from scoring.writers.atomic import output_lock
with output_lock(Path(sys.argv[1])):
    Path(sys.argv[2]).write_text("held")
    time.sleep(600)
"""


def test_a_second_run_into_the_same_folder_is_refused_at_once(example, previous, tmp_path):
    out = fresh_out(previous, tmp_path)
    script, mark = tmp_path / "hold.py", tmp_path / "held"
    script.write_text(HOLD_LOCK.format(root=str(ROOT)), encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), str(out), str(mark)])
    try:
        wait_for(mark.is_file, "the first run to hold the lock")
        before = snapshot(out)
        result = CliRunner().invoke(cli, list(map(str, score_args(example, out))))
        assert result.exit_code == 2, result.output
        assert f"Thư mục {out} đang được một lần chấm khác ghi kết quả (tiến trình {holder.pid})" in result.stderr
        assert result.stderr.count("\n") == 1
        assert snapshot(out) == before
    finally:
        holder.kill()
        holder.wait(timeout=60)
    # the lock dies with its holder: the next run goes through
    result = CliRunner().invoke(cli, list(map(str, score_args(example, out))))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- a full disk


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EIO])
def test_a_full_disk_is_an_environment_problem_not_an_internal_error(code, example, previous, tmp_path,
                                                                     monkeypatch):
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(outputs_module, "render_decision", full)
    monkeypatch.delenv("CCHC_DEBUG", raising=False)
    result = CliRunner().invoke(cli, list(map(str, score_args(example, out))))
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Lỗi nội bộ" not in result.stderr
    assert f"Không ghi được kết quả vào thư mục {out}: " in result.stderr
    assert os.strerror(code) in result.stderr and "đã ghi được" in result.stderr and "còn trống" in result.stderr
    assert "Các kết quả trước đó vẫn giữ nguyên" in result.stderr
    assert snapshot(out) == before


def test_a_real_file_size_limit_while_writing(example, previous, tmp_path):
    """The kernel refuses writes past the process's file-size limit (EFBIG), as a full disk
    refuses them: the same message, the previous outputs intact."""
    out = fresh_out(previous, tmp_path)
    before = snapshot(out)
    limit = 20_000  # bytes: results.json of the example is far larger

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    process = wrapped("", tmp_path, *score_args(example, out), preexec_fn=limited,
                      env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert process.returncode == 2, process.stderr
    assert f"Không ghi được kết quả vào thư mục {out}: tệp vượt kích thước tối đa cho phép" in process.stderr
    assert process.stderr.count("\n") == 1 and "Traceback" not in process.stderr
    assert snapshot(out) == before


# ---------------------------------------------------------------- printing never fails a run


def test_a_closed_output_pipe_is_not_a_fault(example, tmp_path):
    """`score | head -1`: the reader goes away; the run still writes everything and exits 0."""
    out = tmp_path / "out"
    process = wrapped("", tmp_path, "score", *cli_args(example), "--out", out, "--time", TIME, wait=False)
    process.stdout.close()  # nobody reads what is printed
    stderr = process.stderr.read()
    process.wait(timeout=180)
    assert process.returncode == 0, stderr
    assert stderr == ""
    assert all((out / name).is_file() for name in OUTPUTS)


def test_a_pipe_closed_after_the_first_line(example, tmp_path):
    out = tmp_path / "out"
    args = [sys.executable, ROOT / "cli.py", "score", *cli_args(example), "--out", out, "--time", TIME]
    command = " ".join(shlex.quote(str(arg)) for arg in args) + " | head -1"
    process = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                             timeout=180, cwd=Path.cwd())
    assert process.returncode == 0, process.stderr
    assert process.stdout.startswith("Hạng") and process.stderr == ""


def test_output_in_the_vietnamese_windows_code_page(example, tmp_path):
    """cp1258 holds the base letters and the combining tone marks, not every precomposed
    letter: the text is written decomposed, and reads back as the same Vietnamese."""
    out = tmp_path / "out"
    process = subprocess.run([sys.executable, str(ROOT / "cli.py"), "score", *cli_args(example), "--out", str(out),
                              "--time", TIME], capture_output=True, timeout=180, cwd=Path.cwd(),
                             env={**os.environ, "PYTHONIOENCODING": "cp1258"})
    assert process.returncode == 0, process.stderr.decode("cp1258", "replace")
    text = unicodedata.normalize("NFC", process.stdout.decode("cp1258"))
    assert "Xếp loại" in text and "Đăk Tờ Kan" in text and "Đã ghi" in text


# ---------------------------------------------------------------- input problems, never "Lỗi nội bộ"

ISSUE_LINE = r"^\S.*: .+ \[[a-z0-9-]+\]$"  # file:/pointer:, file!Sheet!A1:, file:: or a form's file:


def assert_one_pointed_line(text: str, code: str):
    import re
    lines = [line for line in text.splitlines() if not line.startswith("Có ")]
    assert lines and all(re.match(ISSUE_LINE, line) for line in lines), text
    assert f"[{code}]" in text and "Lỗi nội bộ" not in text and "Traceback" not in text, text


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "1979-12-31T23:59:59", "2108-01-01T00:00:00",
                                  "9999-12-31T23:00:00-05:00", "1980-01-01T03:00:00+07:00"])
def test_a_time_the_outputs_cannot_hold_is_a_usage_error(when, example, tmp_path):
    result = CliRunner().invoke(cli, ["score", *cli_args(example), "--out", str(tmp_path / "out"), "--time", when])
    assert result.exit_code == 2, result.output
    assert "1980-01-01" in result.output and "Lỗi nội bộ" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_edges_of_the_time_range_are_written(example, tmp_path):
    for when in ("1980-01-01T00:00:00", "2107-12-31T23:59:59"):
        out = tmp_path / when[:4]
        result = CliRunner().invoke(cli, ["score", *cli_args(example), "--out", str(out), "--time", when])
        assert result.exit_code == 0, result.output


def special_paths(tmp_path: Path) -> dict:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    return {"FIFO": fifo, "/dev/zero": zero, "folder": folder}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@pytest.mark.parametrize("option", ["--criteria", "--appraisal", "--survey"])
def test_a_special_file_named_as_an_input_is_refused_at_once(option, example, tmp_path):
    for kind, path in special_paths(tmp_path).items():
        args = ["validate", *cli_args(example)]
        if option == "--criteria":
            args[args.index("--criteria") + 1] = str(path)
        else:
            args += [option, str(path)]
        process = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                                 timeout=120, cwd=Path.cwd())
        if kind == "folder" and option != "--criteria":
            # --appraisal may name a folder of the teams' appraisal files; --survey refuses a folder (click)
            assert process.returncode in (0, 1, 2) and "Traceback" not in process.stderr, (kind, process.stderr)
            continue
        assert process.returncode in (1, 2), (kind, process.stderr)
        assert "[file-not-regular]" in process.stderr or process.returncode == 2, (kind, process.stderr)
        assert "Lỗi nội bộ" not in process.stderr and "Traceback" not in process.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_special_files_given_to_check_import_and_decision_are_refused_at_once(previous, tmp_path):
    for kind, path in special_paths(tmp_path).items():
        if kind == "folder":
            continue
        for args in (["check", str(path)], ["import", str(path.with_suffix(".xlsx")), "--out", str(tmp_path / "x.json")],
                     ["decision", str(previous / "results.json"), "--details", str(path), "--out", str(tmp_path / "d.docx")],
                     ["decision", str(previous / "results.json"), "--template", str(path), "--out", str(tmp_path / "d.docx")]):
            if args[0] == "import":
                link = path.with_suffix(".xlsx")
                if not link.exists() and not link.is_symlink():
                    os.symlink(path, link)
            process = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True,
                                     timeout=120, cwd=Path.cwd())
            assert process.returncode == 1, (kind, args, process.stderr)
            assert_one_pointed_line(process.stderr, "file-not-regular")


def test_a_file_beyond_a_sane_size_is_refused_without_reading_it(example, tmp_path, monkeypatch):
    import scoring.input_files as input_files
    monkeypatch.setattr(input_files, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr(input_files.input_file_issue, "__kwdefaults__", {"limit": 1000})
    result = CliRunner().invoke(cli, ["validate", *cli_args(example)])
    assert result.exit_code == 1, result.output
    assert "[file-too-large]" in result.stderr and "tối đa" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_special_entries_in_the_submissions_folder_are_warned_and_upper_case_is_read(tmp_path):
    paths = copy_example(tmp_path / "example")
    communes = paths["submissions"]
    first = sorted(communes.glob("*.json"))[0]
    first.rename(communes / first.name.upper().replace(".JSON", ".JSON"))
    os.mkfifo(communes / "pipe.json")
    (communes / "zero.json").symlink_to("/dev/zero")
    (communes / "thu-muc.json").mkdir()
    process = subprocess.run([sys.executable, str(ROOT / "cli.py"), "validate", *cli_args(paths)],
                             capture_output=True, text=True, timeout=120, cwd=Path.cwd())
    assert process.returncode == 0, process.stderr
    assert "11 hồ sơ" in process.stdout  # the upper-case file is read
    warned = [line for line in process.stderr.splitlines() if "[entry-skipped]" in line]
    assert len(warned) == 3 and all(line.startswith("Cảnh báo: ") for line in warned), process.stderr
    assert any("pipe.json" in line and "FIFO" in line for line in warned)
    assert any("zero.json" in line and "thiết bị" in line for line in warned)
    assert any("thu-muc.json" in line and "thư mục" in line for line in warned)


def test_broken_decision_templates_are_pointed_input_errors(previous, tmp_path):
    import zipfile as zf

    import xlsxwriter

    from scoring.writers.decision import BUNDLED_TEMPLATE
    workbook = tmp_path / "workbook.docx"
    book = xlsxwriter.Workbook(str(workbook))
    book.add_worksheet()
    book.close()

    def edited(name, change):
        target = tmp_path / name
        with zf.ZipFile(BUNDLED_TEMPLATE) as source, zf.ZipFile(target, "w") as copy:
            for item in source.infolist():
                data = source.read(item.filename)
                copy.writestr(item, change(data) if item.filename == "word/document.xml" else data)
        return target

    text = tmp_path / "text.docx"
    text.write_text("không phải docx", encoding="utf-8")
    cases = {
        workbook: "template-not-docx",
        text: "template-not-docx",
        edited("broken.docx", lambda data: data[: len(data) // 2]): "template-not-docx",
        edited("syntax.docx", lambda data: data.replace("QUYẾT".encode(), b"{% for x in %}" + "QUYẾT".encode(), 1)):
            "template-code",
        tmp_path / "missing.docx": "template-missing",
    }
    for template, code in cases.items():
        result = CliRunner().invoke(cli, ["decision", str(previous / "results.json"), "--template", str(template),
                                          "--out", str(tmp_path / "out.docx")])
        assert result.exit_code == 1, (template.name, result.output)
        assert_one_pointed_line(result.stderr, code)
        assert result.stderr.startswith(f"{template}:: ")
        assert not (tmp_path / "out.docx").exists()


def test_deeply_nested_details_are_an_input_error(previous, tmp_path):
    details = tmp_path / "details.json"
    details.write_text('{"recipients": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["decision", str(previous / "results.json"), "--details", str(details),
                                      "--out", str(tmp_path / "d.docx")])
    assert result.exit_code == 1, result.output
    assert_one_pointed_line(result.stderr, "details-bad-json")


def test_deeply_nested_inputs_are_input_errors(example, tmp_path):
    criteria = tmp_path / "criteria.json"
    criteria.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    args = cli_args(example)
    args[args.index("--criteria") + 1] = str(criteria)
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exit_code == 1, result.output
    assert "Lỗi nội bộ" not in result.output


# ---------------------------------------------------------------- resource bombs in forms


def bomb(path: Path, part: str, size: int) -> Path:
    """A tiny zip declaring one part of ``size`` blank bytes (an xlsx bomb's shape)."""
    import zipfile as zf
    with zf.ZipFile(path, "w", compression=zf.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open(part, "w", force_zip64=True) as handle:
            chunk = b" " * (1024 * 1024)
            for _ in range(size // len(chunk)):
                handle.write(chunk)
    return path


@pytest.mark.parametrize("part,size", [("xl/sharedStrings.xml", 300 * 1024 * 1024),
                                       ("xl/worksheets/sheet1.xml", 50 * 1024 * 1024)])
def test_an_xlsx_that_expands_to_far_more_than_a_form_is_refused_before_reading(part, size, tmp_path):
    path = bomb(tmp_path / "bom.xlsx", part, size)
    assert path.stat().st_size < 2 * 1024 * 1024
    for args in (["import", str(path), "--out", str(tmp_path / "x.json")], ["check", str(path)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert_one_pointed_line(result.stderr, "form-not-a-form")
        assert "bom nén" in result.stderr
    assert not (tmp_path / "x.json").exists()


def test_a_cell_far_out_in_a_sheet_is_refused_while_reading(tmp_path):
    import xlsxwriter
    path = tmp_path / "far.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Tự đánh giá")
    sheet.write(0, 0, "x")
    sheet.write(5, 16_000, "xa")
    book.close()
    result = CliRunner().invoke(cli, ["import", str(path), "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 1, result.output
    assert_one_pointed_line(result.stderr, "form-not-a-form")


# ---------------------------------------------------------------- survey tables


def survey_csv(example: dict, *, delimiter=",", title=None, huge=False) -> str:
    survey = json.loads((example["submissions"].parent / "survey.json").read_text(encoding="utf-8"))
    lines = [title] if title else []
    lines.append(delimiter.join(["Mã xã", "Câu hỏi", "A", "B", "C", "D"]))
    for commune, questions in survey["tallies"].items():
        for question, tally in questions.items():
            lines.append(delimiter.join([commune, question, *(str(tally.get(o, 0)) for o in "ABCD")]))
    if huge:
        lines.append(delimiter.join(["23503", '"' + "x" * 200_000 + '"', "1", "1", "1", "1"]))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_survey_csv_with_a_title_row_above_the_header(delimiter, example, tmp_path):
    table = tmp_path / "survey.csv"
    table.write_text(survey_csv(example, delimiter=delimiter, title="Kết quả điều tra xã hội học, năm 2023, huyện Tu Mơ Rông"),
                     encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(table), "--out", str(tmp_path / "survey.json")])
    assert result.exit_code == 0, result.output
    read = json.loads((tmp_path / "survey.json").read_text(encoding="utf-8"))
    expected = json.loads((example["submissions"].parent / "survey.json").read_text(encoding="utf-8"))
    assert read["tallies"] == expected["tallies"]


def test_a_huge_csv_field_is_an_input_error(example, tmp_path):
    table = tmp_path / "survey.csv"
    table.write_text(survey_csv(example, huge=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(table), "--out", str(tmp_path / "survey.json")])
    assert result.exit_code == 1, result.output
    assert_one_pointed_line(result.stderr, "csv-invalid")
    assert "!R" in result.stderr


# ---------------------------------------------------------------- meaning: an index that cannot be computed

UNDEFINED_CASE = {
    "name": "every leaf not applicable",
    "note": "1.1 yes_no max 2 and 1.2 ratio_thresholds max 1, both N/A exclude. 00001 claims 1.1 N/A and "
            "reports 0/0 for 1.2 (automatically N/A): max 3 − 2 − 1 = 0 → index undefined, unranked. "
            "00002: 1.1 done 2, 1.2 1/1 → 1: 3/3 = 100, rank 1. 00003: 1.1 not done, 1.2 1/1: 1/3 = 33.33, rank 2.",
    "leaves": [
        {"code": "1.1", "title": "Ban hành văn bản QPPL", "max": 2, "not_applicable": "exclude",
         "rule": {"kind": "yes_no", "question": "Ban hành văn bản QPPL đúng quy định"}},
        {"code": "1.2", "title": "Tiếp nhận phản ánh kiến nghị", "max": 1, "not_applicable": "exclude",
         "rule": {"kind": "ratio_thresholds", "numerator": "Số phản ánh đã xử lý", "denominator": "Tổng số phản ánh",
                  "thresholds": [{"at": 100, "points": 1}], "otherwise": 0}},
    ],
    "communes": [
        {"code": "00001", "name": "Xã Không Áp Dụng", "leaves": {
            "1.1": {"not_applicable": True, "explanation": "Năm 2023 không ban hành văn bản QPPL"},
            "1.2": {"facts": {"numerator": 0, "denominator": 0}}}},
        {"code": "00002", "leaves": {"1.1": {"facts": {"done": True}}, "1.2": {"facts": {"numerator": 1, "denominator": 1}}}},
        {"code": "00003", "leaves": {"1.1": {"facts": {"done": False}}, "1.2": {"facts": {"numerator": 1, "denominator": 1}}}},
    ],
}


def test_a_commune_with_no_applicable_point_has_an_undefined_index(tmp_path):
    import docx
    import openpyxl

    from scenario import write_scenario
    paths = write_scenario(UNDEFINED_CASE, tmp_path / "case")
    out = tmp_path / "out"
    args = ["--criteria", str(paths["criteria"]), "--submissions", str(paths["submissions"])]
    result = CliRunner().invoke(cli, ["score", *args, "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    communes = {c["code"]: c for c in document["communes"]}
    undefined = communes["00001"]
    assert (undefined["index"], undefined["rank"], undefined["band"], undefined["max"]) == (None, None, None, 0)
    assert "không xác định" in undefined["index_note"] and "không áp dụng" in undefined["index_note"]
    assert (communes["00002"]["index"], communes["00002"]["rank"]) == (100, 1)
    assert (communes["00003"]["index"], communes["00003"]["rank"]) == (33.33, 2)
    assert [c["code"] for c in document["communes"]] == ["00002", "00003", "00001"]  # unranked last
    assert sum(document["summary"]["bands"].values()) == 2
    assert document["summary"]["average_index"] == 66.67  # (100 + 33.33) / 2, the undefined one left out
    from scoring.validate import validator
    assert not list(validator("results").iter_errors(document))
    # the terminal
    line = next(line for line in result.stdout.splitlines() if "00001" in line)
    assert "không xác định" in line and line.lstrip().startswith("-")
    assert "Xã Không Áp Dụng (mã 00001): chỉ số không xác định" in result.stdout
    # explain
    explained = CliRunner().invoke(cli, ["explain", "00001", *args])
    assert explained.exit_code == 0, explained.output
    assert "chỉ số không xác định, không xếp hạng, không xếp loại" in explained.stdout
    # the workbook
    book = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    cells = [str(value) for row in book.worksheets[0].iter_rows(values_only=True) for value in row if value is not None]
    assert "không xác định" in cells and "0" not in [c for c in cells if c == "Yếu"]
    # the decision
    text = "\n".join(cell.text for table in docx.Document(out / "quyet-dinh.docx").tables
                     for row in table.rows for cell in row.cells)
    assert "không xác định" in text and "không xếp loại" in text


# ---------------------------------------------------------------- Excel's limits


def test_more_areas_than_the_workbook_has_columns_is_refused_before_writing(tmp_path, monkeypatch):
    """Was: xlsxwriter silently drops every cell past column XFD."""
    import scoring.writers.workbook as workbook
    from scenario import write_scenario
    monkeypatch.setattr(workbook, "MAX_AREAS", 0)  # the example's one area is then one too many
    paths = write_scenario(UNDEFINED_CASE, tmp_path / "case")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", "--criteria", str(paths["criteria"]), "--submissions",
                                      str(paths["submissions"]), "--out", str(out), "--time", TIME])
    assert result.exit_code == 1, result.output
    assert "criteria.json:/areas: bộ tiêu chí có 1 lĩnh vực; bảng tính kết quả chỉ chứa được 0" in result.stderr
    assert "[excel-limit]" in result.stderr and not out.exists()


def test_the_detail_sheet_is_left_out_rather_than_run_past_the_last_row(tmp_path, monkeypatch):
    import openpyxl

    import scoring.writers.workbook as workbook
    from scenario import write_scenario
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 15)  # 3 communes × 2 leaves = 6 rows, not below 15 − 10
    paths = write_scenario(UNDEFINED_CASE, tmp_path / "case")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["score", "--criteria", str(paths["criteria"]), "--submissions",
                                      str(paths["submissions"]), "--out", str(out), "--time", TIME])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out / "ket-qua.xlsx", read_only=True)
    assert workbook.SHEET_DETAIL not in book.sheetnames
    said = [cell for row in book[workbook.SHEET_ABOUT].iter_rows(values_only=True) for cell in row
            if isinstance(cell, str) and cell.startswith(f"Bảng {workbook.SHEET_DETAIL} không được tạo")]
    assert said and said[0].startswith(f"Bảng {workbook.SHEET_DETAIL} không được tạo vì bảng cần 6 dòng, quá số "
                                       "dòng của một trang Excel (15)")  # the reason, not the national layout


def test_an_appraisal_form_past_the_last_row_is_refused(example, tmp_path, monkeypatch):
    import scoring.forms.appraisal as appraisal
    monkeypatch.setattr(appraisal, "EXCEL_MAX_ROWS", 100)
    result = CliRunner().invoke(cli, ["appraisal-form", *cli_args(example), "--out", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 2, result.output
    assert "vượt 100 dòng của một trang Excel" in result.output and not (tmp_path / "t.xlsx").exists()


def test_library_warnings_do_not_reach_the_terminal(tmp_path):
    """A form with a data-validation extension makes openpyxl warn, naming its own file."""
    process = wrapped("""
import warnings
real = cli.cli.main
def noisy(*args, **kwargs):
    warnings.warn("Data Validation extension is not supported and will be removed", UserWarning)
    return real(*args, **kwargs)
cli.cli.main = noisy
""", tmp_path, "validate")
    assert process.returncode == 0, process.stderr
    assert "UserWarning" not in process.stderr and "extension" not in process.stderr, process.stderr


def test_a_decision_template_that_expands_to_gigabytes_is_refused_before_reading(previous, tmp_path):
    template = bomb(tmp_path / "mau.docx", "word/document.xml", 300 * 1024 * 1024)
    result = CliRunner().invoke(cli, ["decision", str(previous / "results.json"), "--template", str(template),
                                      "--out", str(tmp_path / "d.docx")])
    assert result.exit_code == 1, result.output
    assert_one_pointed_line(result.stderr, "template-not-docx")
    assert "giải nén ra" in result.stderr
