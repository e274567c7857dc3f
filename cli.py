#!/usr/bin/env python3
"""Chấm điểm Chỉ số CCHC cấp xã: the command line. Each command: load → score → write.

Exit codes: 0 success; 1 invalid input (every problem, one per line, as
file:/json/pointer: message [error-code]; nothing written); 2 wrong usage.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click

from scoring.engine import score as score_inputs
from scoring.errors import InputError
from scoring.load import load_inputs
from scoring.report import explain as explain_text, ranking_table
from scoring.writers.atomic import OutputExists, OutputNotWritable, write_all_atomic
from scoring.writers.results_json import dumps, results_document

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
RESULTS_NAME = "results.json"


def input_options(command):
    """The options every command shares: which criteria set, submissions, appraisal and survey."""
    options = [
        click.option("--criteria", type=click.Path(dir_okay=False, path_type=Path),
                     help="Bộ tiêu chí (JSON). Mặc định: bộ tiêu chí Tu Mơ Rông 2023."),
        click.option("--submissions", type=click.Path(file_okay=False, path_type=Path),
                     help="Thư mục hồ sơ tự đánh giá của các xã (*.json). Mặc định: ví dụ kèm theo."),
        click.option("--appraisal", type=click.Path(dir_okay=False, path_type=Path),
                     help="Kết quả thẩm định. Mặc định: appraisal.json cạnh thư mục hồ sơ, nếu có."),
        click.option("--survey", type=click.Path(dir_okay=False, path_type=Path),
                     help="Số phiếu điều tra xã hội học. Mặc định: survey.json cạnh thư mục hồ sơ, nếu có."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def fail_on_bad_input(command):
    """Turn the library's errors into the CLI's promises: exit 1 for bad input, 2 for usage."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            for issue in error.issues:
                click.echo(str(issue), err=True)
            click.echo(f"Có {len(error.issues)} lỗi trong dữ liệu đầu vào; không ghi kết quả nào.", err=True)
            sys.exit(1)
        except OutputExists as error:
            raise click.UsageError(f"Đã có tệp kết quả {error.path}; dùng --force để ghi đè.")
        except OutputNotWritable as error:
            raise click.UsageError(f"Không ghi được vào {error.path}: {error.reason}.")

    return wrapper


def load(criteria, submissions, appraisal, survey):
    return load_inputs(criteria, submissions, appraisal, survey)


def run_time(value: str | None) -> str:
    """The run's time: fixed by --time for reproducible outputs, else now (local time)."""
    if value:
        return value
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def parse_time(ctx, param, value):
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("phải là thời điểm ISO 8601, ví dụ 2024-02-01T08:00:00+07:00")
    return parsed.isoformat(timespec="seconds")


@click.group(context_settings=CONTEXT)
def cli():
    """Chấm điểm Chỉ số cải cách hành chính (CCHC) cấp xã.

    Không có tùy chọn, các lệnh dùng ví dụ kèm theo: huyện Tu Mơ Rông, năm 2023.
    """


@cli.command(context_settings=CONTEXT)
@input_options
@fail_on_bad_input
def validate(criteria, submissions, appraisal, survey):
    """Kiểm tra toàn bộ dữ liệu đầu vào, báo mọi lỗi một lần.

    Ví dụ: python cli.py validate --submissions submissions/tu-mo-rong-2023/communes
    """
    inputs = load(criteria, submissions, appraisal, survey)
    click.echo(f"Hợp lệ: bộ tiêu chí {inputs.criteria.id}, {len(inputs.submissions)} hồ sơ tự đánh giá"
               + (", kết quả thẩm định" if inputs.appraisal else "")
               + (", số phiếu điều tra xã hội học" if inputs.survey else "") + ".")


@cli.command(context_settings=CONTEXT)
@input_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"), show_default=True,
              help="Thư mục ghi kết quả.")
@click.option("--force", is_flag=True, help="Ghi đè kết quả đã có.")
@click.option("--time", "fixed_time", callback=parse_time,
              help="Thời điểm ghi vào kết quả (ISO 8601); cùng đầu vào và cùng --time cho cùng kết quả.")
@fail_on_bad_input
def score(criteria, submissions, appraisal, survey, out, force, fixed_time):
    """Chấm điểm, xếp hạng, xếp loại các xã và ghi kết quả vào --out.

    Ghi results.json (kết quả đầy đủ, có giải thích từng điểm). In bảng xếp hạng.

    Ví dụ: python cli.py score --out out --force
    """
    inputs = load(criteria, submissions, appraisal, survey)
    document = results_document(score_inputs(inputs), inputs.files, generated_at=run_time(fixed_time))
    outputs = [(out / RESULTS_NAME, lambda tmp: tmp.write_bytes(dumps(document)))]
    written = write_all_atomic(outputs, force=force)
    click.echo(ranking_table(document))
    click.echo("")
    for path in written:
        click.echo(f"Đã ghi {path}")


@cli.command(context_settings=CONTEXT)
@click.argument("commune_code")
@input_options
@fail_on_bad_input
def explain(commune_code, criteria, submissions, appraisal, survey):
    """Giải thích điểm của một xã, từng tiêu chí, kèm lý do.

    Ví dụ: python cli.py explain 23545
    """
    inputs = load(criteria, submissions, appraisal, survey)
    document = results_document(score_inputs(inputs), inputs.files, generated_at="")
    match = [c for c in document["communes"] if c["code"] == commune_code or c["name"].lower() == commune_code.lower()]
    if not match:
        known = ", ".join(f"{c['code']} ({c['name']})" for c in document["communes"])
        raise click.UsageError(f"Không có xã mã '{commune_code}'. Các xã: {known}")
    click.echo(explain_text(document, match[0]), nl=False)


def main():
    cli(prog_name="cli.py")


if __name__ == "__main__":
    main()
