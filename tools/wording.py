#!/usr/bin/env python3
"""Every Vietnamese sentence the engine writes, in one file a reader can check: docs/wording.md.

    .venv/bin/python tools/wording.py            # rewrite docs/wording.md
    .venv/bin/python tools/wording.py --check    # exit 1 when docs/wording.md is stale

The list is produced by the real code paths, never copied from them: the bundled example
(Tu Mơ Rông 2023) and the generated province example of tools/render.py (every rule kind)
are scored by ``cli.py score``; ``explain`` is run for one commune; a self-assessment form is
made with ``form``; then every text is collected from results.json (the reasons), the
explain output, the form, the workbook and the decision. Texts that come from the inputs
(titles, names, numbers, paths, hashes: every string found in results.json or the criteria
set other than a reason) are left out, and sentences that differ only in their digits are
shown once, with the values of their first occurrence ("typical values"), in the first
section that writes them. A test
(tests/test_wording.py) checks that the committed list is up to date, so a change of wording
shows in review as a diff of this file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import render  # noqa: E402

OUTPUT = ROOT / "docs" / "wording.md"
_DIGITS = re.compile(r"\d+")
_HAS_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _mask(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.split()))


def _strings(value, out: set, skip=("reason", "appraisal_reason", "message")) -> None:
    """Every string of a JSON document (the inputs' texts), except the engine's own sentences."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                _strings(item, out, skip)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out, skip)
    elif isinstance(value, str):
        out.add(" ".join(value.split()))


class _Collector:
    def __init__(self, inputs: set):
        self.inputs = inputs
        self.sections: dict[str, dict[str, str]] = {}

    def add(self, section: str, text) -> None:
        if not isinstance(text, str):
            return
        text = " ".join(text.split())
        if not text or not _HAS_LETTER.search(text) or text in self.inputs:
            return
        mask = _mask(text)
        if any(mask in texts for name, texts in self.sections.items() if name != section):
            return  # listed once, in the first section that writes it (reasons before the workbook)
        self.sections.setdefault(section, {}).setdefault(mask, text)


def _run(*args, cwd=ROOT) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit(f"cli.py {' '.join(args)}: {done.stderr[-500:]}")
    return done.stdout


def _workbook_strings(path) -> list[str]:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True)
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            texts += [value for value in row if isinstance(value, str)]
    book.close()
    return texts


def _decision_strings(path) -> list[str]:
    from docx import Document

    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    return texts


def collect() -> str:
    with tempfile.TemporaryDirectory(prefix="cchc-wording-") as tmp:
        tmp = Path(tmp)
        examples = {"huyen": render.bundled_outputs(tmp / "huyen"), "tinh": render.province_outputs(tmp / "tinh")}
        inputs: set = set()
        results = {}
        for name, folder in examples.items():
            results[name] = json.loads((folder / "results.json").read_text(encoding="utf-8"))
            _strings(results[name], inputs)
        for criteria in [ROOT / "criteria" / "tu-mo-rong-2023.json"]:
            _strings(json.loads(criteria.read_text(encoding="utf-8")), inputs)
        collector = _Collector(inputs)

        for name in examples:
            for commune in results[name]["communes"]:
                for leaf in commune.get("leaves") or []:
                    collector.add("Lý do chấm điểm (results.json, explain, bảng tính)", leaf.get("reason"))
            for reason in results[name].get("provisional_reasons") or []:
                collector.add("Lý do chấm điểm (results.json, explain, bảng tính)", reason.get("message"))
        first = results["huyen"]["communes"][-1]["code"]
        for line in _run("explain", first).splitlines():
            collector.add("Lệnh explain", line)
        form = tmp / "phieu.xlsx"
        _run("form", "--commune", first, "--out", str(form))
        for text in _workbook_strings(form):
            collector.add("Phiếu tự đánh giá (form)", text)
        for name, folder in examples.items():
            for text in _workbook_strings(folder / "ket-qua.xlsx"):
                collector.add("Bảng tính kết quả (ket-qua.xlsx)", text)
            for text in _decision_strings(folder / "quyet-dinh.docx"):
                collector.add("Dự thảo quyết định (quyet-dinh.docx)", text)

    lines = [
        "# Câu chữ do phần mềm sinh ra",
        "",
        "Sinh tự động bởi `tools/wording.py` (đừng sửa tay: sửa mã rồi chạy lại lệnh). Mỗi mẫu câu",
        "xuất hiện một lần, với giá trị của lần đầu gặp: ví dụ kèm theo (huyện Tu Mơ Rông 2023) và",
        "ví dụ cấp tỉnh sinh bởi `tools/render.py`. Văn bản lấy từ dữ liệu đầu vào (tên, tiêu đề,",
        "số liệu) không được liệt kê.",
    ]
    for section, texts in collector.sections.items():
        lines += ["", f"## {section}", ""]
        lines += [f"- {text}" for _, text in sorted(texts.items())]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/wording.md is up to date")
    args = parser.parse_args(argv)
    text = collect()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT}: lỗi thời, chạy lại tools/wording.py", file=sys.stderr)
            return 1
        print(f"{OUTPUT}: cập nhật")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(OUTPUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
