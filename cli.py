#!/usr/bin/env python3
"""Chấm điểm Chỉ số CCHC cấp xã: the command line. Each command: load → score → write.

Exit codes: 0 success (a closed output pipe included); 1 invalid input (every problem, one
per line, as file:/json/pointer: message [error-code]; nothing written); 2 wrong usage, or
the output cannot be written (folder busy with another run, disk full: one line naming the
folder); 3 a fault of the program itself or a child process killed (one line on stderr;
CCHC_DEBUG=1 shows the traceback); 128 + the signal when stopped (130 Ctrl-C, 143 SIGTERM).
"""

from __future__ import annotations

import os
import sys


def _stopped_while_starting(signum, frame):
    """Ctrl-C, SIGTERM or SIGHUP while the libraries are still loading (a second or so, before
    main() installs the run's own handlers): nothing has been started or written yet, so the
    process ends at once with the signal's exit code and one line, never a traceback."""
    try:
        text = "Đã dừng theo yêu cầu; không có kết quả nào bị ghi đè.\n"
        os.write(2, text.encode(getattr(sys.stderr, "encoding", None) or "utf-8", "replace"))
    except Exception:  # an output that cannot take it: the exit code still says it
        pass
    os._exit(128 + signum)


# run as a program: `python cli.py`, or the installed `cchc` command, whose script imports this
# module and calls main() (never when tests or a notebook import it)
if __name__ == "__main__" or os.path.basename((getattr(sys, "argv", None) or [""])[0] or "").removesuffix(".exe") == "cchc":
    import gc as _gc
    import signal as _signal

    for _name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(_signal, _name):
            _signal.signal(getattr(_signal, _name), _stopped_while_starting)
    if __name__ == "__main__":
        # no cyclic collection while the libraries load (22 collections of objects that all live
        # on, 0.003 CPU-s of every command): main() puts the collector back. Not for a process
        # that only imports cli under the name cchc without calling main()
        _gc.disable()


import datetime as dt
import functools
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click

from scoring import InputError, load as load_inputs, score as score_inputs  # the library's public API
from scoring.errors import CchcError, one_line
from scoring import i18n
from scoring.text import name_key, parse_date
from scoring.option_text import option_code, option_codes, option_text  # options read as files are (issue 16)
from scoring import runtime
from scoring.workers import collector_back
from scoring import compare_previous, load_previous  # year over year (scoring/previous.py)
from scoring.writers.atomic import COMMITTED, OutputBusy, OutputExists, OutputFault, OutputNotWritable

# The writers (xlsxwriter, docxtpl, python-docx, jinja2) and the engine are imported by the
# commands that use them: every command pays its imports at start-up, and validate, check,
# explain or decision need none of the others' (issue 19; tests/test_startup.py pins it).
RESULTS_NAME, DECISION_NAME = "results.json", "quyet-dinh.docx"  # scoring.writers.outputs' names (pinned by test)


def end_children():
    """scoring.workers.end_children, when a command imported it (no child was started otherwise)."""
    workers = sys.modules.get("scoring.workers")
    if workers is not None:
        workers.end_children()


def _child_died(error) -> bool:
    workers = sys.modules.get("scoring.workers")
    return workers is not None and isinstance(error, workers.ChildDied)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
i18n.install()  # click's own words ("Usage:", "Error:"…) in Vietnamese, through gettext
INTERNAL_ERROR = 3  # exit code of a fault in the program itself (inputs may be fine)


def input_options(command):
    """The options every command shares: which criteria set, submissions, appraisal and survey."""
    options = [
        click.option("--criteria", type=click.Path(dir_okay=False, path_type=Path),
                     help="Bộ tiêu chí (JSON). Mặc định: bộ tiêu chí Tu Mơ Rông 2023."),
        click.option("--submissions", type=click.Path(file_okay=False, path_type=Path),
                     help="Thư mục hồ sơ tự đánh giá của các xã (*.json). Mặc định: ví dụ kèm theo."),
        click.option("--appraisal", type=click.Path(path_type=Path), multiple=True,
                     help="Kết quả thẩm định (JSON); nhắc lại tùy chọn cho nhiều tệp (thẩm định chia theo xã, lĩnh vực) "
                          "hoặc chỉ một thư mục chứa các tệp. Mặc định: appraisal.json cạnh thư mục hồ sơ, nếu có."),
        click.option("--survey", type=click.Path(dir_okay=False, path_type=Path),
                     help="Số phiếu điều tra xã hội học. Mặc định: survey.json cạnh thư mục hồ sơ, nếu có."),
        click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
                     help="Danh sách đơn vị của năm (JSON). Mặc định: registry.json cạnh thư mục hồ sơ, nếu có."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def fail_on_bad_input(command):
    """Turn the library's errors into the CLI's promises: exit 1 for bad input, 2 for usage."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        COMMITTED.clear()
        try:
            return command(*args, **kwargs)
        except CchcError as error:  # the one base of every coded problem (scoring.errors)
            if not isinstance(error, InputError):  # decision details, template, provisional results
                click.echo(str(error), err=True)
                sys.exit(1)
            for issue in error.issues:
                click.echo(str(issue), err=True)
            click.echo(f"Có {len(error.issues)} lỗi trong dữ liệu đầu vào; không ghi kết quả nào.", err=True)
            sys.exit(1)
        except OutputExists as error:
            raise click.UsageError(f"Đã có tệp kết quả {error.path}; dùng --force để ghi đè.")
        except OutputNotWritable as error:  # the machine's folder, not the command's usage: one line
            end_children()
            click.echo(f"Không ghi được vào {error.path}: {error.reason}.", err=True)
            sys.exit(2)
        except OutputBusy as error:
            end_children()
            click.echo(f"Thư mục {error.folder} đang được một lần chấm khác ghi kết quả"
                       + (f" ({error.owner})" if error.owner else "")
                       + "; lần chạy này dừng, không ghi gì. Hãy chờ lần kia xong rồi chạy lại "
                         "(hoặc dùng --out khác).", err=True)
            sys.exit(2)
        except OutputFault as error:  # the machine, not the program: disk full, I/O error
            end_children()
            click.echo(error.message(), err=True)
            sys.exit(2)
        except KeyboardInterrupt as error:  # Ctrl-C, or SIGTERM/SIGHUP (runtime.Stopped)
            end_children()
            click.echo(f"Đã dừng theo yêu cầu; {_outputs_said()}", err=True)
            sys.exit(runtime.interrupt_exit_code(error))
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as error:  # a fault of the program, not of the inputs
            end_children()
            if _child_died(error):  # a worker killed (scoring.workers.ChildDied)
                click.echo(f"Lỗi: {error}; lần chạy dừng lại, {_outputs_said()}", err=True)
                sys.exit(INTERNAL_ERROR)
            if os.environ.get("CCHC_DEBUG"):
                raise
            click.echo(f"Lỗi nội bộ của chương trình ({type(error).__name__}: {one_line(str(error))[:300]}); "
                       f"{_outputs_said()} Hãy báo cho nhóm phát triển kèm lệnh đã chạy "
                       "(chạy lại với CCHC_DEBUG=1 để xem chi tiết).", err=True)
            sys.exit(INTERNAL_ERROR)

    return wrapper


def _outputs_said() -> str:
    """What a stopped run may say of its outputs: only what is true."""
    if COMMITTED:
        return "các kết quả mới đã được ghi đủ trước đó: " + ", ".join(str(path) for path in COMMITTED) + "."
    return "không có kết quả nào bị ghi đè."


PROGRESS_FROM = 200  # submission files; smaller runs finish before a bar is worth drawing


@contextmanager
def progress_bar(label: str, stream=None):
    """A ``progress(done, total)`` callback drawing a bar on stderr, for large runs on a
    terminal only (None elsewhere: nothing is drawn into a log or a pipe)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    bar = None

    def progress(done, total):
        nonlocal bar
        if total < PROGRESS_FROM:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=stream)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def load(criteria, submissions, appraisal, survey, registry=None, workers=None, check_only=False):
    """Load every input; on a terminal, large runs show a progress bar on stderr. Warnings
    (a registered unit without a submission…) go to stderr; the run goes on.

    The command line asks for the memory-saving re-read (a national run keeps only the
    facts and the files' hashes; a file changed while it runs is refused, file-changed).
    ``workers``, ``check_only``: see scoring.load.load_inputs (validate reads in one process:
    fewest CPU-seconds; it scores nothing, so it hashes no submission and keeps no fact table)."""
    with progress_bar("Đọc và kiểm tra hồ sơ") as progress:
        inputs = load_inputs(criteria, submissions, appraisal, survey, progress=progress, registry=registry,
                             reread_entries=True, workers=workers, check_only=check_only)
    echo_warnings(inputs.warnings)
    return inputs


def load_with_previous(criteria, submissions, appraisal, survey, registry, previous, workers=None, check_only=False):
    """``load``; when the inputs have problems and last year's results are given (--previous),
    those files are checked too, against the criteria set alone, so that every problem is
    listed at once (else they are checked after the inputs, by load_previous)."""
    try:
        return load(criteria, submissions, appraisal, survey, registry, workers, check_only)
    except InputError as error:
        if not previous:
            raise
        try:
            source = forms.load_criteria(criteria)
        except InputError:
            raise error from None  # no criteria set to check them against
        from scoring.files import read_document
        from scoring.previous import check_previous

        found = check_previous([read_document(Path(path)) for path in previous], source.criteria)
        raise InputError(list(error.issues) + [issue for issue in found if issue not in error.issues]) from None


def echo_warnings(warnings):
    """Problems that do not stop the command but may cost points, one per line on stderr."""
    for warning in warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)


def run_time(value: str | None) -> str:
    """The run's time: fixed by --time for reproducible outputs, else now (local time)."""
    if value:
        return value
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# what the outputs can hold: the zip packages (xlsx, docx) stamp their parts with DOS dates
TIME_RANGE = (dt.datetime(1980, 1, 1), dt.datetime(2107, 12, 31, 23, 59, 59))


def parse_time(ctx, param, value):
    """--time: an ISO 8601 moment the outputs can hold (1980-01-01 to 2107-12-31, in UTC
    as well when a zone is given); else a usage error (exit 2)."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("phải là thời điểm ISO 8601, ví dụ 2024-02-01T08:00:00+07:00")
    try:
        moments = [parsed.replace(tzinfo=None)]
        if parsed.tzinfo is not None:
            moments.append(parsed.astimezone(dt.timezone.utc).replace(tzinfo=None))
    except (OverflowError, ValueError):
        moments = [dt.datetime.min]
    if any(not TIME_RANGE[0] <= moment <= TIME_RANGE[1] for moment in moments):
        raise click.BadParameter(f"thời điểm {value[:40]!r} nằm ngoài khoảng kết quả ghi được "
                                 "(từ 1980-01-01 đến 2107-12-31)")
    return parsed.isoformat(timespec="seconds")


@click.group(context_settings=CONTEXT)
def cli():
    """Chấm điểm Chỉ số cải cách hành chính (CCHC) cấp xã.

    Không có tùy chọn, các lệnh dùng ví dụ kèm theo: huyện Tu Mơ Rông, năm 2023.
    """


@cli.command(context_settings=CONTEXT)
@input_options
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="results.json của năm trước (có thể nhiều tệp): kiểm tra như score --previous, không chấm điểm.")
@fail_on_bad_input
def validate(criteria, submissions, appraisal, survey, registry, previous=()):
    """Kiểm tra toàn bộ dữ liệu đầu vào, báo mọi lỗi một lần.

    Với --previous: kiểm tra cả kết quả năm trước (cấu trúc, cùng họ bộ tiêu chí, đúng năm
    trước, không tạm tính, không trùng đơn vị) như lệnh score --previous, không chấm điểm.

    Ví dụ: python cli.py validate --submissions submissions/tu-mo-rong-2023/communes
    python cli.py validate --previous submissions/tu-mo-rong-2022/results.json
    """
    # one process reads the submissions: forked workers would bring the wall time down on an idle
    # machine but cost more CPU-seconds in all (issue 19 judges validate on CPU-seconds)
    runtime.nothing_to_tear_down()  # writes nothing, starts no process: see scoring.runtime
    from scoring.workers import collector_paused

    # no cyclic garbage collection for the whole command, the modules it imports first among what
    # it makes (the collector ran ~35 times while it read a national year, for nothing), and the
    # process ends at once when the command has said its piece (scoring.runtime)
    with collector_paused():
        inputs = load_with_previous(criteria, submissions, appraisal, survey, registry, previous, workers=1, check_only=True)
        checked = load_previous(previous, inputs) if previous else []  # scoring/previous.py: nothing is scored
    from scoring.vietnamese import format_count

    click.echo(f"Hợp lệ: bộ tiêu chí {inputs.criteria.id}, {format_count(len(inputs.submissions))} hồ sơ tự đánh giá"
               + (f", danh sách {format_count(len(inputs.registry.units))} đơn vị" if inputs.registry else "")
               + (", kết quả thẩm định" if inputs.appraisal else "")
               + (", số phiếu điều tra xã hội học" if inputs.survey else "")
               + "".join(f", kết quả năm trước {shown} (bộ tiêu chí {document['criteria']['id']}, năm "
                         f"{document['criteria']['year']}, {format_count(len(document['communes']))} đơn vị)"
                         for shown, document, _ in checked) + ".")


@cli.command(context_settings=CONTEXT)
@input_options
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True,
              help="Thư mục ghi kết quả.")
@click.option("--force", is_flag=True, help="Ghi đè kết quả đã có.")
@click.option("--time", "fixed_time", callback=parse_time,
              help="Thời điểm ghi vào kết quả (ISO 8601); cùng đầu vào và cùng --time cho cùng kết quả.")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="results.json của năm trước (có thể nhiều tệp): so sánh với năm trước, xét điều kiện khen thưởng.")
@click.option("--layout", type=click.Choice(["auto", "district", "province", "national"]), default="auto",
              show_default=True,
              help="Bố cục kết quả: district (huyện: như province, thêm một trang cho mỗi xã), province (tỉnh: "
                   "results.json thụt lề, trang Chi tiết, các danh sách trong bảng tính), national (toàn quốc: "
                   "results.json gọn, không có trang Chi tiết, danh sách dài ghi ra tệp CSV); auto chọn theo số "
                   "đơn vị: đến 30 là district, đến 200 là province, trên 200 là national.")
@fail_on_bad_input
def score(criteria, submissions, appraisal, survey, registry, out, force, fixed_time, previous=(), layout="auto"):
    """Chấm điểm, xếp hạng, xếp loại các xã và ghi kết quả vào --out.

    Ghi results.json (kết quả đầy đủ, có giải thích từng điểm), ket-qua.xlsx (bảng xếp hạng,
    theo lĩnh vực, chi tiết, tự chấm khác kết quả, thiếu kiểm chứng, biểu đồ) và
    quyet-dinh.docx (dự thảo quyết định phê duyệt, để trống số, ngày, người ký). In bảng xếp hạng.

    Ví dụ: python cli.py score --out out --force
    """
    from scoring.report import ranking_table
    from scoring.writers.outputs import write_outputs

    inputs = load_with_previous(criteria, submissions, appraisal, survey, registry, previous)
    results, generated_at = score_inputs(inputs), run_time(fixed_time)
    if previous:  # year over year (scoring/previous.py); checked before anything is written
        results = compare_previous(results, load_previous(previous, inputs), inputs.registry)
    with progress_bar("Ghi kết quả") as progress:
        written, document = write_outputs(results, inputs.files, generated_at=generated_at, out=out, force=force,
                                          progress=progress, layout=layout)
    click.echo(ranking_table(document))
    click.echo("")
    for path in written:
        click.echo(f"Đã ghi {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("commune_code")
@input_options
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), multiple=True,
              help="results.json của năm trước: in năm trước bên cạnh năm nay.")
@fail_on_bad_input
def explain(commune_code, criteria, submissions, appraisal, survey, registry, previous=()):
    """Giải thích điểm của một xã, từng tiêu chí, kèm lý do.

    Ví dụ: python cli.py explain 23545
    """
    from scoring.engine import Communes
    from scoring.writers.results_json import results_document

    inputs = load(criteria, submissions, appraisal, survey, registry)
    results = score_inputs(inputs)
    wanted = name_key(commune_code)

    def named(unit):  # the code, or the name (with or without its type) whatever its case, form and Ð/Đ
        return unit.code == option_code(commune_code) or wanted in (name_key(unit.name), name_key(f"{unit.type} {unit.name}"))

    match = [c for c in results.communes if named(c)]
    missing = [u for u in results.not_submitted if named(u)]
    if len(match) + len(missing) > 1:  # never one of them picked silently
        candidates = "; ".join(f"{u.code} ({u.type} {u.name})" for u in match + missing)
        raise click.UsageError(f"Có {len(match) + len(missing)} đơn vị tên '{commune_code}': {candidates}. "
                               f"Hãy gọi theo mã, ví dụ: python cli.py explain {(match + missing)[0].code}")
    if not match and missing:
        unit = missing[0]
        click.echo(f"{unit.name} (mã {unit.code}, {unit.type}): chưa nộp hồ sơ tự đánh giá; "
                   "không chấm điểm, không xếp hạng.")
        return
    if not match:
        known = ", ".join(f"{c.code} ({c.name})" for c in results.communes)
        raise click.UsageError(f"Không có xã mã '{commune_code}'. Các xã: {known}")
    # only that commune is rendered (its leaves and reasons): the document of one commune
    document = results_document(replace(results, communes=Communes(match[:1])), inputs.files, generated_at="")
    from scoring.report import explain as explain_text

    click.echo(explain_text(document, document["communes"][0]), nl=False)
    if previous:  # last year beside this year (scoring/previous.py)
        from scoring.previous import area_lines, compare, explain_lines

        comparison = compare(results, load_previous(previous, inputs), inputs.registry)
        lines = explain_lines(comparison, match[0].code) + area_lines(comparison, document["communes"][0])
        click.echo("\n".join(lines))


@cli.command(context_settings=CONTEXT)
@click.argument("results", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--details", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp JSON thông tin quyết định: number, date, signer, signing_mode, extra_legal_bases, recipients, proposer.")
@click.option("--number", help="Số quyết định, ví dụ 47 hoặc 47/QĐ-UBND.")
@click.option("--date", "decision_date", help="Ngày ký: 05/02/2024, 05-02-2024 hoặc 2024-02-05.")
@click.option("--signer", help="Họ tên người ký.")
@click.option("--signing-mode", type=click.Choice(["tm", "kt"], case_sensitive=False),
              help="tm: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH; kt: KT. CHỦ TỊCH / PHÓ CHỦ TỊCH.")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Mẫu Word (.docx) thay cho mẫu kèm theo.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Tệp ghi ra. Mặc định: {DECISION_NAME} cạnh tệp kết quả.")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@click.option("--provisional", is_flag=True,
              help="Lập dự thảo cả khi kết quả là TẠM TÍNH (tiêu đề mang dấu TẠM TÍNH).")
@fail_on_bad_input
def decision(results, details, number, decision_date, signer, signing_mode, template, out, force, provisional):
    """Viết (lại) dự thảo quyết định phê duyệt từ tệp kết quả, với số, ngày, người ký.

    RESULTS mặc định là out/results.json.

    Ví dụ: python cli.py decision out/results.json --number 47 --date 2024-02-05
    --signer "Võ Trung Mạnh" --out out/quyet-dinh-47.docx
    """
    from scoring.writers.decision_input import read_decision_input

    results = results or Path("out") / RESULTS_NAME
    document = read_decision_input(results)  # only what the decision reads, checked (issue 19)
    # the writer's libraries are imported once the file is read and let go (a lower peak)
    from scoring.writers.decision import DecisionDetails, load_details, override_details, write_decision

    chosen = load_details(details) if details else DecisionDetails()
    chosen = override_details(chosen, number=number, date=decision_date, signer=signer, signing_mode=signing_mode)
    path = write_decision(document, out or results.parent / DECISION_NAME, details=chosen, template=template, force=force,
                          provisional=provisional, source=results)
    click.echo(f"Đã ghi {path}")


# ---------------------------------------------------------------- Excel forms (scoring/forms)

from scoring import forms  # noqa: E402
from scoring.writers.atomic import check_writable, write_atomic, write_bytes_atomic  # noqa: E402

CRITERIA_OPTION = click.option("--criteria", type=click.Path(dir_okay=False, path_type=Path),
                               help="Bộ tiêu chí (JSON). Mặc định: bộ tiêu chí Tu Mơ Rông 2023.")


def fail_on_bad_form(command):
    """fail_on_bad_input, plus the forms' usage errors (exit 2)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except forms.FormUsageError as error:
            raise click.UsageError(str(error))

    return fail_on_bad_input(wrapper)


@cli.command(context_settings=CONTEXT)
@click.option("--commune", "commune_code", help="Mã đơn vị hành chính của xã (5 chữ số). Mặc định: mã trong --from.")
@CRITERIA_OPTION
@click.option("--from", "draft", type=click.Path(dir_okay=False, path_type=Path),
              help="Hồ sơ tự đánh giá (JSON) để điền sẵn: bản nháp năm nay hoặc hồ sơ năm trước.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp phiếu (.xlsx) ghi ra.")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@fail_on_bad_form
def form(commune_code, criteria, draft, out, force):
    """Tạo phiếu tự đánh giá (Excel) của một xã từ bộ tiêu chí.

    Trang Hướng dẫn, trang Tự đánh giá (mỗi tiêu chí một dòng, chỉ nhập ô trắng) và trang
    Tài liệu kiểm chứng (mỗi văn bản một dòng). Xã điền rồi gửi lại; đọc bằng lệnh import.

    Ví dụ: python cli.py form --commune 23503 --from submissions/tu-mo-rong-2023/communes/23503-dak-ha.json
    --out phieu-23503.xlsx
    """
    check_writable([out], force=force)
    content, warnings = forms.self_assessment_form(None if commune_code is None else option_code(commune_code),
                                                   criteria, draft)
    write_bytes_atomic(out, content, force=force)
    echo_warnings(warnings)
    click.echo(f"Đã ghi {out}")


@cli.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp JSON ghi ra.")
@click.option("--kind", type=click.Choice(forms.KINDS),
              help="self: phiếu tự đánh giá; appraisal: phiếu thẩm định; survey: số phiếu điều tra xã hội học. "
                   "Mặc định: nhận ra từ tệp.")
@CRITERIA_OPTION
@click.option("--submission", type=click.Path(dir_okay=False, path_type=Path),
              help="Với phiếu giải trình (--kind explanation): hồ sơ tự đánh giá của xã (JSON) để ghi giải trình vào; "
                   "--out là hồ sơ đã có giải trình (hồ sơ gốc không bị sửa, trừ khi --out trùng tệp và có --force).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@fail_on_bad_form
def import_form(file, out, kind, criteria, submission, force):
    """Đọc phiếu đã điền (.xlsx) hoặc bảng số phiếu (.csv, .xlsx) thành tệp JSON.

    Phiếu tự đánh giá → hồ sơ tự đánh giá; phiếu thẩm định → appraisal.json; bảng số phiếu
    (cột Mã xã, Câu hỏi, A, B, C, D) → survey.json. Mọi lỗi được báo theo ô
    (TỆP.xlsx!Trang!F12), khi có lỗi không ghi gì. Đường dẫn tệp kiểm chứng tính từ thư mục của --out.

    Ví dụ: python cli.py import phieu-23503.xlsx --out submissions/tu-mo-rong-2023/communes/23503-dak-ha.json --force
    """
    check_writable([out], force=force)
    result = forms.import_file(file, forms.load_criteria(criteria), kind=kind, base_dir=out.parent)
    data = result.data
    if result.kind == forms.KIND_EXPLANATION:  # the answer goes into the commune's submission
        if submission is None:
            raise click.UsageError("phiếu giải trình cần --submission HỒ_SƠ.json (hồ sơ tự đánh giá của xã)")
        data = forms.apply_explanations(forms.read_submission_file(submission), data)
    write_bytes_atomic(out, forms.dumps_exact(data), force=force)
    echo_warnings(result.warnings)
    click.echo(f"Đã đọc {forms.KIND_NAMES[result.kind]} {file}; đã ghi {out}")


@cli.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@CRITERIA_OPTION
@fail_on_bad_form
def check(file, criteria):
    """Xã tự kiểm tra hồ sơ (JSON) hoặc phiếu (.xlsx) trước khi gửi: điểm tạm tính.

    Điểm từng lĩnh vực và tổng (chưa có thẩm định, chưa có điều tra xã hội học), các tiêu chí
    tự chấm cao hơn điểm theo tài liệu kiểm chứng và các tiêu chí thiếu tài liệu kiểm chứng.

    Ví dụ: python cli.py check submissions/tu-mo-rong-2023/communes/23503-dak-ha.json
    """
    source = forms.load_criteria(criteria)
    click.echo(forms.check_text(source, forms.provisional_score(file, source)), nl=False)


@cli.command("appraisal-form", context_settings=CONTEXT)
@input_options
@click.option("--communes", "communes_chosen", help="Chỉ các xã này (mã, cách nhau bởi dấu phẩy).")
@click.option("--areas", help="Chỉ các tiêu chí của các lĩnh vực này (mã lĩnh vực, cách nhau bởi dấu phẩy), ví dụ 1,2,3.")
@click.option("--appraiser", help="Người hoặc tổ thẩm định ghi trên phiếu (đọc lại vào tệp thẩm định).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Tệp phiếu (.xlsx) ghi ra.")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@fail_on_bad_form
def appraisal_form(criteria, submissions, appraisal, survey, registry, communes_chosen, areas, appraiser, out, force):
    """Tạo phiếu thẩm định (Excel) cho Hội đồng: mỗi xã × tiêu chí một dòng.

    Có điểm tự chấm, điểm theo tài liệu kiểm chứng, cảnh báo, và ô nhập điểm, lý do, ngày cho
    thẩm định lần 1 và sau giải trình; điền sẵn từ appraisal.json nếu có. Không cần --survey.

    Thẩm định chia nhóm: --communes, --areas chọn xã, lĩnh vực; --appraiser ghi người (tổ) thẩm
    định. Lệnh score nhận nhiều tệp thẩm định (--appraisal nhắc lại, hoặc một thư mục).

    Ví dụ: python cli.py appraisal-form --out phieu-tham-dinh.xlsx
    python cli.py appraisal-form --areas 1,2,3 --appraiser "Tổ 1" --out to-1.xlsx
    """
    check_writable([out], force=force)
    inputs = forms.load_council_inputs(criteria, submissions, appraisal)
    split = {"communes_chosen": _codes(communes_chosen), "areas": _codes(areas),
             "appraiser": option_text(appraiser, "--appraiser", "người hoặc tổ thẩm định")}
    # written straight into the atomic temporary file: a national form is never held whole in memory
    write_atomic(out, lambda tmp: forms.write_appraisal_form(inputs, target=tmp, **split), force=force)
    click.echo(f"Đã ghi {out}: {len(inputs.submissions)} đơn vị"
               + (f", điền sẵn {len(inputs.appraisal.entries)} kết quả thẩm định" if inputs.appraisal else "") + ".")


@cli.command(context_settings=CONTEXT)
@click.argument("codes", nargs=-1)
@input_options
@click.option("--all", "every", is_flag=True, help="Cho mọi xã có kết quả thẩm định lần 1.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Thư mục ghi phiếu (giai-trinh-MÃ.xlsx, mỗi xã một tệp).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@fail_on_bad_form
def notice(codes, criteria, submissions, appraisal, survey, registry, every, out, force):
    """Thông báo kết quả thẩm định lần 1 cho xã (Excel), để xã giải trình.

    Mỗi xã một tệp: các tiêu chí với điểm tự chấm, điểm thẩm định, lý do; tiêu chí Hội đồng
    đề nghị giải trình (explanation_requested trong tệp thẩm định) được tô vàng, có ô ghi giải
    trình và tài liệu bổ sung. Xã gửi lại; đọc bằng import --kind explanation --submission.

    Ví dụ: python cli.py notice 23512 --out thong-bao
    """
    codes = [option_code(code) for code in codes]
    inputs = load(criteria, submissions, appraisal, survey, registry)
    results = score_inputs(inputs)
    by_code = {commune.code: commune for commune in results.communes}
    stage_one: dict = {}
    for entry in (inputs.appraisal.entries if inputs.appraisal else ()):
        if entry.stage == 1:
            stage_one.setdefault(entry.commune, {})[entry.leaf] = entry
    if every:
        chosen = [code for code in by_code if code in stage_one]
    elif codes:
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            absent = {unit.code: unit for unit in results.not_submitted}  # registered, no submission
            raise click.UsageError("; ".join(
                f"xã {absent[code].name} (mã {code}) chưa nộp hồ sơ tự đánh giá" if code in absent
                else f"không có hồ sơ của xã mã {code}" for code in unknown))
        # a notice reports the first appraisal: none yet, nothing to report (nor to explain)
        unappraised = [code for code in dict.fromkeys(codes) if code not in stage_one]
        if unappraised:
            raise click.UsageError(f"chưa có kết quả thẩm định lần 1 của xã mã {', '.join(unappraised)}: "
                                   "chưa có gì để thông báo (thông báo sau khi Hội đồng thẩm định lần 1)")
        chosen = list(dict.fromkeys(codes))
    else:
        raise click.UsageError("cần mã xã (MÃ …) hoặc --all")
    targets = [out / f"giai-trinh-{code}.xlsx" for code in chosen]
    out.mkdir(parents=True, exist_ok=True)
    check_writable(targets, force=force)
    for code, target in zip(chosen, targets):
        content = forms.write_notice(results, by_code[code], stage_one.get(code, {}))
        write_bytes_atomic(target, content, force=force)
        asked = sum(1 for entry in stage_one.get(code, {}).values() if entry.explanation_requested)
        click.echo(f"Đã ghi {target}: {by_code[code].name}, {asked} tiêu chí đề nghị giải trình")


@cli.command(context_settings=CONTEXT)
@input_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Ghi bảng theo dõi ra tệp Excel (.xlsx).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
@click.option("--as-of", "as_of", callback=lambda ctx, param, value: _day_option(value),
              help="Ngày xem bảng (15/01/2024 hoặc 2024-01-15; mặc định hôm nay): tính số ngày còn lại đến hạn các bước.")
@fail_on_bad_input
def status(criteria, submissions, appraisal, survey, registry, out, force, as_of):
    """Bảng theo dõi vòng đánh giá: từng đơn vị đang ở bước nào và còn thiếu gì.

    Mỗi đơn vị của danh sách: đã nộp hay chưa, số tiêu chí đã kê khai, thiếu kiểm chứng, đã
    thẩm định đến lần nào và do ai, đề nghị giải trình và đã giải trình, số phiếu điều tra,
    kết quả tạm tính hay chính thức, việc còn lại; tiến độ từng lĩnh vực; hạn các bước.

    Ví dụ: python cli.py status --out theo-doi.xlsx
    """
    from scoring.status import round_status, status_text
    from scoring.writers.status_workbook import write_status_workbook

    if out is not None:
        check_writable([out], force=force)
    inputs = load(criteria, submissions, appraisal, survey, registry)
    board = round_status(inputs, score_inputs(inputs), as_of=(as_of or dt.datetime.now()).date())
    click.echo(status_text(board), nl=False)
    if out is not None:
        write_bytes_atomic(out, write_status_workbook(board), force=force)
        click.echo(f"Đã ghi {out}")


def _day_option(value):
    """A date option as officials write it (day first: 15/01/2024, 15-01-2024, 2024-01-15), as a datetime."""
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"ngày không hợp lệ {value[:40]!r}, cần dạng dd/mm/yyyy (15/01/2024) hoặc YYYY-MM-DD")
    return dt.datetime.combine(day, dt.time())


def _codes(text):
    """A comma-separated option as a list of codes (None when absent)."""
    return option_codes(text)  # full-width digits, zero-width and non-breaking spaces folded


def main():
    collector_back()  # paused while cli.py was imported as a program (top of this file)
    runtime.guard_output_streams()
    runtime.install_signal_handlers()
    runtime.quiet_library_warnings()
    runtime.one_blas_thread()  # numpy is not imported yet (tests/test_startup.py)
    runtime.nothing_to_tear_down(False)  # until the command says so (validate)
    try:
        cli(prog_name="cli.py")
    except SystemExit as done:
        end_children()
        if done.code in (None, 0):  # done: a late Ctrl-C or SIGTERM has nothing left to stop
            runtime.hold_stop_signals()
        if done.code not in (None, 0, 1, 2):
            runtime.leave_at_once(done.code)  # stopped or a child killed: see leave_at_once
        if runtime.ends_at_once(done.code):  # its output flushed, the same exit code
            runtime.leave_at_once(done.code or 0)
        raise
    finally:
        end_children()


if __name__ == "__main__":
    main()
